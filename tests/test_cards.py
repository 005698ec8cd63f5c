"""Access cards: registering a resident without e-mail, the printed card, the one-time link,
the PIN, signing in with code and PIN, reissuing, locking and rate limits.

The card's code is a secret shown once, on the page answering the POST that made it; these
tests read it (and the link) off that page, as the animator's printer would.
"""

from __future__ import annotations

import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import segno
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from participation.cards import service
from participation.cards.codes import ALPHABET, display_code, normalise_code
from participation.errors import DomainError
from participation.extensions import db as _db
from participation.models import AccessCard, AgeBracket, Membership, Role, User

from .clock import frozen_at
from .proposals_fixtures import unit_of_work
from .support import uses_postgresql

NEW = "/c/centre-a/manage/cards/new"
SIGN_IN = "/account/card/"
SET_PIN = "/account/card/pin"
PIN = "4826"
LINK_IN_PAGE = re.compile(r'<p class="access-card-link">([^<]+)</p>')
CODE_IN_PAGE = re.compile(r'<p class="access-card-code">.*?<strong>([^<]+)</strong>', re.S)
QR_IN_PAGE = re.compile(r'<p class="access-card-qr"><img src="([^"]+)"')


def register(client, name: str = "Halina Wiśniewska", **extra):
    data = {"display_name": name, "age_bracket": "75_plus", "consent_noted": "y", **extra}
    return client.post(NEW, data=data)


def card_of(response) -> tuple[str, str]:
    """(link, printed code) read off a card page."""
    page = response.get_data(as_text=True)
    return html.unescape(LINK_IN_PAGE.search(page).group(1)), CODE_IN_PAGE.search(page).group(1)


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


def new_card(client, world, name: str = "Halina Wiśniewska") -> tuple[str, str]:
    """An animator of centre A registers a card resident: (link path, printed code)."""
    client.login(world["animator_a"].email)
    response = register(client, name)
    assert response.status_code == 201, response.get_data(as_text=True)[:2000]
    link, code = card_of(response)
    client.post("/account/logout")
    return path_of(link), code


def holder(db, name: str) -> User:
    return db.scalar(select(User).where(User.display_name == name))


def signed_in_as(client) -> str | None:
    """The name in the page header's profile link, or None when signed out."""
    page = client.get("/help").get_data(as_text=True)
    match = re.search(r"Profile \(([^)]*)\)", page)
    return html.unescape(match.group(1)) if match else None


def with_pin(new_client, world, name: str = "Halina Wiśniewska", pin: str = PIN):
    """A card resident who used the link and chose ``pin``: (printed code, their client)."""
    path, code = new_card(new_client(), world, name)
    phone = new_client()
    assert phone.post(path).status_code == 303
    response = phone.post(SET_PIN, data={"secret": pin, "confirm": pin})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    phone.post("/account/logout")
    return code, phone


def pin_sign_in(client, code: str, secret: str = PIN):
    return client.post(SIGN_IN, data={"code": code, "secret": secret})


def other_code(code: str) -> str:
    """The same code with one character changed."""
    plain = normalise_code(code)
    swapped = ALPHABET[(ALPHABET.index(plain[3]) + 1) % len(ALPHABET)]
    return display_code(plain[:3] + swapped + plain[4:])


# --- Registering a resident and printing the card -------------------------------------------


def test_the_form_has_a_hint_for_every_field(client, world):
    client.login(world["animator_a"].email)
    page = client.get(NEW).get_data(as_text=True)
    for name in ("display_name", "age_bracket", "consent_noted"):
        assert f'id="{name}-hint"' in page and f'aria-describedby="{name}-hint"' in page


def test_an_animator_registers_a_resident_without_email_and_gets_the_card_once(
        client, world, db):
    client.login(world["animator_a"].email)
    response = register(client, "Halina Wiśniewska")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    link, code = card_of(response)

    person = holder(db, "Halina Wiśniewska")
    assert person.email is None and person.password_hash is None
    assert person.age_bracket is AgeBracket.FROM_75
    assert person.registered_by_id == world["animator_a"].id
    assert person.consent_noted_at is not None
    membership = db.scalar(select(Membership).where(Membership.user_id == person.id))
    assert (membership.centre_id, membership.role, membership.verified) == (
        world["a"].id, Role.RESIDENT, True)
    card = db.scalar(select(AccessCard).where(AccessCard.user_id == person.id))
    assert card.issued_by_id == world["animator_a"].id and card.centre_id == world["a"].id
    assert card.signed_in_at is None and card.revoked_at is None

    # The card: the centre, the name, the code printed big, the absolute link, its QR code.
    assert "Centre A" in page and "Halina Wiśniewska" in page
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
    assert link == f"http://localhost/account/card/{normalise_code(code)}"
    expected_qr = segno.make(link, error="m").svg_data_uri(scale=4, dark="#000", light="#fff")
    assert html.unescape(QR_IN_PAGE.search(page).group(1)) == expected_qr
    assert "shown only this once" in page
    # Only the hash is kept.
    assert normalise_code(code) not in str(card.code_hash)
    # Reloading the form shows no card again.
    assert code not in client.get(NEW).get_data(as_text=True)


