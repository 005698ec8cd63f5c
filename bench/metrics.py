"""Bench: the metrics dashboard's queries for a centre-year over a million participation events.

Generates a realistic history (default: 1,000,000 participation events over 20 centres of
uneven size and 3 years ending today) with the domain rows the figures read (residents with
age brackets, proposals through their statuses, supports, comments, paper tallies, reports,
activities with sign-ups, waitlists, check-ins, walk-ins, guests and volunteers), loads it with
bulk inserts (Core ``insert()`` executemany, COPY on PostgreSQL; one transaction) into a fresh
database whose schema comes from the app's migrations, then times what the dashboard asks for
this year, for the centre of median size (a typical centre-year) and for the busiest:

* ``figures_for`` for the year and for the previous year,
* ``people_counts`` for the 12-month trend,
* ``activity_rows`` for the year,

each the median of several runs after one warm-up. The goal: a typical centre-year under
300 ms on SQLite. ``--service PATH`` times a changed copy of the metrics service instead.

SQLite: a temporary file, deleted at the end unless ``--keep``.
PostgreSQL: set ``DATABASE_URL`` (``postgresql+psycopg://user@host:port/dbname``) to run the
same bench there too, after SQLite. Use a **dedicated, empty database** (``createdb
participation_bench``): the bench refuses one that already has tables, creates the schema with
the migrations, and drops every table it made at the end (unless ``--keep``).

    .venv/bin/python bench/metrics.py                    # 1 M events: about 1-2 min on 2 cores
    .venv/bin/python bench/metrics.py --events 100000    # a quick look
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/participation_bench \\
        .venv/bin/python bench/metrics.py --explain      # also the slowest statements' plans
"""

from __future__ import annotations

import argparse
import bisect
import importlib.util
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, redirect_stderr
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import flask_migrate
from sqlalchemy import event as sa_event
from sqlalchemy import func, inspect, select, text

from participation import create_app
from participation.config import normalise_database_url
from participation.events import actor_key
from participation.extensions import db
from participation.metrics import service as metrics_service
from participation.metrics.periods import trailing_months, year_period
from participation.models import Centre, ParticipationEvent

GOAL_MS = 300
ZONE = ZoneInfo("Europe/Warsaw")
SUPPORT_THRESHOLD = 15  # the centres' default
# Insert order: every row's foreign keys point at rows already there.
TABLES = ("centre", "user_account", "membership", "category", "proposal", "status_change",
          "support", "paper_tally", "comment", "report", "activity", "signup",
          "volunteer_offer", "participation_event")
CATEGORIES = ("neighbourhood", "culture", "seniors", "children_youth", "green_spaces", "safety")
AGE_BRACKETS = ("under_16", "16_24", "25_34", "35_49", "50_64", "65_74", "75_plus")
AGE_WEIGHTS = (5, 8, 14, 20, 18, 20, 15)  # CAL centres see many seniors
CAPACITIES = (None, None, 6, 8, 10, 12, 12, 15, 15, 20, 20, 25, 30)
DURATIONS = tuple(timedelta(minutes=minutes) for minutes in (90, 120, 120, 150, 180))
ACTIVITY_TITLES = ("Kawiarenka językowa", "Pomoc w lekcjach", "Klub seniora", "Warsztaty",
                   "Spotkanie sąsiedzkie", "Sprzątanie skweru", "Gimnastyka", "Szachy",
                   "Naprawa rowerów", "Wieczór filmowy", "Rękodzieło", "Spacer badawczy")
# Relative busyness by month (summer and Christmas are quiet).
SEASON = (0.9, 1.0, 1.1, 1.1, 1.15, 1.0, 0.55, 0.5, 1.1, 1.15, 1.1, 0.8)
# Share of the events that come from activities (the rest: proposals, supports, comments).
ACTIVITY_SHARE = 0.62
# How the log writes a withdrawn support: quantity 1 of a kind the figures read as negative,
# or -1 (whichever the metrics service expects).
WITHDRAWAL_QUANTITY = (1 if "support_withdrawn" in getattr(metrics_service, "NEGATIVE_KINDS", ())
                       else -1)
# Figures printed for the centres timed (a sanity check: the history looks like a centre's).
SHOWN = ("active_residents", "new_residents", "supports_online", "activities_held",
         "attendance", "volunteer_hours", "realised_initiatives")


class Person(NamedTuple):
    id: int
    key: str
    age: str | None


def grouped(count: int) -> str:
    return f"{count:,}"


# --- The history ------------------------------------------------------------------------------


class World:
    """Rows of every table, with ids handed out here (the database is empty)."""

    def __init__(self, rng: random.Random, now: datetime, key_of: Callable[[int], str]):
        self.rng, self.now, self.key_of = rng, now, key_of
        self.ids: Counter[str] = Counter()
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table: str, **row: Any) -> dict[str, Any]:
        row = {"id": self.next_id(table), **row}
        self.rows[table].append(row)
        return row


