"""Backups and restore (docs/deployment.md, "Backups and restore"): the database with pg_dump's
custom format, the attachments as a tar of the private storage, and a manifest with each file's
SHA-256, so a restore can prove it brought back every file the database names.

`manage.py backup DIR` writes DIR/portal.dump, DIR/private.tar and DIR/manifest.json;
`manage.py restore DIR --database-url URL --storage-root PATH` restores them into an empty
database and an empty directory, then checks every attachment against the manifest.
tests/ops/test_backup_roundtrip.py runs the round trip on a seeded database.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections

DEBIAN_PG = Path("/usr/lib/postgresql/15/bin")


def pg_binary(name: str) -> str:
    """The client tool matching the server we test on (Debian's 15), else the one on PATH."""
    local = DEBIAN_PG / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Arguments and environment for pg_dump / pg_restore from a DATABASE_URL (the password
    travels in PGPASSWORD, never on the command line)."""
    parsed = dj_database_url.parse(url)
    args = ["--host", parsed["HOST"] or "127.0.0.1", "--port", str(parsed["PORT"] or 5432),
            "--username", parsed["USER"] or "postgres", "--dbname", parsed["NAME"]]
    env = {**os.environ}
    if parsed.get("PASSWORD"):
        env["PGPASSWORD"] = parsed["PASSWORD"]
    return args, env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def storage_root() -> Path:
    return Path(default_storage.location)


def backup_make(out: Path, *, database_url: str | None = None, root: Path | None = None) -> dict:
    """Dump the database and the attachments into `out`; returns the manifest."""
    from referrals.models import Attachment

    out.mkdir(parents=True, exist_ok=True)
    root = root or storage_root()
    url = database_url or database_url_of("default")
    args, env = _libpq(url)
    # --format=custom: compressed, restorable table by table, in parallel (--jobs).
    subprocess.run([pg_binary("pg_dump"), "--format=custom", "--no-owner", "--file",  # noqa: S603 (fixed tools, our own arguments)
                    str(out / "portal.dump"), *args], env=env, check=True)
    names = list(Attachment.objects.values_list("stored_name", flat=True))
    files = {name: _sha256(root / name) for name in names if (root / name).exists()}
    with tarfile.open(out / "private.tar", "w") as archive:
        for name in files:
            archive.add(root / name, arcname=name)
    manifest = {"attachments": files, "missing_at_backup": sorted(set(names) - set(files)),
                "dump_sha256": _sha256(out / "portal.dump")}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def backup_restore(source: Path, *, database_url: str, root: Path) -> dict:
    """Restore a backup into an empty database and storage directory; check every file."""
    manifest = json.loads((source / "manifest.json").read_text())
    if _sha256(source / "portal.dump") != manifest["dump_sha256"]:
        raise ValueError("The dump does not match its manifest.")
    args, env = _libpq(database_url)
    subprocess.run([pg_binary("pg_restore"), "--no-owner", "--exit-on-error", *args,  # noqa: S603 (fixed tools, our own arguments)
                    str(source / "portal.dump")], env=env, check=True)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "private.tar") as archive:
        archive.extractall(root, filter="data")
    wrong = sorted(name for name, digest in manifest["attachments"].items()
                   if not (root / name).exists() or _sha256(root / name) != digest)
    if wrong:
        raise ValueError(f"{len(wrong)} attachment(s) missing or changed after the restore.")
    return manifest


def database_url_of(alias: str) -> str:
    config = settings.DATABASES[alias]
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    return (f"postgres://{config['USER']}{password}@{config['HOST'] or '127.0.0.1'}:"
            f"{config['PORT'] or 5432}/{connections[alias].settings_dict['NAME']}")
