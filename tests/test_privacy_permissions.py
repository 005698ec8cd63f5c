"""Who may see and delete what: every endpoint of ``my_data`` and ``erasure`` × six kinds of
people, from one table.

The target of the desk erasure is a card-only resident of centre A. Each cell is run on a
fresh database (deleting is not undone between people), and a request that should succeed
sends valid data, so its 303 means the account was erased.

Choices the table states on purpose:
- "My data" is everyone's own: any signed-in person gets their own page, file and delete form.
- Deleting one's own account with the right password works for everyone but the platform's
  only administrator (409: another admin must exist first).
- The desk erasure is for the centre's managers: everybody else gets 403 before the member is
  looked at, so it tells outsiders nothing. A manager gets 404 for someone who is not a member
  of the centre (membership is private), also through centre B's address.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from participation.models import AccessCard, User

from .support import PASSWORD, routes_of

ROLES = ("anonymous", "resident_a", "resident_b", "animator_a", "animator_b", "admin")
SIGNED_IN = (302, 200, 200, 200, 200, 200)
DELETE_OWN = (302, 303, 303, 303, 303, 409)  # the world has one platform admin
MANAGERS_PAGE = (302, 403, 403, 200, 403, 200)
MANAGERS_ACT = (302, 403, 403, 303, 403, 303)
VIA_CENTRE_B = (302, 403, 403, 403, 404, 404)
NOT_A_MEMBER = (302, 403, 403, 404, 403, 404)
ERASE = "/c/centre-a/manage/members/{card}/erase"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str
    expected: tuple[int, ...]
    data: tuple[tuple[str, str], ...] = ()
    label: str = ""


CASES = [
    Case("my_data.index", "GET", "/account/data/", SIGNED_IN),
    Case("my_data.download", "GET", "/account/data/my-data.json", SIGNED_IN),
    Case("my_data.delete", "GET", "/account/data/delete", SIGNED_IN),
    Case("my_data.delete", "POST", "/account/data/delete", DELETE_OWN,
         (("password", PASSWORD), ("understood", "y"))),
    Case("erasure.confirm", "GET", ERASE, MANAGERS_PAGE),
    Case("erasure.confirm", "POST", ERASE, MANAGERS_ACT, (("asked_in_person", "y"),)),
    Case("erasure.confirm", "GET", "/c/centre-b/manage/members/{card}/erase", VIA_CENTRE_B,
         label="via-b"),
    Case("erasure.confirm", "POST", "/c/centre-b/manage/members/{card}/erase", VIA_CENTRE_B,
         (("asked_in_person", "y"),), label="via-b"),
    Case("erasure.confirm", "GET", "/c/centre-a/manage/members/{outsider}/erase",
         NOT_A_MEMBER, label="outsider"),
    Case("erasure.confirm", "POST", "/c/centre-a/manage/members/{outsider}/erase",
         NOT_A_MEMBER, (("asked_in_person", "y"),), label="outsider"),
]
BLUEPRINTS = ("my_data", "erasure")


def _case_id(case: Case) -> str:
    return f"{case.endpoint}-{case.method}" + (f"-{case.label}" if case.label else "")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_permission(app, world, make_member, client, db, case: Case, role: str):
    card = db.add(User(display_name="Halina Kartowa", email=None))
    make_member(card, world["a"])
    db.add(AccessCard(user_id=card.id, centre_id=world["a"].id, code_hash="c" * 64))
    if role != "anonymous":
        client.login(world[role].email)
    path = case.path.format(card=card.id, outsider=world["outsider"].id)
    response = (client.get(path) if case.method == "GET"
                else client.post(path, data=dict(case.data)))
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, (case.endpoint, case.method, path, role)
    if response.status_code == 302:
        assert "/account/login" in response.headers["Location"]
    # Only a 303 erased someone: the person themselves, or the card resident at the desk.
    target = card.id if case.endpoint == "erasure.confirm" else getattr(world.get(role), "id", 0)
    erased = db.get(User, target) if target else None
    if erased is not None:
        assert erased.is_erased == (response.status_code == 303), (case, role)


def test_the_table_covers_every_endpoint_and_method():
    assert routes_of(BLUEPRINTS) == {(case.endpoint, case.method) for case in CASES}
