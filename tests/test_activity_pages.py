"""Activity pages over HTTP: the list and its filters, an activity's page, signing up (plain
and htmx), the waitlist, the ticket, calendar files, "My activities", and the links from a
centre's home and a proposal's page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from participation.models import (
    Activity,
    ActivityStatus,
    Category,
    Proposal,
    ProposalStatus,
    Role,
    Signup,
    SignupStatus,
    VolunteerOffer,
)

HTMX = {"HX-Request": "true"}


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def add_activity(db, world):
    """A published activity at centre A, two days ahead unless told otherwise."""

    def add(title: str = "Knitting circle", *, days: float = 2, hours: float = 2,
            centre=None, **fields) -> Activity:
        starts = _now() + timedelta(days=days)
        values = {"centre_id": (centre or world["a"]).id, "title": title, "place": "Room 2",
                  "starts_at": starts, "ends_at": starts + timedelta(hours=hours),
                  "status": ActivityStatus.PUBLISHED, **fields}
        return db.add(Activity(**values))

    return add


def _html(response) -> str:
    return response.get_data(as_text=True)


def _signup(db, activity, user) -> Signup | None:
    return db.scalar(select(Signup).where(Signup.activity_id == activity.id,
                                          Signup.user_id == user.id))


# --- The list -------------------------------------------------------------------------------


def test_list_shows_upcoming_by_default_and_past_on_its_tab(client, add_activity):
    add_activity("Knitting circle", capacity=10)
    add_activity("Last week picnic", days=-7)
    add_activity("Chess club")
    upcoming = _html(client.get("/c/centre-a/activities/"))
    assert "Knitting circle" in upcoming and "Chess club" in upcoming
    assert "Last week picnic" not in upcoming
    assert "10 places left" in upcoming and "No limit" in upcoming
    assert "<time datetime=" in upcoming
    assert 'href="/c/centre-a/activities/calendar.ics"' in upcoming
    past = _html(client.get("/c/centre-a/activities/?when=past"))
    assert "Last week picnic" in past and "Knitting circle" not in past


def test_list_badges_full_and_cancelled(client, add_activity):
    add_activity("Full one", capacity=2, confirmed_count=2)
    add_activity("Called off", status=ActivityStatus.CANCELLED, cancel_reason="Rain")
    add_activity("Hidden draft", status=ActivityStatus.DRAFT)
    html = _html(client.get("/c/centre-a/activities/"))
    assert "Full – waitlist open" in html and "Cancelled" in html
    assert "Hidden draft" not in html


def test_list_filters_by_category_and_dates(client, db, world, add_activity):
    sport, art = db.add(Category(centre_id=world["a"].id, name="Sport"),
                        Category(centre_id=world["a"].id, name="Art", position=1))
    add_activity("Football", category_id=sport.id, days=3)
    add_activity("Painting", category_id=art.id, days=10)
    html = _html(client.get(f"/c/centre-a/activities/?category={sport.id}"))
    assert "Football" in html and "Painting" not in html
    later = (_now() + timedelta(days=6)).date().isoformat()
    html = _html(client.get(f"/c/centre-a/activities/?date_from={later}"))
    assert "Painting" in html and "Football" not in html
    html = _html(client.get(f"/c/centre-a/activities/?date_to={later}"))
    assert "Football" in html and "Painting" not in html


@pytest.mark.parametrize("query", ["date_from=31-12-2026", "date_to=2026-02-30",
                                   "date_from=0001-01-01", "date_to=9999-12-31",
                                   "date_from=2026-05-10&date_to=2026-05-01",
                                   "category=999999", "when=sideways"])
def test_bad_filters_get_a_message_and_422(client, add_activity, query):
    add_activity("Knitting circle")
    response = client.get(f"/c/centre-a/activities/?{query}")
    assert response.status_code == 422
    html = _html(response)
    assert "Please correct the following" in html
    assert "Knitting circle" in html  # the upcoming list is still shown


def test_malformed_date_message(client, world):
    html = _html(client.get("/c/centre-a/activities/?date_from=yesterday"))
    assert "Enter a date as year-month-day, for example 2026-05-31." in html


def test_htmx_filter_returns_only_the_results(client, add_activity):
    add_activity("Knitting circle")
    response = client.get("/c/centre-a/activities/?when=upcoming",
                          headers={**HTMX, "HX-Target": "activity-results"})
    html = _html(response)
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<section id="activity-results"')
    assert "Knitting circle" in html
    assert response.headers["Vary"] and "HX-Request" in response.headers["Vary"]


def test_list_pages_with_a_next_link(client, add_activity):
    for number in range(21):
        add_activity(f"Meeting {number:02d}", days=1 + number / 24)
    first = _html(client.get("/c/centre-a/activities/"))
    assert first.count('class="card activity-card"') == 20
    assert 'href="/c/centre-a/activities/?page=2"' in first
    second = _html(client.get("/c/centre-a/activities/?page=2"))
    assert second.count('class="card activity-card"') == 1 and "Meeting 20" in second


# --- An activity's page ---------------------------------------------------------------------


def test_show_page_facts(client, db, world, add_activity):
    category = db.add(Category(centre_id=world["a"].id, name="Crafts"))
    starts = datetime(2031, 5, 12, 15, 0, tzinfo=UTC)  # 17:00 in Warsaw (summer time)
    activity = add_activity("Knitting circle", starts_at=starts,
                            ends_at=starts + timedelta(hours=2), capacity=12,
                            confirmed_count=3, category_id=category.id,
                            description="Bring wool.\n\nSee https://example.org/wool")
    html = _html(client.get(f"/c/centre-a/activities/{activity.id}"))
    assert "<h1 id=\"activity-title\">Knitting circle</h1>" in html
    assert "Monday, May 12, 2031, 5:00\u202fPM–7:00\u202fPM" in html
    assert 'datetime="2031-05-12T15:00:00+00:00"' in html
    assert "Room 2" in html and "Crafts" in html
    assert "12 places in total" in html and "3 people signed up" in html
    assert '<a href="https://example.org/wool"' in html
    assert f"/c/centre-a/activities/{activity.id}/calendar.ics" in html
    assert "Sign in to sign up" in html


def test_cancelled_activity_shows_the_reason(client, add_activity):
    activity = add_activity(status=ActivityStatus.CANCELLED, cancel_reason="The room floods.")
    html = _html(client.get(f"/c/centre-a/activities/{activity.id}"))
    assert "This activity is cancelled" in html and "The room floods." in html
    assert 'name="intent"' not in html


def test_draft_is_404_for_residents_and_shown_to_the_animator(client, world, add_activity,
                                                             new_client):
    draft = add_activity("Secret plan", status=ActivityStatus.DRAFT)
    url = f"/c/centre-a/activities/{draft.id}"
    assert client.get(url).status_code == 404
    client.login(world["resident_a"].email)
    assert client.get(url).status_code == 404
    assert client.get(url + "/calendar.ics").status_code == 404
    animator = new_client()
    animator.login(world["animator_a"].email)
    response = animator.get(url)
    html = _html(response)
    assert response.status_code == 200 and "Secret plan" in html
    assert f"/c/centre-a/manage/activities/{draft.id}/publish" in html
    assert f"/c/centre-a/manage/activities/{draft.id}/edit" in html


def test_activity_of_another_centre_is_404(client, world, add_activity):
    other = add_activity(centre=world["b"])
    assert client.get(f"/c/centre-a/activities/{other.id}").status_code == 404


def test_signup_states_for_outsiders(client, world, add_activity):
    activity = add_activity()
    client.login(world["outsider"].email)
    html = _html(client.get(f"/c/centre-a/activities/{activity.id}"))
    assert "Join the centre to sign up" in html
    response = client.post(f"/c/centre-a/activities/{activity.id}/signup",
                           data={"intent": "join"})
    assert response.status_code == 403


# --- Signing up -----------------------------------------------------------------------------


def test_sign_up_plain_post_redirects_and_records(client, db, world, add_activity):
    activity = add_activity(capacity=5)
    client.login(world["resident_a"].email)
    url = f"/c/centre-a/activities/{activity.id}"
    assert 'value="join"' in _html(client.get(url))
    response = client.post(url + "/signup", data={"intent": "join"})
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    signup = _signup(db, activity, world["resident_a"])
    assert signup.status is SignupStatus.CONFIRMED
    html = _html(client.get(url))
    assert "You have a place. See you there!" in html
    assert "Cancel my place" in html and f"{url}/ticket" in html
    # A repeated tap does not cancel, nor fail.
    assert client.post(url + "/signup", data={"intent": "join"}).status_code == 303
    assert db.count(Signup, Signup.status == SignupStatus.CONFIRMED) == 1


def test_sign_up_with_htmx_returns_the_panel(client, db, world, add_activity):
    activity = add_activity(capacity=5)
    client.login(world["resident_a"].email)
    url = f"/c/centre-a/activities/{activity.id}/signup"
    response = client.post(url, data={"intent": "join"}, headers=HTMX)
    html = _html(response)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith("<section id=\"signup\"")
    assert "You have a place." in html and 'value="cancel"' in html
    assert 'hx-swap-oob="innerHTML"' in html and "See you there!" in html
    cancelled = _html(client.post(url, data={"intent": "cancel"}, headers=HTMX))
    assert "Your place is cancelled." in cancelled and 'value="join"' in cancelled
    assert _signup(db, activity, world["resident_a"]).status is SignupStatus.CANCELLED
    assert client.post(url, data={"intent": "maybe"}).status_code == 422


def test_full_activity_puts_people_on_the_waitlist(client, db, world, make_user, make_member,
                                                   add_activity, new_client):
    activity = add_activity(capacity=1)
    url = f"/c/centre-a/activities/{activity.id}"
    first, second, third = world["resident_a"], make_user(), make_user()
    make_member(second, world["a"])
    make_member(third, world["a"])
    clients = {}
    for person in (first, second, third):
        clients[person.id] = new_client()
        clients[person.id].login(person.email)
        clients[person.id].post(url + "/signup", data={"intent": "join"})
    html = _html(clients[third.id].get(url))
    assert ("The activity is full: you are number 2 on the waitlist. We will let you know if "
            "a place frees up.") in html
    assert "You are number 2 on the waitlist." in html and "Leave the waitlist" in html
    page = _html(clients[second.id].get(url))
    assert "You are number 1 on the waitlist." in page
    # The first cancels: the first on the waitlist gets the place; the third moves up.
    clients[first.id].post(url + "/signup", data={"intent": "cancel"})
    assert _signup(db, activity, second).status is SignupStatus.CONFIRMED
    assert _signup(db, activity, third).status is SignupStatus.WAITLISTED
    assert db.get(Activity, activity.id).confirmed_count == 1
    assert "You are number 1 on the waitlist." in _html(clients[third.id].get(url))
    assert "You have a place." in _html(clients[second.id].get(url))


def test_sign_up_closed_after_the_deadline(client, world, add_activity):
    activity = add_activity(signup_deadline=_now() - timedelta(hours=1))
    client.login(world["resident_a"].email)
    url = f"/c/centre-a/activities/{activity.id}"
    assert "the deadline has passed" in _html(client.get(url))
    assert client.post(url + "/signup", data={"intent": "join"}).status_code == 409


def test_sign_up_needs_sign_in(client, add_activity):
    activity = add_activity()
    response = client.post(f"/c/centre-a/activities/{activity.id}/signup",
                           data={"intent": "join"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


# --- Volunteers -----------------------------------------------------------------------------


def test_offer_and_withdraw_help(client, db, world, add_activity):
    activity = add_activity(volunteers_needed=3)
    client.login(world["resident_a"].email)
    url = f"/c/centre-a/activities/{activity.id}"
    assert "0 of 3 helpers" in _html(client.get(url))
    assert client.post(url + "/volunteer", data={"intent": "offer"}).status_code == 303
    assert db.count(VolunteerOffer) == 1
    assert "You offered to help." in _html(client.get(url))
    panel = _html(client.post(url + "/volunteer", data={"intent": "withdraw"}, headers=HTMX))
    assert "<html" not in panel and 'value="offer"' in panel


# --- The ticket -----------------------------------------------------------------------------


def test_ticket_for_the_confirmed_member_only(client, db, world, make_user, make_member,
                                              add_activity, new_client):
    activity = add_activity(capacity=1)
    url = f"/c/centre-a/activities/{activity.id}"
    client.login(world["resident_a"].email)
    client.post(url + "/signup", data={"intent": "join"})
    response = client.get(url + "/ticket")
    html = _html(response)
    assert response.status_code == 200
    assert '<img src="data:image/svg+xml' in html and 'alt="QR code' in html
    assert 'width="' in html and 'height="' in html
    assert "http://localhost/c/centre-a/manage/activities/check-in/" in html
    assert world["resident_a"].display_name in html
    assert "style=" not in html
    waiting = make_user()
    make_member(waiting, world["a"])
    other = new_client()
    other.login(waiting.email)
    other.post(url + "/signup", data={"intent": "join"})
    assert _signup(db, activity, waiting).status is SignupStatus.WAITLISTED
    assert other.get(url + "/ticket").status_code == 404
    stranger = new_client()
    stranger.login(world["animator_a"].email)
    assert stranger.get(url + "/ticket").status_code == 404


def test_ticket_link_checks_in_for_the_animator(client, db, world, add_activity, new_client):
    import re

    activity = add_activity()
    url = f"/c/centre-a/activities/{activity.id}"
    client.login(world["resident_a"].email)
    client.post(url + "/signup", data={"intent": "join"})
    link = re.search(r'<a href="(http://localhost/[^"]+)"', _html(client.get(url + "/ticket")))
    animator = new_client()
    animator.login(world["animator_a"].email)
    assert animator.get(link.group(1).removeprefix("http://localhost")).status_code == 200


# --- Calendar files -------------------------------------------------------------------------


def test_activity_ics(client, add_activity):
    activity = add_activity("Knitting circle")
    response = client.get(f"/c/centre-a/activities/{activity.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="centre-a-{activity.id}.ics"')
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and str(events[0]["SUMMARY"]) == "Knitting circle"


def test_feed_holds_public_activities_but_no_drafts(client, add_activity):
    add_activity("Knitting circle")
    add_activity("Called off", status=ActivityStatus.CANCELLED)
    add_activity("Last week", days=-7)
    add_activity("Long ago", days=-60)
    add_activity("Secret plan", status=ActivityStatus.DRAFT)
    response = client.get("/c/centre-a/activities/calendar.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    summaries = {str(event["SUMMARY"])
                 for event in Calendar.from_ical(response.data).walk("VEVENT")}
    assert summaries == {"Knitting circle", "Called off", "Last week"}


# --- My activities, the centre's home, the proposal's page ----------------------------------


def test_my_activities_lists_upcoming_and_past(client, db, world, make_member, add_activity):
    soon = add_activity("Knitting circle")
    elsewhere = add_activity("Chess in Głogów", centre=world["b"], days=5)
    gone = add_activity("Last week picnic", days=-7)
    make_member(world["resident_a"], world["b"])
    user = world["resident_a"]
    db.add(Signup(activity_id=gone.id, user_id=user.id, status=SignupStatus.CONFIRMED))
    client.login(user.email)
    for activity, slug in ((soon, "centre-a"), (elsewhere, "centre-b")):
        client.post(f"/c/{slug}/activities/{activity.id}/signup", data={"intent": "join"})
    html = _html(client.get("/account/activities/"))
    assert "My activities" in html
    upcoming, past = html.split('id="past-heading"')
    assert "Knitting circle" in upcoming and "Chess in Głogów" in upcoming
    assert "Centre B" in upcoming and f"/c/centre-a/activities/{soon.id}/ticket" in upcoming
    assert "Last week picnic" in past
    assert 'href="/account/activities/"' in html  # the header link


def test_my_activities_needs_sign_in(client):
    assert client.get("/account/activities/").status_code == 302


def test_centre_home_shows_next_activities(client, add_activity):
    add_activity("Knitting circle", capacity=4)
    add_activity("Secret plan", status=ActivityStatus.DRAFT)
    html = _html(client.get("/c/centre-a/"))
    assert "Coming up" in html and "Knitting circle" in html and "4 places left" in html
    assert "Secret plan" not in html
    assert 'href="/c/centre-a/activities/"' in html


def test_proposal_page_lists_the_activities_realising_it(client, db, world, add_activity):
    category = db.add(Category(centre_id=world["a"].id, name="Garden"))
    proposal = db.add(Proposal(centre_id=world["a"].id, author_id=world["resident_a"].id,
                               category_id=category.id, title="A community garden",
                               body="Let us plant vegetables together behind the centre.",
                               status=ProposalStatus.PUBLISHED, published_at=_now()))
    activity = add_activity("Planting day", proposal_id=proposal.id)
    add_activity("Draft planting", proposal_id=proposal.id, status=ActivityStatus.DRAFT)
    html = _html(client.get(f"/c/centre-a/proposals/{proposal.id}"))
    assert "This proposal is realised by:" in html
    assert f'href="/c/centre-a/activities/{activity.id}"' in html
    assert "Draft planting" not in html
    page = _html(client.get(f"/c/centre-a/activities/{activity.id}"))
    assert f'href="/c/centre-a/proposals/{proposal.id}"' in page


def test_animator_role_sees_the_manager_links(client, world, add_activity, make_user,
                                              make_member):
    activity = add_activity()
    animator = make_user()
    make_member(animator, world["a"], Role.ANIMATOR)
    client.login(animator.email)
    html = _html(client.get(f"/c/centre-a/activities/{activity.id}"))
    assert f"/c/centre-a/manage/activities/{activity.id}/attendees" in html
    assert f"/c/centre-a/manage/activities/{activity.id}/cancel" in html
