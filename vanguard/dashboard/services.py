"""Use cases of the figures room: refreshing the pre-aggregated figures, the big
screens' URLs (create, re-issue, revoke) and the annual report's audit row."""

import datetime
import hashlib
import time
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.audit_events import Event
from vanguard.core.permissions import is_office_of, require
from vanguard.org.models import ServiceCentre

from .metrics import METRICS, SHANGHAI, month_start, next_month
from .models import Figure, Refresh, Screen, SourceMark, new_nonce

BATCH = 5000


def default_range(today=None):
    """The months refreshed by default: this month and the 24 before it (this year,
    last year, and the same month last year for every month shown)."""
    today = today or timezone.localdate()
    first = datetime.date(today.year - 2, today.month, 1)
    return first, today


def _month_of(metric):
    return TruncMonth(metric.date, tzinfo=SHANGHAI) if metric.is_datetime else TruncMonth(metric.date)


def _first_day(m):
    if isinstance(m, datetime.datetime):
        m = timezone.localtime(m, SHANGHAI).date() if timezone.is_aware(m) else m.date()
    return m.replace(day=1)


def _batches(metric, centre_ids):
    return [[c] for c in centre_ids] if metric.per_centre else [list(centre_ids)]


def _rows_for(metric, centre_ids, first, last):
    """[(centre, month, dim, key, n, total)] of one metric over these centres: one grouped
    query per scope dimension (the centre itself, then floor, branch, unit, window, person)."""
    out = []
    groups = [("centre", None)] + list(metric.dims.items())
    for ids in _batches(metric, centre_ids):
        base = metric.rows(ids, first, last).order_by()
        month = _month_of(metric)
        for dim, path in groups:
            fields = ["c", "m"] + (["k"] if path else [])
            annotations = {"c": F(metric.centre), "m": month}
            if path:
                annotations["k"] = F(path)
            qs = base.annotate(**annotations).values(*fields)
            if path:
                qs = qs.filter(k__isnull=False)
            aggregates = {"n": Count("pk")}
            if metric.total:
                aggregates["t"] = Sum(metric.total)
            for row in qs.annotate(**aggregates).order_by():
                out.append((row["c"], _first_day(row["m"]), dim, row.get("k") or 0, row["n"], row.get("t") or 0))
    return out


def digests(centre_ids, first, last):
    """{(centre, month): digest} of the sources of every figure: per metric and centre-month, the
    rows' count, highest id, latest update (where the source stamps one) and sum, in one grouped
    query per metric (per centre for the sources read one centre at a time). A row added, deleted,
    moved to another month or kind, or (where stamped) edited changes its centre-month's digest."""
    parts = defaultdict(list)
    for metric in METRICS.values():
        aggregates = {"n": Count("pk"), "top": Max("pk")}
        if metric.total:
            aggregates["t"] = Sum(metric.total)
        if metric.updated:
            aggregates["u"] = Max(metric.updated)
        for ids in _batches(metric, centre_ids):
            qs = (metric.rows(ids, first, last).order_by().annotate(c=F(metric.centre), m=_month_of(metric))
                  .values("c", "m").annotate(**aggregates).order_by())
            for row in qs:
                parts[(row["c"], _first_day(row["m"]))].append(
                    f"{metric.key}:{row['n']}:{row['top']}:{row.get('t')}:{row.get('u')}")
    return {key: hashlib.sha1("|".join(sorted(lines)).encode(), usedforsecurity=False).hexdigest()
            for key, lines in parts.items()}


def compute(centre_ids, first, last):
    """Every metric's figures for these centres and days, as unsaved Figure rows."""
    figures = []
    for metric in METRICS.values():
        for centre, month, dim, key, n, total in _rows_for(metric, centre_ids, first, last):
            figures.append(Figure(centre_id=centre, month=month, metric=metric.key, dim=dim, key=key, n=n,
                                  total=total))
    return figures


