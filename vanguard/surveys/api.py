"""API routes of evaluations, mounted under /api/v1/: /evaluations/ (list, detail,
create) with actions open, close and invitations (GET list, POST issue)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vanguard.core.api_base import ScopedViewSetMixin
from vanguard.core.permissions import is_office_of, office_centre
from vanguard.core.roles import Role
from vanguard.posts.models import VanguardPost

from . import services
from .models import Evaluation, Invitation


class EvaluationResultSerializer(serializers.Serializer):
    post = serializers.IntegerField(source="post_id")
    post_name = serializers.CharField(source="post.name")
    answers = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    outcome = serializers.CharField()


class EvaluationSerializer(serializers.ModelSerializer):
    posts = serializers.PrimaryKeyRelatedField(many=True, queryset=VanguardPost.objects.all())
    progress = serializers.SerializerMethodField()
    results = EvaluationResultSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "title", "year", "quarter", "status", "threshold", "min_answers", "posts", "opened_on",
                  "closed_on", "progress", "results"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_progress(self, obj):
        return [{k: v for k, v in row.items() if k != "group"} for row in services.progress(obj)]


class InvitationSerializer(serializers.ModelSerializer):
    group = serializers.CharField(source="group.kind")
    url = serializers.CharField(source="public_url")

    class Meta:
        model = Invitation
        fields = ["id", "code", "group", "channel", "valid_until", "used", "url"]


class EvaluationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)  # who may write here at all (core.api_base.WriteRoles)
    queryset = Evaluation.objects.all()
    serializer_class = EvaluationSerializer
    prefetch_related = ("posts", "results__post")

    def refine_queryset(self, queryset):
        return queryset.quarterly()  # a review campaign's questionnaire is under /api/v1/campaigns/

    def create(self, request):
        centre = office_centre(request.user, message=_("Only the party-building office may manage evaluations."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        posts = list(VanguardPost.objects.visible_to(request.user).filter(pk__in=[p.pk for p in data["posts"]]))
        evaluation = services.create_evaluation(
            request.user, centre, title=data["title"], year=data["year"], quarter=data["quarter"], posts=posts,
            threshold=data.get("threshold", 90), min_answers=data.get("min_answers", 10))
        return Response(self.get_serializer(evaluation).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        evaluation = services.open_evaluation(request.user, self.get_object())
        return Response(self.get_serializer(evaluation).data)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        evaluation = services.close_evaluation(request.user, self.get_object())
        return Response(self.get_serializer(Evaluation.objects.get(pk=evaluation.pk)).data)

    @action(detail=True, methods=["get", "post"])
    def invitations(self, request, pk=None):
        evaluation = self.get_object()
        if request.method == "GET":
            if not is_office_of(request.user, evaluation.centre_id):
                raise PermissionDenied(_("Only the party-building office may manage evaluations."))
            page = self.paginate_queryset(evaluation.invitations.select_related("group"))
            return self.get_paginated_response(InvitationSerializer(page, many=True).data)
        group = evaluation.groups.filter(kind=request.data.get("group")).first()
        if group is None:
            raise ValidationError({"group": _("Unknown evaluator group.")})
        try:
            count, days = int(request.data.get("count") or 0), int(request.data.get("valid_days") or 14)
        except (TypeError, ValueError):
            raise ValidationError({"count": _("Issue at least one invitation.")}) from None
        made = services.issue_invitations(request.user, evaluation, group=group, count=count, valid_days=days,
                                          channel=request.data.get("channel") or Invitation.Channel.SLIP)
        made = Invitation.objects.filter(pk__in=[i.pk for i in made]).select_related("group")
        return Response(InvitationSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("evaluations", EvaluationViewSet)
urlpatterns = router.urls
