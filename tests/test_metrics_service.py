"""The centre's figures on chosen histories: new and returning residents across the new year,
acts taken back, small cells, time-zone and clock-change edges, late check-ins and corrected
hours, and centres that never see each other's acts.

Every act goes through the real services at a chosen moment of the test clock
(``tests/clock.py``), as a request would run it (``unit_of_work``); the figures are read with
``figures_for`` as the dashboard reads them. ``tests/test_metrics_property.py`` checks the same
figures against a recomputation from the domain tables on random histories.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from participation.activities import service as activities
from participation.extensions import db as db_
from participation.metrics.periods import (
    Period,
    custom_period,
    day_period,
    month_period,
    year_period,
)
from participation.metrics.service import (
    AGE_KEYS,
    FIGURE_KEYS,
    Figures,
    figures_for,
    is_small,
    people_counts,
    suppress,
)
from participation.models import (
    Activity,
    AgeBracket,
    Centre,
    Membership,
    Proposal,
    ProposalStatus,
    Signup,
    User,
    VolunteerOffer,
)
from participation.proposals import service as proposals

from .clock import frozen_at
from .proposals_fixtures import BODY, add_members, set_centre, unit_of_work, user

S = ProposalStatus
WARSAW = ZoneInfo("Europe/Warsaw")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(*parts: int, zone: ZoneInfo = WARSAW) -> datetime:
    return datetime(*parts, tzinfo=zone)


def act(app, moment: datetime, action: Callable[[], object]):
    """Run ``action`` as one request at ``moment``; it returns plain values (ids)."""
    with frozen_at(moment), unit_of_work(app):
        return action()


def figures(app, centre_id: int, period: Period, now: datetime | None = None) -> Figures:
    with app.app_context():
        return figures_for(db_.session.get(Centre, centre_id), period,
                           now=now or utc(2030, 1, 1))


def people(app, centre_id: int, period: Period) -> tuple[int, int, int]:
    values = figures(app, centre_id, period).values
    return (values["active_residents"], values["new_residents"],
            values["returning_residents"])


# --- Acts, each returning ids -----------------------------------------------------------------


def propose(app, moment: datetime, author: int, centre_id: int, category: int) -> int:
    def run():
        centre = db_.session.get(Centre, centre_id)
        return proposals.propose(user(author), centre, "Ławki na skwerze", BODY, category).id
    return act(app, moment, run)


def publish(app, moment: datetime, animator: int, proposal_id: int) -> None:
    act(app, moment, lambda: proposals.change_status(
        user(animator), db_.session.get(Proposal, proposal_id), S.PUBLISHED))


def published_proposal(app, moment: datetime, scene, author: int | None = None) -> int:
    """A proposal of centre A, submitted and published a minute later."""
    proposal_id = propose(app, moment, author or scene.resident, scene.a, scene.category)
    publish(app, moment + timedelta(minutes=1), scene.animator, proposal_id)
    return proposal_id


def support(app, moment: datetime, member: int, proposal_id: int) -> None:
    act(app, moment, lambda: proposals.give_support(
        user(member), db_.session.get(Proposal, proposal_id)))


def withdraw(app, moment: datetime, member: int, proposal_id: int) -> None:
    act(app, moment, lambda: proposals.withdraw_support(
        user(member), db_.session.get(Proposal, proposal_id)))


def comment(app, moment: datetime, member: int, proposal_id: int) -> None:
    act(app, moment, lambda: proposals.post_comment(
        user(member), db_.session.get(Proposal, proposal_id), "Bardzo dobry pomysł"))


def new_activity(app, moment: datetime, animator: int, centre_id: int, starts: datetime, *,
                 capacity: int | None = None, volunteers: int = 0,
                 proposal_id: int | None = None) -> int:
    def run():
        details = activities.ActivityDetails(
            title="Warsztaty ceramiczne", starts_at=starts, ends_at=starts + timedelta(hours=2),
            capacity=capacity, volunteers_needed=volunteers, proposal_id=proposal_id)
        centre = db_.session.get(Centre, centre_id)
        return activities.create_activities(user(animator), centre, details, publish=True)[0].id
    return act(app, moment, run)


def activity(activity_id: int) -> Activity:
    return db_.session.get(Activity, activity_id)


def sign_up(app, moment: datetime, member: int, activity_id: int) -> int:
    return act(app, moment, lambda: activities.sign_up(user(member), activity(activity_id)).id)


def check_in(app, moment: datetime, animator: int, signup_id: int) -> None:
    act(app, moment, lambda: activities.check_in(user(animator),
                                                 db_.session.get(Signup, signup_id)))


def undo_check_in(app, moment: datetime, animator: int, signup_id: int) -> None:
    act(app, moment, lambda: activities.undo_check_in(user(animator),
                                                      db_.session.get(Signup, signup_id)))


def helper(app, moment: datetime, animator: int, member: int, activity_id: int) -> int:
    """The member offers help and the animator accepts at once; the offer's id."""
    def run():
        offer = activities.offer_help(user(member), activity(activity_id))
        activities.decide_offer(user(animator), activity(activity_id), offer.id, accept=True)
        return offer.id
    return act(app, moment, run)


