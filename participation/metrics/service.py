"""The centre's figures, from SQL aggregates over the participation log and the domain tables.

``docs/metrics.md`` defines every figure; this module is that document in code. Two rules
shape it:

* **Acts that still stand.** A support taken back, an undone check-in, hours corrected to zero
  no longer count, in whichever period they were made. The log keeps the counter-entries; the
  figures net them per person and subject, so they agree with the domain tables at any time.
* **Activities count in the period they were held** (their start, in the centre's zone):
  a check-in typed in the next morning still belongs to yesterday's workshop.

No function here loops over rows in Python: each figure is one aggregate query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, distinct, func, literal, or_, select, union, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import (
    Activity,
    ActivityStatus,
    AgeBracket,
    Centre,
    ParticipationEvent,
    Proposal,
    Signup,
    SignupChannel,
    SignupStatus,
    VolunteerOffer,
    utcnow,
)
from .periods import Period

E = ParticipationEvent

# A cell counting fewer people than this is shown as "<5" outside the animators' own screens.
SMALL_CELL = 5
SUPPRESSED = "<5"

# Acts by which a person takes part, and the family each belongs to: within a family, a
# person's entries for one subject net out (a withdrawal cancels a support, an undo a check-in).
PEOPLE_FAMILIES = {
    "proposal_submitted": "proposal",
    "comment_posted": "comment",
    "support_given": "support",
    "support_withdrawn": "support",
    "checked_in": "attendance",
    "walk_in": "attendance",
    "volunteer_hours": "volunteering",
}
# Kinds whose rows carry quantity 1 but take one away.
NEGATIVE_KINDS = ("support_withdrawn",)
HELD = ActivityStatus.PUBLISHED


@dataclass(frozen=True)
class Figure:
    """One line of the dashboard: its key (API, CSV), label, and how it is shown."""

    key: str
    label: Any
    unit: str  # people | count | rate | hours
    group: str


FIGURES: tuple[Figure, ...] = (
    Figure("active_residents", _l("Active residents"), "people", "people"),
    Figure("new_residents", _l("New residents"), "people", "people"),
    Figure("returning_residents", _l("Returning residents"), "people", "people"),
    Figure("proposals_submitted", _l("Proposals submitted"), "count", "proposals"),
    Figure("proposals_published", _l("Proposals published"), "count", "proposals"),
    Figure("proposals_accepted", _l("Proposals accepted"), "count", "proposals"),
    Figure("proposals_completed", _l("Proposals completed"), "count", "proposals"),
    Figure("supports_online", _l("Supports online"), "people", "proposals"),
    Figure("supports_assisted", _l("Supports entered by an animator"), "people", "proposals"),
    Figure("supports_paper", _l("Supports on paper"), "people", "proposals"),
    Figure("comments", _l("Comments"), "count", "proposals"),
    Figure("activities_held", _l("Activities held"), "count", "activities"),
    Figure("signups", _l("Sign-ups"), "people", "activities"),
    Figure("attendance", _l("Attendance"), "people", "activities"),
    Figure("attendance_rate", _l("Attendance rate (of places offered)"), "rate", "activities"),
    Figure("no_show_rate", _l("No-show rate"), "rate", "activities"),
    Figure("waitlist_demand", _l("Still on the waitlist at the start"), "people",
           "activities"),
    Figure("walk_ins", _l("Walk-ins (members and guests)"), "people", "activities"),
    Figure("volunteers", _l("Volunteers"), "people", "activities"),
    Figure("volunteer_hours", _l("Volunteer hours"), "hours", "activities"),
    Figure("realised_initiatives", _l("Realised initiatives"), "count", "activities"),
)
FIGURE_KEYS = tuple(figure.key for figure in FIGURES)
AGE_KEYS = tuple(bracket.value for bracket in AgeBracket) + ("unknown",)


@dataclass
class Figures:
    """A centre's figures for one period. ``values`` holds exact numbers (rates 0..1 or None
    when there is nothing to divide by); ``bases`` the people each rate is taken over."""

    centre: Centre
    period: Period
    values: dict[str, int | float | None]
    ages: dict[str, int]
    bases: dict[str, int] = field(default_factory=dict)

    def public(self) -> dict[str, int | float | str | None]:
        """The figures as they may leave the animators' screen: small cells hidden."""
        shown: dict[str, int | float | str | None] = {}
        for figure in FIGURES:
            value = self.values[figure.key]
            if figure.unit == "people":
                shown[figure.key] = suppress(value)
            elif figure.unit == "rate":
                shown[figure.key] = SUPPRESSED if is_small(self.bases[figure.key]) else value
            elif figure.unit == "hours":
                shown[figure.key] = (SUPPRESSED if is_small(self.values["volunteers"])
                                     else value)
            else:
                shown[figure.key] = value
        return shown

    def public_ages(self) -> dict[str, int | str]:
        return {bracket: suppress(count) for bracket, count in self.ages.items()}


