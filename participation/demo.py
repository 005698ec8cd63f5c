"""Demo data: centres named in the CAL certificate's materials, with people to sign in as.

Passwords are random on every load and printed once; they are also written to
``instance/demo-logins.txt`` (readable by its owner only) so a missed terminal line is not fatal.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

from .admin import service as admin
from .extensions import db
from .models import AgeBracket, Membership, Role, User, utcnow

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


def load_demo() -> list[DemoLogin]:
    """Add the demo centres and people to an empty database; return the logins to print."""
    centres = {
        fields["slug"]: admin.create_centre(admin.CONSOLE, **fields) for fields in CENTRES
    }
    logins = []
    for role, name, email, locale, age, memberships in PEOPLE:
        password = secrets.token_urlsafe(9)
        user = User(display_name=name, email=email, locale=locale, age_bracket=age,
                    is_admin=(email == "admin@example.org"))
        user.set_password(password)
        db.session.add(user)
        for slug, member_role in memberships.items():
            db.session.add(Membership(user=user, centre=centres[slug], role=member_role,
                                      verified=member_role is Role.ANIMATOR))
        logins.append(DemoLogin(role, email, password))
    db.session.flush()
    _add_neighbours(centres["paca-40"])
    _add_proposals(centres["paca-40"])
    _add_activities(centres["paca-40"])
    _keep_logins(logins)
    return logins


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
     "culture", "halina@example.org", "completed", 15, "Półka stoi w holu od marca. Zapraszamy!"),
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
# What animators (or, to withdraw, the author) do after publishing and supports.
AFTER_SUPPORTS = {
    "published": [], "under_review": [], "withdrawn": ["withdrawn"], "hidden": ["hidden"],
    "accepted": ["accepted"], "declined": ["declined"], "in_progress": ["accepted", "in_progress"],
    "completed": ["accepted", "in_progress", "completed"],
}


def _add_neighbours(centre) -> None:
    """Residents who support proposals in the demo; they have no password (no sign-in)."""
    for number, name in enumerate(NEIGHBOURS, start=1):
        user = User(display_name=name, email=f"sasiad{number}@example.org")
        db.session.add(user)
        db.session.add(Membership(user=user, centre=centre, role=Role.RESIDENT))
    db.session.flush()


def _add_proposals(centre) -> None:
    """Proposals in every state at the centre, made through the services like real ones."""
    from sqlalchemy import select

    from .proposals import service as proposals

    people = {user.email: user for user in db.session.scalars(select(User))}
    animator = people["marta@example.org"]
    supporters = [people[f"sasiad{n}@example.org"] for n in range(1, len(NEIGHBOURS) + 1)]
    supporters += [people[email] for email in
                   ("jan@example.org", "olena@example.org", "halina@example.org")]
    categories = {category.key: category for category in proposals.categories_of(centre)}
    for title, body, key, email, final, support_count, answer in PROPOSALS:
        author = people[email]
        proposal = proposals.propose(author, centre, title, body, categories[key].id)
        if final == "submitted":
            continue
        if final == "rejected":
            proposals.change_status(animator, proposal, "rejected", REASONS["rejected"])
            continue
        proposals.change_status(animator, proposal, "published")
        for supporter in supporters[:support_count]:  # 15 reach the threshold: under review
            proposals.give_support(supporter, proposal)
        for step in AFTER_SUPPORTS[final]:
            actor = author if step == "withdrawn" else animator
            proposals.change_status(actor, proposal, step, REASONS.get(step, ""))
        if answer:
            proposals.answer(animator, proposal, answer)
        if final == "published":
            proposals.record_paper_tally(animator, proposal, 3, "Karty z kawiarenki sąsiedzkiej")
            proposals.record_assisted_support(animator, proposal, people["halina@example.org"].id)
            proposals.post_comment(people["halina@example.org"], proposal,
                                   "Bardzo potrzebne! Chętnie pomogę pomalować ławki.")
            proposals.post_comment(animator, proposal,
                                   "Sprawdzamy z zarządem zieleni, gdzie ławki mogą stanąć.")


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


def _add_activities(centre) -> None:
    """Activities in every state at the centre: upcoming ones made through the services like
    real ones; past ones made through the same services and then moved back in time (the
    services refuse a start in the past), with every timestamp and log entry moved along."""
    from sqlalchemy import select

    from .activities import service as activities
    from .models import Proposal
    from .proposals import service as proposals

    people = {user.email: user for user in db.session.scalars(select(User))}
    animator = people["marta@example.org"]
    categories = {category.key: category.id for category in proposals.categories_of(centre)}
    realises = {title: proposal_id for proposal_id, title in db.session.execute(
        select(Proposal.id, Proposal.title).where(Proposal.centre_id == centre.id))}
    zone = ZoneInfo(centre.timezone)
    today = utcnow().astimezone(zone).date()
    tomorrow = today + timedelta(days=1)

    def neighbours(*numbers: int) -> list[User]:
        return [people[f"sasiad{number}@example.org"] for number in numbers]

    def move_back(activity, day: date, start: tuple[int, int], end: tuple[int, int]) -> None:
        """The services refuse a start in the past: a past activity is made (and signed up
        for) on a later day with the same local times, then put on its real day."""
        activity.starts_at, activity.ends_at = _on(day, *start, zone), _on(day, *end, zone)
        activity.signup_deadline = None
        db.session.flush()

    def create(day: date, start: tuple[int, int], end: tuple[int, int], repeat_until=None,
               publish=True, **fields):
        details = activities.ActivityDetails(starts_at=_on(day, *start, zone),
                                             ends_at=_on(day, *end, zone), **fields)
        return activities.create_activities(animator, centre, details, repeat_until, publish)

    def helpers(activity, confirmed: list[User], offered: tuple[User, ...] = ()):
        offers = [activities.offer_help(person, activity) for person in (*confirmed, *offered)]
        for offer in offers[:len(confirmed)]:
            activities.decide_offer(animator, activity, offer.id, accept=True)
        return offers

    # Upcoming, open: a weekly series for four weeks, realising the proposal under review.
    first = _next(2, today)  # Wednesdays
    cafe = create(
        first, (18, 0), (20, 0), repeat_until=first + timedelta(weeks=3),
        title="Kawiarenka językowa polsko-ukraińska", place=GROUND_FLOOR, capacity=12,
        category_id=categories["culture"],
        proposal_id=realises["Kawiarenka językowa polsko-ukraińska"], volunteers_needed=1,
        description=(
            "Co tydzień rozmawiamy przy herbacie po polsku i po ukraińsku. Nie trzeba znać "
            "języka: wystarczy chęć do rozmowy. Ciasto mile widziane!\n\n"
            "Щотижня розмовляємо за чаєм польською та українською. Приходьте!"
        ),
    )
    for person in [people["olena@example.org"], *neighbours(6, 10)]:
        activities.sign_up(person, cafe[0])
    activities.sign_up_for(animator, cafe[0], neighbours(3)[0].id)  # signed up at the desk
    for person in [people["olena@example.org"], *neighbours(10)]:
        activities.sign_up(person, cafe[1])
    helpers(cafe[0], [], neighbours(6))  # an offer of help waiting for the animator

    # Upcoming, full, with a waitlist: five neighbours have the places, two are waiting.
    bikes = create(
        _next(3, today), (17, 0), (19, 0), title=FULL_ACTIVITY, place=YARD, capacity=5,
        category_id=categories["neighbourhood"], volunteers_needed=1,
        description=(
            "Przyprowadź swój rower: razem wymienimy dętkę, ustawimy hamulce i przerzutki. "
            "Narzędzia i łatki zapewnia centrum. Przy deszczu przenosimy się do sali na "
            "parterze."
        ),
    )[0]
    for person in neighbours(1, 2, 4, 5, 7, 9, 11):
        activities.sign_up(person, bikes)
    helpers(bikes, neighbours(12))

    # Upcoming, two free places and no one signed up: the browser tests use this one.
    create(
        _next(5, today), (10, 0), (12, 0), title=BROWSER_TEST_ACTIVITY, place=YARD,
        capacity=2, category_id=categories["green_spaces"],
        proposal_id=realises["Ogródek ziołowy na podwórku"], volunteers_needed=2,
        description=(
            "Sadzimy miętę, melisę i szczypiorek w nowych skrzyniach na podwórku. Rękawice "
            "i sadzonki są na miejscu. Szukamy też dwóch osób do pomocy przy noszeniu ziemi."
        ),
    )

    # Upcoming, no limit on places, sign-up closes tomorrow evening (food to order).
    picnic = create(
        today + timedelta(days=3), (16, 0), (19, 0), title="Piknik sąsiedzki na skwerze",
        place=SQUARE, capacity=None, signup_deadline=_on(today + timedelta(days=1), 20, 0, zone),
        category_id=categories["neighbourhood"], volunteers_needed=3,
        description=(
            "Ciepła herbata, ciasto i gry dla dzieci na skwerze przy Paca. Zapisz się do "
            "jutra wieczorem, żebyśmy wiedzieli, ile jedzenia zamówić. Każdy może przynieść "
            "coś do wspólnego stołu."
        ),
    )[0]
    for person in [people["jan@example.org"], *neighbours(2, 5, 8, 11)]:
        activities.sign_up(person, picnic)
    helpers(picnic, neighbours(5), neighbours(8))

    # A draft: only the centre's animators see it.
    create(
        today + timedelta(days=10), (11, 0), (13, 0), publish=False,
        title="Spacer badawczy po Grochowie", place=SQUARE, capacity=15,
        category_id=categories["neighbourhood"],
        description=(
            "Idziemy razem ulicami wokół centrum i zapisujemy, co warto zmienić: ciemne "
            "przejścia, brakujące ławki, dziury w chodniku. Wnioski zaniesiemy do dzielnicy."
        ),
    )

    # Cancelled, with a reason everyone signed up was told.
    film = create(
        _next(4, today), (19, 0), (21, 30), title="Wieczór filmowy", place=GROUND_FLOOR,
        capacity=30, category_id=categories["culture"],
        description=(
            "Oglądamy razem polską komedię z napisami po ukraińsku, potem rozmawiamy przy "
            "herbacie. Popcorn zapewnia centrum."
        ),
    )[0]
    for person in [people["olena@example.org"], *neighbours(1, 7, 10)]:
        activities.sign_up(person, film)
    activities.cancel_activity(
        animator, film,
        "Przepraszamy, zepsuł się projektor. Wieczór filmowy przeniesiemy na inny termin, "
        "damy znać.")

    # Past, with attendance recorded: homework help a week ago. Not linked to the seniors'
    # proposal of the same idea: that proposal is made today, after this activity took place.
    lessons = create(
        tomorrow, (15, 0), (17, 0), title="Pomoc w lekcjach – wtorek", place=FIRST_FLOOR,
        capacity=8, category_id=categories["children_youth"], volunteers_needed=2,
        description=(
            "Seniorzy z Grochowa pomagają dzieciom w lekcjach: matematyka, polski, "
            "angielski. Przynieś zeszyty i podręczniki. Zapisuje rodzic lub opiekun."
        ),
    )[0]
    signed = [activities.sign_up(person, lessons) for person in neighbours(3, 4, 6, 8, 9, 10)]
    offers = helpers(lessons, [people["halina@example.org"], *neighbours(2)])
    move_back(lessons, _last(1, today - timedelta(days=7)), (15, 0), (17, 0))  # a Tuesday
    for signup in signed[:5]:  # one family did not come
        activities.check_in(animator, signup)
    walk_in = activities.add_walk_in(animator, lessons, neighbours(11)[0].id)
    activities.change_guests(animator, lessons, 3)  # children of non-members, no account
    for offer, minutes in zip(offers, (150, 120), strict=True):
        activities.record_hours(animator, lessons, offer.id, minutes)
    _backdate(lessons, [*signed, walk_in], offers)

    # Past: the square clean-up two weeks ago, full, eight of ten came.
    cleanup = create(
        tomorrow, (10, 0), (13, 0), title="Sprzątanie skweru", place=SQUARE, capacity=10,
        category_id=categories["green_spaces"],
        description=(
            "Sprzątamy razem skwer przy Paca. Worki, rękawice i grabie zapewnia "
            "centrum, a na koniec herbata i drożdżówki dla wszystkich."
        ),
    )[0]
    signed = [activities.sign_up(person, cleanup)
              for person in [people["jan@example.org"], *neighbours(1, 2, 3, 4, 5, 6, 7, 8, 9)]]
    move_back(cleanup, _last(5, today - timedelta(days=14)), (10, 0), (13, 0))  # a Saturday
    for signup in signed:
        if signup.user.email not in ("sasiad3@example.org", "sasiad8@example.org"):
            activities.check_in(animator, signup)
    _backdate(cleanup, signed, [])


def _backdate(activity, signups, offers) -> None:
    """Give the rows and the log entries the times they would have had: published two weeks
    before, sign-ups in the days before, arrivals at the start, hours after the end."""
    from sqlalchemy import select

    from .models import Notification, ParticipationEvent, SignupChannel

    start, end = activity.starts_at, activity.ends_at
    activity.created_at = activity.published_at = start - timedelta(days=14)
    when = {("activity", activity.id, "activity_published"): activity.published_at,
            ("activity", activity.id, "walk_in"): start + timedelta(minutes=25)}
    for number, signup in enumerate(signups):
        if signup.channel is SignupChannel.WALK_IN:
            signup.created_at = signup.confirmed_at = start + timedelta(minutes=15)
            signup.checked_in_at = signup.confirmed_at
        else:
            signup.created_at = start - timedelta(days=10) + timedelta(hours=5 * number)
            signup.confirmed_at = signup.created_at
            if signup.checked_in_at is not None:
                signup.checked_in_at = start - timedelta(minutes=10) + timedelta(minutes=2 * number)
        for kind in ("signup_confirmed", "checked_in", "walk_in"):
            when[("signup", signup.id, kind)] = (
                signup.confirmed_at if kind == "signup_confirmed" else signup.checked_in_at)
    for offer in offers:
        offer.created_at = start - timedelta(days=12)
        offer.confirmed_at = start - timedelta(days=11)
        offer.hours_recorded_at = end + timedelta(minutes=30)
        when[("volunteer_offer", offer.id, "volunteer_offered")] = offer.created_at
        when[("volunteer_offer", offer.id, "volunteer_hours")] = offer.hours_recorded_at
    db.session.flush()
    for event in db.session.scalars(select(ParticipationEvent).where(
            ParticipationEvent.centre_id == activity.centre_id)):
        moment = when.get((event.subject_type, event.subject_id, event.kind))
        if moment is not None:
            event.occurred_at = moment
    for notification in db.session.scalars(
            select(Notification).where(Notification.activity_id == activity.id)):
        notification.created_at = start - timedelta(days=11)  # "you are confirmed as a helper"
    db.session.flush()


def _keep_logins(logins: list[DemoLogin]) -> None:
    path = Path(current_app.instance_path) / "demo-logins.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{login.role}\t{login.email}\t{login.password}\n" for login in logins)
