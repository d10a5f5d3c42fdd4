"""Entering scores: one parser for every way in (grid cell, Excel, API), one
all-or-nothing bulk upsert, the scorers' to-do lists and reminders."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.models import Grant
from vanguard.core.permissions import require
from vanguard.core.roles import Role
from vanguard.org.models import Person, Unit

from .models import Cell, Indicator, Part, Period, Reminder, Score
from .permissions import assessed_people, can_manage, scorable_people, scoring_parts

FULL_WIDTH = re.compile(r"[\uff10-\uff19\uff0e\uff0d\uff0b]")
MAX_ERRORS = 200
NOTE_MAX = 200  # the column's length (Score.note)
NUMBER = re.compile(r"^\d{1,3}(\.\d)?$")


def parse_points(raw, indicator):
    """The points of one cell, or ValidationError naming the problem in Chinese."""
    if isinstance(raw, bool):
        raise ValidationError(_("“%(value)s” is not a number of points.") % {"value": raw})
    if isinstance(raw, int | float | Decimal):
        text = format(Decimal(str(raw)).normalize(), "f")
    else:
        text = str(raw if raw is not None else "").strip()
    if text == "":
        raise ValidationError(_("Enter the points."))
    if FULL_WIDTH.search(text):
        raise ValidationError(_("“%(value)s” contains full-width characters; type the points with "
                                "half-width digits, e.g. 8.5.") % {"value": text})
    if text.startswith("-"):
        raise ValidationError(_("Points cannot be below 0."))
    try:
        value = Decimal(text)
    except InvalidOperation as e:
        raise ValidationError(_("“%(value)s” is not a number of points.") % {"value": text}) from e
    if not value.is_finite():
        raise ValidationError(_("“%(value)s” is not a number of points.") % {"value": text})
    if value < 0:
        raise ValidationError(_("Points cannot be below 0."))
    if value > indicator.maximum:
        raise ValidationError(_("%(value)s is above the maximum of %(max)s.") % {
            "value": text, "max": indicator.maximum.normalize()})
    if not NUMBER.match(format(value, "f")) and value != value.quantize(Decimal("0.1")):
        raise ValidationError(_("Give points with at most one decimal place."))
    value = value.quantize(Decimal("0.1"))
    if indicator.method == Indicator.Method.YESNO and value not in (Decimal("0"), indicator.maximum):
        raise ValidationError(_("This is a yes/no indicator: enter %(max)s or 0.") % {
            "max": indicator.maximum.normalize()})
    return value


@dataclass
class Entry:
    """One cell to save; `where` says where it came from (\"Row 5, column D (…)\")."""

    person_id: object
    indicator_id: object
    points: object
    note: str = ""
    where: str = ""


def _place(entry):
    """\"Row 5, column D (…): \" before a problem; `where` may be formatted only now (see workbook)."""
    where = str(entry.where) if entry.where else ""
    return f"{where}: " if where else ""


class ScoresRejected(ValidationError):
    """All problems of a batch, each placed; nothing was saved."""


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _lock_month(period):
    """The month as it is now, share-locked until the save commits. Publication takes the
    row FOR UPDATE (services._move), so it waits for saves in flight and computes from
    their scores; a save that comes after it reads the new state and is refused. The
    caller's `period` may have been read before another transaction published it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT status FROM {Period._meta.db_table} WHERE id = %s FOR SHARE", [period.pk])
            row = cursor.fetchone()
        if row is None:
            raise ValidationError(_("This month no longer exists."))
        period.status = row[0]
        return period
    # SQLite runs write transactions one at a time (IMMEDIATE): reading inside ours is enough.
    fresh = Period.objects.filter(pk=period.pk).values_list("status", flat=True).first()
    if fresh is None:
        raise ValidationError(_("This month no longer exists."))
    period.status = fresh
    return period


@transaction.atomic
def save_scores(actor, period, entries, *, source="grid"):
    """Check every entry, then upsert them together; any problem saves nothing.
    Returns the number of cells saved."""
    period = _lock_month(period)
    if not period.accepts_scores:
        raise ValidationError(_("%(month)s is “%(status)s”: scores can no longer be entered. "
                                "After publication, the office corrects results.") % {
            "month": period.label, "status": period.get_status_display()})
    parts = scoring_parts(actor, period.centre_id)
    require(bool(parts), _("You do not score anyone in this centre."))
    scheme = period.scheme
    indicators = {i.pk: i for i in scheme.indicators.all()}
    allowed = {part: set(scorable_people(actor, period, part).values_list("pk", flat=True)) for part in parts}
    errors, rows = [], {}
    # A file repeats a few values (full marks, 0) tens of thousands of times: each (indicator,
    # value) is parsed once. The type is part of the key, since True == 1 but only 1 is points.
    parsed = {}
    # Cells this installation computes (a rule on a source it has); any other cell, of a person
    # with or without a supervising department, is entered by hand.
    from .auto import computes, sources

    available = sources()
    computed_ids = {pk for pk, ind in indicators.items() if computes(ind, available)}
    computed = _computed_cells(period, computed_ids, entries)
    overrides = {}
    for entry in entries:
        indicator = indicators.get(_int_or_none(entry.indicator_id))
        if indicator is None:
            errors.append(_place(entry) + _("indicator %(id)s is not part of this month's scheme.") % {
                "id": entry.indicator_id})
            continue
        person_id = _int_or_none(entry.person_id)
        if person_id is None or person_id not in allowed.get(indicator.part, ()):
            errors.append(_place(entry) + _("person %(id)s is not among the people you score on %(part)s.") % {
                "id": entry.person_id, "part": indicator.get_part_display()})
            continue
        raw = entry.points
        key = (indicator.pk, type(raw), raw) if isinstance(raw, int | float | str) else None
        points = parsed.get(key) if key is not None else None
        if points is None:
            try:
                points = parse_points(raw, indicator)
            except ValidationError as e:
                points = e
            if key is not None:
                parsed[key] = points
        if isinstance(points, ValidationError):
            errors.append(_place(entry) + " ".join(points.messages))
            continue
        note = str(entry.note or "").strip()
        if len(note) > NOTE_MAX:
            errors.append(_place(entry) + _("%(code)s %(name)s: the note has %(n)s characters; at most %(max)s.") % {
                "code": indicator.code, "name": indicator.name, "n": len(note), "max": NOTE_MAX})
            continue
        if indicator.pk in computed_ids:
            problem = _computed_entry(computed, overrides, person_id, indicator, points, note)
            if problem:
                errors.append(_place(entry) + problem)
            continue
        if not note and scheme.needs_note(indicator, points):
            errors.append(_place(entry) + _(
                "%(code)s %(name)s: %(points)s loses %(lost)s points; this scheme needs a note saying why "
                "for a loss of %(level)s points or more.") % {
                "code": indicator.code, "name": indicator.name, "points": points.normalize(),
                "lost": (indicator.maximum - points).normalize(), "level": scheme.note_required_loss.normalize()})
            continue
        rows[(person_id, indicator.pk)] = (points, note)
    if errors:
        if len(errors) > MAX_ERRORS:
            errors = errors[:MAX_ERRORS] + [_("… and %(n)s more problems.") % {"n": len(errors) - MAX_ERRORS}]
        raise ScoresRejected(errors)
    _apply_overrides(actor, period, overrides)
    if not rows:
        return len(overrides)
    now = timezone.now()
    if len(rows) == 1:
        (p, i), (pts, note) = next(iter(rows.items()))
        _save_one(actor, Score(period=period, person_id=p, indicator_id=i, points=pts, note=note, scored_by=actor,
                               scored_at=now))
    else:
        # In key order, so that two uploads overlapping in cells lock them in the same order
        # (no deadlock between them).
        before = _points_now(period, rows)
        _upsert(period, actor, now, [(p, i, pts, note) for (p, i), (pts, note) in sorted(rows.items())])
        audit.record(actor, audit.Action.IMPORT, period, {
            "scores": [None, len(rows)], "source": [None, source],
            "cells": _changed_cells(rows, before, indicators)}, verb=audit.Event.SCORES_ENTERED)
    return len(rows) + len(overrides)


def _computed_cells(period, ids, entries):
    """{(person, indicator): Cell} of the computed cells (indicators `ids`) the entries touch,
    computed afresh from the records if they moved (a scorer overrides what the records say now)."""
    wanted = {_int_or_none(e.indicator_id) for e in entries} & ids
    if not wanted:
        return {}
    from .auto import ensure_computed

    ensure_computed(period)
    people = {p for p in (_int_or_none(e.person_id) for e in entries if _int_or_none(e.indicator_id) in wanted)
              if p is not None}
    return {(s.person_id, s.indicator_id): s for s in Cell.objects.filter(
        period=period, indicator_id__in=wanted, person_id__in=people)}


def _computed_entry(computed, overrides, person_id, indicator, points, note):
    """An entry on a computed cell: the rule's own points leave it computed (or restore it);
    other points override it, and only with a reason (the note, which the member reads).
    Returns the problem, or ""."""
    cell = computed.get((person_id, indicator.pk))
    if cell is None or cell.computed_points is None:
        return _("%(code)s %(name)s is computed from the records and has no figure for this person yet; "
                 "reload the grid.") % {"code": indicator.code, "name": indicator.name}
    if points == cell.computed_points:
        if not cell.computed:
            overrides[(person_id, indicator.pk)] = (cell, points, "")
        return ""
    if not note:
        return _("%(code)s %(name)s is computed from the records (%(computed)s points); to give %(points)s "
                 "instead, write the reason in the note: the member reads it.") % {
            "code": indicator.code, "name": indicator.name, "computed": cell.computed_points.normalize(),
            "points": points.normalize()}
    if not cell.computed and cell.points == points and cell.override_reason == note:
        return ""
    overrides[(person_id, indicator.pk)] = (cell, points, note)
    return ""


def _apply_overrides(actor, period, overrides):
    """Write the overrides (and restorations) of computed cells, each audited with why. An override
    is a Score row keeping the rule's points and figures beside the scorer's; restoring the rule's
    points removes it (the computed cell shows again)."""
    for (_p, _i), (cell, points, reason) in sorted(overrides.items(), key=lambda kv: kv[0]):
        score = Score.objects.filter(pk=cell.score_id).first() if cell.score_id else None
        if score is not None:
            score.period = period  # the audit row names the month: not a query per override
        if not reason:
            if score is not None:
                audit.record_delete(actor, score, verb=audit.Event.SCORE_RESTORED)
                score.delete()
            continue
        if score is None:
            score = Score(period=period, person_id=cell.person_id, indicator_id=cell.indicator_id,
                          points=points, note=reason, override_reason=reason, computed=False, scored_by=actor,
                          computed_points=cell.computed_points, source_value=cell.source_value)
            try:
                # A savepoint: another scorer's override of the same cell may commit first; ours then
                # replaces it below, as a later entry of a hand cell does.
                with transaction.atomic():
                    score.save(force_insert=True)
                # Audited as the change it is: from the rule's points (and no reason) to the scorer's.
                fields = {"points", "note", "computed", "override_reason"}
                was = audit.snapshot(Score(points=cell.points, note="", computed=True, override_reason=""), fields)
                audit.record_update(actor, score, was, verb=audit.Event.SCORE_OVERRIDDEN)
                continue
            except IntegrityError:
                score = Score.objects.get(period_id=cell.period_id, person_id=cell.person_id,
                                          indicator_id=cell.indicator_id)
        before = audit.snapshot(score, fields={"points", "note", "computed", "override_reason"})
        score.points, score.note, score.override_reason, score.computed = points, reason, reason, False
        score.scored_by = actor
        score.save(update_fields=["points", "note", "override_reason", "computed", "scored_by", "scored_at"])
        audit.record_update(actor, score, before, verb=audit.Event.SCORE_OVERRIDDEN)


def _points_now(period, rows):
    """{(person, indicator): points} of the cells about to be saved that hold points already."""
    people = {p for p, _i in rows}
    return {(p, i): points for p, i, points in Score.objects.filter(period=period, person_id__in=people)
            .values_list("person_id", "indicator_id", "points") if (p, i) in rows}


def _changed_cells(rows, before, indicators):
    """The audit's list of changed cells: [person id, name, indicator code, before, after]."""
    changed = [(p, i, before.get((p, i)), pts) for (p, i), (pts, _note) in sorted(rows.items())
               if before.get((p, i)) != pts]
    names = dict(Person.objects.filter(pk__in={p for p, *_r in changed}).values_list("pk", "name"))
    return [[p, names.get(p, ""), indicators[i].code, None if old is None else str(old), str(new)]
            for p, i, old, new in changed]


UPSERT = """INSERT INTO {table} (period_id, person_id, indicator_id, points, note, scored_by_id, scored_at)
{select} ON CONFLICT (period_id, person_id, indicator_id) DO UPDATE SET points = EXCLUDED.points,
note = EXCLUDED.note, scored_by_id = EXCLUDED.scored_by_id, scored_at = EXCLUDED.scored_at"""


def _upsert(period, actor, now, rows):
    """Insert or update many cells in one statement: on PostgreSQL through COPY into a
    scratch table (an Excel file of 2,000 people x 35 indicators in about a second),
    elsewhere as one executemany. The ORM's bulk_create spends longer building SQL."""
    table = Score._meta.db_table
    actor_id = getattr(actor, "pk", None)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS vg_score_upload (person_id integer, indicator_id integer, "
                           "points numeric(6, 1), note varchar(200)) ON COMMIT DROP")
            cursor.execute("TRUNCATE vg_score_upload")
            with cursor.cursor.copy("COPY vg_score_upload FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(UPSERT.format(table=table, select=(
                "SELECT %s, person_id, indicator_id, points, note, %s, %s FROM vg_score_upload "
                "ORDER BY person_id, indicator_id")),
                [period.pk, actor_id, now])
        else:
            cursor.executemany(UPSERT.format(table=table, select="VALUES (%s, %s, %s, %s, %s, %s, %s)"),
                               [(period.pk, p, i, str(pts), note, actor_id, now) for p, i, pts, note in rows])


