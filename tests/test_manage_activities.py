"""The animators' activity screens: creating (also weekly series across a DST change), editing,
publishing, cancelling, the door list with check-in (htmx and plain), walk-ins, guests,
sign-ups on a member's behalf, ticket check-in links, and volunteers' hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from participation.activities import service
from participation.extensions import db as db_
from participation.models import (
    Activity,
    ActivityStatus,
    Notification,
    NotificationKind,
    ParticipationEvent,
    Signup,
    SignupChannel,
    SignupStatus,
    VolunteerOffer,
    VolunteerStatus,
)

from .proposals_fixtures import add_members, centre, unit_of_work, user

WARSAW = ZoneInfo("Europe/Warsaw")
BASE = "/c/centre-a/manage/activities"


# --- Helpers --------------------------------------------------------------------------------


def local_day(days_ahead: int) -> date:
    return datetime.now(WARSAW).date() + timedelta(days=days_ahead)


def form_data(**overrides) -> dict:
    data = {
        "title": "Warsztaty ceramiki",
        "description": "Lepimy miski z gliny.",
        "place": "Sala na parterze",
        "day": local_day(10).isoformat(),
        "start_time": "18:00",
        "end_time": "20:00",
        "end_day": "",
        "capacity": "12",
        "deadline_day": "",
        "deadline_time": "",
        "category_id": "",
        "proposal_id": "",
        "volunteers_needed": "0",
        "repeat_until": "",
        "action": "publish",
    }
    data.update(overrides)
    return data


def activity(activity_id: int) -> Activity:
    return db_.session.get(Activity, activity_id)


def make_activity(app, world, *, capacity: int | None = None, volunteers: int = 0,
                  publish: bool = True, days: int = 3) -> int:
    with unit_of_work(app):
        start = (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)
        [created] = service.create_activities(
            user(world["animator_a"].id), centre(world["a"].id),
            service.ActivityDetails(title="Warsztaty ceramiki", starts_at=start,
                                    ends_at=start + timedelta(hours=2), capacity=capacity,
                                    volunteers_needed=volunteers),
            publish=publish)
        return created.id


def sign_up(app, member_ids: list[int], activity_id: int) -> list[int]:
    with unit_of_work(app):
        return [service.sign_up(user(member_id), activity(activity_id)).id
                for member_id in member_ids]


def signup_row(db, signup_id: int) -> Signup:
    return db.get(Signup, signup_id)


def move_to_now(app, activity_id: int) -> None:
    """The activity is going on now (hours can be recorded)."""
    with unit_of_work(app):
        row = activity(activity_id)
        row.starts_at = datetime.now(UTC) - timedelta(hours=1)
        row.ends_at = datetime.now(UTC) + timedelta(hours=1)


def next_dst_change() -> date:
    """The first local day after which Warsaw's UTC offset differs from today's."""
    day = local_day(2)
    offset = datetime.combine(day, time(18), tzinfo=WARSAW).utcoffset()
    while datetime.combine(day, time(18), tzinfo=WARSAW).utcoffset() == offset:
        day += timedelta(days=1)
    return day


@pytest.fixture
def animator(client, world):
    client.login(world["animator_a"].email)
    return client


# --- Who may use the screens ----------------------------------------------------------------


@pytest.mark.parametrize(("person", "status"), [
    (None, 302), ("resident_a", 403), ("animator_b", 403), ("animator_a", 200), ("admin", 200),
])
def test_only_the_centres_managers_see_the_activity_screens(client, world, person, status):
    if person:
        client.login(world[person].email)
    response = client.get(f"{BASE}/")
    assert response.status_code == status
    if status == 302:
        assert "/account/login" in response.headers["Location"]


# --- Creating -------------------------------------------------------------------------------


def test_publish_now_creates_one_published_activity_in_utc(animator, db, world):
    response = animator.post(f"{BASE}/new", data=form_data())
    assert response.status_code == 303
    [row] = db.scalars(select(Activity))
    assert response.headers["Location"].endswith(f"/c/centre-a/activities/{row.id}")
    assert row.status is ActivityStatus.PUBLISHED
    expected = datetime.combine(local_day(10), time(18), tzinfo=WARSAW).astimezone(UTC)
    assert row.starts_at == expected
    assert row.ends_at == expected + timedelta(hours=2)
    assert row.capacity == 12 and row.place == "Sala na parterze"
    page = animator.get(f"{BASE}/").get_data(as_text=True)
    assert "Warsztaty ceramiki" in page and "0/12 confirmed" in page


def test_save_as_draft_keeps_it_a_draft(animator, db):
    response = animator.post(f"{BASE}/new", data=form_data(action="draft", capacity=""))
    assert response.status_code == 303
    [row] = db.scalars(select(Activity))
    assert row.status is ActivityStatus.DRAFT and row.capacity is None
    page = animator.get(f"{BASE}/").get_data(as_text=True)
    assert "Draft" in page
    assert animator.post(f"{BASE}/{row.id}/publish").status_code == 303
    assert db.get(Activity, row.id).status is ActivityStatus.PUBLISHED


def test_new_form_shows_the_time_zone(animator):
    page = animator.get(f"{BASE}/new").get_data(as_text=True)
    assert "Europe/Warsaw" in page and 'type="time"' in page and 'type="date"' in page
    assert 'name="action" value="draft"' in page


def test_weekly_series_keeps_the_local_hour_across_a_dst_change(animator, db):
    change = next_dst_change()
    first = change - timedelta(days=14)
    while first <= local_day(1):
        first += timedelta(days=7)
    response = animator.post(f"{BASE}/new", data=form_data(
        day=first.isoformat(), repeat_until=(change + timedelta(days=14)).isoformat()))
    assert response.status_code == 303, response.get_data(as_text=True)
    rows = db.scalars(select(Activity).order_by(Activity.starts_at))
    assert len(rows) >= 3
    assert len({row.series_key for row in rows}) == 1
    for week, row in enumerate(rows):
        day = first + timedelta(weeks=week)
        assert row.starts_at == datetime.combine(day, time(18), tzinfo=WARSAW).astimezone(UTC)
        assert row.starts_at.astimezone(WARSAW).hour == 18
    assert len({row.starts_at.astimezone(UTC).hour for row in rows}) == 2  # 16 and 17 UTC


@pytest.mark.parametrize(("overrides", "message"), [
    ({"end_time": "17:00"}, "The activity must end after it starts."),
    ({"end_time": "18:00"}, "The activity must end after it starts."),
    ({"capacity": "-5"}, "The number of places must be from 1 to 10000"),
    ({"capacity": "100000"}, "The number of places must be from 1 to 10000"),
    ({"capacity": "abc"}, "Enter a whole number"),
    ({"day": (date.today() - timedelta(days=3)).isoformat()},
     "A new activity must start in the future."),
    ({"day": "2026-13-45"}, "Enter a date in the form 2026-05-31."),
    ({"day": "0001-01-01"}, "Enter a date between the years"),
    ({"start_time": "25:99"}, "Enter a time in the form 18:30."),
    ({"title": ""}, "Enter a title."),
    ({"volunteers_needed": "1000"}, "The number of volunteers must be from 0 to 100."),
    ({"deadline_day": local_day(3).isoformat()}, "Enter both the date and the time"),
    ({"deadline_day": local_day(12).isoformat(), "deadline_time": "10:00"},
     "The sign-up deadline cannot be after the start."),
    ({"category_id": "999999"}, "Choose one of the centre&#39;s categories."),
    ({"category_id": "99999999999999"}, "Choose one of the centre&#39;s categories."),
    ({"repeat_until": local_day(500).isoformat()}, "A series can have at most 52 activities."),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(animator, db, overrides,
                                                                     message):
    response = animator.post(f"{BASE}/new", data=form_data(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page or message.replace("'", "&#39;") in page
    assert db.count(Activity) == 0


# --- Editing, publishing, cancelling -------------------------------------------------------


def test_edit_prefills_local_times_and_saves(app, animator, db, world):
    activity_id = make_activity(app, world, capacity=5)
    page = animator.get(f"{BASE}/{activity_id}/edit").get_data(as_text=True)
    start = db.get(Activity, activity_id).starts_at.astimezone(WARSAW)
    assert f'value="{start:%H:%M}"' in page and f'value="{start.date().isoformat()}"' in page
    # An hour longer, across midnight when the test runs late in the evening.
    end = start + timedelta(hours=3)
    response = animator.post(f"{BASE}/{activity_id}/edit", data=form_data(
        day=start.date().isoformat(), start_time=f"{start:%H:%M}", end_time=f"{end:%H:%M}",
        end_day=end.date().isoformat() if end.date() != start.date() else "",
        title="Ceramika dla seniorów", capacity="5"))
    assert response.status_code == 303
    row = db.get(Activity, activity_id)
    assert row.title == "Ceramika dla seniorów"
    assert (row.starts_at, row.ends_at) == (start.astimezone(UTC), end.astimezone(UTC))


def _edit_data(db, activity_id, **overrides):
    row = db.get(Activity, activity_id)
    start, end = row.starts_at.astimezone(WARSAW), row.ends_at.astimezone(WARSAW)
    return form_data(day=start.date().isoformat(), start_time=f"{start:%H:%M}",
                     end_time=f"{end:%H:%M}", end_day=(end.date().isoformat()
                                                       if end.date() != start.date() else ""),
                     **overrides)


def test_capacity_below_the_confirmed_count_is_refused(app, animator, db, world):
    activity_id = make_activity(app, world, capacity=3)
    sign_up(app, add_members(app, world["a"].id, 3), activity_id)
    response = animator.post(f"{BASE}/{activity_id}/edit",
                             data=_edit_data(db, activity_id, capacity="2"))
    assert response.status_code == 422
    assert "3 people are already confirmed" in response.get_data(as_text=True)
    assert db.get(Activity, activity_id).capacity == 3


def test_more_places_promote_the_waitlist_in_order(app, animator, db, world):
    activity_id = make_activity(app, world, capacity=1)
    ids = sign_up(app, add_members(app, world["a"].id, 4), activity_id)
    response = animator.post(f"{BASE}/{activity_id}/edit",
                             data=_edit_data(db, activity_id, capacity="3"))
    assert response.status_code == 303
    statuses = [signup_row(db, signup_id).status for signup_id in ids]
    assert statuses == [SignupStatus.CONFIRMED] * 3 + [SignupStatus.WAITLISTED]
    assert db.get(Activity, activity_id).confirmed_count == 3
    assert db.count(Notification, Notification.kind == NotificationKind.WAITLIST_PROMOTED) == 2


def test_cancelling_needs_a_reason_and_notifies_everyone_signed_up(app, animator, db, world):
    activity_id = make_activity(app, world, capacity=1)
    members = add_members(app, world["a"].id, 2)
    sign_up(app, members, activity_id)  # one confirmed, one waiting
    assert "Everyone signed up gets a notification" in animator.get(
        f"{BASE}/{activity_id}/cancel").get_data(as_text=True)
    response = animator.post(f"{BASE}/{activity_id}/cancel", data={"reason": "  "})
    assert response.status_code == 422
    assert db.get(Activity, activity_id).status is ActivityStatus.PUBLISHED
    response = animator.post(f"{BASE}/{activity_id}/cancel",
                             data={"reason": "Prowadząca zachorowała."})
    assert response.status_code == 303
    assert db.get(Activity, activity_id).status is ActivityStatus.CANCELLED
    notes = db.scalars(select(Notification).where(
        Notification.kind == NotificationKind.ACTIVITY_CANCELLED))
    assert sorted(note.user_id for note in notes) == sorted(members)
    assert all(note.reason == "Prowadząca zachorowała." for note in notes)
    follow = animator.get(response.headers["Location"]).get_data(as_text=True)
    assert follow is not None
    index = animator.get(f"{BASE}/").get_data(as_text=True)
    assert "Cancelled" in index


# --- The door list --------------------------------------------------------------------------


@pytest.fixture
def door(app, db, world, make_user, make_member):
    """A published activity with two confirmed people and one waiting."""
    activity_id = make_activity(app, world, capacity=2)
    anna = make_user("anna@example.org", name="Anna Kowalska")
    jan = make_user("jan@example.org", name="Jan Nowak")
    olga = make_user("olga@example.org", name="Olga Shevchenko")
    for person in (anna, jan, olga):
        make_member(person, world["a"])
    signups = sign_up(app, [anna.id, jan.id, olga.id], activity_id)
    return {"activity": activity_id, "anna": signups[0], "jan": signups[1],
            "olga": signups[2], "anna_id": anna.id, "olga_id": olga.id}


def test_attendee_list_counts_and_searches(animator, door):
    url = f"{BASE}/{door['activity']}/attendees"
    page = animator.get(url).get_data(as_text=True)
    assert "Present: 0 of 2 confirmed" in page and "guests: 0" in page
    assert "Anna Kowalska" in page and "Jan Nowak" in page and "Olga Shevchenko" in page
    assert 'hx-target="#attendee-list"' in page and 'name="q"' in page
    found = animator.get(url, query_string={"q": "kowal"}).get_data(as_text=True)
    assert f'id="signup-{door["anna"]}"' in found
    assert f'id="signup-{door["jan"]}"' not in found and f'id="signup-{door["olga"]}"' not in found
    assert "1 confirmed person matches" in found
    fragment = animator.get(url, query_string={"q": "nowak"},
                            headers={"HX-Request": "true", "HX-Target": "attendee-list"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert "Jan Nowak" in text and "Anna Kowalska" not in text
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_check_in_with_htmx_returns_the_row_and_the_counts(animator, db, door):
    url = f"{BASE}/{door['activity']}/attendees/{door['anna']}"
    response = animator.post(url, data={"intent": "present"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<html" not in text and f'id="signup-{door["anna"]}"' in text
    assert "Present ✓ — undo" in text
    assert 'id="attendee-counts"' in text and 'hx-swap-oob="true"' in text
    assert "Present: 1 of 2 confirmed" in text
    assert signup_row(db, door["anna"]).checked_in_at is not None
    assert db.count(ParticipationEvent, ParticipationEvent.kind == "checked_in") == 1


def test_check_in_and_undo_without_javascript(animator, db, door):
    url = f"{BASE}/{door['activity']}/attendees/{door['jan']}"
    response = animator.post(url, data={"intent": "present", "q": "nowak"})
    assert response.status_code == 303
    assert "q=nowak" in response.headers["Location"]
    assert signup_row(db, door["jan"]).checked_in_at is not None
    again = animator.post(url, data={"intent": "present"})
    assert again.status_code == 303
    assert db.count(ParticipationEvent, ParticipationEvent.kind == "checked_in") == 1
    assert animator.post(url, data={"intent": "undo"}).status_code == 303
    assert signup_row(db, door["jan"]).checked_in_at is None
    quantities = db.scalars(select(ParticipationEvent.quantity).where(
        ParticipationEvent.kind == "checked_in"))
    assert sorted(quantities) == [-1, 1]


def test_a_waitlisted_person_cannot_be_checked_in(animator, db, door):
    url = f"{BASE}/{door['activity']}/attendees/{door['olga']}"
    assert animator.post(url, data={"intent": "present"}).status_code == 409
    assert signup_row(db, door["olga"]).checked_in_at is None


def test_check_in_needs_a_known_intent_and_a_signup_of_this_activity(app, animator, world,
                                                                      door):
    url = f"{BASE}/{door['activity']}/attendees/{door['anna']}"
    assert animator.post(url, data={"intent": "dance"}).status_code == 422
    other = make_activity(app, world)
    assert animator.post(f"{BASE}/{other}/attendees/{door['anna']}",
                         data={"intent": "present"}).status_code == 404
    assert animator.post(url, data={"intent": "present"}, csrf=False).status_code == 400


def test_walk_in_is_refused_when_full_and_added_when_a_place_is_free(
        app, animator, db, world, door):
    walker = add_members(app, world["a"].id, 1)[0]
    url = f"{BASE}/{door['activity']}/walk-in"
    response = animator.post(url, data={"member_id": str(walker)})
    assert response.status_code == 409
    assert "No places are left" in response.get_data(as_text=True)
    assert db.count(Signup, Signup.user_id == walker) == 0
    # Room for one more: the walk-in takes it, confirmed and present at once.
    with unit_of_work(app):
        row = activity(door["activity"])
        row.capacity = 4
    response = animator.post(url, data={"member_id": str(walker)})
    assert response.status_code == 303
    [row] = db.scalars(select(Signup).where(Signup.user_id == walker))
    assert row.status is SignupStatus.CONFIRMED and row.checked_in_at is not None
    assert row.channel is SignupChannel.WALK_IN
    assert animator.post(url, data={"member_id": ""}).status_code == 422
    assert animator.post(url, data={"member_id": "abc"}).status_code == 422


def test_guests_go_up_and_down_but_not_below_zero(animator, db, door):
    url = f"{BASE}/{door['activity']}/guests"
    assert animator.post(url, data={"change": "1"}).status_code == 303
    assert animator.post(url, data={"change": "1"}).status_code == 303
    assert db.get(Activity, door["activity"]).guest_count == 2
    assert animator.post(url, data={"change": "-1"}).status_code == 303
    assert animator.post(url, data={"change": "-1"}).status_code == 303
    response = animator.post(url, data={"change": "-1"})
    assert response.status_code == 422
    assert "cannot be below zero" in response.get_data(as_text=True)
    assert animator.post(url, data={"change": "7"}).status_code == 422
    assert db.get(Activity, door["activity"]).guest_count == 0


def test_assisted_signup_records_the_channel(app, animator, db, world):
    activity_id = make_activity(app, world, capacity=1)
    first, second = add_members(app, world["a"].id, 2)
    url = f"{BASE}/{activity_id}/sign-up"
    assert animator.post(url, data={"member_id": str(first)}).status_code == 303
    assert animator.post(url, data={"member_id": str(second)}).status_code == 303
    rows = {row.user_id: row for row in db.scalars(select(Signup))}
    assert rows[first].channel is SignupChannel.ASSISTED
    assert rows[first].status is SignupStatus.CONFIRMED
    assert rows[first].recorded_by_id == world["animator_a"].id
    assert rows[second].status is SignupStatus.WAITLISTED
    again = animator.post(url, data={"member_id": str(first)})
    assert again.status_code == 409 and "already signed up" in again.get_data(as_text=True)
    outsider = animator.post(url, data={"member_id": str(world["resident_b"].id)})
    assert outsider.status_code == 422


def test_animator_cancels_someones_signup_and_the_waitlist_moves_up(animator, db, door):
    response = animator.post(f"{BASE}/{door['activity']}/attendees/{door['anna']}/cancel")
    assert response.status_code == 303
    assert signup_row(db, door["anna"]).status is SignupStatus.CANCELLED
    assert signup_row(db, door["olga"]).status is SignupStatus.CONFIRMED


# --- Ticket check-in links ------------------------------------------------------------------


def _token(app, signup_id: int) -> str:
    with app.app_context():
        return service.ticket_token(db_.session.get(Signup, signup_id))


def test_ticket_link_shows_the_person_and_checks_in_on_post(app, animator, db, door):
    url = f"{BASE}/check-in/{_token(app, door['anna'])}"
    page = animator.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Anna Kowalska" in text and "Warsztaty ceramiki" in text and "Mark present" in text
    assert signup_row(db, door["anna"]).checked_in_at is None  # GET changes nothing
    response = animator.post(url)
    assert response.status_code == 303
    assert f"/manage/activities/{door['activity']}/attendees" in response.headers["Location"]
    assert signup_row(db, door["anna"]).checked_in_at is not None
    follow = animator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anna Kowalska is checked in." in follow
    assert "Present ✓" in animator.get(url).get_data(as_text=True)


@pytest.mark.parametrize(("person", "status"), [
    (None, 302), ("resident_a", 403), ("animator_b", 403),
])
def test_ticket_link_is_only_for_the_centres_animators(app, client, db, world, door, person,
                                                       status):
    if person:
        client.login(world[person].email)
    url = f"{BASE}/check-in/{_token(app, door['anna'])}"
    assert client.get(url).status_code == status
    assert client.post(url).status_code == status
    assert signup_row(db, door["anna"]).checked_in_at is None


def test_tampered_ticket_link_is_not_found(app, animator, db, door):
    token = _token(app, door["anna"])
    position = len(token) // 2
    tampered = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1:]
    assert animator.get(f"{BASE}/check-in/{tampered}").status_code == 404
    assert animator.post(f"{BASE}/check-in/{tampered}").status_code == 404
    assert animator.get(f"{BASE}/check-in/not-a-token").status_code == 404
    assert signup_row(db, door["anna"]).checked_in_at is None


# --- Volunteers -----------------------------------------------------------------------------


def test_volunteer_accepted_and_hours_recorded(app, animator, db, world):
    activity_id = make_activity(app, world, volunteers=2)
    helper = world["resident_a"].id
    with unit_of_work(app):
        offer_id = service.offer_help(user(helper), activity(activity_id)).id
    url = f"{BASE}/{activity_id}/volunteers/{offer_id}"
    page = animator.get(f"{BASE}/{activity_id}/attendees").get_data(as_text=True)
    assert "Offered to help" in page
    assert animator.post(url, data={"decision": "accept"}).status_code == 303
    assert db.get(VolunteerOffer, offer_id).status is VolunteerStatus.CONFIRMED
    assert db.count(Notification, Notification.kind == NotificationKind.VOLUNTEER_CONFIRMED) == 1
    early = animator.post(f"{url}/hours", data={"hours": "2"})
    assert early.status_code == 422 and "once the activity has started" in early.get_data(
        as_text=True)
    move_to_now(app, activity_id)
    for bad in ("abc", "25", "-1", "", "nan"):
        response = animator.post(f"{url}/hours", data={"hours": bad})
        assert response.status_code == 422, bad
    assert db.get(VolunteerOffer, offer_id).minutes is None
    assert animator.post(f"{url}/hours", data={"hours": "2,5"}).status_code == 303
    assert db.get(VolunteerOffer, offer_id).minutes == 150
    [event] = db.scalars(select(ParticipationEvent).where(
        ParticipationEvent.kind == "volunteer_hours"))
    assert event.quantity == 150
    page = animator.get(f"{BASE}/{activity_id}/attendees").get_data(as_text=True)
    assert "2.5 h recorded" in page
    assert animator.post(f"{url}/hours", data={"hours": "3.0"}).status_code == 303
    quantities = db.scalars(select(ParticipationEvent.quantity).where(
        ParticipationEvent.kind == "volunteer_hours"))
    assert sorted(quantities) == [30, 150]


def test_volunteer_declined(app, animator, db, world):
    activity_id = make_activity(app, world, volunteers=1)
    with unit_of_work(app):
        offer_id = service.offer_help(user(world["resident_a"].id), activity(activity_id)).id
    response = animator.post(f"{BASE}/{activity_id}/volunteers/{offer_id}",
                             data={"decision": "decline"})
    assert response.status_code == 303
    assert db.get(VolunteerOffer, offer_id).status is VolunteerStatus.DECLINED
    assert animator.post(f"{BASE}/{activity_id}/volunteers/{offer_id}",
                         data={"decision": "maybe"}).status_code == 422


def test_past_view_and_moderation_nav(app, animator, db, world):
    activity_id = make_activity(app, world)
    with unit_of_work(app):
        row = activity(activity_id)
        row.starts_at = datetime.now(UTC) - timedelta(days=2)
        row.ends_at = row.starts_at + timedelta(hours=2)
    upcoming = animator.get(f"{BASE}/").get_data(as_text=True)
    assert "Warsztaty ceramiki" not in upcoming
    assert f'href="{BASE}/" aria-current="page"' in upcoming  # the nav entry
    past = animator.get(f"{BASE}/?when=past").get_data(as_text=True)
    assert "Warsztaty ceramiki" in past
