"""API of review campaigns (评议活动), mounted under /api/v1/campaigns/ (the office's):

- GET /campaigns/ and /campaigns/{id}/: the campaign, its units and groups, its figures
  (reviewers, answers per group, issues routed, answered on time, satisfied at call-back) and
  its results per unit with ranks (kept at closing, live before).
- POST /campaigns/ creates one; POST /campaigns/{id}/open|close|quota|codes|invite: the same
  services as the pages. The codes come back once, in the answer of `codes`."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from vanguard.core.api_base import ScopedViewSetMixin
from vanguard.core.permissions import office_centre
from vanguard.core.roles import Role
from vanguard.org.models import Unit
from vanguard.surveys.models import EvaluatorGroup

from . import campaigns, selectors
from .api import _body
from .models import Campaign


class CampaignResultSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    rank = serializers.IntegerField(allow_null=True)
    answers = serializers.IntegerField()
    dont_know = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    mean = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    issues = serializers.IntegerField()


class CampaignGroupSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    quota = serializers.IntegerField()
    issued = serializers.IntegerField()
    used = serializers.IntegerField()
    answers = serializers.IntegerField()


class CampaignFiguresSerializer(serializers.Serializer):
    reviewers = serializers.IntegerField()
    invited = serializers.IntegerField()
    quota = serializers.IntegerField()
    groups = CampaignGroupSerializer(many=True)
    raised = serializers.IntegerField()
    routed = serializers.IntegerField()
    answered = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    called_back = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    satisfied_rate = serializers.FloatField(allow_null=True)


class CampaignSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "centre", "title", "starts_on", "ends_on", "status", "status_display", "units",
                  "recent_days", "opened_at", "closed_at"]
        read_only_fields = fields


class CampaignDetailSerializer(CampaignSerializer):
    figures = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "figures", "results"]
        read_only_fields = fields

    @extend_schema_field(CampaignFiguresSerializer)
    def get_figures(self, obj):
        return CampaignFiguresSerializer(selectors.campaign_figures(obj)).data

    @extend_schema_field(CampaignResultSerializer(many=True))
    def get_results(self, obj):
        return CampaignResultSerializer(selectors.campaign_results(obj), many=True).data


class CampaignCreateSerializer(serializers.Serializer):
    centre = serializers.IntegerField(required=False, help_text="Needed when the token's office holds several.")
    title = serializers.CharField(max_length=100)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    units = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), allow_empty=False,
                                  max_length=1000)
    groups = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=100000), required=False,
                                   help_text="Quota per reviewer group: " + ", ".join(EvaluatorGroup.Kind.values))
    recent_days = serializers.IntegerField(required=False, default=90, min_value=1, max_value=365)


GROUP = serializers.ChoiceField(choices=EvaluatorGroup.Kind.choices)
VALID = {"valid_days": serializers.IntegerField(required=False, default=14)}


class CampaignViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    write_roles = (Role.ADMIN, Role.OFFICE)
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    select_related = ("evaluation",)
    prefetch_related = ("units",)

    def get_serializer_class(self):
        return CampaignDetailSerializer if self.action != "list" else CampaignSerializer

    def refine_queryset(self, queryset):
        return queryset.order_by("-starts_on", "-pk")

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignDetailSerializer})
    def create(self, request):
        serializer = CampaignCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        centre = office_centre(request.user, data.get("centre"), several=_("Choose the service centre."),
                               message=_("Only the party-building office may manage review campaigns."))
        units = list(Unit.objects.filter(centre=centre, pk__in=data["units"]))
        if len(units) != len(set(data["units"])):
            raise ValidationError({"units": _("Only units of this service centre can be reviewed.")})
        campaign = campaigns.create_campaign(request.user, centre, title=data["title"], starts_on=data["starts_on"],
                                             ends_on=data["ends_on"], units=units, groups=data.get("groups"),
                                             recent_days=data.get("recent_days", 90))
        return Response(self._data(campaign), status=status.HTTP_201_CREATED)

    def _data(self, campaign):
        fresh = get_object_or_404(self.get_queryset(), pk=campaign.pk)
        return CampaignDetailSerializer(fresh, context={"request": self.request}).data

    def _act(self, func, **kwargs):
        result = func(self.request.user, self.get_object(), **kwargs)
        return result

    @extend_schema(request=None, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"], url_path="open")
    def open_campaign(self, request, pk=None):
        return Response(self._data(self._act(campaigns.open_campaign)))

    @extend_schema(request=None, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return Response(self._data(self._act(campaigns.close_campaign)))

    @extend_schema(request=inline_serializer("CampaignQuota", {"kind": GROUP, "quota": serializers.IntegerField()}),
                   responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def quota(self, request, pk=None):
        campaign = self.get_object()
        campaigns.set_quota(request.user, campaign, kind=str(_body(request).get("kind") or ""),
                            quota=_body(request).get("quota"))
        return Response(self._data(campaign))

    @extend_schema(request=inline_serializer("CampaignCodes", {"kind": GROUP, "count": serializers.IntegerField(),
                                                               **VALID}),
                   responses={201: inline_serializer("CampaignCodesIssued", {
                       "codes": serializers.ListField(child=serializers.CharField()),
                       "urls": serializers.ListField(child=serializers.CharField())})})
    @action(detail=True, methods=["post"])
    def codes(self, request, pk=None):
        made = self._act(campaigns.issue_codes, kind=str(_body(request).get("kind") or ""),
                         count=_body(request).get("count"), valid_days=_body(request).get("valid_days") or 14)
        return Response({"codes": [i.code for i in made], "urls": [i.public_url for i in made]},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=inline_serializer("CampaignInvite", {"count": serializers.IntegerField(), **VALID}),
                   responses={201: inline_serializer("CampaignInvited", {"invited": serializers.IntegerField()})})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        invited = self._act(campaigns.invite_service_users, count=_body(request).get("count"),
                            valid_days=_body(request).get("valid_days") or 14)
        return Response({"invited": invited}, status=status.HTTP_201_CREATED)
