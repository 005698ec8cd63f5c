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
    _keep_logins(logins)
    return logins


def _keep_logins(logins: list[DemoLogin]) -> None:
    path = Path(current_app.instance_path) / "demo-logins.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{login.role}\t{login.email}\t{login.password}\n" for login in logins)
