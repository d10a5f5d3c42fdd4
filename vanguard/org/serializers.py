"""API serializers of the organisation. They parse and check the shape of
input only; `api.py` passes the result to `services.py`. Foreign keys are
ids (chosen among what the user can see) plus a read-only readable name."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vanguard.core.api_base import (
    CurrentCentreDefault,
    DisplayField,
    ScopedPrimaryKeyRelatedField,
    ServiceModelSerializer,
)

from .models import Floor, Organization, Person, ServiceCentre, Unit, Window
from .permissions import can_edit_person
from .phones import mask_mobile, normalise_mobile


def centre_field():
    return ScopedPrimaryKeyRelatedField(queryset=ServiceCentre.objects.all(), default=CurrentCentreDefault(),
                                        label=ServiceCentre._meta.verbose_name)


def related(model, **kwargs):
    """A writable foreign key by id, scoped to what the user can see."""
    return ScopedPrimaryKeyRelatedField(queryset=model.objects.all(), **kwargs)


def name_of(source):
    """The readable name of a foreign key (null when the key is empty)."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


class CentreOwnedMeta:
    # The centre is set on create (defaulting to the user's only centre) and never moved.
    create_only_fields = ("centre",)


class FloorSerializer(ServiceModelSerializer):
    centre = centre_field()
    centre_name = name_of("centre.name")

    class Meta(CentreOwnedMeta):
        model = Floor
        fields = ["id", "centre", "centre_name", "number", "name", "description"]


class UnitSerializer(ServiceModelSerializer):
    centre = centre_field()
    centre_name = name_of("centre.name")
    kind_display = DisplayField(source="get_kind_display")

    class Meta(CentreOwnedMeta):
        model = Unit
        fields = ["id", "centre", "centre_name", "name", "short_name", "kind", "kind_display",
                  "contact_phone", "address"]


class WindowSerializer(ServiceModelSerializer):
    centre = centre_field()
    centre_name = name_of("centre.name")
    floor = related(Floor, label=Floor._meta.verbose_name)
    floor_name = name_of("floor.name")
    unit = related(Unit, label=Window._meta.get_field("unit").verbose_name)
    unit_name = name_of("unit.name")
    department = related(Unit, required=False, allow_null=True,
                         label=Window._meta.get_field("department").verbose_name)
    department_name = name_of("department.name")

    class Meta(CentreOwnedMeta):
        model = Window
        fields = ["id", "centre", "centre_name", "floor", "floor_name", "number", "name", "unit", "unit_name",
                  "department", "department_name", "service_items"]


class OrganizationSerializer(ServiceModelSerializer):
    centre = centre_field()
    centre_name = name_of("centre.name")
    parent = related(Organization, required=False, allow_null=True,
                     label=Organization._meta.get_field("parent").verbose_name)
    parent_name = name_of("parent.name")
    kind_display = DisplayField(source="get_kind_display")
    floor = related(Floor, required=False, allow_null=True, label=Floor._meta.verbose_name)
    floor_name = name_of("floor.name")
    guide = related(Person, required=False, allow_null=True,
                    label=Organization._meta.get_field("guide").verbose_name)
    guide_name = name_of("guide.name")

    class Meta(CentreOwnedMeta):
        model = Organization
        fields = ["id", "centre", "centre_name", "parent", "parent_name", "name", "kind", "kind_display",
                  "path", "depth", "floor", "floor_name", "guide", "guide_name", "sort_order"]
        read_only_fields = ["path", "depth"]


class PersonSerializer(ServiceModelSerializer):
    """A person. The mobile number is shown in full only to users who may edit
    the person (the office, the branch's secretary, an administrator); others
    see it masked (138****8000), as on the pages."""

    centre = centre_field()
    centre_name = name_of("centre.name")
    # Accept numbers as people type them ("+86 138-0013-8000"); the model normalises to 11 digits.
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=30,
                                   label=Person._meta.get_field("mobile").verbose_name)
    political_status_display = DisplayField(source="get_political_status_display")
    gender_display = DisplayField(source="get_gender_display")
    unit = related(Unit, required=False, allow_null=True, label=Person._meta.get_field("unit").verbose_name)
    unit_name = name_of("unit.name")
    branch = related(Organization, required=False, allow_null=True,
                     label=Person._meta.get_field("branch").verbose_name)
    branch_name = name_of("branch.name")
    window = related(Window, required=False, allow_null=True, label=Window._meta.verbose_name)
    window_name = serializers.SerializerMethodField()
    photo = serializers.ImageField(read_only=True)
    can_edit = serializers.SerializerMethodField()

    class Meta(CentreOwnedMeta):
        model = Person
        fields = ["id", "centre", "centre_name", "name", "gender", "gender_display", "mobile",
                  "political_status", "political_status_display", "joined_party_on", "unit", "unit_name",
                  "branch", "branch_name", "transferred_in", "window", "window_name", "job", "photo",
                  "is_active", "can_edit", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def _can_edit(self, person):
        # Asked twice per row (mobile and can_edit); the scope itself is cached per request.
        cache = self.context.setdefault("_can_edit", {})
        if person.pk not in cache:
            request = self.context.get("request")
            cache[person.pk] = can_edit_person(getattr(request, "user", None), person)
        return cache[person.pk]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_window_name(self, person):
        return str(person.window) if person.window_id else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_can_edit(self, person):
        return self._can_edit(person)

    def validate_mobile(self, value):
        # Parsing, like a form field's to_python: the model stores 11 digits.
        return normalise_mobile(value) if value.strip() else ""

    def to_representation(self, person):
        data = super().to_representation(person)
        if not self._can_edit(person):
            data["mobile"] = mask_mobile(person.mobile)
        return data