def test_the_card_prints_on_a6_and_only_the_card(app):
    css = (app.static_folder + "/css/site.css")
    with open(css, encoding="utf-8") as handle:
        text = handle.read()
    assert "@page access-card { size: 105mm 148mm" in text
    assert "body:has(.access-card) { page: access-card; }" in text
    assert "body:has(.access-card) main > :not(.access-card) { display: none" in text


@pytest.mark.parametrize(("data", "message"), [
    ({"consent_noted": ""}, "Tick the box once the resident has signed the consent form"),
    ({"display_name": ""}, "Enter the resident's name."),
    ({"display_name": "A"}, "The name must have from 2 to 80 characters."),
    ({"display_name": "x" * 81}, "The name must have from 2 to 80 characters."),
    ({"age_bracket": "teen"}, "Not a valid choice"),
])
def test_bad_registrations_are_refused_with_what_to_do_and_write_nothing(
        client, world, db, data, message):
    client.login(world["animator_a"].email)
    users = db.count(User)
    response = register(client, **data)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert db.count(User) == users and db.count(AccessCard) == 0


def test_residents_under_16_are_registered_by_an_animator(client, world, db):
    client.login(world["animator_a"].email)
    assert register(client, "Kuba", age_bracket="under_16").status_code == 201
    assert holder(db, "Kuba").age_bracket is AgeBracket.UNDER_16


# --- The one-time link -------------------------------------------------------------------------


def test_the_link_signs_in_exactly_the_right_person_once(new_client, world, db):
    animator = new_client()
    path_h, _code = new_card(animator, world, "Halina Wiśniewska")
    path_t, _code = new_card(animator, world, "Tadeusz Wójcik")

    phone = new_client()
    page = phone.get(path_h)  # a link preview or a scanner: nothing is spent
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert "Halina" not in body and "Centre A" not in body  # nobody's name before sign-in
    assert db.scalar(select(AccessCard.signed_in_at).where(
        AccessCard.user_id == holder(db, "Halina Wiśniewska").id)) is None

    response = phone.post(path_h)
    assert response.status_code == 303 and response.headers["Location"] == SET_PIN
    assert signed_in_as(phone) == "Halina Wiśniewska"
    card = db.scalar(select(AccessCard).where(
        AccessCard.user_id == holder(db, "Halina Wiśniewska").id))
    assert card.signed_in_at is not None and card.last_used_at is not None

    # Once: not again on this phone after signing out, nor on another phone.
    phone.post("/account/logout")
    again = phone.post(path_h)
    assert again.status_code == 404
    assert "ask at your centre for a new card" in again.get_data(as_text=True)
    assert signed_in_as(phone) is None
    other = new_client()
    assert other.get(path_h).status_code == 404
    assert other.post(path_h).status_code == 404
    assert signed_in_as(other) is None
    # The other card still signs in its own holder.
    assert other.post(path_t).status_code == 303
    assert signed_in_as(other) == "Tadeusz Wójcik"


def test_a_link_signs_out_whoever_was_signed_in_on_that_phone(new_client, world):
    path, _code = new_card(new_client(), world)
    phone = new_client()
    phone.login(world["resident_a"].email)
    assert phone.post(path).status_code == 303
    assert signed_in_as(phone) == "Halina Wiśniewska"


