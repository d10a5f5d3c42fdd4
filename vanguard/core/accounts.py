"""Accounts and grants: who may log in, and which role over which scope.
An administrator grants anything; the security administrator manages every
account and grants every role except the administrators' (separation of duties:
it cannot make itself or anyone else an administrator); a centre's office grants
the roles below it within its own centre."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.org.models import Person

from . import audit
from .audit_events import Event
from .models import Grant, User
from .permissions import is_office_of, require
from .roles import DUTY_ROLES, ORGANIZATION_ROLES, UNIT_ROLES, UNSCOPED_ROLES, Role
from .scoping import forget_scope, scope_for

# Roles an office may hand out inside its own centre.
OFFICE_GRANTABLE = {Role.OFFICE, Role.SECRETARY, Role.SCORER, Role.LIAISON, Role.HANDLER}


def _grant_centre(role, organization, unit):
    if role in ORGANIZATION_ROLES:
        return organization.centre_id if organization else None
    if role in UNIT_ROLES:
        return unit.centre_id if unit else None
    return None


def account_reach(user):
    """(centres, privileged): the centres an account acts in (through its grants and its
    person) and whether it holds a grant with no centre (an administrator's) or is a superuser."""
    centres, privileged = set(), bool(user.is_superuser)
    for role, org_centre, unit_centre in Grant.objects.filter(user=user).values_list(
            "role", "organization__centre_id", "unit__centre_id"):
        centre = org_centre or unit_centre
        if role in UNSCOPED_ROLES or centre is None:
            privileged = True
        else:
            centres.add(centre)
    person_centre = Person.objects.filter(user=user).values_list("centre_id", flat=True).first()
    if person_centre is not None:
        centres.add(person_centre)
    return centres, privileged


def is_security_admin(actor):
    return Role.SECURITY_ADMIN in scope_for(actor).duties


def can_grant(actor, role, organization=None, unit=None):
    scope = scope_for(actor)
    if scope.is_admin:
        return True
    if is_security_admin(actor):
        return role not in UNSCOPED_ROLES
    return role in OFFICE_GRANTABLE and is_office_of(actor, _grant_centre(role, organization, unit))


def can_manage_user(actor, user):
    """May `actor` reset this account's password, deactivate it or link it to a person?
    An administrator may; an office only an account that acts in its own centres alone:
    never a superuser, an administrator's account or one with a grant in another centre
    (that would hand the office another centre's or the whole system's access)."""
    scope = scope_for(actor)
    if scope.is_admin:
        return True
    if user.is_superuser:
        return False
    centres, privileged = account_reach(user)
    if is_security_admin(actor):
        # Every account but the administrators' (no duty takes over another).
        return not privileged
    offices = set(scope.centres(Role.OFFICE))
    return bool(offices) and not privileged and bool(centres) and centres <= offices


def audit_account_action(actor, user, verb, changes=None, centres=None):
    """One audit row per centre concerned, so each centre's office sees what was done
    to an account acting in it; the row lists all of them."""
    if centres is None:
        centres, _privileged = account_reach(user)
    listed = sorted(centres)
    rows = [audit.record(actor, audit.Action.ACTION, user, {**(changes or {}), "centres": [None, listed]},
                         verb=verb, centre_id=centre) for centre in listed or [None]]
    return rows


@transaction.atomic
def create_account(actor, *, username, password, person=None):
    scope = scope_for(actor)
    require(scope.is_admin or scope.has_role(Role.OFFICE, Role.SECURITY_ADMIN))
    if person is not None:
        require(is_office_of(actor, person.centre_id))
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
    require(actor.pk == user.pk or can_manage_user(actor, user),
            _("This account acts outside your service centres (or is an administrator's): "
              "only a security administrator may reset its password."))
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_account_action(actor, user, Event.PASSWORD_RESET)
    return user


@transaction.atomic
def set_active(actor, user, active):
    require(actor.pk != user.pk and can_manage_user(actor, user),
            _("This account acts outside your service centres (or is an administrator's): "
              "only a security administrator may deactivate it."))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_account_action(actor, user, Event.ACCOUNT_ACTIVATED if active else Event.ACCOUNT_DEACTIVATED,
                             {"is_active": [not active, active]})
    return user


def check_account_link(actor, person, user):
    """Linking `user` as `person`'s login account: only the office of the person's centre
    (or an administrator), and only an account it may manage. Called inside the person
    services' transaction."""
    require(is_office_of(actor, person.centre_id), _("Only the office of the person's service centre may "
                                                      "link a login account."))
    if user is None:
        return
    if not can_manage_user(actor, user) and not _is_fresh(user):
        # Same words as for a name that does not exist: no hint that the account exists.
        raise ValidationError({"user": _("There is no login account named “%(name)s”.") % {"name": user.username}})
    # An account already linked to someone else: the person's unique check says so.


def _is_fresh(user):
    """An account with no grant, no person and no superuser flag gives nothing away when linked."""
    centres, privileged = account_reach(user)
    return not centres and not privileged


def audit_account_link(actor, person, before_user_id):
    """The account linked to (or unlinked from) a person, audited in the centres concerned."""
    if person.user_id == before_user_id:
        return
    for user_id, verb in ((before_user_id, Event.ACCOUNT_UNLINKED), (person.user_id, Event.ACCOUNT_LINKED)):
        if user_id is None:
            continue
        user = User.objects.get(pk=user_id)
        centres, _privileged = account_reach(user)
        audit_account_action(actor, user, verb, {"person": [None, f"{person.pk} {person.name}"]},
                             centres=centres | {person.centre_id})


@transaction.atomic
def grant_role(actor, user, role, *, organization=None, unit=None):
    grant = Grant(user=user, role=role, organization=organization, unit=unit)
    require(can_grant(actor, role, organization, unit), _("You may not grant this role over this scope."))
    grant.full_clean(exclude=["user"], validate_unique=False)
    if role in UNSCOPED_ROLES:
        _check_one_duty(user, role)
    if Grant.objects.filter(user=user, role=role, organization=organization, unit=unit).exists():
        raise ValidationError(_("%(user)s already holds this role over this scope.") % {"user": user.username})
    grant.save()
    audit.record_create(actor, grant, centre_id=_grant_centre(role, organization, unit))
    forget_scope(user)
    return grant


def _check_one_duty(user, role):
    """Separation of duties: an account holds at most one of the administrator roles (the
    database's grant_one_administrative_duty constraint says the same), and a superuser,
    who can do everything already, none."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # two grants at once: one waits
    held = Grant.objects.filter(user=user, role__in=UNSCOPED_ROLES).exclude(role=role).first()
    if held is not None or (user.is_superuser and role in DUTY_ROLES):
        raise ValidationError({"role": _("%(user)s already holds an administrator role (%(held)s): system, "
                                         "security and audit administration are held by different accounts.")
                               % {"user": user.username,
                                  "held": held.get_role_display() if held else _("superuser")}})


@transaction.atomic
def revoke_grant(actor, grant):
    require(can_grant(actor, grant.role, grant.organization, grant.unit))
    audit.record_delete(actor, grant, centre_id=_grant_centre(grant.role, grant.organization, grant.unit))
    grant.delete()
    forget_scope(grant.user)
