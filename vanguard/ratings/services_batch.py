"""The batch path of ratings: a device or platform sends many at once (POST
/api/v1/ratings/ with a list). Set-based; the single path is services.store_rating,
with the same checks, signals and refusals."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.scoping import scope_for
from vanguard.org.models import ServiceCentre

from . import figures
from .models import BAD_LEVELS, Rating, Transaction
from .permissions import is_office
from .services import CONFIG, PUBLIC_CHANNELS, already_rated, clean_input, key_used_elsewhere, place_maps


def _batch_signals(items, txns, previous, *, ip, actor_person_id, now):
    """The fraud signals of a batch, set-based: one count per kind of signal for all
    its items together (recent ratings per device and per address, quick ratings per
    import batch), then the batch's own items counted on top, in order."""

    public = [(it, txns[it["number"]]) for it in items if it["channel"] in PUBLIC_CHANNELS
              and it["number"] in txns and it["key"] not in previous]
    since = now - datetime.timedelta(minutes=CONFIG["address_window_minutes"])
    devices = {it["device"] for it, _t in public if it["device"]}
    device_counts = dict(Rating.objects.filter(device__in=devices, rated_at__gte=since).order_by().values_list(
        "device").annotate(n=Count("pk"))) if devices else {}
    address_count = Rating.objects.filter(ip_address=ip, rated_at__gte=since).count() if ip and public else 0
    burst = datetime.timedelta(seconds=CONFIG["burst_seconds"])
    batches = {t["import_batch"] for _i, t in public if t["import_batch"] and now - t["imported_at"] <= burst}
    quick = dict(Rating.objects.filter(transaction__import_batch__in=batches,
                                       rated_at__lte=F("transaction__imported_at") + burst).order_by().values_list(
        "transaction__import_batch").annotate(n=Count("pk"))) if batches else {}
    flags = {}
    for it, txn in public:
        found = flags.setdefault(id(it), [])
        # Same thresholds as _signals for one rating: the earlier ratings, then this one.
        if ip:
            if address_count >= CONFIG["address_limit"]:
                found.append("address")
            address_count += 1
        if it["device"]:
            if device_counts.get(it["device"], 0) >= CONFIG["address_limit"]:
                found.append("device")
            device_counts[it["device"]] = device_counts.get(it["device"], 0) + 1
        if txn["import_batch"] in batches:
            quick[txn["import_batch"]] = quick.get(txn["import_batch"], 0) + 1
            if quick[txn["import_batch"]] >= CONFIG["burst_count"]:
                found.append("burst")
    for it in items:
        txn = txns.get(it["number"])
        if txn and txn["person_id"] and (actor_person_id == txn["person_id"] or (
                it["rater_phone"] and it["rater_phone"] == txn["person_mobile"])):
            flags.setdefault(id(it), []).append("staff")
    return flags


_INSERT_SQL = f"""
    WITH made AS (
    INSERT INTO {Rating._meta.db_table} (transaction_id, level, channel, scores, reasons, comment, is_default, rater_name,
        rater_phone, ip_address, device, idempotency_key, rated_at, day, centre_id, unit_id, window_id, floor_id,
        person_id, post_id, branch_id, flagged, flags, reviewed, set_aside, set_aside_reason, counted)
    SELECT t, lv, ch, sc::jsonb, re::jsonb, cm, false, rn, rp, %s::inet, dv, ik, %s, %s, ce, un, wi, fl, pe, po, br,
           fg, fs::jsonb, false, false, '', true
    FROM unnest(%s::bigint[], %s::smallint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::text[], %s::text[], %s::text[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[],
                %s::bigint[], %s::bigint[], %s::bigint[], %s::boolean[], %s::text[])
         AS x (t, lv, ch, sc, re, cm, rn, rp, dv, ik, ce, un, wi, fl, pe, po, br, fg, fs)
    ORDER BY t
    ON CONFLICT DO NOTHING
    RETURNING id, transaction_id),
    marked AS (UPDATE {Transaction._meta.db_table} tr SET rated = true FROM made WHERE tr.id = made.transaction_id)
    SELECT id, transaction_id FROM made
"""
_INSERT_COLUMNS = ("transaction_id", "level", "channel", "scores", "reasons", "comment", "rater_name",
                   "rater_phone", "device", "idempotency_key", "centre_id", "unit_id", "window_id", "floor_id",
                   "person_id", "post_id", "branch_id", "flagged", "flags")


