"""Reads shared by the pledges pages (staff and public), the posts' signboard and the API."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.http import urlencode

from vanguard.core.aggregates import subquery_count
from vanguard.org.models import Organization, ServiceCentre, Unit

from .common import mask_numbers
from .models import Comment, Pledge, PledgeStat, Progress, Result

Status = Pledge.Status
# A branch's wall shows at most this many pledges of a year (a branch has tens of members).
WALL_LIMIT = 500
COUNTS = ("members", "made", "approved", "kept", "partly", "not_kept")
# The columns a public page may read of a pledge and its member: what a signboard shows.
WALL_ONLY = ("pk", "year", "what", "deadline", "measure", "result", "midyear_result", "person__name",
             "person__job", "person_id", "branch_id")


def wall_pledges(branch_id, year):
    """A branch's public wall: the approved pledges of a year, with the member's name and job and
    the number of published comments; one query."""
    return list(Pledge.objects.filter(branch_id=branch_id, year=year, status=Status.APPROVED)
                .select_related("person").only(*WALL_ONLY)
                .annotate(comments_published=subquery_count(
                    Comment.objects.filter(status=Comment.Status.PUBLISHED), "pledge"))
                .order_by("person__name", "deadline", "pk")[:WALL_LIMIT])


def wall_version(branch_id, year):
    """The latest change of a branch's pledges of a year (their count too: a deletion shows)."""
    from django.db.models import Max

    row = Pledge.objects.filter(branch_id=branch_id, year=year).order_by().aggregate(
        at=Max("updated_at"), n=Count("pk"))
    return f"{row['n']}-{row['at'].timestamp() if row['at'] else 0}"


def holder_pledge_annotations(year):
    """Annotations of a post holder (posts.PostHolder) with their approved pledges of `year`: the first
    one's text, deadline and result, and their number. Correlated subqueries: the signboard's holders
    query carries them, so the signboard spends no query on pledges."""
    from django.db.models import OuterRef, Subquery

    approved = Pledge.objects.filter(person_id=OuterRef("person_id"), year=year, status=Status.APPROVED)
    first = approved.order_by("deadline", "pk")
    return {
        "pledge_what": Subquery(first.values("what")[:1]),
        "pledge_deadline": Subquery(first.values("deadline")[:1]),
        "pledge_result": Subquery(first.values("result")[:1]),
        "pledge_count": Subquery(approved.order_by().values("person_id").annotate(n=Count("pk")).values("n")[:1]),
    }


def published_comments(pledge):
    return list(Comment.objects.filter(pledge=pledge, status=Comment.Status.PUBLISHED)
                .only("author_name", "body", "created_at").order_by("-created_at", "-pk")[:50])


def kept_rate(kept, judged):
    """Kept pledges in % of the judged ones (year-end)."""
    if not judged:
        return None
    return (Decimal(kept) * 100 / Decimal(judged)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _finish(row):
    row = {c: row.get(c) or 0 for c in COUNTS} | {k: v for k, v in row.items() if k not in COUNTS}
    row["judged"] = row["kept"] + row["partly"] + row["not_kept"]
    row["rate"] = kept_rate(row["kept"], row["judged"])
    return row


def figures(stats, year, group=None):
    """Sums of PledgeStat rows (already scoped), in total and per `group` ('centre', 'unit', 'branch')."""
    total = _finish(stats.filter(year=year).order_by().aggregate(**{c: Sum(c) for c in COUNTS}))
    rows = figure_page(list(figure_rows(stats, year, group)), group) if group else []
    return total, rows


GROUP_MODELS = {"centre": ServiceCentre, "unit": Unit, "branch": Organization}


def figure_rows(stats, year, group):
    """One grouped row of sums per `group`, in the groups' own order (their ids: the roster's order):
    a queryset, so that a page shows a page of them (a city has 10,000 branches); read in the
    (year, group) index's order, a page stops after its rows instead of sorting every group by name."""
    return (stats.filter(year=year).order_by().values(f"{group}_id").annotate(**{c: Sum(c) for c in COUNTS})
            .order_by(f"{group}_id"))


def figure_page(rows, group):
    """The rows of a page, finished, with their groups' names (one query for the page)."""
    key = f"{group}_id"
    names = dict(GROUP_MODELS[group].objects.filter(pk__in=[r[key] for r in rows if r[key]])
                 .values_list("pk", "name"))
    out = []
    for row in rows:
        row = _finish(row)
        row["key"], row["name"] = row[key], names.get(row[key], "")
        out.append(row)
    return out


def letter_figures(letters, year):
    """The letters of a year as Harbin reports them ("65 units signed target responsibility
    letters, with 1,800 leaders"): units with a signed unit letter, leaders with a signed own letter."""
    from .models import Letter

    return letters.filter(year=year, status=Letter.Status.SIGNED).order_by().aggregate(
        units=Count("unit_id", filter=Q(kind=Letter.Kind.UNIT), distinct=True),
        leaders=Count("leader_id", filter=Q(kind=Letter.Kind.LEADER), distinct=True))


def list_url(year, **filters):
    """The staff list of the pledges a figure counts."""
    query = {"year": year, **{k: v for k, v in filters.items() if v not in (None, "")}}
    return reverse("pledges:list") + "?" + urlencode(query)


def filter_pledges(qs, params):
    """The list's filters (also the targets of the figures' links)."""
    for field in ("centre", "branch", "unit", "person"):
        value = params.get(field)
        if value and str(value).isdigit():
            qs = qs.filter(**{f"{field}_id": int(value)})
    state = params.get("state")
    if state in Status.values:
        qs = qs.filter(status=state)
    elif state in Result.values:
        qs = qs.filter(result=state)
    elif state == "judged":
        qs = qs.exclude(result="")
    elif state == "due":
        qs = qs.filter(status=Status.APPROVED, result="")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(what__icontains=q) | Q(person__name__icontains=q))
    return qs


