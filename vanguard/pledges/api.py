"""API routes of pledges and letters, mounted under /api/v1/:

/pledges/ (list, detail, create: a member's own, or a secretary's from paper) with the actions
review, progress, judge; /pledges/figures/ (the Harbin shape per centre, unit or branch);
/letters/ (list, detail, create with targets) with the actions send, sign, score."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vanguard.core.api_base import ScopedViewSetMixin
from vanguard.core.params import year_param
from vanguard.core.permissions import office_centre
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Person, Unit

from . import selectors, services
from .models import Letter, Pledge, Result, Target
from .permissions import is_branch_secretary, is_owner

MAX_ID = 2**31 - 1


class PledgeSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    # Empty until judged: "kept", "partly", "not_kept" or "".
    midyear_result = serializers.CharField(read_only=True, help_text="kept, partly, not_kept, or empty")
    result = serializers.CharField(read_only=True, help_text="kept, partly, not_kept, or empty")

    class Meta:
        model = Pledge
        fields = ["id", "year", "person", "person_name", "branch", "unit", "what", "deadline", "measure", "source",
                  "status", "return_reason", "reviewed_at", "midyear_result", "midyear_reason", "result",
                  "result_reason", "judged_at", "created_at"]
        read_only_fields = fields


class PledgeInSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="The member (a secretary entering from paper); "
                                                                "yourself when left out.")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    what = serializers.CharField(max_length=200)
    deadline = serializers.DateField()
    measure = serializers.CharField(max_length=200, allow_blank=True)


class ReviewInSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ProgressInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=1000)
    day = serializers.DateField(required=False, allow_null=True)
    link = serializers.CharField(required=False, allow_blank=True, max_length=300)
    meeting = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                       help_text="A meeting the member attended (see life-records).")
    activity = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                        help_text="A service activity the member took part in (see life-records).")


class ProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    day = serializers.DateField()
    link = serializers.CharField()
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)
    activity = serializers.IntegerField(source="activity_id", allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)


class LifeRecordSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("meeting", "meeting"), ("activity", "activity")])
    id = serializers.IntegerField()
    summary = serializers.CharField()


class JudgeInSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=services.STAGES)
    result = serializers.ChoiceField(choices=Result.choices)
    reason = serializers.CharField(allow_blank=True, max_length=1000)


class PledgeFigureRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    members = serializers.IntegerField()
    made = serializers.IntegerField()
    approved = serializers.IntegerField()
    kept = serializers.IntegerField()
    partly = serializers.IntegerField()
    not_kept = serializers.IntegerField()
    judged = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


def _row(row):
    return {k: row.get(k) for k in ("key", "name", "members", "made", "approved", "kept", "partly", "not_kept",
                                    "judged")} | {"rate": None if row["rate"] is None else str(row["rate"])}


class PledgeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Pledge.objects.all()
    serializer_class = PledgeSerializer
    select_related = ("person",)

    def refine_queryset(self, queryset):
        if self.action == "list":
            return queryset.order_by("-year", "pk")
        return queryset

    def _pledge(self):
        return self.get_object()

    def _answer(self, pledge, code=status.HTTP_200_OK):
        return Response(PledgeSerializer(Pledge.objects.select_related("person").get(pk=pledge.pk)).data,
                        status=code)

    @extend_schema(request=PledgeInSerializer, responses={201: PledgeSerializer})
    def create(self, request):
        data = PledgeInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d.get("person") is not None:
            person = Person.objects.visible_to(request.user).filter(pk=d["person"]).first()
            if person is None:
                raise serializers.ValidationError({"person": [_("No such member in your scope.")]})
        else:
            person_id = scope_for(request.user).person_id
            if person_id is None:
                raise PermissionDenied(_("Only a party member registered with a branch makes pledges."))
            person = Person.objects.get(pk=person_id)
        pledge = services.make_pledge(request.user, person, year=d["year"], what=d["what"], deadline=d["deadline"],
                                      measure=d["measure"])
        return self._answer(pledge, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewInSerializer, responses={200: PledgeSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        pledge = self._pledge()
        data = ReviewInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.review_pledge(request.user, pledge, approve=data.validated_data["approve"],
                                                   reason=data.validated_data.get("reason", "")))

    @extend_schema(request=ProgressInSerializer, responses={201: ProgressSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        pledge = self._pledge()
        data = ProgressInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        item = services.record_progress(request.user, pledge, text=d["text"], day=d.get("day"),
                                        link=d.get("link", ""), meeting=d.get("meeting"), activity=d.get("activity"))
        return Response(ProgressSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: LifeRecordSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="life-records")
    def life_records(self, request, pk=None):
        """The meetings and activities a progress of this pledge may cite: the member's own of its year.
        To the member and those who may record progress for them (the branch's secretary, the office)."""
        pledge = self._pledge()
        if not (is_owner(request.user, pledge) or is_branch_secretary(request.user, pledge.branch)):
            raise PermissionDenied
        rows = [{"kind": "meeting" if key[0] == "m" else "activity", "id": int(key[1:]), "summary": words}
                for key, words in selectors.life_choices(pledge)]
        return Response(LifeRecordSerializer(rows, many=True).data)

    @extend_schema(request=JudgeInSerializer, responses={200: PledgeSerializer})
    @action(detail=True, methods=["post"])
    def judge(self, request, pk=None):
        pledge = self._pledge()
        data = JudgeInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        return self._answer(services.judge_pledge(request.user, pledge, stage=d["stage"], result=d["result"],
                                                  reason=d["reason"]))

    @extend_schema(parameters=[OpenApiParameter("year", OpenApiTypes.INT),
                               OpenApiParameter("by", OpenApiTypes.STR, enum=["centre", "unit", "branch"])],
                   responses={200: inline_serializer("PledgeFigures", {
                       "year": serializers.IntegerField(), "by": serializers.CharField(),
                       "total": PledgeFigureRowSerializer(), "rows": PledgeFigureRowSerializer(many=True)})})
    @action(detail=False, methods=["get"])
    def figures(self, request):
        """Members who pledged, pledges made, approved, kept (partly, not), the kept rate."""
        scope = scope_for(request.user)
        if not (scope.is_admin or scope.has_role(Role.OFFICE, Role.SECRETARY, Role.LIAISON)):
            raise PermissionDenied(_("Only the office, secretaries and liaisons read the pledge figures."))
        year = year_param(request)
        group = request.query_params.get("by")
        group = group if group in ("centre", "unit", "branch") else "centre"
        total, rows = selectors.figures(selectors.stats_for(request.user), year, group)
        return Response({"year": year, "by": group, "total": _row({"key": None, "name": None, **total}),
                         "rows": [_row(r) for r in rows]})


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "section", "text", "measure", "weight", "metric", "achieved", "score", "evidence_note"]
        read_only_fields = ["id", "achieved", "score", "evidence_note"]


