"""Invariant 4 of DESIGN.md: every figure of the dashboard equals a plain recomputation from
the domain tables.

Hypothesis writes random histories of acts through the real services (proposals and their
status machine, supports online and assisted, withdrawals and supports given again, paper
tallies and their corrections, comments, activities with or without places and linked
proposals, sign-ups, the waitlist, cancellations, check-ins and their undoing, walk-ins,
guests, helpers and their hours), each act at its own moment on the test clock, over about
three years and often a few minutes either side of a month's edge in one centre's zone or the
other's. Each act mostly takes what fits it (a sign-up goes to an activity still ahead, an
undo to a checked-in place), sometimes anything recent, so refusals happen too; acts the
rules refuse are rolled back, as a request would be.

Then, for months, quarters, years, custom ranges and the periods before them, every figure of
``figures_for`` (values, bases of the rates, age breakdown), the monthly trend of
``people_counts``, the per-activity rows and the list of realised initiatives are compared with
``Tables.expected``: the definitions of docs/metrics.md written again in Python over Proposal,
StatusChange, Support, PaperTally, Comment, Activity, Signup, VolunteerOffer and User, never
over the participation log and never through the metrics service. The period's bounds are
converted to UTC here with zoneinfo, not with ``Period.bounds``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from participation.activities import service as activities
from participation.errors import DomainError
from participation.extensions import db as db_
from participation.metrics import service as metrics
from participation.metrics.periods import (
    Period,
    custom_period,
    month_period,
    quarter_period,
    trailing_months,
    year_period,
)
from participation.models import (
    AUTHOR_TRANSITIONS,
    PUBLIC_STATUSES,
    SUPPORTABLE_STATUSES,
    TRANSITIONS,
    Activity,
    ActivityStatus,
    AgeBracket,
    Centre,
    Comment,
    Membership,
    PaperTally,
    Proposal,
    ProposalStatus,
    Role,
    Signup,
    SignupChannel,
    SignupStatus,
    StatusChange,
    Support,
    User,
    VolunteerOffer,
    VolunteerStatus,
)
from participation.proposals import service as proposals
from participation.proposals.service import ensure_default_categories

from .clock import frozen_at

S = ProposalStatus
ZONES = {"a": "Europe/Warsaw", "b": "America/New_York"}
# The history starts somewhere in 2024 and runs for about three years.
FIRST_MOMENT = datetime(2024, 1, 1, tzinfo=UTC)
AGES = (None, AgeBracket.FROM_16_TO_24, AgeBracket.FROM_25_TO_34, AgeBracket.FROM_65_TO_74,
        None, AgeBracket.UNDER_16, AgeBracket.FROM_75, AgeBracket.FROM_35_TO_49)
BODY = "Zróbmy to razem na naszym podwórku, proszę."
_numbers = itertools.count(1)
MOVABLE = [status for status, targets in TRANSITIONS.items() if targets]


def _month_edges(zone: str) -> list[datetime]:
    """Local midnights starting each month of 2024–2027, in UTC (both DST seasons)."""
    tz = ZoneInfo(zone)
    return [datetime(year, month, 1, tzinfo=tz).astimezone(UTC)
            for year in range(2024, 2028) for month in range(1, 13)]


EDGES = sorted({edge for zone in ZONES.values() for edge in _month_edges(zone)})


def _next_edge(after: datetime) -> datetime:
    return next((edge for edge in EDGES if edge > after), EDGES[-1])


# --- What Hypothesis draws ------------------------------------------------------------------

# How far the clock moves before an act: the same sitting, a few days, weeks, a season; or to
# the next month's edge in one of the two zones (exactly midnight, a second before, or a few
# minutes either side). Repeated branches weigh the draw: mostly acts close together.
_SITTING = st.tuples(st.just("seconds"), st.integers(1, 3600))
_DAYS = st.tuples(st.just("seconds"), st.integers(3600, 4 * 86400))
_EDGE = st.tuples(st.just("edge"), st.integers(-5400, 5400))
_ON_EDGE = st.tuples(st.just("edge"), st.sampled_from([0, -1]))  # midnight, a second before
GAPS = st.one_of(
    _SITTING, _SITTING, _SITTING, _SITTING, _DAYS, _DAYS, _DAYS, _EDGE, _EDGE, _ON_EDGE,
    st.tuples(st.just("seconds"), st.integers(4 * 86400, 45 * 86400)),
    st.tuples(st.just("seconds"), st.integers(45 * 86400, 160 * 86400)),
)
# Operations, repeated to weigh them. A step that lacks its object (a check-in with nobody
# signed up) first does what it lacks (a sign-up) at the same moment, then itself.
OPS = (
    ["propose"] * 3 + ["move"] * 4 + ["support"] * 3 + ["assisted_support"] * 2
    + ["withdraw_support"] * 2 + ["paper"] * 2 + ["comment"] * 2
    + ["create_activity"] * 3 + ["publish_activity"] + ["cancel_activity"]
    + ["sign_up"] * 4 + ["sign_up_for"] * 2 + ["cancel_signup"] * 2
    + ["check_in"] * 4 + ["undo_check_in"] * 2 + ["walk_in"] * 2 + ["guests"] * 2
    + ["offer_help"] * 2 + ["decide_offer"] * 2 + ["record_hours"] * 4
)
STEP = st.tuples(GAPS, st.sampled_from(OPS), st.sampled_from("aab"),
                 st.integers(0, 999), st.integers(0, 999), st.integers(0, 999))


# --- The world of one example ---------------------------------------------------------------


@dataclass
class World:
    """Two new centres (so examples never see each other's rows), their people."""

    centres: dict[str, int]
    animators: dict[str, int]
    members: dict[str, list[int]]  # residents, people of both centres, and the animator
    # (person, proposal) whose support was taken back: supporting again is its own act.
    withdrawn: dict[str, list[tuple[int, int]]] = field(
        default_factory=lambda: {key: [] for key in ZONES})


def _new_world(app: Flask) -> World:
    with app.app_context():
        centres, animators, members = {}, {}, {}
        shared = []
        for key, zone in ZONES.items():
            number = next(_numbers)
            centre = Centre(slug=f"prop-{number}", name=f"Centre {number}", city="Warszawa",
                            timezone=zone, support_threshold=3 if key == "a" else 15,
                            proposals_need_approval=key == "a")
            db_.session.add(centre)
            db_.session.flush()
            ensure_default_categories(centre)
            centres[key] = centre.id

        def person(age) -> User:
            number = next(_numbers)
            row = User(display_name=f"Person {number}", email=f"person{number}@example.org",
                       age_bracket=age)
            db_.session.add(row)
            db_.session.flush()
            return row

        ages = itertools.cycle(AGES)
        shared = [person(next(ages)) for _ in range(2)]
        for key, centre_id in centres.items():
            animator = person(next(ages))
            db_.session.add(Membership(user_id=animator.id, centre_id=centre_id,
                                       role=Role.ANIMATOR))
            residents = [person(next(ages)) for _ in range(5)] + shared
            for resident in residents:
                db_.session.add(Membership(user_id=resident.id, centre_id=centre_id))
            animators[key] = animator.id
            members[key] = [resident.id for resident in residents] + [animator.id]
        db_.session.commit()
        return World(centres, animators, members)


def _pick(rows: list, index: int):
    return rows[index % len(rows)] if rows else None


def _recent(rows: list, index: int):
    """One of the last few rows: people act on what is current, not on last year's poster."""
    return rows[-1 - index % min(len(rows), 4)] if rows else None


def _ids(query) -> list[int]:
    return list(db_.session.scalars(query))


class Skip(Exception):
    """The step would do nothing (a terminal proposal, a checked-in place to cancel)."""


class Missing(Exception):
    """Nothing to act on yet (no proposal, no activity, no offer): do ``instead`` first."""

    def __init__(self, instead: str) -> None:
        super().__init__(instead)
        self.instead = instead


@dataclass
class History:
    """What the example did: enough to choose periods and to explain a failure."""

    done: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    moments: list[datetime] = field(default_factory=list)


def _run_step(world: World, op: str, key: str, i: int, j: int, k: int,
              moment: datetime) -> Callable[[], None] | None:
    """One act through the real service, on the centre ``key``; indices choose its targets.
    May return what to remember once the act is committed."""
    centre_id = world.centres[key]
    centre = db_.session.get(Centre, centre_id)
    animator = db_.session.get(User, world.animators[key])
    member_id = _pick(world.members[key], i)
    member = db_.session.get(User, member_id)
    proposal_ids = _ids(select(Proposal.id).where(Proposal.centre_id == centre_id)
                        .order_by(Proposal.id))
    activity_ids = _ids(select(Activity.id).where(Activity.centre_id == centre_id)
                        .order_by(Activity.id))
    published = select(Activity.id).where(Activity.centre_id == centre_id,
                                          Activity.status == ActivityStatus.PUBLISHED)
    # Mostly what the act fits (a sign-up for what is still ahead), sometimes anything recent,
    # so the services' refusals are exercised too.
    upcoming_ids = _ids(published.where(Activity.starts_at > moment).order_by(Activity.id))
    published_ids = _ids(published.order_by(Activity.id))

    def a_proposal(statuses=None) -> Proposal:
        rows = proposal_ids
        if statuses is not None and k % 5:
            rows = _ids(select(Proposal.id).where(Proposal.centre_id == centre_id,
                                                  Proposal.status.in_(statuses))
                        .order_by(Proposal.id))
        if not rows:
            raise Missing("publish_proposal" if proposal_ids else "propose")
        return db_.session.get(Proposal, _recent(rows, j))

    def an_activity(fitting: list[int] | None = None) -> Activity:
        rows = fitting if fitting is not None and k % 5 else activity_ids
        if not rows:
            raise Missing("create_activity")
        return db_.session.get(Activity, _recent(rows, j))

    def a_signup(*fitting, among=published_ids) -> Signup:
        """A recent confirmed place at one of the centre's activities, mostly one that fits."""
        query = select(Signup).where(Signup.activity_id.in_(among),
                                     Signup.status == SignupStatus.CONFIRMED)
        if k % 5:
            query = query.where(*fitting)
        rows = list(db_.session.scalars(query.order_by(Signup.id)))
        if not rows:
            raise Missing("sign_up")
        return _recent(rows, j)

    def an_offer(*fitting, missing: str) -> VolunteerOffer:
        query = select(VolunteerOffer).where(VolunteerOffer.activity_id.in_(published_ids))
        if k % 5:
            query = query.where(*fitting)
        rows = list(db_.session.scalars(query.order_by(VolunteerOffer.id)))
        if not rows:
            raise Missing(missing)
        return _recent(rows, j)

    if op == "propose":
        category = db_.session.scalar(select(proposals.Category.id).where(
            proposals.Category.centre_id == centre_id).order_by(proposals.Category.id))
        proposals.propose(member, centre, f"Pomysł numer {j}", BODY, category)
    elif op == "publish_proposal":
        submitted = _ids(select(Proposal.id).where(Proposal.centre_id == centre_id,
                                                   Proposal.status == S.SUBMITTED))
        if not submitted:
            raise Missing("propose")
        proposals.change_status(animator, db_.session.get(Proposal, _recent(submitted, j)),
                                S.PUBLISHED)
    elif op == "move":
        proposal = a_proposal(MOVABLE)
        allowed = sorted(TRANSITIONS[proposal.status])
        if not allowed:
            raise Skip
        target = _pick(allowed, k)
        actor = (db_.session.get(User, proposal.author_id)
                 if (proposal.status, target) in AUTHOR_TRANSITIONS else animator)
        proposals.change_status(actor, proposal, target, "Powód zmiany")
    elif op == "support":
        again = world.withdrawn[key]
        if again and i % 3 == 0:  # the same person supports the same proposal again
            member_id, proposal_id = _recent(again, j)
            proposals.give_support(db_.session.get(User, member_id),
                                   db_.session.get(Proposal, proposal_id))
        else:
            proposals.give_support(member, a_proposal(SUPPORTABLE_STATUSES))
    elif op == "assisted_support":
        proposals.record_assisted_support(animator, a_proposal(SUPPORTABLE_STATUSES),
                                          member_id)
    elif op == "withdraw_support":
        standing = list(db_.session.scalars(select(Support).where(
            Support.proposal_id.in_(proposal_ids)).order_by(Support.id)))
        if standing and k % 5:
            support = _recent(standing, j)
            member = db_.session.get(User, support.user_id)
            proposal = db_.session.get(Proposal, support.proposal_id)
        else:
            proposal = a_proposal(SUPPORTABLE_STATUSES)
        if proposals.withdraw_support(member, proposal):
            return lambda: world.withdrawn[key].append((member.id, proposal.id))
    elif op == "paper":
        votes = (k % 9) + 1 if k % 3 else -((k % 4) + 1)  # a correction now and then
        proposals.record_paper_tally(animator, a_proposal(SUPPORTABLE_STATUSES), votes,
                                     "Zebranie mieszkańców")
    elif op == "comment":
        proposals.post_comment(member, a_proposal(PUBLIC_STATUSES), f"Dobry pomysł {k}")
    elif op in ("create_activity", "create_draft"):
        if j % 3 == 0:  # at a month's edge, or a few minutes either side
            start = _next_edge(moment + timedelta(days=1)) + timedelta(
                seconds=0 if k % 4 == 0 else (k * 37) % 10800 - 5400)
        else:
            start = moment + timedelta(minutes=30 + (k * 211) % (30 * 24 * 60))
        public = [pid for pid in proposal_ids
                  if db_.session.get(Proposal, pid).status in PUBLIC_STATUSES]
        details = activities.ActivityDetails(
            title=f"Zajęcia {j}", starts_at=start, ends_at=start + timedelta(hours=2),
            capacity=None if k % 3 == 0 else (k % 4) + 1,
            proposal_id=_pick(public, k) if public and i % 3 == 0 else None,
            volunteers_needed=0 if k % 5 == 4 else 1 + k % 2)
        weekly = (start.astimezone(ZoneInfo(centre.timezone)).date() + timedelta(days=14)
                  if j % 7 == 0 else None)
        activities.create_activities(animator, centre, details, repeat_weekly_until=weekly,
                                     publish=op == "create_activity" and i % 4 != 3)
    elif op == "publish_activity":
        drafts = _ids(select(Activity.id).where(
            Activity.centre_id == centre_id, Activity.status == ActivityStatus.DRAFT,
            Activity.starts_at > moment).order_by(Activity.id))
        if not drafts:
            raise Missing("create_draft")
        activities.publish_activity(animator, an_activity(drafts))
    elif op == "cancel_activity":
        activities.cancel_activity(animator, an_activity(published_ids), "Choroba prowadzącej")
    elif op == "sign_up":
        activities.sign_up(member, an_activity(upcoming_ids))
    elif op == "sign_up_for":
        activities.sign_up_for(animator, an_activity(upcoming_ids), member_id)
    elif op == "cancel_signup":
        rows = list(db_.session.scalars(select(Signup).where(
            Signup.activity_id.in_(upcoming_ids if k % 5 else activity_ids),
            Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)))
            .order_by(Signup.id)))
        if not rows:
            raise Missing("sign_up")
        signup = _recent(rows, i)  # may be checked in already: the service refuses (Conflict)
        by_animator = k % 2 == 0
        activities.cancel_signup(animator if by_animator else signup.user, signup.activity,
                                 signup.user_id if by_animator else None)
    elif op == "check_in":
        activities.check_in(animator, a_signup(Signup.checked_in_at.is_(None)))
    elif op == "undo_check_in":
        activities.undo_check_in(animator, a_signup(Signup.checked_in_at.is_not(None)))
    elif op == "walk_in":
        activities.add_walk_in(animator, an_activity(published_ids), member_id)
    elif op == "guests":
        activity = an_activity(published_ids)
        activities.change_guests(animator, activity, (k % 3) + 1 if k % 4 else -1)
    elif op == "offer_help":
        activities.offer_help(member, an_activity(upcoming_ids))
    elif op == "decide_offer":
        offer = an_offer(VolunteerOffer.status == VolunteerStatus.OFFERED,
                         missing="offer_help")
        activities.decide_offer(animator, db_.session.get(Activity, offer.activity_id), offer.id,
                                accept=k % 4 != 0)
    elif op == "record_hours":
        offer = an_offer(VolunteerOffer.status == VolunteerStatus.CONFIRMED,
                         missing="decide_offer")
        minutes = (0, 30, 45, 60, 90, 125, 240)[k % 7]
        activities.record_hours(animator, db_.session.get(Activity, offer.activity_id),
                                offer.id, minutes)
    else:  # pragma: no cover - the list above is the whole vocabulary
        raise AssertionError(op)


