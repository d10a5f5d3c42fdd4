"""Single ratings are written uncounted and folded into the figures in batches (figures.fold_pending):
each exactly once, also when folds race each other and new ratings; the figures then equal a recount
from the rating rows, and until then the pages and the API say what is not counted yet."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse

from vanguard.ratings import figures, services
from vanguard.ratings.api import RatingSerializer, rating_answer
from vanguard.ratings.models import Rating, SatisfactionStat

from .conftest import import_one, rate

COUNT_FIELDS = ("centre_id", "dimension", "key", "period", "start", *figures.COUNTS)


def stats():
    return sorted(SatisfactionStat.objects.values_list(*COUNT_FIELDS))


def recount():
    """The figures rebuilt from the rating rows (the stat rows as they were are put back)."""
    before = stats()
    figures.rebuild()
    after = stats()
    SatisfactionStat.objects.all().delete()
    SatisfactionStat.objects.bulk_create([SatisfactionStat(**dict(zip(COUNT_FIELDS, row, strict=True)))
                                          for row in before])
    return after


def test_a_single_rating_waits_for_the_fold_and_is_counted_once(world, post):
    ratings = [rate(import_one(world), level) for level in (5, 4, 1)]
    assert all(not r.counted for r in ratings) and not SatisfactionStat.objects.exists()
    fresh = figures.freshness("centre", world.centre.pk)
    assert fresh["pending"] == 3 and fresh["counted_until"] == min(r.rated_at for r in ratings)
    assert "3" in fresh["note"]
    assert figures.freshness("unit", world.home_unit2.pk)["pending"] == 0
    assert figures.fold_pending() == 3
    assert figures.fold_pending() == 0  # nothing twice
    assert not Rating.objects.filter(counted=False).exists()
    assert figures.freshness("centre", world.centre.pk) == {
        "pending": 0, "counted_until": None, "note": figures.freshness_note({"pending": 0})}
    year = figures.period_figures("centre", world.centre.pk, "year", ratings[0].day)
    assert (year["n5"], year["n4"], year["n1"], year["total"]) == (1, 1, 1, 3)
    assert stats() == recount()


def test_the_fold_counts_a_rating_set_aside_before_it_as_set_aside(world, post):
    rating = rate(import_one(world), 1)
    services.set_aside_rating(world.office, rating, reason="测试")
    figures.fold_all()
    year = figures.period_figures("centre", world.centre.pk, "year", rating.day)
    assert (year["n1"], year["n_set_aside"]) == (0, 1)
    # Set aside after the fold: moved in the figures, not counted again.
    other = rate(import_one(world), 2)
    figures.fold_all()
    services.set_aside_rating(world.office, other, reason="测试")
    assert figures.fold_all() == 0
    year = figures.period_figures("centre", world.centre.pk, "year", rating.day)
    assert (year["n2"], year["n1"], year["n_set_aside"]) == (0, 0, 2)
    assert stats() == recount()


def test_a_centre_fold_leaves_other_centres_ratings(world, post):
    rate(import_one(world), 5)
    assert figures.fold_all(world.other_centre.pk) == 0
    assert figures.fold_all(world.centre.pk) == 1


def test_exact_readers_fold_first(world, post):
    """The assessment's and the honours' readers count what is pending before they read."""
    from vanguard.ratings import selectors

    rating = rate(import_one(world), 5)
    month = rating.day.replace(day=1)
    last = figures.period_end(month, "month") - __import__("datetime").timedelta(days=1)
    assert selectors.ratings_fingerprint(world.centre, month, last)[0] == 1
    rate(import_one(world), 4)
    by_person = selectors.ratings_by_person(world.centre, month, last)
    assert sum(row["ratings"] for row in by_person.values()) == 2
    rate(import_one(world), 3)
    ranking = figures.period_ranking(world.centre.pk, "centre", "year", rating.day)
    assert ranking[world.centre.pk]["total"] == 3


def test_the_command_folds(world, post, capsys):
    rate(import_one(world), 5)
    call_command("ratings", "fold")
    assert "1" in capsys.readouterr().out
    assert not Rating.objects.filter(counted=False).exists()


def test_pages_and_api_say_how_fresh_the_figures_are(world, api, post, client, login):
    rate(import_one(world), 5)
    data = api(world.office).get(f"/api/v1/ratings/figures/?unit={world.home_unit.pk}&period=year").json()
    assert data["pending"] == 1 and data["counted_until"] and data["freshness"] and data["rows"] == []
    login(world.office)
    page = client.get(reverse("ratings:home") + f"?dimension=unit&key={world.home_unit.pk}")
    assert figures.freshness("unit", world.home_unit.pk)["note"] in page.content.decode()
    figures.fold_all()
    data = api(world.office).get(f"/api/v1/ratings/figures/?unit={world.home_unit.pk}&period=year").json()
    assert data["pending"] == 0 and data["counted_until"] is None and data["rows"][0]["total"] == 1
    page = client.get(reverse("ratings:home") + f"?dimension=unit&key={world.home_unit.pk}")
    assert figures.freshness_note({"pending": 0}) in page.content.decode()


def test_the_answer_is_the_serializers(world, post):
    """rating_answer writes out RatingSerializer's representation: the same, field for field."""
    plain = rate(import_one(world), 5)
    full = rate(import_one(world), 2, scores={"attitude": 2}, reasons=["slow"], comment="太慢")
    services.set_aside_rating(world.office, full, reason="测试")
    for rating in (plain, Rating.objects.get(pk=full.pk), Rating.objects.select_related("transaction").get(
            pk=plain.pk)):
        assert rating_answer(rating) == dict(RatingSerializer(rating).data)


@pytest.mark.django_db(transaction=True)
def test_racing_folds_and_writers_count_every_rating_once(world, post):
    """Four folders (small batches) race each other and two writers of new ratings: every rating is
    counted exactly once, and the figures equal a recount from the rows."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    txns = [import_one(world) for _ in range(60)]
    for txn in txns[:30]:
        rate(txn, 5 if txn.pk % 3 else 1)
    folded, errors, writing = [], [], threading.Event()
    writing.set()

    def fold():
        try:
            while True:
                n = figures.fold_pending(limit=3)
                folded.append(n)
                if not n and not writing.is_set():
                    return
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connections.close_all()

    def write(part):
        try:
            for txn in part:
                services.record_rating(world.office, txn, level=4 if txn.pk % 2 else 2, channel="device")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=write, args=(txns[30 + i::2],)) for i in range(2)]
    folders = [threading.Thread(target=fold) for _ in range(4)]
    for t in writers + folders:
        t.start()
    for t in writers:
        t.join(120)
    writing.clear()
    for t in folders:
        t.join(120)
    assert not errors, errors
    folded.append(figures.fold_all())  # what came after the folders' last look
    assert sum(folded) == Rating.objects.count() == 60
    assert not Rating.objects.filter(counted=False).exists()
    year = figures.group_totals(SatisfactionStat.objects.filter(dimension="centre", period="year"))
    assert sum(v["total"] for v in year.values()) == 60
    assert stats() == recount()