def hours(app, moment: datetime, animator: int, activity_id: int, offer_id: int,
          minutes: int) -> None:
    act(app, moment, lambda: activities.record_hours(user(animator), activity(activity_id),
                                                     offer_id, minutes))


# --- New and returning residents -----------------------------------------------------------


def test_new_in_december_and_returning_in_january(app, scene):
    """X proposes in December and comments in January: new in December, returning in
    January. Y's only act, a support, is withdrawn later: Y counts nowhere, not even in the
    month the support was given. Z supports, withdraws and supports again in February: new in
    February, not in December."""
    x, y, z = add_members(app, scene.a, 3)
    december, january, february = (month_period(date(2025, 12, 1)),
                                    month_period(date(2026, 1, 1)),
                                    month_period(date(2026, 2, 1)))
    proposal_id = published_proposal(app, local(2025, 12, 10, 12), scene, author=x)
    support(app, local(2025, 12, 11, 9), y, proposal_id)
    support(app, local(2025, 12, 12, 9), z, proposal_id)
    withdraw(app, local(2025, 12, 13, 9), z, proposal_id)
    # Before Y takes the support back, Y counts in December.
    assert people(app, scene.a, december) == (2, 2, 0)
    assert figures(app, scene.a, december).values["supports_online"] == 1

    withdraw(app, local(2026, 1, 3, 9), y, proposal_id)
    comment(app, local(2026, 1, 5, 18), x, proposal_id)
    support(app, local(2026, 2, 2, 9), z, proposal_id)

    assert people(app, scene.a, december) == (1, 1, 0)  # X alone
    assert people(app, scene.a, january) == (1, 0, 1)  # X again
    assert people(app, scene.a, february) == (1, 1, 0)  # Z, whose standing support is new
    assert people(app, scene.a, year_period(2025)) == (1, 1, 0)
    assert people(app, scene.a, year_period(2026)) == (2, 1, 1)
    assert people(app, scene.a, custom_period(date(2025, 12, 1), date(2026, 2, 28))) == (2, 2, 0)
    dec, jan, feb = (figures(app, scene.a, period).values
                     for period in (december, january, february))
    assert (dec["supports_online"], jan["supports_online"], feb["supports_online"]) == (0, 0, 1)
    assert (dec["proposals_submitted"], dec["proposals_published"], jan["comments"]) == (1, 1, 1)
    # The trend asks for the three months in one query and gets the same answer.
    with app.app_context():
        centre = db_.session.get(Centre, scene.a)
        assert people_counts(centre, [december, january, february]) == [
            {"active_residents": 1, "new_residents": 1, "returning_residents": 0},
            {"active_residents": 1, "new_residents": 0, "returning_residents": 1},
            {"active_residents": 1, "new_residents": 1, "returning_residents": 0},
        ]


def test_ages_count_each_active_person_once(app, scene):
    x, y = add_members(app, scene.a, 2)
    with app.app_context():
        db_.session.get(User, x).age_bracket = AgeBracket.FROM_65_TO_74
        db_.session.commit()
    proposal_id = published_proposal(app, local(2026, 3, 2, 10), scene, author=x)
    comment(app, local(2026, 3, 3, 10), x, proposal_id)
    support(app, local(2026, 3, 4, 10), y, proposal_id)
    ages = figures(app, scene.a, month_period(date(2026, 3, 1))).ages
    assert list(ages) == list(AGE_KEYS)
    assert ages["65_74"] == 1 and ages["unknown"] == 1 and sum(ages.values()) == 2


# --- Small cells ---------------------------------------------------------------------------


