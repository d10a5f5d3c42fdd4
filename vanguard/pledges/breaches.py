"""Posts' pledges: the four on a signboard, each with its evidence of breaches."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.system import actor_name

from .common import _text, _user
from .models import PostPledge, PostPledgeBreach


@transaction.atomic
def record_post_pledge_breach(actor, post, pledge_code, source, reason, ref=""):
    """A post's signboard pledge found broken (a complaint upheld, a bad review rectified for
    that reason): recorded against the pledge and in the post's history. Called by the
    ratings rectification and the cases app; the same source and reference count once."""
    from vanguard.posts.models import PostEvent

    if pledge_code not in PostPledge.values:
        raise ValidationError({"pledge": _("Name one of the post's four pledges.")})
    if source not in PostPledgeBreach.Source.values:
        raise ValidationError({"source": _("Name where the finding comes from.")})
    reason = _text(reason, "reason", _("Give the reason the pledge counts as broken."), 1000)
    ref = (ref or "").strip()[:100]
    if ref and PostPledgeBreach.objects.filter(post=post, pledge=pledge_code, source=source, ref=ref).exists():
        return None
    breach = PostPledgeBreach.objects.create(post=post, pledge=pledge_code, source=source, reason=reason, ref=ref,
                                             recorded_by=_user(actor))
    audit.record_create(actor, breach, verb=audit.Event.POST_PLEDGE_BROKEN, centre_id=post.centre_id)
    label = PostPledge(pledge_code).label
    PostEvent.objects.create(
        post=post, action=PostEvent.Action.PLEDGE_BROKEN, status_after=post.status, actor=_user(actor),
        actor_name=actor_name(actor),
        reason=f"{label}：{reason}（{PostPledgeBreach.Source(source).label}{' ' + ref if ref else ''}）")
    return breach

