"""Demo data: centres named in the CAL certificate's materials, with people to sign in as, and
a year in the life of Paca 40.

Paca 40 gets a year of history ending today: residents joining over the months (some stay for
years, some come for a season), proposals through every status with supports online, entered
by an animator and on paper, comments, a weekly seniors' club and monthly workshops and
neighbours' meetings with sign-ups, waitlists, check-ins, walk-ins, guests and volunteers'
hours, and initiatives realised by the activities they asked for. The year is replayed through
the real services, each step with the app's clock (``models.base.frozen_now``) standing at its
moment, so the participation log and the domain tables agree as if it had all happened; the
figures' dashboard shows a year of it. The randomness is seeded: a given day gives the same year.

Passwords are random on every load and printed once; they are also written to
``instance/demo-logins.txt`` (readable by its owner only) so a missed terminal line is not fatal.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from .activities import service as activities
from .admin import service as admin
from .cards.codes import hash_code, normalise_code
from .config import DEFAULT_TIMEZONE
from .extensions import db
from .models import (
    AccessCard,
    Activity,
    AgeBracket,
    Membership,
    Notification,
    OutboxMessage,
    Proposal,
    Role,
    User,
    base,
    utcnow,
)
from .proposals import service as proposals

CENTRES = [
    {
        "slug": "paca-40",
        "name": "Centrum Społeczne Paca 40",
        "operator": "Stowarzyszenie Centrum Wspierania Aktywności Lokalnej CAL",
        "city": "Warszawa",
        "district": "Praga-Południe, Grochów",
        "address": "ul. Paca 40, Warszawa",
        "description": (
            "Miejsce sąsiedzkie na Grochowie, otwarte od 2013 roku. Działa tu bank usług "
            "sąsiedzkich, warsztaty, pomoc w lekcjach prowadzona przez seniorów, debaty "
            "i konsultacje społeczne. Przyjdź, zaproponuj coś dla sąsiadów i zagłosuj na "
            "pomysły innych."
        ),
    },
    {
        "slug": "mops-glogow",
        "name": "Centrum Aktywności Lokalnej MOPS Głogów",
        "operator": "Miejski Ośrodek Pomocy Społecznej w Głogowie",
        "city": "Głogów",
        "description": "Spotkania, warsztaty i inicjatywy mieszkańców Głogowa.",
    },
    {
        "slug": "gops-olawa",
        "name": "Centrum Aktywności Lokalnej GOPS Oława",
        "operator": "Gminny Ośrodek Pomocy Społecznej w Oławie",
        "city": "Oława",
        "description": "Inicjatywy sąsiedzkie i wolontariat w gminie Oława.",
    },
    {
        "slug": "ztps-7-wroclaw",
        "name": "Zespół Terenowy Pomocy Społecznej nr 7",
        "operator": "Miejski Ośrodek Pomocy Społecznej we Wrocławiu",
        "city": "Wrocław",
        "description": "Organizowanie społeczności lokalnej w modelu OSL.",
    },
    {
        "slug": "mops-nowy-sacz",
        "name": "Centrum Aktywności Lokalnej MOPS Nowy Sącz",
        "operator": "Miejski Ośrodek Pomocy Społecznej w Nowym Sączu",
        "city": "Nowy Sącz",
        "description": "Klub seniora, grupy wsparcia i działania sąsiedzkie.",
    },
]

# (role shown in the printout, name, e-mail, locale, age bracket, centre memberships)
PEOPLE = [
    ("platform administrator", "Administrator", "admin@example.org", "pl", None, {}),
    ("animator, Paca 40", "Marta Kowalczyk", "marta@example.org", "pl", None,
     {"paca-40": Role.ANIMATOR}),
    ("animator, MOPS Głogów", "Piotr Zieliński", "piotr@example.org", "pl", None,
     {"mops-glogow": Role.ANIMATOR}),
    ("resident, Paca 40", "Jan Nowak", "jan@example.org", "pl", AgeBracket.FROM_35_TO_49,
     {"paca-40": Role.RESIDENT}),
    ("resident, Paca 40 (Ukrainian)", "Олена Коваленко", "olena@example.org", "uk",
     AgeBracket.FROM_25_TO_34, {"paca-40": Role.RESIDENT}),
    ("resident, Paca 40 (senior)", "Halina Wiśniewska", "halina@example.org", "pl",
     AgeBracket.FROM_75, {"paca-40": Role.RESIDENT}),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


HISTORY_DAYS = 365  # Paca 40's year on the platform, ending today
SEED = 40  # the same day, the same year of history
ZONE = ZoneInfo(DEFAULT_TIMEZONE)


def load_demo() -> list[DemoLogin]:
    """Add the demo centres and people, and Paca 40's year, to an empty database; return the
    logins to print."""
    previous = base.frozen_now
    try:
        return _load(utcnow())
    finally:
        base.frozen_now = previous  # the app's clock runs again, whatever happened


def _at(moment: datetime) -> None:
    """Stand the app's clock at ``moment``: what the services do now happened then."""
    base.frozen_now = moment.astimezone(UTC)


def _load(now: datetime) -> list[DemoLogin]:
    today = now.astimezone(ZONE).date()
    first_day = today - timedelta(days=HISTORY_DAYS)
    _at(_on(first_day - timedelta(days=30), 9, 0, ZONE))  # the centres were there before
    centres = {
        fields["slug"]: admin.create_centre(admin.CONSOLE, **fields) for fields in CENTRES
    }
    logins = []
    for role, name, email, locale, age, memberships in PEOPLE:
        if email in JOINED:  # residents join the platform in the course of the year
            _at(_on(first_day + timedelta(days=JOINED[email]), 17, 30, ZONE))
        password = secrets.token_urlsafe(9)
        user = User(display_name=name, email=email, locale=locale, age_bracket=age,
                    is_admin=(email == "admin@example.org"))
        user.set_password(password)
        db.session.add(user)
        for slug, member_role in memberships.items():
            db.session.add(Membership(user=user, centre=centres[slug], role=member_role,
                                      verified=member_role is Role.ANIMATOR))
        db.session.flush()  # now: the column defaults take the clock's time
        logins.append(DemoLogin(role, email, password))
    year = Year(centres["paca-40"], now, first_day)
    year.add_residents()
    year.add_card_residents()
    year.add_proposals()
    year.add_history()
    year.add_current_activities()
    year.timeline.run()
    _at(now)  # the year is told: back to today
    _settle(now)
    _keep_logins(logins)
    return logins


# When the named residents joined, in days after the first day of the year.
JOINED = {"halina@example.org": 3, "jan@example.org": 62, "olena@example.org": 125}

# Residents without e-mail, registered by Marta at the desk, with access cards whose codes are
# fixed so the README can offer them: (name, age bracket, joined (days after the first day of
# the year), card code, PIN or None (the card's one-time link is still unused)).
CARD_RESIDENTS = [
    ("Stefania Malinowska", AgeBracket.FROM_75, 20, "DEM01-KARTA", "4826"),
    ("Władysław Nowicki", AgeBracket.FROM_65_TO_74, 300, "DEM02-KARTA", None),
]

