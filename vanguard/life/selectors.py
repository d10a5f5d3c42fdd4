"""Reads of organisational life shared by the pages, the API and other apps (the
assessment's automatic indicators read meetings and activities only through these).

Meeting kinds (`kind` of the attendance functions), `models.MeetingKind` values:
    "members"    支部党员大会   branch members' meeting
    "committee"  支部委员会     branch committee meeting
    "group"      党小组会       party group meeting
    "lesson"     党课           party lesson
    "theme_day"  主题党日       theme party day
    "life"       组织生活会     organisational life meeting
    "appraisal"  民主评议党员   democratic appraisal of members
`kind` may also be a list/tuple/set of these (e.g. the three meetings and one lesson).

Activity kinds (`kind` of the activity functions) are `models.ActivityKind.code` values,
configurable per centre; the defaults every centre starts with:
    "contact"    1+10联系       a member's contacts (each visit or call one record)
    "community"  下沉社区       community turns
    "bin_duty"   桶前值守       waste-sorting duty at the bins (with hours)
    "cleanup"    周末大扫除     weekend clean-up
    "epidemic"   疫情防控       epidemic-prevention duty
    "volunteer"  志愿服务       other volunteer service
It may also be a list/tuple/set of codes.

Counts are of meetings HELD (status "held") whose date (local) lies in
[first_day, last_day], and of activities APPROVED whose date lies in the range. Every
function is one aggregate query for a whole centre, whatever its size. People are keyed
by `org.Person` id; a person without rows is absent from the dict.

Attendance keys: expected (meetings the person was expected at), present, leave
(approved leave), absent (unexcused: marked absent or never recorded), makeup (of the
leave and absences, those made up by a recorded 补学).
"""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Round
from django.urls import reverse
from django.utils.http import urlencode

from .models import Activity, ActivityParticipant, Attendance, Meeting

ZERO_HOURS = Decimal("0.0")


def _kinds(kind):
    if kind is None:
        return None
    if isinstance(kind, list | tuple | set | frozenset):
        return list(kind)
    return [kind]


def _centre_id(centre):
    return getattr(centre, "pk", centre)


def attendance_rows(centre, first_day, last_day, person=None, kind=None):
    """The attendance rows behind `attendance_by_person` (held meetings in the range)."""
    rows = Attendance.objects.filter(meeting__centre_id=_centre_id(centre), meeting__status=Meeting.Status.HELD,
                                     meeting__date__gte=first_day, meeting__date__lte=last_day)
    kinds = _kinds(kind)
    if kinds is not None:
        rows = rows.filter(meeting__kind__in=kinds)
    if person is not None:
        rows = rows.filter(person_id=getattr(person, "pk", person))
    return rows.select_related("meeting", "meeting__organization", "person").order_by("meeting__date", "pk")


def _attendance_counts(prefix="", only=None):
    """The attendance figures as aggregates, each counting only the rows `only` selects
    (one definition for one kind and for several kinds side by side)."""
    only = only or Q()
    unexcused = Q(status__in=[Attendance.Status.ABSENT, Attendance.Status.PENDING])
    return {f"{prefix}expected": Count("pk", filter=only or None),
            f"{prefix}present": Count("pk", filter=only & Q(status=Attendance.Status.PRESENT)),
            f"{prefix}leave": Count("pk", filter=only & Q(status=Attendance.Status.LEAVE)),
            f"{prefix}absent": Count("pk", filter=only & unexcused),
            f"{prefix}makeup": Count("pk", filter=only & Q(makeup_on__isnull=False)
                                     & ~Q(status=Attendance.Status.PRESENT))}


def attendance_figures(centre, first_day, last_day, kind=None):
    """The figures behind `attendance_by_person` as one aggregate query: rows of person_id,
    expected, present, leave, absent, makeup. The assessment's bulk computation joins it in
    SQL; `attendance_by_person` reads it (one definition for both)."""
    return (attendance_rows(centre, first_day, last_day, kind=kind).select_related(None).order_by()
            .values("person_id").annotate(**_attendance_counts()))


def _union(kinds):
    """Every kind named by `kinds` (each None, a code or a list); None when one of them is all kinds."""
    if any(kind is None for kind in kinds):
        return None
    return sorted({k for kind in kinds for k in _kinds(kind)})


