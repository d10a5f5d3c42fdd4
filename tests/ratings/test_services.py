import datetime

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vanguard.ratings import cases, figures, services
from vanguard.ratings.models import Notice, Rating, RectificationCase, SatisfactionStat, Transaction

from .conftest import import_one, rate

pytestmark = pytest.mark.django_db(transaction=False)


def stat(dimension, key, period="year", day=None):
    return figures.period_figures(dimension, key, period, day or timezone.localdate())


# Transactions ------------------------------------------------------------------------

def test_import_is_idempotent_by_number(world):
    item = {"number": "N1", "service_item": "变更登记", "window": "A01", "person": "李党员",
            "accepted_at": "2026-09-30 09:00"}
    first = services.import_transactions(world.office, world.centre, [item])
    again = services.import_transactions(world.office, world.centre, [item, {**item, "number": "N2"}])
    assert first["created"] == 1 and again["created"] == 1 and again["existing"] == ["N1"]
    txn = Transaction.objects.get(number="N1")
    assert txn.unit == world.home_unit and txn.person == world.member_person
    assert timezone.localtime(txn.accepted_at).hour == 9


def test_unknown_window_and_person_are_reported_and_nothing_is_stored(world):
    items = [
        {"number": "OK1", "service_item": "x", "window": "A01", "accepted_at": "2026-09-30 09:00"},
        {"number": "BAD1", "service_item": "x", "window": "Z99", "accepted_at": "2026-09-30 09:00"},
        {"number": "BAD2", "service_item": "x", "window": "A01", "person": "无名氏", "accepted_at": "2026-09-30"},
        {"number": "BAD3", "service_item": "x", "window": "A01", "accepted_at": "not a time"},
        {"number": "OK1", "service_item": "x", "window": "A01", "accepted_at": "2026-09-30 09:00"},
    ]
    with pytest.raises(ValidationError) as e:
        services.import_transactions(world.office, world.centre, items)
    text = " ".join(e.value.messages)
    assert "Z99" in text and "无名氏" in text and "not a time" in text and "OK1" in text
    assert "第 2 条" in text or "2" in text
    assert not Transaction.objects.exists()


def test_only_the_office_imports(world):
    with pytest.raises(PermissionDenied):
        services.import_transactions(world.handler, world.centre, [])
    with pytest.raises(PermissionDenied):
        services.import_transactions(world.outsider, world.centre, [])


# Ratings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("level", [0, 6, "abc", None, True])
def test_level_outside_one_to_five_is_refused(txn, level):
    with pytest.raises(ValidationError) as e:
        rate(txn, level=level)
    assert "1" in e.value.messages[0] and "5" in e.value.messages[0]
    assert not Rating.objects.exists()


def test_second_rating_is_refused(txn):
    rate(txn, level=4)
    with pytest.raises(ValidationError) as e:
        rate(txn, level=1)
    assert "已评价" in e.value.messages[0] or "already" in e.value.messages[0]
    assert Rating.objects.count() == 1


def test_idempotency_key_replays(txn):
    first, created = services.store_rating(txn, level=5, channel="device", idempotency_key="k-1")
    again, created_again = services.store_rating(txn, level=5, channel="device", idempotency_key="k-1")
    assert created and not created_again and first.pk == again.pk


def test_a_conflict_writes_nothing_and_leaves_the_rest_usable(world, txn):
    """The insert's conflicts (second rating, key of another transaction) on both databases: on
    PostgreSQL one statement that writes nothing on conflict, elsewhere a savepoint; either way the
    enclosing transaction goes on, the other transaction stays unrated, the figures count once."""
    first, _created = services.record_rating(world.office, txn, level=5, channel="device", idempotency_key="k-9")
    other = import_one(world)
    with pytest.raises(ValidationError) as e:
        services.record_rating(world.office, other, level=4, channel="device", idempotency_key="k-9")
    assert "idempotency_key" in e.value.message_dict
    stale = Transaction.objects.get(pk=txn.pk)
    stale.rated = False  # as read by a request that raced the first one
    with pytest.raises(ValidationError, match="已|already"):
        services.record_rating(world.office, stale, level=1, channel="device")
    again, created = services.record_rating(world.office, stale, level=5, channel="device", idempotency_key="k-9")
    assert not created and again.pk == first.pk
    assert list(Rating.objects.values_list("transaction_id", flat=True)) == [txn.pk]
    assert not Transaction.objects.get(pk=other.pk).rated and Transaction.objects.get(pk=txn.pk).rated
    assert figures.fold_all() == 1
    assert stat("centre", world.centre.pk)["total"] == 1
    second, created = services.record_rating(world.office, other, level=2, channel="device", idempotency_key="k-10")
    assert created and Transaction.objects.get(pk=other.pk).rated and figures.fold_all() == 1
    assert stat("centre", world.centre.pk)["total"] == 2


