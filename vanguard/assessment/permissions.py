"""Who may write in the assessment. Reading is each model's `visible_to`."""

from django.db.models import Q

from vanguard.core.permissions import is_office_of
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Person

from .models import Part


def can_manage(user, centre_id):
    """Schemes, opening and publishing months, approvals: the centre's office."""
    return is_office_of(user, centre_id)


def can_enter_adjustments(user, centre_id):
    """The office, together with the branch secretaries (the seed's 会同支部书记)."""
    return can_manage(user, centre_id) or scope_for(user).has_role(Role.SECRETARY)


def assessed_people(centre_id):
    """Who is assessed: the centre's active party members registered with a branch."""
    return Person.objects.filter(centre_id=centre_id, is_active=True, branch__isnull=False,
                                 political_status__in=[Person.Status.FULL, Person.Status.PROBATIONARY])


def scoring_q(user, part, centre_id):
    """Q over Person: whom the user scores on this part (None: nobody)."""
    scope = scope_for(user)
    if can_manage(user, centre_id):
        return Q()
    if part == Part.PARTY:
        paths = scope.paths(Role.SECRETARY)
        return scope.org_q("branch", Role.SECRETARY) if paths else None
    units = scope.units(Role.SCORER)
    return Q(window__department__in=units) if units else None


def scorable_people(user, period, part):
    q = scoring_q(user, part, period.centre_id)
    if q is None:
        return Person.objects.none()
    return assessed_people(period.centre_id).filter(q)


def scoring_parts(user, centre_id):
    """The parts this user scores in the centre."""
    if can_manage(user, centre_id):
        return [Part.PARTY, Part.WORK]
    scope = scope_for(user)
    parts = []
    if scope.paths(Role.SECRETARY):
        parts.append(Part.PARTY)
    if scope.units(Role.SCORER):
        parts.append(Part.WORK)
    return parts


def can_score(user, person, part):
    """One person, one part (the grid checks this set-wise; see services)."""
    scope = scope_for(user)
    if can_manage(user, person.centre_id):
        return True
    if part == Part.PARTY:
        return bool(person.branch_id) and scope.covers_path(person.branch.path, Role.SECRETARY)
    window = person.window
    return bool(window and window.department_id) and scope.covers_unit(window.department_id, Role.SCORER)
