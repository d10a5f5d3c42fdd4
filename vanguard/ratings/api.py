"""API routes of ratings, mounted under /api/v1/:

- POST /transactions/ (bulk, idempotent by number), GET list/detail
- POST /ratings/ (one object or a list; Idempotency-Key header or idempotency_key field), GET list/detail.
  A list is answered item by item: 201 all stored, 200 all replays, 207 some refused (each with its
  "error"), 400 a malformed item or every item refused (nothing stored)
- GET /ratings/figures/?unit=|window=|post=|person=|floor=|branch=&period=month&start=&end=
- /rectifications/ list/detail and actions verify, rectify, call-back, close, request-set-aside, decide
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vanguard.core.api_base import ScopedViewSetMixin
from vanguard.core.middleware import client_ip
from vanguard.core.params import date_param
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from . import cases, figures, services, services_batch
from .models import RectificationCase, SatisfactionStat, Transaction
from .permissions import can_see_rater, office_centres
from .selectors import resolve_target, transaction_to_rate


def _centre(request):
    centres = list(office_centres(request.user))
    wanted = request.query_params.get("centre") or (request.data.get("centre") if isinstance(request.data, dict)
                                                    else None)
    if wanted:
        centres = [c for c in centres if str(c.pk) == str(wanted)]
    if len(centres) != 1:
        if not centres:
            raise PermissionDenied(_("Only the party-building office's integrations may do this."))
        raise ValidationError({"centre": _("Choose the service centre.")})
    return centres[0]


class TransactionSerializer(serializers.ModelSerializer):
    window = serializers.CharField(source="window.number", read_only=True)
    person = serializers.CharField(source="person.name", read_only=True, default="")
    unit = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Transaction
        fields = ["id", "number", "service_item", "window", "person", "unit", "kind", "user_kind", "accepted_at",
                  "completed_at", "rated", "rater_name", "rater_phone"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not can_see_rater(self.context["request"].user, instance.unit_id):
            data.pop("rater_name")
            data.pop("rater_phone")
        return data


class TransactionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    queryset = Transaction.objects.all()
    serializer_class = TransactionSerializer
    select_related = ("window", "person", "unit")

    def create(self, request):
        """Bulk and idempotent: a list of transactions (or {"transactions": [...]}); numbers
        already received are reported as existing and left unchanged."""
        centre = _centre(request)
        items = request.data.get("transactions") if isinstance(request.data, dict) else request.data
        if isinstance(request.data, dict) and items is None:
            items = [request.data]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValidationError(_("Send a list of transactions."))
        if len(items) > 5000:
            raise ValidationError(_("At most 5000 transactions per request."))
        result = services.import_transactions(request.user, centre, items)
        return Response(result, status=status.HTTP_201_CREATED if result["created"] else status.HTTP_200_OK)


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    transaction = serializers.CharField(source="transaction.number")
    level = serializers.IntegerField()
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    channel = serializers.CharField()
    scores = serializers.DictField(required=False)
    reasons = serializers.ListField(child=serializers.CharField(), required=False)
    comment = serializers.CharField(required=False, allow_blank=True)
    is_default = serializers.BooleanField(read_only=True)
    flagged = serializers.BooleanField(read_only=True)
    set_aside = serializers.BooleanField(read_only=True)
    rated_at = serializers.DateTimeField(read_only=True)


# One serializer for every created rating's answer: a new one per request deep-copied its declared
# fields each time (a tenth of a citizen's rating's CPU); to_representation keeps no state.
_RATING_OUT = RatingSerializer()


def rating_answer(rating):
    """RatingSerializer's representation of one rating, written out: the serializer's walk over its
    fields (attribute lookups, each field's conversion) cost a citizen's rating more CPU than its
    audit row. tests/ratings/test_fold.py holds it equal to the serializer's."""
    rated_at = _RATING_OUT.fields["rated_at"]
    return {
        "id": rating.pk, "transaction": str(rating.transaction.number), "level": int(rating.level),
        "level_display": str(rating.get_level_display()), "channel": str(rating.channel),
        "scores": {str(k): v for k, v in rating.scores.items()} if rating.scores is not None else None,
        "reasons": [None if r is None else str(r) for r in rating.reasons] if rating.reasons is not None else None,
        "comment": str(rating.comment), "is_default": bool(rating.is_default), "flagged": bool(rating.flagged),
        "set_aside": bool(rating.set_aside), "rated_at": rated_at.to_representation(rating.rated_at),
    }


class RatingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    from .models import Rating as _Rating

    queryset = _Rating.objects.all()
    serializer_class = RatingSerializer
    select_related = ("transaction",)

    def _one(self, request, centre_ids, item, header_key):
        if not isinstance(item, dict):
            raise ValidationError(_("Each rating is an object."))
        number = str(item.get("transaction") or "").strip()
        txn = transaction_to_rate(centre_ids, number)
        if txn is None:
            raise ValidationError({"transaction": _("Transaction %(number)s has not been received.") % {
                "number": number or "—"}})
        return services.record_rating(
            request.user, txn, level=item.get("level"), channel=item.get("channel") or "device",
            scores=item.get("scores") or {}, reasons=item.get("reasons") or [], comment=item.get("comment") or "",
            rater_name=item.get("rater_name") or "", rater_phone=item.get("rater_phone") or "",
            device=item.get("device") or "", ip=client_ip(request),
            idempotency_key=item.get("idempotency_key") or header_key)

    def create(self, request):
        # The office's centres straight from its grants: the hot path of rating devices spends no query here.
        scope = scope_for(request.user)
        centre_ids = [_centre(request).pk] if scope.is_admin or request.query_params.get("centre") else \
            scope.centres(Role.OFFICE)
        if not centre_ids:
            raise PermissionDenied(_("Only the party-building office's integrations may do this."))
        key = request.headers.get("Idempotency-Key")
        if isinstance(request.data, list):
            if not request.data or len(request.data) > 1000:
                raise ValidationError(_("Send 1 to 1000 ratings per request."))
            # Set-based; each item carries its own idempotency key and is answered on its own. The
            # sender's address is not passed: a batch comes through a device or platform, not from raters.
            results = services_batch.record_ratings_bulk(request.user, centre_ids, request.data, header_key=key)
            if any("error" in r for r in results):
                code = status.HTTP_207_MULTI_STATUS  # some refused: only the items with an id are stored
            else:
                code = status.HTTP_201_CREATED if any(r["created"] for r in results) else status.HTTP_200_OK
            return Response(results, status=code)
        rating, created = self._one(request, centre_ids, request.data, key)
        return Response(rating_answer(rating),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(parameters=[
        *[OpenApiParameter(name, OpenApiTypes.STR) for name in ("unit", "window", "post", "person", "floor", "branch")],
        OpenApiParameter("period", OpenApiTypes.STR, enum=list(figures.PERIODS)),
        OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE),
    ], responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def figures(self, request):
        """Counts per level and the satisfaction rate of one object per period."""
        dimension, key = "centre", None
        for name in ("unit", "window", "post", "person", "floor", "branch"):
            if request.query_params.get(name):
                dimension, key = name, request.query_params[name]
                break
        period = request.query_params.get("period", "month")
        if period not in figures.PERIODS:
            raise ValidationError({"period": _("The period is day, month, quarter or year.")})
        today = datetime.date.today()
        start = date_param(request.query_params.get("start"), "start") or today.replace(month=1, day=1)
        end = date_param(request.query_params.get("end"), "end") or today
        if end < start:
            raise ValidationError({"end": _("The end is before the start.")})
        dimension, key, label, centre_id = resolve_target(request.user, dimension, key)
        rows = SatisfactionStat.objects.filter(dimension=dimension, key=key, period=period, centre_id=centre_id,
                                               start__gte=figures.period_start(start, period),
                                               start__lte=end).order_by("start")
        fresh = figures.freshness(dimension, key)
        return Response({
            "dimension": dimension, "key": key, "name": label, "period": period, "definition": str(figures.DEFINITION),
            # How fresh the rows are: the ratings not counted yet (folded within a minute) and the time
            # before which every rating is counted.
            "pending": fresh["pending"], "counted_until": fresh["counted_until"], "freshness": fresh["note"],
            "rows": [{"start": r.start, **{k: (str(v) if k == "rate" and v is not None else v)
                                           for k, v in figures.summarise(r).items()}} for r in rows]})


class CaseSerializer(serializers.ModelSerializer):
    transaction = serializers.CharField(source="rating.transaction.number", read_only=True)
    level = serializers.IntegerField(source="rating.level", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = RectificationCase
        fields = ["id", "transaction", "level", "unit", "unit_name", "person", "state", "opened_on", "verify_due",
                  "rectify_due", "verified_at", "verification", "rectified_at", "rectification", "called_back_at",
                  "callback_result", "callback_note", "closed_at", "overdue_at", "overdue_stage", "escalated_at",
                  "set_aside_reason", "decision", "decision_note", "decided_at"]


class RectificationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    queryset = RectificationCase.objects.all()
    serializer_class = CaseSerializer
    select_related = ("rating__transaction", "unit")

    def _act(self, func, **kwargs):
        case = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        case = func(self.request.user, case, **kwargs)
        return Response(CaseSerializer(RectificationCase.objects.select_related(
            "rating__transaction", "unit").get(pk=case.pk)).data)

    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._act(cases.verify_case, verification=request.data.get("verification", ""))

    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        return self._act(cases.rectify_case, rectification=request.data.get("rectification", ""))

    @action(detail=True, methods=["post"], url_path="call-back")
    def call_back(self, request, pk=None):
        return self._act(cases.call_back, result=request.data.get("result", ""), note=request.data.get("note", ""))

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(cases.close_case)

    @action(detail=True, methods=["post"], url_path="request-set-aside")
    def request_set_aside(self, request, pk=None):
        return self._act(cases.request_set_aside, reason=request.data.get("reason", ""))

    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        approve = request.data.get("approve") in (True, "true", "1", 1)
        return self._act(cases.decide_set_aside, approve=approve, note=request.data.get("note", ""))


router = SimpleRouter()
router.register("transactions", TransactionViewSet)
router.register("ratings", RatingViewSet)
router.register("rectifications", RectificationViewSet)
urlpatterns = router.urls