def _figures(**values) -> Figures:
    bases = {"attendance_rate": values.pop("attendance_base", 0),
             "no_show_rate": values.pop("no_show_base", 0)}
    ages = values.pop("ages", dict.fromkeys(AGE_KEYS, 0))
    full = dict.fromkeys(FIGURE_KEYS, 0)
    full.update(attendance_rate=None, no_show_rate=None, volunteer_hours=0.0)
    full.update(values)
    return Figures(centre=None, period=month_period(date(2026, 1, 1)), values=full, ages=ages,
                   bases=bases)


def test_small_cells_of_people_show_as_less_than_five():
    shown = _figures(active_residents=0, new_residents=1, returning_residents=4,
                     supports_online=5, supports_assisted=2, signups=3, attendance=12,
                     proposals_submitted=2, comments=1, activities_held=1).public()
    assert shown["active_residents"] == 0  # nobody points at no one
    assert shown["new_residents"] == "<5"
    assert shown["returning_residents"] == "<5"
    assert shown["supports_online"] == 5
    assert shown["supports_assisted"] == "<5"
    assert shown["signups"] == "<5"
    assert shown["attendance"] == 12
    # Counts of things, not people, are never hidden.
    assert (shown["proposals_submitted"], shown["comments"], shown["activities_held"]) == (2, 1,
                                                                                          1)
    assert [suppress(n) for n in (0, 1, 4, 5, None)] == [0, "<5", "<5", 5, None]
    assert [is_small(n) for n in (0, 1, 4, 5, None)] == [False, True, True, False, False]


def test_rates_and_hours_are_hidden_when_too_few_people_are_behind_them():
    few = _figures(attendance_rate=0.75, attendance_base=3, no_show_rate=0.25, no_show_base=4,
                   volunteers=4, volunteer_hours=7.5).public()
    assert few["attendance_rate"] == "<5"
    assert few["no_show_rate"] == "<5"
    assert few["volunteers"] == "<5"
    assert few["volunteer_hours"] == "<5"

    enough = _figures(attendance_rate=0.75, attendance_base=5, no_show_rate=0.2, no_show_base=5,
                      volunteers=5, volunteer_hours=7.5).public()
    assert (enough["attendance_rate"], enough["no_show_rate"]) == (0.75, 0.2)
    assert (enough["volunteers"], enough["volunteer_hours"]) == (5, 7.5)

    nothing = _figures().public()
    assert (nothing["attendance_rate"], nothing["no_show_rate"]) == (None, None)
    assert (nothing["volunteers"], nothing["volunteer_hours"]) == (0, 0.0)


def test_small_age_cells_are_hidden():
    ages = dict.fromkeys(AGE_KEYS, 0) | {"25_34": 3, "unknown": 6, "75_plus": 5}
    shown = _figures(ages=ages).public_ages()
    assert shown["16_24"] == 0
    assert shown["25_34"] == "<5"
    assert (shown["75_plus"], shown["unknown"]) == (5, 6)


def test_five_supporters_are_shown_and_four_are_not(app, scene):
    members = add_members(app, scene.a, 5)
    proposal_id = published_proposal(app, local(2026, 4, 1, 10), scene, author=members[0])
    for minute, member in enumerate(members[1:]):
        support(app, local(2026, 4, 2, 10, minute), member, proposal_id)
    april = month_period(date(2026, 4, 1))
    shown = figures(app, scene.a, april).public()
    assert (shown["supports_online"], shown["active_residents"]) == ("<5", 5)
    support(app, local(2026, 4, 3, 10), members[0], proposal_id)
    assert figures(app, scene.a, april).public()["supports_online"] == 5


# --- Time zones and clock changes ----------------------------------------------------------


@pytest.mark.parametrize(("zone", "last_of_year", "first_of_next"), [
    # 23:30 on 31 December and 00:30 on 1 January, local time.
    ("Europe/Warsaw", utc(2025, 12, 31, 22, 30), utc(2025, 12, 31, 23, 30)),
    ("Europe/London", utc(2025, 12, 31, 23, 30), utc(2026, 1, 1, 0, 30)),
    ("America/New_York", utc(2026, 1, 1, 4, 30), utc(2026, 1, 1, 5, 30)),
])
def test_the_year_ends_at_local_midnight(app, scene, zone, last_of_year, first_of_next):
    set_centre(app, scene.a, timezone=zone)
    late, early = add_members(app, scene.a, 2)
    propose(app, last_of_year, late, scene.a, scene.category)
    propose(app, first_of_next, early, scene.a, scene.category)
    for period in (year_period(2025), month_period(date(2025, 12, 1)), day_period(
            date(2025, 12, 31))):
        values = figures(app, scene.a, period).values
        assert (values["proposals_submitted"], values["active_residents"]) == (1, 1), period
    for period in (year_period(2026), month_period(date(2026, 1, 1)), day_period(
            date(2026, 1, 1))):
        values = figures(app, scene.a, period).values
        assert (values["proposals_submitted"], values["new_residents"]) == (1, 1), period


