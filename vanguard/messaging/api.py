"""API routes of messaging, mounted under /api/v1/: lessons, broadcasts (with
progress, pause, cancel, resend-failed), messages, circulars (with sign and
coverage) and the delivery-receipt callbacks of the HTTP gateways."""

import hmac
import json

import django_filters
from django.conf import settings
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from vanguard.core.api_base import (
    CurrentCentreDefault,
    DisplayField,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSetMixin,
    ServiceModelSerializer,
    ServiceWriteMixin,
)
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Floor, Organization, ServiceCentre, Unit

from . import dispatch, services
from . import services_docs as docs
from .audience import preview
from .channels import aliyun, tencent
from .models import Broadcast, Circular, Column, Lesson, Message
from .receipts import apply_events


def related(model, **kwargs):
    return ScopedPrimaryKeyRelatedField(queryset=model.objects.all(), **kwargs)


# Lessons --------------------------------------------------------------------------------------


class LessonSerializer(ServiceModelSerializer):
    centre = related(ServiceCentre, default=CurrentCentreDefault())
    column = related(Column, required=False, allow_null=True)
    branch = related(Organization, required=False, allow_null=True)
    unit = related(Unit, required=False, allow_null=True)
    floor = related(Floor, required=False, allow_null=True)
    send_at = serializers.DateTimeField(required=False, allow_null=True)
    category_display = DisplayField(source="get_category_display")
    preview = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "centre", "column", "category", "category_display", "title", "sms_text", "web_body",
                  "audience", "branch", "unit", "floor", "send_at", "repeat_weekly", "series_weeks", "urgent",
                  "status", "preview", "code"]
        read_only_fields = ["status", "code"]
        create_only_fields = ("centre", "repeat_weekly", "series_weeks")

    def get_preview(self, obj) -> dict:
        shown = preview(obj.sms_text, link_code=obj.code if obj.web_body.strip() else None)
        return {k: shown[k] for k in ("text", "chars", "parts", "limit")}


class LessonViewSet(ScopedViewSetMixin, ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)
    queryset = Lesson.objects.all()
    serializer_class = LessonSerializer
    select_related = ("column",)
    filterset_fields = ["category", "column", "status"]

    def refine_queryset(self, queryset):
        if not _office_any(self.request.user):
            queryset = queryset.filter(status=Lesson.Status.SENT)
        return queryset

    def service_create_kwargs(self, data):
        data = dict(data)
        return {"centre": data.pop("centre"), **data}

    @staticmethod
    def create_service(actor, centre, **data):
        return services.create_lesson(actor, centre, **data)

    @staticmethod
    def update_service(actor, lesson, **changes):
        changes.pop("centre", None)
        return services.update_lesson(actor, lesson, **changes)


def _office_any(user):
    scope = scope_for(user)
    return scope.is_admin or bool(scope.centres(Role.OFFICE))


# Broadcasts and messages ---------------------------------------------------------------------


class BroadcastSerializer(ServiceModelSerializer):
    centre = related(ServiceCentre, default=CurrentCentreDefault())
    branch = related(Organization, required=False, allow_null=True)
    unit = related(Unit, required=False, allow_null=True)
    floor = related(Floor, required=False, allow_null=True)
    send_at = serializers.DateTimeField(required=False, allow_null=True)
    state_display = DisplayField(source="get_state_display")

    class Meta:
        model = Broadcast
        fields = ["id", "centre", "lesson", "title", "text", "audience", "branch", "unit", "floor", "send_at",
                  "urgent", "state", "state_display", "channel", "total", "resolved_at", "finished_at"]
        read_only_fields = ["lesson", "state", "channel", "total", "resolved_at", "finished_at"]
        create_only_fields = ("centre",)


class BroadcastViewSet(ScopedViewSetMixin, ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, viewsets.GenericViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)
    queryset = Broadcast.objects.all()
    serializer_class = BroadcastSerializer
    filterset_fields = ["state", "lesson"]

    @staticmethod
    def create_service(actor, centre, **data):
        return services.create_broadcast(actor, centre, **data)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        return Response(dispatch.progress(self.get_object()))

    def _act(self, service):
        broadcast = self.get_object()
        service(self.request.user, broadcast)
        broadcast.refresh_from_db()
        return Response({**self.get_serializer(broadcast).data, "progress": dispatch.progress(broadcast)})

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._act(services.pause_broadcast)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._act(services.resume_broadcast)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(services.cancel_broadcast)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="resend-failed")
    def resend_failed(self, request, pk=None):
        return self._act(services.resend_failed)


class MessageSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, allow_null=True)
    state_display = DisplayField(source="get_state_display")

    class Meta:
        model = Message
        fields = ["id", "broadcast", "person", "person_name", "mobile", "state", "state_display", "attempts",
                  "gateway_id", "error", "sent_at", "delivered_at"]


class MessageFilter(django_filters.FilterSet):
    class Meta:
        model = Message
        fields = ["broadcast", "state"]


class MessageViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Message.objects.all()
    serializer_class = MessageSerializer
    select_related = ("person",)
    filterset_class = MessageFilter


# Circulars ---------------------------------------------------------------------------------------


