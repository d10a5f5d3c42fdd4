"""Building blocks every app's `api.py` reuses, so that the API keeps the same
rules as the pages (see docs/CONVENTIONS.md):

- `ScopedViewSetMixin`: every queryset starts from `Model.objects.visible_to(user)`;
  an object outside it is a 404.
- `ServiceWriteMixin` + `ServiceModelSerializer`: serializers only parse and
  check the shape of the input; the view hands the validated data to the app's
  `services.py` function with `request.user` as actor, so permission checks and
  the audit trail are exactly those of the pages.
- `ScopedPrimaryKeyRelatedField`: a foreign key given by id may only name an
  object the user can see; anything else is "does not exist".
- `exception_handler`: a service's `ValidationError` becomes a 400 with the
  (translated) messages keyed by field, its `PermissionDenied` a 403 with the reason.

A typical app API:

    class FloorViewSet(ScopedViewSetMixin, ServiceWriteMixin, ListRetrieveCreateUpdateViewSet):
        queryset = Floor.objects.all()          # only its model is used
        select_related = ("centre",)
        serializer_class = FloorSerializer
        create_service = services.create_floor  # (actor, centre=..., **fields)
        update_service = services.update_floor  # (actor, obj, **changes)

    router = SimpleRouter()
    router.register("floors", FloorViewSet)
    urlpatterns = router.urls

Keep `vanguard spectacular --validate --fail-on-warn` clean (tests/api/test_schema.py):
type `SerializerMethodField`s and method filters with `extend_schema_field`, and
describe a body-less action with `@extend_schema(request=None, responses=...)`
rather than `serializer_class=serializers.Serializer` (an unnamed component).
Lists are paged by `api_pagination.PageNumberPagination` (`?page=`, `?page_size=`).
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.fields import empty
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .scoping import scope_for

# Exception handling ---------------------------------------------------------------


def validation_error_detail(exc):
    """A Django ValidationError as DRF error detail: {field: [messages]}, with
    Django's "__all__" renamed to DRF's "non_field_errors"."""
    if hasattr(exc, "error_dict"):
        detail = {}
        for field, messages in exc.message_dict.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
            detail.setdefault(key, []).extend(messages)
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


def exception_handler(exc, context):
    """REST_FRAMEWORK['EXCEPTION_HANDLER']: services raise Django's exceptions
    with Chinese messages; the API answers them as 400 and 403, never 500."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, PermissionDenied):
        # Keep the service's reason ("You may only add people to your own branch.").
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


# Permission before validation ----------------------------------------------------------


class WriteRoles(permissions.BasePermission):
    """A role that may never write to an endpoint is refused (403) before its body is
    parsed or validated, so it learns nothing about the fields. The view names who may
    write at all in `write_roles` (per action in `action_write_roles`, where None
    means "anyone signed in", e.g. a member signing a circular); the services still
    decide object by object."""

    message = gettext_lazy("You are not allowed to do this.")

    def has_permission(self, request, view):
        # On one object the check waits for the object: one outside the user's scope is a
        # 404 whatever the role (has_object_permission runs after the scoped lookup).
        if (request.method in permissions.SAFE_METHODS
                or (view.lookup_url_kwarg or view.lookup_field) in view.kwargs):
            return True
        return self._may_write(request, view)

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or self._may_write(request, view)

    @staticmethod
    def _may_write(request, view):
        roles = getattr(view, "action_write_roles", {}).get(getattr(view, "action", None), view.write_roles)
        return roles is None or scope_for(request.user).has_role(*roles)


# Reading: scoped querysets ------------------------------------------------------------


