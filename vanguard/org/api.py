"""API routes of the organisation, mounted under /api/v1/: people, the party
tree, units, windows and floors. Reading is `visible_to`; writing goes through
`services.py` with the requesting user as actor (see vanguard/core/api_base.py)."""

import re
import unicodedata

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.routers import SimpleRouter

from vanguard.core.api_base import ListRetrieveCreateUpdateViewSet, ScopedViewSetMixin, ServiceWriteMixin
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from . import services
from .models import Floor, Organization, Person, ServiceCentre, Unit, Window
from .serializers import (
    FloorSerializer,
    OrganizationSerializer,
    PersonSerializer,
    UnitSerializer,
    WindowSerializer,
)

# Filters -----------------------------------------------------------------------------


def scoped_choice(model, label, **kwargs):
    """Filter by the id of an object the user can see; any other id is "not a valid choice"."""

    def choices(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return django_filters.ModelChoiceFilter(queryset=choices, label=label, **kwargs)


def centre_filter():
    return scoped_choice(ServiceCentre, ServiceCentre._meta.verbose_name)


class FloorFilter(django_filters.FilterSet):
    centre = centre_filter()

    class Meta:
        model = Floor
        fields = ["centre"]


class UnitFilter(django_filters.FilterSet):
    centre = centre_filter()

    class Meta:
        model = Unit
        fields = ["centre", "kind"]


class WindowFilter(django_filters.FilterSet):
    centre = centre_filter()
    floor = scoped_choice(Floor, Floor._meta.verbose_name)
    unit = scoped_choice(Unit, Window._meta.get_field("unit").verbose_name)
    department = scoped_choice(Unit, Window._meta.get_field("department").verbose_name)

    class Meta:
        model = Window
        fields = ["centre", "floor", "unit", "department"]


class OrganizationFilter(django_filters.FilterSet):
    centre = centre_filter()
    parent = scoped_choice(Organization, Organization._meta.get_field("parent").verbose_name)
    subtree = scoped_choice(Organization, _("subtree of"), method="filter_subtree")

    class Meta:
        model = Organization
        fields = ["centre", "parent", "subtree", "kind", "depth"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_subtree(self, queryset, name, value):
        # The organisation itself and everything below it: one prefix filter on the path.
        return queryset.filter(path__startswith=value.path) if value else queryset


def editable_people_q(user):
    """The people whose full mobile number `user` may see: mirrors
    permissions.can_edit_person as one filter, so a search by number cannot
    be used to guess a number the user is only shown masked."""
    scope = scope_for(user)
    if scope.is_admin:
        return Q()
    q = scope.org_q("branch", Role.SECRETARY)
    office_centres = scope.centres(Role.OFFICE)
    if office_centres:
        q |= Q(centre__in=office_centres)
    return q


class PersonFilter(django_filters.FilterSet):
    centre = centre_filter()
    unit = scoped_choice(Unit, Person._meta.get_field("unit").verbose_name)
    branch = scoped_choice(Organization, Person._meta.get_field("branch").verbose_name)
    window = scoped_choice(Window, Window._meta.verbose_name)
    search = django_filters.CharFilter(method="filter_search", label=_("name or mobile number"))

    class Meta:
        model = Person
        fields = ["centre", "unit", "branch", "window", "political_status", "is_active", "search"]

    def filter_search(self, queryset, name, value):
        term = unicodedata.normalize("NFKC", value).strip()
        if not term:
            return queryset
        q = Q(name__icontains=term)
        digits = re.sub(r"\D", "", term)
        if len(digits) >= 3:
            q |= Q(mobile__contains=digits) & editable_people_q(self.request.user)
        return queryset.filter(q)


# Views --------------------------------------------------------------------------------


class FloorViewSet(ScopedViewSetMixin, ServiceWriteMixin, ListRetrieveCreateUpdateViewSet):
    """Floors of the service centre. Written by the party-building office."""
    write_roles = (Role.ADMIN, Role.OFFICE)

    queryset = Floor.objects.all()
    select_related = ("centre",)
    serializer_class = FloorSerializer
    filterset_class = FloorFilter
    create_service = services.create_floor
    update_service = services.update_floor


class UnitViewSet(ScopedViewSetMixin, ServiceWriteMixin, ListRetrieveCreateUpdateViewSet):
    """Home units, business departments and other units. Written by the party-building office."""
    write_roles = (Role.ADMIN, Role.OFFICE)

    queryset = Unit.objects.all()
    select_related = ("centre",)
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    create_service = services.create_unit
    update_service = services.update_unit


class WindowViewSet(ScopedViewSetMixin, ServiceWriteMixin, ListRetrieveCreateUpdateViewSet):
    """Service windows with their floor, home unit and supervising department."""
    write_roles = (Role.ADMIN, Role.OFFICE)

    queryset = Window.objects.all()
    select_related = ("centre", "floor", "unit", "department")
    serializer_class = WindowSerializer
    filterset_class = WindowFilter
    create_service = services.create_window
    update_service = services.update_window


class OrganizationViewSet(ScopedViewSetMixin, ServiceWriteMixin, ListRetrieveCreateUpdateViewSet):
    """The party tree. `?parent=ID` lists children, `?subtree=ID` a whole subtree
    (the node included); `path` orders the list depth-first."""
    write_roles = (Role.ADMIN, Role.OFFICE)

    queryset = Organization.objects.all()
    select_related = ("centre", "parent", "floor", "guide")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    create_service = services.create_organization
    update_service = services.update_organization


class PersonViewSet(ScopedViewSetMixin, ServiceWriteMixin, ListRetrieveCreateUpdateViewSet):
    """People of the centre. The mobile number is full only where the user may edit the person."""
    write_roles = (Role.ADMIN, Role.OFFICE, Role.SECRETARY)

    queryset = Person.objects.all()
    select_related = ("centre", "unit", "branch", "window")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    create_service = services.create_person
    update_service = services.update_person


router = SimpleRouter()
router.register("people", PersonViewSet)
router.register("organizations", OrganizationViewSet)
router.register("units", UnitViewSet)
router.register("windows", WindowViewSet)
router.register("floors", FloorViewSet)

urlpatterns = router.urls
