"""python manage.py import_services <file-or-url> [--format json|csv]

Imports an Open Referral UK feed into the directory of services staff signpost to (see
directory.oruk for the shapes accepted). Safe to re-run: each service is matched by its feed id.
A URL to an ORUK `/services` endpoint is followed through its pages (`?page=n`). Rows that
cannot be read are listed and skipped; the command fails only if nothing can be read at all."""

import json
import urllib.parse
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directory import oruk
from directory.services import services_import

TIMEOUT = 30
MAX_BYTES = 50 * 1024 * 1024


def _fetch(url: str) -> str:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise CommandError("Give a file path or an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url, headers={"Accept": "application/json, text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s)
            return response.read(MAX_BYTES).decode("utf-8-sig")
    except OSError as error:
        raise CommandError(f"Could not fetch {url}: {error}") from error


def _page_url(url: str, number: int) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query["page"] = str(number)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


class Command(BaseCommand):
    help = "Import services from an Open Referral UK feed (JSON /services or services.csv)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="A file path, or the URL of an ORUK /services API")
        parser.add_argument("--format", choices=["json", "csv"], default=None,
                            help="Default: from the file name or the content")

    def handle(self, *args, source, format=None, **options):  # noqa: A002 - the option's name
        is_url = source.startswith(("http://", "https://"))
        if is_url:
            text = _fetch(source)
        else:
            try:
                text = Path(source).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"Could not read {source}: {error}") from error
        fmt = format or oruk.guess_format(source, text)
        try:
            rows = oruk.parse(text, fmt)
            if is_url and fmt == "json":
                first = json.loads(text)
                if isinstance(first, dict):
                    for number in oruk.pages(first):
                        rows += oruk.parse_json(_fetch(_page_url(source, number)),
                                                start=len(rows) + 1)
        except oruk.FeedError as error:
            raise CommandError(str(error)) from error
        if not rows:
            raise CommandError("The feed has no services in it")
        result = services_import(rows)
        for error in result.errors:
            self.stderr.write(f"Row {error.row} not imported: {error.message}")
        self.stdout.write(f"Services: {result.summary()}.")