def test_the_same_moment_falls_in_different_years_in_different_zones(app, scene):
    """23:30 UTC on 31 December: already 2026 in Warsaw, still 2025 in London."""
    set_centre(app, scene.b, timezone="Europe/London")
    propose(app, utc(2025, 12, 31, 23, 30), scene.resident, scene.a, scene.category)
    propose(app, utc(2025, 12, 31, 23, 30, 1), scene.resident_b, scene.b, scene.category_b)
    submitted = {(centre, year): figures(app, centre, year_period(year)).values[
        "proposals_submitted"] for centre in (scene.a, scene.b) for year in (2025, 2026)}
    assert submitted == {(scene.a, 2025): 0, (scene.a, 2026): 1,
                         (scene.b, 2025): 1, (scene.b, 2026): 0}


@pytest.mark.parametrize(("zone", "month", "bounds"), [
    # Warsaw springs forward on the last Sunday of March and falls back on October's.
    ("Europe/Warsaw", date(2026, 3, 1), (utc(2026, 2, 28, 23), utc(2026, 3, 31, 22))),
    ("Europe/Warsaw", date(2026, 10, 1), (utc(2026, 9, 30, 22), utc(2026, 10, 31, 23))),
    ("Europe/London", date(2026, 3, 1), (utc(2026, 3, 1), utc(2026, 3, 31, 23))),
    ("America/New_York", date(2026, 11, 1), (utc(2026, 11, 1, 4), utc(2026, 12, 1, 5))),
])
def test_months_with_a_clock_change_run_from_local_midnight(zone, month, bounds):
    assert month_period(month).bounds(zone) == bounds


@pytest.mark.parametrize(("day", "hours_long"), [(date(2026, 3, 29), 23),
                                                 (date(2026, 10, 25), 25),
                                                 (date(2026, 6, 1), 24)])
def test_days_of_a_clock_change_have_their_own_length(day, hours_long):
    start, end = day_period(day).bounds("Europe/Warsaw")
    assert end - start == timedelta(hours=hours_long)


def test_acts_around_clock_changes_fall_in_the_right_month_and_day(app, scene):
    members = iter(add_members(app, scene.a, 8))
    moments = [
        utc(2026, 3, 29, 0, 30),  # 01:30 CET on the day the clocks go forward
        utc(2026, 3, 29, 1, 30),  # 03:30 CEST, the same day
        utc(2026, 3, 31, 21, 30),  # 23:30 CEST on 31 March
        utc(2026, 3, 31, 22, 30),  # 00:30 on 1 April
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST on the day the clocks go back
        utc(2026, 10, 25, 1, 30),  # 02:30 CET, the second time that night
        utc(2026, 10, 31, 22, 30),  # 23:30 CET on 31 October
        utc(2026, 10, 31, 23, 30),  # 00:30 on 1 November
    ]
    for moment in moments:
        propose(app, moment, next(members), scene.a, scene.category)

    def submitted(period: Period) -> int:
        return figures(app, scene.a, period).values["proposals_submitted"]

    assert submitted(month_period(date(2026, 3, 1))) == 3
    assert submitted(month_period(date(2026, 4, 1))) == 1
    assert submitted(day_period(date(2026, 3, 29))) == 2
    assert submitted(month_period(date(2026, 10, 1))) == 3
    assert submitted(month_period(date(2026, 11, 1))) == 1
    assert submitted(day_period(date(2026, 10, 25))) == 2
    assert figures(app, scene.a, month_period(date(2026, 10, 1))).values[
        "active_residents"] == 3


def test_an_activity_just_after_midnight_in_summer_time_is_held_in_its_local_month(app, scene):
    """A night walk at 00:30 on 1 April, summer time (22:30 UTC on 31 March), is April's:
    two days after the clocks went forward, March ends at 22:00 UTC, not 23:00."""
    activity_id = new_activity(app, local(2026, 3, 20, 10), scene.animator, scene.a,
                               local(2026, 4, 1, 0, 30))
    member = add_members(app, scene.a, 1)[0]
    signup_id = sign_up(app, local(2026, 3, 21, 10), member, activity_id)
    check_in(app, local(2026, 4, 1, 0, 35), scene.animator, signup_id)
    march, april = (figures(app, scene.a, month_period(date(2026, month, 1))).values
                    for month in (3, 4))
    assert (march["activities_held"], april["activities_held"]) == (0, 1)
    assert (march["attendance"], april["attendance"]) == (0, 1)


