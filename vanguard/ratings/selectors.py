"""Reads shared by the ratings pages and the API: which figures a user may
see, and the figures themselves. Pages (views.py) and the API (api.py) both
import from here; neither imports the other."""

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Floor, Organization, Person, Unit, Window
from vanguard.posts.models import VanguardPost

from . import figures
from .permissions import office_centres

DIMENSION_MODELS = {"unit": Unit, "window": Window, "person": Person, "post": VanguardPost, "floor": Floor,
                    "branch": Organization}


def allowed_units(user):
    """None = the whole centre(s) (office, admin); else the unit ids the user may see figures of."""
    scope = scope_for(user)
    if scope.is_admin or scope.centres(Role.OFFICE):
        return None
    return set(scope.units(Role.HANDLER, Role.LIAISON, Role.SCORER))


def _secretary_branches(user):
    scope = scope_for(user)
    paths = scope.paths(Role.SECRETARY)
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(path__in=paths)


def resolve_target(user, dimension, key):
    """(dimension, key, label, centre_id) the user may read figures of, or PermissionDenied / 404."""
    scope = scope_for(user)
    units = allowed_units(user)
    if dimension == "centre" or not key:
        centres = office_centres(user)
        centre = centres.filter(pk=key).first() if key and dimension == "centre" else centres.first()
        if centre is None:
            branch = _secretary_branches(user).first()
            if branch is not None and not units:
                return "branch", branch.pk, branch.name, branch.centre_id
            if units:
                unit = Unit.objects.get(pk=sorted(units)[0])
                return "unit", unit.pk, unit.name, unit.centre_id
            raise PermissionDenied(_("You are not allowed to do this."))
        return "centre", centre.pk, centre.name, centre.pk
    model = DIMENSION_MODELS.get(dimension)
    if model is None:
        raise PermissionDenied(_("You are not allowed to do this."))
    obj = get_object_or_404(model.objects.visible_to(user), pk=key)
    if dimension == "branch" and units is not None and obj in _secretary_branches(user):
        return dimension, obj.pk, str(obj), obj.centre_id
    if units is not None:
        unit_id = {"unit": lambda o: o.pk, "window": lambda o: o.unit_id, "person": lambda o: o.unit_id,
                   "post": lambda o: o.unit_id or (o.window.unit_id if o.window_id else None)}.get(
            dimension, lambda o: None)(obj)
        if unit_id not in units:
            raise PermissionDenied(_("You are not allowed to do this."))
    centre_id = getattr(obj, "centre_id", None)
    if not scope.is_admin and centre_id not in scope.centre_ids:
        raise PermissionDenied(_("You are not allowed to do this."))
    return dimension, obj.pk, str(obj), centre_id


def figures_payload(user, dimension, key, year):
    dimension, key, label, centre_id = resolve_target(user, dimension, key)
    data = figures.figures_for(dimension, key, year, centre_id=centre_id)
    data["freshness"] = figures.freshness(dimension, key)
    return dimension, key, label, centre_id, data


# Per person and month, for the assessment's automatic indicators ------------------------------

RATING_COUNTS = ("n5", "n4", "n3", "n2", "n1", "n_default", "n_flagged", "n_set_aside")


def _stat_rows(centre, dimension, first_day, last_day):
    """SatisfactionStat rows of one dimension covering [first_day, last_day]: the month's rows
    when the range is exactly a calendar month (one row a person), else the days'."""
    from .figures import period_end
    from .models import SatisfactionStat

    whole_month = first_day.day == 1 and period_end(first_day, "month") == last_day + datetime.timedelta(days=1)
    rows = SatisfactionStat.objects.filter(centre=centre, dimension=dimension)
    if whole_month:
        return rows.filter(period="month", start=first_day)
    return rows.filter(period="day", start__gte=first_day, start__lte=last_day)


