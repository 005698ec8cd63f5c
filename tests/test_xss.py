"""Script put in any text people type comes back as text, on every page that shows it.

Every text column that people fill in (``SHOWN``) holds a payload of the corpus below; then every
GET endpoint of the URL map is read by four kinds of people, and every HTML page is parsed:
no element, attribute or script the app did not write may appear, ``{{7*7}}`` stays as typed,
and no link points to ``javascript:``. Downloads (CSV, JSON, calendars) must not be served as
HTML. A new text column must be put in ``SHOWN`` or ``NOT_TYPED``, or the first test fails.

The rows are written straight into the database: escaping is the templates' job, and what a
form would let through is test_form_fuzz.py's. The query-string variant reflects the payload
through ``?q=…&next=…`` on every page.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import Enum, String, Text, cast, literal, update

from participation.extensions import db as _db
from participation.models import Activity, ActivityStatus

from .test_security_matrix import (
    _signed_in_client,
    build_scene,
    urls_by_route,
)


@pytest.fixture
def ids(app, scene, world, make_user, make_member) -> dict:
    """Centre A with one of everything an URL can name (test_security_matrix.build_scene)."""
    return build_scene(app, scene, world, make_user, make_member)

# Each payload, with a row id after it, fits the shortest column it goes into (60 characters).
CORPUS = [
    '"><img src=x onerror=alert(1)><script>alert(1)</script>',
    "'</textarea><svg onload=alert(1)>x{{7*7}}x",
    'javascript:alert(1)//" onmouseover="alert(1)',
]
# Columns people type and pages show.
SHOWN = {
    "centre": {"name", "operator", "city", "district", "address", "description",
               "contact_phone", "accessibility_contact_name", "accessibility_contact_phone",
               "building_accessibility", "communication_accessibility", "dpo_contact"},
    "user_account": {"display_name"},
    "api_token": {"name"},
    "category": {"name"},
    "proposal": {"title", "body", "place", "official_answer"},
    "activity": {"title", "description", "place", "cancel_reason"},
    "comment": {"body"},
    "paper_tally": {"note"},
    "report": {"details"},
    "status_change": {"reason"},
    "notification": {"reason"},
    "webhook_endpoint": {"url"},
    "webhook_attempt": {"error"},
}
# Text columns nobody types in free form: identifiers, hashes, codes, addresses checked by
# their forms (e-mail), or text only e-mails carry.
NOT_TYPED = {
    "centre": {"slug", "contact_email", "timezone", "accessibility_contact_email"},
    "outbox_message": {"recipient", "subject", "body", "last_error"},
    "user_account": {"email", "password_hash", "locale", "session_token"},
    "access_card": {"code_hash"},
    "api_token": {"prefix", "token_hash"},
    "category": {"key"},
    "participation_event": {"kind", "subject_type", "actor_key", "channel", "age_bracket"},
    "webhook_endpoint": {"secret"},
    "webhook_attempt": {"url"},
    "activity": {"series_key"},
    "kiosk": {"token_hash"},
    "notification": {"status"},
    "signup": {"ticket_secret"},
}
VISITORS = ("anonymous", "resident_a", "animator_a", "admin")
HTML_TYPES = ("text/html",)


def text_columns() -> dict[str, set[str]]:
    return {table.name: {column.name for column in table.columns
                         if isinstance(column.type, String | Text)
                         and not isinstance(column.type, Enum)}
            for table in _db.metadata.sorted_tables}


def test_every_text_column_is_shown_or_not_typed(app):
    with app.app_context():
        columns = text_columns()
    classified = {name: SHOWN.get(name, set()) | NOT_TYPED.get(name, set()) for name in columns}
    assert {name: found - classified[name] for name, found in columns.items()
            if found - classified[name]} == {}
    assert {name: classified[name] - found for name, found in columns.items()
            if classified[name] - found} == {}


SHORT_PAYLOAD = '"><svg onload=alert(1)>'


def _fitting(payload: str, column) -> str:
    length = getattr(column.type, "length", None)
    return payload if length is None or len(payload) + 6 <= length else SHORT_PAYLOAD


def fill_with(app: Flask, payload: str, ids: dict) -> None:
    """Every typed text of every row becomes the payload and its row's id; one activity is
    cancelled (so its reason shows)."""
    with app.app_context():
        for table in _db.metadata.sorted_tables:
            columns = SHOWN.get(table.name)
            if columns:
                # The row's id after the payload: some names are unique within a centre.
                # Columns too short for it (phone numbers: 40) get the short payload, which
                # PostgreSQL would otherwise refuse (SQLite does not enforce lengths).
                _db.session.execute(update(table).values(
                    {name: literal(_fitting(payload, table.c[name])) + cast(table.c.id, String)
                     for name in columns}))
        _db.session.execute(update(Activity).where(Activity.id == ids["booked"])
                            .values(status=ActivityStatus.CANCELLED))
        _db.session.commit()


class Injected(HTMLParser):
    """Collects what in a page could only come from the payload."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("svg", "img") and any(value == "x" for name, value in attrs if name == "src"):
            self.found.append(f"<{tag}> from the payload")
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "hx-get", "hx-post") and (
                    (value or "").strip().lower().startswith("javascript:")):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data):
        if "x49x" in data:
            self.found.append("{{7*7}} rendered")


def problems_in(response) -> list[str]:
    body = response.get_data(as_text=True)
    content_type = response.headers.get("Content-Type", "")
    if not content_type.startswith(HTML_TYPES):
        if "alert(1)" in body and response.status_code == 200:
            # A download may carry the text as typed, but never as something a browser renders.
            assert response.headers.get("X-Content-Type-Options") == "nosniff"
        return []
    parser = Injected()
    parser.feed(body)
    return parser.found


def crawl(app: Flask, world, ids: dict, role: str, query: str = "") -> tuple[list[str], int, set]:
    client, _token = _signed_in_client(app, world, role)
    urls = urls_by_route(app, ids)
    extra = [f"/c/centre-a/proposals/{ids['submitted']}",
             f"/c/centre-a/activities/{ids['booked']}", f"/c/centre-a/activities/{ids['past']}",
             f"/c/centre-a/activities/{ids['draft']}"]
    found, shown, downloads = [], 0, set()
    for url in sorted({url for (_e, method), url in urls.items() if method == "GET"} | set(extra)):
        response = client.get(url + query)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, url
        found.extend(f"{role} {url}: {problem}" for problem in problems_in(response))
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("text/html"):
            shown += "alert(1)" in body
        elif response.status_code == 200:
            downloads.add(content_type.split(";")[0])
    return found, shown, downloads


@pytest.mark.parametrize("payload", CORPUS, ids=range(len(CORPUS)))
def test_typed_text_comes_back_escaped_on_every_page(app, world, ids, payload):
    fill_with(app, payload, ids)
    found, shown, downloads = [], 0, set()
    for role in VISITORS:
        problems, pages, types = crawl(app, world, ids, role)
        found += problems
        shown += pages
        downloads |= types
    assert found == []
    assert shown >= 80  # not vacuous: the payload was on the pages, as text
    assert "text/html" not in downloads
    assert {"text/csv", "application/x-ndjson", "text/calendar",
            "application/json"} <= downloads


def test_text_in_the_address_comes_back_escaped(app, world, ids):
    query = "?q=" + quote(CORPUS[0] + CORPUS[1]) + "&next=" + quote(CORPUS[2])
    found, shown, _downloads = crawl(app, world, ids, "admin", query)
    assert found == []
    assert shown >= 1  # at least the members' search shows what was searched for