def _save_one(actor, obj):
    """A single grid cell: audited with its old and new value."""
    cell = Score.objects.filter(period=obj.period, person_id=obj.person_id, indicator_id=obj.indicator_id)
    existing = cell.first()
    if existing is None:
        try:
            # A savepoint: when another scorer's insert of the same empty cell commits first,
            # the unique constraint refuses ours and this transaction carries on to say so.
            with transaction.atomic():
                obj.save(force_insert=True)
        except IntegrityError as e:
            winner = cell.select_related("scored_by").first()
            raise ValidationError(_(
                "%(who)s entered this cell (%(points)s) at the same moment; your %(mine)s was not saved. "
                "Reload to see it, and enter yours again if it should change.") % {
                "who": getattr(winner and winner.scored_by, "username", "") or _("another scorer"),
                "points": winner.points.normalize() if winner else "—", "mine": obj.points.normalize()}) from e
        audit.record_create(actor, obj, verb=audit.Event.SCORE_ENTERED)
        return obj
    before = audit.snapshot(existing, fields={"points", "note"})
    existing.points, existing.note, existing.scored_by = obj.points, obj.note, actor
    existing.save()
    audit.record_update(actor, existing, before, verb=audit.Event.SCORE_CHANGED)
    return existing


# To-do lists and reminders --------------------------------------------------------------

