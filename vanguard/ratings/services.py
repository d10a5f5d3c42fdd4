"""Use cases of transactions and ratings (rectification cases are in cases.py)."""

import datetime
import time
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from vanguard.core import audit, hot_sql, pipelines
from vanguard.core.permissions import require
from vanguard.org.models import Organization, Person, Window
from vanguard.org.phones import normalise_mobile

from . import figures
from .models import BAD_LEVELS, ONLINE_CRITERIA, ONSITE_CRITERIA, REASON_KEYS, Level, Rating, Transaction
from .permissions import is_office

CONFIG = {
    "default_after_days": 7,       # unrated after this many natural days -> 基本满意 by default
    "link_max_age_days": 30,       # a QR/SMS rating link is valid this long
    "address_limit": 5,            # more ratings than this from one address/device within the window is flagged
    "address_window_minutes": 60,
    "burst_seconds": 120,          # ratings this soon after import...
    "burst_count": 5,              # ...this many in one import batch are a burst
}
CONFIG.update(getattr(settings, "VANGUARD_RATINGS", {}))

TOKEN_SALT = "vanguard.ratings.rate"  # noqa: S105 - a signing salt, not a secret
PUBLIC_CHANNELS = {Rating.Channel.QR, Rating.Channel.SMS, Rating.Channel.WEB, Rating.Channel.APP}
CRITERIA_KEYS = {k for k, _l in ONSITE_CRITERIA} | {k for k, _l in ONLINE_CRITERIA}


# Transactions -------------------------------------------------------------------------

def _as_datetime(value, field, label, errors):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        dt = value
    elif isinstance(value, datetime.date):
        dt = datetime.datetime.combine(value, datetime.time())
    else:
        dt = parse_datetime(str(value).strip().replace("/", "-"))
        if dt is None:
            errors.append(_("%(row)s, %(field)s: “%(value)s” is not a date and time.") % {
                "row": label, "field": field, "value": value})
            return None
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


_POST_CACHE = {"at": 0.0, "posts": {}, "floor_branches": {}}
POST_CACHE_SECONDS = 30


def place_maps():
    """(window -> post, floor -> branch) from a per-process map refreshed every 30 s:
    the hot rating path then needs no query for them (a new post or branch counts within 30 s)."""
    now = time.monotonic()
    if now - _POST_CACHE["at"] > POST_CACHE_SECONDS:
        _POST_CACHE["posts"] = _post_for_window(None)
        branches = {}
        for floor_id, pk in Organization.objects.filter(floor__isnull=False).order_by("path").values_list(
                "floor_id", "pk"):
            branches.setdefault(floor_id, pk)  # the first by path, as a floor's branch always was
        _POST_CACHE["floor_branches"] = branches
        _POST_CACHE["at"] = now
    return _POST_CACHE["posts"], _POST_CACHE["floor_branches"]


def _cached_post(window_id):
    return place_maps()[0].get(window_id)


def _post_for_window(window_ids):
    from vanguard.posts.models import VanguardPost

    posts = {}
    posts_qs = VanguardPost.objects.public().filter(window__isnull=False)
    if window_ids is not None:
        posts_qs = posts_qs.filter(window_id__in=window_ids)
    for post_id, window_id, kind in posts_qs.order_by("pk").values_list("pk", "window_id", "kind"):
        # A window post wins over other posts at the same window.
        if window_id not in posts or kind == VanguardPost.Kind.WINDOW:
            posts[window_id] = post_id
    return posts


def served_phone(raw):
    """The phone the service user gave: a mainland mobile as its 11 digits (so it can be
    proved later by SMS at the signboard), anything else (a landline) as given."""
    raw = str(raw or "").strip()
    if not raw:
        return ""
    try:
        return normalise_mobile(raw)
    except ValidationError:
        return raw[:20]


