"""The audit trail an auditor can use: bulk writes list each changed cell with its
before and after value; every entry carries its centre; events are stored by name
and translated when shown; the trail is append-only and hash-chained, and
`vanguard audit verify` names the first broken link."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import translation

from vanguard.assessment import services as assessment
from vanguard.assessment.models import Adjustment
from vanguard.assessment.scheme_data import indicator_rows
from vanguard.assessment.scoring import Entry, save_scores
from vanguard.core import audit
from vanguard.core.audit_events import Event
from vanguard.core.models import AuditEntry, AuditTrailIsAppendOnly

MONTH = datetime.date(2026, 10, 1)


def _month(world):
    assessment.create_scheme(world.office, world.centre, name="双百分考核", indicators=indicator_rows(),
                             valid_from=datetime.date(2026, 1, 1), threshold=Decimal("150"),
                             quota_kind="count", quota_value=1)
    return assessment.open_period(world.office, world.centre, MONTH)


def _tamper(sql, params):
    """What someone with database access might do: the trigger that refuses it on
    PostgreSQL is switched off first (the test database's owner may)."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER vg_audit_append_only")
        cursor.execute(sql.format(table=table), params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER vg_audit_append_only")


@pytest.mark.django_db
class TestChain:
    def test_the_trail_of_a_world_verifies(self, world):
        count, broken = audit.verify()
        assert broken is None and count == AuditEntry.objects.count() > 10
        # One chain per centre: the centre's first entry starts it, each next one links to the one before.
        first, second = AuditEntry.objects.filter(centre=world.centre).order_by("id")[:2]
        assert first.prev_hash == "" and second.prev_hash == first.hash and len(second.hash) == 64
        other = AuditEntry.objects.filter(centre=world.other_centre).order_by("id").first()
        assert other.prev_hash == "" and other.pk > first.pk

    def test_a_changed_entry_is_reported(self, world):
        target = AuditEntry.objects.order_by("id")[5]
        _tamper("UPDATE {table} SET actor_name = %s WHERE id = %s", ["someone", target.pk])
        count, (entry, problem) = audit.verify()
        assert (entry.pk, problem, count) == (target.pk, "content", 6)
        with pytest.raises(CommandError, match=f"第 {target.pk} 条"):
            call_command("audit", "verify")

    def test_a_removed_entry_is_reported_at_the_next_one(self, world):
        removed, after = AuditEntry.objects.filter(centre=world.centre).order_by("id")[3:5]
        _tamper("DELETE FROM {table} WHERE id = %s", [removed.pk])
        _count, (entry, problem) = audit.verify()
        assert (entry.pk, problem) == (after.pk, "previous")

    def test_an_entry_rehashed_alone_breaks_the_link_after_it(self, world):
        target, after = AuditEntry.objects.filter(centre=world.centre).order_by("id")[2:4]
        fields = {name: getattr(target, name) for name in audit.HASHED}
        fields["actor_name"] = "someone"
        _tamper("UPDATE {table} SET actor_name = %s, hash = %s WHERE id = %s",
                ["someone", audit.entry_hash(target.prev_hash, fields), target.pk])
        _count, (entry, problem) = audit.verify()
        assert (entry.pk, problem) == (after.pk, "previous")

    def test_verify_command_says_the_trail_holds(self, world, capsys):
        call_command("audit", "verify")
        assert f"共 {AuditEntry.objects.count()} 条" in capsys.readouterr().out

    def test_append_only_through_the_orm(self, world):
        entry = AuditEntry.objects.first()
        with pytest.raises(AuditTrailIsAppendOnly):
            AuditEntry.objects.filter(pk=entry.pk).update(actor_name="x")
        with pytest.raises(AuditTrailIsAppendOnly):
            AuditEntry.objects.filter(pk=entry.pk).delete()
        with pytest.raises(AuditTrailIsAppendOnly):
            entry.delete()
        entry.actor_name = "x"
        with pytest.raises(AuditTrailIsAppendOnly):
            entry.save()

    def test_the_database_refuses_update_and_delete_on_postgresql(self, world):
        if connection.vendor != "postgresql":
            pytest.skip("The trigger is PostgreSQL's.")
        from django.db import DatabaseError

        entry = AuditEntry.objects.first()
        table = AuditEntry._meta.db_table
        for sql in (f"UPDATE {table} SET actor_name = 'x' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute(sql, [entry.pk])

    def test_deleting_an_account_leaves_its_entries_as_they_were(self, world):
        from vanguard.core.models import User

        user = User.objects.create(username="temp")
        audit.record(user, audit.Action.ACTION, world.centre, verb=Event.PASSWORD_RESET)
        user_id = user.pk
        user.delete()
        entry = AuditEntry.objects.order_by("-id").first()
        assert entry.actor_id == user_id and entry.actor_name == "temp"
        assert audit.verify()[1] is None


@pytest.mark.django_db
class TestBulkWrites:
    def test_a_bulk_save_lists_each_changed_cell_with_before_and_after(self, world):
        period = _month(world)
        p01, p02 = (period.scheme.indicators.get(code=c) for c in ("P01", "P02"))
        a, b = world.branch1_members[:2]
        save_scores(world.office, period, [Entry(a.pk, p01.pk, "5"), Entry(b.pk, p01.pk, "4")])
        save_scores(world.office, period, [Entry(a.pk, p01.pk, "3"), Entry(b.pk, p01.pk, "4"),
                                           Entry(a.pk, p02.pk, "2")], source="excel")
        first, second = AuditEntry.objects.filter(verb=Event.SCORES_ENTERED).order_by("id")
        assert first.changes["cells"] == [[a.pk, a.name, "P01", None, "5.0"], [b.pk, b.name, "P01", None, "4.0"]]
        # The unchanged cell (b, P01) is not listed; the changed one shows its old value.
        assert second.changes["cells"] == [[a.pk, a.name, "P01", "5.0", "3.0"], [a.pk, a.name, "P02", None, "2.0"]]
        assert second.changes["source"] == [None, "excel"] and second.centre_id == world.centre.pk

    def test_a_roster_import_is_chained(self, world):
        from vanguard.org.roster.importer import import_roster

        from ..org.roster_files import roster_file, row

        rows = [row(姓名=f"导入{n}", 手机号码=f"1380000{n:04d}") for n in range(30)]
        import_roster(world.office, world.centre, roster_file(world.centre, rows))
        entries = AuditEntry.objects.filter(verb=Event.ROSTER_IMPORT)
        assert entries.count() == 31 and set(entries.values_list("centre_id", flat=True)) == {world.centre.pk}
        assert audit.verify()[1] is None


@pytest.mark.django_db
def test_every_assessment_entry_carries_its_centre_and_the_office_sees_them(world, login):
    period = _month(world)
    people = world.branch1_members + world.branch2_members
    p01 = period.scheme.indicators.get(code="P01")
    save_scores(world.office, period, [Entry(p.pk, p01.pk, "5") for p in people])
    save_scores(world.secretary, period, [Entry(people[0].pk, p01.pk, "4")])
    assessment.create_adjustment(world.office, period, people[0], kind=Adjustment.Kind.BONUS, points=2,
                                 reason="表扬", source=Adjustment.Source.COMMENDATION)
    assessment.publish_period(world.office, period, confirm_unscored=True)
    entries = AuditEntry.objects.filter(model__startswith="assessment.")
    assert entries.count() >= 7
    assert set(entries.values_list("centre_id", flat=True)) == {world.centre.pk}
    own = set(AuditEntry.objects.visible_to(world.office).values_list("pk", flat=True))
    assert set(entries.values_list("pk", flat=True)) <= own
    assert not set(AuditEntry.objects.visible_to(world.outsider).values_list("pk", flat=True)) & own
    # Stored by name, shown translated on the office's audit page.
    assert entries.filter(verb=Event.PUBLISHED).exists()
    page = login(world.office).get(reverse("core:audit-list"))
    assert page.status_code == 200
    assert "公布结果" in page.content.decode() and ">published<" not in page.content.decode()


def test_event_names_are_translated_when_shown():
    entry = AuditEntry(verb=Event.SCORES_ENTERED)
    with translation.override("zh-hans"):
        assert entry.event_label == "批量录入评分"
    with translation.override("en"):
        assert entry.event_label == "scores entered"
    assert AuditEntry(verb="something else").event_label == "something else"


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the race is PostgreSQL's.")
    start = threading.Barrier(4)
    errors = []

    def writer(n):
        try:
            start.wait()
            for i in range(15):
                with transaction.atomic():
                    audit.record(world.office, audit.Action.ACTION, world.centre, {"n": [None, f"{n}-{i}"]})
                    audit.record_many(world.office, [{"action": audit.Action.ACTION, "obj": world.centre,
                                                      "changes": {"m": [None, f"{n}-{i}"]}}])
        except Exception as e:  # noqa: BLE001 -- reported below
            errors.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    count, broken = audit.verify()
    assert broken is None, broken
    assert AuditEntry.objects.filter(changes__has_key="n").count() == 60
