"""API of cases, mounted under /api/v1/ (token auth, like every integration):

- POST /cases/ registers a case from another system (e.g. a work order transferred from the
  12345 hotline with its original number in `source_ref`); the office's integrations only.
- GET /cases/ (filters: status, kind, source, unit, post, person, overdue, supervised, queue,
  q, year) and /cases/{id}/: what the user may see; the citizen's name and mobile only to the
  responsible unit's handlers and the office.
- POST /cases/{id}/dispatch|accept|return|supervise|ask-extension|decide-extension|answer|
  call-back|decide|close: the same services as the pages.
The GeoReport v2 (Open311) endpoint is in open311.py."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vanguard.core.api_base import ScopedViewSetMixin
from vanguard.core.permissions import office_centre
from vanguard.org.models import Person, Unit, Window
from vanguard.pledges.breaches import case_pledge_choices

from . import selectors, services
from .models import Callback, Case, Kind, Source


class FeedbackCaseSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, default="")
    post_name = serializers.CharField(source="post.name", read_only=True, default="")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    public_url = serializers.CharField(read_only=True)
    # Empty until set: plain strings, not enums that would refuse "".
    callback = serializers.CharField(read_only=True)
    extension = serializers.CharField(read_only=True)

    class Meta:
        model = Case
        fields = ["id", "number", "centre", "kind", "kind_display", "source", "source_ref", "content",
                  "public_content", "post", "post_name", "window", "person", "unit", "unit_name", "anonymous",
                  "contact_name", "contact_mobile", "mobile_verified", "status", "status_display", "round",
                  "received_at", "dispatched_at", "accept_due", "accepted_at", "due", "return_reason", "overdue_at",
                  "overdue_stage", "supervised_at", "supervision_due", "supervision_note", "extension",
                  "extension_days", "extension_reason", "answer", "action_taken", "upheld", "answered_at",
                  "answered_on_time", "callback", "called_back_at", "closed_at", "decision_note", "repeat_of",
                  "public_url"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not services.can_see_contact(self.context["request"].user, instance):
            data["contact_name"], data["contact_mobile"] = "", ""
        return data


class IntakeSerializer(serializers.Serializer):
    centre = serializers.IntegerField(required=False, help_text="Needed when the token's office holds several.")
    kind = serializers.ChoiceField(choices=Kind.choices)
    content = serializers.CharField(max_length=2000)
    source_ref = serializers.CharField(required=False, allow_blank=True, max_length=64)
    post = serializers.CharField(required=False, allow_blank=True, help_text="The post's public code or id.")
    window = serializers.CharField(required=False, allow_blank=True, help_text="The window's number.")
    person = serializers.IntegerField(required=False)
    unit = serializers.IntegerField(required=False)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contact_mobile = serializers.CharField(required=False, allow_blank=True, max_length=20)


def _place(centre, model, value, field, **lookup):
    if value in (None, ""):
        return None
    obj = model.objects.filter(centre=centre, **lookup).first()
    if obj is None:
        raise ValidationError({field: _("Not found in this service centre.")})
    return obj


def intake_from(request, data, *, source=Source.API):
    """Register a case from validated API data (shared with the Open311 endpoint)."""
    from vanguard.posts.models import VanguardPost

    centre = office_centre(request.user, data.get("centre"), several=_("Choose the service centre."),
                           message=_("Only the party-building office's integrations may do this."))
    post_ref = str(data.get("post") or "")
    post = _place(centre, VanguardPost, post_ref, "post",
                  **({"pk": int(post_ref)} if post_ref.isdigit() and len(post_ref) < 10 else {"code": post_ref.upper()}))
    window = _place(centre, Window, data.get("window"), "window", number=data.get("window"))
    person = _place(centre, Person, data.get("person"), "person", pk=data.get("person"))
    unit = _place(centre, Unit, data.get("unit"), "unit", pk=data.get("unit"))
    return services.intake_case(
        request.user, centre=centre, kind=data["kind"], content=data["content"], source=source,
        source_ref=data.get("source_ref") or "", post=post, window=window, person=person, unit=unit,
        contact_name=data.get("contact_name") or "", contact_mobile=data.get("contact_mobile") or "",
        anonymous=not (data.get("contact_name") or data.get("contact_mobile")))


def _body(request):
    return request.data if isinstance(request.data, dict) else {}


NOTE = {"note": serializers.CharField(required=False, allow_blank=True)}
LIST_PARAMETERS = [OpenApiParameter(name, str, required=False) for name in selectors.FILTERS]


@extend_schema(parameters=LIST_PARAMETERS)
class CaseViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Case.objects.all()
    serializer_class = FeedbackCaseSerializer

    def get_queryset(self):
        params = self.request.query_params if self.action == "list" else {}
        return selectors.case_list(self.request.user, params).select_related("unit", "post")

    @extend_schema(request=IntakeSerializer, responses={201: FeedbackCaseSerializer})
    def create(self, request):
        """Register a case (the office's integrations; e.g. a 12345 work order with its number)."""
        serializer = IntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = intake_from(request, serializer.validated_data)
        return Response(self._data(case), status=status.HTTP_201_CREATED)

    def _data(self, case):
        fresh = Case.objects.select_related("unit", "post").get(pk=case.pk)
        return FeedbackCaseSerializer(fresh, context={"request": self.request}).data

    def _act(self, func, **kwargs):
        case = self.get_object()
        return Response(self._data(func(self.request.user, case, **kwargs)))

    @extend_schema(request=inline_serializer("CaseDispatch", {"unit": serializers.IntegerField(), **NOTE}),
                   responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_case(self, request, pk=None):
        case = self.get_object()
        unit_id = _body(request).get("unit")
        unit = get_object_or_404(Unit.objects.filter(centre_id=case.centre_id), pk=unit_id) \
            if str(unit_id or "").isdigit() and len(str(unit_id)) < 10 else None
        return Response(self._data(services.dispatch_case(request.user, case, unit=unit,
                                                          note=str(_body(request).get("note") or ""))))

    @extend_schema(request=None, responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(services.accept_case)

    @extend_schema(request=inline_serializer("CaseReturn", {"reason": serializers.CharField()}),
                   responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(services.return_case, reason=str(_body(request).get("reason") or ""))

    @extend_schema(request=inline_serializer("CaseSupervise", {"due": serializers.DateField(),
                                                               "note": serializers.CharField()}),
                   responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        raw = str(_body(request).get("due") or "")
        try:
            due = parse_date(raw) if len(raw) <= 10 else None
        except ValueError:
            due = None
        return self._act(services.supervise_case, due=due, note=str(_body(request).get("note") or ""))

    @extend_schema(request=inline_serializer("CaseAskExtension", {"days": serializers.IntegerField(),
                                                                  "reason": serializers.CharField()}),
                   responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"], url_path="ask-extension")
    def ask_extension(self, request, pk=None):
        return self._act(services.ask_extension, days=_body(request).get("days"),
                         reason=str(_body(request).get("reason") or ""))

    @extend_schema(request=inline_serializer("CaseDecideExtension", {"grant": serializers.BooleanField(), **NOTE}),
                   responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"], url_path="decide-extension")
    def decide_extension(self, request, pk=None):
        return self._act(services.decide_extension, grant=_body(request).get("grant") in (True, "true", "1", 1),
                         note=str(_body(request).get("note") or ""))

    @extend_schema(request=inline_serializer("CaseAnswer", {
        "answer": serializers.CharField(), "action_taken": serializers.CharField(required=False, allow_blank=True),
        "upheld": serializers.BooleanField(required=False, allow_null=True),
        "broken_pledge": serializers.ChoiceField(case_pledge_choices(), required=False, allow_blank=True,
                                                 help_text="An upheld complaint about a post: the signboard pledge "
                                                           "it broke, or 'none'.")}),
        responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        upheld = _body(request).get("upheld")
        upheld = {True: True, "true": True, False: False, "false": False}.get(upheld) if not isinstance(
            upheld, list | dict) else None
        return self._act(services.answer_case, answer=str(_body(request).get("answer") or ""),
                         action_taken=str(_body(request).get("action_taken") or ""), upheld=upheld,
                         broken_pledge=str(_body(request).get("broken_pledge") or ""))

    @extend_schema(request=inline_serializer("CaseCallBack", {"result": serializers.ChoiceField(Callback.choices),
                                                              **NOTE}), responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"], url_path="call-back")
    def call_back(self, request, pk=None):
        return self._act(services.call_back, result=str(_body(request).get("result") or ""),
                         note=str(_body(request).get("note") or ""))

    @extend_schema(request=inline_serializer("CaseDecide", {"redo": serializers.BooleanField(),
                                                            "note": serializers.CharField()}),
                   responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._act(services.decide_case, redo=_body(request).get("redo") in (True, "true", "1", 1),
                         note=str(_body(request).get("note") or ""))

    @extend_schema(request=inline_serializer("CaseClose", {"note": serializers.CharField()}),
                   responses={200: FeedbackCaseSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(services.close_case, note=str(_body(request).get("note") or ""))


router = SimpleRouter()
router.register("cases", CaseViewSet)


def _campaigns():
    from .api_campaigns import CampaignViewSet  # it imports this module's helpers

    return CampaignViewSet


router.register("campaigns", _campaigns())
urlpatterns = router.urls