def _insert_ratings(rows, *, ip, now):
    """Insert the batch's ratings, already counted (the caller counts them in the same
    transaction), and mark their transactions rated. A transaction rated, or a key used,
    by a concurrent request meanwhile is skipped, not an error: returns
    {transaction_id: rating_id} of those inserted."""
    if connection.vendor == "postgresql":
        # One statement of fixed text with one array per column: no per-row SQL or model to build;
        # the transactions are marked in the same statement (one round trip less per batch).
        columns = [[r[c] for r in rows] for c in _INSERT_COLUMNS]
        for i in (3, 4, 18):  # the JSON columns travel as text
            columns[i] = [json.dumps(v) for v in columns[i]]
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_SQL, [ip, now, timezone.localdate(now), *columns])
            return {t: pk for pk, t in cursor.fetchall()}
    # Elsewhere (SQLite) the write lock is held from BEGIN: nothing can have changed since the checks.
    made = Rating.objects.bulk_create([Rating(
        **{c: r[c] for c in _INSERT_COLUMNS}, ip_address=ip, rated_at=now, day=timezone.localdate(now),
        counted=True) for r in rows])
    Transaction.objects.filter(pk__in=[r.transaction_id for r in made]).update(rated=True)
    return {r.transaction_id: r.pk for r in made}


def _batch_item(item, header_key):
    """One item of a batch, checked for shape (all or nothing: a malformed batch is the sender's bug)."""
    if not isinstance(item, dict):
        raise ValidationError(_("Each rating is an object."))
    number = str(item.get("transaction") or "").strip()
    level, channel, scores, reasons, comment = clean_input(
        item.get("level"), item.get("channel") or Rating.Channel.DEVICE, item.get("scores"), item.get("reasons"),
        item.get("comment"))
    key = str(item.get("idempotency_key") or "") or (f"{header_key}:{number}" if header_key else "")
    return {"number": number, "level": level, "channel": channel, "scores": scores, "reasons": reasons,
            "comment": comment, "key": key[:64] or None, "device": str(item.get("device") or "")[:64],
            "rater_name": str(item.get("rater_name") or "")[:50], "rater_phone": str(item.get("rater_phone") or "")[:20]}


@transaction.atomic
def record_ratings_bulk(actor, centre_ids, items, *, header_key=None, ip=None, now=None):
    """A batch from a device or platform, set-based, in one transaction: one query for
    the transactions (with their ratings, for replays, and their centres' rectification
    days), one per kind of fraud signal, ONE insert of the ratings that also marks the
    transactions rated (PostgreSQL), ONE upsert of the figures, the cases of bad reviews
    in one insert, one audit row per centre.

    A malformed item refuses the whole batch (ValidationError, nothing stored). Each
    well-formed item is answered on its own, in order: {"transaction", "id",
    "created"} (a replay of its idempotency key answers with the first rating,
    created False) or {"transaction", "error"} with the reason in Chinese (not
    received, already rated, key used for another transaction). If every item is
    refused, ValidationError with those reasons."""
    require(centre_ids and all(is_office(actor, c) for c in centre_ids),
            _("Only the party-building office's integrations may record ratings."))
    now = now or timezone.now()
    errors, parsed = [], []
    for i, item in enumerate(items):
        try:
            parsed.append(_batch_item(item, header_key))
        except ValidationError as e:
            errors.append(_("Item %(n)s") % {"n": i + 1} + "：" + "；".join(e.messages))
    if errors:
        raise ValidationError(errors)
    txns = {row[0]: dict(zip(_TXN_FIELDS, row, strict=True)) for row in Transaction.objects.filter(
        centre_id__in=centre_ids, number__in={it["number"] for it in parsed if it["number"]}).order_by().values_list(
        *_TXN_LOOKUPS)}
    keyed = [(it["key"], txns.get(it["number"])) for it in parsed if it["key"]]
    if connection.vendor == "postgresql":
        # A replay is answered from its transaction's rating, read with the transaction; a key
        # used on another transaction is caught by the insert (ON CONFLICT, then _settle_missed).
        # Only a key on a transaction rated under another key needs a look: no query normally.
        previous = {k: (t["rating_id"], t["id"]) for k, t in keyed if t and t["rating_key"] == k}
        unknown = [k for k, t in keyed if t and t["rated"] and k not in previous]
    else:
        previous, unknown = {}, [k for k, _t in keyed]  # bulk_create below may meet no conflict
    if unknown:
        previous.update({k: (pk, t) for k, pk, t in Rating.objects.filter(idempotency_key__in=unknown).values_list(
            "idempotency_key", "pk", "transaction_id")})
    flags = _batch_signals(parsed, txns, previous, ip=ip, actor_person_id=scope_for(actor).person_id, now=now)
    posts, floor_branch = place_maps()
    results, rows, seen, keys = [], [], set(), {}
    for it in parsed:
        number, key, txn = it["number"], it["key"], txns.get(it["number"])
        if txn is None:
            results.append({"transaction": number, "error": _(
                "Transaction %(number)s has not been received.") % {"number": number or "—"}})
        elif key in previous and previous[key][1] != txn["id"] or keys.get(key, number) != number:
            results.append({"transaction": number, "error": key_used_elsewhere()})
        elif key in previous:
            results.append({"transaction": number, "id": previous[key][0], "created": False})
        elif txn["rated"] or number in seen:
            results.append({"transaction": number, "error": already_rated(number)})
        else:
            seen.add(number)
            if key:
                keys[key] = number
            found = flags.get(id(it), [])
            rows.append({**it, "idempotency_key": key, "transaction_id": txn["id"], "centre_id": txn["centre_id"], "unit_id": txn["unit_id"],
                         "window_id": txn["window_id"], "floor_id": txn["floor_id"], "person_id": txn["person_id"],
                         "post_id": posts.get(txn["window_id"]),
                         "branch_id": txn["person_branch_id"] or floor_branch.get(txn["floor_id"]),
                         "flagged": bool(found), "flags": found, "result": len(results)})
            results.append({"transaction": number, "id": None, "created": True})
    made = _insert_ratings(rows, ip=ip, now=now) if rows else {}
    _settle_missed([r for r in rows if r["transaction_id"] not in made], results)
    rows = [r for r in rows if r["transaction_id"] in made]
    for r in rows:
        r["id"] = results[r["result"]]["id"] = made[r["transaction_id"]]
    if rows:
        from .cases import open_cases

        open_cases([Rating(pk=r["id"], transaction=Transaction(pk=r["transaction_id"], number=r["number"]),
                           level=r["level"], rated_at=now, centre_id=r["centre_id"], unit_id=r["unit_id"],
                           person_id=r["person_id"]) for r in rows if r["level"] in BAD_LEVELS],
                   days={t["centre_id"]: t["rectification_days"] for t in txns.values()})
        _audit_batch(actor, rows, txns)
        # Last, so the figures' hot rows (the centre's day...) stay locked only until commit.
        figures.count_ratings(list(made.values()))
    if all("error" in r for r in results):
        raise ValidationError([r["error"] for r in results])
    return results


