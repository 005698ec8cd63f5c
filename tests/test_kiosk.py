"""The event kiosk: opening it turns the animator's browser into a tablet that knows nothing
but its kiosk; people type their card's code to check in or to support.

Centre A has an activity starting in an hour (Anna holds a confirmed place, Bogdan has none),
a published proposal, and card holders: Anna, Bogdan, Celina (whose card was reissued: her old
card is revoked) and Dorota (card only, no e-mail). Centre B's Edward has a card too. Every
kiosk response is checked for the names of everybody but the person who typed the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.events import actor_key
from participation.extensions import db as db_
from participation.models import (
    AccessCard,
    Activity,
    Kiosk,
    Membership,
    ParticipationEvent,
    Role,
    Signup,
    SignupChannel,
    SignupStatus,
    Support,
    SupportChannel,
)

from .clock import frozen_at
from .kiosk_support import (
    COOKIE,
    KIOSK_URL,
    add_person,
    issue_card,
    make_activity,
    make_kiosk,
    open_kiosk_as,
    sign_up,
    type_code,
    use_kiosk,
)
from .proposals_fixtures import make_proposal, set_centre
from .support import rows_of

NAMES = {"anna": "Anna Kowalska", "bogdan": "Bogdan Nowak", "celina": "Celina Wiśniewska",
         "dorota": "Dorota Zielińska", "edward": "Edward z Centrum B"}
WRITTEN = (Kiosk, Signup, Support, ParticipationEvent, AccessCard)


@dataclass
class KioskScene:
    activity: int
    proposal: int
    people: dict[str, int]
    codes: dict[str, str]
    old_celina: str  # Celina's revoked card
    animator: int
    scene: object


@pytest.fixture
def ks(app, scene) -> KioskScene:
    people = {
        "anna": add_person(app, scene.a, NAMES["anna"], email="anna@example.org"),
        "bogdan": add_person(app, scene.a, NAMES["bogdan"], email="bogdan@example.org"),
        "celina": add_person(app, scene.a, NAMES["celina"], email="celina@example.org"),
        "dorota": add_person(app, scene.a, NAMES["dorota"]),
        "edward": add_person(app, scene.b, NAMES["edward"], email="edward@example.org"),
    }
    old_celina = issue_card(app, people["celina"], scene.a, revoked=True)
    codes = {key: issue_card(app, ident, scene.b if key == "edward" else scene.a)
             for key, ident in people.items()}
    activity = make_activity(app, scene.a, scene.animator, scene.category)
    sign_up(app, people["anna"], activity)
    proposal = make_proposal(app, scene)
    return KioskScene(activity, proposal, people, codes, old_celina, scene.animator, scene)


def _rows(app) -> tuple:
    return rows_of(app, WRITTEN)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _assert_only_names(response, *allowed: str) -> None:
    """The kiosk shows no member's name but the one(s) allowed (the person at the tablet)."""
    html = _text(response)
    for key, name in NAMES.items():
        if key not in allowed:
            assert name not in html, (key, response.request.path)
    for email in ("anna@example.org", "resident-a@example.org", "animator-a@example.org"):
        assert email not in html


def _kiosk_client(app, new_client, ks: KioskScene, *, proposal: bool = False):
    _id, token = make_kiosk(app, ks.scene.a, ks.animator,
                            activity_id=None if proposal else ks.activity,
                            proposal_id=ks.proposal if proposal else None)
    tablet = new_client()
    use_kiosk(tablet, token)
    return tablet


# --- Opening and closing --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "resident_a", "animator_b", "outsider"])
def test_only_an_animator_of_the_centre_can_open_a_kiosk(app, client, world, ks, role):
    if role != "anonymous":
        client.login(world[role].email)
    response = open_kiosk_as(client, "centre-a", f"activity-{ks.activity}")
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert COOKIE not in response.headers.get("Set-Cookie", "")
    with app.app_context():
        assert db_.session.scalar(select(Kiosk.id)) is None