def attendance_figures_by_kinds(centre, first_day, last_day, kinds):
    """`attendance_figures` of several kinds (each None, a code or a list) in ONE pass over the
    records: rows of person_id and, for the i-th kind, k{i}_expected, k{i}_present, … (0 where
    the person has no row of that kind). The assessment asks for all its rules' kinds at once
    instead of reading the month's attendance once per kind."""
    rows = attendance_rows(centre, first_day, last_day, kind=_union(kinds)).select_related(None).order_by()
    counts = {}
    for n, kind in enumerate(kinds):
        counts.update(_attendance_counts(f"k{n}_", Q() if kind is None else Q(meeting__kind__in=_kinds(kind))))
    return rows.values("person_id").annotate(**counts)


def attendance_by_person(centre, first_day, last_day, kind=None):
    """{person_id: {"expected", "present", "leave", "absent", "makeup"}} in one query."""
    return {row.pop("person_id"): row for row in attendance_figures(centre, first_day, last_day, kind)}


def activity_rows(centre, first_day, last_day, person=None, kind=None):
    """The participant rows (one per person and activity) behind `activity_by_person`."""
    rows = ActivityParticipant.objects.filter(
        activity__centre_id=_centre_id(centre), activity__status=Activity.Status.APPROVED,
        activity__date__gte=first_day, activity__date__lte=last_day)
    kinds = _kinds(kind)
    if kinds is not None:
        rows = rows.filter(activity__kind__code__in=kinds)
    if person is not None:
        rows = rows.filter(person_id=getattr(person, "pk", person))
    return (rows.select_related("activity", "activity__kind", "activity__organization", "person")
            .order_by("activity__date", "pk"))


def _activity_sums(prefix="", only=None):
    """The activity figures as aggregates over the rows `only` selects (see _attendance_counts)."""
    only = only or Q()
    return {f"{prefix}times": Count("pk", filter=only or None),
            f"{prefix}hours": Round(Sum("activity__hours", filter=only or None), 1)}


def activity_figures(centre, first_day, last_day, kind=None):
    """The figures behind `activity_by_person` as one aggregate query: rows of person_id,
    times, hours (to 0.1). For the assessment's bulk computation and `activity_by_person`."""
    return (activity_rows(centre, first_day, last_day, kind=kind).select_related(None).order_by()
            .values("person_id").annotate(**_activity_sums()))


def activity_figures_by_kinds(centre, first_day, last_day, kinds):
    """`activity_figures` of several kinds in one pass (see attendance_figures_by_kinds): rows of
    person_id, k{i}_times and k{i}_hours (NULL where the person has no activity of that kind)."""
    rows = activity_rows(centre, first_day, last_day, kind=_union(kinds)).select_related(None).order_by()
    sums = {}
    for n, kind in enumerate(kinds):
        sums.update(_activity_sums(f"k{n}_", Q() if kind is None else Q(activity__kind__code__in=_kinds(kind))))
    return rows.values("person_id").annotate(**sums)


def activity_by_person(centre, first_day, last_day, kind=None):
    """{person_id: {"times": int, "hours": Decimal}} of approved activities, in one query."""
    result = {}
    for row in activity_figures(centre, first_day, last_day, kind):
        result[row["person_id"]] = {"times": row["times"],
                                    "hours": Decimal(row["hours"] or 0).quantize(ZERO_HOURS)}
    return result


def _rows_url(name, person=None, kind=None, first_day=None, last_day=None):
    params = {}
    if person is not None:
        params["person"] = getattr(person, "pk", person)
    if kind is not None:
        params["kind"] = ",".join(_kinds(kind))
    if first_day is not None:
        params["from"] = first_day.isoformat()
    if last_day is not None:
        params["to"] = last_day.isoformat()
    return reverse(name) + ("?" + urlencode(params) if params else "")


def attendance_rows_url(person=None, kind=None, first_day=None, last_day=None):
    """The page listing `attendance_rows` (the records behind an attendance cell)."""
    return _rows_url("life:attendance-rows", person, kind, first_day, last_day)


def activity_rows_url(person=None, kind=None, first_day=None, last_day=None):
    """The page listing `activity_rows` (the records behind an activity cell)."""
    return _rows_url("life:activity-rows", person, kind, first_day, last_day)


# The figures page: the seed's numbers, per branch, from the records --------------------------------

FIGURE_ACTIVITIES = ("contact", "bin_duty", "cleanup", "community")


