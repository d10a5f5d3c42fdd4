"""Reads shared by the cases pages and the API: the lists a user may see, with their
filters; the figures per unit, post and person; the public view of one case."""

from django.db.models import Count, Q
from django.utils import timezone

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from .models import OPEN_STATUSES, Callback, Case, CaseStep, Kind, Source, Status, normalise_number

FILTERS = ("status", "kind", "source", "unit", "post", "person", "overdue", "supervised", "queue", "q", "year")


def acting_units(user):
    """The units whose cases the user handles (handler grants)."""
    return scope_for(user).units(Role.HANDLER)


def case_list(user, params=None):
    """The user's visible cases, filtered by the list's parameters (unknown values are ignored)."""
    params = params or {}
    qs = Case.objects.visible_to(user).select_related("unit", "post")
    get = params.get
    if get("status") in Status.values:
        qs = qs.filter(status=get("status"))
    elif get("status") == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    if get("kind") in Kind.values:
        qs = qs.filter(kind=get("kind"))
    if get("source") in Source.values:
        qs = qs.filter(source=get("source"))
    for name in ("unit", "post", "person"):
        value = str(get(name) or "")
        if value.isdigit() and len(value) < 12:
            qs = qs.filter(**{f"{name}_id": int(value)})
    if get("overdue") in ("1", "true", True):
        qs = qs.filter(overdue_at__isnull=False)
    if get("supervised") in ("1", "true", True):
        qs = qs.filter(supervised_at__isnull=False)
    if get("queue") in ("1", "true", True):
        # What the unit must act on now: accept or return, answer.
        qs = qs.filter(status__in=[Status.DISPATCHED, Status.ACCEPTED], unit__in=acting_units(user))
    year = str(get("year") or "")
    if year.isdigit() and 1900 <= int(year) <= 2100:
        import datetime

        qs = qs.filter(received_at__gte=_start_of(datetime.date(int(year), 1, 1)),
                       received_at__lt=_start_of(datetime.date(int(year) + 1, 1, 1)))
    q = str(get("q") or "").strip()[:64]
    if q:
        number = normalise_number(q)
        qs = qs.filter(number=number) if number else qs.filter(source_ref=q)
    return qs


def _start_of(day):
    import datetime

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


# Called back: a result was recorded, or a dissatisfied call-back sent the case back for a redo
# (which clears the result for the next round). One definition for the figures and the campaigns.
CALLED_BACK = ~Q(callback="") | Q(round__gt=1)
SATISFIED = Q(callback__in=[Callback.SATISFIED, Callback.BASIC])


def figure_counts():
    """The conditional counts of one figures row (one pass over the cases)."""
    complaint = Q(kind=Kind.COMPLAINT)
    return {
        "total": Count("pk"),
        "complaints": Count("pk", filter=complaint),
        "suggestions": Count("pk", filter=Q(kind=Kind.SUGGESTION)),
        "help": Count("pk", filter=Q(kind=Kind.HELP)),
        "praise": Count("pk", filter=Q(kind=Kind.PRAISE)),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "closed": Count("pk", filter=Q(status=Status.CLOSED)),
        "overdue": Count("pk", filter=Q(overdue_at__isnull=False)),
        "answered": Count("pk", filter=Q(answered_on_time__isnull=False)),
        "on_time": Count("pk", filter=Q(answered_on_time=True)),
        "called_back": Count("pk", filter=CALLED_BACK),
        "satisfied": Count("pk", filter=SATISFIED),
        "upheld": Count("pk", filter=complaint & Q(upheld=True)),
        "repeat": Count("pk", filter=complaint & Q(repeat_of__isnull=False)),
    }


def _rates(row):
    def pct(a, b):
        return round(a * 100 / b, 1) if b else None

    row["on_time_rate"] = pct(row["on_time"], row["answered"])
    row["satisfied_rate"] = pct(row["satisfied"], row["called_back"])
    return row


def figures(queryset):
    """The figures of a set of cases: by kind and status, on-time and satisfied rates, repeats."""
    return _rates(queryset.order_by().aggregate(**figure_counts()))


DIMENSIONS = {"unit": "unit__name", "post": "post__name", "person": "person__name"}


def figures_by(queryset, dimension, limit=200):
    """One row per unit / post / person (most cases first), in one grouped query."""
    field = f"{dimension}_id"
    rows = (queryset.order_by().exclude(**{f"{field}__isnull": True}).values(field)
            .annotate(**figure_counts()).order_by("-total", field)[:limit])
    rows = [_rates(dict(row)) for row in rows]
    model = Case._meta.get_field(dimension).related_model
    names = dict(model.objects.filter(pk__in=[r[field] for r in rows]).values_list("pk", "name"))
    for row in rows:
        row["key"], row["name"] = row[field], names.get(row[field], "")
    return rows


