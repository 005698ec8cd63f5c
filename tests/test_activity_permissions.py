"""Who may do what with activities: every endpoint × six kinds of people, from one table.

Centre A has a published upcoming activity with places and a call for volunteers, a draft, a
past activity (for volunteers' hours) and an activity ``booked`` where resident_a holds a
confirmed place. An attendee (a resident of A who is none of the people tested) is signed up
for the upcoming activity and has offered to help with it; a neighbour (also of A, not signed
up) is the member animators add at the door. Each cell is the status that person must get; a
request that should succeed sends valid data, so its 303 means the act happened.

Choices the table states on purpose:
- Drafts are private: 404 on their public pages for everyone but A's managers.
- The whole manage area is for the centre's managers: everybody else gets 403 before any
  activity, sign-up or token is looked at, so the area tells outsiders nothing.
- The ticket check-in link: a non-manager gets 403 for a valid and for a forged token alike.
  Answering 404 for a forged token and 403 for a valid one would let anybody test whether a
  token is real. A manager gets 404 for a forged token and for a token of another centre
  (its existence is private), 200 / 303 for a valid one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from itsdangerous import URLSafeSerializer

from participation.activities import service
from participation.extensions import db as _db
from participation.models import (
    Activity,
    Notification,
    ParticipationEvent,
    Signup,
    VolunteerOffer,
)

from .proposals_fixtures import centre, unit_of_work, user
from .support import routes_of, rows_of

ROLES = ("anonymous", "resident_a", "resident_b", "animator_a", "animator_b", "admin")
# The common outcomes, in ROLES order.
EVERYONE = (200, 200, 200, 200, 200, 200)
NOBODY = (404, 404, 404, 404, 404, 404)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
MEMBERS_OF_A = (302, 303, 403, 303, 403, 403)  # residents and animators of A act, others 403
MANAGERS_PAGE = (302, 403, 403, 200, 403, 200)  # animators of A, and platform admins
MANAGERS_ACT = (302, 403, 403, 303, 403, 303)
DRAFT_PAGE = (404, 404, 404, 200, 404, 200)  # a draft's existence is private
# Signing up for (or offering help with) a draft: hidden from those who cannot see it; A's
# animator sees it but it is not open (409); the admin sees it but is no member (403).
DRAFT_ACT = (302, 404, 404, 409, 404, 403)
NO_TICKET = (302, 404, 404, 404, 404, 404)
# Through centre B's address: B's managers may use B's screens, but A's rows do not exist there.
VIA_CENTRE_B = (302, 403, 403, 403, 404, 404)

WARSAW = ZoneInfo("Europe/Warsaw")
UP_DAYS = 5  # the upcoming activity: in five days, 17:00–19:00 Warsaw time
UP_START, UP_END = time(17, 0), time(19, 0)
A_ = "/c/centre-a/activities"
M_ = "/c/centre-a/manage/activities"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str  # {up}, {draft}, {past}, {booked}, {signup}, {offer}, ... are filled in
    expected: tuple[int, ...]
    data: tuple[tuple[str, str], ...] = ()
    label: str = ""  # tells apart cases of the same endpoint and method


def _activity_form(title: str, day: str, start: str, end: str, capacity: str,
                   **extra: str) -> tuple[tuple[str, str], ...]:
    fields = {"title": title, "description": "Lepimy miski z gliny.", "place": "Sala 1",
              "day": day, "start_time": start, "end_time": end, "end_day": "",
              "capacity": capacity, "deadline_day": "", "deadline_time": "",
              "category_id": "{category}", "proposal_id": "", "volunteers_needed": "2",
              **extra}
    return tuple(fields.items())


NEW_FORM = _activity_form("Spacer z kijkami", "{new_day}", "10:00", "12:00", "15",
                          repeat_until="", action="publish")
EDIT_FORM = _activity_form("Warsztaty ceramiki dla dorosłych", "{up_day}", "17:00", "19:00",
                           "12")

CASES = [
    # The public pages.
    Case("activities.index", "GET", f"{A_}/", EVERYONE),
    Case("activities.index", "GET", f"{A_}/?when=past", EVERYONE, label="past"),
    Case("activities.feed", "GET", f"{A_}/calendar.ics", EVERYONE),
    Case("activities.show", "GET", f"{A_}/{{up}}", EVERYONE),
    Case("activities.show", "GET", f"{A_}/{{past}}", EVERYONE, label="past"),
    Case("activities.show", "GET", f"{A_}/{{draft}}", DRAFT_PAGE, label="draft"),
    Case("activities.show", "GET", "/c/centre-b/activities/{up}", NOBODY, label="via-b"),
    Case("activities.ics", "GET", f"{A_}/{{up}}/calendar.ics", EVERYONE),
    Case("activities.ics", "GET", f"{A_}/{{draft}}/calendar.ics", NOBODY, label="draft"),
    # Taking part.
    Case("activities.signup", "POST", f"{A_}/{{up}}/signup", MEMBERS_OF_A,
         (("intent", "join"),)),
    Case("activities.signup", "POST", f"{A_}/{{draft}}/signup", DRAFT_ACT,
         (("intent", "join"),), label="draft"),
    Case("activities.signup", "POST", f"{A_}/{{past}}/signup",
         (302, 409, 403, 409, 403, 403), (("intent", "join"),), label="past"),
    Case("activities.volunteer", "POST", f"{A_}/{{up}}/volunteer", MEMBERS_OF_A,
         (("intent", "offer"),)),
    Case("activities.volunteer", "POST", f"{A_}/{{draft}}/volunteer", DRAFT_ACT,
         (("intent", "offer"),), label="draft"),
    Case("activities.ticket", "GET", f"{A_}/{{up}}/ticket", NO_TICKET),
    Case("activities.ticket", "GET", f"{A_}/{{booked}}/ticket",
         (302, 200, 404, 404, 404, 404), label="own"),
    Case("my_activities.index", "GET", "/account/activities/", SIGNED_IN),
    # The animators' screens.
    Case("manage_activities.index", "GET", f"{M_}/", MANAGERS_PAGE),
    Case("manage_activities.new", "GET", f"{M_}/new", MANAGERS_PAGE),
    Case("manage_activities.new", "POST", f"{M_}/new", MANAGERS_ACT, NEW_FORM),
    Case("manage_activities.edit", "GET", f"{M_}/{{up}}/edit", MANAGERS_PAGE),
    Case("manage_activities.edit", "GET", f"{M_}/{{draft}}/edit", MANAGERS_PAGE,
         label="draft"),
    Case("manage_activities.edit", "POST", f"{M_}/{{up}}/edit", MANAGERS_ACT, EDIT_FORM),
    Case("manage_activities.publish", "POST", f"{M_}/{{draft}}/publish", MANAGERS_ACT),
    Case("manage_activities.cancel", "GET", f"{M_}/{{up}}/cancel", MANAGERS_PAGE),
    Case("manage_activities.cancel", "POST", f"{M_}/{{up}}/cancel", MANAGERS_ACT,
         (("reason", "Prowadząca jest chora."),)),
    Case("manage_activities.attendees", "GET", f"{M_}/{{up}}/attendees", MANAGERS_PAGE),
    Case("manage_activities.attendees", "GET",
         "/c/centre-b/manage/activities/{up}/attendees", VIA_CENTRE_B, label="via-b"),
    Case("manage_activities.check_in", "POST", f"{M_}/{{up}}/attendees/{{signup}}",
         MANAGERS_ACT, (("intent", "present"), ("q", ""))),
    Case("manage_activities.check_in", "POST",
         "/c/centre-b/manage/activities/{up}/attendees/{signup}", VIA_CENTRE_B,
         (("intent", "present"), ("q", "")), label="via-b"),
    Case("manage_activities.cancel_signup", "POST",
         f"{M_}/{{up}}/attendees/{{signup}}/cancel", MANAGERS_ACT),
    Case("manage_activities.walk_in", "POST", f"{M_}/{{up}}/walk-in", MANAGERS_ACT,
         (("member_id", "{member}"),)),
    Case("manage_activities.assisted_signup", "POST", f"{M_}/{{up}}/sign-up", MANAGERS_ACT,
         (("member_id", "{member}"),)),
    Case("manage_activities.guests", "POST", f"{M_}/{{up}}/guests", MANAGERS_ACT,
         (("change", "1"),)),
    Case("manage_activities.decide_offer", "POST", f"{M_}/{{up}}/volunteers/{{offer}}",
         MANAGERS_ACT, (("decision", "accept"),)),
    Case("manage_activities.record_hours", "POST",
         f"{M_}/{{past}}/volunteers/{{past_offer}}/hours", MANAGERS_ACT, (("hours", "2,5"),)),
    # The check-in link from a ticket (see the module's docstring).
    Case("manage_activities.ticket_check_in", "GET", f"{M_}/check-in/{{token}}",
         MANAGERS_PAGE),
    Case("manage_activities.ticket_check_in", "POST", f"{M_}/check-in/{{token}}",
         MANAGERS_ACT),
    Case("manage_activities.ticket_check_in", "GET", f"{M_}/check-in/{{forged}}",
         (302, 403, 403, 404, 403, 404), label="forged"),
    Case("manage_activities.ticket_check_in", "POST", f"{M_}/check-in/{{forged}}",
         (302, 403, 403, 404, 403, 404), label="forged"),
    Case("manage_activities.ticket_check_in", "GET",
         "/c/centre-b/manage/activities/check-in/{token}", VIA_CENTRE_B, label="via-b"),
    Case("manage_activities.ticket_check_in", "POST",
         "/c/centre-b/manage/activities/check-in/{token}", VIA_CENTRE_B, label="via-b"),
]
WRITTEN = (Activity, Signup, VolunteerOffer, ParticipationEvent, Notification)
BLUEPRINTS = ("activities", "my_activities", "manage_activities")


def _case_id(case: Case) -> str:
    return f"{case.endpoint}-{case.method}" + (f"-{case.label}" if case.label else "")


def _local(days: int, moment: time) -> datetime:
    day = datetime.now(WARSAW).date() + timedelta(days=days)
    return datetime.combine(day, moment, tzinfo=WARSAW)


def make_activity_scene(app, scene, world, make_user, make_member) -> dict:
    """Centre A's activities, sign-ups and offers, made through the services; their ids and
    the values the table's paths and forms need. test_bad_input.py uses it too."""
    attendee = make_user("attendee-a@example.org", name="Ala Uczestniczka")
    neighbour = make_user("neighbour-a@example.org", name="Nina Sąsiadka")
    for person in (attendee, neighbour):
        make_member(person, world["a"])

    def create(title: str, start: datetime, *, publish: bool = True, capacity=None,
               volunteers: int = 0) -> Activity:
        [created] = service.create_activities(
            user(scene.animator), centre(scene.a),
            service.ActivityDetails(title=title, starts_at=start,
                                    ends_at=start + timedelta(hours=2), capacity=capacity,
                                    volunteers_needed=volunteers, category_id=scene.category),
            publish=publish)
        return created

    with unit_of_work(app):
        up = create("Warsztaty ceramiki", _local(UP_DAYS, UP_START), capacity=10, volunteers=2)
        draft = create("Kino sąsiedzkie (szkic)", _local(8, UP_START), publish=False)
        past = create("Sprzątanie skweru", _local(2, UP_START), volunteers=3)
        booked = create("Gra w szachy", _local(6, UP_START))
        signup = service.sign_up(user(attendee.id), up)
        offer = service.offer_help(user(attendee.id), up)
        past_offer = service.offer_help(user(attendee.id), past)
        service.decide_offer(user(scene.animator), past, past_offer.id, True)
        service.sign_up(user(scene.resident), booked)
        token = service.ticket_token(signup)
        found = {"up": up.id, "draft": draft.id, "past": past.id, "booked": booked.id,
                 "signup": signup.id, "offer": offer.id, "past_offer": past_offer.id,
                 "token": token}
    with unit_of_work(app):  # the clean-up happened two days ago, 10:00–12:00 UTC
        row = _db.session.get(Activity, found["past"])
        row.starts_at = (datetime.now(UTC) - timedelta(days=2)).replace(
            hour=10, minute=0, second=0, microsecond=0)
        row.ends_at = row.starts_at + timedelta(hours=2)
    forged = URLSafeSerializer("not-the-secret-key", salt="activity-check-in").dumps(
        [found["signup"], "guessed"])
    return {**found, "forged": forged, "member": neighbour.id, "category": scene.category,
            "up_day": _local(UP_DAYS, UP_START).date().isoformat(),
            "new_day": _local(10, UP_START).date().isoformat()}