# --- Late check-ins, undone check-ins, corrected hours ----------------------------------------


def test_attendance_and_hours_belong_to_the_activity_and_corrections_count(app, scene):
    p, q, v = add_members(app, scene.a, 3)
    january, february = month_period(date(2026, 1, 1)), month_period(date(2026, 2, 1))
    starts = local(2026, 1, 31, 18)
    activity_id = new_activity(app, local(2026, 1, 10, 10), scene.animator, scene.a, starts,
                               capacity=10, volunteers=1)
    p_signup = sign_up(app, local(2026, 1, 12, 10), p, activity_id)
    q_signup = sign_up(app, local(2026, 1, 12, 11), q, activity_id)
    offer_id = helper(app, local(2026, 1, 12, 12), scene.animator, v, activity_id)
    check_in(app, local(2026, 1, 31, 18, 5), scene.animator, p_signup)
    hours(app, local(2026, 1, 31, 20, 30), scene.animator, activity_id, offer_id, 120)
    # The next morning, in the next month: Q's check-in and two guests are typed in late.
    check_in(app, local(2026, 2, 1, 9), scene.animator, q_signup)
    act(app, local(2026, 2, 1, 9, 1),
        lambda: activities.change_guests(user(scene.animator), activity(activity_id), 2))

    jan, feb = (figures(app, scene.a, period).values for period in (january, february))
    assert jan["activities_held"] == 1 and feb["activities_held"] == 0
    assert (jan["signups"], jan["attendance"], jan["walk_ins"], jan["no_show_rate"]) == (
        2, 4, 2, 0.0)
    assert jan["attendance_rate"] == 4 / 10
    assert (jan["volunteers"], jan["volunteer_hours"]) == (1, 2.0)
    assert (feb["attendance"], feb["volunteers"], feb["volunteer_hours"]) == (0, 0, 0.0)
    # People are dated by their act as recorded: P and V in January, Q on 1 February.
    assert people(app, scene.a, january) == (2, 2, 0)
    assert people(app, scene.a, february) == (1, 1, 0)

    # P's check-in was a wrong tap, undone in February: P leaves January's figures.
    undo_check_in(app, local(2026, 2, 2, 9), scene.animator, p_signup)
    jan = figures(app, scene.a, january).values
    assert (jan["attendance"], jan["no_show_rate"]) == (3, 0.5)
    assert people(app, scene.a, january) == (1, 1, 0)  # V alone
    assert people(app, scene.a, february) == (1, 1, 0)  # Q; P counts nowhere

    # V's hours corrected from 2 h to 1.5 h: January's hours change with them. "Dated by when
    # the hours last changed" (docs/metrics.md) moves V to February too.
    hours(app, local(2026, 2, 3, 9), scene.animator, activity_id, offer_id, 90)
    jan = figures(app, scene.a, january).values
    assert (jan["volunteers"], jan["volunteer_hours"]) == (1, 1.5)
    assert people(app, scene.a, february) == (2, 2, 0)

    # Corrected to nothing: V volunteered no time and counts nowhere.
    hours(app, local(2026, 2, 4, 9), scene.animator, activity_id, offer_id, 0)
    jan = figures(app, scene.a, january).values
    assert (jan["volunteers"], jan["volunteer_hours"]) == (0, 0.0)
    assert people(app, scene.a, january) == (0, 0, 0)
    assert people(app, scene.a, february) == (1, 1, 0)
    with app.app_context():
        assert db_.session.get(VolunteerOffer, offer_id).minutes == 0


def test_an_activity_starting_this_very_moment_is_held(app, scene):
    starts = local(2026, 5, 10, 17)
    activity_id = new_activity(app, local(2026, 5, 1, 10), scene.animator, scene.a, starts)
    may = month_period(date(2026, 5, 1))
    assert figures(app, scene.a, may, now=starts - timedelta(seconds=1)).values[
        "activities_held"] == 0
    assert figures(app, scene.a, may, now=starts).values["activities_held"] == 1
    with app.app_context():
        assert activities.has_started(db_.session.get(Activity, activity_id), now=starts)