_TXN_LOOKUPS = ("number", "pk", "centre_id", "centre__name", "centre__rectification_days", "unit_id", "window_id",
                "window__floor_id", "person_id", "person__branch_id", "person__mobile", "rated", "import_batch",
                "imported_at", "rating__id", "rating__idempotency_key")
_TXN_FIELDS = ("number", "id", "centre_id", "centre_name", "rectification_days", "unit_id", "window_id", "floor_id",
               "person_id", "person_branch_id", "person_mobile", "rated", "import_batch", "imported_at", "rating_id",
               "rating_key")


def _settle_missed(missed, results):
    """Items a concurrent request got to first (the insert skipped them): a replay of the
    same key answers with that rating, anything else is refused with its reason."""
    if not missed:
        return
    found = Rating.objects.filter(Q(transaction_id__in=[r["transaction_id"] for r in missed])
                                  | Q(idempotency_key__in=[r["key"] for r in missed if r["key"]])).values_list(
        "pk", "transaction_id", "idempotency_key")
    by_txn, by_key = {t: (pk, k) for pk, t, k in found}, {k: (pk, t) for pk, t, k in found if k}
    for r in missed:
        result = results[r["result"]]
        first = by_txn.get(r["transaction_id"])
        if r["key"] and first and first[1] == r["key"]:
            result.update(id=first[0], created=False)
        elif r["key"] in by_key and by_key[r["key"]][1] != r["transaction_id"]:
            results[r["result"]] = {"transaction": result["transaction"], "error": key_used_elsewhere()}
        else:
            results[r["result"]] = {"transaction": result["transaction"], "error": already_rated(r["number"])}


def _audit_batch(actor, rows, txns):
    """One audit row per centre naming the ratings the batch recorded there."""
    names = {t["centre_id"]: t["centre_name"] for t in txns.values()}
    by_centre = {}
    for r in rows:
        by_centre.setdefault(r["centre_id"], []).append(r["id"])
    for centre_id, ids in sorted(by_centre.items()):
        audit.record(actor, audit.Action.CREATE, ServiceCentre(pk=centre_id, name=names[centre_id]),
                     {"ratings": [None, ids]}, verb="record-ratings", centre_id=centre_id)
