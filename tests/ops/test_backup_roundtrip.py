"""Backups (docs/deployment.md, "Backups and restore"): a pg_dump / pg_restore round trip of a
seeded database, attachments included, restores every row and every file byte for byte."""

import uuid

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from ops.backup import database_url_of
from referrals import services
from referrals.models import Attachment, Referral
from tests.factories.referrals import complete_draft

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def _server(url: str):
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    return conn


def _counts(cursor, tables) -> dict:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (introspected names)
        counts[table] = cursor.fetchone()[0]
    return counts


def test_backup_and_restore_bring_back_every_row_and_every_attachment(
        referrer, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")}}}
    for content, name in ((PDF, "notes.pdf"), (PNG, "photo.png")):
        draft = complete_draft(referrer)
        services.attachment_add(referral=draft, actor=referrer,
                                upload=SimpleUploadedFile(name, content))
        services.referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4())
    assert Attachment.objects.count() == 2
    assert Referral.objects.exclude(status="draft").count() == 2

    call_command("backup", str(tmp_path / "backup"))

    source = database_url_of("default")
    target = f"{source.rsplit('/', 1)[0]}/{connection.settings_dict['NAME']}_restore"
    server = _server(source)
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target.rsplit("/", 1)[1]}"')
        cursor.execute(f'CREATE DATABASE "{target.rsplit("/", 1)[1]}"')
    try:
        call_command("restore", str(tmp_path / "backup"), database_url=target,
                     storage_root=str(tmp_path / "restored"))
        tables = connection.introspection.table_names()
        with connection.cursor() as cursor:
            before = _counts(cursor, tables)
        restored = psycopg2.connect(target)
        with restored.cursor() as cursor:
            after = _counts(cursor, tables)
            cursor.execute("SELECT stored_name, size FROM referrals_attachment ORDER BY id")
            files = cursor.fetchall()
        restored.close()
        assert after == before
        assert before["referrals_attachment"] == 2
        for stored_name, size in files:
            assert (tmp_path / "restored" / stored_name).read_bytes() in (PDF, PNG)
            assert (tmp_path / "restored" / stored_name).stat().st_size == size
    finally:
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target.rsplit("/", 1)[1]}" WITH (FORCE)')
        server.close()