def test_realised_initiatives_count_each_proposal_once(app, scene):
    proposal_id = published_proposal(app, local(2026, 6, 1, 10), scene)
    for step in (S.UNDER_REVIEW, S.ACCEPTED, S.IN_PROGRESS):
        act(app, local(2026, 6, 2, 10), lambda step=step: proposals.change_status(
            user(scene.animator), db_.session.get(Proposal, proposal_id), step))
    new_activity(app, local(2026, 6, 3, 10), scene.animator, scene.a, local(2026, 6, 20, 17),
                 proposal_id=proposal_id)
    new_activity(app, local(2026, 6, 3, 11), scene.animator, scene.a, local(2026, 6, 27, 17),
                 proposal_id=proposal_id)
    act(app, local(2026, 6, 28, 10), lambda: proposals.change_status(
        user(scene.animator), db_.session.get(Proposal, proposal_id), S.COMPLETED))
    june = figures(app, scene.a, month_period(date(2026, 6, 1))).values
    assert (june["realised_initiatives"], june["proposals_accepted"],
            june["proposals_completed"], june["activities_held"]) == (1, 1, 1, 2)


# --- Centres never see each other's acts -----------------------------------------------------


def test_another_centres_acts_never_leak(app, scene):
    """Someone who belongs to both centres acts only at B: A's figures stay A's alone, and
    their first act at A, months later, makes them new at A."""
    shared = add_members(app, scene.b, 1)[0]
    with app.app_context():
        db_.session.add(Membership(user_id=shared, centre_id=scene.a))
        db_.session.commit()
    # A's own life: one proposal by its resident.
    propose(app, local(2026, 3, 1, 10), scene.resident, scene.a, scene.category)
    # B's: a proposal by the shared member, published, supported, commented, paper votes; an
    # activity with a sign-up, a check-in, guests and a helper's hours.
    proposal_b = propose(app, local(2026, 3, 2, 10), shared, scene.b, scene.category_b)
    publish(app, local(2026, 3, 2, 11), scene.animator_b, proposal_b)
    support(app, local(2026, 3, 3, 10), scene.resident_b, proposal_b)
    comment(app, local(2026, 3, 3, 11), shared, proposal_b)
    act(app, local(2026, 3, 3, 12), lambda: proposals.record_paper_tally(
        user(scene.animator_b), db_.session.get(Proposal, proposal_b), 7, "Zebranie"))
    activity_b = new_activity(app, local(2026, 3, 4, 10), scene.animator_b, scene.b,
                              local(2026, 3, 20, 17), capacity=5, volunteers=1,
                              proposal_id=proposal_b)
    signup_b = sign_up(app, local(2026, 3, 5, 10), shared, activity_b)
    offer_b = helper(app, local(2026, 3, 5, 11), scene.animator_b, scene.resident_b, activity_b)
    check_in(app, local(2026, 3, 20, 17, 5), scene.animator_b, signup_b)
    act(app, local(2026, 3, 20, 17, 6),
        lambda: activities.change_guests(user(scene.animator_b), activity(activity_b), 3))
    hours(app, local(2026, 3, 20, 20), scene.animator_b, activity_b, offer_b, 180)

    march, year = month_period(date(2026, 3, 1)), year_period(2026)
    for period in (march, year):
        a = figures(app, scene.a, period)
        expected = dict.fromkeys(FIGURE_KEYS, 0) | {
            "active_residents": 1, "new_residents": 1, "proposals_submitted": 1,
            "attendance_rate": None, "no_show_rate": None, "volunteer_hours": 0.0}
        assert a.values == expected
        assert sum(a.ages.values()) == 1

        b = figures(app, scene.b, period).values
        assert (b["active_residents"], b["proposals_submitted"], b["supports_online"],
                b["supports_paper"], b["comments"]) == (2, 1, 1, 7, 1)
        assert (b["activities_held"], b["signups"], b["attendance"], b["walk_ins"],
                b["volunteers"], b["volunteer_hours"], b["realised_initiatives"]) == (
            1, 1, 4, 3, 1, 3.0, 1)

    # The shared member's first act at A is new at A, whatever they did at B before.
    propose(app, local(2026, 5, 5, 10), shared, scene.a, scene.category)
    assert people(app, scene.a, month_period(date(2026, 5, 1))) == (1, 1, 0)
    assert people(app, scene.b, month_period(date(2026, 5, 1))) == (0, 0, 0)
