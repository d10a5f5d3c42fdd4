"""Backups that restore. `create(directory)` writes the database (pg_dump's custom
format on PostgreSQL, SQLite's online backup API otherwise), the uploaded files
(media.tar.gz) and manifest.json: each file's SHA-256 and every table's row count
and checksum, all of one consistent moment. `restore(directory, target)` checks the
files against the manifest, rebuilds the database and the uploads in a fresh place,
and compares every table's count and checksum with the manifest.

Used by `vanguard backup DIR` and `vanguard restore DIR`."""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media.tar.gz"
DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the user's language."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Fingerprints: every table's row count and a checksum independent of row order -------------

def _pg_tables(cursor):
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def pg_fingerprints(cursor):
    """{table: [rows, checksum]} on PostgreSQL, in the cursor's transaction."""
    # The text of a row depends on these settings: fixed, so that two sessions agree.
    cursor.execute("SET LOCAL TIME ZONE 'UTC'")
    cursor.execute("SET LOCAL datestyle = 'ISO, YMD'")
    cursor.execute("SET LOCAL extra_float_digits = 3")
    out = {}
    for table in _pg_tables(cursor):
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') "
                       f"FROM (SELECT md5(t::text) AS h FROM {quoted} t) rows")
        count, checksum = cursor.fetchone()
        out[table] = [count, checksum]
    return out


def sqlite_fingerprints(db):
    """{table: [rows, checksum]} of an sqlite3 connection."""
    out = {}
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        # quote(): each value as SQL text, so no connection's type converters change what is hashed.
        columns = ", ".join('quote("' + c[1].replace('"', '""') + '")'
                            for c in db.execute(f"PRAGMA table_info({quoted})"))
        hashes = sorted(hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest()
                        for row in db.execute(f"SELECT {columns} FROM {quoted}"))
        checksum = hashlib.md5("".join(hashes).encode(), usedforsecurity=False).hexdigest() if hashes else ""
        out[table] = [len(hashes), checksum]
    return out


def _pg_env(settings_dict):
    """libpq's environment for pg_dump/pg_restore: no password on a command line."""
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def _run(args, env=None):
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(_("%(program)s failed: %(error)s") % {
            "program": args[0], "error": (done.stderr or done.stdout).strip()[-2000:]})
    return done


# Backup -------------------------------------------------------------------------------

def _write_media(directory):
    root = Path(settings.MEDIA_ROOT)
    count = 0
    with tarfile.open(directory / MEDIA, "w:gz") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(root)))
                    count += 1
    return count


def _migrations():
    from django.db.migrations.recorder import MigrationRecorder

    latest = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def create(directory, *, force=False):
    """Write a backup into `directory` (new or empty). Returns the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()) and not force:
        raise BackupError(_("%(dir)s is not empty; give a new directory for the backup.") % {"dir": directory})
    directory.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor not in DUMP:
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor})
    dump = directory / DUMP[vendor]
    started = datetime.datetime.now(datetime.UTC)
    connection.ensure_connection()
    if vendor == "postgresql":
        # The fingerprints and pg_dump read the same snapshot, so the manifest describes the dump.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}",
                  f"--file={dump}"], env=_pg_env(connection.settings_dict))
            tables = pg_fingerprints(cursor)
            migrations = _migrations()
    else:
        target = sqlite3.connect(dump)
        try:
            # The online backup API copies a consistent image while others keep writing.
            connection.connection.backup(target)
            tables = sqlite_fingerprints(target)
        finally:
            target.close()
        migrations = _migrations()
    media_files = _write_media(directory)
    from vanguard.core import audit

    manifest = {
        "format": FORMAT, "created_at": started.isoformat(), "vendor": vendor,
        "database": {"file": dump.name, "size": dump.stat().st_size, "sha256": sha256(dump)},
        "media": {"file": MEDIA, "files": media_files, "size": (directory / MEDIA).stat().st_size,
                  "sha256": sha256(directory / MEDIA)},
        "migrations": migrations, "audit_head": audit.head(), "tables": tables,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return manifest


# Restore ------------------------------------------------------------------------------

def read_manifest(directory):
    """The manifest, after checking the files it lists against their checksums."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BackupError(_("%(dir)s holds no readable manifest.json: %(error)s") % {
            "dir": directory, "error": e}) from e
    if manifest.get("format") != FORMAT:
        raise BackupError(_("This backup's format (%(format)s) is not one this version reads.") % {
            "format": manifest.get("format")})
    for part in ("database", "media"):
        path = directory / manifest[part]["file"]
        if not path.is_file():
            raise BackupError(_("%(file)s is missing from the backup.") % {"file": path.name})
        if sha256(path) != manifest[part]["sha256"]:
            raise BackupError(_("%(file)s does not match its checksum in the manifest: the backup is damaged.")
                              % {"file": path.name})
    return manifest