class CentreHistory:
    """One centre's residents, proposals and activities, acted out in time order."""

    def __init__(self, world: World, number: int, since: datetime):
        self.world, self.rng, self.now = world, world.rng, world.now
        self.centre = world.add(
            "centre", slug=f"bench-{number:02d}", name=f"Centrum Aktywności Lokalnej {number}",
            operator="Ośrodek Pomocy Społecznej", city=f"Miasto {number}", district="",
            address=f"ul. Sąsiedzka {number}", description="Centrum do testu wydajności.",
            timezone="Europe/Warsaw", created_at=since - timedelta(days=30))
        self.id = self.centre["id"]
        self.categories = [
            world.add("category", centre_id=self.id, key=key, name=key, position=position,
                      archived=False)["id"] for position, key in enumerate(CATEGORIES)]
        self.tickets: list[Person] = []  # residents, each as often as they are keen
        self.leaves: dict[int, datetime] = {}  # resident -> when they stop coming
        self.animators = [self._person(since - timedelta(days=30), role="animator")
                          for _ in range(2)]
        self.realisable: list[tuple[datetime, int]] = []  # (accepted at, proposal id)
        self.activities: list[dict[str, Any]] = []

    # People

    def _person(self, at: datetime, role: str = "resident") -> Person:
        rng = self.rng
        user_id = self.world.next_id("user_account")
        age = None if role == "animator" or rng.random() < 0.25 else rng.choices(
            AGE_BRACKETS, AGE_WEIGHTS)[0]
        self.world.rows["user_account"].append({
            "id": user_id, "display_name": f"Mieszkaniec {user_id}",
            "email": f"m{user_id}@bench.example.org" if rng.random() < 0.7 else None,
            "password_hash": None, "locale": "uk" if rng.random() < 0.12 else "pl",
            "age_bracket": age, "is_admin": False, "session_token": f"bench-{user_id}",
            "created_at": at - timedelta(minutes=rng.uniform(1, 120))})
        self.world.add("membership", user_id=user_id, centre_id=self.id, role=role,
                       verified=role == "animator" or rng.random() < 0.3,
                       joined_at=at - timedelta(minutes=rng.uniform(0, 60)))
        return Person(user_id, self.world.key_of(user_id), age)

    def resident(self, at: datetime) -> Person:
        """Someone who takes part: mostly people who came before and still come, the keen
        ones more often; sometimes a newcomer. Many come for a few weeks, some for years."""
        rng, tickets = self.rng, self.tickets
        while tickets and rng.random() >= 0.07:
            index = rng.randrange(len(tickets))
            person = tickets[index]
            if self.leaves[person.id] > at:
                return person
            tickets[index] = tickets[-1]  # moved away or lost interest: one ticket less
            tickets.pop()
        person = self._person(at)
        stays = 45 if rng.random() < 0.35 else 900
        self.leaves[person.id] = at + timedelta(days=rng.expovariate(1 / stays))
        tickets.extend([person] * min(40, int(rng.paretovariate(1.1))))
        return person

    def residents(self, count: int, at: datetime, taken: set[int] | None = None) -> list[Person]:
        """``count`` different people (none of ``taken``)."""
        taken = set() if taken is None else taken
        chosen = []
        while len(chosen) < count:
            person = self.resident(at)
            for _ in range(5):
                if person.id not in taken:
                    break
                person = self.resident(at)
            if person.id in taken:
                person = self._person(at)
            taken.add(person.id)
            chosen.append(person)
        return chosen

    # The log

    def log(self, kind: str, subject_type: str, subject_id: int, person: Person | None,
            at: datetime, channel: str = "online", quantity: int = 1) -> None:
        assert at <= self.now, (kind, at)  # the generator's own invariant
        self.world.rows["participation_event"].append({
            "centre_id": self.id, "kind": kind, "subject_type": subject_type,
            "subject_id": subject_id, "actor_key": person.key if person else None,
            "channel": channel, "quantity": quantity, "occurred_at": at,
            "age_bracket": person.age if person else None})

    def later(self, at: datetime, low: timedelta, high: timedelta) -> datetime:
        return at + low + (high - low) * self.rng.random()

    # Proposals

    def _status(self, proposal: dict[str, Any], target: str, actor: Person | None,
                at: datetime, kind: str, reason: str = "") -> None:
        self.world.add("status_change", proposal_id=proposal["id"],
                       actor_id=actor.id if actor else None, from_status=proposal["status"],
                       to_status=target, reason=reason, created_at=at)
        proposal["status"] = target
        self.log(kind, "proposal", proposal["id"], actor, at)

    def proposal(self, at: datetime) -> None:
        """A proposal's life: moderation, supports (some taken back, some on paper),
        comments, reports, an answer, review at the threshold, a decision, realisation."""
        rng, now, world = self.rng, self.now, self.world
        author = self.resident(at)
        animator = rng.choice(self.animators)
        proposal = world.add(
            "proposal", centre_id=self.id, author_id=author.id,
            category_id=rng.choice(self.categories), title=f"Pomysł sąsiedzki {rng.random():.6f}",
            body="Proponujemy coś dla sąsiadów: opis inicjatywy, miejsce i termin.", place="",
            status="submitted", official_answer="", answered_at=None, answered_by_id=None,
            created_at=at, published_at=None)
        pid = proposal["id"]
        world.add("status_change", proposal_id=pid, actor_id=author.id, from_status=None,
                  to_status="submitted", reason="", created_at=at)
        self.log("proposal_submitted", "proposal", pid, author, at)
        published = self.later(at, timedelta(hours=3), timedelta(days=3))
        if published > now:
            return
        fate = rng.random()
        if fate < 0.04:
            self._status(proposal, "withdrawn", author, published, "proposal_withdrawn",
                         "Zmiana planów.")
            return
        if fate < 0.11:
            self._status(proposal, "rejected", animator, published, "proposal_rejected",
                         "To nie jest inicjatywa sąsiedzka.")
            return
        self._status(proposal, "published", animator, published, "proposal_published")
        proposal["published_at"] = published

        # Supports (+1 each), paper tallies (+votes), withdrawals (-1): in time order, the
        # running total moves the proposal to review at the threshold.
        changes: list[tuple[datetime, int]] = []
        count = min(150, int(rng.paretovariate(1.2) * 4) - 4 + rng.randint(0, 6))
        for person in self.residents(count, published, {author.id}):
            given = published + timedelta(days=45) * rng.random() ** 2
            if given > now:
                continue
            channel = "assisted" if rng.random() < 0.13 else "online"
            self.log("support_given", "proposal", pid, person, given, channel)
            changes.append((given, 1))
            withdrawn = self.later(given, timedelta(hours=1), timedelta(days=20))
            if rng.random() < 0.06 and withdrawn <= now:
                self.log("support_withdrawn", "proposal", pid, person, withdrawn, channel,
                         WITHDRAWAL_QUANTITY)
                changes.append((withdrawn, -1))
                again = self.later(withdrawn, timedelta(hours=1), timedelta(days=5))
                if rng.random() < 0.2 and again <= now:
                    self.log("support_given", "proposal", pid, person, again)
                    changes.append((again, 1))
                    world.add("support", proposal_id=pid, user_id=person.id, channel="online",
                              recorded_by_id=None, created_at=again)
                continue
            world.add("support", proposal_id=pid, user_id=person.id, channel=channel,
                      recorded_by_id=animator.id if channel == "assisted" else None,
                      created_at=given)
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 2)):
                counted = self.later(published, timedelta(days=1), timedelta(days=40))
                if counted > now:
                    continue
                votes = rng.randint(3, 40)
                tally = world.add("paper_tally", proposal_id=pid, votes=votes,
                                  note="Karty z kawiarenki sąsiedzkiej",
                                  recorded_by_id=animator.id, created_at=counted)
                self.log("paper_votes_recorded", "paper_tally", tally["id"], animator,
                         counted, "paper", votes)
                changes.append((counted, votes))
        total, reviewed = 0, None
        for moment, change in sorted(changes):
            total += change
            if total >= SUPPORT_THRESHOLD:
                reviewed = moment
                break

        for _ in range(min(40, max(0, int(rng.paretovariate(1.4)) - 1 + rng.randint(0, 2)))):
            posted = published + timedelta(days=60) * rng.random() ** 2
            if posted > now:
                continue
            draw = rng.random()
            person = (author if draw < 0.1 else animator if draw < 0.15
                      else self.resident(posted))
            comment = world.add("comment", proposal_id=pid, author_id=person.id,
                                body="Świetny pomysł, pomogę!", hidden=False, created_at=posted)
            self.log("comment_posted", "comment", comment["id"], person, posted)
        if rng.random() < 0.03:
            for reporter in self.residents(rng.randint(1, 3), published, {author.id}):
                filed = self.later(published, timedelta(hours=1), timedelta(days=10))
                if filed > now:
                    continue
                resolved = self.later(filed, timedelta(hours=2), timedelta(days=2))
                done = resolved <= now
                report = world.add(
                    "report", centre_id=self.id, reporter_id=reporter.id,
                    target_type="proposal", target_id=pid, proposal_id=pid, reason="other",
                    details="Czy to na pewno inicjatywa?", created_at=filed,
                    resolved_at=resolved if done else None,
                    resolved_by_id=animator.id if done else None, upheld=False if done else None)
                self.log("report_filed", "report", report["id"], reporter, filed)
                if done:
                    self.log("report_resolved", "report", report["id"], animator, resolved)
        answered = self.later(published, timedelta(days=5), timedelta(days=50))
        if rng.random() < 0.35 and answered <= now:
            proposal.update(official_answer="Dziękujemy, zajmiemy się tym.",
                            answered_at=answered, answered_by_id=animator.id)
            self.log("proposal_answered", "proposal", pid, animator, answered)

        if reviewed is None:
            closed = published + timedelta(days=60)
            if rng.random() < 0.05 and closed <= now:
                self._status(proposal, "withdrawn", author, closed, "proposal_withdrawn",
                             "Nie zebraliśmy podpisów.")
            return
        self._status(proposal, "under_review", None, reviewed, "proposal_under_review")
        decided = self.later(max(reviewed, published + timedelta(days=30)),
                             timedelta(days=5), timedelta(days=30))
        fate = rng.random()
        if decided > now or fate < 0.15:
            return
        if fate < 0.45:
            self._status(proposal, "declined", animator, decided, "proposal_declined",
                         "To sprawa dzielnicy.")
            return
        self._status(proposal, "accepted", animator, decided, "proposal_accepted")
        self.realisable.append((decided, pid))
        started = self.later(decided, timedelta(days=7), timedelta(days=45))
        if rng.random() < 0.25 or started > now:
            return
        self._status(proposal, "in_progress", animator, started, "proposal_started")
        completed = self.later(started, timedelta(days=20), timedelta(days=150))
        if rng.random() < 0.4 or completed > now:
            return
        self._status(proposal, "completed", animator, completed, "proposal_completed")

    # Activities

    def activity(self, starts: datetime) -> None:
        """An activity's life: published, signed up for (a waitlist when full, cancellations
        promote), sometimes cancelled; once held, check-ins (a few undone), walk-ins, guests,
        volunteers and their hours."""
        rng, now, world = self.rng, self.now, self.world
        published = starts - timedelta(days=rng.uniform(5, 21))
        if published > now:
            return  # not announced yet
        animator = rng.choice(self.animators)
        capacity = rng.choice(CAPACITIES)
        ends = starts + rng.choice(DURATIONS)
        needed = 0 if rng.random() < 0.6 else rng.randint(1, 3)
        draft = starts > now and rng.random() < 0.08
        activity = world.add(
            "activity", centre_id=self.id, category_id=rng.choice(self.categories),
            proposal_id=None, series_key=None,
            title=f"{rng.choice(ACTIVITY_TITLES)} {starts.astimezone(ZONE):%d.%m}",
            description="Zapraszamy wszystkich sąsiadów.", place="Sala na parterze",
            starts_at=starts, ends_at=ends, signup_deadline=None, capacity=capacity,
            status="draft" if draft else "published", cancel_reason="", confirmed_count=0,
            waitlist_issued=0, guest_count=0, volunteers_needed=needed,
            created_by_id=animator.id, created_at=published,
            published_at=None if draft else published, cancelled_at=None)
        self.activities.append(activity)
        if draft:
            return
        aid = activity["id"]
        self.log("activity_published", "activity", aid, animator, published)
        cancelled = starts - timedelta(hours=rng.uniform(2, 72))
        if not (rng.random() < 0.04 and published < cancelled <= now):
            cancelled = None
        closes = min(cancelled or starts, now)

        demand = (rng.randint(3, 25) if capacity is None
                  else round(capacity * rng.uniform(0.3, 1.5)))
        moments = sorted(published + (starts - published) * rng.random() for _ in range(demand))
        moments = [moment for moment in moments if moment < closes]
        taken: set[int] = set()
        signups: list[dict[str, Any]] = []
        person_of: dict[int, Person] = {}  # sign-up id -> who
        confirmed = issued = 0
        for moment, person in zip(moments, self.residents(len(moments), published, taken),
                                  strict=True):
            channel = "assisted" if rng.random() < 0.12 else "online"
            full = capacity is not None and confirmed >= capacity
            if full:
                issued += 1
            else:
                confirmed += 1
            signup = world.add(
                "signup", activity_id=aid, user_id=person.id,
                status="waitlisted" if full else "confirmed",
                waitlist_position=issued if full else None, channel=channel,
                recorded_by_id=animator.id if channel == "assisted" else None,
                ticket_secret=f"t{world.ids['signup']}", created_at=moment,
                confirmed_at=None if full else moment, cancelled_at=None, checked_in_at=None,
                checked_in_by_id=None, reminder_sent_at=None)
            signups.append(signup)
            person_of[signup["id"]] = person
            self.log("signup_waitlisted" if full else "signup_confirmed", "signup",
                     signup["id"], person, moment, channel)

        # Cancellations after the last sign-up; a freed place goes to the first waiting.
        last = moments[-1] if moments else published
        leaving = sorted((last + (closes - last) * rng.random(), index)
                         for index, signup in enumerate(signups)
                         if rng.random() < (0.07 if signup["status"] == "confirmed" else 0.12))
        for moment, index in leaving:
            signup = signups[index]
            if signup["status"] == "cancelled" or moment <= signup["created_at"]:
                continue
            was_confirmed = signup["status"] == "confirmed"
            signup.update(status="cancelled", waitlist_position=None, cancelled_at=moment)
            self.log("signup_cancelled", "signup", signup["id"], person_of[signup["id"]],
                     moment, signup["channel"])
            if not was_confirmed:
                continue
            confirmed -= 1
            waiting = [row for row in signups if row["status"] == "waitlisted"]
            if waiting:
                first = min(waiting, key=lambda row: row["waitlist_position"])
                first.update(status="confirmed", waitlist_position=None, confirmed_at=moment)
                confirmed += 1
                self.log("waitlist_promoted", "signup", first["id"], person_of[first["id"]], moment,
                         first["channel"])

        offers = []
        for person in self.residents(rng.randint(0, needed + 1) if needed else 0, published):
            offered = published + (min(starts, now) - published) * rng.random()
            decided = self.later(offered, timedelta(hours=1), timedelta(days=2))
            accepted = len(offers) < needed and decided <= min(starts, now)
            offer = world.add(
                "volunteer_offer", activity_id=aid, user_id=person.id,
                status="confirmed" if accepted else ("declined" if decided <= now else "offered"),
                minutes=None, created_at=offered, confirmed_at=decided if accepted else None,
                hours_recorded_at=None, hours_recorded_by_id=None)
            offers.append((offer, person))
            self.log("volunteer_offered", "volunteer_offer", offer["id"], person, offered)

        activity.update(confirmed_count=confirmed, waitlist_issued=issued)
        if cancelled is not None:
            activity.update(status="cancelled", cancelled_at=cancelled,
                            cancel_reason="Choroba prowadzącej.")
            self.log("activity_cancelled", "activity", aid, animator, cancelled)
            return
        if starts > now or rng.random() < 0.1:  # not held yet, or nobody took the register
            return

        for signup in signups:
            if signup["status"] != "confirmed" or rng.random() < 0.2:  # no-shows
                continue
            arrived = starts - timedelta(minutes=rng.uniform(0, 15))
            person = person_of[signup["id"]]
            signup.update(checked_in_at=arrived, checked_in_by_id=animator.id)
            self.log("checked_in", "signup", signup["id"], person, arrived, signup["channel"])
            if rng.random() < 0.015:  # a wrong tap, taken back
                signup.update(checked_in_at=None, checked_in_by_id=None)
                self.log("checked_in", "signup", signup["id"], person,
                         arrived + timedelta(minutes=3), signup["channel"], -1)
        for person in self.residents(rng.choice((0, 0, 0, 0, 1, 1, 2, 3)), starts, taken):
            came = starts + timedelta(minutes=rng.uniform(0, 40))
            if (capacity is not None and confirmed >= capacity) or came > now:
                break
            confirmed += 1
            signup = world.add(
                "signup", activity_id=aid, user_id=person.id, status="confirmed",
                waitlist_position=None, channel="walk_in", recorded_by_id=animator.id,
                ticket_secret=f"t{world.ids['signup']}", created_at=came, confirmed_at=came,
                cancelled_at=None, checked_in_at=came, checked_in_by_id=animator.id,
                reminder_sent_at=None)
            self.log("walk_in", "signup", signup["id"], person, came, "walk_in")
        activity["confirmed_count"] = confirmed
        counted = starts + timedelta(minutes=rng.uniform(5, 60))
        if rng.random() < 0.3 and counted <= now:
            guests = rng.randint(1, 8)
            self.log("walk_in", "activity", aid, None, counted, "guest", guests)
            if guests > 1 and rng.random() < 0.1:
                guests -= 1
                self.log("walk_in", "activity", aid, None, counted + timedelta(minutes=5),
                         "guest", -1)
            activity["guest_count"] = guests
        for offer, person in offers:
            recorded = self.later(ends, timedelta(minutes=10), timedelta(days=3))
            if offer["status"] != "confirmed" or rng.random() < 0.1 or recorded > now:
                continue
            minutes = rng.choice((60, 90, 120, 150, 180, 240))
            offer.update(minutes=minutes, hours_recorded_at=recorded,
                         hours_recorded_by_id=animator.id)
            self.log("volunteer_hours", "volunteer_offer", offer["id"], person, recorded,
                     quantity=minutes)
            corrected = recorded + timedelta(hours=rng.uniform(1, 48))
            if rng.random() < 0.05 and corrected <= now:
                fixed = rng.choice((30, 60, 90, 120))
                if fixed != minutes:
                    offer.update(minutes=fixed, hours_recorded_at=corrected)
                    self.log("volunteer_hours", "volunteer_offer", offer["id"], person,
                             corrected, quantity=fixed - minutes)

    def link_realised(self) -> None:
        """Some activities realise an accepted proposal (accepted before they were made)."""
        self.realisable.sort()
        accepted_at = [moment for moment, _ in self.realisable]
        for activity in self.activities:
            known = bisect.bisect_left(accepted_at, activity["created_at"])
            if known and self.rng.random() < 0.05:
                recent = self.realisable[max(0, known - 10):known]
                activity["proposal_id"] = self.rng.choice(recent)[1]


