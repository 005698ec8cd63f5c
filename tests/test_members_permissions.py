"""Who may do what in ``members`` and ``my_history``: every endpoint × six kinds of people, from
one table.

The member acted for is Łucja, a card-only resident of centre A holding a place at ``booked``
(see test_assisted_acts.make_members_scene). Each cell is the status that person must get; a
request that should succeed sends valid data, so its 303 means the act happened.

Choices the table states on purpose:
- The whole members area is for the centre's managers (its animators and platform admins):
  everybody else gets 403 before any member is looked at, so it tells outsiders nothing.
- A manager asking for someone who is not a member of the centre gets 404: whether that
  person exists, and where, is not the centre's business.
- Through centre B's address, B's animator manages B but A's resident is not found there (404).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .support import routes_of
from .test_assisted_acts import MembersScene, make_members_scene, rows
from .test_members import give_card

ROLES = ("anonymous", "resident_a", "resident_b", "animator_a", "animator_b", "admin")
SIGNED_IN = (302, 200, 200, 200, 200, 200)
MANAGERS_PAGE = (302, 403, 403, 200, 403, 200)
MANAGERS_ACT = (302, 403, 403, 303, 403, 303)
MANAGERS_JUMP = (302, 403, 403, 303, 403, 303)  # a card code: redirect to its holder
NOT_A_MEMBER = (302, 403, 403, 404, 403, 404)
VIA_CENTRE_B = (302, 403, 403, 403, 404, 404)
M_ = "/c/centre-a/manage/members"
B_ = "/c/centre-b/manage/members"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str  # {member}, {stranger}, {code} are filled in
    expected: tuple[int, ...]
    data: tuple[tuple[str, str], ...] = ()
    label: str = ""


PROPOSE = (("propose-title", "Kącik czytelniczy dla seniorów"),
           ("propose-body", "Półka z książkami i dwa fotele w holu centrum."),
           ("propose-category_id", "{category}"), ("propose-place", ""))
SUPPORT = (("support-proposal_id", "{proposal}"),)
SIGN_UP = (("signup-activity_id", "{activity}"),)
CANCEL = (("cancel-activity_id", "{booked}"),)

CASES = [
    Case("members.index", "GET", f"{M_}/", MANAGERS_PAGE),
    Case("members.index", "GET", f"{M_}/?q=kowal", MANAGERS_PAGE, label="search"),
    Case("members.index", "GET", f"{M_}/?q={{code}}", MANAGERS_JUMP, label="card"),
    Case("members.index", "GET", f"{B_}/?q={{code}}", (302, 403, 403, 403, 200, 200),
         label="card-via-b"),  # A's card is nobody's at B
    Case("members.show", "GET", f"{M_}/{{member}}", MANAGERS_PAGE),
    Case("members.show", "GET", f"{M_}/{{stranger}}", NOT_A_MEMBER, label="stranger"),
    Case("members.show", "GET", f"{B_}/{{member}}", VIA_CENTRE_B, label="via-b"),
    Case("members.propose", "POST", f"{M_}/{{member}}/propose", MANAGERS_ACT, PROPOSE),
    Case("members.propose", "POST", f"{M_}/{{stranger}}/propose", NOT_A_MEMBER, PROPOSE,
         label="stranger"),
    Case("members.propose", "POST", f"{B_}/{{member}}/propose", VIA_CENTRE_B, PROPOSE,
         label="via-b"),
    Case("members.support", "POST", f"{M_}/{{member}}/support", MANAGERS_ACT, SUPPORT),
    Case("members.support", "POST", f"{M_}/{{stranger}}/support", NOT_A_MEMBER, SUPPORT,
         label="stranger"),
    Case("members.support", "POST", f"{B_}/{{member}}/support", VIA_CENTRE_B, SUPPORT,
         label="via-b"),
    Case("members.sign_up", "POST", f"{M_}/{{member}}/sign-up", MANAGERS_ACT, SIGN_UP),
    Case("members.sign_up", "POST", f"{M_}/{{stranger}}/sign-up", NOT_A_MEMBER, SIGN_UP,
         label="stranger"),
    Case("members.sign_up", "POST", f"{B_}/{{member}}/sign-up", VIA_CENTRE_B, SIGN_UP,
         label="via-b"),
    Case("members.cancel_signup", "POST", f"{M_}/{{member}}/cancel", MANAGERS_ACT, CANCEL),
    Case("members.cancel_signup", "POST", f"{M_}/{{stranger}}/cancel", NOT_A_MEMBER, CANCEL,
         label="stranger"),
    Case("members.cancel_signup", "POST", f"{B_}/{{member}}/cancel", VIA_CENTRE_B, CANCEL,
         label="via-b"),
    Case("my_history.index", "GET", "/account/history/", SIGNED_IN),
]
BLUEPRINTS = ("members", "my_history")


def _case_id(case: Case) -> str:
    return f"{case.endpoint}-{case.method}" + (f"-{case.label}" if case.label else "")


@pytest.fixture
def ids(app, scene, world, make_user, make_member, db) -> dict:
    ms: MembersScene = make_members_scene(app, scene, world, make_user, make_member, db)
    code = give_card(app, ms.resident, scene.a)
    return {"member": ms.resident, "stranger": world["outsider"].id, "code": code,
            "category": ms.category, "proposal": ms.proposal, "activity": ms.activity,
            "booked": ms.booked}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_permission_matrix(app, client, world, ids, case, role):
    if role != "anonymous":
        client.login(world[role].email)
    before = rows(app)
    data = {key: value.format(**ids) for key, value in case.data}
    send = client.post if case.method == "POST" else client.get  # post() adds the CSRF token
    response = send(case.path.format(**ids), data=data)
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, response.get_data(as_text=True)[:2000]
    if expected == 302:
        assert "/account/login" in response.headers["Location"]
    if case.method == "GET" or expected != 303:
        assert rows(app) == before  # a page, or a refusal: nothing written
    else:
        assert rows(app) != before  # valid data: the act really happened


@pytest.mark.parametrize("case", [case for case in CASES if case.method == "POST"
                                  and case.expected[ROLES.index("animator_a")] == 303],
                         ids=_case_id)
def test_every_act_needs_the_csrf_token(app, client, world, ids, case):
    client.login(world["animator_a"].email)
    before = rows(app)
    data = {key: value.format(**ids) for key, value in case.data}
    response = client.post(case.path.format(**ids), data=data, csrf=False)
    assert response.status_code == 400
    assert rows(app) == before


def test_the_matrix_covers_every_endpoint_and_method_of_the_members_blueprints():
    # Both ways: no endpoint without a row, no row naming an endpoint that is gone.
    assert routes_of(BLUEPRINTS) == {(case.endpoint, case.method) for case in CASES}
