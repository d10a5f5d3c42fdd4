"""Use cases of the organisation: one function each, taking the acting user,
in one transaction, writing the audit trail. Pages, API and commands call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.system import is_system
from vanguard.core.upload_checks import check_photo, is_new_file

from .models import CommitteeMember, Floor, Organization, Person, ServiceCentre, Unit, Window
from .permissions import can_add_people, can_edit_organization, can_edit_person, can_edit_reference
from .phones import normalise_mobile

# The links of each model that must stay inside the object's own service centre.
SAME_CENTRE_LINKS = {
    Window: ("floor", "unit", "department"),
    Organization: ("parent", "floor", "guide"),
    Person: ("unit", "branch", "window"),
}


def _check_same_centre(obj):
    """An admin or an office of several centres could otherwise link across centres."""
    errors = {}
    for field in SAME_CENTRE_LINKS.get(type(obj), ()):
        related = getattr(obj, field)
        if related is not None and related.centre_id != obj.centre_id:
            errors[field] = _("It belongs to another service centre.")
    if errors:
        raise ValidationError(errors)


def _save_new(actor, obj):
    _check_same_centre(obj)
    obj.full_clean()
    obj.save()
    audit.record_create(actor, obj)
    return obj


def _save_changes(actor, obj, changes):
    before = audit.snapshot(obj)
    for field, value in changes.items():
        setattr(obj, field, value)
    _check_same_centre(obj)
    obj.full_clean()
    obj.save()
    audit.record_update(actor, obj, before)
    return obj


# Service centre, floors, units, windows ------------------------------------------------

@transaction.atomic
def create_centre(actor, **fields):
    """Only an administrator or the system administrator (or the system, SYSTEM, when
    setting up) opens a centre: it is configuration."""
    require(is_system(actor) or scope_for(actor).has_role(Role.SYSTEM_ADMIN))
    return _save_new(actor, ServiceCentre(**fields))


@transaction.atomic
def update_centre(actor, centre, **changes):
    require(can_edit_reference(actor, centre.pk))
    return _save_changes(actor, centre, changes)


@transaction.atomic
def create_floor(actor, centre, **fields):
    require(can_edit_reference(actor, centre.pk))
    return _save_new(actor, Floor(centre=centre, **fields))


@transaction.atomic
def update_floor(actor, floor, **changes):
    require(can_edit_reference(actor, floor.centre_id))
    return _save_changes(actor, floor, changes)


@transaction.atomic
def create_unit(actor, centre, **fields):
    require(can_edit_reference(actor, centre.pk))
    return _save_new(actor, Unit(centre=centre, **fields))


@transaction.atomic
def update_unit(actor, unit, **changes):
    require(can_edit_reference(actor, unit.centre_id))
    return _save_changes(actor, unit, changes)


@transaction.atomic
def create_window(actor, centre, **fields):
    require(can_edit_reference(actor, centre.pk))
    return _save_new(actor, Window(centre=centre, **fields))


@transaction.atomic
def update_window(actor, window, **changes):
    require(can_edit_reference(actor, window.centre_id))
    return _save_changes(actor, window, changes)


@transaction.atomic
def delete_reference(actor, obj):
    """Delete a floor, unit or window that nothing refers to any more."""
    require(can_edit_reference(actor, obj.centre_id))
    from django.db.models import ProtectedError

    audit.record_delete(actor, obj)
    try:
        obj.delete()
    except ProtectedError as e:
        raise ValidationError(_("“%(obj)s” is still in use and cannot be deleted.") % {"obj": obj}) from e


# The party tree ---------------------------------------------------------------------

def _path_of(parent, pk):
    return f"{parent.path if parent else '/'}{pk}/"


@transaction.atomic
def create_organization(actor, centre, *, parent=None, **fields):
    require(can_edit_reference(actor, centre.pk))
    org = Organization(centre=centre, parent=parent, **fields)
    _check_same_centre(org)
    org.full_clean(exclude=["path"])
    org.save()
    org.path = _path_of(parent, org.pk)
    org.depth = 0 if parent is None else parent.depth + 1
    org.save(update_fields=["path", "depth"])
    audit.record_create(actor, org)
    return org


@transaction.atomic
def update_organization(actor, org, **changes):
    require(can_edit_reference(actor, org.centre_id))
    new_parent = changes.get("parent", org.parent)
    moved = "parent" in changes and getattr(new_parent, "pk", None) != org.parent_id
    if moved and new_parent is not None and new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("An organisation cannot be placed under itself.")})
    old_path = org.path
    org = _save_changes(actor, org, changes)
    if moved:
        # Rewrite the whole subtree's paths in one statement.
        new_path = _path_of(new_parent, org.pk)
        depth_shift = (0 if new_parent is None else new_parent.depth + 1) - org.depth
        Organization.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", Length(Value(old_path)) + 1)),
            depth=F("depth") + depth_shift,
        )
        org.refresh_from_db()
    return org


@transaction.atomic
def set_committee_member(actor, org, person, *, role, duty="", sort_order=0):
    require(can_edit_organization(actor, org))
    if person.centre_id != org.centre_id:
        raise ValidationError({"person": _("The person works in another service centre.")})
    if not person.is_party_member:
        raise ValidationError({"person": _("A branch committee member must be a party member.")})
    seat = CommitteeMember.objects.filter(organization=org, person=person).first()
    if role == CommitteeMember.Role.SECRETARY:
        current = CommitteeMember.objects.filter(organization=org, role=role).exclude(person=person).first()
        if current:
            raise ValidationError({"role": _("%(name)s is already the secretary; change that seat first.")
                                   % {"name": current.person.name}})
    if seat is None:
        seat = CommitteeMember(organization=org, person=person, role=role, duty=duty, sort_order=sort_order)
        return _save_new(actor, seat)
    return _save_changes(actor, seat, {"role": role, "duty": duty, "sort_order": sort_order})


@transaction.atomic
def remove_committee_member(actor, seat):
    require(can_edit_organization(actor, seat.organization))
    audit.record_delete(actor, seat)
    seat.delete()


# People ---------------------------------------------------------------------------

PERSON_FIELDS = {"name", "gender", "mobile", "political_status", "joined_party_on", "unit", "branch",
                 "transferred_in", "window", "job", "photo", "is_active", "user"}


def _check_person_mobile(person):
    if not person.mobile:
        return
    # Said in words here: the database constraint's own message names only the constraint.
    # The other person is not named: the actor may not be allowed to see them.
    try:
        mobile = normalise_mobile(person.mobile)
    except ValidationError:
        return  # full_clean reports the bad number
    if Person.objects.filter(centre_id=person.centre_id, mobile=mobile).exclude(pk=person.pk).exists():
        raise ValidationError({"mobile": _("The mobile number %(mobile)s is already registered for another person "
                                           "in this service centre.") % {"mobile": mobile}})


def _check_account(actor, person, before_user_id):
    """A change of login account is the office's (see core.accounts.check_account_link):
    linking another centre's or an administrator's account would hand it over."""
    if person.user_id != before_user_id:
        from vanguard.core.accounts import check_account_link

        check_account_link(actor, person, person.user)


def _audit_account(actor, person, before_user_id):
    from vanguard.core.accounts import audit_account_link

    audit_account_link(actor, person, before_user_id)


@transaction.atomic
def create_person(actor, centre, **fields):
    require(can_add_people(actor, centre.pk))
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    if is_new_file(fields.get("photo")):
        check_photo(fields["photo"])
    person = Person(centre=centre, **fields)
    _check_account(actor, person, None)
    _check_same_centre(person)
    _check_person_mobile(person)
    person.full_clean()
    person.save()
    require(can_edit_person(actor, person), _("You may only add people to your own branch."))
    audit.record_create(actor, person)
    _audit_account(actor, person, None)
    return person


@transaction.atomic
def update_person(actor, person, **changes):
    require(can_edit_person(actor, person))
    unknown = set(changes) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    if is_new_file(changes.get("photo")):
        check_photo(changes["photo"])
    before = audit.snapshot(person)
    before_user_id = person.user_id
    for field, value in changes.items():
        setattr(person, field, value)
    _check_account(actor, person, before_user_id)
    _check_same_centre(person)
    _check_person_mobile(person)
    person.full_clean()
    person.save()
    # A secretary cannot move someone out of their branch into one they cannot see.
    require(can_edit_person(actor, person), _("You may only move people within your own branch."))
    audit.record_update(actor, person, before)
    _audit_account(actor, person, before_user_id)
    return person


@transaction.atomic
def deactivate_person(actor, person):
    return update_person(actor, person, is_active=False)