def moments(rng: random.Random, count: int, since: datetime, until: datetime,
            hours: Callable[[random.Random, int], tuple[int, int]],
            weekdays: tuple[float, ...]) -> list[datetime]:
    """``count`` local times between the two instants, busier later on (the centre grows),
    quieter in summer, by weekday, at the hours ``hours`` gives."""
    first, last = since.astimezone(ZONE).date(), until.astimezone(ZONE).date()
    span = (last - first).days + 1
    days = [first + timedelta(days=offset) for offset in range(span)]
    weights = [(0.75 + 0.5 * index / span) * SEASON[day.month - 1] * weekdays[day.weekday()]
               for index, day in enumerate(days)]
    picked = rng.choices(days, weights=weights, k=count)
    result = []
    for day in picked:
        hour, minute = hours(rng, day.weekday())
        moment = datetime.combine(day, clock(hour, minute), tzinfo=ZONE).astimezone(UTC)
        if since <= moment <= until:
            result.append(moment)
    return sorted(result)


def activity_hours(rng: random.Random, weekday: int) -> tuple[int, int]:
    if weekday >= 5:
        return rng.choice((10, 11, 12, 16)), 0
    return rng.choice((10, 15, 16, 17, 17, 18, 18)), rng.choice((0, 0, 30))