def test_opening_signs_the_animator_out_and_the_cookie_reaches_only_the_kiosk(
        app, client, world, ks):
    client.login(world["animator_a"].email, remember="y")
    page = client.get("/c/centre-a/manage/kiosk/")
    assert page.status_code == 200
    assert "This device will be signed out and will show only the kiosk." in _text(page)
    assert "Potańcówka sąsiedzka" in _text(page)  # offered in the list
    opened_at = datetime(2030, 1, 1, tzinfo=UTC)
    with app.app_context():  # the activity must not have ended at the frozen moment
        row = db_.session.get(Activity, ks.activity)
        row.starts_at, row.ends_at = opened_at, opened_at + timedelta(hours=2)
        db_.session.commit()
    with frozen_at(opened_at):
        response = open_kiosk_as(client, "centre-a", f"activity-{ks.activity}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(KIOSK_URL)
    cookies = response.headers.getlist("Set-Cookie")
    [kiosk_cookie] = [c for c in cookies if c.startswith(f"{COOKIE}=")]
    assert "Path=/kiosk" in kiosk_cookie and "HttpOnly" in kiosk_cookie
    assert "SameSite=Strict" in kiosk_cookie and "Secure" not in kiosk_cookie  # plain http
    token = kiosk_cookie.split(";", 1)[0].split("=", 1)[1]
    # The "remember me" cookie is cleared too, or it would sign the animator back in.
    assert any(c.startswith("remember_token=;") for c in cookies)
    with app.app_context():
        kiosk = db_.session.scalar(select(Kiosk))
        assert kiosk.activity_id == ks.activity and kiosk.proposal_id is None
        assert kiosk.opened_by_id == ks.animator
        assert kiosk.expires_at == opened_at + timedelta(hours=12)
        assert token not in kiosk.token_hash and len(kiosk.token_hash) == 64
    # The animator is signed out on this device: the manage area asks to sign in again.
    manage = client.get("/c/centre-a/manage/kiosk/")
    assert manage.status_code == 302 and "/account/login" in manage.headers["Location"]
    assert client.get("/account/profile").status_code == 302
    # The cookie is kept for /kiosk only.
    assert client.get_cookie(COOKIE, path="/kiosk") is not None
    assert client.get_cookie(COOKIE, path="/") is None
    with frozen_at(opened_at + timedelta(minutes=5)):
        start = client.get(KIOSK_URL)
    assert start.status_code == 200
    assert 'name="code"' in _text(start)


def test_the_cookie_is_secure_over_https(client, world, ks):
    client.login(world["animator_a"].email)
    response = client.post("/c/centre-a/manage/kiosk/",
                           data={"subject": f"proposal-{ks.proposal}"},
                           base_url="https://localhost",
                           headers={"Referer": "https://localhost/c/centre-a/manage/kiosk/"})
    assert response.status_code == 303
    [kiosk_cookie] = [c for c in response.headers.getlist("Set-Cookie")
                      if c.startswith(f"{COOKIE}=")]
    assert "Secure" in kiosk_cookie


@pytest.mark.parametrize("subject", ["", "activity-999999", "proposal-999999", "activity-x",
                                     "something", "draft", "other-centre", "past",
                                     "rejected-proposal"])
def test_opening_needs_a_current_activity_or_supportable_proposal(app, client, world, ks,
                                                                  subject):
    from participation.models import ProposalStatus

    sc = ks.scene
    if subject == "draft":
        with app.app_context():
            row = db_.session.get(Activity, ks.activity)
            row.status = row.status.__class__("draft")
            db_.session.commit()
        subject = f"activity-{ks.activity}"
    elif subject == "other-centre":
        subject = f"activity-{make_activity(app, sc.b, sc.animator_b, sc.category_b)}"
    elif subject == "past":
        with app.app_context():
            row = db_.session.get(Activity, ks.activity)
            row.starts_at = datetime.now(UTC) - timedelta(days=1)
            row.ends_at = row.starts_at + timedelta(hours=2)
            db_.session.commit()
        subject = f"activity-{ks.activity}"
    elif subject == "rejected-proposal":
        subject = f"proposal-{make_proposal(app, sc, ProposalStatus.REJECTED)}"
    client.login(world["animator_a"].email)
    before = _rows(app)
    response = open_kiosk_as(client, "centre-a", subject)
    assert response.status_code == 422
    assert "Choose" in _text(response)
    assert 'aria-invalid="true"' in _text(response)
    assert _rows(app) == before
    assert client.get("/c/centre-a/manage/kiosk/").status_code == 200  # still signed in


def test_the_manage_page_lists_open_kiosks_and_closing_takes_effect_at_once(
        app, client, new_client, world, ks):
    tablet = new_client()
    tablet.login(world["animator_a"].email)
    assert open_kiosk_as(tablet, "centre-a", f"proposal-{ks.proposal}").status_code == 303
    assert tablet.get(KIOSK_URL).status_code == 200

    client.login(world["animator_a"].email)
    page = _text(client.get("/c/centre-a/manage/kiosk/"))
    assert "1 kiosk open" in page and "Ławki na skwerze" in page
    with app.app_context():
        kiosk_id = db_.session.scalar(select(Kiosk.id))
    response = client.post(f"/c/centre-a/manage/kiosk/{kiosk_id}/close")
    assert response.status_code == 303
    assert "The kiosk is closed" in _text(client.get(response.headers["Location"]))
    assert "No kiosk is open." in _text(client.get("/c/centre-a/manage/kiosk/"))
    refused = tablet.get(KIOSK_URL)
    assert refused.status_code == 403
    assert "ask an animator to open the kiosk" in _text(refused)
    # Closing twice says so; another centre's address does not know the kiosk.
    again = client.post(f"/c/centre-a/manage/kiosk/{kiosk_id}/close")
    assert "already closed" in _text(client.get(again.headers["Location"]))
    other = new_client()
    other.login(world["animator_b"].email)
    assert other.post(f"/c/centre-b/manage/kiosk/{kiosk_id}/close").status_code == 404


# --- Who gets in --------------------------------------------------------------------------


@pytest.mark.parametrize("cookie", ["none", "tampered", "closed", "expired", "other"])
@pytest.mark.parametrize("role", ["anonymous", "resident_a", "animator_a"])
def test_without_a_working_kiosk_cookie_the_kiosk_refuses_everyone(
        app, client, world, ks, cookie, role):
    kiosk_id, token = make_kiosk(app, ks.scene.a, ks.animator, activity_id=ks.activity)
    if cookie == "tampered":
        use_kiosk(client, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    elif cookie == "closed":
        with app.app_context():
            db_.session.get(Kiosk, kiosk_id).closed_at = datetime.now(UTC)
            db_.session.commit()
        use_kiosk(client, token)
    elif cookie == "expired":
        with app.app_context():
            db_.session.get(Kiosk, kiosk_id).expires_at = datetime.now(UTC) - timedelta(seconds=1)
            db_.session.commit()
        use_kiosk(client, token)
    elif cookie == "other":  # a valid token sent under another name or path does nothing
        client.set_cookie("session_kiosk", token, path="/kiosk")
        client.set_cookie(COOKIE, token, path="/account")
    if role != "anonymous":
        client.login(world[role].email)
    before = _rows(app)
    for response in (client.get(KIOSK_URL), type_code(client, ks.codes["anna"])):
        assert response.status_code == 403, response.request.method
        assert "The kiosk is not open" in _text(response)
        assert response.headers["Cache-Control"] == "no-store"
        assert 'name="code"' not in _text(response)
        _assert_only_names(response)
    assert _rows(app) == before


@pytest.mark.parametrize("role", ["resident_a", "animator_a", "admin"])
def test_a_kiosk_where_someone_has_signed_in_since_is_refused(app, client, world, ks, role):
    _id, token = make_kiosk(app, ks.scene.a, ks.animator, activity_id=ks.activity)
    use_kiosk(client, token)
    assert client.get(KIOSK_URL).status_code == 200
    client.login(world[role].email)
    before = _rows(app)
    for response in (client.get(KIOSK_URL), type_code(client, ks.codes["anna"])):
        assert response.status_code == 403
        assert "Someone is signed in on this device" in _text(response)
    assert _rows(app) == before


def test_a_kiosk_stops_when_its_opener_is_no_longer_an_animator(app, new_client, ks):
    tablet = _kiosk_client(app, new_client, ks)
    assert tablet.get(KIOSK_URL).status_code == 200
    with app.app_context():
        membership = db_.session.scalar(select(Membership).where(
            Membership.user_id == ks.animator, Membership.centre_id == ks.scene.a))
        membership.role = Role.RESIDENT
        db_.session.commit()
    assert tablet.get(KIOSK_URL).status_code == 403


# --- Checking in --------------------------------------------------------------------------


def test_a_confirmed_member_checks_in_with_the_code(app, new_client, ks):
    tablet = _kiosk_client(app, new_client, ks)
    response = type_code(tablet, ks.codes["anna"].lower())  # typed any way
    assert response.status_code == 200
    assert f"Thank you, {NAMES['anna']}!" in _text(response)
    assert "You are checked in for “Potańcówka sąsiedzka”." in _text(response)
    _assert_only_names(response, "anna")
    with app.app_context():
        signup = db_.session.scalar(select(Signup).where(Signup.user_id == ks.people["anna"]))
        assert signup.checked_in_at is not None and signup.checked_in_by_id == ks.animator
        assert signup.channel is SignupChannel.ONLINE  # she signed up herself
        event = db_.session.scalar(select(ParticipationEvent).where(
            ParticipationEvent.kind == "checked_in"))
        assert event.actor_key == actor_key(ks.people["anna"])
        card = db_.session.scalar(select(AccessCard).where(
            AccessCard.user_id == ks.people["anna"], AccessCard.revoked_at.is_(None)))
        assert card.last_used_at is not None
    again = type_code(tablet, ks.codes["anna"])
    assert again.status_code == 200 and "already checked in" in _text(again)
    with app.app_context():
        assert db_.session.scalar(select(ParticipationEvent.id).where(
            ParticipationEvent.kind == "checked_in").offset(1)) is None  # counted once


def test_a_barcode_reader_typing_the_cards_address_works(app, new_client, ks):
    tablet = _kiosk_client(app, new_client, ks)
    scanned = "https://cal.example.org/account/card/" + ks.codes["anna"].replace("-", "")
    response = type_code(tablet, scanned)
    assert response.status_code == 200 and NAMES["anna"] in _text(response)


def test_a_member_without_a_place_walks_in_with_the_code(app, new_client, ks):
    tablet = _kiosk_client(app, new_client, ks)
    response = type_code(tablet, ks.codes["dorota"])
    assert response.status_code == 200
    assert f"Thank you, {NAMES['dorota']}!" in _text(response)
    assert "You had no place booked" in _text(response)
    _assert_only_names(response, "dorota")
    with app.app_context():
        signup = db_.session.scalar(select(Signup).where(Signup.user_id == ks.people["dorota"]))
        assert signup.status is SignupStatus.CONFIRMED and signup.checked_in_at is not None
        assert signup.channel is SignupChannel.WALK_IN
        assert signup.recorded_by_id == ks.animator and signup.checked_in_by_id == ks.animator
        event = db_.session.scalar(select(ParticipationEvent).where(
            ParticipationEvent.kind == "walk_in"))
        assert event.actor_key == actor_key(ks.people["dorota"])


def test_a_full_activity_turns_a_walk_in_away_and_writes_nothing(app, new_client, ks):
    with app.app_context():
        db_.session.get(Activity, ks.activity).capacity = 1  # Anna holds the only place
        db_.session.commit()
    tablet = _kiosk_client(app, new_client, ks)
    before = _rows(app)
    response = type_code(tablet, ks.codes["bogdan"])
    assert response.status_code == 409
    assert "There are no free places left. Please ask an animator." in _text(response)
    assert "Raise the number of places" not in _text(response)  # that is for animators
    _assert_only_names(response, "bogdan")
    assert _rows(app) == before


def test_check_in_opens_two_hours_before_the_start(app, new_client, ks):
    sc = ks.scene
    later = make_activity(app, sc.a, sc.animator, sc.category, title="Wieczór gier",
                          starts_in=timedelta(days=3))
    _id, token = make_kiosk(app, sc.a, sc.animator, activity_id=later)
    tablet = new_client()
    use_kiosk(tablet, token)
    before = _rows(app)
    response = type_code(tablet, ks.codes["anna"])
    assert response.status_code == 409 and "Check-in opens two hours before" in _text(response)
    assert _rows(app) == before


# --- Supporting ---------------------------------------------------------------------------


def test_a_member_supports_the_proposal_with_the_code(app, new_client, ks):
    tablet = _kiosk_client(app, new_client, ks, proposal=True)
    start = tablet.get(KIOSK_URL)
    assert "Ławki na skwerze" in _text(start)
    response = type_code(tablet, ks.codes["bogdan"])
    assert response.status_code == 200
    assert f"Thank you, {NAMES['bogdan']}!" in _text(response)
    assert "Your support for “Ławki na skwerze” is recorded." in _text(response)
    _assert_only_names(response, "bogdan")
    with app.app_context():
        support = db_.session.scalar(select(Support))
        assert support.user_id == ks.people["bogdan"]
        assert support.channel is SupportChannel.ASSISTED
        assert support.recorded_by_id == ks.animator
        event = db_.session.scalar(select(ParticipationEvent).where(
            ParticipationEvent.kind == "support_given"))
        assert event.actor_key == actor_key(ks.people["bogdan"])
        assert event.channel == "assisted"
    again = type_code(tablet, ks.codes["bogdan"])
    assert again.status_code == 200
    assert "You have already supported “Ławki na skwerze”." in _text(again)
    with app.app_context():
        assert len(db_.session.scalars(select(Support)).all()) == 1


@pytest.mark.parametrize("rule", ["voting_closed", "verified_only"])
def test_supporting_at_the_kiosk_keeps_the_centres_rules(app, new_client, ks, rule):
    if rule == "voting_closed":
        set_centre(app, ks.scene.a, voting_closes_at=datetime.now(UTC) - timedelta(days=1))
    else:
        set_centre(app, ks.scene.a, only_verified_support=True)
    tablet = _kiosk_client(app, new_client, ks, proposal=True)
    before = _rows(app)
    response = type_code(tablet, ks.codes["bogdan"])
    assert response.status_code == (409 if rule == "voting_closed" else 403)
    text = _text(response)
    assert ("it is outside the centre" in text if rule == "voting_closed"
            else "only residents verified in person" in text)
    assert "Please ask an animator." in text
    _assert_only_names(response, "bogdan")
    assert _rows(app) == before


# --- Codes that do not work ---------------------------------------------------------------


@pytest.mark.parametrize("proposal", [False, True], ids=["activity", "proposal"])
@pytest.mark.parametrize("which", ["other_centre", "revoked", "unknown", "malformed", "empty",
                                   "too_long"])
def test_unknown_revoked_and_other_centres_cards_are_refused(app, new_client, ks, proposal,
                                                             which):
    typed = {"other_centre": ks.codes["edward"], "revoked": ks.old_celina,
             "unknown": "K7M2Q-9XDRB", "malformed": "K7M2Q", "empty": "   ",
             "too_long": "K" * 600}[which]
    tablet = _kiosk_client(app, new_client, ks, proposal=proposal)
    before = _rows(app)
    response = type_code(tablet, typed)
    text = _text(response)
    if which in ("other_centre", "revoked", "unknown"):
        assert response.status_code == 404
        assert "This card is not recognised" in text and "ask an animator" in text
    else:
        assert response.status_code == 422
        assert "Type the 10 letters and digits printed under the QR code" in text
    _assert_only_names(response)
    assert _rows(app) == before


# --- What the screens carry ---------------------------------------------------------------


def test_no_kiosk_response_names_anyone_but_the_person_at_the_tablet(app, new_client, ks):
    for proposal in (False, True):
        tablet = _kiosk_client(app, new_client, ks, proposal=proposal)
        _assert_only_names(tablet.get(KIOSK_URL))
        for key in ("anna", "bogdan", "celina", "dorota"):
            for _attempt in range(2):  # the act, then "already done"
                response = type_code(tablet, ks.codes[key])
                assert response.status_code == 200, (key, _text(response)[:500])
                _assert_only_names(response, key)
                assert not re.search(r"\b\d+ (people|persons|members)\b", _text(response))
        for code in (ks.codes["edward"], ks.old_celina, "nonsense"):
            _assert_only_names(type_code(tablet, code))


def test_screens_refresh_by_themselves_and_are_never_stored(app, new_client, ks):
    tablet = _kiosk_client(app, new_client, ks)
    start = tablet.get(KIOSK_URL)
    html = _text(start)
    assert '<meta http-equiv="refresh" content="60">' in html
    assert start.headers["Cache-Control"] == "no-store"
    assert re.search(r'<input[^>]*name="code"[^>]*autofocus', html)
    assert 'autocomplete="off"' in html and 'inputmode="text"' in html
    assert "<script" not in html and " style=" not in html
    assert 'href="/account' not in html and "/manage" not in html  # no navigation
    result = type_code(tablet, ks.codes["anna"])
    assert f'<meta http-equiv="refresh" content="5;url={KIOSK_URL}">' in _text(result)
    assert result.headers["Cache-Control"] == "no-store"
    assert f'href="{KIOSK_URL}"' in _text(result) and "Next person" in _text(result)
    problem = type_code(tablet, "nonsense")
    assert problem.headers["Cache-Control"] == "no-store"
    assert "5;url=" in _text(problem)


def test_a_code_sent_without_the_forms_token_is_refused_on_the_kiosks_own_screen(
        app, new_client, ks):
    tablet = _kiosk_client(app, new_client, ks)
    before = _rows(app)
    response = tablet.post(KIOSK_URL, data={"code": ks.codes["anna"]}, csrf=False)
    assert response.status_code == 400
    assert "form has expired" in _text(response) and "Next person" in _text(response)
    assert 'href="/account' not in _text(response)
    assert _rows(app) == before


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_KIOSK="3 per minute")
def test_codes_are_rate_limited_per_kiosk(app, new_client, ks):
    from participation.extensions import limiter

    limiter.reset()
    tablet = _kiosk_client(app, new_client, ks)
    other = _kiosk_client(app, new_client, ks, proposal=True)
    for _attempt in range(3):
        assert type_code(tablet, "K7M2Q-9XDRB").status_code == 404
    blocked = type_code(tablet, ks.codes["anna"])
    assert blocked.status_code == 429 and "Too many attempts" in _text(blocked)
    assert blocked.headers["Cache-Control"] == "no-store"
    assert type_code(other, ks.codes["anna"]).status_code == 200  # its own budget
    limiter.reset()
