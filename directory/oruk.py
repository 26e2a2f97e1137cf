"""Reading an Open Referral UK feed into the directory of services.

Two shapes are accepted:

- JSON from an ORUK `/services` endpoint: a page `{"content": [...], "totalPages": n, ...}`
  (ORUK 1.0; `"contents"` in HSDS 3.0 pages), a bare list of services, or one service. Each
  service may carry a nested `organization` {name}, `contacts` [{phones: [{number}], email}],
  `phones` [{number}] (HSDS 3.0), `service_at_locations` [{location: {physical_addresses:
  [{address_1, city, postal_code}]}}], `service_taxonomys` [{taxonomy: {name}}] (ORUK 1.0) or
  `attributes` [{taxonomy_term: {name}}] (HSDS 3.0), and `service_areas` [{service_area}].
- CSV in the style of an HSDS/ORUK `services.csv` (id, name, description, url, email, status),
  optionally with the flattened columns a council export adds: organization_name,
  phone, address_1, city, postal_code, taxonomy (or category), service_area.

Each row becomes a ParsedService or an error naming the row; a bad row never stops the rest.
Services whose status is not active (inactive, defunct, temporarily closed) are imported as
inactive, so a service that closes is no longer offered to staff.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX = {"name": 255, "organisation": 255, "phone": 60, "email": 254, "url": 500, "area": 255,
       "source_id": 200}
ACTIVE_STATUSES = {"", "active"}
TAGS = re.compile(r"<[^>]+>")
SPACES = re.compile(r"[ \t\r\f\v]+")


class FeedError(ValueError):
    """The feed as a whole cannot be read (not JSON, not CSV, no services in it)."""


@dataclass(frozen=True)
class ParsedService:
    source_id: str
    name: str
    description: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""
    url: str = ""
    address: str = ""
    area: str = ""
    active: bool = True


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based position in the feed (CSV: the line's data row)
    message: str


def plain(value) -> str:
    """Text from a feed value: HTML tags and entities removed, whitespace tidied."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    value = TAGS.sub(" ", value.replace("<br>", "\n").replace("</p>", "\n"))
    value = html.unescape(value).replace("\xa0", " ")
    lines = [SPACES.sub(" ", line).strip() for line in value.splitlines()]
    return "\n".join(line for line in lines if line)


def _first(items) -> dict:
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                return item
    return {}


def _dicts(items) -> list[dict]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _phone(service: dict) -> str:
    for phone in _dicts(service.get("phones")):
        if plain(phone.get("number")):
            return plain(phone.get("number"))
    for contact in _dicts(service.get("contacts")):
        for phone in _dicts(contact.get("phones")):
            if plain(phone.get("number")):
                return plain(phone.get("number"))
    return ""


def _email(service: dict) -> str:
    if plain(service.get("email")):
        return plain(service.get("email"))
    for contact in _dicts(service.get("contacts")):
        if plain(contact.get("email")):
            return plain(contact.get("email"))
    return plain(_dict(service.get("organization")).get("email"))


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _address(service: dict) -> str:
    for at in _dicts(service.get("service_at_locations")):
        location = _dict(at.get("location"))
        for address in _dicts(location.get("physical_addresses")):
            parts = [plain(address.get(k)) for k in ("address_1", "address_2", "city",
                                                     "postal_code")]
            if any(parts):
                return ", ".join(p for p in parts if p)
    return ""


def _area(service: dict) -> str:
    terms = []
    for item in _dicts(service.get("service_taxonomys")):
        terms.append(plain(_dict(item.get("taxonomy")).get("name")))
    for item in _dicts(service.get("attributes")):
        terms.append(plain(_dict(item.get("taxonomy_term")).get("name")))
    for item in _dicts(service.get("service_areas")):
        terms.append(plain(item.get("service_area") or item.get("name")))
    seen = []
    for term in terms:
        if term and term not in seen:
            seen.append(term)
    return ", ".join(seen)