def replay(app: Flask, world: World, steps) -> History:
    """Run the steps in time order, each as its own request at its own moment."""
    history = History()
    moment = FIRST_MOMENT
    for gap, op, key, i, j, k in steps:
        kind, amount = gap
        if kind == "edge":
            moment = max(moment + timedelta(seconds=1),
                         _next_edge(moment) + timedelta(seconds=amount))
        else:
            moment = moment + timedelta(seconds=amount)
        history.moments.append(moment)
        with frozen_at(moment):
            _run(app, history, world, op, key, i, j, k, moment)
    return history


def _run(app: Flask, history: History, world: World, op: str, key: str, i: int, j: int, k: int,
         moment: datetime, tries: int = 3) -> bool:
    """One request: commit the act, or roll back a refusal. When the act lacks something (no
    offer to accept yet), do that first, as its own request, then try the act again."""
    with app.app_context():
        try:
            remember = _run_step(world, op, key, i, j, k, moment)
        except Missing as missing:
            db_.session.rollback()
            instead = missing.instead
        except (DomainError, Skip):
            db_.session.rollback()
            history.refused[op] += 1
            return False
        else:
            db_.session.commit()
            history.done[op] += 1
            if remember is not None:
                remember()
            return True
    if tries and _run(app, history, world, instead, key, i, j, k, moment, tries - 1):
        return _run(app, history, world, op, key, i, j, k, moment, tries - 1)
    return False


