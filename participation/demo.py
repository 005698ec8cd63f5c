"""Demo data: centres named in the CAL certificate's materials, with people to sign in as.

Passwords are random on every load and printed once; they are also written to
``instance/demo-logins.txt`` (readable by its owner only) so a missed terminal line is not fatal.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from .admin import service as admin
from .extensions import db
from .models import AgeBracket, Membership, Role, User

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


def _keep_logins(logins: list[DemoLogin]) -> None:
    path = Path(current_app.instance_path) / "demo-logins.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{login.role}\t{login.email}\t{login.password}\n" for login in logins)