# Titles the browser tests (tests/browser) look for; keep them in step with the tests.
BROWSER_TEST_ACTIVITY = "Sadzenie ziół na podwórku"  # 2 places, nobody signed up yet
FULL_ACTIVITY = "Warsztaty naprawy rowerów"  # 5 of 5 places taken, 2 neighbours waiting

GROUND_FLOOR = "Sala na parterze, ul. Paca 40"
FIRST_FLOOR = "Sala na pierwszym piętrze, ul. Paca 40"
YARD = "Podwórko za budynkiem, ul. Paca 40"
SQUARE = "Skwer przy ul. Paca, zbiórka przed wejściem do centrum"


def _on(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on a local day."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def _next(weekday: int, after: date) -> date:
    """The first day with this weekday (Monday 0) strictly after ``after``."""
    return after + timedelta(days=1 + (weekday - (after + timedelta(days=1)).weekday()) % 7)


def _last(weekday: int, not_after: date) -> date:
    """The last day with this weekday on or before ``not_after``."""
    return not_after - timedelta(days=(not_after.weekday() - weekday) % 7)


# What each resident comes to: the seniors' club, crafts workshops, neighbours' meetings,
# chess, family events (children's day, open-air cinema, book and clothes swaps).
SENIORS, CRAFTS, MEETING, CHESS, FAMILY = "seniors", "crafts", "meeting", "chess", "family"

# The neighbours (sasiadN@example.org): age bracket, what they come to, how keen (0-1), and
# the day of the year they joined. Nobody signs in as them (they have no demo password).
NEIGHBOUR_PROFILES = [
    (AgeBracket.FROM_65_TO_74, (SENIORS, CRAFTS, MEETING), 0.8, 2),
    (AgeBracket.FROM_75, (SENIORS, CHESS, MEETING), 0.8, 4),
    (AgeBracket.FROM_35_TO_49, (FAMILY, CRAFTS, MEETING), 0.6, 6),
    (AgeBracket.FROM_50_TO_64, (CHESS, MEETING, FAMILY), 0.5, 9),
    (AgeBracket.FROM_65_TO_74, (SENIORS, CRAFTS), 0.7, 5),
    (AgeBracket.FROM_25_TO_34, (FAMILY, CRAFTS, MEETING), 0.6, 110),
    (AgeBracket.FROM_75, (SENIORS, CHESS), 0.7, 8),
    (AgeBracket.FROM_65_TO_74, (SENIORS, MEETING, CRAFTS), 0.75, 7),
    (AgeBracket.FROM_35_TO_49, (CHESS, FAMILY, MEETING), 0.5, 40),
    (AgeBracket.FROM_35_TO_49, (FAMILY, CRAFTS, MEETING), 0.6, 128),
    (AgeBracket.FROM_50_TO_64, (CRAFTS, MEETING, SENIORS), 0.5, 80),
    (AgeBracket.FROM_65_TO_74, (SENIORS, CHESS, MEETING), 0.6, 12),
]
# The named residents in the history: what they come to and how keen they are.
NAMED_PROFILES = {
    "halina@example.org": ((SENIORS, CRAFTS, MEETING), 0.9),
    "jan@example.org": ((MEETING, FAMILY, CHESS), 0.6),
    "olena@example.org": ((MEETING, FAMILY, CRAFTS), 0.6),
}
# More residents, joining over the year (access-card residents: no e-mail, no password).
FIRST_NAMES = {
    "pl": ["Anna", "Ewa", "Joanna", "Katarzyna", "Magdalena", "Agnieszka", "Danuta", "Irena",
           "Jadwiga", "Elżbieta", "Wanda", "Alicja", "Piotr", "Tomasz", "Marek", "Krzysztof",
           "Michał", "Wojciech", "Jerzy", "Zbigniew", "Kazimierz", "Ryszard", "Marcin"],
    "uk": ["Наталія", "Тетяна", "Світлана", "Юлія", "Ольга", "Дмитро", "Андрій", "Сергій"],
}
SURNAMES = {
    "pl": ["Wróbel", "Stępień", "Adamczyk", "Dudek", "Pawlak", "Walczak", "Sikora", "Baran",
           "Michalak", "Szewczyk", "Pietrzak", "Marciniak", "Kaczmarek", "Zięba", "Kołodziej"],
    "uk": ["Шевченко", "Ковальчук", "Ткаченко", "Кравченко", "Бойко", "Олійник", "Лисенко"],
}
MORE_RESIDENTS = 60


@dataclass
class Resident:
    user: User
    joined: datetime
    likes: tuple[str, ...]
    keen: float
    leaves: datetime | None = None  # some come for a season

    def around(self, moment: datetime) -> bool:
        return self.joined <= moment and (self.leaves is None or moment < self.leaves)


@dataclass
class Timeline:
    """The year's steps, run in time order with the app's clock standing at each one."""

    steps: list[tuple[datetime, int, Callable[[], object]]] = field(default_factory=list)

    def at(self, moment: datetime, step: Callable[[], object]) -> None:
        self.steps.append((moment, len(self.steps), step))

    def run(self) -> None:
        for moment, _number, step in sorted(self.steps, key=lambda item: item[:2]):
            _at(moment)
            step()


class Year:
    """Paca 40's year, planned as steps on a timeline: the services do the rest."""

    def __init__(self, centre, now: datetime, first_day: date):
        self.centre, self.now, self.first_day = centre, now, first_day
        self.today = now.astimezone(ZONE).date()
        self.rng = random.Random(f"{SEED}-{self.today.isoformat()}")  # noqa: S311 (a story)
        self.timeline = Timeline()
        self.people = {user.email: user for user in db.session.scalars(select(User))
                       if user.email}
        self.animator = self.people["marta@example.org"]
        self.categories = {category.key: category.id
                           for category in proposals.categories_of(centre)}
        self.residents: list[Resident] = []
        self.proposals: dict[str, Proposal] = {}  # by title, once proposed
        self.realisations: list[tuple] = []  # activities that realise a proposal of the year

    # Time

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def moment(self, days_ago: float, hour: int = 12, minute: int = 0) -> datetime:
        whole = int(days_ago)
        return _on(self.day(whole), hour, minute, ZONE) - timedelta(days=days_ago - whole)

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment in [start, end), on the minute."""
        moment = start + (end - start) * self.rng.random()
        return moment.replace(second=0, microsecond=0)

    # People

    def neighbour(self, number: int) -> User:
        return self.people[f"sasiad{number}@example.org"]

    def add_residents(self) -> None:
        """The neighbours, and more residents joining over the year; each is flushed with
        the clock at the day they joined (their account and membership say so)."""
        for number, (name, (age, likes, keen, joined)) in enumerate(
                zip(NEIGHBOURS, NEIGHBOUR_PROFILES, strict=True), start=1):
            locale = "uk" if name in ("Oksana Melnyk", "Iryna Bondarenko") else "pl"
            user = self._member(name, f"sasiad{number}@example.org", locale, age, joined)
            self.people[user.email] = user
            self.residents.append(Resident(user, user.created_at, likes, keen))
        for email, (likes, keen) in NAMED_PROFILES.items():
            user = self.people[email]
            self.residents.append(Resident(user, user.created_at, likes, keen))
        rng = self.rng
        for number in range(1, MORE_RESIDENTS + 1):
            language = "uk" if rng.random() < 0.2 else "pl"
            name = f"{rng.choice(FIRST_NAMES[language])} {rng.choice(SURNAMES[language])}"
            # A third registered in the first weeks (regulars of the centre before the
            # platform); the others over the year, more in spring and autumn.
            joined = (rng.randint(1, 30) if number <= MORE_RESIDENTS // 3
                      else rng.choice([*range(31, HISTORY_DAYS - 10)] + [*range(100, 180)]
                                      + [*range(280, HISTORY_DAYS - 10)]))
            kind = rng.random()
            if kind < 0.4:
                age = rng.choice((AgeBracket.FROM_65_TO_74, AgeBracket.FROM_75))
                likes = (SENIORS, CRAFTS, MEETING) if rng.random() < 0.5 else (SENIORS, CHESS)
            elif kind < 0.75:
                age = rng.choice((AgeBracket.FROM_25_TO_34, AgeBracket.FROM_35_TO_49))
                likes = (FAMILY, CRAFTS, MEETING)
            else:
                age = rng.choice((AgeBracket.FROM_16_TO_24, AgeBracket.FROM_50_TO_64, None))
                likes = (CHESS, MEETING, FAMILY)
            user = self._member(name, None, language, age, joined)
            stays = timedelta(days=rng.randint(30, 150)) if rng.random() < 0.3 else None
            self.residents.append(Resident(user, user.created_at, likes,
                                           rng.uniform(0.3, 0.8),
                                           user.created_at + stays if stays else None))

    def add_card_residents(self) -> None:
        """Residents without e-mail with their access cards (see CARD_RESIDENTS). Marta
        entered a support and a sign-up for Stefania, who also set a PIN; Władysław's card is
        still unused. They draw nothing from the story's random numbers, so the rest of the
        year stays as it was."""
        marta = self.animator
        for name, age, joined, code, pin in CARD_RESIDENTS:
            _at(_on(self.first_day + timedelta(days=joined), 11, 0, ZONE))
            now = utcnow()
            user = User(display_name=name, email=None, locale="pl", age_bracket=age,
                        registered_by_id=marta.id, consent_noted_at=now)
            if pin is not None:
                user.set_password(pin)
            db.session.add(user)
            db.session.add(Membership(user=user, centre=self.centre, role=Role.RESIDENT,
                                      verified=True))
            db.session.flush()
            used = now + timedelta(days=1) if pin is not None else None
            db.session.add(AccessCard(user_id=user.id, centre_id=self.centre.id,
                                      code_hash=hash_code(normalise_code(code)),
                                      issued_at=now, issued_by_id=marta.id,
                                      signed_in_at=used, last_used_at=used))
            db.session.flush()
            self.people[name] = user
        stefania = self.people[CARD_RESIDENTS[0][0]]
        # One more support keeps "Ławki…" below the threshold (the browser tests want it
        # published); the weekly café has places.
        self.timeline.at(self.moment(7, 11, 0), lambda: proposals.record_assisted_support(
            marta, self.proposals["Ławki przy placu zabaw na Paca"], stefania.id))
        self.timeline.at(self.moment(4, 12, 30), lambda: activities.sign_up_for(
            marta, self._first_cafe(), stefania.id))

    def _first_cafe(self) -> Activity:
        return db.session.scalars(
            select(Activity).where(Activity.centre_id == self.centre.id,
                                   Activity.title == "Kawiarenka językowa polsko-ukraińska")
            .order_by(Activity.starts_at)).first()

    def _member(self, name: str, email: str | None, locale: str, age: AgeBracket | None,
                joined: int) -> User:
        _at(_on(self.first_day + timedelta(days=joined), 16, 0, ZONE))
        user = User(display_name=name, email=email, locale=locale, age_bracket=age)
        db.session.add(user)
        db.session.add(Membership(user=user, centre=self.centre, role=Role.RESIDENT,
                                  verified=self.rng.random() < 0.4))
        db.session.flush()
        return user

    def coming(self, likes: str, moment: datetime, most: int | None = None,
               taken: set[int] | None = None) -> list[User]:
        """Residents who come to this kind of thing at this moment, the keen ones first."""
        taken = taken if taken is not None else set()
        chosen = [resident for resident in self.residents
                  if likes in resident.likes and resident.around(moment)
                  and resident.user.id not in taken and self.rng.random() < resident.keen]
        self.rng.shuffle(chosen)
        chosen.sort(key=lambda resident: -resident.keen)
        users = [resident.user for resident in chosen[:most]]
        taken.update(user.id for user in users)
        return users

    def anyone(self, moment: datetime, count: int, taken: set[int]) -> list[User]:
        """``count`` residents around at that moment (none of ``taken``), at random."""
        around = [resident.user for resident in self.residents
                  if resident.around(moment) and resident.user.id not in taken]
        users = self.rng.sample(around, min(count, len(around)))
        taken.update(user.id for user in users)
        return users

    # Proposals

    def propose(self, title: str, body: str, category: str, author: User, submitted: datetime,
                published: datetime | None, supporters: int = 0, paper: int = 0,
                assisted: int = 0, comments: int = 0, moves: tuple = (),
                answer: tuple[datetime, str] | None = None, voting_days: float = 20,
                withdrawals: int = 0, exclude: tuple[User, ...] = ()) -> None:
        """One proposal's life on the timeline: submitted; published (or not); supported
        online, by an animator for residents without a phone, and on paper over
        ``voting_days`` (fifteen supports put it under review, as the service decides);
        commented on; then ``moves`` ((moment, status, reason), by the animator, or by the
        author to withdraw); and an official answer."""
        rng, timeline, animator = self.rng, self.timeline, self.animator

        def submit():
            self.proposals[title] = proposals.propose(author, self.centre, title, body,
                                                      self.categories[category])
        timeline.at(submitted, submit)
        for moment, status, reason in moves:
            actor = author if status == "withdrawn" else animator
            timeline.at(moment, _bind_move(actor, title, status, reason, self))
        if answer is not None:
            answered, reply = answer
            timeline.at(answered, lambda: proposals.answer(animator, self.proposals[title],
                                                           reply))
        if published is None:
            return
        timeline.at(published, lambda: proposals.change_status(
            animator, self.proposals[title], "published"))
        closes = published + timedelta(days=voting_days)
        taken = {author.id, *(person.id for person in exclude)}
        for supporter in self.anyone(published, supporters, taken):
            given = self.between(published + timedelta(hours=2), closes)
            timeline.at(given, _bind(proposals.give_support, supporter, title, self))
        for supporter in self.coming(SENIORS, published, assisted, taken):
            given = self.between(published + timedelta(days=1), closes)
            timeline.at(given, _bind_assisted(supporter, title, self))
        if paper:
            counted = self.between(published + timedelta(days=2), closes)
            timeline.at(counted, lambda: proposals.record_paper_tally(
                animator, self.proposals[title], paper, "Karty z kawiarenki sąsiedzkiej"))
        for supporter in self.anyone(published, withdrawals, taken):  # changed their minds
            given = self.between(published + timedelta(hours=2), closes - timedelta(days=3))
            timeline.at(given, _bind(proposals.give_support, supporter, title, self))
            timeline.at(given + timedelta(days=2),
                        _bind(proposals.withdraw_support, supporter, title, self))
        for number in range(comments):
            posted = self.between(published + timedelta(hours=3), closes)
            writer = (animator if number % 3 == 2
                      else self.anyone(posted, 1, set())[0] if rng.random() < 0.7 else author)
            timeline.at(posted, _bind_comment(
                writer, title, rng.choice(COMMENTS if writer is not animator
                                          else ANIMATOR_COMMENTS), self))

    def add_proposals(self) -> None:
        """The proposals the browser tests know by status (one each), at believable past
        times, and more from the year: completed (realised by an activity), declined,
        withdrawn, rejected."""
        people, neighbour, moment = self.people, self.neighbour, self.moment
        by_title = {title: (body, key, email, final, supports, answer)
                    for title, body, key, email, final, supports, answer in PROPOSALS}

        def named(title: str, submitted: float, moves: tuple = (), answered: float | None = None,
                  **kwargs) -> None:
            body, key, email, final, supports, answer = by_title[title]
            published = None if final in ("submitted", "rejected") else submitted - 1
            self.propose(
                title, body, key, people[email], moment(submitted, 10, 15),
                moment(published, 9, 30) if published is not None else None,
                supporters=supports,
                moves=tuple((moment(days, 11, 0), status, REASONS.get(status, ""))
                            for days, status in moves),
                answer=(moment(answered, 12, 0), answer) if answered is not None else None,
                **kwargs)

        # Known to the browser tests: exactly one proposal in each of these statuses.
        named("Wymiana książek w holu", 300, voting_days=18,
              moves=((265, "accepted"), (262, "in_progress"), (253, "completed")),
              answered=253)
        named("Wycieczka do Kampinosu", 230, moves=((200, "withdrawn"),))
        named("Lepsze oświetlenie przejścia przy szkole", 190, moves=((150, "declined"),),
              answered=150)
        named("Ogródek ziołowy na podwórku", 100,
              moves=((55, "accepted"), (9, "in_progress")), answered=3)
        named("Pomoc w lekcjach prowadzona przez seniorów", 75, moves=((38, "accepted"),),
              answered=38)
        named("Kawiarenka językowa polsko-ukraińska", 45, voting_days=19)
        named("Ławki przy placu zabaw na Paca", 21, voting_days=17,
              exclude=(people["halina@example.org"],))  # she supports through Marta
        named("Zajęcia z telefonem dla seniorów", 16, voting_days=3,
              moves=((12, "hidden"),))
        named("Sprzedam tanio meble", 6, moves=((5, "rejected"),))
        named("Warsztaty naprawy rowerów", 2)
        # The published one: a paper tally, a support entered for Halina, two comments.
        timeline = self.timeline
        benches = "Ławki przy placu zabaw na Paca"  # (a name of its own: late binding)
        timeline.at(moment(10, 19, 0), lambda: proposals.record_paper_tally(
            self.animator, self.proposals[benches], 3, "Karty z kawiarenki sąsiedzkiej"))
        timeline.at(moment(9, 11, 30), lambda: proposals.record_assisted_support(
            self.animator, self.proposals[benches], people["halina@example.org"].id))
        timeline.at(moment(6, 18, 0), lambda: proposals.post_comment(
            people["halina@example.org"], self.proposals[benches],
            "Bardzo potrzebne! Chętnie pomogę pomalować ławki."))
        timeline.at(moment(4, 10, 0), lambda: proposals.post_comment(
            self.animator, self.proposals[benches],
            "Sprawdzamy z zarządem zieleni, gdzie ławki mogą stanąć."))

        # The rest of the year.
        for title, body, key, author, submitted, final, extra in HISTORY_PROPOSALS:
            start = moment(submitted, 9, 0)
            writer = (neighbour(author) if isinstance(author, int)
                      else self.anyone(start, 1, set())[0])
            steps = {"completed": ((14, "accepted"), (16, "in_progress")),
                     "declined": ((30, "declined"),), "withdrawn": ((25, "withdrawn"),),
                     "rejected": ((0.8, "rejected"),)}[final]
            moves = tuple((start + timedelta(days=gap), status,
                           HISTORY_REASONS.get(status, "")) for gap, status in steps)
            published = None if final == "rejected" else start + timedelta(days=1)
            extra = dict(extra)
            answer = extra.pop("answer", None)
            realised_by = extra.pop("realised_by", None)
            if realised_by is not None:
                # An activity realises it about a month after it was proposed (a Saturday, or
                # a Friday evening for the cinema); the animators mark it completed next day.
                activity_title, weekday, hours, place, kind, guests = realised_by
                held = _last(weekday, start.astimezone(ZONE).date() + timedelta(days=30))
                self.realisations.append((activity_title, held, hours, place, kind, guests,
                                          title, key))
                moves += ((_on(held + timedelta(days=1), 10, 0, ZONE), "completed", ""),)
            self.propose(title, body, key, writer, start, published, voting_days=12,
                         moves=moves, **extra,
                         answer=(moves[-1][0] + timedelta(hours=2), answer) if answer else None)

    # Activities

    def activity(self, title: str, day: date, hours: tuple[tuple[int, int], tuple[int, int]],
                 place: str, category: str, kind: str, capacity: int | None = None,
                 volunteers: int = 0, helpers_from: str | None = None, minutes: int = 120,
                 proposal: str | None = None, guests: tuple[int, int] = (0, 0),
                 walk_ins: tuple[int, ...] = (0,), most: int | None = None,
                 cancel: str = "", show: float = 0.85, description: str = "") -> None:
        """One past activity on the timeline: published two weeks before; residents who come
        to this kind of thing sign up over those weeks (some through the animator; when it is
        full, onto the waitlist; a few cancel, which promotes the first waiting); helpers
        offer and are accepted; then at the door, check-ins (most come; a wrong tap is
        undone now and then), walk-ins and guests; after it, the helpers' hours."""
        rng, timeline, animator = self.rng, self.timeline, self.animator
        starts, ends = _on(day, *hours[0], ZONE), _on(day, *hours[1], ZONE)
        if ends + timedelta(hours=1) >= self.now:
            return  # not history yet
        created = _on(day - timedelta(days=14), 10, 0, ZONE)
        made: dict[str, Activity] = {}

        def create():
            details = activities.ActivityDetails(
                title=title, starts_at=starts, ends_at=ends, place=place, capacity=capacity,
                category_id=self.categories[category], volunteers_needed=volunteers,
                description=description or DESCRIPTIONS.get(kind, ""),
                proposal_id=self.proposals[proposal].id if proposal else None)
            made["it"] = activities.create_activities(animator, self.centre, details,
                                                      publish=True)[0]
        timeline.at(created, create)
        taken: set[int] = set()
        signers = self.coming(kind, created, most or (capacity + 3 if capacity else None),
                              taken)
        signed_at = sorted(self.between(created + timedelta(hours=2),
                                        starts - timedelta(hours=3)) for _ in signers)
        for person, moment in zip(signers, signed_at, strict=True):
            by_animator = rng.random() < (0.3 if kind == SENIORS else 0.1)
            timeline.at(moment, _bind_signup(person, made, animator if by_animator else None))
            if rng.random() < 0.08 and not cancel:  # plans change; the first waiting
                timeline.at(self.between(moment + timedelta(hours=1),  # gets the place
                                         starts - timedelta(hours=2)),
                            lambda person=person: activities.cancel_signup(person, made["it"]))
        helpers = self.coming(helpers_from or kind, created, volunteers, taken)
        for helper in helpers:
            offered = self.between(created + timedelta(days=1), starts - timedelta(days=3))
            timeline.at(offered, _bind_offer(helper, made))
            timeline.at(offered + timedelta(days=1), _bind_accept(helper, made, animator))
        if cancel:
            timeline.at(starts - timedelta(days=1),
                        lambda: activities.cancel_activity(animator, made["it"], cancel))
            return
        for number, person in enumerate(signers):
            if rng.random() < show:
                arrived = starts - timedelta(minutes=15) + timedelta(minutes=2 * number)
                timeline.at(arrived, _bind_check_in(person, lambda: made["it"], animator,
                                                    undo=rng.random() < 0.02))
        for number, person in enumerate(self.coming(kind, starts, rng.choice(walk_ins), taken)):
            timeline.at(starts + timedelta(minutes=10 + 5 * number),
                        _bind_walk_in(person, made, animator))
        if guests[1]:
            count = rng.randint(*guests)
            timeline.at(starts + timedelta(minutes=30),
                        lambda: activities.change_guests(animator, made["it"], count))
        for helper in helpers:
            timeline.at(ends + timedelta(minutes=30),
                        _bind_hours(helper, lambda: made["it"], animator, minutes))

    def add_history(self) -> None:
        """The year's activities: a weekly seniors' club, chess every other week, monthly
        crafts workshops and neighbours' meetings, homework help after the seniors' proposal
        was accepted, and one-off events, several realising the residents' proposals."""
        first, last = self.first_day + timedelta(days=7), self.day(3)
        quiet = {(12, day) for day in range(22, 32)} | {(1, day) for day in range(1, 7)}

        def days(weekday: int, every: int = 1) -> list[date]:
            day, found = _next(weekday, first), []
            while day <= last:
                if (day.month, day.day) not in quiet and day.month != 8:
                    found.append(day)
                day += timedelta(weeks=every)
            return found

        def nth(weekday: int, week: int) -> list[date]:
            """The ``week``-th such weekday of each month (week 1: the first)."""
            found, month = [], date(first.year, first.month, 1)
            while month <= last:
                day = _next(weekday, month - timedelta(days=1)) + timedelta(weeks=week - 1)
                if first <= day <= last and (day.month, day.day) not in quiet \
                        and day.month != 8:
                    found.append(day)
                month = (month + timedelta(days=32)).replace(day=1)
            return found

        for day in days(3):  # Thursdays
            self.activity("Klub seniora", day, ((11, 0), (13, 0)), GROUND_FLOOR, "seniors",
                          SENIORS, capacity=20, volunteers=1, walk_ins=(0, 0, 1))
        for day in days(0, every=2):  # every other Monday
            self.activity("Szachy dla każdego", day, ((17, 0), (19, 0)), FIRST_FLOOR,
                          "culture", CHESS, capacity=12, walk_ins=(0, 1))
        for day in nth(5, 2):  # second Saturdays: small workshops, often a waitlist
            self.activity("Warsztaty rękodzieła", day, ((11, 0), (13, 30)), GROUND_FLOOR,
                          "culture", CRAFTS, capacity=8, most=12, volunteers=1, minutes=150)
        meetings = nth(1, 1)  # first Tuesdays; one was called off
        for day in meetings:
            self.activity("Spotkanie sąsiedzkie", day, ((18, 0), (19, 30)), GROUND_FLOOR,
                          "neighbourhood", MEETING, guests=(1, 6), walk_ins=(0, 1, 2),
                          cancel=CANCELLED_MEETING if day == meetings[2] else "")
        accepted = self.day(38)  # the seniors' homework help: Thursdays from then on
        for day in [day for day in days(3) if day > accepted + timedelta(days=5)]:
            self.activity("Pomoc w lekcjach – czwartek", day, ((15, 0), (17, 0)), FIRST_FLOOR,
                          "children_youth", FAMILY, capacity=8, volunteers=2,
                          helpers_from=SENIORS, minutes=120,
                          proposal="Pomoc w lekcjach prowadzona przez seniorów")
        self.activity("Otwarcie półki z książkami", _last(5, self.day(254)), ((11, 0), (13, 0)),
                      GROUND_FLOOR, "culture", FAMILY, guests=(3, 8), walk_ins=(1, 2, 3),
                      proposal="Wymiana książek w holu")
        self.activity("Wigilia sąsiedzka", _last(4, _christmas_eve(self.first_day)),
                      ((17, 0), (20, 0)), GROUND_FLOOR, "neighbourhood", MEETING, capacity=30,
                      most=30, volunteers=3, minutes=240, guests=(2, 8), walk_ins=(1, 2, 3))
        self.activity("Śniadanie sąsiedzkie", _last(5, self.day(220)), ((10, 0), (12, 0)),
                      GROUND_FLOOR, "neighbourhood", FAMILY, capacity=25, volunteers=2,
                      guests=(2, 6))
        for (title, held, hours, place, kind, guests, proposal,
             category) in self.realisations:
            self.activity(title, held, hours, place, category, kind, volunteers=2,
                          minutes=180, guests=guests, walk_ins=(1, 2, 3), proposal=proposal)

    def add_current_activities(self) -> None:
        """What is on now: the activities the browser tests know (upcoming, full, cancelled,
        a draft, and two past ones with attendance), made in the last weeks."""
        people, neighbours, moment = self.people, self._neighbours, self.moment
        timeline, animator, today = self.timeline, self.animator, self.today
        tomorrow = today + timedelta(days=1)
        made: dict[str, list[Activity]] = {}

        def create(key, day, start, end, repeat_until=None, publish=True, proposal=None,
                   **fields):
            def step():
                details = activities.ActivityDetails(
                    starts_at=_on(day, *start, ZONE), ends_at=_on(day, *end, ZONE),
                    proposal_id=self.proposals[proposal].id if proposal else None, **fields)
                made[key] = activities.create_activities(animator, self.centre, details,
                                                         repeat_until, publish)
            return step

        def sign_up(key, person, index=0, by_animator=False):
            return lambda: (activities.sign_up_for(animator, made[key][index], person.id)
                            if by_animator else activities.sign_up(person, made[key][index]))

        def offer(key, person, accept):
            def step():
                offered = activities.offer_help(person, made[key][0])
                if accept:
                    activities.decide_offer(animator, made[key][0], offered.id, accept=True)
            return step

        # Upcoming, open: a weekly series for four weeks, realising the proposal under review.
        first = _next(2, today)  # Wednesdays
        timeline.at(moment(6, 10, 0), create(
            "cafe", first, (18, 0), (20, 0), repeat_until=first + timedelta(weeks=3),
            title="Kawiarenka językowa polsko-ukraińska", place=GROUND_FLOOR, capacity=12,
            category_id=self.categories["culture"],
            proposal="Kawiarenka językowa polsko-ukraińska", volunteers_needed=1,
            description=(
                "Co tydzień rozmawiamy przy herbacie po polsku i po ukraińsku. Nie trzeba znać "
                "języka: wystarczy chęć do rozmowy. Ciasto mile widziane!\n\n"
                "Щотижня розмовляємо за чаєм польською та українською. Приходьте!"
            ),
        ))
        for hours_ago, person in enumerate([people["olena@example.org"], *neighbours(6, 10)]):
            timeline.at(moment(5, 9 + hours_ago, 0), sign_up("cafe", person))
        timeline.at(moment(4, 12, 0), sign_up("cafe", neighbours(3)[0], by_animator=True))
        for hours_ago, person in enumerate([people["olena@example.org"], *neighbours(10)]):
            timeline.at(moment(3, 9 + hours_ago, 0), sign_up("cafe", person, index=1))
        timeline.at(moment(2, 19, 0), offer("cafe", neighbours(6)[0], accept=False))

        # Upcoming, full, with a waitlist: five neighbours have the places, two are waiting.
        timeline.at(moment(8, 10, 0), create(
            "bikes", _next(3, today), (17, 0), (19, 0), title=FULL_ACTIVITY, place=YARD,
            capacity=5, category_id=self.categories["neighbourhood"], volunteers_needed=1,
            description=(
                "Przyprowadź swój rower: razem wymienimy dętkę, ustawimy hamulce i przerzutki. "
                "Narzędzia i łatki zapewnia centrum. Przy deszczu przenosimy się do sali na "
                "parterze."
            ),
        ))
        for number, person in enumerate(neighbours(1, 2, 4, 5, 7, 9, 11)):
            timeline.at(moment(7 - number * 0.7, 18, 0), sign_up("bikes", person))
        timeline.at(moment(6, 20, 0), offer("bikes", neighbours(12)[0], accept=True))

        # Upcoming, two free places and no one signed up: the browser tests use this one.
        timeline.at(moment(3, 13, 0), create(
            "herbs", _next(5, today), (10, 0), (12, 0), title=BROWSER_TEST_ACTIVITY,
            place=YARD, capacity=2, category_id=self.categories["green_spaces"],
            proposal="Ogródek ziołowy na podwórku", volunteers_needed=2,
            description=(
                "Sadzimy miętę, melisę i szczypiorek w nowych skrzyniach na podwórku. Rękawice "
                "i sadzonki są na miejscu. Szukamy też dwóch osób do pomocy przy noszeniu ziemi."
            ),
        ))

        # Upcoming, no limit on places, sign-up closes tomorrow evening (food to order).
        timeline.at(moment(4, 11, 0), create(
            "picnic", today + timedelta(days=3), (16, 0), (19, 0),
            title="Piknik sąsiedzki na skwerze", place=SQUARE, capacity=None,
            signup_deadline=_on(tomorrow, 20, 0, ZONE),
            category_id=self.categories["neighbourhood"], volunteers_needed=3,
            description=(
                "Ciepła herbata, ciasto i gry dla dzieci na skwerze przy Paca. Zapisz się do "
                "jutra wieczorem, żebyśmy wiedzieli, ile jedzenia zamówić. Każdy może przynieść "
                "coś do wspólnego stołu."
            ),
        ))
        for number, person in enumerate([people["jan@example.org"], *neighbours(2, 5, 8, 11)]):
            timeline.at(moment(3 - number * 0.5, 20, 0), sign_up("picnic", person))
        timeline.at(moment(1, 10, 0), offer("picnic", neighbours(5)[0], accept=True))
        timeline.at(moment(1, 11, 0), offer("picnic", neighbours(8)[0], accept=False))

        # A draft: only the centre's animators see it.
        timeline.at(moment(1, 15, 0), create(
            "walk", today + timedelta(days=10), (11, 0), (13, 0), publish=False,
            title="Spacer badawczy po Grochowie", place=SQUARE, capacity=15,
            category_id=self.categories["neighbourhood"],
            description=(
                "Idziemy razem ulicami wokół centrum i zapisujemy, co warto zmienić: ciemne "
                "przejścia, brakujące ławki, dziury w chodniku. Wnioski zaniesiemy do dzielnicy."
            ),
        ))

        # Cancelled, with a reason everyone signed up was told.
        timeline.at(moment(9, 10, 0), create(
            "film", _next(4, today), (19, 0), (21, 30), title="Wieczór filmowy",
            place=GROUND_FLOOR, capacity=30, category_id=self.categories["culture"],
            description=(
                "Oglądamy razem polską komedię z napisami po ukraińsku, potem rozmawiamy przy "
                "herbacie. Popcorn zapewnia centrum."
            ),
        ))
        for number, person in enumerate([people["olena@example.org"], *neighbours(1, 7, 10)]):
            timeline.at(moment(8 - number, 17, 0), sign_up("film", person))
        timeline.at(moment(2, 9, 0), lambda: activities.cancel_activity(
            animator, made["film"][0],
            "Przepraszamy, zepsuł się projektor. Wieczór filmowy przeniesiemy na inny termin, "
            "damy znać."))

        # Past, with attendance recorded: homework help a week ago, the first session of the
        # seniors' accepted proposal (the initiative realised by an activity).
        lessons_day = _last(1, today - timedelta(days=7))  # a Tuesday
        timeline.at(_on(lessons_day - timedelta(days=14), 10, 0, ZONE), create(
            "lessons", lessons_day, (15, 0), (17, 0), title="Pomoc w lekcjach – wtorek",
            place=FIRST_FLOOR, capacity=8, category_id=self.categories["children_youth"],
            proposal="Pomoc w lekcjach prowadzona przez seniorów", volunteers_needed=2,
            description=(
                "Seniorzy z Grochowa pomagają dzieciom w lekcjach: matematyka, polski, "
                "angielski. Przynieś zeszyty i podręczniki. Zapisuje rodzic lub opiekun."
            ),
        ))
        lessons_start = _on(lessons_day, 15, 0, ZONE)
        families = neighbours(3, 4, 6, 8, 9, 10)
        for number, person in enumerate(families):
            timeline.at(lessons_start - timedelta(days=10, hours=-5 * number),
                        sign_up("lessons", person))
        for number, person in enumerate([people["halina@example.org"], *neighbours(2)]):
            timeline.at(lessons_start - timedelta(days=12 - number),
                        offer("lessons", person, accept=True))
        for number, person in enumerate(families[:5]):  # one family did not come
            timeline.at(lessons_start - timedelta(minutes=10 - 2 * number),
                        _bind_check_in(person, lambda: made["lessons"][0], animator))
        timeline.at(lessons_start + timedelta(minutes=15), lambda: activities.add_walk_in(
            animator, made["lessons"][0], neighbours(11)[0].id))
        timeline.at(lessons_start + timedelta(minutes=25), lambda: activities.change_guests(
            animator, made["lessons"][0], 3))  # children of non-members, no account
        lessons_end = _on(lessons_day, 17, 0, ZONE)
        for person, minutes in zip([people["halina@example.org"], *neighbours(2)], (150, 120),
                                   strict=True):
            timeline.at(lessons_end + timedelta(minutes=30),
                        _bind_hours(person, lambda: made["lessons"][0], animator, minutes))

        # Past: the square clean-up two weeks ago, full, eight of ten came.
        cleanup_day = _last(5, today - timedelta(days=14))  # a Saturday
        cleanup_start = _on(cleanup_day, 10, 0, ZONE)
        timeline.at(cleanup_start - timedelta(days=14), create(
            "cleanup", cleanup_day, (10, 0), (13, 0), title="Sprzątanie skweru", place=SQUARE,
            capacity=10, category_id=self.categories["green_spaces"],
            description=(
                "Sprzątamy razem skwer przy Paca. Worki, rękawice i grabie zapewnia "
                "centrum, a na koniec herbata i drożdżówki dla wszystkich."
            ),
        ))
        crew = [people["jan@example.org"], *neighbours(1, 2, 3, 4, 5, 6, 7, 8, 9)]
        for number, person in enumerate(crew):
            timeline.at(cleanup_start - timedelta(days=10, hours=-5 * number),
                        sign_up("cleanup", person))
        for number, person in enumerate(crew):
            if person.email not in ("sasiad3@example.org", "sasiad8@example.org"):
                timeline.at(cleanup_start - timedelta(minutes=10 - number),
                            _bind_check_in(person, lambda: made["cleanup"][0], animator))

    def _neighbours(self, *numbers: int) -> list[User]:
        return [self.neighbour(number) for number in numbers]


def _christmas_eve(first_day: date) -> date:
    """The first Christmas Eve of the year."""
    eve = date(first_day.year, 12, 24)
    return eve if eve > first_day + timedelta(days=14) else date(first_day.year + 1, 12, 24)


# Steps bound to their values (a lambda in a loop would see the loop's last value).


def _proposal(year: Year, title: str) -> Proposal:
    return year.proposals[title]


def _bind(action, member: User, title: str, year: Year) -> Callable[[], object]:
    return lambda: action(member, _proposal(year, title))


def _bind_assisted(member: User, title: str, year: Year) -> Callable[[], object]:
    return lambda: proposals.record_assisted_support(year.animator, _proposal(year, title),
                                                     member.id)


def _bind_comment(writer: User, title: str, text: str, year: Year) -> Callable[[], object]:
    return lambda: proposals.post_comment(writer, _proposal(year, title), text)


def _bind_move(actor: User, title: str, status: str, reason: str,
               year: Year) -> Callable[[], object]:
    return lambda: proposals.change_status(actor, _proposal(year, title), status, reason)


def _bind_signup(person: User, made: dict, animator: User | None) -> Callable[[], object]:
    def step():
        if animator is not None:  # at the desk, for someone without a phone
            return activities.sign_up_for(animator, made["it"], person.id)
        return activities.sign_up(person, made["it"])
    return step


def _bind_offer(person: User, made: dict) -> Callable[[], object]:
    return lambda: activities.offer_help(person, made["it"])


def _bind_accept(person: User, made: dict, animator: User) -> Callable[[], object]:
    def step():
        offer = activities.offer_of(person, made["it"])
        return activities.decide_offer(animator, made["it"], offer.id, accept=True)
    return step


def _bind_check_in(person: User, activity: Callable[[], Activity], animator: User,
                   undo: bool = False) -> Callable[[], object]:
    """At the door: the person is checked in, if they still have a confirmed place."""
    def step():
        signup = activities.signup_of(person, activity())
        if signup is None or signup.status is not activities.SignupStatus.CONFIRMED:
            return  # cancelled, or still waiting when it began
        activities.check_in(animator, signup)
        if undo:  # a wrong tap: this one had not come after all
            activities.undo_check_in(animator, signup)
    return step


def _bind_walk_in(person: User, made: dict, animator: User) -> Callable[[], object]:
    def step():
        if not made["it"].is_full:
            activities.add_walk_in(animator, made["it"], person.id)
    return step


def _bind_hours(person: User, activity: Callable[[], Activity], animator: User,
                minutes: int) -> Callable[[], object]:
    """After it: a helper's hours, if they were accepted as a helper."""
    def step():
        offer = activities.offer_of(person, activity())
        if offer is not None and offer.status is activities.VolunteerStatus.CONFIRMED:
            activities.record_hours(animator, activity(), offer.id, minutes)
    return step


def _settle(now: datetime) -> None:
    """What a year of use leaves behind besides the acts: the e-mails of the past went out
    when they were written, and residents read their notifications within a day or two."""
    week_ago = now - timedelta(days=7)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.created_at < week_ago)
                       .values(sent_at=OutboxMessage.created_at, attempts=1))
    for notification in db.session.scalars(
            select(Notification).where(Notification.created_at < week_ago)):
        notification.read_at = notification.created_at + timedelta(days=1)
    db.session.flush()