@pytest.fixture
def ids(app, scene, world, make_user, make_member) -> dict:
    return make_activity_scene(app, scene, world, make_user, make_member)


def _fill(text: str, ids: dict) -> str:
    return text.format(**ids)


def _rows(app) -> tuple:
    return rows_of(app, WRITTEN)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_permission_matrix(app, client, world, ids, case, role):
    if role != "anonymous":
        client.login(world[role].email)
    before = _rows(app)
    data = {key: _fill(value, ids) for key, value in case.data}
    send = client.post if case.method == "POST" else client.get  # post() adds the CSRF token
    response = send(_fill(case.path, ids), data=data)
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, response.get_data(as_text=True)[:2000]
    if expected == 302:
        assert "/account/login" in response.headers["Location"]
    if case.method == "GET" or expected != 303:
        assert _rows(app) == before  # a page, or a refusal: nothing written, nothing changed
    else:
        assert _rows(app) != before  # valid data: the act really happened


@pytest.mark.parametrize("case", [case for case in CASES if case.method == "POST"
                                  and case.expected[ROLES.index("animator_a")] == 303],
                         ids=_case_id)
def test_every_state_change_needs_the_csrf_token(app, client, world, ids, case):
    client.login(world["animator_a"].email)
    before = _rows(app)
    data = {key: _fill(value, ids) for key, value in case.data}
    response = client.post(_fill(case.path, ids), data=data, csrf=False)
    assert response.status_code == 400
    assert _rows(app) == before


def test_the_matrix_covers_every_endpoint_and_method_of_the_activity_blueprints():
    # Both ways: no endpoint without a row, no row naming an endpoint that is gone.
    assert routes_of(BLUEPRINTS) == {(case.endpoint, case.method) for case in CASES}