class CircularSerializer(ServiceModelSerializer):
    centre = related(ServiceCentre, default=CurrentCentreDefault())
    file = serializers.FileField(write_only=True)
    branches = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    signed = serializers.SerializerMethodField()

    class Meta:
        model = Circular
        fields = ["id", "centre", "title", "issuer", "number", "secrecy", "summary", "file", "file_kind",
                  "file_size", "branches", "circulated_at", "created_at", "signed"]
        read_only_fields = ["file_kind", "file_size", "circulated_at", "created_at"]
        create_only_fields = ("centre",)

    def get_signed(self, obj) -> bool:
        person = getattr(self.context["request"].user, "person", None)
        return bool(person) and obj.signatures.filter(person=person).exists()


class CirculateSerializer(serializers.Serializer):
    branches = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class CircularViewSet(ScopedViewSetMixin, ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)
    action_write_roles = {"sign": None}  # any reader the circular was sent to
    queryset = Circular.objects.all()
    serializer_class = CircularSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    prefetch_related = ("branches",)

    @staticmethod
    def create_service(actor, centre, **data):
        return docs.upload_circular(actor, centre, **data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        signature = docs.sign_circular(request.user, self.get_object())
        return Response({"signed_at": signature.signed_at}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        circular = self.get_object()
        if not services.is_office(request.user, circular.centre_id):
            # A secretary sees its own branches' coverage only.
            scope = scope_for(request.user)
            branches = [b for b in circular.branches.order_by("path") if scope.covers_path(b.path, Role.SECRETARY)]
            if not branches:
                return Response({"detail": _("You are not allowed to do this.")}, status=status.HTTP_403_FORBIDDEN)
        else:
            branches = None
        rows = docs.coverage(circular, branches)
        signatures = {}
        for sig in circular.signatures.select_related("person"):
            signatures.setdefault(sig.branch_id, []).append({"person": sig.person.name, "signed_at": sig.signed_at})
        return Response([{"branch": r["branch"].pk, "branch_name": r["branch"].name, "members": r["members"],
                          "signed": r["signed"], "percent": r["percent"], "full": r["full"],
                          "signatures": signatures.get(r["branch"].pk, [])} for r in rows])

    @extend_schema(request=CirculateSerializer)
    @action(detail=True, methods=["post"])
    def circulate(self, request, pk=None):
        circular = self.get_object()
        data = CirculateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        branches = list(Organization.objects.visible_to(request.user).filter(pk__in=data.validated_data["branches"]))
        if len(branches) != len(set(data.validated_data["branches"])):
            return Response({"branches": [_("One of the branches does not exist.")]}, status=400)
        docs.circulate(request.user, circular, branches)
        return Response(self.get_serializer(circular).data)


# Receipts ------------------------------------------------------------------------------------------


class ReceiptView(APIView):
    """A gateway's delivery-report push. Aliyun and Tencent sign nothing in these
    pushes; they are authenticated by the secret token in the callback URL
    configured at the gateway (VANGUARD_SMS_RECEIPT_TOKEN), compared in constant time."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    channel = ""
    parse = None
    ok_body = {}

    def get_throttles(self):
        # The gateway (right token) pushes as fast as it sends; guesses at the token are
        # throttled like every anonymous request.
        expected = settings.SMS["RECEIPT_TOKEN"]
        if expected and hmac.compare_digest(self.kwargs.get("token", "").encode(), expected.encode()):
            return []
        return super().get_throttles()

    @extend_schema(request=dict, responses=dict)
    def post(self, request, token):
        expected = settings.SMS["RECEIPT_TOKEN"]
        if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
            return Response({"detail": _("This receipt is not from the gateway: the callback token is wrong.")},
                            status=status.HTTP_403_FORBIDDEN)
        try:
            events = type(self).parse(json.loads(request.body or b"null"))
        except (ValueError, KeyError, TypeError):
            return Response({"detail": _("The receipt could not be read: a JSON list of reports was expected.")},
                            status=status.HTTP_400_BAD_REQUEST)
        summary = apply_events(self.channel, events)
        if summary["unknown"] and not summary["applied"] and not summary["replayed"]:
            return Response({"detail": _("The receipt names a message this system did not send: %(keys)s")
                             % {"keys": ", ".join(summary["unknown"][:5])}}, status=status.HTTP_404_NOT_FOUND)
        if summary["replayed"] and not summary["applied"]:
            return Response({**self.ok_body, "detail": _("This receipt was already received; nothing changed.")},
                            status=status.HTTP_409_CONFLICT)
        return Response({**self.ok_body, "applied": summary["applied"], "replayed": summary["replayed"],
                         "unknown": summary["unknown"]})


class AliyunReceiptView(ReceiptView):
    channel = "aliyun"
    parse = staticmethod(aliyun.parse_report)
    ok_body = {"code": 0, "msg": "成功"}


class TencentReceiptView(ReceiptView):
    channel = "tencent"
    parse = staticmethod(tencent.parse_report)
    ok_body = {"result": 0, "errmsg": "OK"}


router = SimpleRouter()
router.register("lessons", LessonViewSet)
router.register("broadcasts", BroadcastViewSet)
router.register("messages", MessageViewSet)
router.register("circulars", CircularViewSet)
urlpatterns = [
    *router.urls,
    path("receipts/aliyun/<str:token>/", AliyunReceiptView.as_view(), name="receipt-aliyun"),
    path("receipts/tencent/<str:token>/", TencentReceiptView.as_view(), name="receipt-tencent"),
]