def figures(centre, first_day, last_day, branches):
    """Per branch (and the centre's total): meetings held, attendance (expected, present, rate),
    and per activity kind person-times and hours. Three aggregate queries whatever the size;
    an organisation below a branch (a group) counts towards its branch."""
    from vanguard.org.models import Organization

    centre_id = _centre_id(centre)
    branches = list(branches)
    paths = sorted(((b.path, b) for b in branches), key=lambda x: -len(x[0]))
    org_paths = dict(Organization.objects.filter(centre_id=centre_id).values_list("pk", "path"))

    def branch_of(org_id):
        path = org_paths.get(org_id, "")
        for prefix, branch in paths:
            if path.startswith(prefix):
                return branch.pk
        return None

    def empty():
        return {"meetings": 0, "expected": 0, "present": 0, "activities": {}}

    rows = {b.pk: empty() for b in branches}
    total = empty()
    held = (Meeting.objects.filter(centre_id=centre_id, status=Meeting.Status.HELD, date__gte=first_day,
                                   date__lte=last_day).values("organization_id").annotate(n=Count("pk")).order_by())
    for row in held:
        target = rows.get(branch_of(row["organization_id"]))
        for bucket in (target, total):
            if bucket is not None:
                bucket["meetings"] += row["n"]
    # Counted by columns of indexes (meeting and status; a participant's activity), not the row ids: the
    # rows themselves are not read (an index-only scan; a city centre's year is 130,000 attendance rows).
    attendance = (attendance_rows(centre_id, first_day, last_day).select_related(None).order_by()
                  .values("meeting__organization_id")
                  .annotate(expected=Count("meeting"), present=Count("meeting",
                                                                     filter=Q(status=Attendance.Status.PRESENT))))
    for row in attendance:
        target = rows.get(branch_of(row["meeting__organization_id"]))
        for bucket in (target, total):
            if bucket is not None:
                bucket["expected"] += row["expected"]
                bucket["present"] += row["present"]
    activities = (activity_rows(centre_id, first_day, last_day).select_related(None).order_by()
                  .values("activity__organization_id", "activity__kind__code")
                  .annotate(times=Count("activity"), hours=Sum("activity__hours")))
    for row in activities:
        target = rows.get(branch_of(row["activity__organization_id"]))
        for bucket in (target, total):
            if bucket is not None:
                cell = bucket["activities"].setdefault(row["activity__kind__code"], {"times": 0, "hours": ZERO_HOURS})
                cell["times"] += row["times"]
                cell["hours"] += Decimal(row["hours"] or 0)
    for bucket in [*rows.values(), total]:
        bucket["rate"] = (Decimal(100 * bucket["present"]) / bucket["expected"]).quantize(Decimal("0.1")) \
            if bucket["expected"] else None
    return [(b, rows[b.pk]) for b in branches], total


# Fingerprints: cheap aggregates that move whenever the figures above could --------------------------

def attendance_fingerprint(centre, first_day, last_day):
    """One row of aggregates over the centre's held meetings in the range and their attendance:
    it moves when a meeting is held, edited (updated_at), removed, or when any attendance row
    changes status, appears, goes, or gains or loses a make-up study (per status, the count and
    the sum of row ids). The assessment compares it instead of reading every person's figures."""
    from django.db.models import Max

    rows = attendance_rows(centre, first_day, last_day).select_related(None).order_by()
    sums = {}
    for status in Attendance.Status.values:
        sums[f"n_{status}"] = Count("pk", filter=Q(status=status))
        sums[f"s_{status}"] = Sum("pk", filter=Q(status=status))
    head = rows.aggregate(**sums, n_makeup=Count("pk", filter=Q(makeup_on__isnull=False)),
                          s_makeup=Sum("pk", filter=Q(makeup_on__isnull=False)))
    meetings = Meeting.objects.filter(centre_id=_centre_id(centre), status=Meeting.Status.HELD, date__gte=first_day,
                                      date__lte=last_day).aggregate(n=Count("pk"), s=Sum("pk"), at=Max("updated_at"))
    return [meetings["n"], meetings["s"], str(meetings["at"])] + [head[k] or 0 for k in sorted(head)]


def activity_fingerprint(centre, first_day, last_day):
    """Aggregates over the centre's approved activities in the range and their participants:
    moves when an activity is approved or refused, added, removed, or its people change."""
    from django.db.models import F, Max

    activities = Activity.objects.filter(centre_id=_centre_id(centre), status=Activity.Status.APPROVED,
                                         date__gte=first_day, date__lte=last_day)
    head = activities.aggregate(n=Count("pk"), s=Sum("pk"), at=Max("decided_at"),
                                hours=Sum(F("hours") * F("pk")), kinds=Sum(F("kind_id") * F("pk")))
    people = ActivityParticipant.objects.filter(activity__in=activities).aggregate(n=Count("pk"), s=Sum("pk"))
    return [head["n"], head["s"], str(head["at"]), str(head["hours"]), head["kinds"], people["n"], people["s"]]
