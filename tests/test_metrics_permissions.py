"""Who may see and do what with the participation figures: every endpoint of the metrics
blueprints × seven kinds of people, from one table.

Centre A has seven residents' acts this month (so the dashboard, the report and the exports
have something to show), a webhook with a delivery in its log, two API tokens (one active,
one revoked); centre B has a token and a webhook of its own. Each cell is the status that
person must get; a request that should succeed sends valid data, so its 201 / 303 means the
act happened, and a refusal means nothing was written.

Choices the table states on purpose:
- The figures, the exports, the token and webhook screens are the centre's managers' (its
  animators and platform admins): anonymous people are sent to sign in (302 to
  ``accounts.login``), every other signed-in person gets 403 before anything is looked at.
- ``/admin/figures`` is the platform admins' only.
- The API reads a bearer token and nothing else: a session cookie neither grants access nor
  takes it away, so each API row expects the same status from everyone. No token, a
  malformed header, a revoked or a forged token: 401; another centre's token, or a slug
  that does not exist: 403 (a token cannot probe which centres exist).
- Revoking centre A's token through centre B's screen: 404 for B's managers (a token of
  another centre does not exist for them), 403 for everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from sqlalchemy import select

from participation.metrics import tokens
from participation.models import (
    ApiToken,
    DeliveryStatus,
    ParticipationEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

from .proposals_fixtures import centre, unit_of_work, user
from .support import routes_of, rows_of

ROLES = ("anonymous", "outsider", "resident_a", "resident_b", "animator_a", "animator_b",
         "admin")


def everyone(status: int) -> tuple[int, ...]:
    return (status,) * len(ROLES)


# The common outcomes, in ROLES order.
MANAGERS_PAGE = (302, 403, 403, 403, 200, 403, 200)  # animators of A, and platform admins
MANAGERS_MADE = (302, 403, 403, 403, 201, 403, 201)  # ... a token made: the page shows it
MANAGERS_ACT = (302, 403, 403, 403, 303, 403, 303)
ADMINS_PAGE = (302, 403, 403, 403, 403, 403, 200)
# Through centre B's address: B's screens are B's managers'.
B_MANAGERS_PAGE = (302, 403, 403, 403, 403, 200, 200)
# Managers of A asking for a report year the app does not count: no such page.
OUT_OF_YEARS = (302, 403, 403, 403, 404, 403, 404)
# A's token revoked through B's screen: it does not exist there.
A_TOKEN_VIA_B = (302, 403, 403, 403, 403, 404, 404)

WARSAW = ZoneInfo("Europe/Warsaw")
F_ = "/c/centre-a/manage/figures"
T_ = "/c/centre-a/manage/api-tokens"
W_ = "/c/centre-a/manage/webhook"
API = "/api/v1/centres/centre-a/metrics"
HOOK_A = "https://93.184.216.34/cal/figures"  # a public literal address: no DNS lookup
HOOK_B = "https://93.184.216.35/cal/figures"
NEW_HOOK = "https://93.184.216.36/reports"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str  # {token}, {year}, ... are filled in
    expected: tuple[int, ...]
    data: tuple[tuple[str, str], ...] = ()
    auth: str | None = None  # the Authorization header, e.g. "Bearer {token_a}"
    label: str = ""  # tells apart cases of the same endpoint and method


CASES = [
    # The dashboard and the annual report.
    Case("metrics.dashboard", "GET", f"{F_}/", MANAGERS_PAGE),
    Case("metrics.dashboard", "GET", f"{F_}/?period=year&year={{year}}", MANAGERS_PAGE,
         label="year"),
    Case("metrics.dashboard", "GET", "/c/centre-b/manage/figures/", B_MANAGERS_PAGE,
         label="via-b"),
    Case("metrics.report", "GET", f"{F_}/report/{{year}}", MANAGERS_PAGE),
    Case("metrics.report", "GET", f"{F_}/report/1999", OUT_OF_YEARS, label="out-of-years"),
    Case("admin_figures.index", "GET", "/admin/figures/", ADMINS_PAGE),
    # The downloads.
    Case("metrics_export.figures_csv", "GET", f"{F_}/export/figures.csv", MANAGERS_PAGE),
    Case("metrics_export.figures_csv", "GET",
         f"{F_}/export/figures.csv?sep=semicolon&header=labels", MANAGERS_PAGE,
         label="labels"),
    Case("metrics_export.events_csv", "GET", f"{F_}/export/events.csv", MANAGERS_PAGE),
    Case("metrics_export.events_jsonl", "GET", f"{F_}/export/events.jsonl", MANAGERS_PAGE),
    Case("metrics_export.events_jsonl", "GET", "/c/centre-b/manage/figures/export/events.jsonl",
         B_MANAGERS_PAGE, label="via-b"),
    # API tokens.
    Case("api_tokens.index", "GET", f"{T_}/", MANAGERS_PAGE),
    Case("api_tokens.create", "POST", f"{T_}/", MANAGERS_MADE, (("name", "Arkusz dla urzędu"),)),
    Case("api_tokens.revoke", "POST", f"{T_}/{{token_a_id}}/revoke", MANAGERS_ACT),
    Case("api_tokens.revoke", "POST", "/c/centre-b/manage/api-tokens/{token_a_id}/revoke",
         A_TOKEN_VIA_B, label="via-b"),
    # The webhook.
    Case("webhook.index", "GET", f"{W_}/", MANAGERS_PAGE),
    Case("webhook.save", "POST", f"{W_}/", MANAGERS_ACT, (("url", NEW_HOOK),)),
    Case("webhook.regenerate", "POST", f"{W_}/secret", MANAGERS_ACT),
    Case("webhook.remove", "POST", f"{W_}/remove", MANAGERS_ACT),
    Case("webhook.remove", "POST", "/c/centre-b/manage/webhook/remove",
         (302, 403, 403, 403, 403, 303, 303), label="via-b"),
    # The API: the token decides, whoever's session cookie comes with it.
    Case("api.centre_metrics", "GET", API, everyone(401), label="no-token"),
    Case("api.centre_metrics", "GET", API, everyone(200), auth="Bearer {token_a}"),
    Case("api.centre_metrics", "GET", API, everyone(403), auth="Bearer {token_b}",
         label="centre-b-token"),
    Case("api.centre_metrics", "GET", "/api/v1/centres/centre-b/metrics", everyone(200),
         auth="Bearer {token_b}", label="centre-b-own"),
    Case("api.centre_metrics", "GET", "/api/v1/centres/no-such-centre/metrics",
         everyone(403), auth="Bearer {token_a}", label="unknown-slug"),
    Case("api.centre_metrics", "GET", API, everyone(401), auth="Bearer {revoked}",
         label="revoked"),
    Case("api.centre_metrics", "GET", API, everyone(401), auth="Bearer {forged}",
         label="forged"),
    Case("api.centre_metrics", "GET", API, everyone(401), auth="Basic {token_a}",
         label="basic-scheme"),
    Case("api.centre_metrics", "GET", f"{API}?access_token={{token_a}}", everyone(401),
         label="token-in-query"),
    Case("api.not_found", "GET", "/api/v1/", everyone(404)),
    Case("api.not_found", "GET", "/api/v1/centres/centre-a/events", everyone(404),
         auth="Bearer {token_a}", label="with-token"),
]
# Every table a metrics request may write.
WRITTEN = (ApiToken, WebhookEndpoint, WebhookDelivery, WebhookAttempt, ParticipationEvent)
BLUEPRINTS = ("metrics", "admin_figures", "metrics_export", "api_tokens", "api", "webhook")
SUCCESS = (201, 303)


def _case_id(case: Case) -> str:
    return f"{case.endpoint}-{case.method}" + (f"-{case.label}" if case.label else "")


def make_metrics_scene(app, scene, db) -> dict:
    """Centre A's acts this month, webhooks of A and B with a log, tokens of A and B; the
    values the table's paths, forms and headers need. test_bad_input.py uses it too."""
    now = datetime.now(UTC)
    today = now.astimezone(WARSAW).date()
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=WARSAW).astimezone(UTC)
    db.add(*[ParticipationEvent(centre_id=scene.a, kind="comment_posted", subject_type="comment",
                                subject_id=number, actor_key=f"person-{number}",
                                channel="online", occurred_at=noon,
                                age_bracket="25_34" if number % 2 else None)
             for number in range(1, 8)])
    hook_a = db.add(WebhookEndpoint(centre_id=scene.a, url=HOOK_A, secret="a" * 43))
    db.add(WebhookEndpoint(centre_id=scene.b, url=HOOK_B, secret="b" * 43))
    delivery = db.add(WebhookDelivery(centre_id=scene.a, day=today - timedelta(days=1),
                                      status=DeliveryStatus.PENDING, attempts=1,
                                      next_attempt_at=now + timedelta(hours=1)))
    db.add(WebhookAttempt(delivery_id=delivery.id, url=hook_a.url, attempted_at=now,
                          response_status=500, error="http:500", succeeded=False))
    with unit_of_work(app):
        token_a, secret_a = tokens.create_token(user(scene.animator), centre(scene.a), "Arkusz")
        revoked, secret_revoked = tokens.create_token(user(scene.animator), centre(scene.a),
                                                      "Stary arkusz")
        tokens.revoke_token(user(scene.animator), centre(scene.a), revoked.id)
        _row, secret_b = tokens.create_token(user(scene.animator_b), centre(scene.b), "Raport")
        token_a_id = token_a.id
    return {"token_a": secret_a, "token_a_id": token_a_id, "revoked": secret_revoked,
            "token_b": secret_b, "forged": tokens.TOKEN_PREFIX + "x" * 43,
            "year": today.year}


