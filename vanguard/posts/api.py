"""API routes of this app, mounted under /api/v1/: posts (with the lifecycle
actions as POST sub-resources) and key projects. Writes go through services.py."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vanguard.core.api_base import (
    CurrentCentreDefault,
    DisplayField,
    ListRetrieveCreateUpdateViewSet,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSetMixin,
    ServiceModelSerializer,
    ServiceWriteMixin,
)
from vanguard.core.roles import Role
from vanguard.org.models import Organization, Person, ServiceCentre, Unit, Window

from . import services
from .models import KeyProject, PostStandard, VanguardPost
from .selectors import HOLDERS


class HolderSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all())
    position = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    name = serializers.CharField(source="person.name", read_only=True)
    party_member = serializers.BooleanField(source="person.is_party_member", read_only=True)


class PostSerializer(ServiceModelSerializer):
    centre = ScopedPrimaryKeyRelatedField(queryset=ServiceCentre.objects.all(), default=CurrentCentreDefault())
    holders = HolderSerializer(many=True, source="post_holders")
    window = ScopedPrimaryKeyRelatedField(queryset=Window.objects.all(), required=False, allow_null=True)
    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    department = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    project = ScopedPrimaryKeyRelatedField(queryset=KeyProject.objects.all(), required=False, allow_null=True)
    standard = ScopedPrimaryKeyRelatedField(queryset=PostStandard.objects.all(), required=False, allow_null=True)
    naming_authority = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                                    allow_null=True)
    kind_display = DisplayField(source="get_kind_display")
    status_display = DisplayField(source="get_status_display")
    named_by = serializers.StringRelatedField(read_only=True)
    public_url = serializers.CharField(read_only=True)
    # Pledges: the service answers an over-long one in Chinese, so no DRF length check here.
    pledge_work = serializers.CharField()
    pledge_time = serializers.CharField()
    pledge_quality = serializers.CharField()
    pledge_attitude = serializers.CharField()

    class Meta:
        model = VanguardPost
        fields = ["id", "centre", "code", "name", "kind", "kind_display", "status", "status_display", "holders",
                  "window", "unit", "department", "project", "floor", "service_scope", "complaint_phone",
                  "standard", "naming_authority", "pledge_work", "pledge_time", "pledge_quality", "pledge_attitude",
                  "disclosed_on", "named_by", "named_on", "certificate_number", "naming_override_reason",
                  "revoked_on", "revoked_reason",
                  "public_url", "created_at", "updated_at"]
        read_only_fields = ["code", "status", "floor", "disclosed_on", "named_on", "certificate_number",
                            "naming_override_reason",
                            "revoked_on", "revoked_reason", "created_at", "updated_at"]
        create_only_fields = ["centre"]
        extra_kwargs = {"complaint_phone": {"required": False}}


def _holders(data):
    return [(h["person"], h.get("position", "")) for h in data]


class DiscloseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NameSerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                                allow_null=True, default=None,
                                                help_text="Default: the post's naming authority.")
    named_on = serializers.DateField()
    certificate_number = serializers.CharField(required=False, allow_blank=True, default="")
    evaluation = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="Id of the quarterly evaluation the post passed.")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500,
                                            help_text="Required when no passed evaluation is given.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    revoked_on = serializers.DateField(required=False, allow_null=True, default=None)


class PostViewSet(ScopedViewSetMixin, ServiceWriteMixin, ListRetrieveCreateUpdateViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)  # who may write here at all (core.api_base.WriteRoles)
    queryset = VanguardPost.objects.all()
    serializer_class = PostSerializer
    select_related = ("named_by",)
    prefetch_related = (HOLDERS,)
    filterset_fields = ["status", "kind", "centre", "unit", "window", "project", "floor"]

    @staticmethod
    def create_service(actor, *, centre, post_holders, **fields):
        return services.create_post(actor, centre, holders=_holders(post_holders), **fields)

    @staticmethod
    def update_service(actor, post, **changes):
        holders = changes.pop("post_holders", None)
        return services.update_post(actor, post, holders=_holders(holders) if holders is not None else None,
                                    **changes)

    def _act(self, request, serializer_class, call):
        post = self.get_object()
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        call(post, serializer.validated_data)
        post = self.get_queryset().get(pk=post.pk)
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)

    @extend_schema(request=DiscloseSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def disclose(self, request, pk=None):
        return self._act(request, DiscloseSerializer,
                         lambda post, d: services.disclose_post(request.user, post, **d))

    @extend_schema(request=NameSerializer, responses=PostSerializer)
    # Not a method called `name`: DRF's ViewSet uses that attribute for itself.
    @action(detail=True, methods=["post"], url_path="name", url_name="name")
    def name_action(self, request, pk=None):
        return self._act(request, NameSerializer, lambda post, d: services.name_post(request.user, post, **d))

    @extend_schema(request=RevokeSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._act(request, RevokeSerializer, lambda post, d: services.revoke_post(request.user, post, **d))


class ProjectSerializer(ServiceModelSerializer):
    centre = ScopedPrimaryKeyRelatedField(queryset=ServiceCentre.objects.all(), default=CurrentCentreDefault())
    units = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    category_display = DisplayField(source="get_category_display")
    posts = serializers.SerializerMethodField()

    class Meta:
        model = KeyProject
        fields = ["id", "centre", "name", "category", "category_display", "district", "address", "latitude",
                  "longitude", "units", "description", "posts"]
        create_only_fields = ["centre"]

    def get_posts(self, project) -> list[int]:
        return [p.pk for p in project.posts.all()]


class ProjectViewSet(ScopedViewSetMixin, ServiceWriteMixin, ListRetrieveCreateUpdateViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)  # who may write here at all (core.api_base.WriteRoles)
    queryset = KeyProject.objects.all()
    serializer_class = ProjectSerializer
    prefetch_related = ("units", "posts")
    filterset_fields = ["category", "district", "centre"]

    @staticmethod
    def create_service(actor, *, centre, units=(), **fields):
        return services.create_project(actor, centre, units=units, **fields)

    @staticmethod
    def update_service(actor, project, **changes):
        return services.update_project(actor, project, **changes)


router = SimpleRouter()
router.register("posts", PostViewSet, basename="post")
router.register("projects", ProjectViewSet, basename="project")
urlpatterns = router.urls