def public_case(number):
    """(case, public steps) for the tracking page, or (None, []) - never more than a citizen may read."""
    number = normalise_number(number)
    if not number:
        return None, []
    case = (Case.objects.filter(number=number).select_related("unit", "post", "centre")
            .only("number", "kind", "status", "public_content", "received_at", "round", "due", "centre__name",
                  "unit__name", "post__name", "post__code", "closed_at", "source").first())
    if case is None:
        return None, []
    steps = list(CaseStep.objects.filter(case=case, public=True).order_by("at", "pk")
                 .only("action", "at", "public_note", "round", "deadline"))
    return case, steps


# The rows the figures room counts (vanguard/dashboard/metrics.py): figure -> (the field dating a
# case for it, which cases). Received by kind, closed, answered (on time), called back (satisfied).
DASHBOARD_FIGURES = {
    "received": ("received_at", Q()),
    "complaints": ("received_at", Q(kind=Kind.COMPLAINT)),
    "suggestions": ("received_at", Q(kind=Kind.SUGGESTION)),
    "help": ("received_at", Q(kind=Kind.HELP)),
    "praise": ("received_at", Q(kind=Kind.PRAISE)),
    "closed": ("closed_at", Q(status=Status.CLOSED)),
    "answered": ("answered_at", Q(answered_on_time__isnull=False)),
    "on_time": ("answered_at", Q(answered_on_time=True)),
    "called_back": ("called_back_at", ~Q(callback="")),
    "satisfied": ("called_back_at", Q(callback__in=[Callback.SATISFIED, Callback.BASIC])),
}


def dashboard_rows(figure, centre_ids, start, end):
    """The cases one figure counts: of these centres, dated in [start, end) (aware datetimes)."""
    dated, which = DASHBOARD_FIGURES[figure]
    return Case.objects.filter(which, centre__in=centre_ids, **{f"{dated}__gte": start, f"{dated}__lt": end})


def answered_on_time(year, *, unit_id=None, person_id=None):
    """The cases of a unit (or about a person) received in a year whose first answer is in:
    {"answered", "on_time"} - the year-end evidence of the units' responsibility letters."""
    import datetime

    qs = Case.objects.filter(received_at__gte=_start_of(datetime.date(year, 1, 1)),
                             received_at__lt=_start_of(datetime.date(year + 1, 1, 1)))
    qs = qs.filter(person_id=person_id) if person_id is not None else qs.filter(unit_id=unit_id)
    return qs.order_by().aggregate(answered=Count("pk", filter=Q(answered_on_time__isnull=False)),
                                   on_time=Count("pk", filter=Q(answered_on_time=True)))


# Review campaigns ----------------------------------------------------------------------------

def campaign_list(user):
    """The campaigns the user may see (the office's), with their units and answers counted per row."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from vanguard.core.aggregates import subquery_count
    from vanguard.surveys.models import AnswerSheet

    from .models import Campaign

    answers = (AnswerSheet.objects.filter(evaluation_id=OuterRef("evaluation_id")).order_by().values("evaluation")
               .annotate(n=Count("pk")).values("n")[:1])
    return (Campaign.objects.visible_to(user).select_related("centre")
            .annotate(unit_count=subquery_count(Campaign.units.through.objects.all(), "campaign"),
                      answer_count=Coalesce(Subquery(answers), 0))
            .order_by("-starts_on", "-pk"))


def campaign_figures(campaign):
    """The campaign's figures: reviewers (answer sheets), answers per group (the live progress),
    issues routed to units as cases, answered, answered on time, called back and satisfied."""
    from vanguard.surveys.services import progress

    groups = progress(campaign.evaluation)
    cases = Case.objects.filter(source=Source.CAMPAIGN, source_ref=campaign.ref).aggregate(
        routed=Count("pk", filter=Q(unit__isnull=False)), raised=Count("pk"),
        answered=Count("pk", filter=Q(answered_on_time__isnull=False)),
        on_time=Count("pk", filter=Q(answered_on_time=True)),
        called_back=Count("pk", filter=CALLED_BACK), satisfied=Count("pk", filter=SATISFIED))
    figures = {"reviewers": sum(g["answers"] for g in groups), "invited": sum(g["issued"] for g in groups),
               "quota": sum(g["quota"] for g in groups), "groups": groups, **cases}
    figures["on_time_rate"] = _percent(cases["on_time"], cases["answered"])
    figures["satisfied_rate"] = _percent(cases["satisfied"], cases["called_back"])
    return figures


def _percent(part, whole):
    return round(part * 100 / whole, 1) if whole else None


def campaign_results(campaign):
    """Each unit's result with its rank: kept when the campaign closed, computed live before."""
    if campaign.status == campaign.Status.CLOSED:
        return list(campaign.results.select_related("unit").order_by("rank", "unit__name"))
    from .campaigns import compute_results

    rows = compute_results(campaign)
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.unit.name))