def run_at_once(app, calls: int, act) -> list:
    """``act`` in ``calls`` threads released together, each as a request would run it."""
    barrier = threading.Barrier(calls, timeout=30)

    def run(_number):
        barrier.wait()
        for _attempt in range(200):
            try:
                with app.app_context():
                    try:
                        result = act()
                    except DomainError as error:
                        _db.session.rollback()
                        return error
                    _db.session.commit()
                    return result
            except OperationalError as error:  # SQLite: a writer waited too long; tap again
                if uses_postgresql() or "database is locked" not in str(error):
                    raise
        raise AssertionError("SQLite stayed locked")

    with ThreadPoolExecutor(max_workers=calls) as pool:
        return list(pool.map(run, range(calls)))


def test_simultaneous_uses_of_one_link_sign_in_only_once(app, new_client, world, db):
    path, code = new_card(new_client(), world)
    results = run_at_once(app, 6, lambda: service.sign_in_with_link(code).id)
    signed_in = [result for result in results if not isinstance(result, DomainError)]
    assert signed_in == [holder(db, "Halina Wiśniewska").id]
    assert all(result.status == 422 for result in results if isinstance(result, DomainError))


@pytest.mark.parametrize("tamper", ["one-character", "short", "long", "garbage", "url"])
def test_tampered_codes_fail_everywhere(new_client, world, db, tamper):
    path, code = new_card(new_client(), world)
    code, phone = with_pin(new_client, world, "Tadeusz Wójcik")
    plain = normalise_code(code)
    bad = {
        "one-character": other_code(code),
        "short": plain[:-1],
        "long": plain + "7",
        "garbage": "<script>alert(1)</script>",
        "url": "http://localhost/account/card/" + normalise_code(other_code(code)),
    }[tamper]
    client = new_client()
    link = "/account/card/" + quote(bad, safe="")
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    response = pin_sign_in(client, bad)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert ("The card code or the PIN is not correct" in page
            or "Enter the code printed under the QR code on your card, e.g. K7M2Q-9XDRB" in page)
    assert signed_in_as(client) is None
    with unit_of_work(client.application):
        assert service.card_for_code(bad) is None


# --- The PIN ---------------------------------------------------------------------------------


def test_the_resident_sets_a_pin_and_signs_in_with_code_and_pin(new_client, world, db):
    code, _phone = with_pin(new_client, world)
    person = holder(db, "Halina Wiśniewska")
    assert person.password_hash and PIN not in person.password_hash
    client = new_client()
    for typed in (code, code.lower().replace("-", " "), path_of("x/account/card/" + code)):
        response = pin_sign_in(client, typed)
        assert response.status_code == 303
        assert response.headers["Location"] == "/c/centre-a/"
        assert signed_in_as(client) == "Halina Wiśniewska"
        client.post("/account/logout")
    card = db.scalar(select(AccessCard).where(AccessCard.user_id == person.id))
    assert card.last_used_at is not None and card.failed_attempts == 0


@pytest.mark.parametrize(("secret", "message"), [
    ("1234", "This PIN is too easy to guess"),
    ("0000", "This PIN is too easy to guess"),
    ("9876", "This PIN is too easy to guess"),
    ("1212", "This PIN is too easy to guess"),
    ("1958", "This PIN is too easy to guess"),
    ("123", "A PIN has from 4 to 8 digits"),
    ("123456789", "A PIN has from 4 to 8 digits"),
    ("password", "one of the most common ones"),
    ("short", "at least 8 characters"),
])
def test_easy_pins_are_refused_with_what_to_do(new_client, world, db, secret, message):
    path, _code = new_card(new_client(), world)
    phone = new_client()
    phone.post(path)
    response = phone.post(SET_PIN, data={"secret": secret, "confirm": secret})
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert holder(db, "Halina Wiśniewska").password_hash is None


def test_a_password_is_accepted_instead_of_a_pin(new_client, world):
    path, code = new_card(new_client(), world)
    phone = new_client()
    phone.post(path)
    secret = "zielona-herbata-o-piątej"
    assert phone.post(SET_PIN, data={"secret": secret, "confirm": secret}).status_code == 303
    assert pin_sign_in(new_client(), code, secret).status_code == 303


def test_the_two_entries_must_match(new_client, world):
    path, _code = new_card(new_client(), world)
    phone = new_client()
    phone.post(path)
    response = phone.post(SET_PIN, data={"secret": "4826", "confirm": "4862"})
    assert response.status_code == 422
    assert "The two entries are not the same" in response.get_data(as_text=True)


