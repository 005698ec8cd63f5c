"""The activity pages issue the same number of SQL statements whatever the amount of data:
no N+1 on the lists residents and animators open most (a complaint about peers' platforms).

Two centres, one small and one large: 5 activities with 3 people each against 60 activities
with 40 people each (and a door list of 40 against one of 3). A page whose queries grow with
rows would count differently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from participation.extensions import db as _db
from participation.models import (
    Activity,
    ActivityStatus,
    Centre,
    Membership,
    Role,
    Signup,
    SignupStatus,
    User,
    VolunteerOffer,
    VolunteerStatus,
)

from .test_proposal_pages import counting_queries


def _seed(app, slug: str, *, activities: int, people: int, viewer_id: int,
          animator_id: int) -> dict:
    """A centre with ``activities`` upcoming and as many past ones, each with ``people``
    confirmed (the last two of them waitlisted when full) and one helper; the viewer holds a
    place in each, so "My activities" grows too."""
    now = datetime.now(UTC)
    with app.app_context():
        centre = Centre(slug=slug, name=slug.title(), city="Warszawa")
        _db.session.add(centre)
        _db.session.flush()
        members = [User(display_name=f"{slug} {n}", email=f"{slug}{n}@example.org")
                   for n in range(people)]
        _db.session.add_all(members)
        _db.session.flush()
        _db.session.add_all(Membership(user_id=u.id, centre_id=centre.id) for u in members)
        _db.session.add_all([Membership(user_id=viewer_id, centre_id=centre.id),
                             Membership(user_id=animator_id, centre_id=centre.id,
                                        role=Role.ANIMATOR)])
        ids = []
        for number in range(activities * 2):
            past = number % 2 == 1
            start = now + timedelta(days=number + 1) * (-1 if past else 1)
            activity = Activity(centre_id=centre.id, title=f"Zajęcia {number}", place="Sala",
                                starts_at=start, ends_at=start + timedelta(hours=2),
                                capacity=people, status=ActivityStatus.PUBLISHED,
                                volunteers_needed=1)
            _db.session.add(activity)
            _db.session.flush()
            ids.append(activity.id)
            for position, member in enumerate(members[: people - 2]):
                _db.session.add(Signup(activity_id=activity.id, user_id=member.id,
                                       status=SignupStatus.CONFIRMED, confirmed_at=now,
                                       checked_in_at=now if position % 2 else None))
            _db.session.add(Signup(activity_id=activity.id, user_id=viewer_id,
                                   status=SignupStatus.CONFIRMED, confirmed_at=now))
            activity.confirmed_count = people - 1
            _db.session.add(Signup(activity_id=activity.id, user_id=members[-1].id,
                                   status=SignupStatus.WAITLISTED, waitlist_position=1))
            activity.waitlist_issued = 1
            _db.session.add(VolunteerOffer(activity_id=activity.id, user_id=members[0].id,
                                           status=VolunteerStatus.CONFIRMED, minutes=90))
        _db.session.commit()
        return {"slug": slug, "activity": ids[0]}


PAGES = [
    "/c/{slug}/activities/",
    "/c/{slug}/activities/?when=past",
    "/c/{slug}/activities/{activity}",
    "/c/{slug}/activities/calendar.ics",
    "/c/{slug}/",
    "/c/{slug}/manage/activities/",
    "/c/{slug}/manage/activities/{activity}/attendees",
]


@pytest.mark.parametrize("path", PAGES)
def test_activity_pages_issue_the_same_queries_for_small_and_large_centres(
        app, client, make_user, path):
    viewer = make_user("viewer@example.org")
    animator = make_user("animator@example.org")
    small = _seed(app, "small", activities=5, people=3, viewer_id=viewer.id,
                  animator_id=animator.id)
    large = _seed(app, "large", activities=30, people=40, viewer_id=viewer.id,
                  animator_id=animator.id)
    client.login("animator@example.org" if "/manage/" in path else "viewer@example.org")
    counts = []
    for centre in (small, large):
        url = path.format(**centre)
        client.get(url)  # warm-up: the first page after sign-in shows a flash message
        with counting_queries(app) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], (path, counts)


def test_my_activities_issue_the_same_queries_with_few_and_many_places(app, client, make_user):
    few, many = make_user("few@example.org"), make_user("many@example.org")
    animator = make_user("animator@example.org")
    _seed(app, "few", activities=2, people=3, viewer_id=few.id, animator_id=animator.id)
    _seed(app, "many", activities=30, people=3, viewer_id=many.id, animator_id=animator.id)
    counts = []
    for email in ("few@example.org", "many@example.org"):
        client.login(email)
        client.get("/account/activities/")
        with counting_queries(app) as statements:
            assert client.get("/account/activities/").status_code == 200
        counts.append(len(statements))
        client.post("/account/logout")
    assert counts[0] == counts[1], counts
