"""The periodic sweep (`vanguard.cases.tasks.sweep`, every 10 minutes): records each
case's overdue moment once, when it happens, and sends reminders (催办) before the
deadline, once per deadline. Set-based: it reads only the open cases whose clock runs
through the partial indexes on `due` and `accept_due`, locks the ones it changes
(SKIP LOCKED: a second worker takes none of them) and records them with their steps - on
PostgreSQL in one statement per batch (UPDATE ... RETURNING feeding the steps' INSERT), else
one UPDATE and one bulk insert - and one audit row per centre. The notices go out after the
commit, in bulk: one `notify` per kind of event with every unit concerned as a recipient (one
notice per centre, one SMS broadcast for the urgent ones), so a sweep that rolls back tells no
one and a catch-up of thousands of cases costs a handful of statements. A run that finds
nothing writes nothing."""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.system import SYSTEM, actor_name
from vanguard.org.models import Unit

from .base import calendar
from .models import Case, CaseRules, CaseStep, Status

Step = CaseStep.Action
# At most this many cases per statement, so a backlog cannot hold locks for long.
BATCH = 20000


def _late(today):
    accept = Q(status=Status.DISPATCHED, accept_due__lt=today)
    answer = Q(status__in=[Status.DISPATCHED, Status.ACCEPTED], due__lt=today)
    return accept, answer


def _lock(qs):
    return list(qs.select_for_update(skip_locked=True, of=("self",)).values_list(
        "pk", "centre_id", "unit_id", "number", "round", "status", "due", "accept_due")[:BATCH])


def _notices(rows, subject, body, urgency):
    """One notice per centre to every unit that has cases in `rows` (its handlers; urgent ones
    also by SMS, one broadcast): called after the sweep's transaction has committed."""
    from vanguard.notices.services import notify

    unit_ids = sorted({row[2] for row in rows if row[2] is not None})
    if not unit_ids:
        return
    units = list(Unit.objects.filter(pk__in=unit_ids))
    notify(SYSTEM, recipients=units, kind="escalation" if urgency == "urgent" else "other", urgency=urgency,
           title=subject, body=body, url="/cases/?queue=1")


def _audit(rows, verb, now):
    by_centre = defaultdict(list)
    for row in rows:
        by_centre[row[1]].append(row)
    audit.record_many(SYSTEM, [
        {"action": audit.Action.UPDATE, "model": Case._meta.label_lower, "object_id": centre_rows[0][0],
         "object_repr": centre_rows[0][3], "verb": verb, "centre_id": centre_id,
         "changes": {"cases": [None, [r[3] for r in centre_rows]]}}
        for centre_id, centre_rows in by_centre.items()], at=now)


def _steps(rows, action, now, note_of):
    if connection.vendor == "postgresql":
        # One INSERT ... SELECT of the cases' own columns: no step built in Python, one id array.
        notes = [note_of(row) for row in rows]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {CaseStep._meta.db_table} (case_id, round, action, at, actor_id, actor_name, unit_id, "
                f"note, public_note, public, deadline) SELECT c.id, c.round, %s, %s, NULL, %s, c.unit_id, n.note, "
                f"'', false, c.due FROM unnest(%s::bigint[], %s::text[]) AS n(id, note) "
                f"JOIN {Case._meta.db_table} c ON c.id = n.id",
                [action, now, actor_name(SYSTEM), [row[0] for row in rows], notes])
        return
    CaseStep.objects.bulk_create([
        CaseStep(case_id=row[0], round=row[4], action=action, at=now, actor_name=actor_name(SYSTEM),
                 unit_id=row[2], note=note_of(row), public=False, deadline=row[6]) for row in rows], batch_size=5000)


COLUMNS = ("id", "centre_id", "unit_id", "number", "round", "status", "due", "accept_due")


def _mark_in_one_statement(qs, now, stage, label):
    """PostgreSQL: lock, record and add the steps of a batch in one statement - the UPDATE takes
    the rows the locking SELECT (SKIP LOCKED) found, and the steps are inserted from what it
    RETURNS - so no id list travels to the database and back, and no step is built in Python."""
    inner, params = (qs.select_for_update(skip_locked=True, of=("self",)).order_by().values("pk")[:BATCH]
                     .query.sql_with_params())
    case, step = Case._meta.db_table, CaseStep._meta.db_table
    returning = ", ".join(COLUMNS)
    sql = (f"WITH marked AS (UPDATE {case} SET overdue_at = %s, overdue_stage = %s "
           f"WHERE id = ANY(ARRAY({inner})) AND overdue_at IS NULL RETURNING {returning}), "
           f"steps AS (INSERT INTO {step} (case_id, round, action, at, actor_id, actor_name, unit_id, note, "
           f"public_note, public, deadline) SELECT id, round, %s, %s, NULL, %s, unit_id, %s, '', false, due "
           f"FROM marked) SELECT {returning} FROM marked")
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, stage, *params, Step.OVERDUE, now, actor_name(SYSTEM), label])
        return cursor.fetchall()


def mark_overdue(now, today):
    accept, answer = _late(today)
    marked = []
    for stage, q in (("accept", accept), ("answer", answer)):
        label = _("not accepted in time") if stage == "accept" else _("not answered in time")
        with transaction.atomic():
            late = Case.objects.filter(q, overdue_at__isnull=True)
            if connection.vendor == "postgresql":
                rows = _mark_in_one_statement(late, now, stage, label)
            else:
                rows = _lock(late)
                if rows:
                    Case.objects.filter(pk__in=[r[0] for r in rows], overdue_at__isnull=True).update(
                        overdue_at=now, overdue_stage=stage)
                    _steps(rows, Step.OVERDUE, now, lambda row, label=label: label)
            if not rows:
                continue
            _audit(rows, audit.Event.CASES_OVERDUE, now)
        marked += rows
    if marked:
        _notices(marked, _("Cases of your unit became overdue"),
                 _("Answer them as soon as possible: they are marked overdue in your unit's list."), "urgent")
    return len(marked)


def remind(now, today):
    """Remind once per deadline: cases whose answer is due within the centre's reminder days."""
    cal = calendar()
    rules = {r.centre_id: r.remind_days for r in CaseRules.objects.all()}
    default_days = CaseRules._meta.get_field("remind_days").default
    horizons = {days: cal.add_working_days(today, days) for days in {*rules.values(), default_days}}
    latest = max(horizons.values())
    with transaction.atomic():
        candidates = _lock(Case.objects.filter(
            Q(reminded_for__isnull=True) | ~Q(reminded_for=F("due")),
            status__in=[Status.DISPATCHED, Status.ACCEPTED], due__gte=today, due__lte=latest))
        rows = [r for r in candidates if r[6] <= horizons[rules.get(r[1], default_days)]]
        if not rows:
            return 0
        by_due = defaultdict(list)
        for row in rows:
            by_due[row[6]].append(row[0])
        for due, ids in by_due.items():
            Case.objects.filter(pk__in=ids).update(reminded_for=due)
        _steps(rows, Step.REMIND, now, lambda row: _("Due on %(due)s") % {"due": row[6].isoformat()})
        _audit(rows, audit.Event.CASES_REMINDED, now)
    _notices(rows, _("Cases of your unit are due soon"),
             _("Answer them by their deadline: see your unit's list of cases to handle."), "normal")
    return len(rows)


def sweep(now=None):
    """One run: {'overdue': n, 'reminded': n}."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return {"overdue": mark_overdue(now, today), "reminded": remind(now, today)}