@pytest.fixture
def ids(app, scene, db) -> dict:
    return make_metrics_scene(app, scene, db)


def _fill(text: str, ids: dict) -> str:
    return text.format(**ids)


def _rows(app, *, but_last_use: bool = False) -> tuple:
    """Every row a metrics request may write; with ``but_last_use``, without the API token's
    "last used" time (reading the API sets it)."""
    return rows_of(app, WRITTEN, leaving_out=("last_used_at",) if but_last_use else ())


def _without_last_use(rows: tuple) -> tuple:
    index = [column.key for column in ApiToken.__table__.columns].index("last_used_at")
    return (tuple(row[:index] + row[index + 1:] for row in rows[0]), *rows[1:])


def _login_path(app) -> str:
    with app.test_request_context():
        return url_for("accounts.login")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_permission_matrix(app, client, world, ids, case, role):
    if role != "anonymous":
        client.login(world[role].email)
    before = _rows(app)
    data = {key: _fill(value, ids) for key, value in case.data}
    headers = {"Authorization": _fill(case.auth, ids)} if case.auth else {}
    send = client.post if case.method == "POST" else client.get  # post() adds the CSRF token
    response = send(_fill(case.path, ids), data=data, headers=headers)
    body = response.get_data(as_text=True)  # runs a streamed download to its end
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, body[:2000]
    if expected == 302:
        assert response.headers["Location"].split("?")[0].endswith(_login_path(app))
    if case.endpoint.startswith("metrics_export.") and expected == 200:
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Content-Type"].count("charset=") == 1
    if case.endpoint.split(".")[0] in ("metrics_export", "api_tokens", "webhook") and (
            expected in (200, 201)):  # figures of people, a token, a secret: kept nowhere
        assert "no-store" in response.headers["Cache-Control"]
    if case.endpoint.startswith("api."):
        assert response.is_json and response.headers["Cache-Control"].endswith("no-store")
        if expected != 200:
            assert response.json["error"].strip()
        if expected == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if expected in SUCCESS:
        assert _rows(app) != before  # valid data: the act really happened
    elif expected == 200:
        # GET never changes state (reading the API notes the token's last use, nothing else)
        assert _rows(app, but_last_use=True) == _without_last_use(before)
    else:
        assert _rows(app) == before  # a refusal: nothing written, nothing changed


