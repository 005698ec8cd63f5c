"""The figures API: who may read (401/403), that it answers exactly what the dashboard shows
(``figures_for(...).public()``), its parameters and their errors, JSON for every failure, the
token's "last used" time and the rate limit.

Histories are made through the real services at chosen times (``tests/clock.py``), as a request
would: each act in its own unit of work.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from participation.extensions import db as db_
from participation.metrics import tokens
from participation.metrics.periods import custom_period, month_period
from participation.metrics.service import FIGURE_KEYS, SUPPRESSED, figures_for
from participation.models import ApiToken, Centre
from participation.proposals import service as proposals

from .clock import frozen_at
from .proposals_fixtures import add_members, centre, proposal, set_centre, unit_of_work, user

WARSAW = ZoneInfo("Europe/Warsaw")
URL = "/api/v1/centres/{slug}/metrics"


def at(*args: int) -> datetime:
    """A moment in Warsaw."""
    return datetime(*args, tzinfo=WARSAW)


def issue_token(app, animator_id: int, centre_id: int, name: str = "Report tool") -> str:
    with unit_of_work(app):
        _row, secret = tokens.create_token(user(animator_id), centre(centre_id), name)
    return secret


def revoke(app, animator_id: int, centre_id: int, secret: str) -> None:
    with app.app_context():
        token_id = db_.session.scalar(db_.select(ApiToken.id).where(
            ApiToken.token_hash == tokens.hash_token(secret)))
    with unit_of_work(app):
        tokens.revoke_token(user(animator_id), centre(centre_id), token_id)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def build_history(app, scene) -> dict[str, int]:
    """Centre A: in January 2026 a resident proposes and six members support (7 people, all
    new); in February five of those supporters comment (5 returning); in March two new
    members comment (a small cell). Centre B gets a proposal of its own in January."""
    set_centre(app, scene.a, proposals_need_approval=False)
    set_centre(app, scene.b, proposals_need_approval=False)
    supporters = add_members(app, scene.a, 6)
    latecomers = add_members(app, scene.a, 2)
    with frozen_at(at(2026, 1, 10, 12)), unit_of_work(app):
        proposal_id = proposals.propose(user(scene.resident), centre(scene.a), "Ławki na skwerze",
                                        "Prosimy o trzy ławki przy placu zabaw.", scene.category).id
    for member in supporters:
        with frozen_at(at(2026, 1, 15, 18)), unit_of_work(app):
            proposals.give_support(user(member), proposal(proposal_id))
    for member in supporters[:5]:
        with frozen_at(at(2026, 2, 3, 9)), unit_of_work(app):
            proposals.post_comment(user(member), proposal(proposal_id), "Popieram, świetnie!")
    for member in latecomers:
        with frozen_at(at(2026, 3, 20, 9)), unit_of_work(app):
            proposals.post_comment(user(member), proposal(proposal_id), "Zgoda.")
    with frozen_at(at(2026, 1, 12, 12)), unit_of_work(app):
        proposals.propose(user(scene.resident_b), centre(scene.b), "Mural na ścianie",
                          "Kolorowy mural na ścianie domu kultury.", scene.category_b)
    return {"proposal": proposal_id}


@pytest.fixture
def history(app, scene):
    return build_history(app, scene)


@pytest.fixture
def token_a(app, scene) -> str:
    return issue_token(app, scene.animator, scene.a)


def expected(app, centre_id: int, start: date, end: date, month: bool = False) -> dict:
    """What the dashboard shows for the period, as the API must give it."""
    with app.app_context():
        period = month_period(start) if month else custom_period(start, end)
        figures = figures_for(db_.session.get(Centre, centre_id), period)
        return {"figures": figures.public(), "ages": figures.public_ages()}


# --- Who may read ----------------------------------------------------------------------------


def _header(app, scene, case: str) -> dict[str, str]:
    if case == "none":
        return {}
    if case == "basic":
        return {"Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"}
    if case == "empty-bearer":
        return {"Authorization": "Bearer "}
    if case == "wrong":
        return bearer("pt_" + "x" * 43)
    if case == "not-ours":
        return bearer("just-some-string")
    secret = issue_token(app, scene.animator, scene.a)
    if case == "revoked":
        revoke(app, scene.animator, scene.a, secret)
    if case == "other-centre":
        secret = issue_token(app, scene.animator_b, scene.b)
    return bearer(secret)


@pytest.mark.parametrize(("case", "status"), [
    ("none", 401),
    ("basic", 401),
    ("empty-bearer", 401),
    ("wrong", 401),
    ("not-ours", 401),
    ("revoked", 401),
    ("other-centre", 403),
    ("own", 200),
])
def test_who_may_read_the_figures(app, client, scene, case, status):
    response = client.get(URL.format(slug="centre-a"), headers=_header(app, scene, case))
    assert response.status_code == status
    assert response.is_json
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if status != 200:
        assert response.json["error"].strip()
        assert set(response.json) == {"error"}


def test_a_missing_token_says_so_and_a_wrong_one_is_an_invalid_token(client):
    missing = client.get(URL.format(slug="centre-a"))
    assert "error=" not in missing.headers["WWW-Authenticate"]
    wrong = client.get(URL.format(slug="centre-a"), headers=bearer("pt_" + "y" * 43))
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]


def test_an_unknown_centre_is_refused_like_another_centre(client, scene, token_a):
    """A token cannot tell a centre it may not read from one that does not exist."""
    unknown = client.get(URL.format(slug="no-such-centre"), headers=bearer(token_a))
    other = client.get(URL.format(slug="centre-b"), headers=bearer(token_a))
    assert unknown.status_code == other.status_code == 403
    assert unknown.json == other.json


def test_a_signed_in_animator_without_a_token_is_refused(client, world):
    """The session cookie opens nothing here: only a bearer token does."""
    client.login("animator-a@example.org")
    response = client.get(URL.format(slug="centre-a"))
    assert response.status_code == 401


def test_a_token_sent_in_the_query_string_is_not_accepted(client, token_a):
    response = client.get(URL.format(slug="centre-a"), query_string={"token": token_a})
    assert response.status_code == 401


# --- What it answers -------------------------------------------------------------------------


def test_the_answer_matches_the_dashboard_month_by_month(app, client, scene, history, token_a):
    response = client.get(URL.format(slug="centre-a"), headers=bearer(token_a),
                          query_string={"from": "2026-01-01", "to": "2026-03-31"})
    assert response.status_code == 200
    body = response.json
    assert body["centre"] == "centre-a"
    assert body["timezone"] == "Europe/Warsaw"
    assert (body["from"], body["to"], body["granularity"]) == ("2026-01-01", "2026-03-31",
                                                               "month")
    assert body["small_cell_rule"] == 'cells of 1-4 people are shown as "<5"'
    months = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert [(part["from"], part["to"]) for part in body["periods"]] == [
        ("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31")]
    for part, month in zip(body["periods"], months, strict=True):
        assert {"figures": part["figures"], "ages": part["ages"]} == expected(
            app, scene.a, month, month, month=True)
    assert body["total"] == expected(app, scene.a, date(2026, 1, 1), date(2026, 3, 31))
    # The history as it was told: 7 new people in January, 5 returning in February, and two
    # newcomers in March, which is a small cell.
    january, february, march = (part["figures"] for part in body["periods"])
    assert (january["active_residents"], january["new_residents"]) == (7, 7)
    assert (january["supports_online"], january["proposals_submitted"]) == (6, 1)
    assert (february["active_residents"], february["returning_residents"]) == (5, 5)
    assert february["comments"] == 5
    assert march["active_residents"] == march["new_residents"] == SUPPRESSED
    assert march["comments"] == 2  # things, not people: never hidden
    assert body["total"]["figures"]["active_residents"] == 9
    assert body["total"]["ages"]["unknown"] == 9


def test_months_add_up_to_the_total(client, history, token_a):
    """Counts of acts and of new people add up; active people are distinct, so the total is
    at most the sum of the months."""
    body = client.get(URL.format(slug="centre-a"), headers=bearer(token_a),
                      query_string={"from": "2026-01-01", "to": "2026-02-28"}).json
    total = body["total"]["figures"]
    parts = [part["figures"] for part in body["periods"]]
    for key in ("proposals_submitted", "proposals_published", "comments", "supports_online",
                "new_residents"):
        assert sum(part[key] for part in parts) == total[key], key
    assert total["active_residents"] == 7
    assert sum(part["active_residents"] for part in parts) == 12
    assert total["active_residents"] == total["new_residents"] + total["returning_residents"]


def test_every_figure_is_in_every_part(client, history, token_a):
    body = client.get(URL.format(slug="centre-a"), headers=bearer(token_a),
                      query_string={"from": "2026-01-01", "to": "2026-01-31"}).json
    for part in [*body["periods"], body["total"]]:
        assert list(part["figures"]) == sorted(FIGURE_KEYS)
    assert body["periods"][0]["figures"] == body["total"]["figures"]


def test_a_token_reads_only_its_own_centres_acts(client, scene, history):
    from_b = issue_token(client.application, scene.animator_b, scene.b)
    body = client.get(URL.format(slug="centre-b"), headers=bearer(from_b),
                      query_string={"from": "2026-01-01", "to": "2026-03-31"}).json
    assert body["total"]["figures"]["proposals_submitted"] == 1
    assert body["total"]["figures"]["comments"] == 0
    assert body["total"]["figures"]["active_residents"] == SUPPRESSED


def test_no_dates_mean_the_current_month_in_the_centres_zone(client, token_a):
    # 23:30 UTC on 31 January is already 1 February in Warsaw.
    with frozen_at(datetime(2026, 1, 31, 23, 30, tzinfo=UTC)):
        body = client.get(URL.format(slug="centre-a"), headers=bearer(token_a)).json
    assert (body["from"], body["to"]) == ("2026-02-01", "2026-02-28")
    assert len(body["periods"]) == 1


def test_from_alone_runs_to_the_end_of_this_month(client, token_a):
    with frozen_at(at(2026, 3, 10, 12)):
        body = client.get(URL.format(slug="centre-a"), headers=bearer(token_a),
                          query_string={"from": "2026-01-15"}).json
    assert (body["from"], body["to"]) == ("2026-01-15", "2026-03-31")
    assert [part["from"] for part in body["periods"]] == ["2026-01-15", "2026-02-01",
                                                          "2026-03-01"]


@pytest.mark.parametrize(("query", "parts"), [
    ({"from": "2026-01-30", "to": "2026-02-02", "granularity": "day"},
     [("2026-01-30", "2026-01-30"), ("2026-01-31", "2026-01-31"),
      ("2026-02-01", "2026-02-01"), ("2026-02-02", "2026-02-02")]),
    ({"from": "2026-01-01", "to": "2026-12-31", "granularity": "quarter"},
     [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-06-30"),
      ("2026-07-01", "2026-09-30"), ("2026-10-01", "2026-12-31")]),
    ({"from": "2025-06-01", "to": "2026-05-31", "granularity": "year"},
     [("2025-06-01", "2025-12-31"), ("2026-01-01", "2026-05-31")]),
    ({"from": "2026-01-20", "to": "2026-02-10"},
     [("2026-01-20", "2026-01-31"), ("2026-02-01", "2026-02-10")]),
])
def test_granularity_cuts_the_range(client, token_a, query, parts):
    body = client.get(URL.format(slug="centre-a"), headers=bearer(token_a),
                      query_string=query).json
    assert [(part["from"], part["to"]) for part in body["periods"]] == parts
    assert body["granularity"] == query.get("granularity", "month")


def test_a_day_in_the_series_matches_the_dashboard_for_that_day(app, client, scene, history,
                                                                 token_a):
    body = client.get(URL.format(slug="centre-a"), headers=bearer(token_a),
                      query_string={"from": "2026-01-14", "to": "2026-01-16",
                                    "granularity": "day"}).json
    fifteenth = body["periods"][1]
    assert fifteenth["figures"]["supports_online"] == 6
    assert {"figures": fifteenth["figures"], "ages": fifteenth["ages"]} == expected(
        app, scene.a, date(2026, 1, 15), date(2026, 1, 15))


@pytest.mark.parametrize("query", [
    {"granularity": "week"},
    {"granularity": "MONTH"},
    {"from": "2026-13-01"},
    {"from": "2026-02-30"},
    {"from": "20260101"},
    {"from": "yesterday"},
    {"from": "2026-03-01", "to": "2026-02-01"},
    {"from": "1999-01-01", "to": "1999-12-31"},
    {"from": "2020-01-01", "to": "2026-12-31"},
    {"from": "2025-01-01", "to": "2026-12-31", "granularity": "day"},
])
def test_bad_parameters_are_a_400_with_a_message(client, token_a, query):
    response = client.get(URL.format(slug="centre-a"), headers=bearer(token_a),
                          query_string=query)
    assert response.status_code == 400
    assert response.is_json
    assert response.json["error"].strip()


def test_a_bad_parameter_does_not_count_as_a_use(app, client, token_a):
    client.get(URL.format(slug="centre-a"), headers=bearer(token_a),
               query_string={"granularity": "week"})
    with app.app_context():
        assert db_.session.scalar(db_.select(ApiToken.last_used_at)) is None


# --- Every failure in JSON -------------------------------------------------------------------


def test_other_api_addresses_answer_in_json(client, token_a):
    missing = client.get("/api/v1/centres/centre-a/nothing", headers=bearer(token_a))
    assert missing.status_code == 404 and missing.is_json
    root = client.get("/api/v1/")
    assert root.status_code == 404 and root.is_json


def test_the_api_changes_nothing_and_takes_no_post(app, client, token_a):
    assert all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith("api."))
    posted = client.post(URL.format(slug="centre-a"), headers=bearer(token_a), csrf=False)
    assert posted.status_code == 405 and posted.is_json
    assert "GET" in posted.headers["Allow"]


@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)
def test_a_failure_on_our_side_is_a_500_in_json(app, client, token_a, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("participation.metrics.api.figures_for", broken)
    response = client.get(URL.format(slug="centre-a"), headers=bearer(token_a))
    assert response.status_code == 500
    assert response.is_json and "went away" not in response.json["error"]
    assert _last_used(app) is None  # rolled back with the rest


def test_answers_are_not_cached(client, token_a):
    response = client.get(URL.format(slug="centre-a"), headers=bearer(token_a))
    assert "no-store" in response.headers["Cache-Control"]


# --- Last used, rate limit -------------------------------------------------------------------


def _last_used(app):
    with app.app_context():
        return db_.session.scalar(db_.select(ApiToken.last_used_at))


def test_last_used_is_written_at_most_once_a_minute(app, client, token_a):
    url = URL.format(slug="centre-a")
    first = at(2026, 5, 4, 10, 0, 0)
    with frozen_at(first):
        assert client.get(url, headers=bearer(token_a)).status_code == 200
    assert _last_used(app) == first.astimezone(UTC)
    with frozen_at(first + timedelta(seconds=30)):
        client.get(url, headers=bearer(token_a))
    assert _last_used(app) == first.astimezone(UTC)
    later = first + timedelta(seconds=61)
    with frozen_at(later):
        client.get(url, headers=bearer(token_a))
    assert _last_used(app) == later.astimezone(UTC)


def test_a_refused_read_is_not_a_use(app, client, scene, token_a):
    client.get(URL.format(slug="centre-b"), headers=bearer(token_a))
    assert _last_used(app) is None


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_API="2 per minute",
                        RATELIMIT_API_IP="1000 per minute")
def test_too_many_reads_with_one_token_are_a_429_in_json(app, client, scene, token_a):
    url = URL.format(slug="centre-a")
    assert [client.get(url, headers=bearer(token_a)).status_code for _ in range(2)] == [200, 200]
    limited = client.get(url, headers=bearer(token_a))
    assert limited.status_code == 429
    assert limited.is_json and limited.json["error"]
    # Another token has its own allowance.
    other = issue_token(app, scene.animator, scene.a, "Second tool")
    assert client.get(url, headers=bearer(other)).status_code == 200


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_API="1000 per minute",
                        RATELIMIT_API_IP="3 per minute")
def test_guessing_tokens_from_one_address_is_limited(client):
    url = URL.format(slug="centre-a")
    codes = [client.get(url, headers=bearer(f"pt_guess{n}")).status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]