@transaction.atomic
def import_transactions(actor, centre, items, *, row_label=None, batch=None):
    """Receive transactions, all or nothing. `items` are dicts with number,
    service_item, window (number), person (name, optional), person_mobile
    (optional, to tell namesakes apart), kind, user_kind, accepted_at,
    completed_at, rater_name, rater_phone. A number already received is left
    as it is (idempotent). Returns {"created": n, "existing": [numbers]}."""
    require(is_office(actor, centre.pk), _("Only the party-building office may import transactions."))
    row_label = row_label or (lambda i: _("Item %(n)s") % {"n": i + 1})
    windows = {w.number: w for w in Window.objects.filter(centre=centre).select_related("floor")}
    people = {}
    for p in Person.objects.filter(centre=centre).only("pk", "name", "mobile", "window_id", "branch_id"):
        people.setdefault(p.name, []).append(p)
    existing = set(Transaction.objects.filter(centre=centre, number__in=[
        str(i.get("number") or "").strip() for i in items]).values_list("number", flat=True))
    errors, seen, new, skipped = [], set(), [], []
    batch = batch or uuid.uuid4().hex[:16]
    for i, item in enumerate(items):
        label = row_label(i)
        number = str(item.get("number") or "").strip()
        if not number:
            errors.append(_("%(row)s: the transaction number is missing.") % {"row": label})
            continue
        if len(number) > 40:
            errors.append(_("%(row)s: the transaction number is longer than 40 characters.") % {"row": label})
            continue
        if number in seen:
            errors.append(_("%(row)s: transaction number %(number)s appears twice.") % {
                "row": label, "number": number})
            continue
        seen.add(number)
        if number in existing:
            skipped.append(number)
            continue
        service_item = str(item.get("service_item") or "").strip()
        if not service_item:
            errors.append(_("%(row)s: the service item is missing.") % {"row": label})
        window_number = str(item.get("window") or "").strip()
        window = windows.get(window_number)
        if window is None:
            errors.append(_("%(row)s: window “%(window)s” does not exist in this centre.") % {
                "row": label, "window": window_number})
        person = None
        name = str(item.get("person") or "").strip()
        mobile = str(item.get("person_mobile") or "").strip()
        if name:
            candidates = people.get(name, [])
            if mobile:
                candidates = [p for p in candidates if p.mobile == mobile]
            if not candidates:
                errors.append(_("%(row)s: no staff member named “%(name)s” in this centre.") % {
                    "row": label, "name": name})
            elif len(candidates) > 1:
                errors.append(_("%(row)s: several staff members are named “%(name)s”; give the mobile phone.") % {
                    "row": label, "name": name})
            else:
                person = candidates[0]
        kind = item.get("kind") or Transaction.Kind.IMMEDIATE
        kind = {"即办件": "immediate", "承诺件": "promised", "即办": "immediate", "承诺": "promised"}.get(kind, kind)
        if kind not in Transaction.Kind.values:
            errors.append(_("%(row)s: kind must be immediate or promised.") % {"row": label})
        user_kind = item.get("user_kind") or Transaction.UserKind.PERSON
        user_kind = {"个人": "person", "企业": "company", "法人": "company"}.get(user_kind, user_kind)
        if user_kind not in Transaction.UserKind.values:
            errors.append(_("%(row)s: the service user must be a person or a company.") % {"row": label})
        accepted = _as_datetime(item.get("accepted_at"), _("accepted at"), label, errors)
        if accepted is None and not item.get("accepted_at"):
            errors.append(_("%(row)s: the time accepted is missing.") % {"row": label})
        completed = _as_datetime(item.get("completed_at"), _("completed at"), label, errors)
        if accepted and completed and completed < accepted:
            errors.append(_("%(row)s: completed before it was accepted.") % {"row": label})
        if window is None or accepted is None:
            continue
        new.append(Transaction(
            centre=centre, number=number, service_item=service_item[:200], window=window, person=person,
            unit_id=window.unit_id, kind=kind, user_kind=user_kind, accepted_at=accepted, completed_at=completed,
            rater_name=str(item.get("rater_name") or "")[:50], rater_phone=served_phone(item.get("rater_phone")),
            import_batch=batch))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            Transaction.objects.bulk_create(new, batch_size=1000)
    except IntegrityError:
        # Another import received the same numbers at the same moment: take the ones still missing.
        taken = set(Transaction.objects.filter(centre=centre, number__in=[t.number for t in new]).values_list(
            "number", flat=True))
        skipped += sorted(taken)
        new = [t for t in new if t.number not in taken]
        Transaction.objects.bulk_create(new, batch_size=1000)
    if new:
        audit.record(actor, audit.Action.CREATE, centre, {"transactions": [None, len(new)], "batch": [None, batch]},
                     verb="import-transactions", centre_id=centre.pk)
    return {"created": len(new), "existing": skipped, "batch": batch}