def proposal_hours(rng: random.Random, weekday: int) -> tuple[int, int]:
    return rng.randint(7, 22), rng.randint(0, 59)


def yields(seed: int, now: datetime, key_of: Callable[[int], str]) -> tuple[float, float]:
    """Events per activity and per proposal, from a small pilot history."""
    world = World(random.Random(seed + 1), now, key_of)  # noqa: S311 (a simulation)
    since = now - timedelta(days=365)
    pilot = CentreHistory(world, 1, since)
    for moment in moments(world.rng, 150, since, now, proposal_hours, (1,) * 7):
        pilot.proposal(moment)
    proposal_events = len(world.rows["participation_event"])
    for moment in moments(world.rng, 400, since, now, activity_hours, (1,) * 7):
        pilot.activity(moment)
    activity_events = len(world.rows["participation_event"]) - proposal_events
    return activity_events / 400, proposal_events / 150


def generate(events: int, centres: int, years: float, seed: int, now: datetime,
             key_of: Callable[[int], str]) -> World:
    """A history of about ``events`` participation events, centres of uneven size."""
    per_activity, per_proposal = yields(seed, now, key_of)
    world = World(random.Random(seed), now, key_of)  # noqa: S311 (a simulation)
    since = now - timedelta(days=round(365.25 * years))
    weights = [1 / (1 + 0.12 * number) for number in range(centres)]
    for number, weight in enumerate(weights, start=1):
        share = events * weight / sum(weights)
        history = CentreHistory(world, number, since)
        # Activities are announced up to three weeks ahead: some are still to come.
        plan = [(moment, history.activity) for moment in moments(
            world.rng, round(share * ACTIVITY_SHARE / per_activity), since,
            now + timedelta(days=21), activity_hours, (1, 1, 1, 1, 1, 0.8, 0.2))]
        plan += [(moment, history.proposal) for moment in moments(
            world.rng, round(share * (1 - ACTIVITY_SHARE) / per_proposal), since, now,
            proposal_hours, (1, 1, 1, 1, 1, 0.7, 0.6))]
        for moment, act in sorted(plan, key=lambda item: item[0]):
            act(moment)
        history.link_realised()
    # The log is written as things happen: ids follow time across all centres.
    world.rows["participation_event"].sort(key=lambda row: row["occurred_at"])
    return world


