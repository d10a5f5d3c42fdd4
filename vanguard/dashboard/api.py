"""API of the figures room, mounted under /api/v1/:

- GET /figures/?scope=city|centre:ID|floor:ID|branch:ID|unit:ID|window:ID|post:ID|person:ID&month=YYYY-MM
  the dashboard's numbers for one scope and month (with last month and the same month last
  year), when they were computed, and the URL of the rows behind each (for the province's
  platform). A scope the caller may not read is 403; one that names nothing is 404."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import router, selectors

VALUE = inline_serializer("FigureValue", {
    "month": serializers.CharField(), "value": serializers.FloatField(allow_null=True),
    "rows": serializers.ListField(child=serializers.CharField())})


class FiguresView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="figures",
        parameters=[OpenApiParameter("scope", OpenApiTypes.STR, pattern=r"^(city|(centre|floor|branch|unit|window|post|person):\d+)$",
                                     description="city, or dim:id (default: the caller's widest scope)"),
                    OpenApiParameter("month", OpenApiTypes.STR, pattern=r"^\d{4}-\d{2}$",
                                     description="YYYY-MM (default: this month)")],
        responses={200: inline_serializer("Figures", {
            "scope": serializers.CharField(), "label": serializers.CharField(), "month": serializers.CharField(),
            "computed_at": serializers.DateTimeField(allow_null=True),
            "replica_lag_seconds": serializers.FloatField(
                allow_null=True, help_text="read from a streaming replica this many seconds behind the primary "
                                           "(0: up to date; null: read from the primary)"),
            "figures": inline_serializer("Figure", {
                "key": serializers.CharField(), "label": serializers.CharField(), "kind": serializers.CharField(),
                "this_month": VALUE, "last_month": VALUE, "same_month_last_year": VALUE}, many=True)})})
    def get(self, request):
        with router.replica_reads():
            scope = selectors.check_scope(request.user, request.query_params.get("scope"))
            month = selectors.parse_month(request.query_params.get("month"), timezone.localdate())
            figures = selectors.kpis(scope, month)
            computed = selectors.computed_at(scope)
            lag = router.freshness()

        def value(v):
            return {"month": f"{v['month']:%Y-%m}", "value": v["value"],
                    "rows": [request.build_absolute_uri(link["url"]) for link in v["links"]]}

        return Response({
            "scope": scope.code, "label": scope.label, "month": f"{month:%Y-%m}", "computed_at": computed,
            "replica_lag_seconds": lag, "figures": [{"key": f["key"], "label": str(f["label"]), "kind": f["kind"],
                         "this_month": value(f["this"]), "last_month": value(f["last"]),
                         "same_month_last_year": value(f["year_ago"])} for f in figures]})


urlpatterns = [path("figures/", FiguresView.as_view(), name="api-figures")]
