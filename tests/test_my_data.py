""""Download my data": the readable page and the JSON file hold every row about the person and
nothing about anyone else.

``build_world`` makes a rich history through the real services at chosen moments: two
residents of centre A (Anna and Zbigniew) both propose, comment on each other's proposals,
support, report, sign up, help and get checked in; an animator publishes, answers, enters an
assisted support and paper votes, makes an API token, opens a kiosk and issues Anna's access
card. test_erasure.py deletes Anna's account in the same world.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from participation.activities import service as activities
from participation.cards.codes import hash_code, new_code
from participation.extensions import db as db_
from participation.metrics import tokens
from participation.models import (
    AccessCard,
    AgeBracket,
    Centre,
    Comment,
    Kiosk,
    NotificationKind,
    OutboxMessage,
    ParticipationEvent,
    Proposal,
    Role,
    Signup,
    User,
    VolunteerOffer,
)
from participation.notifications.service import notify
from participation.privacy import service as privacy
from participation.proposals import service as proposals

from .clock import frozen_at
from .proposals_fixtures import unit_of_work

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAST_START = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
FUTURE_START = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
ERASE_AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

ANNA = {"name": "Anna Pierwsza", "email": "anna.pierwsza@example.org"}
ZBIGNIEW = {"name": "Zbigniew Drugi", "email": "zbigniew.drugi@example.org"}
# Texts only Anna wrote; texts only Zbigniew wrote (none may leak into Anna's export).
ANNA_TEXTS = ("Ławki przy stawie", "Trzy ławki w cieniu przy stawie na osiedlu.",
              "Świetny pomysł, przyjdę pomóc.", "Reklama w komentarzu")
ZBIGNIEW_TEXTS = ("Fontanna przy bibliotece", "Mała fontanna do picia przy bibliotece.",
                  "Ławki to dobry pomysł dla seniorów.", "Obraźliwy komentarz, proszę sprawdzić")


@dataclass(frozen=True)
class World:
    centre: int
    slug: str
    anna: int
    zbigniew: int
    celina: int
    animator: int
    animator_email: str
    anna_proposal: int
    zbigniew_proposal: int
    celina_proposal: int
    past: int
    future: int
    api_secret: str
    card_code: str


def build_world(app, make_user, make_centre, make_member) -> World:
    centre = make_centre("centre-a", name="Centre A")
    anna = make_user(ANNA["email"], name=ANNA["name"])
    zbigniew = make_user(ZBIGNIEW["email"], name=ZBIGNIEW["name"])
    celina = make_user("celina@example.org", name="Celina Trzecia")
    animator = make_user("ewa.animatorka@example.org", name="Ewa Animatorka")
    make_user("admin@example.org", is_admin=True)
    for person in (anna, zbigniew, celina):
        make_member(person, centre)
    make_member(animator, centre, Role.ANIMATOR)
    code = new_code()

    def get(model, ident):
        return db_.session.get(model, ident)

    with frozen_at(T0), unit_of_work(app):
        a, z, c, e = (get(User, anna.id), get(User, zbigniew.id), get(User, celina.id),
                      get(User, animator.id))
        a.age_bracket = AgeBracket.FROM_65_TO_74
        where = get(Centre, centre.id)
        proposals.ensure_default_categories(where)
        db_.session.flush()
        category = proposals.categories_of(where)[0].id
        pa = proposals.propose(a, where, ANNA_TEXTS[0], ANNA_TEXTS[1], category)
        pz = proposals.propose(z, where, ZBIGNIEW_TEXTS[0], ZBIGNIEW_TEXTS[1], category)
        pc = proposals.propose(c, where, "Kwiaty na skwerze", "Posadźmy kwiaty na skwerze.",
                               category)
        for proposal in (pa, pz, pc):
            proposals.change_status(e, proposal, "published")
        proposals.answer(e, pa, "Centrum sprawdzi miejsce przy stawie.")
        ca = proposals.post_comment(a, pz, ANNA_TEXTS[2])
        cz = proposals.post_comment(z, pa, ZBIGNIEW_TEXTS[2])
        proposals.give_support(a, pz)
        proposals.give_support(z, pa)
        proposals.record_assisted_support(e, pc, a.id)
        proposals.record_paper_tally(e, pa, 5, "Zebranie sąsiedzkie")
        proposals.file_report(a, pz, "spam", ANNA_TEXTS[3], comment=cz)
        proposals.file_report(z, pa, "offensive", ZBIGNIEW_TEXTS[3], comment=ca)
        [past] = activities.create_activities(e, where, activities.ActivityDetails(
            title="Spacer po osiedlu", starts_at=PAST_START,
            ends_at=PAST_START + timedelta(hours=2), volunteers_needed=2,
            category_id=category), publish=True)
        [future] = activities.create_activities(e, where, activities.ActivityDetails(
            title="Piknik sąsiedzki", starts_at=FUTURE_START,
            ends_at=FUTURE_START + timedelta(hours=3), capacity=1, category_id=category),
            publish=True)
        for person in (a, z):
            activities.sign_up(person, past)
            activities.offer_help(person, past)
        activities.sign_up(a, future)
        activities.sign_up(c, future)  # waitlisted: Anna's place goes to her on erasure
        offer = db_.session.scalar(select(VolunteerOffer).where(
            VolunteerOffer.user_id == a.id, VolunteerOffer.activity_id == past.id))
        activities.decide_offer(e, past, offer.id, accept=True)
        _token, secret = tokens.create_token(e, where, "Arkusz sprawozdań")
        db_.session.add(AccessCard(user_id=a.id, centre_id=where.id, code_hash=hash_code(code),
                                   issued_by_id=e.id))
        db_.session.add(Kiosk(centre_id=where.id, token_hash="k" * 64, activity_id=future.id,
                              opened_by_id=e.id, expires_at=T0 + timedelta(hours=8)))
        db_.session.add_all([
            OutboxMessage(recipient=ANNA["email"], subject="Przypomnienie",
                          body="Jutro spacer po osiedlu."),
            OutboxMessage(recipient=ZBIGNIEW["email"], subject="Dla Zbigniewa",
                          body="Wiadomość tylko dla drugiej osoby."),
        ])
        notify(a.id, NotificationKind.ACTED_FOR_YOU, pc, status="supported", actor=e)
        ids = (pa.id, pz.id, pc.id, past.id, future.id)
        offer_id = offer.id
    with frozen_at(PAST_START + timedelta(minutes=30)), unit_of_work(app):
        e = get(User, animator.id)
        for person in (anna, zbigniew):
            signup = db_.session.scalar(select(Signup).where(
                Signup.user_id == person.id, Signup.activity_id == ids[3]))
            activities.check_in(e, signup)
    with frozen_at(PAST_START + timedelta(hours=3)), unit_of_work(app):
        e, past_activity = get(User, animator.id), db_.session.get(
            activities.Activity, ids[3])
        activities.record_hours(e, past_activity, offer_id, 120)
    return World(centre=centre.id, slug=centre.slug, anna=anna.id, zbigniew=zbigniew.id,
                 celina=celina.id, animator=animator.id, animator_email=animator.email,
                 anna_proposal=ids[0], zbigniew_proposal=ids[1], celina_proposal=ids[2],
                 past=ids[3], future=ids[4], api_secret=secret, card_code=code)


def export_of(app, user_id: int) -> dict:
    """The export as the JSON file holds it (times as text)."""
    with app.app_context():
        return json.loads(privacy.to_json(privacy.collect_personal_data(
            db_.session.get(User, user_id))))


def _user_columns(app) -> list[tuple[str, str]]:
    with app.app_context():
        return sorted(
            (table.name, column.name)
            for table in db_.metadata.tables.values() for column in table.columns
            for key in column.foreign_keys if key.column.table.name == "user_account")


# Columns that point at an account but are deliberately NOT a reason to list a row in that
# account's export, and why.
LEFT_OUT = {
    ("user_account", "registered_by_id"):
        "rows are the residents this animator registered: their data, not the animator's "
        "(the person's own row is the account section, with the animator's name)",
    ("proposal", "recorded_by_id"):
        "proposals an animator entered for residents: the residents' data",
    ("support", "recorded_by_id"): "supports an animator entered for residents",
    ("signup", "recorded_by_id"): "sign-ups an animator made for residents",
    ("signup", "cancelled_by_id"): "places an animator cancelled for residents",
    ("signup", "checked_in_by_id"): "residents the animator checked in at the door",
    ("volunteer_offer", "hours_recorded_by_id"): "residents' hours the animator recorded",
    ("notification", "actor_id"):
        "notifications addressed to the residents the animator acted for",
    ("access_card", "issued_by_id"): "cards the animator issued describe the residents",
}


def test_every_column_pointing_at_an_account_is_covered_or_left_out_on_purpose(app):
    columns = _user_columns(app)
    assert len(columns) >= 20  # guards against a walk that finds nothing
    for column in columns:
        covered, left_out = column in privacy.COVERAGE, column in LEFT_OUT
        assert covered or left_out, f"{column} is neither in the export nor left out on purpose"
        assert not (covered and left_out), column
    assert set(privacy.COVERAGE) | set(LEFT_OUT) == set(columns), "stale entries"
    assert set(privacy.COVERAGE.values()) <= set(privacy.SECTION_KEYS)


def _assert_complete(app, user_id: int, data: dict) -> None:
    """Every row that a covered column marks as this person's is in its section, by id;
    so are their e-mails (by address) and their log entries (by pseudonymous key)."""
    sections = data["sections"]
    assert set(sections) == set(privacy.SECTION_KEYS)
    with app.app_context():
        for (table_name, column_name), section in privacy.COVERAGE.items():
            table = db_.metadata.tables[table_name]
            wanted = set(db_.session.scalars(
                select(table.c.id).where(table.c[column_name] == user_id)))
            listed = {row["id"] for row in sections[section]}
            assert wanted <= listed, (table_name, column_name, wanted - listed)
        user = db_.session.get(User, user_id)
        mails = set(db_.session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.recipient == user.email)))
        events = set(db_.session.scalars(select(ParticipationEvent.id).where(
            ParticipationEvent.actor_key == privacy.actor_key(user_id))))
    assert mails == {row["id"] for row in sections["emails"]}
    assert events and events == {row["id"] for row in sections["participation_events"]}
    assert sections["account"][0]["id"] == user_id


def test_the_export_holds_every_row_about_the_resident(app, make_user, make_centre,
                                                         make_member):
    world = build_world(app, make_user, make_centre, make_member)
    data = export_of(app, world.anna)
    _assert_complete(app, world.anna, data)
    text = json.dumps(data, ensure_ascii=False)
    for own in (ANNA["name"], ANNA["email"], *ANNA_TEXTS, "Przypomnienie"):
        assert own in text
    s = data["sections"]
    assert len(s["proposals"]) == 1 and s["proposals"][0]["supports"] == 1 + 5  # + paper
    assert {row["proposal_id"] for row in s["supports"]} == {world.zbigniew_proposal,
                                                              world.celina_proposal}
    assert [row["recorded_by"] for row in s["supports"]] == [None, "Ewa Animatorka"]
    assert {row["status"] for row in s["signups"]} == {"confirmed"}
    assert any(row["checked_in_at"] for row in s["signups"])
    assert s["volunteer_offers"][0]["minutes"] == 120
    assert s["account"][0]["age_bracket"] == "65_74"
    assert s["access_cards"][0]["revoked_at"] is None
    assert {row["kind"] for row in s["notifications"]} >= {"acted_for_you", "proposal_status"}
    # Times are ISO 8601 with their offset.
    assert datetime.fromisoformat(s["proposals"][0]["created_at"]).tzinfo is not None


def test_the_export_holds_nothing_about_anyone_else(app, make_user, make_centre, make_member,
                                                    client):
    world = build_world(app, make_user, make_centre, make_member)
    client.login(ANNA["email"])
    response = client.get("/account/data/my-data.json")
    assert response.status_code == 200
    file_text = response.get_data(as_text=True)
    page = client.get("/account/data/").get_data(as_text=True)
    with app.app_context():
        secrets = [db_.session.get(User, world.anna).password_hash,
                   db_.session.get(User, world.anna).session_token,
                   db_.session.scalar(select(AccessCard.code_hash)), world.card_code,
                   world.api_secret]
    for text in (file_text, page):
        for other in (ZBIGNIEW["name"], ZBIGNIEW["email"], *ZBIGNIEW_TEXTS, "Dla Zbigniewa",
                      "Celina", "celina@example.org", world.animator_email,
                      "Wiadomość tylko dla drugiej osoby"):
            assert other not in text, other
        # Celina's proposal is named only in the e-mail sent to Anna (her copy of what she
        # was sent, verbatim): never in a section of Anna's own rows.
        sections = json.loads(file_text)["sections"]
        del sections["emails"]
        assert "Kwiaty na skwerze" not in json.dumps(sections, ensure_ascii=False)
        for secret in secrets:
            assert secret not in text
    # No field names another person: no column pointing at an account is ever exported.
    data = json.loads(file_text)
    keys = {key for rows in data["sections"].values() for row in rows for key in row}
    assert not keys & {column for _table, column in _user_columns(app)}
    assert ANNA_TEXTS[0] in page and ANNA["name"] in page


def test_an_animators_export_has_their_work_but_no_residents(app, make_user, make_centre,
                                                             make_member):
    world = build_world(app, make_user, make_centre, make_member)
    data = export_of(app, world.animator)
    _assert_complete(app, world.animator, data)
    s = data["sections"]
    assert s["answers"] and s["status_changes"] and s["paper_tallies"]
    assert s["api_tokens"][0]["name"] == "Arkusz sprawozdań" and s["kiosks"]
    assert len(s["activities_created"]) == 2
    text = json.dumps(data, ensure_ascii=False)
    for resident in (ANNA, ZBIGNIEW):
        assert resident["name"] not in text and resident["email"] not in text
    assert world.api_secret not in text and "k" * 64 not in text


def test_the_download_is_a_utf8_json_attachment_not_kept_in_caches(app, world, client):
    client.login(world["resident_a"].email)
    response = client.get("/account/data/my-data.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=my-data.json"
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.data.decode("utf-8"))
    assert data["format"] == privacy.FORMAT
    assert datetime.fromisoformat(data["generated_at"]).tzinfo is not None
    assert data["sections"]["account"][0]["email"] == world["resident_a"].email


def test_the_page_shows_every_section_held_and_links_the_file(app, world, client, db):
    client.login(world["resident_a"].email)
    response = client.get("/account/data/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert "Your account" in page and "Your centres" in page and "Centre A" in page
    assert 'href="/account/data/my-data.json"' in page
    assert 'href="/account/data/delete"' in page
    assert "Proposals you wrote" in page  # listed among the parts that hold nothing
    profile = client.get("/account/profile").get_data(as_text=True)
    assert 'href="/account/data/"' in profile and 'href="/account/data/delete"' in profile


def test_a_card_only_residents_export(app, world, make_member, db):
    card_user = db.add(User(display_name="Halina Kartowa", email=None))
    make_member(card_user, world["a"])
    data = export_of(app, card_user.id)
    assert data["sections"]["account"][0]["email"] is None
    assert data["sections"]["emails"] == []
    assert data["sections"]["account"][0]["has_password"] is False


def test_comments_and_proposals_of_others_are_named_only_by_number(app, make_user, make_centre,
                                                                   make_member):
    world = build_world(app, make_user, make_centre, make_member)
    data = export_of(app, world.anna)
    with app.app_context():
        commented_on = db_.session.scalar(select(Comment.proposal_id).where(
            Comment.author_id == world.anna))
        title = db_.session.get(Proposal, commented_on).title
    assert data["sections"]["comments"][0]["proposal_id"] == commented_on
    assert title not in json.dumps(data, ensure_ascii=False)