class LetterSerializer(serializers.ModelSerializer):
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Letter
        fields = ["id", "year", "kind", "unit", "leader", "title", "status", "sent_at", "signatory", "signed_on",
                  "score", "scored_at", "rank", "published_at", "targets"]
        read_only_fields = fields


class TargetInSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=Target.Section.choices)
    text = serializers.CharField(max_length=200)
    measure = serializers.CharField(max_length=200)
    weight = serializers.IntegerField(min_value=1, max_value=100)
    metric = serializers.ChoiceField(choices=Target.Metric.choices, required=False)


class LetterInSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=Letter.Kind.choices, required=False)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    leader = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    title = serializers.CharField(required=False, allow_blank=True, max_length=100)
    targets = TargetInSerializer(many=True)


class LetterSignatureSerializer(serializers.Serializer):
    signatory = serializers.CharField(max_length=50)
    signed_on = serializers.DateField()


class LetterViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)
    queryset = Letter.objects.all()
    serializer_class = LetterSerializer
    select_related = ("unit",)
    prefetch_related = ("targets",)

    def refine_queryset(self, queryset):
        return queryset.order_by("-year", "pk") if self.action == "list" else queryset

    def _answer(self, letter, code=status.HTTP_200_OK):
        return Response(LetterSerializer(Letter.objects.prefetch_related("targets").get(pk=letter.pk)).data,
                        status=code)

    @extend_schema(request=LetterInSerializer, responses={201: LetterSerializer})
    def create(self, request):
        centre = office_centre(request.user,
                               message=_("Only the party-building office may manage responsibility letters."))
        data = LetterInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        unit = Unit.objects.filter(centre=centre, pk=d["unit"]).first()
        leader = Person.objects.filter(centre=centre, pk=d["leader"]).first() if d.get("leader") else None
        letter = services.create_letter(request.user, centre, year=d["year"], unit=unit,
                                        kind=d.get("kind") or Letter.Kind.UNIT, leader=leader,
                                        title=d.get("title", ""), targets=[dict(t) for t in d["targets"]])
        return self._answer(letter, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: LetterSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return self._answer(services.send_letter(request.user, self.get_object()))

    @extend_schema(request=LetterSignatureSerializer, responses={200: LetterSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        letter = self.get_object()
        data = LetterSignatureSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.sign_letter(request.user, letter, **data.validated_data))

    @extend_schema(request=None, responses={200: LetterSerializer})
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        return self._answer(services.score_letter(request.user, self.get_object()))


router = SimpleRouter()
router.register("pledges", PledgeViewSet)
router.register("letters", LetterViewSet)
urlpatterns = router.urls