def _progress(period, people, part):
    """(people in all, people not yet fully scored) for a set of people and a part."""
    needed = period.scheme.indicators.filter(part=part).count()
    counts = people.annotate(n=Count("assessment_cells", filter=Q(
        assessment_cells__period=period, assessment_cells__indicator__part=part)))
    total = people.count()
    done = counts.filter(n__gte=needed).count()
    return total, total - done


def _fully_scored(period, part, needed):
    """Subquery: the people with every indicator of `part` scored this month (the part's indicators as a
    list of ids: the month's scores are read from the unique index alone, without a join)."""
    indicators = list(period.scheme.indicators.filter(part=part).values_list("pk", flat=True))
    return (Cell.objects.filter(period=period, indicator_id__in=indicators).order_by().values("person_id")
            .annotate(n=Count("indicator_id")).filter(n__gte=needed).values("person_id"))


def _group_progress(period, part, needed, people, key, name, order):
    """[(group id, name, total, left)] of `people` grouped by `key` (in `order`), in one query."""
    rows = (people.order_by().values(key, name, order)
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(pk__in=_fully_scored(period, part, needed))))
            .order_by(order, key))
    return [(row[key], row[name], row["total"], row["total"] - row["done"]) for row in rows]


def todo_for(user, period):
    """One line per scope the user scores: label, part, people, left. The office's lines (every branch,
    every department) in one grouped query per part, whatever the number of branches."""
    lines = []
    base = assessed_people(period.centre_id)
    if can_manage(user, period.centre_id):
        needed = dict(period.scheme.indicators.order_by().values("part").annotate(n=Count("pk"))
                      .values_list("part", "n"))
        groups = [(Part.PARTY, label, total, left, ("branch", pk)) for pk, label, total, left in _group_progress(
            period, Part.PARTY, needed.get(Part.PARTY, 0), base, "branch_id", "branch__name", "branch__path")]
        groups += [(Part.WORK, label, total, left, ("department", pk)) for pk, label, total, left in _group_progress(
            period, Part.WORK, needed.get(Part.WORK, 0), base.filter(window__department__kind=Unit.Kind.DEPARTMENT),
            "window__department_id", "window__department__name", "window__department__name")]
    else:
        groups = []
        if Part.PARTY in scoring_parts(user, period.centre_id):
            groups.append((Part.PARTY, _("My branch"), *_progress(period, scorable_people(user, period, Part.PARTY),
                                                                  Part.PARTY), None))
        if Part.WORK in scoring_parts(user, period.centre_id):
            groups.append((Part.WORK, _("People my department supervises"),
                           *_progress(period, scorable_people(user, period, Part.WORK), Part.WORK), None))
    for part, label, total, left, group in groups:
        if total:
            lines.append({"part": part, "part_label": Part(part).label, "label": label, "total": total,
                          "left": left, "group": group})
    return lines


