"""What a user may see. `scope_for(user)` reads the user's grants once per
request; each model's `visible_to(user)` turns the scope into one filter."""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from .roles import DUTY_ROLES, Role


@dataclass
class Scope:
    authenticated: bool = False
    is_admin: bool = False
    # role -> organisation paths (subtrees) / unit ids the role is held over
    org_paths: dict = field(default_factory=dict)
    unit_ids: dict = field(default_factory=dict)
    centre_ids: set = field(default_factory=set)
    # role -> centres in which the role is held (the office's grant over a centre's tree)
    role_centres: dict = field(default_factory=dict)
    person_id: int | None = None
    # The separation-of-duties roles held (system, security, audit administrator).
    duties: set = field(default_factory=set)

    @property
    def roles(self):
        roles = set(self.org_paths) | set(self.unit_ids) | self.duties
        if self.is_admin:
            roles.add(Role.ADMIN)
        return roles

    def has_role(self, *roles):
        return self.is_admin or bool(self.roles & set(roles))

    def paths(self, *roles):
        return sorted({p for r in roles for p in self.org_paths.get(r, ())})

    def units(self, *roles):
        return sorted({u for r in roles for u in self.unit_ids.get(r, ())})

    def centres(self, *roles):
        return sorted({c for r in roles for c in self.role_centres.get(r, ())})

    def org_q(self, lookup, *roles):
        """Q matching rows whose organisation (at `lookup`) lies in a subtree
        the user holds one of `roles` over."""
        paths = self.paths(*roles)
        if not paths:
            return Q(pk__in=[])
        from vanguard.org.models import Organization

        # `lookup IN (ids of the subtrees)`, not a join on the organisation's path: OR-ed with
        # the other conditions of a visible_to, a join made PostgreSQL scan every row.
        subtrees = Organization.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths))).values("pk")
        return Q(**{f"{lookup}__in": subtrees})

    def unit_q(self, lookup, *roles):
        units = self.units(*roles)
        return Q(**{f"{lookup}__in": units}) if units else Q(pk__in=[])

    def covers_path(self, path, *roles):
        """Is an organisation with this path inside a subtree held with `roles`?"""
        return self.is_admin or any(path.startswith(p) for p in self.paths(*roles))

    def covers_unit(self, unit_id, *roles):
        return self.is_admin or unit_id in self.units(*roles)


# What scope_for reads of each grant, in this order (api_tokens reads the same in the token's query).
GRANT_COLUMNS = ("role", "organization_id", "organization__path", "organization__centre_id", "unit_id",
                 "unit__centre_id")


def scope_for(user):
    if user is None or not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_vanguard_scope", None)
    if cached is not None:
        return cached
    from vanguard.core.models import Grant

    rows = Grant.objects.filter(user=user).order_by().values_list(*GRANT_COLUMNS)
    return scope_from_grants(user, rows)


def scope_from_grants(user, rows):
    """The user's scope from their grants as GRANT_COLUMNS rows, kept on the user for the request."""
    scope = Scope(authenticated=True, is_admin=user.is_superuser)
    for role, organization_id, path, org_centre_id, unit_id, unit_centre_id in rows:
        if role == Role.ADMIN:
            scope.is_admin = True
        elif role in DUTY_ROLES:
            scope.duties.add(role)
        elif organization_id:
            scope.org_paths.setdefault(role, set()).add(path)
            scope.role_centres.setdefault(role, set()).add(org_centre_id)
            scope.centre_ids.add(org_centre_id)
        elif unit_id:
            scope.unit_ids.setdefault(role, set()).add(unit_id)
            scope.role_centres.setdefault(role, set()).add(unit_centre_id)
            scope.centre_ids.add(unit_centre_id)
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    if person is not None:
        scope.person_id = person.pk
        scope.centre_ids.add(person.centre_id)
    user._vanguard_scope = scope
    return scope


def forget_scope(user):
    """Call after changing a user's grants within one request or test."""
    if hasattr(user, "_vanguard_scope"):
        del user._vanguard_scope


class ScopedQuerySet(QuerySet):
    """The shared prologue of every `visible_to`: nothing for an anonymous user,
    everything for an administrator, otherwise what `scoped(scope)` lets through."""

    def visible_to(self, user):
        scope = scope_for(user)
        if not scope.authenticated:
            return self.none()
        if scope.is_admin:
            return self
        return self.scoped(scope, user)

    def scoped(self, scope, user):
        raise NotImplementedError(f"{type(self).__name__} must say what a non-administrator sees")


class CentreScopedQuerySet(ScopedQuerySet):
    """Rows of the centres the user belongs to, through `centre_lookup`."""

    centre_lookup = "centre"

    def scoped(self, scope, user):
        return self.filter(**{f"{self.centre_lookup}__in": scope.centre_ids})
