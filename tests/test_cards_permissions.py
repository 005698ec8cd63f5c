"""Who may do what with access cards: every endpoint × six kinds of people, from one table.

Centre A has a card resident, Halina, whose card's link is unused and who has a PIN (set at
the desk in this scene, through the service). Each cell is the status that person must get; a
request that should succeed sends valid data, so its 201 or 303 means the act happened (or,
for people already signed in, that they were sent on without anything being written).

Choices the table states on purpose:
- The card pages (sign-in, the link) are for anyone holding a card: the link signs in its
  holder, whoever was signed in on that phone before.
- The manage area is for the centre's managers: everybody else gets 403 before any person is
  looked at, so it tells outsiders nothing. Managers get 404 for a person who is not a member
  of the centre in the address, and 403 for animators and admins (no card may open an account
  that manages a centre).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from participation.cards import service
from participation.extensions import db as _db
from participation.models import AccessCard, Centre, Membership, User

from .proposals_fixtures import unit_of_work
from .support import PASSWORD, routes_of, rows_of

ROLES = ("anonymous", "resident_a", "resident_b", "animator_a", "animator_b", "admin")
MANAGERS_PAGE = (302, 403, 403, 200, 403, 200)
MANAGERS_MADE = (302, 403, 403, 201, 403, 201)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
ANYONE = (200,) * 6
NOBODY = (404,) * 6
M_ = "/c/centre-a/manage/cards"
NEW_SECRET = "kawa-na-pradze-2026"
PIN = "4826"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str  # {code}, {halina}, {resident_b}, {animator_a} are filled in
    expected: tuple[int, ...]
    data: tuple[tuple[str, str], ...] = ()
    label: str = ""
    # Who writes when it succeeds; by default everyone answered 201 or 303.
    writes: tuple[bool, ...] | None = None


CASES = [
    Case("cards.sign_in", "GET", "/account/card/", (200, 303, 303, 303, 303, 303)),
    Case("cards.sign_in", "POST", "/account/card/", (303,) * 6,
         (("code", "{code}"), ("secret", PIN)),
         writes=(True, False, False, False, False, False)),
    Case("cards.sign_in", "POST", "/account/card/", (422, 303, 303, 303, 303, 303),
         (("code", "{code}"), ("secret", "9999")), label="wrong-pin",
         writes=(True, False, False, False, False, False)),  # the failure is counted
    Case("cards.link", "GET", "/account/card/{code}", ANYONE),
    Case("cards.link", "POST", "/account/card/{code}", (303,) * 6),
    Case("cards.link", "GET", "/account/card/K7M2Q9XDRB", NOBODY, label="unknown"),
    Case("cards.link", "POST", "/account/card/K7M2Q9XDRB", NOBODY, label="unknown"),
    Case("cards.set_pin", "GET", "/account/card/pin", SIGNED_IN),
    Case("cards.set_pin", "POST", "/account/card/pin", (302, 303, 303, 303, 303, 303),
         (("current", PASSWORD), ("secret", NEW_SECRET), ("confirm", NEW_SECRET))),
    Case("manage_cards.new", "GET", f"{M_}/new", MANAGERS_PAGE),
    Case("manage_cards.new", "POST", f"{M_}/new", MANAGERS_MADE,
         (("display_name", "Zofia Kamińska"), ("age_bracket", "65_74"),
          ("consent_noted", "y"))),
    Case("manage_cards.new", "GET", "/c/centre-b/manage/cards/new",
         (302, 403, 403, 403, 200, 200), label="via-b"),
    Case("manage_cards.reissue", "POST", f"{M_}/{{halina}}/reissue", MANAGERS_MADE),
    Case("manage_cards.reissue", "POST", f"{M_}/{{resident_b}}/reissue",
         (302, 403, 403, 404, 403, 404), label="member-of-b"),
    Case("manage_cards.reissue", "POST", "/c/centre-b/manage/cards/{halina}/reissue",
         (302, 403, 403, 403, 404, 404), label="via-b"),
    Case("manage_cards.reissue", "POST", f"{M_}/{{animator_a}}/reissue",
         (302, 403, 403, 403, 403, 403), label="animator"),
    Case("manage_cards.reissue", "POST", f"{M_}/2147483647/reissue",
         (302, 403, 403, 404, 403, 404), label="unknown"),
]
WRITTEN = (AccessCard, User, Membership)
BLUEPRINTS = ("cards", "manage_cards")


def _case_id(case: Case) -> str:
    return f"{case.endpoint}-{case.method}" + (f"-{case.label}" if case.label else "")


@pytest.fixture
def ids(app, world) -> dict:
    with unit_of_work(app):
        animator = _db.session.get(User, world["animator_a"].id)
        centre = _db.session.get(Centre, world["a"].id)
        halina, _card, code = service.register_card_resident(
            animator, centre, "Halina Wiśniewska", None, True)
        service.set_pin(halina, PIN)
        halina_id = halina.id
    return {"code": code, "halina": halina_id, "resident_b": world["resident_b"].id,
            "animator_a": world["animator_a"].id}


def _rows(app) -> tuple:
    return rows_of(app, WRITTEN)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_permission_matrix(app, client, world, ids, case, role):
    if role != "anonymous":
        client.login(world[role].email)
    before = _rows(app)
    data = {key: value.format(**ids) for key, value in case.data}
    send = client.post if case.method == "POST" else client.get
    response = send(case.path.format(**ids), data=data)
    index = ROLES.index(role)
    expected = case.expected[index]
    assert response.status_code == expected, response.get_data(as_text=True)[:2000]
    if expected == 302:
        assert "/account/login" in response.headers["Location"]
    writes = (case.writes[index] if case.writes is not None
              else case.method == "POST" and expected in (201, 303))
    assert (_rows(app) != before) == writes


@pytest.mark.parametrize("case", [case for case in CASES if case.method == "POST"
                                  and case.expected[ROLES.index("animator_a")] in (201, 303)],
                         ids=_case_id)
def test_every_state_change_needs_the_csrf_token(app, client, world, ids, case):
    client.login(world["animator_a"].email)
    before = _rows(app)
    data = {key: value.format(**ids) for key, value in case.data}
    response = client.post(case.path.format(**ids), data=data, csrf=False)
    assert response.status_code == 400
    assert _rows(app) == before


def test_the_matrix_covers_every_endpoint_and_method_of_the_card_blueprints():
    # Both ways: no endpoint without a row, no row naming an endpoint that is gone.
    assert routes_of(BLUEPRINTS) == {(case.endpoint, case.method) for case in CASES}
