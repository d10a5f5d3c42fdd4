"""What the figures count. Each Metric names the rows it counts (`rows(centre_ids, first, last)`,
a queryset of the source app's rows in that date range), the field that dates a row, the
fields that place it in a scope (floor, branch, unit, window, person) and, for averages, the
field summed. The refresh groups these rows by month and scope; the rows page lists the
same rows, filtered by one month and one scope. So a number and its rows are one query.

Organisational life is read through `vanguard.life.selectors` (its rows functions);
ratings, assessment and posts through their models, as the dashboard may (DESIGN.md)."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local_start(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI)


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Metric:
    key: str
    label: object
    source: object  # (centre_ids, first_day, last_day) -> queryset of the counted rows
    date: str  # the field (path) dating a row
    dims: dict  # Dim value -> field path of the scope's id
    columns: tuple  # (label, field path) shown on the rows page
    is_datetime: bool = True
    total: str | None = None  # a field summed (averages)
    per_centre: bool = False  # the source takes one centre at a time
    app: str = ""
    centre: str = "centre_id"  # the field (path) of the row's centre
    updated: str | None = None  # a field stamped on every change of a row (the refresh's digest reads it)

    def rows(self, centre_ids, first, last):
        return self.source(list(centre_ids), first, last)

    def date_q(self, first, last):
        """Rows dated in [first, last] (days, local time)."""
        if self.is_datetime:
            return Q(**{f"{self.date}__gte": local_start(first),
                        f"{self.date}__lt": local_start(last + datetime.timedelta(days=1))})
        return Q(**{f"{self.date}__gte": first, f"{self.date}__lte": last})


# Sources ---------------------------------------------------------------------------------------

def _transactions(completed=False):
    def source(ids, first, last):
        from vanguard.ratings.models import Transaction

        date = "completed_at" if completed else "accepted_at"
        return Transaction.objects.filter(centre__in=ids).filter(
            **{f"{date}__gte": local_start(first), f"{date}__lt": local_start(last + datetime.timedelta(days=1))})
    return source


def _ratings(levels=None):
    def source(ids, first, last):
        from vanguard.ratings.models import Rating

        qs = Rating.objects.filter(centre__in=ids, set_aside=False, day__gte=first, day__lte=last)
        return qs.filter(level__in=levels) if levels else qs
    return source


def _cases(on_time=False):
    def source(ids, first, last):
        from vanguard.ratings.models import RectificationCase

        qs = RectificationCase.objects.filter(centre__in=ids, state="closed", closed_at__gte=local_start(first),
                                              closed_at__lt=local_start(last + datetime.timedelta(days=1)))
        return qs.filter(overdue_at__isnull=True) if on_time else qs
    return source


def _results(stars=False):
    def source(ids, first, last):
        from vanguard.assessment.models import Period, Result

        qs = Result.objects.filter(period__centre__in=ids, is_current=True, total__isnull=False,
                                   period__status__in=[Period.Status.PUBLICITY, Period.Status.FINAL],
                                   period__month__gte=month_start(first), period__month__lte=last)
        return qs.filter(is_star=True) if stars else qs
    return source


def _post_events(action):
    def source(ids, first, last):
        from vanguard.posts.models import PostEvent

        return PostEvent.objects.filter(post__centre__in=ids, action=action, at__gte=local_start(first),
                                        at__lt=local_start(last + datetime.timedelta(days=1)))
    return source


def _feedback(figure):
    """Feedback cases (the cases app), through its selectors."""
    def source(ids, first, last):
        from vanguard.cases import selectors

        return selectors.dashboard_rows(figure, ids, local_start(first), local_start(last + datetime.timedelta(days=1)))
    return source


def _pledges(figure):
    """Pledges (the pledges app), through its selectors."""
    def source(ids, first, last):
        from vanguard.pledges import selectors

        return selectors.dashboard_rows(figure, ids, local_start(first), local_start(last + datetime.timedelta(days=1)))
    return source


def _attendance(ids, first, last):
    from vanguard.life import selectors

    [centre] = ids
    return selectors.attendance_rows(centre, first, last).filter(status="present").select_related(None)


def _activities(ids, first, last):
    from vanguard.life import selectors

    [centre] = ids
    return selectors.activity_rows(centre, first, last).select_related(None)


TXN_DIMS = {"floor": "window__floor_id", "branch": "person__branch_id", "unit": "unit_id", "window": "window_id",
            "person": "person_id"}
RATING_DIMS = {"floor": "floor_id", "branch": "branch_id", "unit": "unit_id", "window": "window_id",
               "post": "post_id", "person": "person_id"}
CASE_DIMS = {"floor": "rating__floor_id", "branch": "rating__branch_id", "unit": "unit_id",
             "window": "rating__window_id", "post": "rating__post_id", "person": "person_id"}
RESULT_DIMS = {"floor": "person__window__floor_id", "branch": "branch_id", "unit": "unit_id",
               "window": "person__window_id", "person": "person_id"}
POST_DIMS = {"floor": "post__floor_id", "unit": "post__unit_id", "window": "post__window_id", "post": "post_id"}
FEEDBACK_DIMS = {"floor": "window__floor_id", "branch": "person__branch_id", "unit": "unit_id", "window": "window_id",
                 "post": "post_id", "person": "person_id"}
PLEDGE_DIMS = {"floor": "person__window__floor_id", "branch": "branch_id", "unit": "unit_id",
               "window": "person__window_id", "person": "person_id"}
LIFE_DIMS = {"floor": "person__window__floor_id", "branch": "person__branch_id", "unit": "person__unit_id",
             "window": "person__window_id", "person": "person_id"}

TXN_COLUMNS = ((_("Transaction number"), "number"), (_("Service item"), "service_item"),
               (_("Window"), "window__number"), (_("Full name"), "person__name"), (_("Accepted at"), "accepted_at"),
               (_("Completed at"), "completed_at"))
RATING_COLUMNS = ((_("Transaction number"), "transaction__number"), (_("Level"), "level"),
                  (_("Window"), "window__number"), (_("Full name"), "person__name"), (_("Rated at"), "rated_at"))
CASE_COLUMNS = ((_("Transaction number"), "rating__transaction__number"), (_("Unit"), "unit__name"),
                (_("Full name"), "person__name"), (_("Closed at"), "closed_at"), (_("Overdue since"), "overdue_at"))
RESULT_COLUMNS = ((_("Month"), "period__month"), (_("Full name"), "person__name"), (_("Party branch"), "branch__name"),
                  (_("Total points"), "total"), (_("Star member"), "is_star"))
POST_COLUMNS = ((_("Vanguard post"), "post__name"), (_("Time"), "at"), (_("Reason"), "reason"))
FEEDBACK_COLUMNS = ((_("Tracking number"), "number"), (_("Kind"), "kind"), (_("Status"), "status"),
                    (_("Unit"), "unit__name"), (_("Received at"), "received_at"), (_("Answered at"), "answered_at"),
                    (_("Call-back result"), "callback"))
PLEDGE_COLUMNS = ((_("Full name"), "person__name"), (_("Party branch"), "branch__name"), (_("Pledge"), "what"),
                  (_("Status"), "status"), (_("Year-end judgement"), "result"))
ATTENDANCE_COLUMNS = ((_("Date"), "meeting__date"), (_("Meeting"), "meeting__topic"), (_("Full name"), "person__name"))
ACTIVITY_COLUMNS = ((_("Date"), "activity__date"), (_("What was done"), "activity__description"),
                    (_("Full name"), "person__name"), (_("Hours"), "activity__hours"))

METRICS = {m.key: m for m in [
    Metric("accepted", _("Matters accepted"), _transactions(), "accepted_at", TXN_DIMS, TXN_COLUMNS, app="ratings"),
    Metric("completed", _("Matters completed"), _transactions(completed=True), "completed_at", TXN_DIMS,
           TXN_COLUMNS, app="ratings"),
    Metric("rated", _("Ratings"), _ratings(), "day", RATING_DIMS, RATING_COLUMNS, is_datetime=False, app="ratings"),
    Metric("satisfied", _("Satisfied ratings"), _ratings((5, 4, 3)), "day", RATING_DIMS, RATING_COLUMNS,
           is_datetime=False, app="ratings"),
    Metric("bad", _("Bad reviews"), _ratings((2, 1)), "day", RATING_DIMS, RATING_COLUMNS, is_datetime=False,
           app="ratings"),
    Metric("cases_closed", _("Rectifications closed"), _cases(), "closed_at", CASE_DIMS, CASE_COLUMNS,
           app="ratings"),
    Metric("cases_on_time", _("Rectifications closed on time"), _cases(on_time=True), "closed_at", CASE_DIMS,
           CASE_COLUMNS, app="ratings"),
    Metric("results", _("Members assessed"), _results(), "period__month", RESULT_DIMS, RESULT_COLUMNS,
           is_datetime=False, total="total", app="assessment", centre="period__centre_id"),
    Metric("stars", _("Star members"), _results(stars=True), "period__month", RESULT_DIMS, RESULT_COLUMNS,
           is_datetime=False, app="assessment", centre="period__centre_id"),
    Metric("named", _("Posts named"), _post_events("name"), "at", POST_DIMS, POST_COLUMNS, app="posts",
           centre="post__centre_id"),
    Metric("revoked", _("Posts revoked"), _post_events("revoke"), "at", POST_DIMS, POST_COLUMNS, app="posts",
           centre="post__centre_id"),
    Metric("fb_received", _("Feedback cases received"), _feedback("received"), "received_at", FEEDBACK_DIMS,
           FEEDBACK_COLUMNS, app="cases"),
    Metric("fb_complaints", _("Complaints received"), _feedback("complaints"), "received_at", FEEDBACK_DIMS,
           FEEDBACK_COLUMNS, app="cases"),
    Metric("fb_suggestions", _("Suggestions received"), _feedback("suggestions"), "received_at", FEEDBACK_DIMS,
           FEEDBACK_COLUMNS, app="cases"),
    Metric("fb_help", _("Requests for help received"), _feedback("help"), "received_at", FEEDBACK_DIMS,
           FEEDBACK_COLUMNS, app="cases"),
    Metric("fb_praise", _("Praise received"), _feedback("praise"), "received_at", FEEDBACK_DIMS, FEEDBACK_COLUMNS,
           app="cases"),
    Metric("fb_closed", _("Feedback cases closed"), _feedback("closed"), "closed_at", FEEDBACK_DIMS,
           FEEDBACK_COLUMNS, app="cases"),
    Metric("fb_answered", _("Feedback cases answered"), _feedback("answered"), "answered_at", FEEDBACK_DIMS,
           FEEDBACK_COLUMNS, app="cases"),
    Metric("fb_on_time", _("Feedback cases answered on time"), _feedback("on_time"), "answered_at", FEEDBACK_DIMS,
           FEEDBACK_COLUMNS, app="cases"),
    Metric("fb_called_back", _("Feedback cases called back"), _feedback("called_back"), "called_back_at",
           FEEDBACK_DIMS, FEEDBACK_COLUMNS, app="cases"),
    Metric("fb_satisfied", _("Satisfied at call-back"), _feedback("satisfied"), "called_back_at", FEEDBACK_DIMS,
           FEEDBACK_COLUMNS, app="cases"),
    Metric("pl_made", _("Pledges made"), _pledges("made"), "created_at", PLEDGE_DIMS, PLEDGE_COLUMNS,
           app="pledges", updated="updated_at"),
    Metric("pl_approved", _("Pledges approved"), _pledges("approved"), "reviewed_at", PLEDGE_DIMS, PLEDGE_COLUMNS,
           app="pledges", updated="updated_at"),
    Metric("pl_judged", _("Pledges judged at year's end"), _pledges("judged"), "judged_at", PLEDGE_DIMS,
           PLEDGE_COLUMNS, app="pledges", updated="updated_at"),
    Metric("pl_kept", _("Pledges kept"), _pledges("kept"), "judged_at", PLEDGE_DIMS, PLEDGE_COLUMNS,
           app="pledges", updated="updated_at"),
    Metric("attendance", _("Meeting attendances"), _attendance, "meeting__date", LIFE_DIMS, ATTENDANCE_COLUMNS,
           is_datetime=False, per_centre=True, app="life", centre="meeting__centre_id"),
    Metric("activities", _("Service activities (person-times)"), _activities, "activity__date", LIFE_DIMS,
           ACTIVITY_COLUMNS, is_datetime=False, per_centre=True, app="life", centre="activity__centre_id"),
]}


def ratio(num, den):
    """A percentage with one decimal, or None without a denominator."""
    return None if not den else round(num * 100.0 / den, 1)


# The figures a page shows: counts, and rates / averages built from two counts.
# (key, label, kind, numerator metric, denominator metric)
KPIS = [
    ("accepted", _("Matters accepted"), "count", "accepted", None),
    ("completed", _("Matters completed"), "count", "completed", None),
    ("satisfaction", _("Satisfaction"), "rate", "satisfied", "rated"),
    ("bad", _("Bad reviews"), "count", "bad", None),
    ("on_time", _("Rectification on time"), "rate", "cases_on_time", "cases_closed"),
    ("stars", _("Star members"), "count", "stars", None),
    ("average", _("Average assessment points"), "average", "results", "results"),
    ("named", _("Posts named"), "count", "named", None),
    ("revoked", _("Posts revoked"), "count", "revoked", None),
    ("fb_received", _("Feedback cases received"), "count", "fb_received", None),
    ("fb_complaints", _("Complaints received"), "count", "fb_complaints", None),
    ("fb_on_time", _("Feedback answered on time"), "rate", "fb_on_time", "fb_answered"),
    ("fb_satisfied", _("Satisfied at call-back"), "rate", "fb_satisfied", "fb_called_back"),
    ("pl_made", _("Pledges made"), "count", "pl_made", None),
    ("pl_approved", _("Pledges approved"), "count", "pl_approved", None),
    ("pl_kept", _("Pledges kept (of those judged, %)"), "rate", "pl_kept", "pl_judged"),
    ("attendance", _("Meeting attendances"), "count", "attendance", None),
    ("activities", _("Service activities (person-times)"), "count", "activities", None),
]
