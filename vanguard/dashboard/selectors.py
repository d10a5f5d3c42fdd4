"""Reads of the figures room shared by the pages, the API, the big screen and the report.

A scope is "city", or "<dim>:<id>" with dim one of centre, floor, branch, unit, window,
post (a vanguard post), person. Who may read which scope (`check_scope`): an administrator every scope; a centre's
office every scope inside its centres (and "city" when it is the office of several centres:
the city's office); a branch secretary its branches and their members; a unit's handler,
liaison or scorer its unit, the unit's windows and people. Anything else is refused (403)
before any figure is read, so no total carries another scope's numbers."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Min, Sum
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Floor, Organization, Person, ServiceCentre, Unit, Window
from vanguard.posts.models import VanguardPost

from .metrics import KPIS, METRICS, next_month, ratio
from .models import Dim, Figure, Refresh

MODELS = {Dim.CENTRE: ServiceCentre, Dim.FLOOR: Floor, Dim.BRANCH: Organization, Dim.UNIT: Unit,
          Dim.WINDOW: Window, Dim.POST: VanguardPost, Dim.PERSON: Person}
UNIT_ROLES = (Role.HANDLER, Role.LIAISON, Role.SCORER)


@dataclass
class Scope:
    dim: str  # "city" or a Dim value
    key: int
    centre_ids: list
    obj: object = None

    @property
    def code(self):
        return "city" if self.dim == "city" else f"{self.dim}:{self.key}"

    @property
    def label(self):
        if self.dim == "city":
            return _("The whole city")
        return str(self.obj)

    @property
    def centre_id(self):
        return self.centre_ids[0] if len(self.centre_ids) == 1 else None


def city_centre_ids(user):
    """The centres a city view covers for this user (all for an administrator)."""
    scope = scope_for(user)
    if scope.is_admin:
        return list(ServiceCentre.objects.order_by("pk").values_list("pk", flat=True))
    return scope.centres(Role.OFFICE)


def is_city_office(user):
    scope = scope_for(user)
    return scope.is_admin or len(scope.centres(Role.OFFICE)) > 1


def _allowed(user, dim, obj):
    scope = scope_for(user)
    if scope.is_admin:
        return True
    centre_id = obj.pk if dim == Dim.CENTRE else obj.centre_id
    if centre_id in scope.centres(Role.OFFICE):
        return True
    if dim == Dim.BRANCH:
        return scope.covers_path(obj.path, Role.SECRETARY)
    if dim == Dim.UNIT:
        return scope.covers_unit(obj.pk, *UNIT_ROLES)
    if dim == Dim.WINDOW:
        return scope.covers_unit(obj.unit_id, *UNIT_ROLES)
    if dim == Dim.POST:  # the post's unit, or its window's
        unit_id = obj.unit_id or (obj.window.unit_id if obj.window_id else None)
        return bool(unit_id) and scope.covers_unit(unit_id, *UNIT_ROLES)
    if dim == Dim.PERSON:
        if obj.unit_id and scope.covers_unit(obj.unit_id, *UNIT_ROLES):
            return True
        return bool(obj.branch_id) and scope.covers_path(obj.branch.path, Role.SECRETARY)
    return False


def default_scope_code(user):
    scope = scope_for(user)
    if is_city_office(user):
        return "city"
    if scope.centres(Role.OFFICE):
        return f"centre:{scope.centres(Role.OFFICE)[0]}"
    paths = scope.paths(Role.SECRETARY)
    if paths:
        branch = Organization.objects.filter(path=paths[0]).values_list("pk", flat=True).first()
        if branch:
            return f"branch:{branch}"
    units = scope.units(*UNIT_ROLES)
    if units:
        return f"unit:{units[0]}"
    raise PermissionDenied(_("Your role has no figures to see."))


def check_scope(user, code):
    """The Scope named by `code` if `user` may read it; 404 when it names nothing, 403 when not theirs."""
    code = (code or "").strip() or default_scope_code(user)
    if code == "city":
        if not is_city_office(user):
            raise PermissionDenied(_("Only the city's office sees the whole city."))
        return Scope("city", 0, city_centre_ids(user))
    dim, _sep, key = code.partition(":")
    if dim not in MODELS or not key.isdigit() or len(key) > 12:
        raise Http404
    model = MODELS[dim]
    qs = {Dim.PERSON: model.objects.select_related("branch"),
          Dim.POST: model.objects.select_related("window")}.get(dim, model.objects)
    obj = qs.filter(pk=int(key)).first()
    if obj is None:
        raise Http404
    if not _allowed(user, dim, obj):
        raise PermissionDenied(_("These figures are outside your scope."))
    centre_id = obj.pk if dim == Dim.CENTRE else obj.centre_id
    return Scope(dim, obj.pk, [centre_id], obj)


# Months ----------------------------------------------------------------------------------

def parse_month(text, today=None):
    """'YYYY-MM' -> its first day; default this month. Bad text -> this month."""
    today = today or datetime.date.today()
    try:
        year, month = (int(p) for p in (text or "").split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def previous_month(month):
    return (month - datetime.timedelta(days=1)).replace(day=1)


def same_month_last_year(month):
    return month.replace(year=month.year - 1)


def last_months(month, count=12):
    months = [month]
    for _i in range(count - 1):
        months.append(previous_month(months[-1]))
    return list(reversed(months))


# Figures ---------------------------------------------------------------------------------

def _figure_filter(scope):
    if scope.dim == "city":
        return {"centre__in": scope.centre_ids, "dim": Dim.CENTRE, "key": 0}
    if scope.dim == Dim.CENTRE:
        return {"centre_id": scope.key, "dim": Dim.CENTRE, "key": 0}
    return {"centre_id": scope.centre_ids[0], "dim": scope.dim, "key": scope.key}


def figure_table(scope, months):
    """{(metric, month): (n, total)} of the scope over these months, in one query (a city's
    rows summed over its centres)."""
    rows = (Figure.objects.filter(month__in=months, **_figure_filter(scope)).values("metric", "month")
            .annotate(sn=Sum("n"), st=Sum("total")).order_by())
    return {(r["metric"], r["month"]): (r["sn"] or 0, r["st"] or 0) for r in rows}


def rows_url(scope, metric, month):
    return reverse("dashboard:rows") + "?" + urlencode({"metric": metric, "scope": scope.code,
                                                      "month": f"{month:%Y-%m}"})


def kpi_value(table, kind, num, den, month):
    n = table.get((num, month), (0, 0))
    if kind == "count":
        return n[0]
    if kind == "rate":
        return ratio(n[0], table.get((den, month), (0, 0))[0])
    if kind == "average":
        return None if not n[0] else round(float(n[1]) / n[0], 2)
    return None


def kpis(scope, month, table=None):
    """The page's figures: this month, last month, the same month last year, each with the
    URLs of the rows it counts."""
    months = [month, previous_month(month), same_month_last_year(month)]
    table = figure_table(scope, months) if table is None else table
    out = []
    for key, label, kind, num, den in KPIS:
        values = []
        for m in months:
            links = [{"label": METRICS[num].label, "url": rows_url(scope, num, m),
                      "n": table.get((num, m), (0, 0))[0]}]
            if den and den != num:
                links.append({"label": METRICS[den].label, "url": rows_url(scope, den, m),
                              "n": table.get((den, m), (0, 0))[0]})
            values.append({"month": m, "value": kpi_value(table, kind, num, den, m), "links": links})
        out.append({"key": key, "label": label, "kind": kind, "this": values[0], "last": values[1],
                    "year_ago": values[2]})
    return out


def trend(scope, month, count=12):
    """Twelve months of matters accepted, ratings, bad reviews and satisfaction, with each
    point's rows URL (the chart's points are links)."""
    months = last_months(month, count)
    table = figure_table(scope, months)
    series = []
    for key, metric in (("accepted", "accepted"), ("bad", "bad"), ("stars", "stars")):
        series.append({"key": key, "name": str(METRICS[metric].label), "type": "bar",
                       "data": [table.get((metric, m), (0, 0))[0] for m in months],
                       "urls": [rows_url(scope, metric, m) for m in months]})
    series.append({"key": "satisfaction", "name": str(_("Satisfaction")) + " %", "type": "line",
                   "data": [kpi_value(table, "rate", "satisfied", "rated", m) for m in months],
                   "urls": [rows_url(scope, "satisfied", m) for m in months]})
    return {"months": [f"{m:%Y-%m}" for m in months], "series": series}


def computed_at(scope):
    """When the scope's figures were computed (the oldest of its centres'), or None."""
    return Refresh.objects.filter(centre__in=scope.centre_ids).aggregate(at=Min("computed_at"))["at"]


def children(user, scope, month):
    """The scopes one level down, each with this month's accepted, satisfaction and bad reviews
    (one query for the figures of all of them)."""
    if scope.dim == "city":
        items = [(Dim.CENTRE, c) for c in ServiceCentre.objects.filter(pk__in=scope.centre_ids).order_by("code")]
    elif scope.dim == Dim.CENTRE:
        items = [(Dim.FLOOR, f) for f in Floor.objects.filter(centre_id=scope.key).order_by("number")]
        items += [(Dim.UNIT, u) for u in Unit.objects.filter(centre_id=scope.key).order_by("name")[:200]]
    elif scope.dim == Dim.FLOOR:
        items = [(Dim.BRANCH, b) for b in Organization.objects.filter(floor_id=scope.key)]
        items += [(Dim.WINDOW, w) for w in Window.objects.filter(floor_id=scope.key).order_by("number")[:200]]
    elif scope.dim == Dim.BRANCH:
        items = [(Dim.PERSON, p) for p in Person.objects.filter(branch_id=scope.key, is_active=True)
                 .order_by("name")[:200]]
    elif scope.dim == Dim.UNIT:
        items = [(Dim.WINDOW, w) for w in Window.objects.filter(unit_id=scope.key).order_by("number")[:200]]
        items += [(Dim.POST, p) for p in VanguardPost.objects.filter(unit_id=scope.key, window__isnull=True)
                  .select_related("window").order_by("name")[:200]]
    elif scope.dim == Dim.WINDOW:
        items = [(Dim.POST, p) for p in VanguardPost.objects.filter(window_id=scope.key).select_related("window")
                 .order_by("name")[:200]]
        items += [(Dim.PERSON, p) for p in Person.objects.filter(window_id=scope.key, is_active=True)
                  .order_by("name")[:200]]
    elif scope.dim == Dim.POST:
        items = [(Dim.PERSON, p) for p in Person.objects.filter(vanguard_posts=scope.key, is_active=True)
                 .order_by("name")[:200]]
    else:
        items = []
    if not items:
        return []
    centre_ids = scope.centre_ids
    wanted = ("accepted", "satisfied", "rated", "bad")
    figures = {}
    by_dim = {}
    for dim, obj in items:
        by_dim.setdefault(dim, []).append(obj.pk)
    from django.db.models import Q

    q = Q(pk__in=[])
    for dim, keys in by_dim.items():
        if dim == Dim.CENTRE:
            q |= Q(dim=Dim.CENTRE, key=0, centre__in=keys)
        else:
            q |= Q(dim=dim, key__in=keys, centre__in=centre_ids)
    for row in Figure.objects.filter(q, month=month, metric__in=wanted).values("dim", "key", "centre_id", "metric",
                                                                            "n"):
        key = row["centre_id"] if row["dim"] == Dim.CENTRE else row["key"]
        figures[(row["dim"], key, row["metric"])] = row["n"]
    out = []
    for dim, obj in items:
        get = lambda metric, dim=dim, obj=obj: figures.get((dim, obj.pk, metric), 0)  # noqa: E731
        out.append({"dim": dim, "label": str(obj), "code": f"{dim}:{obj.pk}",
                    "allowed": _allowed(user, dim, obj),
                    "accepted": get("accepted"), "bad": get("bad"),
                    "satisfaction": ratio(get("satisfied"), get("rated"))})
    return out


def dashboard(user, scope, month):
    return {"scope": scope, "month": month, "previous": previous_month(month),
            "year_ago": same_month_last_year(month), "kpis": kpis(scope, month), "trend": trend(scope, month),
            "computed_at": computed_at(scope), "children": children(user, scope, month)}


# The rows behind a number ------------------------------------------------------------------

def rows(scope, metric_key, month):
    """The rows a figure counts: the metric's own rows for the month, narrowed to the scope."""
    metric = METRICS.get(metric_key)
    if metric is None:
        raise Http404
    first, last = month, next_month(month) - datetime.timedelta(days=1)
    if metric.per_centre and len(scope.centre_ids) != 1:
        qs = None
        for centre in scope.centre_ids:
            part = metric.rows([centre], first, last)
            qs = part if qs is None else qs | part
        return metric, (qs if qs is not None else metric.rows([0], first, last).none())
    qs = metric.rows(scope.centre_ids, first, last)
    if scope.dim not in ("city", Dim.CENTRE):
        path = metric.dims.get(scope.dim)
        if path is None:
            return metric, qs.none()
        qs = qs.filter(**{path: scope.key})
    return metric, qs