# --- Loading and timing -------------------------------------------------------------------------


def chunks(rows: list[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def load(world: World) -> float:
    """Bulk-insert every table in one transaction; return the seconds it took.

    Indexes are dropped first and built again at the end (faster than keeping them up to date
    row by row); the schema is the migrations' all the same. PostgreSQL gets COPY.
    """
    started = time.perf_counter()
    with db.engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        indexes = [index for name in TABLES for index in db.metadata.tables[name].indexes]
        for index in indexes:
            index.drop(connection)
        for name in TABLES:
            table, rows = db.metadata.tables[name], world.rows[name]
            if postgres and rows:
                copy_rows(connection, name, rows)
                continue
            for chunk in chunks(rows):
                connection.execute(table.insert(), chunk)
        for index in indexes:
            index.create(connection)
        if postgres:
            for name in TABLES:  # ids were given: move the sequences past them
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {name}))"))
    return time.perf_counter() - started


def copy_rows(connection, name: str, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY, in the same transaction (values as the columns store them)."""
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])
    cursor.close()


def settle() -> None:
    """What a live database would have done by now: statistics (PostgreSQL's autovacuum) and
    a checkpointed WAL (SQLite)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def database_size(path: Path | None) -> int:
    if path is not None:
        return sum(file.stat().st_size for file in path.parent.glob(path.name + "*"))
    return db.session.scalar(text("SELECT pg_database_size(current_database())"))


class StatementLog:
    """Every statement the services send, with its time (for --explain)."""

    def __init__(self) -> None:
        self.statements: list[tuple[float, str, Any]] = []

    @contextmanager
    def recording(self) -> Iterator[None]:
        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["bench_started"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            spent = time.perf_counter() - conn.info.pop("bench_started")
            self.statements.append((spent, statement, parameters))

        sa_event.listen(db.engine, "before_cursor_execute", before)
        sa_event.listen(db.engine, "after_cursor_execute", after)
        try:
            yield
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", before)
            sa_event.remove(db.engine, "after_cursor_execute", after)


def explain(statements: StatementLog, top: int) -> None:
    """The ``top`` slowest distinct statements (median time over the runs), with their plans:
    EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL."""
    runs: dict[tuple[str, str], list[float]] = defaultdict(list)
    first: dict[tuple[str, str], tuple[str, Any]] = {}
    for spent, statement, parameters in statements.statements:
        key = (statement, repr(parameters))
        runs[key].append(spent)
        first.setdefault(key, (statement, parameters))
    slowest = sorted(runs, key=lambda key: -statistics.median(runs[key]))[:top]
    postgres = db.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    raw = db.session.connection().connection.driver_connection
    for key in slowest:
        statement, parameters = first[key]
        print(f"\n--- {statistics.median(runs[key]) * 1000:.1f} ms\n{statement.strip()}")
        cursor = raw.cursor()
        cursor.execute(prefix + statement, parameters)
        for row in cursor.fetchall():
            print("   ", row[0] if postgres else f"{row[1]:>3} {row[3]}")
        cursor.close()
    db.session.rollback()


def time_dashboard(service: Any, centre: Centre, year: int, runs: int
                   ) -> dict[str, tuple[float, float]]:
    """Per step and in total: (wall clock, this process's CPU) in milliseconds, the median of
    ``runs`` after one warm-up. On SQLite the CPU time is the query's own time, whatever else
    the machine is doing; on PostgreSQL the server does the work, so only the wall clock says."""
    period = year_period(year)
    steps: list[tuple[str, Callable[[], Any]]] = [
        (f"figures_for {year}", lambda: service.figures_for(centre, period)),
        (f"figures_for {year - 1} (previous)",
         lambda: service.figures_for(centre, period.previous())),
        ("people_counts, 12-month trend",
         lambda: service.people_counts(centre, trailing_months(period))),
        (f"activity_rows {year}", lambda: service.activity_rows(centre, period)),
    ]
    walls: dict[str, list[float]] = defaultdict(list)
    cpus: dict[str, list[float]] = defaultdict(list)
    for run in range(runs + 1):
        wall_total = cpu_total = 0.0
        for name, step in steps:
            wall, cpu = time.perf_counter(), time.process_time()
            step()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            db.session.rollback()
            wall_total, cpu_total = wall_total + wall, cpu_total + cpu
            if run:
                walls[name].append(wall * 1000)
                cpus[name].append(cpu * 1000)
        if run:
            walls["total"].append(wall_total * 1000)
            cpus["total"].append(cpu_total * 1000)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name]))
            for name in walls}