# --- The definitions, again, in plain Python over the domain tables -------------------------


def utc_bounds(period: Period, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    start = datetime.combine(period.start, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


@dataclass
class Tables:
    """One centre's rows, read once."""

    zone: str
    proposals: list[Proposal]
    changes: list[StatusChange]
    supports: list[Support]
    tallies: list[PaperTally]
    comments: list[Comment]
    activities: list[Activity]
    signups: list[Signup]
    offers: list[VolunteerOffer]
    ages: dict[int, str]

    @classmethod
    def read(cls, centre_id: int) -> Tables:
        centre = db_.session.get(Centre, centre_id)
        proposal_ids = select(Proposal.id).where(Proposal.centre_id == centre_id)
        activity_ids = select(Activity.id).where(Activity.centre_id == centre_id)

        def rows(model, *where):
            return list(db_.session.scalars(select(model).where(*where)))

        members = rows(User, User.id.in_(
            select(Membership.user_id).where(Membership.centre_id == centre_id)))
        return cls(
            zone=centre.timezone,
            proposals=rows(Proposal, Proposal.centre_id == centre_id),
            changes=rows(StatusChange, StatusChange.proposal_id.in_(proposal_ids)),
            supports=rows(Support, Support.proposal_id.in_(proposal_ids)),
            tallies=rows(PaperTally, PaperTally.proposal_id.in_(proposal_ids)),
            comments=rows(Comment, Comment.proposal_id.in_(proposal_ids)),
            activities=rows(Activity, Activity.centre_id == centre_id),
            signups=rows(Signup, Signup.activity_id.in_(activity_ids)),
            offers=rows(VolunteerOffer, VolunteerOffer.activity_id.in_(activity_ids)),
            ages={user.id: user.age_bracket.value if user.age_bracket else "unknown"
                  for user in members},
        )

    def acts(self) -> list[tuple[int, datetime]]:
        """(person, when) of every act that stands now."""
        acts = [(p.author_id, p.created_at) for p in self.proposals if p.author_id]
        acts += [(c.author_id, c.created_at) for c in self.comments if c.author_id]
        acts += [(s.user_id, s.created_at) for s in self.supports
                 if s.channel.value in ("online", "assisted")]
        acts += [(s.user_id, s.checked_in_at) for s in self.signups if s.checked_in_at]
        acts += [(o.user_id, o.hours_recorded_at) for o in self.offers if (o.minutes or 0) > 0]
        return acts

    def people(self, period: Period) -> dict[str, int]:
        start, end = utc_bounds(period, self.zone)
        acts = self.acts()
        first: dict[int, datetime] = {}
        for person, when in acts:
            first[person] = min(when, first.get(person, when))
        active = {person for person, when in acts if start <= when < end}
        new = {person for person in active if start <= first[person] < end}
        return {"active_residents": len(active), "new_residents": len(new),
                "returning_residents": len(active - new)}

    def ages_of(self, period: Period) -> dict[str, int]:
        start, end = utc_bounds(period, self.zone)
        active = {person for person, when in self.acts() if start <= when < end}
        ages = dict.fromkeys(metrics.AGE_KEYS, 0)
        for person in active:
            ages[self.ages[person]] += 1
        return ages

    def held(self, period: Period, now: datetime) -> list[Activity]:
        start, end = utc_bounds(period, self.zone)
        return sorted((a for a in self.activities
                       if a.status is ActivityStatus.PUBLISHED
                       and start <= a.starts_at < end and a.starts_at <= now),
                      key=lambda a: (a.starts_at, a.id))

    def realised(self, period: Period, now: datetime) -> set[int]:
        start, end = utc_bounds(period, self.zone)
        completed = {pid for pid, when in self.first_reached(S.COMPLETED).items()
                     if start <= when < end}
        return completed | {a.proposal_id for a in self.held(period, now) if a.proposal_id}

    def first_reached(self, status: ProposalStatus) -> dict[int, datetime]:
        first: dict[int, datetime] = {}
        for change in self.changes:
            if change.to_status is status:
                when = first.get(change.proposal_id, change.created_at)
                first[change.proposal_id] = min(when, change.created_at)
        return first

    def rows_of(self, activity: Activity) -> dict[str, int]:
        """One held activity's counts, as the dashboard's per-activity table shows them."""
        mine = [s for s in self.signups if s.activity_id == activity.id]
        booked = [s for s in mine if s.status is SignupStatus.CONFIRMED
                  and s.channel is not SignupChannel.WALK_IN]
        came = [s for s in booked if s.checked_in_at]
        walk_ins = [s for s in mine if s.checked_in_at and s.channel is SignupChannel.WALK_IN]
        helpers = [o for o in self.offers if o.activity_id == activity.id and (o.minutes or 0)]
        return {"signups": len(booked), "came": len(came),
                "walk_ins": len(walk_ins) + activity.guest_count,
                "attendance": len(came) + len(walk_ins) + activity.guest_count,
                "waitlisted": sum(s.status is SignupStatus.WAITLISTED for s in mine),
                "volunteers": len(helpers),
                "volunteer_minutes": sum(o.minutes for o in helpers)}

    def expected(self, period: Period, now: datetime) -> tuple[dict, dict, dict]:
        """Every figure (values), the people each rate is over (bases), and the ages."""
        start, end = utc_bounds(period, self.zone)

        def inside(when: datetime | None) -> bool:
            return when is not None and start <= when < end

        values: dict[str, int | float | None] = dict(self.people(period))
        values["proposals_submitted"] = sum(inside(p.created_at) for p in self.proposals)
        for status, key in ((S.PUBLISHED, "proposals_published"),
                            (S.ACCEPTED, "proposals_accepted"),
                            (S.COMPLETED, "proposals_completed")):
            values[key] = sum(inside(when) for when in self.first_reached(status).values())
        for channel in ("online", "assisted"):
            values[f"supports_{channel}"] = sum(
                inside(s.created_at) for s in self.supports if s.channel.value == channel)
        values["supports_paper"] = sum(t.votes for t in self.tallies if inside(t.created_at))
        values["comments"] = sum(inside(c.created_at) for c in self.comments)

        held = self.held(period, now)
        held_ids = {a.id for a in held}
        signups = [s for s in self.signups if s.activity_id in held_ids]
        booked = [s for s in signups if s.status is SignupStatus.CONFIRMED
                  and s.channel is not SignupChannel.WALK_IN]
        present = [s for s in signups if s.checked_in_at]
        guests = sum(a.guest_count for a in held)
        walk_ins = [s for s in present if s.channel is SignupChannel.WALK_IN]
        helpers = [o for o in self.offers if o.activity_id in held_ids and (o.minutes or 0) > 0]
        # Rates: over activities where attendance was taken (someone checked in, or guests).
        recorded = {a.id for a in held
                    if a.guest_count > 0 or any(s.activity_id == a.id for s in present)}
        booked_recorded = [s for s in booked if s.activity_id in recorded]
        came = [s for s in booked_recorded if s.checked_in_at]
        capped = [a for a in held if a.id in recorded and a.capacity is not None]
        capped_ids = {a.id for a in capped}
        places = sum(a.capacity for a in capped)
        capped_attendance = (sum(s.activity_id in capped_ids for s in present)
                             + sum(a.guest_count for a in capped))
        values.update({
            "activities_held": len(held),
            "signups": len(booked),
            "attendance": len(present) + guests,
            "attendance_rate": capped_attendance / places if places else None,
            "no_show_rate": ((len(booked_recorded) - len(came)) / len(booked_recorded)
                             if booked_recorded else None),
            "waitlist_demand": sum(s.status is SignupStatus.WAITLISTED for s in signups),
            "walk_ins": len(walk_ins) + guests,
            "volunteers": len({o.user_id for o in helpers}),
            "volunteer_hours": round(sum(o.minutes for o in helpers) / 60, 1),
            "realised_initiatives": len(self.realised(period, now)),
        })
        bases = {"attendance_rate": capped_attendance, "no_show_rate": len(booked_recorded)}
        return values, bases, self.ages_of(period)


# --- Comparing --------------------------------------------------------------------------------


def _differences(got: dict, want: dict) -> dict:
    return {key: (got.get(key), want.get(key)) for key in want.keys() | got.keys()
            if got.get(key) != want.get(key)}


def check_period(centre: Centre, tables: Tables, period: Period, now: datetime,
                 history: History) -> None:
    figures = metrics.figures_for(centre, period, now=now)
    values, bases, ages = tables.expected(period, now)
    context = f"{centre.timezone} {period} now={now.isoformat()} done={dict(history.done)}"
    assert list(figures.values) == list(metrics.FIGURE_KEYS)
    assert not _differences(figures.values, values), (
        f"(service, recomputed) {_differences(figures.values, values)} for {context}")
    assert not _differences(figures.bases, bases), (
        f"bases {_differences(figures.bases, bases)} for {context}")
    assert not _differences(figures.ages, ages), (
        f"ages {_differences(figures.ages, ages)} for {context}")
    assert sum(figures.ages.values()) == figures.values["active_residents"]

    rows = metrics.activity_rows(centre, period, now=now)
    held = tables.held(period, now)
    assert [row.id for row in rows] == [a.id for a in held], context
    for row, activity in zip(rows, held, strict=True):
        got = {name: getattr(row, name) for name in tables.rows_of(activity)}
        assert got == tables.rows_of(activity), f"activity {activity.id}: {context}"
    assert ({p.id for p in metrics.realised_list(centre, period, now=now)}
            == tables.realised(period, now)), context
    # What may leave the animators' screen hides exactly the small cells of these figures.
    public = figures.public()
    for spec in metrics.FIGURES:
        if spec.unit == "people":
            small = 0 < values[spec.key] < 5
        elif spec.unit == "rate":
            small = 0 < bases[spec.key] < 5
        elif spec.unit == "hours":
            small = 0 < values["volunteers"] < 5
        else:
            small = False
        assert public[spec.key] == ("<5" if small else values[spec.key]), spec.key


def periods_to_check(history: History, zone: str, picks: list[int], length: int
                     ) -> list[Period]:
    """Months, a quarter, a year, custom ranges around moments of the history, and the
    periods before each."""
    tz = ZoneInfo(zone)
    days = [moment.astimezone(tz).date() for moment in history.moments]
    chosen = [days[pick % len(days)] for pick in picks]
    periods: list[Period] = []
    for day in chosen[:2]:
        periods += [month_period(day), month_period(day).previous()]
    periods += [quarter_period(chosen[0]), quarter_period(chosen[0]).previous(),
                year_period(chosen[1].year), year_period(chosen[1].year).previous()]
    first, last = min(chosen[2], chosen[3]), max(chosen[2], chosen[3])
    custom = custom_period(first, min(last, first + timedelta(days=length)))
    periods += [custom, custom.previous()]
    # The whole history in one range (at most five years).
    periods.append(custom_period(days[0], min(days[-1], days[0] + timedelta(days=1800))))
    return periods


@settings(max_examples=35, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(steps=st.lists(STEP, min_size=20, max_size=70),
       picks=st.lists(st.integers(0, 10_000), min_size=4, max_size=4),
       length=st.integers(0, 400), now_choice=st.integers(0, 10_000))
def test_every_figure_equals_a_recomputation_from_the_domain_tables(app, steps, picks, length,
                                                                   now_choice):
    world = _new_world(app)
    history = replay(app, world, steps)
    with app.app_context():
        for centre_id in world.centres.values():
            centre = db_.session.get(Centre, centre_id)
            tables = Tables.read(centre_id)
            # Now: after the last act, or exactly when an activity starts ("started by now").
            starts = sorted(a.starts_at for a in tables.activities)
            now = history.moments[-1]
            if starts and now_choice % 3 == 0:
                now = starts[now_choice % len(starts)]
            for period in periods_to_check(history, centre.timezone, picks, length):
                check_period(centre, tables, period, now, history)
            # The monthly trend: twelve months in one query.
            months = trailing_months(month_period(now.astimezone(
                ZoneInfo(centre.timezone)).date()))
            assert metrics.people_counts(centre, months) == [tables.people(m) for m in months]


# --- A fixed history that covers every kind of act, whatever Hypothesis draws ----------------


def test_a_busy_history_covers_every_kind_of_act(app):
    """The vocabulary works: a long deterministic history does every kind of act at least
    once (so the property above is not vacuously true) and its figures still agree."""
    world = _new_world(app)
    hour = ("seconds", 3600)
    script = []
    for round_ in range(6):
        for n, op in enumerate((
                "propose", "move", "move", "support", "assisted_support", "comment", "paper",
                "paper", "create_activity", "publish_activity", "sign_up", "sign_up_for",
                "sign_up", "sign_up", "cancel_signup", "sign_up", "offer_help", "decide_offer",
                "check_in", "walk_in", "guests", "undo_check_in", "check_in", "record_hours",
                "record_hours", "withdraw_support", "support", "cancel_activity")):
            for key in "ab":
                script.append((hour, op, key, round_ + n, round_, round_ * 5 + n))
        script.append((("edge", -600), "comment", "a", 1, 1, 1))
        script.append((("edge", 600), "propose", "b", 2, 2, 2))
    history = replay(app, world, script)
    missing = {op for op in set(OPS) if not history.done.get(op)}
    assert not missing, f"never done: {missing}; done {dict(history.done)}"
    with app.app_context():
        for centre_id in world.centres.values():
            centre = db_.session.get(Centre, centre_id)
            tables = Tables.read(centre_id)
            now = history.moments[-1] + timedelta(days=60)
            for period in periods_to_check(history, centre.timezone, [0, 40, 80, 300], 200):
                check_period(centre, tables, period, now, history)


@pytest.mark.parametrize("day", [date(2024, 3, 31), date(2024, 10, 27), date(2025, 3, 30)])
def test_recomputed_bounds_agree_with_the_period_on_clock_change_days(day):
    """The test's own conversion and the service's meet on days of 23 and 25 hours."""
    period = Period(day, day)
    assert utc_bounds(period, "Europe/Warsaw") == period.bounds("Europe/Warsaw")