def target_is_empty(target):
    """Does the target database hold no tables (a fresh instance)?"""
    if target["vendor"] == "postgresql":
        import psycopg

        with psycopg.connect(**_pg_connect(target)) as db:
            return not _pg_tables(db.cursor())
    path = Path(target["path"])
    if not path.exists() or path.stat().st_size == 0:
        return True
    db = sqlite3.connect(path)
    try:
        return not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'").fetchone()
    finally:
        db.close()


def _pg_connect(target):
    s = target["settings"]
    return {k: v for k, v in {"host": s.get("HOST"), "port": s.get("PORT"), "user": s.get("USER"),
                              "password": s.get("PASSWORD"), "dbname": s.get("NAME")}.items() if v}


def default_target():
    """The configured database, as restore's target."""
    s = connections["default"].settings_dict
    if connections["default"].vendor == "postgresql":
        return {"vendor": "postgresql", "settings": s, "label": s.get("NAME")}
    name = str(s["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("The configured database lives in memory; there is nothing to restore into."))
    return {"vendor": "sqlite", "path": name, "label": name}


def restore(directory, target=None, *, force=False, media_root=None):
    """Rebuild the database and the uploads from a backup. Refuses a target that holds
    tables, or uploads, unless `force`. Returns a report: {"tables", "rows", "media",
    "mismatches"} (mismatches: tables whose count or checksum differs from the manifest)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    target = target or default_target()
    if manifest["vendor"] != target["vendor"]:
        raise BackupError(_("This backup is of a %(backup)s database; the target is %(target)s.") % {
            "backup": manifest["vendor"], "target": target["vendor"]})
    media_root = Path(media_root or settings.MEDIA_ROOT)
    media_used = media_root.is_dir() and any(media_root.iterdir())
    if not force and not target_is_empty(target):
        raise BackupError(_("The target database %(db)s is not empty. Restore into a new database, or give "
                            "--force to replace its contents.") % {"db": target["label"]})
    if not force and media_used:
        raise BackupError(_("The uploads directory %(dir)s is not empty. Restore into a new instance, or give "
                            "--force to replace its files.") % {"dir": media_root})
    dump = directory / manifest["database"]["file"]
    if target["vendor"] == "postgresql":
        args = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
        if force:
            args += ["--clean", "--if-exists"]
        _run([*args, f"--dbname={target['settings'].get('NAME')}", str(dump)], env=_pg_env(target["settings"]))
        import psycopg

        with psycopg.connect(**_pg_connect(target)) as db, db.cursor() as cursor:
            found = pg_fingerprints(cursor)
    else:
        path = Path(target["path"])
        # Copy next to the target, then swap it in whole; a stale journal of the old file must go too.
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".restoring", delete=False) as tmp:
            part = Path(tmp.name)
        source, copy = sqlite3.connect(dump), sqlite3.connect(part)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        if path.exists():
            connections.close_all()
        os.replace(part, path)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = sqlite3.connect(path)
        try:
            found = sqlite_fingerprints(db)
        finally:
            db.close()
    media = _restore_media(directory / MEDIA, media_root, replace=force)
    expected = manifest["tables"]
    mismatches = sorted(t for t in set(expected) | set(found) if expected.get(t) != found.get(t))
    return {"tables": len(found), "rows": sum(c for c, _h in found.values()), "media": media,
            "mismatches": mismatches, "manifest": manifest}


def _restore_media(archive, root, *, replace):
    if replace and root.is_dir():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        # filter="data": no absolute paths, no "..", no links out of the directory.
        tar.extractall(root, members=members, filter="data")
    return len(members)