def load_service(path: str | None) -> Any:
    """The metrics service to time: the app's, or a changed copy of it (``--service``)."""
    if not path:
        return metrics_service
    spec = importlib.util.spec_from_file_location("participation.metrics.bench_copy", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def bench(url: str, world: World, args: argparse.Namespace, path: Path | None) -> float:
    """Schema, load, time; return the typical centre's median total in milliseconds."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "PSEUDONYM_KEY": "bench", "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        engine = db.engine
        if inspect(engine).get_table_names():
            sys.exit(f"{engine.url.render_as_string(hide_password=True)} already has tables. "
                     "The bench needs an empty database of its own: createdb "
                     "participation_bench, and point DATABASE_URL at it.")
        try:
            return _bench(world, args, path)
        finally:
            db.session.remove()
            if engine.dialect.name == "postgresql" and not args.keep:
                db.drop_all()
                with engine.begin() as connection:
                    connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            engine.dispose()


def _bench(world: World, args: argparse.Namespace, path: Path | None) -> float:
    dialect = db.engine.dialect
    sqlite = dialect.name == "sqlite"
    version = ".".join(str(part) for part in dialect.server_version_info or ())
    name = "SQLite" if sqlite else "PostgreSQL"
    print(f"\n== {name} {version}: {path or db.engine.url.render_as_string(hide_password=True)}")
    started = time.perf_counter()
    with redirect_stderr(io.StringIO()):  # Alembic's INFO lines
        flask_migrate.upgrade()
    print(f"schema from the migrations in {time.perf_counter() - started:.1f} s")
    print(f"loaded in {load(world):.1f} s (bulk inserts, one transaction)")
    started = time.perf_counter()
    settle()
    print(f"settled in {time.perf_counter() - started:.1f} s "
          f"({'WAL checkpoint' if sqlite else 'VACUUM ANALYZE'})")
    counts = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
              for table in TABLES}
    print("rows: " + " · ".join(f"{table} {grouped(count)}" for table, count in counts.items()))
    print(f"database size: {database_size(path) / 2**20:,.0f} MB")

    # The centre of median size (a typical centre-year), and the busiest one.
    sizes = db.session.execute(
        select(ParticipationEvent.centre_id, func.count()).group_by(ParticipationEvent.centre_id)
        .order_by(func.count().desc(), ParticipationEvent.centre_id)).all()
    year = args.year or world.now.astimezone(ZONE).year
    service = load_service(args.service)
    columns = [("typical", sizes[len(sizes) // 2]), ("busiest", sizes[0])]
    timings, log = [], StatementLog()
    for label, (centre_id, total_events) in columns:
        centre = db.session.get(Centre, centre_id)
        bounds = year_period(year).bounds(centre.timezone)
        in_year = db.session.scalar(select(func.count()).where(
            ParticipationEvent.centre_id == centre.id,
            ParticipationEvent.occurred_at >= bounds[0],
            ParticipationEvent.occurred_at < bounds[1]))
        figures = service.figures_for(centre, year_period(year))
        db.session.rollback()
        print(f"{label} centre: {centre.slug}, {grouped(in_year)} events in {year} "
              f"({grouped(total_events)} in all); "
              + ", ".join(f"{key} {figures.values[key]}" for key in SHOWN))
        with log.recording() if label == "typical" else nullcontext():
            timings.append(time_dashboard(service, centre, year, args.runs))

    what = "wall clock [CPU]" if sqlite else "wall clock"
    print(f"dashboard for {year}, ms ({what}), median of {args.runs} runs after a warm-up"
          + (f", service from {args.service}" if args.service else "") + ":")
    print(f"  {'':<32} {'typical centre':>18} {'busiest centre':>18}")
    for step in timings[0]:
        if step == "total":
            print(f"  {'':<32} {'':->18} {'':->18}")
        cells = [f"{wall:.0f} [{cpu:.0f}]" if sqlite else f"{wall:.0f}"
                 for wall, cpu in (timing[step] for timing in timings)]
        print(f"  {step:<32} {cells[0]:>18} {cells[1]:>18}")
    total = timings[0]["total"][0]
    if sqlite:
        verdict = "met" if total < GOAL_MS else "NOT met"
        print(f"  goal: a typical centre-year under {GOAL_MS} ms on SQLite: {verdict}"
              + ("" if total < GOAL_MS else " (bench/README.md says what is left to do)"))
    if args.explain:
        per_run = len(log.statements) // (args.runs + 1)
        print(f"\n{per_run} statements per dashboard; the {args.explain} slowest for the typical "
              "centre, with their plans:")
        explain(log, args.explain)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="PostgreSQL: set DATABASE_URL to an empty database of its own (createdb "
               "participation_bench); the bench makes its tables there and drops them at the "
               "end unless --keep.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="participation events to generate (default 1,000,000)")
    parser.add_argument("--centres", type=int, default=20, help="centres (default 20)")
    parser.add_argument("--years", type=float, default=3, help="years of history (default 3)")
    parser.add_argument("--year", type=int, default=None,
                        help="the year the dashboard shows (default: this year)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the SQLite file (and the PostgreSQL tables)")
    parser.add_argument("--sqlite-only", action="store_true",
                        help="skip PostgreSQL even when DATABASE_URL is set")
    parser.add_argument("--explain", type=int, nargs="?", const=5, default=0, metavar="N",
                        help="print the N slowest statements with their query plans (default 5)")
    parser.add_argument("--service", metavar="PATH",
                        help="time a changed copy of participation/metrics/service.py instead")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows under make, too

    # The history ends at today's first minute (UTC): runs on one day generate the same rows.
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    keys = create_app({"SECRET_KEY": "bench", "PSEUDONYM_KEY": "bench",
                       "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with keys.app_context():
        world = generate(args.events, args.centres, args.years, args.seed, now, actor_key)
    events = world.rows["participation_event"]
    print(f"generated {grouped(len(events))} events over {args.centres} centres and "
          f"{args.years:g} years in {time.perf_counter() - started:.1f} s")
    kinds = Counter(row["kind"] for row in events)
    print("kinds: " + ", ".join(f"{kind} {count / len(events):.1%}"
                                for kind, count in kinds.most_common()))

    totals = {}
    directory = Path(tempfile.mkdtemp(prefix="participation-bench-"))
    path = directory / "bench.sqlite3"
    try:
        totals["SQLite"] = bench(f"sqlite:///{path}", world, args, path)
    finally:
        if args.keep:
            print(f"kept: {path}")
        else:
            for file in directory.iterdir():
                file.unlink()
            directory.rmdir()
    url = os.environ.get("DATABASE_URL", "")
    if url and not args.sqlite_only:
        totals["PostgreSQL"] = bench(normalise_database_url(url), world, args, None)

    print("\nsummary, a typical centre-year: "
          + " · ".join(f"{name} {total:.0f} ms" for name, total in totals.items())
          + f" (goal on SQLite: under {GOAL_MS} ms)")
    options = (f"--events {args.events} --centres {args.centres} --years {args.years:g} "
               f"--seed {args.seed}" + (f" --year {args.year}" if args.year else "")
               + (f" --service {args.service}" if args.service else ""))
    print(f"repeat: .venv/bin/python bench/metrics.py {options}")


if __name__ == "__main__":
    main()
