"""Reads of messaging that other apps use (the assessment's automatic indicators):
set-based, per person over a range of days, never a query per person."""

import datetime

from django.db.models import Count, Max
from django.utils import timezone

from vanguard.org.models import Person

from .models import Circular, CircularSignature, ReadingRecord


def _bounds(first_day, last_day):
    """The local-time instants [start, end) of the days first_day..last_day."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def _circulars(centre, first_day, last_day):
    start, end = _bounds(first_day, last_day)
    return Circular.objects.filter(centre=centre, circulated_at__gte=start, circulated_at__lt=end)


def _expected(centre, circulars):
    """{circular_id: set of person ids who must sign it} (members of the branches it went to,
    sub-branches included, as `services_docs.readers`)."""
    paths = {}
    for cid, path in circulars.values_list("pk", "branches__path"):
        if path:
            paths.setdefault(cid, []).append(path)
    if not paths:
        return {}
    people = Person.objects.filter(centre=centre, is_active=True, branch__isnull=False).values_list(
        "pk", "branch__path")
    out = {cid: set() for cid in paths}
    for pk, branch_path in people:
        for cid, prefixes in paths.items():
            if any(branch_path.startswith(p) for p in prefixes):
                out[cid].add(pk)
    return out


def circulars_by_person(centre, first_day, last_day, kind=None):
    """{person_id: {expected, signed, unsigned}}: the documents circulated between the two
    days (inclusive) that each member had to sign, and how many of them they signed (so far).
    People with nothing to sign are absent."""
    circulars = _circulars(centre, first_day, last_day)
    expected = _expected(centre, circulars)
    if not expected:
        return {}
    signed = set(CircularSignature.objects.filter(circular_id__in=list(expected)).values_list(
        "circular_id", "person_id"))
    out = {}
    for cid, people in expected.items():
        for pk in people:
            row = out.setdefault(pk, {"expected": 0, "signed": 0, "unsigned": 0})
            row["expected"] += 1
            if (cid, pk) in signed:
                row["signed"] += 1
            else:
                row["unsigned"] += 1
    return out


def circulars_fingerprint(centre, first_day, last_day):
    """Moves when a document is circulated (or sent to more branches) or signed in the range."""
    circulars = _circulars(centre, first_day, last_day)
    head = circulars.aggregate(n=Count("pk"), branches=Count("branches"), last=Max("pk"))
    signatures = CircularSignature.objects.filter(circular__in=circulars).aggregate(n=Count("pk"), last=Max("pk"))
    return [head["n"], head["branches"], head["last"], signatures["n"], signatures["last"]]


def circular_rows(person, first_day, last_day):
    """[(circular, signed_at or None)] of the documents the person had to sign in the range."""
    circulars = _circulars(person.centre_id, first_day, last_day)
    expected = _expected(person.centre_id, circulars)
    ids = [cid for cid, people in expected.items() if person.pk in people]
    signed = dict(CircularSignature.objects.filter(circular_id__in=ids, person_id=person.pk).values_list(
        "circular_id", "signed_at"))
    return [(c, signed.get(c.pk)) for c in Circular.objects.filter(pk__in=ids).order_by("circulated_at", "pk")]


def _readings(centre, first_day, last_day):
    start, end = _bounds(first_day, last_day)
    return ReadingRecord.objects.filter(booklet__centre=centre, first_read_at__gte=start, first_read_at__lt=end)


def readings_figures(centre, first_day, last_day, kind=None):
    """The figures behind `readings_by_person` as one aggregate query (rows of person_id,
    reads), for the assessment's bulk computation and `readings_by_person` alike."""
    return _readings(centre, first_day, last_day).order_by().values("person_id").annotate(reads=Count("pk"))


def readings_by_person(centre, first_day, last_day, kind=None):
    """{person_id: {reads}}: booklets and chapters each person opened for the first time
    between the two days (inclusive). People who read nothing are absent."""
    return {row.pop("person_id"): row for row in readings_figures(centre, first_day, last_day, kind)}


def readings_fingerprint(centre, first_day, last_day):
    head = _readings(centre, first_day, last_day).aggregate(n=Count("pk"), last=Max("pk"))
    return [head["n"], head["last"]]


def reading_rows(person, first_day, last_day, limit=200):
    return list(_readings(person.centre_id, first_day, last_day).filter(person_id=person.pk)
                .select_related("booklet", "chapter").order_by("first_read_at", "pk")[:limit])