def test_token_forged_expired_and_used(txn, settings):
    token = services.rating_token(txn)
    with pytest.raises(ValidationError, match="无效|not valid"):
        services.rate_by_token(token[:-2] + "xx", level=5)
    other = signing.dumps({"t": txn.pk, "c": "qr"}, salt="something-else", compress=True)
    with pytest.raises(ValidationError):
        services.rate_by_token(other, level=5)
    old = timezone.now() - datetime.timedelta(days=services.CONFIG["link_max_age_days"] + 1)
    signer = signing.TimestampSigner(salt=services.TOKEN_SALT)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(signing.time, "time", lambda: old.timestamp())
        expired = signing.dumps({"t": txn.pk, "c": "qr"}, salt=services.TOKEN_SALT, compress=True)
    assert signer  # the same signer family as the links
    with pytest.raises(ValidationError, match="过期|expired"):
        services.rate_by_token(expired, level=5)
    services.rate_by_token(token, level=5, ip="10.0.0.1")
    with pytest.raises(ValidationError, match="已|already"):
        services.rate_by_token(token, level=4)
    rating = Rating.objects.get()
    assert rating.channel == "qr" and rating.level == 5


def test_figures_follow_ratings_per_dimension(world, post):
    t1, t2, t3 = (import_one(world) for _ in range(3))
    rate(t1, 5)
    rate(t2, 3)
    rate(t3, 1)
    figures.fold_all()
    for dimension, key in [("centre", world.centre.pk), ("unit", world.home_unit.pk), ("window", world.window1.pk),
                           ("person", world.member_person.pk), ("floor", world.floor1.pk), ("post", post.pk),
                           ("branch", world.branch1.pk)]:
        data = stat(dimension, key)
        assert (data["n5"], data["n3"], data["n1"], data["total"]) == (1, 1, 1, 3), dimension
        assert str(data["rate"]) == "66.67"
    assert stat("unit", world.home_unit.pk, "month")["total"] == 3
    assert stat("unit", world.home_unit2.pk)["total"] == 0
    # The rebuild (set-based GROUP BY) agrees with the incremental upserts.
    before = sorted(SatisfactionStat.objects.values_list("dimension", "key", "period", "start", "n5", "n3", "n1"))
    figures.rebuild()
    after = sorted(SatisfactionStat.objects.values_list("dimension", "key", "period", "start", "n5", "n3", "n1"))
    assert before == after


def test_default_rating_after_seven_days(world, post):
    old = import_one(world, accepted_at=timezone.now() - datetime.timedelta(days=8))
    fresh = import_one(world, accepted_at=timezone.now() - datetime.timedelta(days=2))
    assert services.default_unrated() == 1
    rating = Rating.objects.get(transaction=old)
    assert rating.is_default and rating.level == 3 and rating.channel == "default"
    assert not Rating.objects.filter(transaction=fresh).exists()
    data = stat("unit", world.home_unit.pk)
    assert data["n3"] == 1 and data["n_default"] == 1
    assert services.default_unrated() == 0


def test_fraud_signals_flag_without_blocking(world, post, settings):
    txns = [import_one(world) for _ in range(7)]
    for t in txns[:6]:
        rate(t, 5, channel="qr", ip="10.9.9.9")
    flagged = Rating.objects.filter(flagged=True)
    assert flagged.count() >= 1 and "address" in flagged.first().flags
    own = rate(txns[6], 5, channel="qr", rater_phone=world.member_person.mobile, ip="10.1.1.1")
    assert "staff" in own.flags
    figures.fold_all()
    assert stat("unit", world.home_unit.pk)["n_flagged"] == Rating.objects.filter(flagged=True).count()
    # Set aside: out of the rate, shown separately.
    services.set_aside_rating(world.office, own, reason="经办人本人评价")
    data = stat("unit", world.home_unit.pk)
    assert data["total"] == 6 and data["n_set_aside"] == 1
    with pytest.raises(ValidationError):
        services.set_aside_rating(world.office, own, reason="again")
    with pytest.raises(PermissionDenied):
        services.set_aside_rating(world.handler, Rating.objects.exclude(pk=own.pk).first(), reason="x")