NEIGHBOURS = ["Krystyna Lewandowska", "Tadeusz Wójcik", "Zofia Kamińska", "Andrzej Zając",
              "Maria Szymańska", "Oksana Melnyk", "Józef Dąbrowski", "Teresa Kozłowska",
              "Paweł Mazur", "Iryna Bondarenko", "Barbara Krawczyk", "Stanisław Piotrowski"]

# (title, body, category key, author e-mail, final status, supports, answer)
PROPOSALS = [
    ("Ławki przy placu zabaw na Paca",
     "Rodzice i dziadkowie czekają przy placu zabaw na stojąco. Proponujemy trzy ławki "
     "z oparciem w cieniu drzew, od strony ulicy Paca.",
     "neighbourhood", "jan@example.org", "published", 9, ""),
    ("Kawiarenka językowa polsko-ukraińska",
     "Raz w tygodniu wieczorem: rozmowy po polsku i ukraińsku przy herbacie. Sąsiedzi uczą "
     "się nawzajem języka i poznają się lepiej. Więcej: https://example.org/kawiarenka",
     "culture", "olena@example.org", "under_review", 16, ""),
    ("Pomoc w lekcjach prowadzona przez seniorów",
     "Seniorzy z Grochowa pomagają dzieciom w lekcjach dwa razy w tygodniu po szkole. "
     "Potrzebujemy sali i kilku stołów.",
     "children_youth", "halina@example.org", "accepted",
     15, "Dziękujemy! Sala na pierwszym piętrze jest wolna we wtorki i czwartki od 15:00."),
    ("Ogródek ziołowy na podwórku",
     "Skrzynie z ziołami na wspólnym podwórku: mięta, melisa, szczypiorek. Dzieci mogą "
     "podlewać, a każdy może zerwać coś do herbaty.",
     "green_spaces", "jan@example.org", "in_progress", 15,
     "Skrzynie są zamówione, sadzimy razem w sobotę o 10:00."),
    ("Wymiana książek w holu",
     "Półka, na której można zostawić przeczytaną książkę i wziąć inną. Bez zapisów.",
     "culture", "halina@example.org", "completed", 15, "Półka stoi już w holu. Zapraszamy!"),
    ("Lepsze oświetlenie przejścia przy szkole",
     "Wieczorem przejście przy szkole jest ciemne. Prosimy o rozmowę z dzielnicą "
     "o dodatkowej latarni.",
     "safety", "olena@example.org", "declined", 15,
     "To sprawa dzielnicy, nie centrum. Przekazaliśmy wniosek do urzędu i pomożemy go napisać."),
    ("Warsztaty naprawy rowerów",
     "Co miesiąc wspólne naprawianie rowerów z narzędziami centrum; ktoś pokaże, jak "
     "wymienić dętkę i ustawić hamulce.",
     "neighbourhood", "jan@example.org", "submitted", 0, ""),
    ("Sprzedam tanio meble",
     "To ogłoszenie sprzedaży, nie inicjatywa sąsiedzka. Dzwońcie pod numer podany niżej.",
     "neighbourhood", "jan@example.org", "rejected", 0, ""),
    ("Wycieczka do Kampinosu",
     "Jednodniowa wycieczka autokarem dla seniorów i rodzin z dziećmi, wiosną.",
     "seniors", "halina@example.org", "withdrawn", 2, ""),
    ("Zajęcia z telefonem dla seniorów",
     "Jak zrobić zdjęcie, wysłać wiadomość i porozmawiać z wnukami przez wideo. "
     "Małe grupy, cierpliwi prowadzący.",
     "seniors", "halina@example.org", "hidden", 1, ""),
]
REASONS = {
    "rejected": "To ogłoszenie sprzedaży. Zapraszamy do zgłoszenia inicjatywy dla sąsiadów.",
    "withdrawn": "Nie uda się zebrać grupy w tym roku.",
    "hidden": "Ukryte do wyjaśnienia: w treści były dane osobowe.",
    "declined": "To sprawa dzielnicy, nie centrum.",
}