def _checked(*, row: int, source_id: str, name: str, **fields) -> ParsedService | RowError:
    if not source_id:
        return RowError(row, "it has no id, so importing again could not update it")
    if not name:
        return RowError(row, f"service {source_id} has no name")
    values = {"source_id": source_id, "name": name, **fields}
    for key, limit in MAX.items():
        if len(values.get(key, "")) > limit:
            if key in ("name", "source_id", "email", "url"):
                return RowError(row, f"service {source_id[:40]}: its {key} is longer than "
                                     f"{limit} characters")
            values[key] = values[key][: limit - 1] + "…"
    url = values.get("url", "")
    if url and not url.lower().startswith(("http://", "https://")):
        values["url"] = f"https://{url}" if "." in url and " " not in url else ""
    email = values.get("email", "")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        values["email"] = ""
    return ParsedService(**values)


def from_json_service(service, row: int) -> ParsedService | RowError:
    if not isinstance(service, dict):
        return RowError(row, "it is not a service (expected a JSON object)")
    organisation = _dict(service.get("organization"))
    return _checked(
        row=row, source_id=plain(service.get("id")), name=plain(service.get("name")),
        description=plain(service.get("description")), organisation=plain(organisation.get("name")),
        phone=_phone(service), email=_email(service),
        url=plain(service.get("url")) or plain(organisation.get("url")),
        address=_address(service), area=_area(service),
        active=plain(service.get("status")).lower() in ACTIVE_STATUSES,
    )


def services_in_page(page) -> list:
    """The services in one JSON document: an ORUK page, a list, or one service."""
    if isinstance(page, list):
        return page
    if isinstance(page, dict):
        for key in ("content", "contents", "items", "services"):
            if isinstance(page.get(key), list):
                return page[key]
        if "id" in page and "name" in page:
            return [page]
    raise FeedError("The JSON has no services: expected an Open Referral UK page "
                    "({\"content\": [...]}) or a list of services")


def parse_json(text: str, start: int = 1) -> list[ParsedService | RowError]:
    try:
        page = json.loads(text)
    except json.JSONDecodeError as error:
        raise FeedError(f"The file is not valid JSON (line {error.lineno}: {error.msg})") from error
    return [from_json_service(service, row)
            for row, service in enumerate(services_in_page(page), start=start)]


def _column(row: dict, *names) -> str:
    for name in names:
        value = row.get(name)
        if value:
            return plain(value)
    return ""


def parse_csv(text: str) -> list[ParsedService | RowError]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {c.strip().lower() for c in (reader.fieldnames or [])}
    if not {"id", "name"} <= columns:
        raise FeedError("The CSV needs at least the columns id and name (an Open Referral UK "
                        "services.csv)")
    results = []
    for row_number, raw in enumerate(reader, start=1):
        row = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
        if None in raw:
            results.append(RowError(row_number, "it has more values than the header has columns"))
            continue
        address = ", ".join(p for p in (_column(row, "address_1"), _column(row, "address_2"),
                                        _column(row, "city"), _column(row, "postal_code")) if p)
        area = ", ".join(p for p in (_column(row, "taxonomy", "category"),
                                     _column(row, "service_area")) if p)
        results.append(_checked(
            row=row_number, source_id=_column(row, "id"), name=_column(row, "name"),
            description=_column(row, "description"),
            organisation=_column(row, "organization_name", "organisation", "organization"),
            phone=_column(row, "phone", "phone_number"), email=_column(row, "email"),
            url=_column(row, "url"), address=address or _column(row, "address"), area=area,
            active=_column(row, "status").lower() in ACTIVE_STATUSES,
        ))
    return results


def parse(text: str, fmt: str) -> list[ParsedService | RowError]:
    if fmt == "csv":
        return parse_csv(text)
    return parse_json(text)


def guess_format(name: str, text: str) -> str:
    if name.lower().split("?")[0].endswith(".csv"):
        return "csv"
    return "json" if text.lstrip()[:1] in ("{", "[") else "csv"


def pages(first: dict) -> Iterator[int]:
    """The further page numbers an ORUK page says exist (totalPages; HSDS 3.0 total_pages)."""
    total = first.get("totalPages") or first.get("total_pages") or 1
    number = first.get("number") or first.get("page_number") or 1
    try:
        total, number = int(total), int(number)
    except (TypeError, ValueError):
        return iter(())
    return iter(range(number + 1, min(total, 200) + 1))


__all__ = ["FeedError", "ParsedService", "RowError", "guess_format", "pages", "parse",
           "parse_csv", "parse_json", "plain", "services_in_page"]