def rows_count(qs, cap):
    """The count of a figure's rows up to cap + 1 (exact below it: it must equal the number shown), ids only,
    without ordering or joins. A city's month of transactions is 170,000 rows: counting them all on a cold
    server took 3 s; past the cap the page shows the figure's own pre-aggregated number."""
    return qs.order_by().values("pk")[:cap + 1].count()


def display_rows(model, paths, rows):
    """The rows with each choice field's value shown by its label (a case's kind, a pledge's status)."""
    labels = []
    for path in paths:
        current, field = model, None
        for part in path.split("__"):
            try:
                field = current._meta.get_field(part)
            except Exception:  # noqa: BLE001 -- an id or an annotation: shown as it is
                field = None
                break
            current = field.related_model or current
        labels.append(dict(field.flatchoices) if field is not None and field.choices else None)
    return [[choices.get(v, v) if choices and v is not None else v for v, choices in zip(row, labels, strict=True)]
            for row in rows]


# The city roll-up ---------------------------------------------------------------------------

def rollup(user, month):
    """Every centre side by side (the city's office) or the user's centre(s) and the city's
    average only (a centre's office). Ranks by satisfaction, with last month's rank."""
    scope = scope_for(user)
    city = is_city_office(user)
    all_ids = list(ServiceCentre.objects.values_list("pk", flat=True))
    shown_ids = city_centre_ids(user) if city else scope.centres(Role.OFFICE)
    if not shown_ids:
        raise PermissionDenied(_("Only a party-building office sees the city roll-up."))
    prev = previous_month(month)
    wanted = ("accepted", "completed", "satisfied", "rated", "bad", "cases_on_time", "cases_closed", "stars",
              "results")
    data = {}
    for row in Figure.objects.filter(dim=Dim.CENTRE, key=0, month__in=[month, prev], metric__in=wanted,
                                     centre__in=all_ids).values("centre_id", "month", "metric", "n", "total"):
        data[(row["centre_id"], row["month"], row["metric"])] = (row["n"], row["total"])

    def line(cid, m):
        g = lambda metric: data.get((cid, m, metric), (0, 0))  # noqa: E731
        res = g("results")
        return {"accepted": g("accepted")[0], "completed": g("completed")[0], "bad": g("bad")[0],
                "satisfaction": ratio(g("satisfied")[0], g("rated")[0]),
                "on_time": ratio(g("cases_on_time")[0], g("cases_closed")[0]), "stars": g("stars")[0],
                "average": round(float(res[1]) / res[0], 2) if res[0] else None}

    def ranks(m):
        rates = sorted(((line(c, m)["satisfaction"] or -1, c) for c in all_ids), reverse=True)
        return {c: i + 1 for i, (_rate, c) in enumerate(rates)}

    now_ranks, prev_ranks = ranks(month), ranks(prev)
    names = dict(ServiceCentre.objects.filter(pk__in=shown_ids).values_list("pk", "name"))
    rows_ = []
    for cid in sorted(shown_ids, key=lambda c: now_ranks.get(c, 0)):
        rows_.append({"centre_id": cid, "name": names.get(cid, ""), "rank": now_ranks.get(cid),
                      "rank_before": prev_ranks.get(cid), **line(cid, month)})
    n = len(all_ids) or 1
    totals = {k: sum(line(c, month)[k] or 0 for c in all_ids) for k in ("accepted", "completed", "bad", "stars")}
    sat = [line(c, month)["satisfaction"] for c in all_ids if line(c, month)["satisfaction"] is not None]
    average = {k: round(v / n, 1) for k, v in totals.items()}
    average["satisfaction"] = round(sum(sat) / len(sat), 1) if sat else None
    return {"city": city, "rows": rows_, "average": average, "centres": len(all_ids), "month": month}