# Proposals of the year besides the ones above: (title, body, category key, author (a
# neighbour's number, or "resident": anyone around), submitted (days ago), final status,
# details). A completed one is realised by an activity about a month after it was proposed:
# (title, weekday, hours, place, who comes, guests).
HISTORY_PROPOSALS = [
    ("Choinka sąsiedzka na podwórku",
     "Postawmy na podwórku choinkę i ubierzmy ją razem z dziećmi. Każdy przynosi jedną "
     "ozdobę, a na koniec śpiewamy kolędy po polsku i po ukraińsku.",
     "neighbourhood", 1, 352, "completed",
     {"supporters": 12, "paper": 8, "assisted": 2, "comments": 3,
      "answer": "Choinkę ubieramy razem w sobotę przed świętami. Dziękujemy za ozdoby!",
      "realised_by": ("Ubieranie choinki na podwórku", 5, ((11, 0), (13, 0)),
                      "Podwórko za budynkiem, ul. Paca 40", "family", (4, 10))}),
    ("Grupa spacerowa z kijkami",
     "Spotykajmy się dwa razy w tygodniu rano i chodźmy z kijkami po parku Skaryszewskim. "
     "Tempo dla każdego, także po operacji kolana.",
     "seniors", 8, 280, "withdrawn", {"supporters": 6, "comments": 2}),
    ("Festyn na Dzień Dziecka",
     "Festyn na podwórku: gry, malowanie twarzy, loteria fantowa i ciasta od sąsiadów. "
     "Dochód z loterii na wycieczkę dla dzieci ze świetlicy.",
     "children_youth", 3, 210, "completed",
     {"supporters": 14, "paper": 12, "comments": 4,
      "answer": "Festyn robimy na podwórku w sobotę przed Dniem Dziecka. Zapraszamy!",
      "realised_by": ("Dzień Dziecka na podwórku", 5, ((14, 0), (18, 0)),
                      "Podwórko za budynkiem, ul. Paca 40", "family", (10, 25))}),
    ("Kino plenerowe latem",
     "Letnie wieczory z kinem na skwerze: rzutnik, ekran i leżaki. Filmy wybieramy razem, "
     "napisy po polsku i po ukraińsku.",
     "culture", 9, 160, "completed",
     {"supporters": 17, "comments": 2, "withdrawals": 1,
      "answer": "Pierwszy pokaz w piątek na skwerze. Film wybraliście w komentarzach.",
      "realised_by": ("Kino plenerowe na skwerze", 4, ((20, 30), (22, 30)),
                      "Skwer przy ul. Paca, zbiórka przed wejściem do centrum", "family",
                      (8, 20))}),
    ("Stojaki na rowery przed centrum",
     "Przed wejściem do centrum nie ma gdzie przypiąć roweru. Proponujemy pięć stojaków "
     "w kształcie odwróconego U przy ścianie budynku.",
     "neighbourhood", 4, 140, "declined",
     {"supporters": 16, "comments": 2,
      "answer": "To teren dzielnicy: przekazaliśmy wniosek do urzędu i pomożemy go poprzeć."}),
    ("Reklama firmy remontowej",
     "Tanie remonty mieszkań, szybko i solidnie. Zadzwoń, a przyjedziemy jeszcze dziś.",
     "neighbourhood", "resident", 120, "rejected", {}),
    ("Sąsiedzka wymiana ubrań",
     "Raz na jakiś czas przynosimy czyste ubrania, z których wyrośliśmy my albo dzieci, "
     "i zabieramy to, co się przyda. Resztę oddajemy do schroniska.",
     "neighbourhood", 6, 110, "completed",
     {"supporters": 15, "assisted": 2, "withdrawals": 1, "comments": 2,
      "answer": "Wymiana w sali na parterze: przynieście czyste ubrania, zabierzcie, co się "
                "przyda.",
      "realised_by": ("Sąsiedzka wymiana ubrań", 5, ((10, 0), (13, 0)),
                      "Sala na parterze, ul. Paca 40", "family", (2, 8))}),
]
HISTORY_REASONS = {
    "declined": "To teren dzielnicy, nie centrum.",
    "withdrawn": "Chodzimy już razem z klubem seniora, grupa nie jest potrzebna.",
    "rejected": "To reklama firmy, nie inicjatywa sąsiedzka.",
}
COMMENTS = [
    "Świetny pomysł, pomogę!", "Mogę przynieść ciasto.", "Popieram, w końcu ktoś to zgłosił.",
    "Czy mogę przyjść z wnukami?", "Дуже гарна ідея, я допоможу.", "Ja też się zapisuję.",
    "A może w sobotę rano? W tygodniu pracuję.", "Mam w piwnicy stół, mogę pożyczyć.",
]
ANIMATOR_COMMENTS = [
    "Dziękujemy! Zapytamy w dzielnicy o zgodę.", "Sala jest wolna, zapraszamy.",
    "Zbieramy chętnych do pomocy: wpiszcie się w komentarzach.",
]
DESCRIPTIONS = {
    SENIORS: "Herbata, rozmowy, gimnastyka na krzesłach i planowanie wspólnych wyjść.",
    CHESS: "Gramy w szachy i warcaby; uczymy początkujących. Plansze są na miejscu.",
    CRAFTS: "Szydełko, decoupage i kartki okolicznościowe. Materiały zapewnia centrum.",
    MEETING: "Rozmawiamy o tym, co się dzieje na Grochowie, i planujemy następny miesiąc.",
    FAMILY: "Dla dzieci i dorosłych. Wstęp wolny, zapraszamy sąsiadów z całej okolicy.",
}
CANCELLED_MEETING = "Przepraszamy, prowadząca zachorowała. Spotkamy się za miesiąc."


def _keep_logins(logins: list[DemoLogin]) -> None:
    path = Path(current_app.instance_path) / "demo-logins.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{login.role}\t{login.email}\t{login.password}\n" for login in logins)
