"""Importing an Open Referral UK feed into the directory (issue 15 item 6): the ORUK JSON page
from a /services API and the services.csv style, idempotent by the feed's id, bad rows reported
and skipped, never fatal; a feed that cannot be read at all is a clear command error."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory import oruk
from directory.models import Service

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "directory" / "sample"


def _import(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_services", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_oruk_json_page_fills_every_field_from_its_nested_parts():
    out, err = _import(SAMPLES / "services.json")
    assert out.strip() == "Services: 5 added, 0 updated, 0 unchanged, 0 not imported."
    assert err == ""
    carers = Service.objects.get(source_id="demo-0001-carers")
    assert (carers.name, carers.organisation, carers.phone, carers.email, carers.url) == (
        "Carers' support and advice line", "Southwark Carers (demo)", "020 7946 0101",
        "hello@carers.example.org", "https://carers.example.org/support")
    assert carers.address == "1 Walworth Road, London, SE17 1AA"
    assert carers.area == "Carers"
    # HTML in the description is reduced to text.
    assert carers.description == ("Advice, a listening ear and short breaks for unpaid carers "
                                  "of adults living in the borough.")
    money = Service.objects.get(source_id="demo-0002-money")
    # HSDS 3.0 phones and attributes; the contact's email when the service has none; a bare
    # domain becomes a link.
    assert (money.phone, money.email, money.area, money.url) == (
        "020 7946 0102", "money@advice.example.org", "Money and debt",
        "https://advice.example.org/money")
    befriending = Service.objects.get(source_id="demo-0003-befriending")
    assert befriending.area == "Loneliness and isolation, Southwark"
    # A defunct service is kept but never offered to staff.
    assert not Service.objects.get(source_id="demo-0005-closed").active
    assert Service.objects.active().count() == 4


def test_the_csv_style_imports_with_its_flattened_columns():
    out, _ = _import(SAMPLES / "services.csv")
    assert "3 added" in out
    hub = Service.objects.get(source_id="demo-0102-mental-health")
    assert (hub.organisation, hub.phone, hub.address, hub.area, hub.email) == (
        "Wellbeing Hub (demo)", "020 7946 0112", "2 Camberwell Green, London, SE5 7AA",
        "Mental health", "")


def test_importing_again_changes_nothing_and_a_changed_row_updates_in_place(tmp_path):
    _import(SAMPLES / "services.json")
    ids = dict(Service.objects.values_list("source_id", "pk"))
    out, _ = _import(SAMPLES / "services.json")
    assert out.strip() == "Services: 0 added, 0 updated, 5 unchanged, 0 not imported."
    page = json.loads((SAMPLES / "services.json").read_text())
    page["content"][0]["contacts"][0]["phones"][0]["number"] = "020 7946 0999"
    page["content"][1]["status"] = "inactive"
    changed = tmp_path / "feed.json"
    changed.write_text(json.dumps(page))
    out, _ = _import(changed)
    assert out.strip() == "Services: 0 added, 2 updated, 3 unchanged, 0 not imported."
    assert dict(Service.objects.values_list("source_id", "pk")) == ids  # same rows
    assert Service.objects.get(source_id="demo-0001-carers").phone == "020 7946 0999"
    assert not Service.objects.get(source_id="demo-0002-money").active


def test_bad_rows_are_reported_by_row_and_the_rest_imported(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"content": [
        {"id": "ok-1", "name": "Good service"},
        {"name": "No id"},
        {"id": "no-name", "name": "  "},
        "not an object",
        {"id": "long", "name": "x" * 300},
        {"id": "ok-2", "name": "Odd values", "email": "not an email", "url": "not a url",
         "contacts": "not a list", "organization": ["wrong"], "phones": [{"number": None}]},
    ]}))
    out, err = _import(feed)
    assert out.strip() == "Services: 2 added, 0 updated, 0 unchanged, 4 not imported."
    assert err.splitlines() == [
        "Row 2 not imported: it has no id, so importing again could not update it",
        "Row 3 not imported: service no-name has no name",
        "Row 4 not imported: it is not a service (expected a JSON object)",
        "Row 5 not imported: service long: its name is longer than 255 characters",
    ]
    odd = Service.objects.get(source_id="ok-2")
    assert (odd.email, odd.url, odd.organisation, odd.phone) == ("", "", "", "")


def test_bad_csv_rows_are_reported_and_a_csv_without_id_and_name_refused(tmp_path):
    feed = tmp_path / "services.csv"
    feed.write_text("id,name,status\nok,Fine,active\n,No id,active\nextra,Too,many,values\n")
    out, err = _import(feed)
    assert "1 added" in out and "2 not imported" in out
    assert "Row 2 not imported: it has no id" in err
    assert "Row 3 not imported: it has more values than the header has columns" in err
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("title,phone\nA,1\n")
    with pytest.raises(CommandError, match="at least the columns id and name"):
        _import(wrong)


@pytest.mark.parametrize(("text", "message"), [
    ('{"content": [', "not valid JSON"),
    ('{"something": "else"}', "no services"),
    ("{\"content\": []}", "no services in it"),
])
def test_a_feed_that_cannot_be_read_is_a_clear_error_and_changes_nothing(tmp_path, text,
                                                                         message):
    feed = tmp_path / "feed.json"
    feed.write_text(text)
    with pytest.raises(CommandError, match=message):
        _import(feed, "--format", "json")
    assert not Service.objects.exists()


def test_a_missing_file_is_a_command_error():
    with pytest.raises(CommandError, match="Could not read"):
        _import("/nonexistent/services.json")


def test_pages_follow_the_oruk_page_header():
    assert list(oruk.pages({"totalPages": 3, "number": 1, "content": []})) == [2, 3]
    assert list(oruk.pages({"total_pages": 2, "page_number": 1, "contents": []})) == [2]
    assert list(oruk.pages({"content": []})) == []
    assert oruk.services_in_page({"contents": [{"id": "a"}]}) == [{"id": "a"}]


def test_a_url_is_followed_through_its_pages():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    pages = {
        "1": {"totalPages": 2, "number": 1, "content": [{"id": "p1", "name": "First page"}]},
        "2": {"totalPages": 2, "number": 2, "content": [{"id": "p2", "name": "Second page"}]},
    }
    asked = []

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the handler's name
            page = parse_qs(urlsplit(self.path).query).get("page", ["1"])[0]
            asked.append(self.path)
            body = json.dumps(pages[page]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        out, _ = _import(f"http://127.0.0.1:{server.server_port}/api/services?per_page=1")
    finally:
        server.shutdown()
    assert "2 added" in out
    assert asked == ["/api/services?per_page=1", "/api/services?per_page=1&page=2"]
    assert set(Service.objects.values_list("name", flat=True)) == {"First page", "Second page"}