def late_scorers(period):
    """(user, part, total, left) for every secretary and scorer of the centre with people left."""
    out = []
    base = assessed_people(period.centre_id)
    grants = Grant.objects.filter(
        Q(role=Role.SECRETARY, organization__centre_id=period.centre_id) |
        Q(role=Role.SCORER, unit__centre_id=period.centre_id)).select_related("organization", "user")
    for grant in grants:
        if grant.role == Role.SECRETARY:
            part = Part.PARTY
            people = base.filter(branch__path__startswith=grant.organization.path)
        else:
            part = Part.WORK
            people = base.filter(window__department_id=grant.unit_id)
        total, left = _progress(period, people, part)
        if left:
            out.append((grant.user, part, total, left))
    return out


def _send_sms(period, user, text):
    """Also send the reminder by SMS through messaging, when the scorer has a phone.
    Messaging sends on behalf of an office account, so the centre's office is the sender."""
    person = getattr(user, "person", None)
    if person is None or not person.mobile:
        return False
    try:
        from vanguard.messaging import services as messaging
        from vanguard.messaging.models import Audience
    except ImportError:
        return False
    office = (Grant.objects.filter(role=Role.OFFICE, organization__centre_id=period.centre_id)
              .select_related("user").order_by("pk").first())
    if office is None:
        return False
    try:
        with transaction.atomic():
            messaging.create_broadcast(office.user, period.centre, title=_("Scoring reminder"), text=text,
                                       audience=Audience.PEOPLE, person_ids=[person.pk], urgent=True)
    except (ValidationError, PermissionDenied, TypeError, ValueError):
        # The in-app reminder stands even when the SMS cannot be queued.
        return False
    return True


