"""Backups that restore: the test world (with a month of scores and an uploaded file)
is backed up, restored into a new database and a new uploads directory, and every
table's row count and checksum is compared. Runs on SQLite (the online backup API)
and, in the PostgreSQL suite, with pg_dump and pg_restore."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from vanguard.assessment import services as assessment
from vanguard.assessment.scheme_data import indicator_rows
from vanguard.assessment.scoring import Entry, save_scores
from vanguard.core import audit, backup

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _populate(world):
    from django.core.files.storage import default_storage

    assessment.create_scheme(world.office, world.centre, name="双百分考核", indicators=indicator_rows(),
                             valid_from=datetime.date(2026, 1, 1), threshold=Decimal("150"),
                             quota_kind="count", quota_value=1)
    period = assessment.open_period(world.office, world.centre, datetime.date(2026, 10, 1))
    p01 = period.scheme.indicators.get(code="P01")
    save_scores(world.office, period, [Entry(p.pk, p01.pk, "4.5") for p in world.branch1_members])
    return default_storage.save("evidence/证明.pdf", ContentFile(b"%PDF-1.4 evidence"))


def _live_fingerprints():
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        from django.db import transaction

        with transaction.atomic(), connection.cursor() as cursor:
            return backup.pg_fingerprints(cursor)
    return backup.sqlite_fingerprints(connection.connection)


@pytest.fixture
def new_target(tmp_path):
    """A new, empty database beside the test database."""
    if connection.vendor == "postgresql":
        import psycopg

        settings_dict = dict(connection.settings_dict)
        name = f"{settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
        server = backup._pg_connect({"settings": {**settings_dict, "NAME": "postgres"}})
        with psycopg.connect(**server, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        yield {"vendor": "postgresql", "settings": {**settings_dict, "NAME": name}, "label": name}
        with psycopg.connect(**server, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "restored.sqlite3"
        yield {"vendor": "sqlite", "path": str(path), "label": str(path)}


def test_backup_restores_into_a_new_instance_table_by_table(world, media, tmp_path, new_target):
    stored = _populate(world)
    before = _live_fingerprints()
    manifest = backup.create(tmp_path / "backup")
    assert manifest["tables"] == before
    assert manifest["tables"]["assessment_score"][0] == 3 and manifest["media"]["files"] == 1
    assert manifest["audit_head"] == audit.head()
    on_disk = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert on_disk["database"]["sha256"] == backup.sha256(tmp_path / "backup" / on_disk["database"]["file"])

    restored_media = tmp_path / "restored-media"
    report = backup.restore(tmp_path / "backup", new_target, media_root=restored_media)
    assert report["mismatches"] == []
    assert report["tables"] == len(before) and report["rows"] == sum(c for c, _h in before.values())
    assert (restored_media / stored).read_bytes() == b"%PDF-1.4 evidence"
    # Every table of the new database, counted and checksummed again on its own.
    if new_target["vendor"] == "postgresql":
        import psycopg

        with psycopg.connect(**backup._pg_connect(new_target)) as db, db.cursor() as cursor:
            assert backup.pg_fingerprints(cursor) == before
    else:
        import sqlite3

        db = sqlite3.connect(new_target["path"])
        assert backup.sqlite_fingerprints(db) == before
        db.close()


def test_restore_refuses_a_target_in_use_unless_forced(world, media, tmp_path, new_target):
    _populate(world)
    backup.create(tmp_path / "backup")
    backup.restore(tmp_path / "backup", new_target, media_root=tmp_path / "m1")
    with pytest.raises(backup.BackupError, match="不是空的"):
        backup.restore(tmp_path / "backup", new_target, media_root=tmp_path / "m2")
    # --force replaces the contents, and the result still matches the manifest.
    report = backup.restore(tmp_path / "backup", new_target, force=True, media_root=tmp_path / "m1")
    assert report["mismatches"] == []


def test_restore_refuses_an_uploads_directory_in_use(world, media, tmp_path, new_target):
    _populate(world)
    backup.create(tmp_path / "backup")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "old.txt").write_text("x")
    with pytest.raises(backup.BackupError, match="上传文件目录"):
        backup.restore(tmp_path / "backup", new_target, media_root=busy)
    assert backup.target_is_empty(new_target)


def test_restore_command_refuses_the_database_in_use(world, media, tmp_path):
    _populate(world)
    call_command("backup", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="不是空的|内存"):
        call_command("restore", str(tmp_path / "backup"), interactive=False)


def test_a_damaged_backup_is_refused(world, media, tmp_path, new_target):
    _populate(world)
    manifest = backup.create(tmp_path / "backup")
    with open(tmp_path / "backup" / manifest["database"]["file"], "r+b") as f:
        f.seek(200)
        f.write(b"XXXX")
    with pytest.raises(backup.BackupError, match="校验"):
        backup.restore(tmp_path / "backup", new_target)


def test_backup_command_refuses_a_directory_in_use(world, media, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", str(tmp_path / "used"))