def test_changing_the_pin_later_needs_the_current_one(new_client, world, db):
    code, _phone = with_pin(new_client, world)
    client = new_client()
    pin_sign_in(client, code)
    page = client.get(SET_PIN).get_data(as_text=True)
    assert 'name="current"' in page
    response = client.post(SET_PIN, data={"current": "9999", "secret": "5937",
                                          "confirm": "5937"})
    assert response.status_code == 422
    assert "This is not your current PIN or password" in response.get_data(as_text=True)
    response = client.post(SET_PIN, data={"current": PIN, "secret": "5937", "confirm": "5937"})
    assert response.status_code == 303
    assert pin_sign_in(new_client(), code, "5937").status_code == 303
    assert signed_in_as(client) == "Halina Wiśniewska"  # this session stays


def test_a_member_with_email_gets_a_card_as_an_extra_way_in_but_no_short_pin(
        client, new_client, world, db):
    client.login(world["animator_a"].email)
    response = client.post(f"/c/centre-a/manage/cards/{world['resident_a'].id}/reissue")
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    link, code = card_of(response)
    phone = new_client()
    assert phone.post(path_of(link)).status_code == 303
    response = phone.post(SET_PIN, data={"secret": "58203917", "confirm": "58203917"})
    assert response.status_code == 422
    assert "choose a password with letters" in response.get_data(as_text=True)
    secret = "kawa-na-pradze-2026"
    assert phone.post(SET_PIN, data={"secret": secret, "confirm": secret}).status_code == 303
    # The new password works with the e-mail address and with the card.
    assert new_client().login(world["resident_a"].email, secret).status_code == 303
    assert pin_sign_in(new_client(), code, secret).status_code == 303


# --- Locking and rate limits ---------------------------------------------------------------


@pytest.mark.app_config(CARD_MAX_FAILED_ATTEMPTS=3, CARD_LOCK_MINUTES=15)
def test_pin_guessing_locks_the_card_even_for_the_right_pin_until_the_time_passes(
        new_client, world, db):
    code, _phone = with_pin(new_client, world)
    person = holder(db, "Halina Wiśniewska")
    now = datetime.now(UTC)
    client = new_client()
    with frozen_at(now):
        # A success in between resets the count.
        assert pin_sign_in(client, code, "1111").status_code == 422
        assert pin_sign_in(client, code, "2222").status_code == 422
        assert pin_sign_in(client, code).status_code == 303
        client.post("/account/logout")
        for guess in ("1111", "2222"):
            response = pin_sign_in(client, code, guess)
            assert response.status_code == 422
            assert "The card code or the PIN is not correct" in response.get_data(as_text=True)
        response = pin_sign_in(client, code, "3333")
        assert response.status_code == 429
        assert "This card is locked for 15 minutes" in response.get_data(as_text=True)
        locked = pin_sign_in(client, code)  # the right PIN, too soon
        assert locked.status_code == 429 and signed_in_as(client) is None
    status = service.CardStatus  # the member page sees the lock, never the PIN
    with unit_of_work(client.application), frozen_at(now):
        shown = service.card_status(_db.session.get(User, person.id))
        assert isinstance(shown, status) and shown.is_locked and shown.has_pin
        assert not any("pbkdf2" in str(value) or "scrypt" in str(value)
                       for value in vars(shown).values())
    with frozen_at(now + timedelta(minutes=14)):
        assert pin_sign_in(client, code).status_code == 429
    with frozen_at(now + timedelta(minutes=15, seconds=1)):
        assert pin_sign_in(client, code).status_code == 303
        assert signed_in_as(client) == "Halina Wiśniewska"
    card = db.scalar(select(AccessCard).where(AccessCard.user_id == person.id))
    assert card.failed_attempts == 0 and card.locked_until is None


@pytest.mark.app_config(CARD_MAX_FAILED_ATTEMPTS=2)
def test_a_reissued_card_starts_unlocked_and_keeps_the_pin(client, new_client, world, db):
    code, _phone = with_pin(new_client, world)
    person = holder(db, "Halina Wiśniewska")
    guesser = new_client()
    pin_sign_in(guesser, code, "1111")
    assert pin_sign_in(guesser, code, "2222").status_code == 429
    client.login(world["animator_a"].email)
    response = client.post(f"/c/centre-a/manage/cards/{person.id}/reissue")
    assert response.status_code == 201
    _link, new_code = card_of(response)
    assert pin_sign_in(new_client(), new_code).status_code == 303


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_CARD_CODE="3 per minute",
                        RATELIMIT_CARD_IP="1000 per minute", CARD_MAX_FAILED_ATTEMPTS=100)
