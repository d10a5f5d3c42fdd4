"""Posts' part of the home page (vanguard/core/todo.py): named posts as a key figure."""

from django.urls import reverse
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.todo import Figure

from .models import VanguardPost


def key_figures(user):
    scope = scope_for(user)
    if not (scope.is_admin or scope.centres(Role.OFFICE)):
        return []
    named = VanguardPost.objects.visible_to(user).filter(status=VanguardPost.Status.NAMED).count()
    return [Figure(label=_("Named vanguard posts"), value=str(named),
                   url=reverse("posts:post-list") + f"?status={VanguardPost.Status.NAMED}")]
