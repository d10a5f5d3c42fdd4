"""Accounts and grants: who may log in, and which role over which scope.
An administrator grants anything; a centre's office grants the roles below
it within its own centre."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .models import Grant, User
from .permissions import require
from .roles import ORGANIZATION_ROLES, UNIT_ROLES, Role
from .scoping import forget_scope, scope_for

# Roles an office may hand out inside its own centre.
OFFICE_GRANTABLE = {Role.OFFICE, Role.SECRETARY, Role.SCORER, Role.LIAISON, Role.HANDLER}


def _grant_centre(role, organization, unit):
    if role in ORGANIZATION_ROLES:
        return organization.centre_id if organization else None
    if role in UNIT_ROLES:
        return unit.centre_id if unit else None
    return None


def can_grant(actor, role, organization=None, unit=None):
    scope = scope_for(actor)
    if scope.is_admin:
        return True
    return role in OFFICE_GRANTABLE and _grant_centre(role, organization, unit) in scope.centres(Role.OFFICE)


def can_manage_user(actor, user):
    scope = scope_for(actor)
    if scope.is_admin:
        return True
    return (scope.has_role(Role.OFFICE) and not user.is_superuser
            and User.objects.visible_to(actor).filter(pk=user.pk).exists())


def _user_centre(user):
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    return person.centre_id if person else None


@transaction.atomic
def create_account(actor, *, username, password, person=None):
    scope = scope_for(actor)
    require(scope.is_admin or scope.has_role(Role.OFFICE))
    if person is not None:
        require(scope.is_admin or person.centre_id in scope.centres(Role.OFFICE))
        if person.user_id:
            raise ValidationError({"person": _("%(name)s already has a login account.") % {"name": person.name}})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The username “%(name)s” is taken.") % {"name": username}})
    user = User(username=username)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from error
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record_create(actor, user, centre_id=person.centre_id if person else None)
    if person is not None:
        before = audit.snapshot(person, fields={"user"})
        person.user = user
        person.save(update_fields=["user"])
        audit.record_update(actor, person, before)
    return user


@transaction.atomic
def set_password(actor, user, password):
    require(actor.pk == user.pk or can_manage_user(actor, user))
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor, audit.Action.ACTION, user, verb="reset password", centre_id=_user_centre(user))
    return user


@transaction.atomic
def set_active(actor, user, active):
    require(can_manage_user(actor, user) and actor.pk != user.pk)
    before = audit.snapshot(user, fields={"is_active"})
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record_update(actor, user, before, centre_id=_user_centre(user))
    return user


@transaction.atomic
def grant_role(actor, user, role, *, organization=None, unit=None):
    grant = Grant(user=user, role=role, organization=organization, unit=unit)
    require(can_grant(actor, role, organization, unit), _("You may not grant this role over this scope."))
    grant.full_clean(exclude=["user"], validate_unique=False)
    if Grant.objects.filter(user=user, role=role, organization=organization, unit=unit).exists():
        raise ValidationError(_("%(user)s already holds this role over this scope.") % {"user": user.username})
    grant.save()
    audit.record_create(actor, grant, centre_id=_grant_centre(role, organization, unit))
    forget_scope(user)
    return grant


@transaction.atomic
def revoke_grant(actor, grant):
    require(can_grant(actor, grant.role, grant.organization, grant.unit))
    audit.record_delete(actor, grant, centre_id=_grant_centre(grant.role, grant.organization, grant.unit))
    grant.delete()
    forget_scope(grant.user)
