"""The backup and restore of ``docs/operations.md``, played on PostgreSQL: ``pg_dump -Fc`` of the
database and a tar of the media, ``pg_restore`` into another database and the media into another
directory; every table has the same rows, and ``jalon contract export`` run against the copy
writes members with the digests of the original's. Skipped on SQLite."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from jalon.demo.data import load_demo
from jalon.lib.clock import replaying
from jalon.reversibility.archive import export_contract
from jalon.tickets.models import Ticket

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are of PostgreSQL"),
    pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")),
                       reason="pg_dump and pg_restore are not installed"),
]


def libpq_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def table_digests(conninfo: dict[str, Any], tables: list[str]) -> dict[str, tuple[int, str]]:
    """Each table's row count and the MD5 of its rows in id order (or whole-row order)."""
    found = {}
    with psycopg.connect(**conninfo) as db, db.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*), md5(coalesce(string_agg(t::text, E\'\\n\' ORDER BY t::text), \'\')) '
                           f'FROM "{table}" t')
            count, digest = cursor.fetchone()  # type: ignore[misc]
            found[table] = (count, digest)
    return found


@pytest.mark.django_db(transaction=True)
def test_a_dump_and_its_media_restore_the_same_rows_and_the_same_export(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast demo logins
    contract = load_demo(NOW, count=4, slugs=("aquareel",)).contract
    assert contract is not None
    ticket = Ticket.objects.filter(contract=contract).order_by("number").first()
    assert ticket is not None
    with replaying(NOW - timedelta(minutes=5)):
        ticket.add_attachment(User.objects.get(username="technicien"),
                              SimpleUploadedFile("journal.txt", b"journal\n"))
    original = tmp_path / "original.zip"
    with original.open("wb") as target:
        export_contract(contract, target, NOW)

    source = connection.settings_dict
    env = libpq_env(source)
    copy_name = f"{source['NAME']}_restore"
    dump = tmp_path / "jalon.dump"
    # the backup: the database in pg_dump's custom format, the media in a tar
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source["NAME"]], env=env, check=True)
    media_tar = tmp_path / "media.tar.gz"
    with tarfile.open(media_tar, "w:gz") as tar:
        tar.add(settings.MEDIA_ROOT, arcname="media")
    # the restore: into another database and another directory
    subprocess.run(["dropdb", "--if-exists", copy_name], env=env, check=True)
    subprocess.run(["createdb", copy_name], env=env, check=True)
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", copy_name, str(dump)],
                       env=env, check=True)
        restored_media = tmp_path / "restored"
        with tarfile.open(media_tar) as tar:
            tar.extractall(restored_media, filter="data")
        tables = connection.introspection.table_names()
        conninfo = {"host": source.get("HOST") or None, "port": source.get("PORT") or None,
                    "user": source.get("USER") or None, "password": source.get("PASSWORD") or None}
        before = table_digests({**conninfo, "dbname": source["NAME"]}, tables)
        after = table_digests({**conninfo, "dbname": copy_name}, tables)
        assert after == before
        assert before["tickets_ticketevent"][0] > 0
        # the verification of docs/operations.md: the copy's export has the original's digests
        url = (f"postgres://{source.get('USER') or ''}:{source.get('PASSWORD') or ''}@"
               f"{source.get('HOST') or '127.0.0.1'}:{source.get('PORT') or 5432}/{copy_name}")
        again = tmp_path / "restored.zip"
        subprocess.run([sys.executable, "-m", "jalon", "contract", "export", contract.slug, "--out", str(again)],
                       env={**os.environ, "DATABASE_URL": url,
                            "JALON_MEDIA_ROOT": str(restored_media / "media")},
                       check=True, capture_output=True)
        members = [json.loads(zipfile.ZipFile(p).read("manifest.json"))["members"] for p in (original, again)]
        # the test-only probe app is installed under pytest, not in the command's process: its
        # members, and the README that describes it, differ
        expected = {name: digest for name, digest in members[0].items()
                    if "commitments_probe" not in name and name != "README.md"}
        members[1].pop("README.md")
        assert members[1] == expected
        assert any(name.startswith("files/attachments/") for name in expected)
    finally:
        subprocess.run(["dropdb", "--if-exists", copy_name], env=env, check=True)