# Rating links ------------------------------------------------------------------------

def rating_token(transaction_obj, channel=Rating.Channel.QR):
    return signing.dumps({"t": transaction_obj.pk, "c": channel}, salt=TOKEN_SALT, compress=True)


def rating_path(transaction_obj, channel=Rating.Channel.QR):
    return f"/r/{rating_token(transaction_obj, channel)}/"


def rating_url(transaction_obj, channel=Rating.Channel.QR):
    return settings.PUBLIC_BASE_URL + rating_path(transaction_obj, channel)


def transaction_for_token(token):
    """The transaction a link was given for, or ValidationError (forged, expired, used)."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=datetime.timedelta(days=CONFIG["link_max_age_days"]))
    except signing.SignatureExpired:
        raise ValidationError(_("This rating link has expired.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This rating link is not valid.")) from None
    txn = Transaction.objects.select_related("window", "unit", "centre").filter(pk=data.get("t")).first()
    if txn is None:
        raise ValidationError(_("This rating link is not valid."))
    channel = data.get("c") if data.get("c") in PUBLIC_CHANNELS else Rating.Channel.QR
    return txn, channel


# Ratings -----------------------------------------------------------------------------

LEVELS = frozenset(Level.values)  # an enum's .values builds a new list on every use
CHANNELS = frozenset(Rating.Channel.values)


def _clean_level(level, field="level"):
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = None
    if value not in LEVELS or isinstance(level, bool):
        raise ValidationError({field: _("Choose a level from 1 (very dissatisfied) to 5 (very satisfied).")})
    return value


def _signals(txn, channel, ip, device, rater_phone, rater_user, now):
    flags = []
    if channel in PUBLIC_CHANNELS:
        since = now - datetime.timedelta(minutes=CONFIG["address_window_minutes"])
        if ip and Rating.objects.filter(ip_address=ip, rated_at__gte=since).count() >= CONFIG["address_limit"]:
            flags.append("address")
        if device and Rating.objects.filter(device=device, rated_at__gte=since).count() >= CONFIG["address_limit"]:
            flags.append("device")
        burst = datetime.timedelta(seconds=CONFIG["burst_seconds"])
        if txn.import_batch and now - txn.imported_at <= burst:
            quick = Rating.objects.filter(transaction__import_batch=txn.import_batch,
                                          rated_at__lte=F("transaction__imported_at") + burst).count()
            if quick + 1 >= CONFIG["burst_count"]:
                flags.append("burst")
    if txn.person_id:
        own = getattr(getattr(rater_user, "person", None), "pk", None) == txn.person_id
        if not own and rater_phone:
            own = Person.objects.filter(pk=txn.person_id, mobile=rater_phone).exists()
        if own:
            flags.append("staff")
    return flags


FLAG_LABELS = {
    "address": _("Many ratings from one address"),
    "device": _("Many ratings from one device"),
    "staff": _("Rated by the staff member who handled it"),
    "burst": _("Burst of ratings right after import"),
}


def _branch_for(txn):
    if txn.person_id and txn.person.branch_id:
        return txn.person.branch_id
    return place_maps()[1].get(txn.window.floor_id)


def clean_input(level, channel, scores, reasons, comment):
    level = _clean_level(level)
    if channel not in CHANNELS or channel == Rating.Channel.DEFAULT:
        raise ValidationError({"channel": _("Unknown rating channel.")})
    clean_scores = {}
    if not isinstance(scores or {}, dict):
        raise ValidationError({"scores": _("Unknown criterion “%(key)s”.") % {"key": scores}})
    for key, value in (scores or {}).items():
        if key not in CRITERIA_KEYS:
            raise ValidationError({"scores": _("Unknown criterion “%(key)s”.") % {"key": key}})
        if value in (None, ""):
            continue
        clean_scores[key] = _clean_level(value, "scores")
    reasons = list(dict.fromkeys(reasons or []))
    if any(r not in REASON_KEYS for r in reasons):
        raise ValidationError({"reasons": _("Unknown reason.")})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("The comment is longer than 500 characters.")})
    return level, channel, clean_scores, reasons, comment


def already_rated(number):
    return _("Transaction %(number)s has already been rated; each transaction is rated once.") % {"number": number}


def key_used_elsewhere():
    return _("This idempotency key was used for another transaction.")


def _replay(idempotency_key, txn):
    """The first rating recorded under this key for this transaction, or None; a key
    used for another transaction is refused."""
    previous = Rating.objects.filter(idempotency_key=idempotency_key).first()
    if previous is not None and previous.transaction_id != txn.pk:
        raise ValidationError({"idempotency_key": key_used_elsewhere()})
    return previous


def store_rating(txn, *, level, channel, scores=None, reasons=None, comment="", rater_name="", rater_phone="",
                 ip=None, device="", idempotency_key=None, rater_user=None, now=None):
    """The one place a single rating is written (public page, API, devices). Returns
    (rating, created): a replay with the same idempotency key returns the first.
    The rating is written uncounted: the figures fold it within a minute (figures.fold_pending),
    and say meanwhile that it is pending (figures.freshness)."""
    now = now or timezone.now()
    idempotency_key = str(idempotency_key)[:64] if idempotency_key else None
    if idempotency_key and txn.rated:
        # A replay: answered from the first rating (the insert below would fail anyway).
        previous = _replay(idempotency_key, txn)
        if previous is not None:
            return previous, False
    level, channel, clean_scores, reasons, comment = clean_input(level, channel, scores, reasons, comment)
    if txn.rated:
        raise ValidationError({"transaction": already_rated(txn.number)})
    flags = _signals(txn, channel, ip, device, rater_phone, rater_user, now)
    rating = Rating(
        transaction=txn, level=level, channel=channel, scores=clean_scores, reasons=reasons, comment=comment,
        rater_name=(rater_name or "")[:50], rater_phone=(rater_phone or "")[:20], ip_address=ip or None,
        device=(device or "")[:64], idempotency_key=idempotency_key or None, rated_at=now,
        day=timezone.localdate(now), centre_id=txn.centre_id, unit_id=txn.unit_id, window_id=txn.window_id,
        floor_id=txn.window.floor_id, person_id=txn.person_id, post_id=_cached_post(txn.window_id),
        branch_id=_branch_for(txn), flagged=bool(flags), flags=flags, counted=False)
    if not _insert_rating(rating):
        # The one-rating-per-transaction or idempotency-key constraint: a replay or a second rating.
        previous = _replay(idempotency_key, txn) if idempotency_key else None
        if previous is not None:
            return previous, False
        raise ValidationError({"transaction": already_rated(txn.number)})
    if level in BAD_LEVELS:
        from .cases import open_case

        open_case(rating)
    return rating, True


_RATING_INSERT = []  # built once per process (hot_sql: compiling the InsertQuery per rating cost more CPU)


def _rating_insert_sql():
    if not _RATING_INSERT:
        insert, fields = hot_sql.insert_sql(Rating, returning=("id", "transaction_id"), on_conflict_nothing=True)
        table = connection.ops.quote_name(Transaction._meta.db_table)
        _RATING_INSERT.append((f"WITH new AS ({insert}), marked AS (UPDATE {table} SET rated = true "
                               f"WHERE id IN (SELECT transaction_id FROM new)) SELECT id FROM new", fields))
    return _RATING_INSERT[0]


def _insert_rating(rating):
    """Insert the rating and mark its transaction rated; False when a unique constraint (its
    transaction, its idempotency key) already holds a rating, with nothing written.
    On PostgreSQL that is ONE statement: INSERT ... ON CONFLICT DO NOTHING RETURNING id, the
    UPDATE of the transaction in the same WITH. Conflicts need no savepoint around the insert,
    and the hot path saves three round trips (savepoint, release, update)."""
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError:
            return False
        Transaction.objects.filter(pk=rating.transaction_id).update(rated=True)
        return True
    sql, fields = _rating_insert_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, hot_sql.insert_params(rating, fields))
        row = cursor.fetchone()
    if row is None:
        return False
    rating.pk = row[0]
    rating._state.adding, rating._state.db = False, connection.alias
    return True


@transaction.atomic
def rate_by_token(token, *, ip=None, device="", rater_user=None, **data):
    """The public page: the token names the transaction and the channel."""
    txn, channel = transaction_for_token(token)
    Transaction.objects.select_for_update().filter(pk=txn.pk).first()
    if Rating.objects.filter(transaction_id=txn.pk).exists():
        raise ValidationError(_("This transaction has already been rated. Thank you."))
    rating, _created = store_rating(txn, channel=channel, ip=ip, device=device, rater_user=rater_user, **data)
    return rating


@transaction.atomic
def record_rating(actor, txn, **data):
    """A rating from a window device or a platform (API)."""
    require(is_office(actor, txn.centre_id), _("Only the party-building office's integrations may record ratings."))
    rating, created = store_rating(txn, rater_user=actor, **data)
    if created:
        # No rater data in the trail: it is shown to the unit's case handlers only.
        # Sent with, in a request's own transaction, the COMMIT: ONE round trip on PostgreSQL (the
        # chain's lock, its head, the audit row, commit), so the chain's lock is held only while
        # PostgreSQL runs them. Nothing is written after. The figures are not touched here: the
        # fold counts the rating (figures.fold_pending).
        audit.record(actor, audit.Action.CREATE, rating, {"level": [None, rating.level]}, verb="record-rating",
                     also=pipelines.commit_with_last_writes())
    return rating, created


# Review of flagged ratings ---------------------------------------------------------------

def _row(rating):
    return tuple(getattr(rating, f) for f in figures.ROW_FIELDS)


@transaction.atomic
def set_aside_rating(actor, rating, *, reason, _from_case=False):
    if not _from_case:
        require(is_office(actor, rating.centre_id), _("Only the party-building office may set a rating aside."))
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for setting the rating aside.")})
    if rating.set_aside:
        raise ValidationError(_("This rating has already been set aside."))
    before_row, before = _row(rating), audit.snapshot(rating)
    rating.set_aside, rating.set_aside_reason, rating.reviewed = True, reason, True
    rating.set_aside_by = actor if getattr(actor, "pk", None) else None
    rating.save(update_fields=["set_aside", "set_aside_reason", "reviewed", "set_aside_by"])
    if rating.counted:
        figures.move_rating(before_row, _row(rating))
    audit.record_update(actor, rating, before, verb="set-aside")
    case = getattr(rating, "case", None) if hasattr(rating, "case") else None
    if case is not None and not _from_case and case.state not in ("closed", "set_aside"):
        from .cases import close_as_set_aside

        close_as_set_aside(actor, case, reason)
    return rating


@transaction.atomic
def keep_rating(actor, rating):
    """The office reviewed a flagged rating and keeps it as it is."""
    require(is_office(actor, rating.centre_id), _("Only the party-building office may review ratings."))
    before = audit.snapshot(rating, fields={"reviewed"})
    rating.reviewed = True
    rating.save(update_fields=["reviewed"])
    audit.record_update(actor, rating, before, verb="review")
    return rating


# Default ratings -----------------------------------------------------------------------

def default_unrated(now=None, chunk=5000):
    """Transactions not rated within the set number of days get 基本满意, marked default.
    Set-based: one bulk insert and one update per chunk. Returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=CONFIG["default_after_days"])
    total = 0
    while True:
        rows = list(Transaction.objects.filter(rated=False, accepted_at__lt=cutoff).filter(
            Q(completed_at__isnull=True) | Q(completed_at__lt=cutoff)).values_list(
            "pk", "centre_id", "unit_id", "window_id", "window__floor_id", "person_id", "person__branch_id")[:chunk])
        if not rows:
            break
        posts = _post_for_window({r[3] for r in rows})
        floor_branches = dict(Organization.objects.filter(floor_id__in={r[4] for r in rows}).values_list(
            "floor_id", "pk"))
        with transaction.atomic():
            Rating.objects.bulk_create([Rating(
                transaction_id=pk, level=Level.BASIC, channel=Rating.Channel.DEFAULT, is_default=True,
                rated_at=now, day=timezone.localdate(now), centre_id=centre, unit_id=unit, window_id=window,
                floor_id=floor, person_id=person, post_id=posts.get(window),
                branch_id=branch or floor_branches.get(floor)) for pk, centre, unit, window, floor, person, branch in rows
            ], ignore_conflicts=True, batch_size=1000)
            Transaction.objects.filter(pk__in=[r[0] for r in rows]).update(rated=True)
        total += len(rows)
    figures.fold_all()
    return total