def is_small(count: int | float | None) -> bool:
    """1 to 4 people: few enough to point at someone. Nobody (0) points at no one."""
    return count is not None and 0 < count < SMALL_CELL


def suppress(count: int | float | None) -> int | float | str | None:
    return SUPPRESSED if is_small(count) else count


# --- The participation log -------------------------------------------------------------------


def _family() -> ColumnElement[str]:
    return case(*((E.kind == kind, family) for kind, family in PEOPLE_FAMILIES.items()))


def _signed_quantity() -> ColumnElement[int]:
    return case((E.kind.in_(NEGATIVE_KINDS), -E.quantity), else_=E.quantity)


def standing_acts(centre_id: int) -> Select:
    """Every act of a person at the centre that still stands, one row per (person, family,
    subject, channel), dated by its latest entry. Over the centre's whole history, because
    "new" means the first act ever."""
    family = _family().label("family")
    return (
        select(E.actor_key.label("actor"), family, E.channel.label("channel"),
               func.max(E.occurred_at).label("acted_at"),
               func.max(E.age_bracket).label("age"))
        .where(E.centre_id == centre_id, E.kind.in_(PEOPLE_FAMILIES), E.actor_key.is_not(None))
        .group_by(E.actor_key, family, E.subject_type, E.subject_id, E.channel)
        .having(func.sum(_signed_quantity()) > 0)
    )