class ScopedViewSetMixin:
    """Every list and object lookup starts from `visible_to(request.user)`.

    `queryset` names the model (and lets the router and schema find it); its
    filters are NOT used, so an endpoint cannot widen what a user sees.
    `select_related` / `prefetch_related` keep lists free of N+1 queries;
    `refine_queryset()` may narrow further (never widen)."""

    select_related = ()
    prefetch_related = ()
    # Roles that may write here at all (see WriteRoles); None leaves it to the services.
    write_roles = None
    action_write_roles = {}

    def get_permissions(self):
        return [*super().get_permissions(), WriteRoles()]

    def get_queryset(self):
        model = self.queryset.model
        queryset = model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return self.refine_queryset(queryset)

    def refine_queryset(self, queryset):
        return queryset

    def get_object(self):
        """A lookup value the key cannot hold ("abc", "1.5", a number past the column's range)
        names no object: 404, not the database's error as a 500."""
        try:
            return super().get_object()
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            raise Http404 from None


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key given by id, chosen among what the user can see.

    Declare it with the model's plain queryset (`Unit.objects.all()`) for the
    schema; at validation time the choices are `Unit.objects.visible_to(user)`,
    so an id from another centre reads as "does not exist" rather than leaking."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.model.objects.visible_to(getattr(request, "user", None))


class CurrentCentreDefault:
    """Default for a `centre` field on create: the one service centre the user
    works in. A user of several centres (or an administrator) must name it."""

    requires_context = True

    def __call__(self, serializer_field):
        request = serializer_field.context.get("request")
        centres = scope_for(getattr(request, "user", None)).centre_ids
        if len(centres) != 1:
            raise serializers.ValidationError(_("Choose the service centre."), code="required")
        return serializer_field.get_queryset().get(pk=next(iter(centres)))

    def __repr__(self):
        return "CurrentCentreDefault()"


@extend_schema_field(OpenApiTypes.STR)
class DisplayField(serializers.ReadOnlyField):
    """The readable label of a choice field: `DisplayField(source="get_kind_display")`."""


# Writing: serializers parse, services act ------------------------------------------------


class ServiceModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that only parses and checks the shape of input.

    Saving is the view's job (`ServiceWriteMixin`), through the app's services,
    so `create()`/`update()` refuse to run. Model-level uniqueness validators are
    off: the service's `full_clean()` checks them inside its transaction and
    answers in Chinese. Fields listed in `Meta.create_only_fields` (e.g. the
    centre) are writable on create and read-only afterwards."""

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name in getattr(self.Meta, "create_only_fields", ()):
                if name in fields:
                    # Read-only and without its create default, so an update ignores it.
                    field = fields[name]
                    field.read_only, field.required, field.default = True, False, empty
        return fields

    def get_validators(self):
        return []

    def create(self, validated_data):
        raise NotImplementedError("Saved by the view through services.py (ServiceWriteMixin).")

    def update(self, instance, validated_data):
        raise NotImplementedError("Saved by the view through services.py (ServiceWriteMixin).")


class ServiceWriteMixin:
    """`perform_create`/`perform_update` call the app's service with
    `request.user` as actor:

        create_service(actor, **validated_data)        -> the new object
        update_service(actor, instance, **validated_data) -> the updated object

    Assign plain functions (`create_service = services.create_unit`); they are
    looked up on the class so they are not bound as methods. Override
    `service_create_kwargs` / `service_update_kwargs` to reshape the data."""

    create_service = None
    update_service = None

    def _service(self, name):
        func = getattr(type(self), name)
        if func is None:
            raise exceptions.MethodNotAllowed(self.request.method)
        return func

    def service_create_kwargs(self, validated_data):
        return dict(validated_data)

    def service_update_kwargs(self, instance, validated_data):
        return dict(validated_data)

    def perform_create(self, serializer):
        service = self._service("create_service")
        serializer.instance = service(self.request.user, **self.service_create_kwargs(serializer.validated_data))

    def perform_update(self, serializer):
        service = self._service("update_service")
        instance = serializer.instance
        serializer.instance = service(self.request.user, instance,
                                      **self.service_update_kwargs(instance, serializer.validated_data))


class ListRetrieveCreateUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                      mixins.CreateModelMixin, mixins.UpdateModelMixin,
                                      viewsets.GenericViewSet):
    """List, detail, create, update (PUT and PATCH); no delete: reference data
    is retired through services, not removed over the API."""
