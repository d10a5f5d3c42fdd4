"""API of honours, mounted under /api/v1/honours/: selections (list, detail, open;
actions nominate, close, notice, award), nominations (list, detail; review, score),
honours (the boards' entries; filter ?year=, ?kind=, ?floor=), rotating medals
(list, detail with the medals held; history). Every write calls the same service
as the pages."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vanguard.core.api_base import ScopedViewSetMixin
from vanguard.core.permissions import office_centre
from vanguard.core.roles import Role

from . import selectors, services
from .models import Holding, Honour, HonourKind, MedalScheme, Nomination, Selection

CANDIDATE_MODELS = services.CANDIDATE_MODELS


class SelectionSerializer(serializers.ModelSerializer):
    public_url = serializers.CharField(source="public_path", read_only=True)

    class Meta:
        model = Selection
        fields = ["id", "title", "year", "half", "honour", "candidate_kind", "quota", "max_nominations", "criteria",
                  "nominate_until", "notice_days", "panel_scoring", "public_vote", "status", "notice_starts",
                  "notice_ends", "awarded_on", "public_url"]
        read_only_fields = ["status", "notice_starts", "notice_ends", "awarded_on"]
        extra_kwargs = {"quota": {"required": False}, "max_nominations": {"required": False},
                        "candidate_kind": {"required": False}}


class NominationSerializer(serializers.ModelSerializer):
    candidate = serializers.SerializerMethodField()

    class Meta:
        model = Nomination
        fields = ["id", "selection", "candidate", "name", "nominated_by", "reasons", "evidence", "standards", "state",
                  "review_note", "panel_score", "votes", "created_at"]
        read_only_fields = fields

    def get_candidate(self, obj) -> int:
        for field in CANDIDATE_MODELS:
            value = getattr(obj, f"{field}_id")
            if value is not None:
                return value
        return 0


class NominateSerializer(serializers.Serializer):
    candidate = serializers.IntegerField(help_text="The id of the candidate (a person, branch, window... as the "
                                                   "selection's candidate_kind says).")
    reasons = serializers.CharField()


class NoticeSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="The first day of the public notice (default today).")


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PanelScoreSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=6, decimal_places=2)


class HonourSerializer(serializers.ModelSerializer):
    honour = serializers.ChoiceField(source="kind", choices=HonourKind.choices, read_only=True)

    class Meta:
        model = Honour
        fields = ["id", "honour", "title", "year", "candidate_kind", "name", "detail", "floor", "certificate_number",
                  "awarded_on", "selection"]
        read_only_fields = fields


class HoldingSerializer(serializers.ModelSerializer):
    medal = serializers.IntegerField(source="medal.number")
    holder = serializers.CharField(source="holder_name")

    class Meta:
        model = Holding
        fields = ["id", "medal", "holder", "window", "branch", "period", "started_on", "ended_on", "how", "reason",
                  "rate", "ratings"]
        read_only_fields = fields


class MedalSchemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MedalScheme
        fields = ["id", "name", "count", "holder_kind", "cadence", "rule", "min_ratings", "active", "last_period"]
        read_only_fields = ["active", "last_period"]


def _office_centre(user):
    return office_centre(user, message=_("Only the party-building office may manage honours."))


class SelectionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)
    action_write_roles = {"nominate": (Role.ADMIN, Role.OFFICE, Role.SECRETARY, Role.LIAISON)}
    queryset = Selection.objects.all()
    serializer_class = SelectionSerializer

    def refine_queryset(self, queryset):
        return queryset.order_by("-year", "-pk")

    def create(self, request):
        centre = _office_centre(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        selection = services.open_selection(request.user, centre, **serializer.validated_data)
        return Response(self.get_serializer(selection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NominateSerializer, responses={201: NominationSerializer})
    @action(detail=True, methods=["post"])
    def nominate(self, request, pk=None):
        selection = self.get_object()
        data = NominateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        model = CANDIDATE_MODELS[selection.candidate_kind]
        candidate = model.objects.visible_to(request.user).filter(pk=data.validated_data["candidate"]).first()
        if candidate is None:
            raise ValidationError({"candidate": _("Choose the candidate.")})
        nomination = services.nominate(request.user, selection, candidate=candidate,
                                       reasons=data.validated_data["reasons"])
        return Response(NominationSerializer(nomination).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SelectionSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return Response(self.get_serializer(services.close_nominations(request.user, self.get_object())).data)

    @extend_schema(request=NoticeSerializer, responses={200: SelectionSerializer})
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None):
        selection = self.get_object()
        data = NoticeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        selection = services.start_notice(request.user, selection, start=data.validated_data.get("start"))
        return Response(self.get_serializer(selection).data)

    @extend_schema(request=None, responses={200: SelectionSerializer})
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        return Response(self.get_serializer(services.award_selection(request.user, self.get_object())).data)


class NominationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)
    queryset = Nomination.objects.all()
    serializer_class = NominationSerializer

    @extend_schema(parameters=[OpenApiParameter("selection", int)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def refine_queryset(self, queryset):
        raw = self.request.query_params.get("selection", "")
        if raw:
            queryset = queryset.filter(selection_id=int(raw)) if raw.isdigit() else queryset.none()
        return queryset.order_by("selection_id", "pk")

    @extend_schema(request=ReviewSerializer, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        nomination = self.get_object()
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination = services.review_nomination(request.user, nomination, approve=data.validated_data["approve"],
                                                note=data.validated_data["note"])
        return Response(self.get_serializer(nomination).data)

    @extend_schema(request=PanelScoreSerializer, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        nomination = self.get_object()
        data = PanelScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination = services.score_nomination(request.user, nomination, score=data.validated_data["score"])
        return Response(self.get_serializer(nomination).data)


class HonourViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Honour.objects.all()
    serializer_class = HonourSerializer

    @extend_schema(parameters=[OpenApiParameter("year", int), OpenApiParameter("floor", int),
                               OpenApiParameter("honour", str, enum=HonourKind.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def refine_queryset(self, queryset):
        params = self.request.query_params
        year, floor, kind = params.get("year", ""), params.get("floor", ""), params.get("honour", "")
        if year:
            queryset = queryset.filter(year=int(year)) if year.isdigit() and len(year) == 4 else queryset.none()
        if floor:
            queryset = queryset.filter(floor_id=int(floor)) if floor.isdigit() and len(floor) < 10 else queryset.none()
        if kind:
            queryset = queryset.filter(kind=kind)
        return queryset.order_by("-year", "kind", "pk")


class MedalSchemeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)
    queryset = MedalScheme.objects.all()
    serializer_class = MedalSchemeSerializer

    def create(self, request):
        centre = _office_centre(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scheme = services.create_medal_scheme(request.user, centre, **serializer.validated_data)
        return Response(self.get_serializer(scheme).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: HoldingSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        scheme = self.get_object()
        page = self.paginate_queryset(selectors.medal_history(scheme))
        return self.get_paginated_response(HoldingSerializer(page, many=True).data)


router = SimpleRouter()
router.register("honours/selections", SelectionViewSet)
router.register("honours/nominations", NominationViewSet)
router.register("honours/honours", HonourViewSet)
router.register("honours/medals", MedalSchemeViewSet)
urlpatterns = router.urls
