"""Who may use the kiosk's endpoints: every endpoint and method × six kinds of people.

Centre A has an activity starting in an hour and a published proposal; Nina, a member of A,
holds an access card. ``{kiosk}`` is an open kiosk of A for the activity.

Choices the table states on purpose:
- The manage screen is for A's animators and platform admins; everyone else gets 403 (or is
  sent to sign in) before any kiosk is looked at. Through centre B's address, B's managers
  get 404 for A's kiosk: its existence is private.
- The tablet's screens answer 403 to everyone without a working kiosk cookie, signed in or
  not, and to everyone signed in even with the cookie: the kiosk never runs on a personal
  session. Anonymous people are not sent to sign in (there is nothing to sign in to).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from participation.models import AccessCard, Kiosk, ParticipationEvent, Signup, Support

from .kiosk_support import add_person, issue_card, make_activity, make_kiosk, use_kiosk
from .proposals_fixtures import make_proposal
from .support import routes_of, rows_of

ROLES = ("anonymous", "resident_a", "resident_b", "animator_a", "animator_b", "admin")
MANAGERS_PAGE = (302, 403, 403, 200, 403, 200)
MANAGERS_ACT = (302, 403, 403, 303, 403, 303)
VIA_CENTRE_B = (302, 403, 403, 403, 404, 404)
NOBODY = (403, 403, 403, 403, 403, 403)
TABLET_ONLY = (200, 403, 403, 403, 403, 403)  # the kiosk cookie, and nobody signed in
M_ = "/c/centre-a/manage/kiosk"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str
    expected: tuple[int, ...]
    data: tuple[tuple[str, str], ...] = ()
    cookie: bool = False  # the client holds the open kiosk's cookie
    label: str = ""


CASES = [
    Case("manage_kiosk.index", "GET", f"{M_}/", MANAGERS_PAGE),
    Case("manage_kiosk.index", "GET", "/c/centre-b/manage/kiosk/",
         (302, 403, 403, 403, 200, 200), label="centre-b"),
    Case("manage_kiosk.index", "POST", f"{M_}/", MANAGERS_ACT,
         (("subject", "activity-{activity}"),)),
    Case("manage_kiosk.index", "POST", f"{M_}/", MANAGERS_ACT,
         (("subject", "proposal-{proposal}"),), label="proposal"),
    Case("manage_kiosk.close", "POST", f"{M_}/{{kiosk}}/close", MANAGERS_ACT),
    Case("manage_kiosk.close", "POST", "/c/centre-b/manage/kiosk/{kiosk}/close",
         VIA_CENTRE_B, label="via-b"),
    Case("kiosk.start", "GET", "/kiosk/", NOBODY),
    Case("kiosk.start", "GET", "/kiosk/", TABLET_ONLY, cookie=True, label="tablet"),
    Case("kiosk.enter", "POST", "/kiosk/", NOBODY, (("code", "{code}"),)),
    Case("kiosk.enter", "POST", "/kiosk/", TABLET_ONLY, (("code", "{code}"),), cookie=True,
         label="tablet"),
]
WRITTEN = (Kiosk, Signup, Support, ParticipationEvent, AccessCard)
BLUEPRINTS = ("kiosk", "manage_kiosk")


def _case_id(case: Case) -> str:
    return f"{case.endpoint}-{case.method}" + (f"-{case.label}" if case.label else "")


@pytest.fixture
def ids(app, scene) -> dict:
    nina = add_person(app, scene.a, "Nina Sąsiadka", email="nina@example.org")
    code = issue_card(app, nina, scene.a)
    activity = make_activity(app, scene.a, scene.animator, scene.category)
    proposal = make_proposal(app, scene)
    kiosk, token = make_kiosk(app, scene.a, scene.animator, activity_id=activity)
    return {"activity": activity, "proposal": proposal, "kiosk": kiosk, "token": token,
            "code": code}


def _rows(app) -> tuple:
    return rows_of(app, WRITTEN)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_permission_matrix(app, client, world, ids, case, role):
    if role != "anonymous":
        client.login(world[role].email)
    if case.cookie:
        use_kiosk(client, ids["token"])
    before = _rows(app)
    data = {key: value.format(**ids) for key, value in case.data}
    send = client.post if case.method == "POST" else client.get  # post() adds the CSRF token
    response = send(case.path.format(**ids), data=data)
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, response.get_data(as_text=True)[:2000]
    if expected == 302:
        assert "/account/login" in response.headers["Location"]
    if case.method == "GET" or expected >= 400 or expected == 302:
        assert _rows(app) == before  # a page, or a refusal: nothing written, nothing changed
    else:
        assert _rows(app) != before  # valid data: the act really happened
    if case.endpoint.startswith("kiosk."):
        assert response.headers["Cache-Control"] == "no-store"
        if expected != 200:  # a refusal names nobody
            assert "Nina Sąsiadka" not in response.get_data(as_text=True)


@pytest.mark.parametrize("case", [case for case in CASES if case.method == "POST"
                                  and (200 in case.expected or 303 in case.expected)],
                         ids=_case_id)
def test_every_state_change_needs_the_csrf_token(app, client, world, ids, case):
    if case.cookie:
        use_kiosk(client, ids["token"])
    else:
        client.login(world["animator_a"].email)
    before = _rows(app)
    data = {key: value.format(**ids) for key, value in case.data}
    response = client.post(case.path.format(**ids), data=data, csrf=False)
    assert response.status_code == 400
    assert _rows(app) == before


def test_the_matrix_covers_every_endpoint_and_method_of_the_kiosk_blueprints():
    # Both ways: no endpoint without a row, no row naming an endpoint that is gone.
    assert routes_of(BLUEPRINTS) == {(case.endpoint, case.method) for case in CASES}