def ratings_figures(centre, first_day, last_day, kind=None):
    """The figures behind `ratings_by_person` as one aggregate query: rows of person_id,
    ratings, satisfied, bad, default, set_aside (see there). The assessment's bulk computation
    joins it in SQL; `ratings_by_person` reads it row by row (one definition for both).
    The centre's uncounted ratings are folded first: an assessment reads exact figures."""
    from django.db.models import F, Sum

    figures.fold_all(getattr(centre, "pk", centre))

    return (_stat_rows(centre, "person", first_day, last_day).order_by().values(person_id=F("key"))
            .annotate(ratings=Sum(F("n5") + F("n4") + F("n3") + F("n2") + F("n1")),
                      satisfied=Sum(F("n5") + F("n4") + F("n3")), bad=Sum(F("n2") + F("n1")),
                      default=Sum("n_default"), set_aside=Sum("n_set_aside")))


def ratings_by_person(centre, first_day, last_day, kind=None):
    """{person_id: {ratings, satisfied, bad, default, set_aside}} of the ratings of the
    transactions each person handled between the two days (inclusive): valid ratings (those
    not set aside), satisfied ones (very satisfied to basically satisfied), bad ones
    (dissatisfied, very dissatisfied), default ratings and ratings set aside. Read from the
    pre-aggregated figures (one row a person for a calendar month), so a city month is one
    indexed scan. `kind` is unused (ratings have no kinds). People with no rating are absent."""
    return {row.pop("person_id"): row for row in ratings_figures(centre, first_day, last_day, kind)}


def ratings_fingerprint(centre, first_day, last_day):
    """The centre's counts over the days: any rating counted or set aside in them moves it (the
    centre's uncounted ratings are folded first, so a new rating moves it at once)."""
    from django.db.models import Sum

    figures.fold_all(getattr(centre, "pk", centre))

    sums = _stat_rows(centre, "centre", first_day, last_day).filter(key=centre.pk).aggregate(
        **{c: Sum(c) for c in RATING_COUNTS})
    return [sums[c] or 0 for c in RATING_COUNTS]


def rating_rows(person, first_day, last_day, limit=200):
    """The ratings behind a person's figures: transaction number, day, level, channel and
    whether set aside (no rater's data). At most `limit`, newest first."""
    from .models import Rating

    qs = Rating.objects.filter(person_id=person.pk, centre_id=person.centre_id, day__gte=first_day,
                               day__lte=last_day)
    return list(qs.select_related("transaction").order_by("-rated_at", "-pk")[:limit])


_TRANSACTION_SQL = {}  # (vendor, number of centres) -> SQL and its column lists


def transaction_to_rate(centre_ids, number):
    """The transaction `number` of one of `centre_ids` (the office's centres: the scope), with its
    window and person cached as select_related caches them, or None. Hand-written SQL
    (core.hot_sql), built once per shape: every citizen's rating runs it, and compiling the
    queryset cost more CPU than the lookup. (centre, number) is unique, so two rows only come
    from two centres; the first received (lowest id) wins, without an ORDER BY."""
    from django.db import connection

    from vanguard.core.hot_sql import Columns

    from .models import Transaction

    centre_ids = list(centre_ids)
    shape = (connection.vendor, len(centre_ids))
    if shape not in _TRANSACTION_SQL:
        qn = connection.ops.quote_name
        txn, window, person = Columns(Transaction, "t"), Columns(Window, "tw"), Columns(Person, "tp")
        sql = (f"SELECT {txn.sql()}, {window.sql()}, {person.sql()} FROM {qn(Transaction._meta.db_table)} t "
               f"JOIN {qn(Window._meta.db_table)} tw ON tw.id = t.window_id "
               f"LEFT JOIN {qn(Person._meta.db_table)} tp ON tp.id = t.person_id "
               f"WHERE t.centre_id IN ({', '.join(['%s'] * len(centre_ids))}) AND t.number = %s LIMIT 2")
        _TRANSACTION_SQL[shape] = (sql, txn, window, person)
    sql, txn_cols, window_cols, person_cols = _TRANSACTION_SQL[shape]
    if not centre_ids:
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, [*centre_ids, number])
        rows = cursor.fetchall()
    if not rows:
        return None
    row = min(rows, key=lambda r: r[txn_cols.pk_index])
    txn, at = txn_cols.read(row, 0)
    window, at = window_cols.read(row, at)
    person, _at = person_cols.read(row, at)
    Transaction.window.field.set_cached_value(txn, window)
    Transaction.person.field.set_cached_value(txn, person)
    return txn