@transaction.atomic
def refresh_figures(actor, centres=None, *, first=None, last=None, today=None, full=False):
    """Recompute the figures of these centres (all, by default) for the months from `first`
    to `last` (default_range). By default only the centre-months whose sources changed since
    their figures were computed (their digest differs: see `digests`); `full=True` recomputes
    every centre-month. A recomputed centre-month's old rows go and its new ones come in one
    transaction, so a page reads either the old or the new figures, never half of each; an
    unchanged centre-month's rows are not touched. Returns the number of figure rows written."""
    centres = list(ServiceCentre.objects.all() if centres is None else centres)
    for centre in centres:
        require(is_office_of(actor, centre.pk), _("Only the party-building office may refresh its figures."))
    d_first, d_last = default_range(today)
    first, last = month_start(first or d_first), last or d_last
    if first > last:
        raise ValidationError({"first": _("The first month is after the last.")})
    started = time.monotonic()
    ids = [c.pk for c in centres]
    now_digests = digests(ids, first, last)
    marks = {(c, m): d for c, m, d in SourceMark.objects.filter(
        centre__in=ids, month__gte=first, month__lte=last).values_list("centre_id", "month", "digest")}
    months = []
    m = first
    while m <= last:
        months.append(m)
        m = next_month(m)
    dirty = defaultdict(list)  # month -> centres to recompute
    for m in months:
        for c in ids:
            if full or now_digests.get((c, m)) != marks.get((c, m)):
                dirty[m].append(c)
    written = defaultdict(int)
    # Every month dirty (a full rebuild, a first run): one pass over the range, not one per month.
    batches = [(first, last, ids)] if full else [
        (m, min(next_month(m) - datetime.timedelta(days=1), last), cids) for m, cids in dirty.items()]
    for since, until, cids in batches:
        figures = compute(cids, since, until)
        Figure.objects.filter(centre__in=cids, month__gte=month_start(since), month__lte=until).delete()
        Figure.objects.bulk_create(figures, batch_size=BATCH)
        for f in figures:
            written[f.centre_id] += 1
        SourceMark.objects.filter(centre__in=cids, month__gte=month_start(since), month__lte=until).delete()
        SourceMark.objects.bulk_create([SourceMark(centre_id=c, month=m, digest=digest)
                                        for (c, m), digest in now_digests.items()
                                        if c in cids and month_start(since) <= m <= until])
    now = timezone.now()
    seconds = time.monotonic() - started
    for centre in centres:
        Refresh.objects.update_or_create(centre=centre, defaults={
            "computed_at": now, "first_month": first, "last_month": month_start(last), "seconds": seconds})
    changed = {c: [f"{m:%Y-%m}" for m, cids in sorted(dirty.items()) if c in cids] for c in ids}
    audit.record_many(actor, [{"action": audit.Action.ACTION, "obj": centre, "verb": Event.FIGURES_REFRESHED,
                               "centre_id": centre.pk,
                               "changes": {"months": [None, f"{first:%Y-%m}..{last:%Y-%m}" if full
                                                      else ",".join(changed[centre.pk])],
                                           "figures": [None, written[centre.pk]]}}
                              for centre in centres if changed[centre.pk]])
    return sum(written.values())


# Big screens ---------------------------------------------------------------------------

@transaction.atomic
def create_screen(actor, centre, *, name):
    require(is_office_of(actor, centre.pk), _("Only the party-building office manages its big screens."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the screen (e.g. “1st-floor hall”).")})
    screen = Screen.objects.create(centre=centre, name=name[:60], created_by=actor if getattr(actor, "pk", None)
                                   else None)
    audit.record(actor, audit.Action.CREATE, screen, verb=Event.SCREEN_CREATED, centre_id=centre.pk,
                 changes={"name": [None, screen.name]})
    return screen


@transaction.atomic
def revoke_screen(actor, screen):
    require(is_office_of(actor, screen.centre_id), _("Only the party-building office manages its big screens."))
    Screen.objects.filter(pk=screen.pk).update(revoked_at=timezone.now())
    screen.refresh_from_db()
    audit.record(actor, audit.Action.ACTION, screen, verb=Event.SCREEN_REVOKED, centre_id=screen.centre_id)
    return screen


@transaction.atomic
def reissue_screen(actor, screen):
    """A new URL for the screen (the old one stops working), and it is live again."""
    require(is_office_of(actor, screen.centre_id), _("Only the party-building office manages its big screens."))
    Screen.objects.filter(pk=screen.pk).update(nonce=new_nonce(), revoked_at=None)
    screen.refresh_from_db()
    audit.record(actor, audit.Action.ACTION, screen, verb=Event.SCREEN_CREATED, centre_id=screen.centre_id)
    return screen


@transaction.atomic
def record_report(actor, centres, year):
    """One audit row per centre the report covers."""
    audit.record_many(actor, [{"action": audit.Action.ACTION, "obj": centre, "verb": Event.REPORT_MADE,
                               "centre_id": centre.pk, "changes": {"year": [None, year]}} for centre in centres])
