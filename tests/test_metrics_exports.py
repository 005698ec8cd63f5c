"""Exports: the figures CSV (BOM, header, separators, Polish letters, small cells, the same
numbers as the dashboard, defused formulas) and the pseudonymous raw events (CSV and JSON
Lines: one line per entry of the period and centre, no user ids or stored keys, one pseudonym
per person and centre); bad arguments; who may download.

Histories are made through the real services at chosen times (``tests/clock.py``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from participation.activities import service as activities
from participation.activities.service import ActivityDetails
from participation.events import actor_key
from participation.extensions import db as db_
from participation.metrics import exports
from participation.metrics.periods import custom_period, month_period
from participation.metrics.service import AGE_KEYS, FIGURE_KEYS, SUPPRESSED, figures_for
from participation.models import (
    AgeBracket,
    Centre,
    Membership,
    ParticipationEvent,
    Role,
    Signup,
    User,
)
from participation.proposals import service as proposals

from .clock import frozen_at
from .proposals_fixtures import add_members, centre, proposal, set_centre, unit_of_work, user

WARSAW = ZoneInfo("Europe/Warsaw")
BASE = "/c/{slug}/manage/figures/export/"
FIRST_QUARTER = {"period": "custom", "start": "2026-01-01", "end": "2026-03-31"}
BODY = "Prosimy o trzy ławki przy placu zabaw."


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


def url(name: str, slug: str = "centre-a") -> str:
    return BASE.format(slug=slug) + name


def build_history(app, scene) -> dict:
    """Centre A: January, a proposal (its author gave an age bracket), six supports and an
    activity with a check-in; February, five comments; March, two newcomers comment (a small
    cell); April, one more comment (outside the first quarter). A person who belongs to both
    centres proposes in each. Centre B has acts of its own in January."""
    set_centre(app, scene.a, proposals_need_approval=False)
    set_centre(app, scene.b, proposals_need_approval=False)
    with app.app_context():
        db_.session.get(User, scene.resident).age_bracket = AgeBracket.FROM_25_TO_34
        db_.session.commit()
    supporters = add_members(app, scene.a, 6)
    latecomers = add_members(app, scene.a, 2)
    [both] = add_members(app, scene.a, 1)
    with app.app_context():
        db_.session.add(Membership(user_id=both, centre_id=scene.b, role=Role.RESIDENT))
        db_.session.commit()

    with frozen_at(at(2026, 1, 5, 10)), unit_of_work(app):
        start = at(2026, 1, 20, 18)
        activity_id = activities.create_activities(
            user(scene.animator), centre(scene.a),
            ActivityDetails(title="Warsztaty ceramiczne", starts_at=start,
                            ends_at=start + timedelta(hours=2)), publish=True)[0].id
    with frozen_at(at(2026, 1, 6, 10)), unit_of_work(app):
        signup_id = activities.sign_up(user(scene.resident),
                                       activities.visible_activity(
                                           user(scene.resident), centre(scene.a),
                                           activity_id)).id
    with frozen_at(at(2026, 1, 10, 12)), unit_of_work(app):
        proposal_id = proposals.propose(user(scene.resident), centre(scene.a), "Ławki na skwerze",
                                        BODY, scene.category).id
    for member in supporters:
        with frozen_at(at(2026, 1, 15, 18)), unit_of_work(app):
            proposals.give_support(user(member), proposal(proposal_id))
    with frozen_at(at(2026, 1, 20, 18, 10)), unit_of_work(app):
        activities.check_in(user(scene.animator), db_.session.get(Signup, signup_id))
    with frozen_at(at(2026, 1, 25, 12)), unit_of_work(app):
        proposals.propose(user(both), centre(scene.a), "Stojaki na rowery", BODY,
                          scene.category)
    with frozen_at(at(2026, 1, 26, 12)), unit_of_work(app):
        proposals.propose(user(both), centre(scene.b), "Stojaki przy szkole", BODY,
                          scene.category_b)
    with frozen_at(at(2026, 1, 12, 12)), unit_of_work(app):
        proposals.propose(user(scene.resident_b), centre(scene.b), "Mural na ścianie", BODY,
                          scene.category_b)
    for member in supporters[:5]:
        with frozen_at(at(2026, 2, 3, 9)), unit_of_work(app):
            proposals.post_comment(user(member), proposal(proposal_id), "Popieram, świetnie!")
    for member in latecomers:
        with frozen_at(at(2026, 3, 20, 9)), unit_of_work(app):
            proposals.post_comment(user(member), proposal(proposal_id), "Zgoda.")
    with frozen_at(at(2026, 4, 5, 9)), unit_of_work(app):
        proposals.post_comment(user(supporters[0]), proposal(proposal_id), "Jeszcze raz.")
    return {"proposal": proposal_id, "activity": activity_id, "signup": signup_id,
            "both": both, "supporters": supporters}


@pytest.fixture
def history(app, scene):
    return build_history(app, scene)


@pytest.fixture
def animator(client, world):
    client.login("animator-a@example.org")
    return client


def read_csv(response, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")),
                           delimiter=delimiter))


def events_in(app, centre_id: int, start: date, end: date) -> list[ParticipationEvent]:
    with app.app_context():
        low, high = custom_period(start, end).bounds("Europe/Warsaw")
        return list(db_.session.scalars(
            select(ParticipationEvent).where(ParticipationEvent.centre_id == centre_id,
                                             ParticipationEvent.occurred_at >= low,
                                             ParticipationEvent.occurred_at < high)
            .order_by(ParticipationEvent.occurred_at, ParticipationEvent.id)))


# --- The figures CSV -------------------------------------------------------------------------


def test_the_figures_csv_is_excel_friendly_utf8_with_the_stable_header(app, animator, history):
    response = animator.get(url("figures.csv"), query_string=FIRST_QUARTER)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename=centre-a-figures-2026-01-01-2026-03-31.csv')
    assert "no-store" in response.headers["Cache-Control"]
    rows = read_csv(response)
    header = rows[0]
    assert header[:4] == ["row", "period", "start", "end"]
    assert header[4:4 + len(FIGURE_KEYS)] == list(FIGURE_KEYS)
    assert header[4 + len(FIGURE_KEYS):] == [f"age_{key}" for key in AGE_KEYS]
    assert [row[0] for row in rows[1:]] == ["month", "month", "month", "total"]
    assert [(row[2], row[3]) for row in rows[1:]] == [
        ("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"),
        ("2026-03-01", "2026-03-31"), ("2026-01-01", "2026-03-31")]
    assert all(len(row) == len(header) for row in rows)


def test_the_figures_csv_holds_the_dashboards_public_figures(app, animator, scene, history):
    rows = read_csv(animator.get(url("figures.csv"), query_string=FIRST_QUARTER))
    header = rows[0]
    periods = [month_period(date(2026, month, 1)) for month in (1, 2, 3)]
    periods.append(custom_period(date(2026, 1, 1), date(2026, 3, 31)))
    with app.app_context():
        for row, period in zip(rows[1:], periods, strict=True):
            figures = figures_for(db_.session.get(Centre, scene.a), period)
            cells = dict(zip(header, row, strict=True))
            for key, value in figures.public().items():
                assert cells[key] == exports.safe_cell(value), key
            for key, value in figures.public_ages().items():
                assert cells[f"age_{key}"] == exports.safe_cell(value), key
    january, _february, march, total = (dict(zip(header, row, strict=True))
                                        for row in rows[1:])
    assert january["supports_online"] == "6"
    assert january["attendance"] == SUPPRESSED  # one person checked in
    assert march["active_residents"] == march["new_residents"] == SUPPRESSED
    assert march["comments"] == "2"
    assert total["age_25_34"] == SUPPRESSED  # the one author who gave an age
    assert total["age_unknown"] == "9"


def test_semicolons_and_decimal_commas_for_polish_excel(animator, history):
    response = animator.get(url("figures.csv"), query_string={**FIRST_QUARTER,
                                                              "sep": "semicolon"})
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("row;period;start;end;active_residents;")
    rows = read_csv(response, ";")
    assert len({len(row) for row in rows}) == 1 and len(rows) == 5
    comma_rows = read_csv(animator.get(url("figures.csv"), query_string=FIRST_QUARTER))
    assert [row[4:] for row in rows] == [
        [cell.replace(".", ",") for cell in row[4:]] for row in comma_rows]


def test_polish_letters_survive(animator, history):
    animator.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
    response = animator.get(url("figures.csv"), query_string={
        "period": "custom", "start": "2026-01-01", "end": "2026-02-28", "sep": "semicolon"})
    rows = read_csv(response, ";")
    assert rows[1][1] == "styczeń 2026"
    assert rows[2][1] == "luty 2026"
    assert "styczeń".encode() in response.get_data()


def test_a_header_of_labels_for_people(animator, history):
    rows = read_csv(animator.get(url("figures.csv"),
                                 query_string={**FIRST_QUARTER, "header": "labels"}))
    assert "Active residents" in rows[0]
    assert "active_residents" not in rows[0]
    assert len(rows[0]) == len(rows[1])


def test_a_month_a_quarter_and_a_year_by_number(animator, history):
    month = read_csv(animator.get(url("figures.csv"), query_string={
        "period": "month", "year": "2026", "month": "2"}))
    assert [row[0] for row in month[1:]] == ["month", "total"]
    assert month[1][2:4] == month[2][2:4] == ["2026-02-01", "2026-02-28"]
    year = read_csv(animator.get(url("figures.csv"), query_string={
        "period": "year", "year": "2026"}))
    assert len(year) == 1 + 12 + 1


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+48 600 000 000", "'+48 600 000 000"),
    ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("-3", "-3"),
    ("-2.5", "-2.5"),
    (-3, "-3"),
    ("<5", "<5"),
    ("Łąka", "Łąka"),
    (None, ""),
    (0.75, "0.75"),
    (2 / 3, "0.6667"),
])
def test_cells_are_defused_against_formulas(value, cell):
    assert exports.safe_cell(value) == cell


def test_decimal_comma(client):
    assert exports.safe_cell(0.75, decimal_comma=True) == "0,75"
    assert exports.safe_cell(12, decimal_comma=True) == "12"


@pytest.mark.parametrize("query", [
    {"sep": "tab"},
    {"header": "both"},
    {"period": "custom"},
    {"period": "custom", "start": "2026-03-01", "end": "2026-02-01"},
    {"period": "custom", "start": "2001-01-01", "end": "2026-12-31"},
    {"period": "month", "month": "13"},
    {"period": "decade"},
    {"period": "year", "year": "1999"},
    {"period": "custom", "start": "31.01.2026", "end": "2026-02-01"},
])
def test_bad_arguments_get_a_clear_message(animator, query):
    response = animator.get(url("figures.csv"), query_string=query)
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers


# --- The raw events --------------------------------------------------------------------------


def test_the_events_csv_has_one_line_per_entry_of_the_period_and_centre(app, animator, scene,
                                                                         history):
    response = animator.get(url("events.csv"), query_string=FIRST_QUARTER)
    assert response.status_code == 200
    assert response.is_streamed
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=centre-a-events-2026-01-01-2026-03-31.csv")
    rows = read_csv(response)
    assert tuple(rows[0]) == exports.EVENT_COLUMNS
    expected = events_in(app, scene.a, date(2026, 1, 1), date(2026, 3, 31))
    assert len(rows) - 1 == len(expected) > 0
    assert [row[2] for row in rows[1:]] == [event.kind for event in expected]
    assert [row[0] for row in rows[1:]] == sorted(row[0] for row in rows[1:])
    # Centre B's acts, and April's comment, are not in it.
    assert not any(row[2] == "comment_posted" and row[0] >= "2026-04" for row in rows[1:])
    assert sum(row[2] == "comment_posted" for row in rows[1:]) == 7
    assert sum(row[2] == "proposal_submitted" for row in rows[1:]) == 2


def test_times_are_in_utc_and_in_the_centres_zone(animator, history):
    rows = read_csv(animator.get(url("events.csv"), query_string=FIRST_QUARTER))
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    submitted = next(r for r in records if r["kind"] == "proposal_submitted")
    assert submitted["occurred_at_utc"] == "2026-01-10T11:00:00Z"
    assert submitted["occurred_at_local"] == "2026-01-10T12:00:00+01:00"
    comment = next(r for r in records if r["occurred_at_local"].startswith("2026-03-20"))
    assert comment["occurred_at_utc"] == "2026-03-20T08:00:00Z"


def test_events_name_no_one(app, animator, scene, history):
    """No user ids, no stored keys, no row that belongs to one person (comment, sign-up)."""
    response = animator.get(url("events.csv"), query_string=FIRST_QUARTER)
    text = response.get_data().decode("utf-8-sig")
    rows = read_csv(response)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    stored = {event.actor_key for event in events_in(app, scene.a, date(2026, 1, 1),
                                                     date(2026, 3, 31)) if event.actor_key}
    assert stored and not any(key in text for key in stored)
    assert not any(key[:16] in text for key in stored)
    assert {r["subject_type"] for r in records} <= {"proposal", "activity"}
    comments = [r for r in records if r["kind"] == "comment_posted"]
    assert {r["subject_id"] for r in comments} == {str(history["proposal"])}
    checked_in = next(r for r in records if r["kind"] == "checked_in")
    assert (checked_in["subject_type"], checked_in["subject_id"]) == (
        "activity", str(history["activity"]))
    for column in ("user_id", "email", "actor_key"):
        assert column not in rows[0]


def test_one_person_has_one_pseudonym_in_a_centre(animator, scene, history):
    rows = read_csv(animator.get(url("events.csv"), query_string=FIRST_QUARTER))
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    # The resident signed up, was checked in and proposed: three acts, one pseudonym.
    author = next(r["actor"] for r in records if r["kind"] == "proposal_submitted"
                  and r["occurred_at_local"].startswith("2026-01-10"))
    assert author
    resident = [r for r in records if r["kind"] in ("signup_confirmed", "checked_in")]
    assert {r["actor"] for r in resident} == {author}
    assert next(r for r in resident if r["kind"] == "checked_in")["age_bracket"] == "25_34"
    # Six different supporters, six different pseudonyms.
    supports = {r["actor"] for r in records if r["kind"] == "support_given"}
    assert len(supports) == 6 and author not in supports
    # An entry with no person (the automatic publication) has an empty actor.
    published = next(r for r in records if r["kind"] == "proposal_published")
    assert published["actor"] == ""


def test_the_same_person_has_different_pseudonyms_in_different_centres(app, client, world,
                                                                       history):
    client.login("admin@example.org")
    january = {"period": "month", "year": "2026", "month": "1"}

    def author_of(slug: str, title_day: str) -> str:
        lines = client.get(url("events.jsonl", slug), query_string=january).get_data(
            as_text=True).splitlines()
        return next(r["actor"] for r in map(json.loads, lines)
                    if r["kind"] == "proposal_submitted"
                    and r["occurred_at_local"].startswith(title_day))

    in_a, in_b = author_of("centre-a", "2026-01-25"), author_of("centre-b", "2026-01-26")
    assert in_a and in_b and in_a != in_b
    # …although the log itself keys that person the same way in both centres.
    with app.app_context():
        stored = set(db_.session.execute(
            select(ParticipationEvent.centre_id, ParticipationEvent.actor_key)
            .where(ParticipationEvent.kind == "proposal_submitted",
                   ParticipationEvent.actor_key == actor_key(history["both"]))).all())
    assert {centre_id for centre_id, _key in stored} == {world["a"].id, world["b"].id}
    # And the pseudonym is stable from one export to the next.
    assert author_of("centre-a", "2026-01-25") == in_a


def test_the_events_jsonl_has_the_same_lines(app, animator, scene, history):
    csv_rows = read_csv(animator.get(url("events.csv"), query_string=FIRST_QUARTER))
    response = animator.get(url("events.jsonl"), query_string=FIRST_QUARTER)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"].endswith(
        "centre-a-events-2026-01-01-2026-03-31.jsonl")
    body = response.get_data()
    assert not body.startswith(b"\xef\xbb\xbf")
    records = [json.loads(line) for line in body.decode().splitlines()]
    assert len(records) == len(csv_rows) - 1
    assert all(tuple(record) == exports.EVENT_COLUMNS for record in records)
    for record, row in zip(records, csv_rows[1:], strict=True):
        assert [exports.safe_cell(record[column]) for column in exports.EVENT_COLUMNS] == row
    published = next(r for r in records if r["kind"] == "proposal_published")
    assert published["actor"] is None
    assert isinstance(records[0]["quantity"], int)


def test_an_empty_period_is_just_the_header(animator, history):
    rows = read_csv(animator.get(url("events.csv"), query_string={
        "period": "year", "year": "2024"}))
    assert rows == [list(exports.EVENT_COLUMNS)]
    assert animator.get(url("events.jsonl"), query_string={
        "period": "year", "year": "2024"}).get_data() == b""


def test_a_big_log_streams_in_chunks(app, animator, scene, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 3)
    with app.app_context():
        db_.session.add_all(ParticipationEvent(
            centre_id=scene.a, kind="comment_posted", subject_type="proposal", subject_id=1,
            actor_key=f"{n:032x}", occurred_at=at(2026, 1, 1, 10) + timedelta(minutes=n))
            for n in range(10))
        db_.session.commit()
    response = animator.get(url("events.csv"), query_string={"period": "month", "year": "2026",
                                                             "month": "1"})
    pieces = [piece if isinstance(piece, bytes) else piece.encode()
              for piece in response.response]
    assert len(pieces) >= 4  # the header, then a piece per three rows
    text = b"".join(pieces).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 11


@pytest.mark.parametrize("name", ["events.csv", "events.jsonl"])
def test_bad_arguments_stop_the_events_before_they_start(animator, name):
    response = animator.get(url(name), query_string={"period": "custom"})
    assert response.status_code == 422
    assert "Content-Disposition" not in response.headers


# --- Who may download ------------------------------------------------------------------------

EXPORTS = ["figures.csv", "events.csv", "events.jsonl"]
WHO = [
    ("resident-a@example.org", 403),
    ("animator-b@example.org", 403),
    ("resident-b@example.org", 403),
    ("outsider@example.org", 403),
    ("animator-a@example.org", 200),
    ("admin@example.org", 200),
]


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize(("email", "status"), WHO)
def test_who_may_download(client, world, name, email, status):
    client.login(email)
    response = client.get(url(name))
    assert response.status_code == status
    assert ("Content-Disposition" in response.headers) == (status == 200)


@pytest.mark.parametrize("name", EXPORTS)
def test_anonymous_people_are_sent_to_sign_in(client, world, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_an_unknown_centre_is_404(client, world):
    client.login("admin@example.org")
    assert client.get(url("figures.csv", "no-such-centre")).status_code == 404