def _in(column: ColumnElement, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def people_counts(centre: Centre, periods: list[Period]) -> list[dict[str, int]]:
    """Active, new and returning residents for each period, in one query.

    Active: distinct people with a standing act dated in the period. New: those whose first
    standing act ever at this centre is in the period. Returning: active but not new.
    """
    acts = standing_acts(centre.id).cte("acts")  # a CTE: evaluated once, read twice
    firsts = (select(acts.c.actor, func.min(acts.c.acted_at).label("first_at"))
              .group_by(acts.c.actor).subquery("firsts"))
    bounds = [period.bounds(centre.timezone) for period in periods]
    bucket = case(*((_in(acts.c.acted_at, start, end), index)
                    for index, (start, end) in enumerate(bounds)), else_=-1).label("bucket")
    first_bucket = case(*((_in(firsts.c.first_at, start, end), index)
                          for index, (start, end) in enumerate(bounds)), else_=-2)
    rows = db.session.execute(
        select(bucket, func.count(distinct(acts.c.actor)),
               func.count(distinct(case((first_bucket == bucket, acts.c.actor)))))
        .select_from(acts.join(firsts, firsts.c.actor == acts.c.actor))
        .where(_in(acts.c.acted_at, bounds[0][0], bounds[-1][1]))
        .group_by(bucket)
    ).all()
    found = {index: (active, new) for index, active, new in rows}
    counts = []
    for index in range(len(periods)):
        active, new = found.get(index, (0, 0))
        counts.append({"active_residents": active, "new_residents": new,
                       "returning_residents": active - new})
    return counts


def age_breakdown(centre: Centre, period: Period) -> dict[str, int]:
    """Active residents by age bracket (as they gave it when they acted), each counted once."""
    start, end = period.bounds(centre.timezone)
    acts = standing_acts(centre.id).subquery("acts")
    per_person = (select(acts.c.actor, func.max(acts.c.age).label("age"))
                  .where(_in(acts.c.acted_at, start, end))
                  .group_by(acts.c.actor).subquery("per_person"))
    rows = db.session.execute(
        select(per_person.c.age, func.count()).group_by(per_person.c.age)).all()
    ages = dict.fromkeys(AGE_KEYS, 0)
    for age, count in rows:
        ages[age if age in ages else "unknown"] += count
    return ages


def _support_counts(centre: Centre, start: datetime, end: datetime) -> dict[str, int]:
    """Standing supports given in the period, by channel, and paper votes entered in it."""
    acts = standing_acts(centre.id).subquery("acts")
    rows = db.session.execute(
        select(acts.c.channel, func.count())
        .where(acts.c.family == "support", _in(acts.c.acted_at, start, end))
        .group_by(acts.c.channel)).all()
    by_channel = dict(rows)
    return {"supports_online": by_channel.get("online", 0),
            "supports_assisted": by_channel.get("assisted", 0),
            "supports_paper": _paper_votes(centre, start, end)}


def _paper_votes(centre: Centre, start: datetime, end: datetime) -> int:
    """Paper votes entered in the period (corrections included)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(E.quantity), 0))
        .where(E.centre_id == centre.id, E.kind == "paper_votes_recorded",
               _in(E.occurred_at, start, end)))


def _proposal_counts(centre: Centre, start: datetime, end: datetime) -> dict[str, int]:
    """Proposals submitted in the period, and those published, accepted or completed for the
    first time in it (a proposal hidden and shown again is published once)."""
    firsts = (select(E.kind, E.subject_id, func.min(E.occurred_at).label("first_at"))
              .where(E.centre_id == centre.id,
                     E.kind.in_(("proposal_submitted", "proposal_published",
                                 "proposal_accepted", "proposal_completed")))
              .group_by(E.kind, E.subject_id).subquery("firsts"))
    rows = db.session.execute(
        select(firsts.c.kind, func.count())
        .where(_in(firsts.c.first_at, start, end)).group_by(firsts.c.kind)).all()
    by_kind = dict(rows)
    comments = db.session.scalar(
        select(func.count()).where(E.centre_id == centre.id, E.kind == "comment_posted",
                                   _in(E.occurred_at, start, end)))
    return {"proposals_submitted": by_kind.get("proposal_submitted", 0),
            "proposals_published": by_kind.get("proposal_published", 0),
            "proposals_accepted": by_kind.get("proposal_accepted", 0),
            "proposals_completed": by_kind.get("proposal_completed", 0),
            "comments": comments}


# --- Activities ------------------------------------------------------------------------------


def held_activities(centre: Centre, period: Period, now: datetime | None = None) -> Select:
    """Ids of the centre's published activities that started in the period (and by now:
    an activity starting this very moment has started, as ``has_started`` says)."""
    start, end = period.bounds(centre.timezone)
    return select(Activity.id).where(
        Activity.centre_id == centre.id, Activity.status == HELD,
        Activity.starts_at >= start, Activity.starts_at < end,
        Activity.starts_at <= (now or utcnow()))


@dataclass(frozen=True)
class ActivityRow:
    """One held activity: who signed up, who came, who waited in vain."""

    id: int
    title: str
    starts_at: datetime
    capacity: int | None
    signups: int  # confirmed, signed up beforehand (online or by an animator)
    came: int  # of those, checked in
    walk_ins: int  # members added at the door, and guests
    attendance: int  # came + walk-ins
    waitlisted: int  # still on the waitlist when it started
    volunteers: int
    volunteer_minutes: int

    @property
    def attendance_recorded(self) -> bool:
        return self.attendance > 0


def activity_rows(centre: Centre, period: Period, now: datetime | None = None
                  ) -> list[ActivityRow]:
    """Held activities of the period with their counts, earliest first (one query)."""
    held = held_activities(centre, period, now).subquery("held")
    booked = Signup.channel != SignupChannel.WALK_IN
    confirmed = Signup.status == SignupStatus.CONFIRMED
    present = Signup.checked_in_at.is_not(None)
    signups = (
        select(Signup.activity_id.label("activity_id"),
               func.count(case((and_(confirmed, booked), 1))).label("signups"),
               func.count(case((and_(confirmed, booked, present), 1))).label("came"),
               func.count(case((and_(present, ~booked), 1))).label("walk_in_members"),
               func.count(case((Signup.status == SignupStatus.WAITLISTED, 1)))
               .label("waitlisted"))
        .where(Signup.activity_id.in_(select(held.c.id)))
        .group_by(Signup.activity_id).subquery("signups"))
    helpers = (
        select(VolunteerOffer.activity_id.label("activity_id"),
               func.count().label("volunteers"),
               func.sum(VolunteerOffer.minutes).label("minutes"))
        .where(VolunteerOffer.activity_id.in_(select(held.c.id)), VolunteerOffer.minutes > 0)
        .group_by(VolunteerOffer.activity_id).subquery("helpers"))
    zero = literal(0)
    rows = db.session.execute(
        select(Activity.id, Activity.title, Activity.starts_at, Activity.capacity,
               func.coalesce(signups.c.signups, zero), func.coalesce(signups.c.came, zero),
               func.coalesce(signups.c.walk_in_members, zero) + Activity.guest_count,
               func.coalesce(signups.c.waitlisted, zero),
               func.coalesce(helpers.c.volunteers, zero), func.coalesce(helpers.c.minutes, zero))
        .outerjoin(signups, signups.c.activity_id == Activity.id)
        .outerjoin(helpers, helpers.c.activity_id == Activity.id)
        .where(Activity.id.in_(select(held.c.id)))
        .order_by(Activity.starts_at, Activity.id)).all()
    return [ActivityRow(id=id_, title=title, starts_at=starts_at, capacity=capacity,
                        signups=signed, came=came, walk_ins=walk_ins,
                        attendance=came + walk_ins, waitlisted=waiting,
                        volunteers=volunteers, volunteer_minutes=minutes)
            for id_, title, starts_at, capacity, signed, came, walk_ins, waiting, volunteers,
            minutes in rows]


def _activity_counts(centre: Centre, period: Period, now: datetime | None
                     ) -> tuple[dict[str, int | float | None], dict[str, int]]:
    """Activity figures: totals from the log where it holds them (attendance, walk-ins,
    hours), sign-ups and waitlists from the sign-up table, each as one aggregate."""
    held = held_activities(centre, period, now)
    on_signup = and_(E.subject_type == "signup",
                     E.subject_id.in_(select(Signup.id).where(Signup.activity_id.in_(held))))
    on_activity = and_(E.subject_type == "activity", E.subject_id.in_(held))
    on_offer = and_(E.subject_type == "volunteer_offer", E.subject_id.in_(
        select(VolunteerOffer.id).where(VolunteerOffer.activity_id.in_(held))))
    arrivals = E.kind.in_(("checked_in", "walk_in"))
    log = db.session.execute(
        select(func.coalesce(func.sum(case((arrivals, E.quantity), else_=0)), 0),
               func.coalesce(func.sum(case((E.kind == "walk_in", E.quantity), else_=0)), 0),
               func.coalesce(func.sum(case((E.kind == "volunteer_hours", E.quantity),
                                           else_=0)), 0))
        .where(E.centre_id == centre.id, or_(on_signup, on_activity, on_offer))).one()
    attendance, walk_ins, minutes = log

    booked = and_(Signup.status == SignupStatus.CONFIRMED,
                  Signup.channel != SignupChannel.WALK_IN)
    present = Signup.checked_in_at.is_not(None)
    # Rates are taken over activities where attendance was recorded at all: an animator who
    # did not take the register has no no-shows to report.
    register = aliased(Signup)
    recorded = or_(Activity.guest_count > 0, Activity.id.in_(
        select(register.activity_id).where(register.activity_id.in_(held),
                                           register.checked_in_at.is_not(None))))
    capped = Activity.capacity.is_not(None)
    signed, came, waitlisted, signed_recorded, came_capped = db.session.execute(
        select(func.count(case((booked, 1))),
               func.count(case((and_(booked, present), 1))),
               func.count(case((Signup.status == SignupStatus.WAITLISTED, 1))),
               func.count(case((and_(booked, recorded), 1))),
               func.count(case((and_(present, capped), 1))))
        .join(Activity, Activity.id == Signup.activity_id)
        .where(Signup.activity_id.in_(held))).one()
    held_count, places, guests_capped = db.session.execute(
        select(func.count(),
               func.coalesce(func.sum(case((and_(recorded, capped), Activity.capacity))), 0),
               func.coalesce(func.sum(case((and_(recorded, capped), Activity.guest_count))),
                             0))
        .where(Activity.id.in_(held))).one()
    volunteers = db.session.scalar(
        select(func.count(distinct(VolunteerOffer.user_id)))
        .where(VolunteerOffer.activity_id.in_(held), VolunteerOffer.minutes > 0)) or 0
    # A booked person who was checked in makes their activity "recorded", so ``came`` is
    # already counted over recorded activities only.
    capped_attendance = came_capped + guests_capped
    values: dict[str, int | float | None] = {
        "activities_held": held_count,
        "signups": signed,
        "attendance": attendance,
        "attendance_rate": capped_attendance / places if places else None,
        "no_show_rate": (signed_recorded - came) / signed_recorded if signed_recorded else None,
        "waitlist_demand": waitlisted,
        "walk_ins": walk_ins,
        "volunteers": volunteers,
        "volunteer_hours": round(minutes / 60, 1),
    }
    return values, {"attendance_rate": capped_attendance, "no_show_rate": signed_recorded}


def realised_proposals(centre: Centre, period: Period, now: datetime | None = None) -> Select:
    """Ids of proposals realised in the period: completed for the first time in it, or
    realised by an activity held in it."""
    start, end = period.bounds(centre.timezone)
    completed = (select(E.subject_id.label("id"))
                 .where(E.centre_id == centre.id, E.kind == "proposal_completed")
                 .group_by(E.subject_id)
                 .having(_in(func.min(E.occurred_at), start, end)))
    by_activity = (select(Activity.proposal_id.label("id"))
                   .where(Activity.id.in_(held_activities(centre, period, now)),
                          Activity.proposal_id.is_not(None)))
    return union(completed, by_activity)


def realised_list(centre: Centre, period: Period, now: datetime | None = None
                  ) -> list[Proposal]:
    ids = realised_proposals(centre, period, now).subquery("realised")
    return list(db.session.scalars(
        select(Proposal).where(Proposal.id.in_(select(ids.c.id)))
        .order_by(Proposal.title, Proposal.id)))


# --- Putting it together ---------------------------------------------------------------------


def _people_figures(centre: Centre, start: datetime, end: datetime
                    ) -> tuple[dict[str, int], dict[str, int]]:
    """Active, new and returning residents, standing supports by channel and the age
    breakdown of one period, in one statement: the standing acts are evaluated once."""
    acts = standing_acts(centre.id).cte("acts")
    in_period = _in(acts.c.acted_at, start, end)
    people = (select(acts.c.actor, func.min(acts.c.acted_at).label("first_at"),
                     func.max(case((in_period, 1), else_=0)).label("active"),
                     func.max(case((in_period, acts.c.age))).label("age"))
              .group_by(acts.c.actor).cte("people"))
    active = people.c.active == 1
    rows = db.session.execute(union_all(
        select(literal("age"), people.c.age, func.count()).where(active)
        .group_by(people.c.age),
        select(literal("new"), literal(None), func.count())
        .where(active, _in(people.c.first_at, start, end)),
        select(literal("support"), acts.c.channel, func.count())
        .where(acts.c.family == "support", in_period).group_by(acts.c.channel),
    )).all()
    ages = dict.fromkeys(AGE_KEYS, 0)
    supports: dict[str, int] = {}
    new = 0
    for what, key, count in rows:
        if what == "age":
            ages[key if key in ages else "unknown"] += count
        elif what == "new":
            new = count
        else:
            supports[key] = count
    active_count = sum(ages.values())
    return {"active_residents": active_count, "new_residents": new,
            "returning_residents": active_count - new,
            "supports_online": supports.get("online", 0),
            "supports_assisted": supports.get("assisted", 0)}, ages


def figures_for(centre: Centre, period: Period, now: datetime | None = None) -> Figures:
    """Every figure of the dashboard for one centre and period."""
    start, end = period.bounds(centre.timezone)
    values: dict[str, int | float | None] = {}
    people, ages = _people_figures(centre, start, end)
    values.update(people)
    values.update(_proposal_counts(centre, start, end))
    values["supports_paper"] = _paper_votes(centre, start, end)
    activity_values, bases = _activity_counts(centre, period, now)
    values.update(activity_values)
    realised = realised_proposals(centre, period, now).subquery("realised")
    values["realised_initiatives"] = db.session.scalar(
        select(func.count()).select_from(realised))
    return Figures(centre=centre, period=period, values={key: values[key] for key in FIGURE_KEYS},
                   ages=ages, bases=bases)


def figures_series(centre: Centre, periods: Iterable[Period], now: datetime | None = None
                   ) -> list[Figures]:
    return [figures_for(centre, period, now) for period in periods]


def change(current: int | float | None, previous: int | float | None) -> int | float | None:
    """The difference from the previous period, for the arrow beside a figure."""
    if current is None or previous is None:
        return None
    return current - previous