def remind_late_scorers(today=None):
    """Daily: remind every scorer with people left in a month whose scoring is due
    within two days or overdue. One reminder per scorer, part and day."""
    today = today or timezone.localdate()
    sent = 0
    for period in Period.objects.filter(status__in=[Period.Status.OPEN, Period.Status.SCORING],
                                         scoring_due__isnull=False).select_related("scheme"):
        if (period.scoring_due - today).days > 2:
            continue
        for user, part, total, left in late_scorers(period):
            text = _("Assessment %(month)s, %(part)s: %(left)s of %(total)s people left to score; "
                     "due %(due)s.") % {"month": period.label, "part": Part(part).label, "left": left,
                                       "total": total, "due": period.scoring_due}
            _reminder, created = Reminder.objects.get_or_create(
                period=period, user=user, part=part, sent_on=today,
                defaults={"left": left, "total": total, "text": text})
            if created:
                sent += 1
                _send_sms(period, user, text)
    return sent


def grid_people(user, period, part, group=None):
    """The rows of the grid: whom the user scores on the part, optionally one branch or department."""
    people = scorable_people(user, period, part).select_related("window", "branch")
    if group:
        kind, pk = group
        people = people.filter(branch_id=pk) if kind == "branch" else people.filter(window__department_id=pk)
    return people.order_by("branch__path", "window__number", "name", "pk")


def person_label(person):
    return f"{person.name}（{person.window.number if person.window_id else '—'}）"