def stats_for(user):
    return PledgeStat.objects.visible_to(user)


# The rows the figures room counts (vanguard/dashboard/metrics.py): figure -> (the field dating a
# pledge for it, which pledges). Made, approved, judged at year's end, kept.
DASHBOARD_FIGURES = {
    "made": ("created_at", Q()),
    "approved": ("reviewed_at", Q(status=Status.APPROVED)),
    "judged": ("judged_at", ~Q(result="")),
    "kept": ("judged_at", Q(result=Result.KEPT)),
}


def dashboard_rows(figure, centre_ids, start, end):
    """The pledges one figure counts: of these centres, dated in [start, end) (aware datetimes)."""
    dated, which = DASHBOARD_FIGURES[figure]
    return Pledge.objects.filter(which, centre__in=centre_ids, **{f"{dated}__gte": start, f"{dated}__lt": end})


# Evidence from organisational life (the life app) ---------------------------------------

LIFE_CHOICES = 100  # of each kind: a member's year of meetings and activities fits well under it


def _year_range(year):
    import datetime

    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def member_meetings(person_id, year):
    """Meetings held in the year that the member attended (present): the member's own records."""
    from vanguard.life.models import Attendance, Meeting

    return (Meeting.objects.filter(status=Meeting.Status.HELD, date__range=_year_range(year), pk__in=Attendance.objects
                                   .filter(person_id=person_id, status=Attendance.Status.PRESENT).values("meeting_id"))
            .only("pk", "kind", "topic", "date").order_by("-date", "-pk"))


def member_activities(person_id, year):
    """Approved service activities of the year the member took part in: the member's own records."""
    from vanguard.life.models import Activity, ActivityParticipant

    return (Activity.objects.filter(status=Activity.Status.APPROVED, date__range=_year_range(year),
                                    pk__in=ActivityParticipant.objects.filter(person_id=person_id)
                                    .values("activity_id"))
            .select_related("kind").only("pk", "date", "hours", "kind__name").order_by("-date", "-pk"))


def life_summary(progress):
    """The public words of a progress's life record: kind, date and a meeting's topic, an
    activity's kind, date and hours - never the names of the people in it."""
    if progress.meeting_id and progress.meeting is not None:
        m = progress.meeting
        return f"{m.get_kind_display()} · {m.date:%Y-%m-%d} · {m.topic}"
    if progress.activity_id and progress.activity is not None:
        a = progress.activity
        hours = f" · {a.hours}h" if a.hours else ""
        return f"{a.kind.name} · {a.date:%Y-%m-%d}{hours}"
    return ""


def life_choices(pledge):
    """The progress form's chooser: ("m<id>" | "a<id>", words) of the member's own records of
    the pledge's year, meetings then activities (two queries, at most LIFE_CHOICES of each)."""
    from django.utils.translation import gettext as _

    meetings = member_meetings(pledge.person_id, pledge.year)[:LIFE_CHOICES]
    activities = member_activities(pledge.person_id, pledge.year)[:LIFE_CHOICES]
    return ([(f"m{m.pk}", f"{_('meeting record')}：{m.get_kind_display()} · {m.date:%Y-%m-%d} · {m.topic}") for m in meetings]
            + [(f"a{a.pk}", f"{_('activity record')}：{a.kind.name} · {a.date:%Y-%m-%d}") for a in activities])


def public_progress(pledge):
    """The wall's confirmed progress of a pledge, with the summaries of their life records."""
    items = list(Progress.objects.filter(pledge=pledge, confirmed_at__isnull=False)
                 .select_related("meeting", "activity__kind")
                 .only("pk", "day", "text", "meeting_id", "activity_id", "meeting__kind", "meeting__topic",
                       "meeting__date", "activity__date", "activity__hours", "activity__kind__name")
                 .order_by("day", "pk")[:50])
    for item in items:
        item.life_words = life_summary(item)
        item.public_text = mask_numbers(item.text)
    return items