def test_burst_right_after_import_is_flagged(world, post):
    items = [{"number": f"B{i}", "service_item": "x", "window": "A01", "accepted_at": timezone.now()}
             for i in range(6)]
    services.import_transactions(world.office, world.centre, items)
    for i, t in enumerate(Transaction.objects.filter(number__startswith="B").order_by("number")):
        rate(t, 5, channel="sms", ip=f"10.2.0.{i}")
    flagged = [r for r in Rating.objects.all() if "burst" in r.flags]
    assert len(flagged) >= 2 and all(r.flagged for r in flagged)


# Rectification ---------------------------------------------------------------------------

def test_bad_review_opens_a_case_with_working_day_deadlines(world, post):
    txn = import_one(world)
    at = timezone.make_aware(datetime.datetime(2026, 9, 30, 10, 0))
    rating = rate(txn, 2, now=at)
    case = RectificationCase.objects.get(rating=rating)
    # 2026-10-01..07 is the National Day holiday: the next working day is 10-08; five working days
    # are 10-08, 10-09, 10-10 (a Saturday made a working day), 10-12 and 10-13.
    assert case.verify_due == datetime.date(2026, 10, 8)
    assert case.rectify_due == datetime.date(2026, 10, 13)
    assert case.unit == world.home_unit and case.person == world.member_person


def test_case_lifecycle_and_figures(world, post):
    rating = rate(import_one(world), 1, comment="态度差")
    case = rating.case
    with pytest.raises(PermissionDenied):
        cases.verify_case(world.office, case, verification="x")
    with pytest.raises(ValidationError):
        cases.verify_case(world.handler, case, verification="")
    with pytest.raises(ValidationError):
        cases.close_case(world.handler, case)
    case = cases.verify_case(world.handler, case, verification="属实")
    case = cases.rectify_case(world.handler, case, rectification="批评教育")
    case = cases.call_back(world.handler, case, result="satisfied", note="满意")
    case = cases.close_case(world.handler, case)
    assert case.state == "closed"
    fig = cases.case_figures(RectificationCase.objects.all())
    assert fig["rectification_rate"] == 100 and fig["callback_rate"] == 100 and fig["on_time_rate"] == 100


def test_overdue_is_recorded_once_and_escalated(world, post):
    rating = rate(import_one(world), 2, now=timezone.now() - datetime.timedelta(days=20))
    assert cases.mark_overdue() == 1
    case = RectificationCase.objects.get(pk=rating.case.pk)
    first = case.overdue_at
    assert first and case.overdue_stage == "verifying" and case.escalated_at
    assert cases.mark_overdue(now=timezone.now() + datetime.timedelta(days=3)) == 0
    case.refresh_from_db()
    assert case.overdue_at == first
    assert Notice.objects.filter(kind="escalation").count() == 1
    # Closing later does not change the past: it stays late in the on-time figure.
    cases.verify_case(world.handler, case, verification="x")
    cases.rectify_case(world.handler, case, rectification="x")
    cases.call_back(world.handler, case, result="basic")
    cases.close_case(world.handler, case)
    assert cases.case_figures(RectificationCase.objects.all())["on_time_rate"] == 0


def test_set_aside_request_is_decided_by_the_office(world, post):
    rating = rate(import_one(world), 1)
    case = cases.request_set_aside(world.handler, rating.case, reason="恶意差评，有录像为证")
    assert case.state == "requested"
    with pytest.raises(PermissionDenied):
        cases.decide_set_aside(world.handler, case, approve=True)
    with pytest.raises(ValidationError):
        cases.decide_set_aside(world.office, case, approve=False)
    case = cases.decide_set_aside(world.office, case, approve=False, note="证据不足")
    assert case.state == "verifying"
    case = cases.request_set_aside(world.handler, case, reason="补充证据")
    figures.fold_all()
    case = cases.decide_set_aside(world.office, case, approve=True, note="同意")
    assert case.state == "set_aside"
    rating.refresh_from_db()
    assert rating.set_aside
    data = stat("unit", world.home_unit.pk)
    assert data["n1"] == 0 and data["n_set_aside"] == 1