def test_sign_in_is_rate_limited_per_card_code(new_client, world):
    code, _phone = with_pin(new_client, world)
    for number in range(3):
        client = new_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        assert pin_sign_in(client, code, "8080").status_code == 422
    client = new_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.99"
    response = pin_sign_in(client, code)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_CARD_IP="2 per minute",
                        RATELIMIT_CARD_CODE="1000 per minute")
def test_sign_in_is_rate_limited_per_address(new_client, world):
    client = new_client()
    assert pin_sign_in(client, "K7M2Q-9XDRB", "8080").status_code == 422
    assert pin_sign_in(client, "K7M2Q-9XDRC", "8080").status_code == 422
    assert pin_sign_in(client, "K7M2Q-9XDRD", "8080").status_code == 429


# --- Reissuing ---------------------------------------------------------------------------------


def test_a_reissued_cards_old_code_fails_everywhere(client, new_client, world, db):
    old_code, _phone = with_pin(new_client, world)
    unused_path, unused_code = new_card(new_client(), world, "Tadeusz Wójcik")
    client.login(world["animator_a"].email)
    for name in ("Halina Wiśniewska", "Tadeusz Wójcik"):
        response = client.post(f"/c/centre-a/manage/cards/{holder(db, name).id}/reissue")
        assert response.status_code == 201
        assert "The previous card no longer works" in response.get_data(as_text=True)
    anyone = new_client()
    assert pin_sign_in(anyone, old_code).status_code == 422  # the PIN sign-in
    assert anyone.get(unused_path).status_code == 404  # the unused link
    assert anyone.post(unused_path).status_code == 404
    assert signed_in_as(anyone) is None
    with unit_of_work(client.application):  # the kiosk and the member search use these
        centre = _db.session.get(type(world["a"]), world["a"].id)
        for code in (old_code, unused_code):
            assert service.card_for_code(code) is None
            assert service.find_member_by_code(centre, code) is None
    assert db.count(AccessCard, AccessCard.revoked_at.is_(None)) == 2


def test_card_status_says_who_issued_it_and_when_it_was_used(new_client, world, db):
    path, _code = new_card(new_client(), world)
    person = holder(db, "Halina Wiśniewska")
    with unit_of_work(new_client().application):
        status = service.card_status(_db.session.get(User, person.id))
        assert status.issued_by == world["animator_a"].display_name
        assert not status.link_used and status.last_used_at is None and not status.has_pin
        assert not status.is_locked
        assert service.card_status(_db.session.get(User, world["resident_b"].id)) is None
    new_client().post(path)
    with unit_of_work(new_client().application):
        status = service.card_status(_db.session.get(User, person.id))
        assert status.link_used and status.last_used_at is not None


def test_an_erased_persons_card_signs_nobody_in(app, new_client, world, db):
    path, code = new_card(new_client(), world)
    with unit_of_work(app):
        person = _db.session.scalar(select(User).where(User.display_name == "Halina Wiśniewska"))
        person.erased_at = datetime.now(UTC)
    client = new_client()
    assert client.post(path).status_code == 404
    assert pin_sign_in(client, code).status_code == 422
    assert signed_in_as(client) is None


def test_the_login_page_links_to_card_sign_in(client):
    page = client.get("/account/login").get_data(as_text=True)
    assert 'href="/account/card/"' in page and "Sign in with an access card" in page


def test_signed_in_people_are_sent_on_from_the_card_sign_in(client, world):
    client.login(world["resident_a"].email)
    assert client.get(SIGN_IN).status_code == 303



def test_the_demo_has_card_residents_with_the_codes_the_readme_gives(app, new_client, db):
    from participation.demo import CARD_RESIDENTS, load_demo

    with unit_of_work(app):
        load_demo()
    (name, _age, _joined, code, pin), (unused_name, _a, _j, unused_code, _pin) = CARD_RESIDENTS
    person = holder(db, name)
    assert person.email is None and person.registered_by_id is not None
    client = new_client()
    assert pin_sign_in(client, code, pin).status_code == 303
    page = client.get("/help").get_data(as_text=True)  # in Polish: the demo people's language
    assert 'action="/account/logout"' in page and name in page
    phone = new_client()
    assert phone.get("/account/card/" + normalise_code(unused_code)).status_code == 200
    assert phone.post("/account/card/" + normalise_code(unused_code)).status_code == 303
    assert unused_name in phone.get("/help").get_data(as_text=True)