def test_reading_the_api_notes_when_the_token_was_used(app, client, db, ids):
    response = client.get(API, headers={"Authorization": f"Bearer {ids['token_a']}"})
    assert response.status_code == 200
    used = db.scalar(select(ApiToken.last_used_at).where(ApiToken.id == ids["token_a_id"]))
    assert used is not None


@pytest.mark.parametrize("case", [case for case in CASES if case.method == "POST"
                                  and case.expected[ROLES.index("animator_a")] in SUCCESS],
                         ids=_case_id)
def test_every_state_change_needs_the_csrf_token(app, client, world, ids, case):
    client.login(world["animator_a"].email)
    before = _rows(app)
    data = {key: _fill(value, ids) for key, value in case.data}
    response = client.post(_fill(case.path, ids), data=data, csrf=False)
    assert response.status_code == 400
    assert _rows(app) == before


@pytest.mark.parametrize("case", [case for case in CASES if case.method == "POST"
                                  and case.expected[ROLES.index("animator_a")] in SUCCESS],
                         ids=_case_id)
def test_a_token_of_another_session_is_refused(app, new_client, world, ids, case):
    """A CSRF token read by someone else's browser does not open this session."""
    other = new_client()
    other.login(world["resident_a"].email)
    stolen = other.csrf_token()
    victim = new_client()
    victim.login(world["animator_a"].email)
    before = _rows(app)
    data = {key: _fill(value, ids) for key, value in case.data}
    response = victim.post(_fill(case.path, ids), data={**data, "csrf_token": stolen})
    assert response.status_code == 400
    assert _rows(app) == before


def test_the_matrix_covers_every_endpoint_and_method_of_the_metrics_blueprints():
    # Both ways: no endpoint without a row, no row naming an endpoint that is gone.
    assert routes_of(BLUEPRINTS) == {(case.endpoint, case.method) for case in CASES}
    assert {case.endpoint.split(".")[0] for case in CASES} == set(BLUEPRINTS)
