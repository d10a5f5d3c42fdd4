"""API of the assessment, under /api/v1/assessment/. Reading is scoped by
`visible_to`; writing goes through the same services as the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vanguard.core.api_base import (
    CurrentCentreDefault,
    DisplayField,
    ScopedViewSetMixin,
    ServiceModelSerializer,
)
from vanguard.core.roles import Role
from vanguard.org.models import Person, ServiceCentre

from . import previews, selectors, services
from .explain import explain
from .models import Adjustment, Appeal, Cell, Indicator, Period, Result, Scheme
from .permissions import can_manage
from .scoring import Entry, save_scores


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "part", "code", "name", "description", "maximum", "method", "scorer_kind", "auto_source",
                  "aspect", "sort_order"]
        # The services validate indicators (codes unique within the scheme, parts summing to 100).
        validators = []
        extra_kwargs = {"code": {"validators": []}}


class SchemeSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, required=False)
    in_use = serializers.BooleanField(read_only=True)

    class Meta:
        model = Scheme
        fields = ["id", "centre", "name", "version", "valid_from", "status", "formula", "party_weight",
                  "work_weight", "threshold", "quota_kind", "quota_value", "tie_break", "veto_rules",
                  "publicity_days", "note_required_loss", "in_use", "indicators"]
        read_only_fields = ["centre", "version", "valid_from", "status"]


class SchemeVersionSerializer(serializers.Serializer):
    copy_from = serializers.IntegerField(help_text="id of the version to copy")
    valid_from = serializers.CharField(help_text="YYYY-MM, the first month of the new version")


class SchemeViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                    viewsets.ReadOnlyModelViewSet):
    """Scheme versions. POST {copy_from, valid_from} makes a draft copy; PATCH edits a version no
    month uses (rules, and `indicators` as the whole new list); POST activate makes a draft the
    version months open with. The same services and rules as the office's pages."""

    queryset = Scheme.objects.all()
    serializer_class = SchemeSerializer
    prefetch_related = ("indicators",)

    @extend_schema(request=SchemeVersionSerializer, responses=SchemeSerializer)
    def create(self, request, *args, **kwargs):
        body = SchemeVersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        source = get_object_or_404(self.get_queryset(), pk=body.validated_data["copy_from"])
        draft = services.copy_scheme(request.user, source, body.validated_data["valid_from"])
        return Response(SchemeSerializer(draft).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        scheme = self.get_object()
        body = SchemeSerializer(scheme, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if "indicators" in changes:
            changes["indicators"] = [dict(row) for row in changes["indicators"]]
        scheme = services.update_scheme(request.user, scheme, **changes)
        return Response(SchemeSerializer(Scheme.objects.get(pk=scheme.pk)).data)

    @extend_schema(request=None, responses=SchemeSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        scheme = services.activate_scheme(request.user, self.get_object())
        return Response(SchemeSerializer(scheme).data)


class PeriodSerializer(ServiceModelSerializer):
    centre = serializers.PrimaryKeyRelatedField(queryset=ServiceCentre.objects.all(), default=CurrentCentreDefault())
    month = serializers.CharField(help_text="YYYY-MM")
    status_display = DisplayField(source="get_status_display")

    class Meta:
        model = Period
        fields = ["id", "centre", "month", "scheme", "status", "status_display", "scoring_due", "published_at",
                  "publicity_ends", "finalised_at"]
        read_only_fields = ["scheme", "status", "scoring_due", "published_at", "publicity_ends", "finalised_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["month"] = instance.label
        return data


class StepSerializer(serializers.Serializer):
    confirm_unscored = serializers.BooleanField(
        required=False, default=False,
        help_text="publish or close although members have no score in a part (they are not assessed in it)")


class UnscoredSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    part = serializers.CharField()
    scope = serializers.CharField(help_text="the branch or department that scores this part")
    scorers = serializers.CharField()


class MonthCountsSerializer(serializers.Serializer):
    results = serializers.IntegerField(help_text="current results the caller may read")
    stars = serializers.IntegerField(help_text="star members among them")
    unassessed = serializers.IntegerField(help_text="members without a total (no score in a part)")
    pending = serializers.IntegerField(help_text="adjustments awaiting the office's approval")


class PeriodViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Months; the workflow steps are POST sub-resources: start-scoring, close-scoring, publish, finalise."""
    write_roles = (Role.ADMIN, Role.OFFICE)  # who may write here at all (core.api_base.WriteRoles)

    queryset = Period.objects.all()
    serializer_class = PeriodSerializer
    select_related = ("scheme",)

    def get_object(self):
        lookup = self.kwargs.get("pk", "")
        qs = self.get_queryset()
        try:  # an id or a month ("2026-10"); anything else names no month
            if "-" in str(lookup):
                return get_object_or_404(qs, month=services.month_start(lookup))
            return get_object_or_404(qs, pk=lookup)
        except (ValueError, OverflowError, ValidationError):
            raise Http404 from None

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.open_period(self.request.user, data["centre"], data["month"])

    def _step(self, service, **kwargs):
        period = service(self.request.user, self.get_object(), **kwargs)
        return Response(PeriodSerializer(period, context=self.get_serializer_context()).data)

    def _confirmed(self):
        body = StepSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data["confirm_unscored"]

    @extend_schema(request=None, responses=PeriodSerializer)
    @action(detail=True, methods=["post"], url_path="start-scoring")
    def start_scoring(self, request, pk=None):
        return self._step(services.start_scoring)

    @extend_schema(request=StepSerializer, responses=PeriodSerializer)
    @action(detail=True, methods=["post"], url_path="close-scoring")
    def close_scoring(self, request, pk=None):
        return self._step(services.close_scoring, confirm_unscored=self._confirmed())

    @extend_schema(request=StepSerializer, responses=PeriodSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._step(services.publish_period, confirm_unscored=self._confirmed())

    @extend_schema(responses=UnscoredSerializer(many=True))
    @action(detail=True, methods=["get"])
    def unscored(self, request, pk=None):
        """Members with no score in a part, and who is responsible: what publishing needs confirmed."""
        period = self.get_object()
        if not can_manage(request.user, period.centre_id):
            raise PermissionDenied
        data = previews.unscored(period)
        return Response([{"person": line["person"].pk, "name": line["person"].name, "part": line["part"],
                          "scope": line["scope"], "scorers": line["scorers"]} for line in data["lines"]])

    @extend_schema(responses=MonthCountsSerializer)
    @action(detail=True, methods=["get"])
    def counts(self, request, pk=None):
        """The month's counts as the caller may see them (the same read as the month's page)."""
        return Response(selectors.month_counts(request.user, self.get_object()))

    @extend_schema(request=None, responses=PeriodSerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        return self._step(services.finalise_period)


def _period_from(request_value, user):
    """A period by id or YYYY-MM among those the user can see."""
    qs = Period.objects.visible_to(user).select_related("scheme")
    if request_value in (None, ""):
        raise ValidationError({"period": _("Name the month.")})
    text = str(request_value)
    if "-" in text:
        return qs.filter(month=services.month_start(text)).first()
    return qs.filter(pk=int(text)).first() if text.isdigit() else None


class _Figure(serializers.FloatField):
    """A figure from the records as stored: a whole number stays an integer."""

    def to_representation(self, value):
        return value


class ScoreSerializer(serializers.ModelSerializer):
    """A cell. Cells of an indicator with a rule are computed from the records: `computed` while
    the points are the rule's, `computed_points` the rule's points, `source_value` the figures
    read from the records; a scorer's override keeps both and says why in `override_reason`. Read
    from the Cell view: every cell of the month, computed or entered."""

    id = serializers.IntegerField(
        source="score_id", read_only=True, allow_null=True,
        help_text="the entered score's id; null for a computed cell nobody overrode")

    computed = serializers.BooleanField(
        read_only=True, help_text="true while the points are the rule's, computed from the records")
    computed_points = serializers.DecimalField(
        max_digits=6, decimal_places=1, read_only=True, allow_null=True,
        help_text="the points the scheme's rule gives from the records (null: entered by hand)")
    source_value = serializers.DictField(
        child=_Figure(), read_only=True, allow_null=True,
        help_text="the figures read from the records, by name (e.g. expected, present, leave, absent, makeup for "
                  "meetings; times, hours for activities; ratings, satisfied, bad, default, set_aside for ratings; "
                  "expected, signed, unsigned for circulars; reads for study); null for a cell entered by hand")
    override_reason = serializers.CharField(
        read_only=True, help_text="why a scorer gave other points than the rule's (the member reads it); empty "
                                  "when not overridden")
    explanation = serializers.SerializerMethodField(
        help_text="why a computed or overridden cell has its points, in one sentence (figures, rule, override)")

    class Meta:
        model = Cell
        fields = ["id", "period", "person", "indicator", "points", "note", "scored_by", "scored_at", "computed",
                  "computed_points", "source_value", "override_reason", "explanation"]

    def get_explanation(self, obj) -> str:
        if obj.computed_points is None:
            return ""
        from .auto import explain_cell

        return str(explain_cell(obj.indicator, obj))


class ScoreEntrySerializer(serializers.Serializer):
    person = serializers.IntegerField()
    indicator = serializers.CharField(help_text="indicator id or code")
    points = serializers.JSONField(help_text="points as a number or string, e.g. 8.5")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreBulkSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="period id or YYYY-MM")
    scores = ScoreEntrySerializer(many=True)


class ScoreViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Scores; POST a batch to upsert it, all or nothing (refused once the month is past scoring)."""

    queryset = Cell.objects.all()
    serializer_class = ScoreSerializer
    # A cell is found by its score's id (a computed cell nobody overrode is listed, not fetched alone).
    lookup_field = "score"
    lookup_value_regex = "[0-9]+"

    def refine_queryset(self, queryset):
        period = self.request.query_params.get("period")
        if period:
            found = _period_from(period, self.request.user)
            queryset = queryset.filter(period=found) if found else queryset.none()
            if found is not None and found.accepts_scores:
                # As on the grid: what the records say now (a fingerprint query per source when nothing moved).
                from .auto import ensure_computed

                ensure_computed(found)
        person = self.request.query_params.get("person", "")
        if person:
            queryset = queryset.filter(person_id=int(person)) if person.isdigit() else queryset.none()
        # The indicator comes along: a computed cell's explanation reads its rule.
        return queryset.select_related("indicator").order_by("person_id", "indicator_id")

    def get_serializer_class(self):
        return ScoreBulkSerializer if self.action == "create" else ScoreSerializer

    def create(self, request, *args, **kwargs):
        body = ScoreBulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        period = _period_from(body.validated_data["period"], request.user)
        if period is None:
            message = _("There is no such month.")
            return Response({"detail": message, "period": [message]}, status=status.HTTP_404_NOT_FOUND)
        codes = {i.code: i.pk for i in period.scheme.indicators.all()}
        entries = []
        for n, row in enumerate(body.validated_data["scores"], start=1):
            indicator = codes.get(row["indicator"], row["indicator"])
            entries.append(Entry(row["person"], indicator, row["points"], row.get("note", ""), where=f"#{n}"))
        saved = save_scores(request.user, period, entries, source="api")
        return Response({"saved": saved}, status=status.HTTP_200_OK)


class AdjustmentSerializer(ServiceModelSerializer):
    period = serializers.CharField(help_text="period id or YYYY-MM", write_only=True)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())

    class Meta:
        model = Adjustment
        fields = ["id", "period", "person", "kind", "points", "reason", "source", "aspect", "status",
                  "created_at", "decided_at"]
        read_only_fields = ["status", "created_at", "decided_at"]


class AdjustmentViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Adjustments and vetoes; POST approve/reject as sub-resources."""
    write_roles = (Role.ADMIN, Role.OFFICE, Role.SECRETARY)

    queryset = Adjustment.objects.all()
    serializer_class = AdjustmentSerializer
    select_related = ("period",)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        period = _period_from(data.pop("period"), self.request.user)
        if period is None:
            raise ValidationError({"period": _("There is no such month.")})
        person = Person.objects.visible_to(self.request.user).filter(pk=data.pop("person").pk).first()
        if person is None:
            raise ValidationError({"person": _("There is no such person.")})
        serializer.instance = services.create_adjustment(self.request.user, period, person, **data)

    @extend_schema(request=None, responses=AdjustmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        adj = services.decide_adjustment(request.user, self.get_object(), approve=True)
        return Response(AdjustmentSerializer(adj).data)

    @extend_schema(request=None, responses=AdjustmentSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        adj = services.decide_adjustment(request.user, self.get_object(), approve=False)
        return Response(AdjustmentSerializer(adj).data)


class ResultSerializer(serializers.ModelSerializer):
    month = serializers.CharField(source="period.label", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    why = serializers.SerializerMethodField()
    assessed = serializers.BooleanField(read_only=True, help_text="false: a part was not assessed (null points)")

    class Meta:
        model = Result
        fields = ["id", "month", "person", "name", "version", "is_current", "branch", "unit", "party_points",
                  "work_points", "bonus", "penalty", "total", "vetoed", "rank_branch", "rank_centre", "star_place",
                  "branch_size", "quota", "is_star", "reason", "assessed", "why", "change_reason", "created_at"]

    def get_why(self, obj) -> str:
        return explain(obj, obj.period.scheme)


class ResultViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Results; `?period=YYYY-MM` (or id); current versions unless `?versions=all`."""

    queryset = Result.objects.all()
    serializer_class = ResultSerializer
    select_related = ("period__scheme", "person")

    def refine_queryset(self, queryset):
        params = self.request.query_params
        if params.get("period"):
            text = params["period"]
            if "-" in text:
                queryset = queryset.filter(period__month=services.month_start(text))
            else:
                queryset = queryset.filter(period_id=int(text) if text.isdigit() else 0)
        if params.get("versions") != "all":
            queryset = queryset.filter(is_current=True)
        return queryset.order_by("period__month", "rank_centre", "person_id")


class AppealSerializer(ServiceModelSerializer):
    period = serializers.CharField(help_text="period id or YYYY-MM", write_only=True)
    month = serializers.CharField(source="period.label", read_only=True)
    uphold = serializers.BooleanField(write_only=True, required=False)

    class Meta:
        model = Appeal
        fields = ["id", "period", "month", "person", "indicator", "text", "status", "answer", "submitted_at",
                  "decided_at", "uphold"]
        read_only_fields = ["person", "status", "answer", "submitted_at", "decided_at"]


class AppealDecisionSerializer(serializers.Serializer):
    uphold = serializers.BooleanField()
    answer = serializers.CharField()
    points = serializers.CharField(required=False, allow_blank=True, help_text="corrected points of the indicator")


class AppealViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A member appeals during the publicity period; the office decides (POST decide)."""

    queryset = Appeal.objects.all()
    serializer_class = AppealSerializer
    select_related = ("period", "indicator")

    def perform_create(self, serializer):
        data = serializer.validated_data
        period = _period_from(data["period"], self.request.user)
        if period is None:
            raise ValidationError({"period": _("There is no such month.")})
        serializer.instance = services.submit_appeal(self.request.user, period, data.get("text", ""),
                                                     indicator=data.get("indicator"))

    @action(detail=True, methods=["post"], serializer_class=AppealDecisionSerializer)
    def decide(self, request, pk=None):
        appeal = self.get_object()
        body = AppealDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        corrections = []
        if data["uphold"] and appeal.indicator and data.get("points", "").strip():
            corrections = [(appeal.indicator, data["points"].strip())]
        appeal = services.decide_appeal(request.user, appeal, uphold=data["uphold"], answer=data["answer"],
                                        corrections=corrections)
        return Response(AppealSerializer(appeal).data)


router = SimpleRouter()
router.register("assessment/schemes", SchemeViewSet)
router.register("assessment/periods", PeriodViewSet)
router.register("assessment/scores", ScoreViewSet)
router.register("assessment/adjustments", AdjustmentViewSet)
router.register("assessment/results", ResultViewSet)
router.register("assessment/appeals", AppealViewSet)
urlpatterns = router.urls
