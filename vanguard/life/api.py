"""API routes of organisational life, mounted under /api/v1/:

- /meetings/ (list, detail, plan) with actions attendance (GET rows, POST the secretary's marks),
  held (POST minutes: recorded as held) and sign-in (POST {code}: the member's phone);
- /activities/ (list, detail, record: a member's own, or a group's with organization and people)
  with action decide (POST {approve, reason}).
Every write goes through vanguard.life.services with the caller as actor."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vanguard.core.aggregates import subquery_count
from vanguard.core.api_base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from vanguard.core.params import date_param
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Organization, Person

from . import services
from .models import Activity, ActivityParticipant, Attendance, Meeting, MeetingKind

MANAGERS = (Role.ADMIN, Role.OFFICE, Role.SECRETARY)


class MeetingSerializer(serializers.ModelSerializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all())
    host = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    recorder = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    expected = serializers.ListField(child=serializers.IntegerField(), write_only=True, required=False,
                                     help_text="Person ids expected (default: every member of the organisation)")
    status = serializers.CharField(read_only=True, help_text="planned or held")
    expected_count = serializers.IntegerField(read_only=True)
    present_count = serializers.IntegerField(read_only=True)
    ends_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Meeting
        fields = ["id", "organization", "kind", "topic", "starts_at", "ends_at", "date", "place", "host", "recorder",
                  "status", "minutes", "resolutions", "expected", "expected_count", "present_count"]
        read_only_fields = ["date", "status", "minutes", "resolutions"]


class AttendanceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="pending, present, leave or absent")

    class Meta:
        model = Attendance
        fields = ["id", "person", "person_name", "status", "method", "signed_in_at", "leave_reason", "makeup_on",
                  "makeup_note"]


class MarkSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    status = serializers.CharField(max_length=10, help_text="present, leave (with reason) or absent")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SignInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=100)


class SignedInSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    person = serializers.IntegerField()
    status = serializers.CharField()
    signed_in_at = serializers.DateTimeField()
    created = serializers.BooleanField(help_text="False when this member was already signed in (nothing new stored)")


def _counted(queryset):
    present = Attendance.objects.filter(status=Attendance.Status.PRESENT)
    return queryset.annotate(expected_count=subquery_count(Attendance.objects.all(), "meeting"),
                             present_count=subquery_count(present, "meeting"))


RANGE_PARAMETERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, description="meeting kind (models.MeetingKind) / activity kind code"),
    OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE),
]


def _range(request, queryset, field):
    first = date_param(request.query_params.get("from"), "from")
    last = date_param(request.query_params.get("to"), "to")
    if first:
        queryset = queryset.filter(**{f"{field}__gte": first})
    if last:
        queryset = queryset.filter(**{f"{field}__lte": last})
    return queryset


@extend_schema(parameters=RANGE_PARAMETERS + [OpenApiParameter("status", OpenApiTypes.STR)])
class MeetingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    write_roles = MANAGERS
    action_write_roles = {"sign_in": None}

    def refine_queryset(self, queryset):
        if self.action == "list":
            kind = self.request.query_params.get("kind")
            if kind:
                queryset = queryset.filter(kind=kind)
            state = self.request.query_params.get("status")
            if state:
                queryset = queryset.filter(status=state)
            queryset = _range(self.request, queryset, "date")
        return _counted(queryset).order_by("-starts_at", "-pk")

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        meeting = services.plan_meeting(
            request.user, data["organization"], kind=data["kind"], topic=data["topic"], starts_at=data["starts_at"],
            ends_at=data.get("ends_at"), place=data.get("place", ""), host=data.get("host"),
            recorder=data.get("recorder"), expected=data.get("expected"))
        return Response(self.get_serializer(_counted(Meeting.objects.filter(pk=meeting.pk)).get()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=MarkSerializer(many=True), responses=AttendanceSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request, pk=None):
        meeting = self.get_object()
        if request.method == "POST":
            marks = MarkSerializer(data=request.data, many=True)
            marks.is_valid(raise_exception=True)
            services.record_attendance(request.user, meeting, {m["person"]: m["status"] for m in marks.validated_data},
                                       {m["person"]: m.get("reason", "") for m in marks.validated_data})
        rows = meeting.attendances.select_related("person").order_by("person__name", "pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AttendanceSerializer(page, many=True).data)

    @extend_schema(request=inline_serializer("MeetingHeld", {
        "minutes": serializers.CharField(), "resolutions": serializers.CharField(required=False)}),
        responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        meeting = self.get_object()
        body = request.data if isinstance(request.data, dict) else {}
        services.record_held(request.user, meeting, minutes=str(body.get("minutes", "")),
                             resolutions=str(body.get("resolutions", "")))
        return Response(self.get_serializer(_counted(Meeting.objects.filter(pk=meeting.pk)).get()).data)

    @extend_schema(request=SignInSerializer, responses=SignedInSerializer)
    @action(detail=True, methods=["post"], url_path="sign-in")
    def sign_in(self, request, pk=None):
        """The phone's sign-in, the hot path of a theme day: no get_object() (the grants and the meeting
        read again) - the service finds the member's own attendance row in its one statement, and looks
        the meeting up through visible_to only when that fails (a meeting the caller cannot see: 404)."""
        try:
            meeting_id = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        if not 0 < meeting_id < 2**63:
            raise Http404
        code = request.data.get("code") if isinstance(request.data, dict) else None
        if not isinstance(code, str) or not 0 < len(code) <= 100:
            self.get_object()  # outside the caller's scope: 404 before any word about the body
            SignInSerializer(data=request.data).is_valid(raise_exception=True)
        try:
            row, created = services.sign_in(request.user, meeting_id, code)
        except Meeting.DoesNotExist:
            raise Http404 from None
        return Response({"meeting": meeting_id, "person": row.person_id, "status": Attendance.Status.PRESENT,
                         "signed_in_at": row.signed_in_at or timezone.now(), "created": created})


class ActivitySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="kind.code", max_length=20, help_text="activity kind code of the centre")
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True,
                                                help_text="For a group activity recorded by the secretary")
    people = serializers.ListField(child=serializers.IntegerField(), write_only=True, required=False,
                                   help_text="Participants' person ids (a group activity); omit for your own record")
    participant_count = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="pending, approved or refused")

    class Meta:
        model = Activity
        fields = ["id", "kind", "kind_name", "organization", "date", "hours", "place", "description", "is_group",
                  "status", "refusal_reason", "people", "participant_count"]
        read_only_fields = ["is_group", "status", "refusal_reason"]


@extend_schema(parameters=RANGE_PARAMETERS + [OpenApiParameter("status", OpenApiTypes.STR)])
class ActivityViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    write_roles = None
    action_write_roles = {"decide": MANAGERS}
    select_related = ("kind",)

    def refine_queryset(self, queryset):
        if self.action == "list":
            kind = self.request.query_params.get("kind")
            if kind:
                queryset = queryset.filter(kind__code=kind)
            state = self.request.query_params.get("status")
            if state:
                queryset = queryset.filter(status=state)
            queryset = _range(self.request, queryset, "date")
        return queryset.annotate(
            participant_count=subquery_count(ActivityParticipant.objects.all(), "activity")).order_by("-date", "-pk")

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        people = data.get("people")
        organization = data.get("organization")
        if organization is not None:
            centre_id = organization.centre_id
        else:
            person = Person.objects.filter(pk=scope_for(request.user).person_id).first()
            centre_id = person.centre_id if person is not None else None
        kind = None
        if centre_id is not None:
            kind = services.activity_kinds(centre_id).filter(
                code=data["kind"]["code"]).first()
        activity = services.record_activity(
            request.user, kind=kind, date=data["date"], hours=data.get("hours", 0),
            description=data["description"], place=data.get("place", ""), people=people,
            organization=data.get("organization"))
        return Response(self.get_serializer(self.refine_queryset(Activity.objects.filter(pk=activity.pk)).get()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=inline_serializer("ActivityDecision", {
        "approve": serializers.BooleanField(), "reason": serializers.CharField(required=False)}),
        responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        activity = self.get_object()
        body = request.data if isinstance(request.data, dict) else {}
        approve = str(body.get("approve", "")).lower() in ("true", "1", "yes")
        services.decide_activity(request.user, activity, approve, str(body.get("reason", "")))
        return Response(self.get_serializer(self.refine_queryset(Activity.objects.filter(pk=activity.pk)).get()).data)


router = SimpleRouter()
router.register("meetings", MeetingViewSet)
router.register("activities", ActivityViewSet)
urlpatterns = router.urls

__all__ = ["MeetingKind", "urlpatterns"]
