"""A busy centre's data for ``bench/load.py``, loaded with bulk inserts.

One centre with 500 members (and two animators), 1,000 proposals over a year and a half
(mostly public, some awaiting approval, rejected, hidden or withdrawn; the well-supported ones
under review or answered, with their status history), 20,000 supports spread unevenly (a few
proposals draw hundreds, most a handful), 3,000 comments, and 200 activities (three quarters
past, with check-ins; the rest in the next two months, some full with a waitlist) with their
sign-ups. Two activities are the bench's own targets: one ordinary upcoming activity for the
page, and a large open event (capacity 10,000) for the sign-up toggle.

Participation events are not written: no page the load bench drives reads them.
Members' passwords are hashed with a cheap PBKDF2 (1,000 rounds) so that logging in the pool
of bench members is quick; login is not what the bench measures.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from participation.admin.service import CONSOLE, create_centre
from participation.extensions import db
from participation.models import (
    Activity,
    Comment,
    Membership,
    Proposal,
    Signup,
    StatusChange,
    Support,
    User,
)
from participation.proposals.service import categories_of

SLUG = "cal-bench"
PASSWORD = "bench-password-1"  # noqa: S105  (a throwaway database's members)
SUPPORT_THRESHOLD = 30
BIG_CAPACITY = 10_000

FIRST_NAMES = ("Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa",
               "Krystyna", "Elżbieta", "Zofia", "Halina", "Olena", "Iryna", "Natalia", "Piotr",
               "Krzysztof", "Andrzej", "Tomasz", "Jan", "Paweł", "Michał", "Marek", "Stanisław",
               "Józef", "Oleksandr", "Serhij", "Wiktor", "Zbigniew", "Jerzy", "Ryszard")
SURNAMES = "ABCDEFGHIJKLMNOPRSTUWZŁŚŻ"
AGE_BRACKETS = ("under_16", "16_24", "25_34", "35_49", "50_64", "65_74", "75_plus")
AGE_WEIGHTS = (3, 8, 14, 20, 18, 20, 17)
STREETS = ("Paca", "Grochowska", "Podskarbińska", "Kobielska", "Łukowska", "Zamieniecka",
           "Siennicka", "Osowska", "Garwolińska", "Chłopickiego", "Igańska", "Wiatraczna")
PROPOSAL_TITLES = (
    "Ławki i cień na skwerze przy ul. {street}", "Warsztaty komputerowe dla seniorów",
    "Kawiarenka językowa polsko-ukraińska", "Stojaki rowerowe przed centrum",
    "Wspólny ogródek na podwórku przy ul. {street}", "Biblioteczka wymiany książek",
    "Kino plenerowe na podwórku", "Zajęcia ruchowe dla osób 60+", "Lepsze oświetlenie ul. {street}",
    "Kącik dla dzieci w sali na parterze", "Naprawa chodnika przy ul. {street}",
    "Sąsiedzka pomoc w zakupach", "Gra terenowa o historii Grochowa", "Wieczory planszówek",
    "Budki lęgowe i poidełka dla ptaków", "Spotkania z dzielnicowym", "Warsztaty kulinarne",
    "Mural na ścianie przy ul. {street}", "Zbiórka elektroodpadów", "Chór sąsiedzki",
)
SENTENCES = (
    "Mieszkańcy od dawna o tym rozmawiają na spotkaniach w centrum.",
    "Chodzi o miejsce, z którego korzystają i dzieci, i seniorzy.",
    "Koszt jest niewielki, a część pracy możemy wykonać sami jako wolontariusze.",
    "Proponuję, żeby zacząć wiosną, kiedy jest cieplej i więcej osób wychodzi z domu.",
    "Rozmawiałam z sąsiadami z trzech klatek i wszyscy są za.",
    "Centrum ma już potrzebny sprzęt, brakuje tylko osoby, która to zorganizuje.",
    "Na podobnym podwórku na Pradze udało się to w jedno lato.",
    "Mogę pomóc w przygotowaniu i w sprzątaniu po wszystkim.",
    "Warto zapytać administrację budynku o zgodę, zanim zaczniemy.",
    "To dobra okazja, żeby poznać nowych sąsiadów, także tych z Ukrainy.",
    "Dzieci z pobliskiej szkoły chętnie się włączą.",
    "Potrzebne byłyby dwie lub trzy osoby na stałe i trochę pieniędzy na materiały.",
)
COMMENTS = (
    "Popieram, sama chętnie pomogę.", "Świetny pomysł, mieszkam obok.",
    "A kto potem o to zadba? Warto to ustalić od razu.", "Mogę przynieść narzędzia.",
    "Dobrze byłoby zacząć w weekend, w tygodniu pracuję.", "Super! Dzieci się ucieszą.",
    "Byłem na podobnym w innej dzielnicy, bardzo udane.", "Пропоную також оголошення українською.",
    "Czy to będzie dostępne dla osób na wózku?", "Zgłaszam się jako wolontariusz.",
)
ACTIVITY_TITLES = ("Kawiarenka językowa", "Pomoc w lekcjach", "Klub seniora", "Warsztaty "
                   "ceramiki", "Spotkanie sąsiedzkie", "Sprzątanie skweru", "Gimnastyka 60+",
                   "Turniej szachowy", "Naprawa rowerów", "Wieczór filmowy", "Rękodzieło",
                   "Spacer badawczy po Grochowie", "Planszówki", "Chór sąsiedzki")
PLACES = ("Sala na parterze, ul. Paca 40", "Sala na pierwszym piętrze, ul. Paca 40",
          "Podwórko za budynkiem, ul. Paca 40", "Skwer przy ul. Paca")
CAPACITIES = (None, None, 8, 10, 12, 12, 15, 20, 20, 25, 30)
ANSWERED = ("accepted", "declined", "in_progress", "completed")


@dataclass
class BusyCentre:
    """What the bench needs to know about the data it loaded."""

    slug: str
    member_emails: list[str]
    proposal_id: int  # the proposal page the bench reads
    support_targets: list[int]  # proposals the members' support toggles go to
    activity_id: int  # the activity page the bench reads
    signup_activity_id: int  # the large open event the sign-up toggle uses
    counts: dict[str, int] = field(default_factory=dict)


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(low, high)))


def _insert(model, rows: list[dict]) -> list[int]:
    """Bulk insert; the new ids in the order of ``rows`` (the database numbers them, so its
    sequences stay right for the rows the app adds later)."""
    if not rows:
        return []
    table = model.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(statement, rows).scalars())


def load_busy_centre(members: int = 500, proposals: int = 1000, supports: int = 20_000,
                     activities: int = 200, comments: int = 3000, seed: int = 7) -> BusyCentre:
    """Fill an empty database (inside an app context); commit; describe what was made."""
    rng = random.Random(seed)  # noqa: S311 (a simulation)
    now = datetime.now(UTC).replace(microsecond=0)
    centre = create_centre(CONSOLE, name="Centrum Aktywności Lokalnej Grochów (bench)", slug=SLUG,
                           city="Warszawa", district="Praga-Południe",
                           address="ul. Paca 40, 04-386 Warszawa",
                           description="Duże centrum: tysiąc propozycji, pięćset osób.")
    centre.support_threshold = SUPPORT_THRESHOLD
    db.session.flush()
    categories = [category.id for category in categories_of(centre)]

    # People: every member shares one cheap hash (see the module's docstring).
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    emails = [f"member{number:04d}@bench.example" for number in range(1, members + 1)]
    people = [{"display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}.",
               "email": email, "password_hash": password_hash, "locale": "pl",
               "age_bracket": rng.choices(AGE_BRACKETS, AGE_WEIGHTS)[0], "is_admin": False,
               "session_token": secrets.token_urlsafe(24),
               "created_at": now - timedelta(days=rng.randint(30, 700))} for email in emails]
    people += [{"display_name": name, "email": f"{login}@bench.example",
                "password_hash": password_hash, "locale": "pl", "age_bracket": None,
                "is_admin": False, "session_token": secrets.token_urlsafe(24),
                "created_at": now - timedelta(days=800)}
               for name, login in (("Marta Animatorka", "animator1"),
                                   ("Paweł Animator", "animator2"))]
    user_ids = _insert(User, people)
    member_ids, animator_ids = user_ids[:members], user_ids[members:]
    _insert(Membership, [{"user_id": user_id, "centre_id": centre.id,
                          "role": "animator" if user_id in animator_ids else "resident",
                          "verified": user_id in animator_ids or rng.random() < 0.4,
                          "joined_at": person["created_at"]}
                         for user_id, person in zip(user_ids, people, strict=True)])

    # Proposals: which are public decides who may support and comment.
    plan = []
    for _ in range(proposals):
        created = now - timedelta(days=rng.uniform(1, 540))
        roll = rng.random()
        hidden_status = ("submitted" if roll < 0.04 else "rejected" if roll < 0.07
                         else "hidden" if roll < 0.09 else "withdrawn" if roll < 0.11 else None)
        plan.append({"created": created, "status": hidden_status,
                     "weight": rng.paretovariate(1.2)})
    public = [index for index, item in enumerate(plan) if item["status"] is None]
    wanted: dict[int, set[int]] = {index: set() for index in public}
    weights = [plan[index]["weight"] for index in public]
    total = 0
    while total < supports:
        for index in rng.choices(public, weights, k=supports - total):
            if len(wanted[index]) < members:
                before = len(wanted[index])
                wanted[index].add(rng.randrange(members))
                total += len(wanted[index]) - before
    for index in public:
        item = plan[index]
        count = len(wanted[index])
        if count < SUPPORT_THRESHOLD:
            item["status"] = "published"
        elif now - item["created"] < timedelta(days=90):
            item["status"] = "under_review"
        else:
            item["status"] = rng.choice(ANSWERED)
    proposal_rows = []
    for item in plan:
        created, status = item["created"], item["status"]
        published = None if status in ("submitted", "rejected") else created + timedelta(hours=20)
        answered = status in ANSWERED
        proposal_rows.append({
            "centre_id": centre.id, "author_id": rng.choice(member_ids),
            "category_id": rng.choice(categories),
            "title": rng.choice(PROPOSAL_TITLES).format(street=rng.choice(STREETS)),
            "body": _text(rng, 3, 7), "place": f"ul. {rng.choice(STREETS)}", "status": status,
            "official_answer": ("Dziękujemy. Zarząd dzielnicy odpowiedział, a centrum zajmie się "
                                "tym w tym roku." if answered else ""),
            "answered_at": created + timedelta(days=100) if answered else None,
            "answered_by_id": animator_ids[0] if answered else None,
            "created_at": created, "published_at": published, "channel": "online",
            "recorded_by_id": None,
        })
    proposal_ids = _insert(Proposal, proposal_rows)

    history = []
    for proposal_id, item, row in zip(proposal_ids, plan, proposal_rows, strict=True):
        steps = [(None, "submitted", item["created"])]
        status = item["status"]
        if status == "rejected":
            steps.append(("submitted", "rejected", item["created"] + timedelta(hours=20)))
        elif status != "submitted":
            steps.append(("submitted", "published", row["published_at"]))
            if status in ("hidden", "withdrawn"):
                steps.append(("published", status, row["published_at"] + timedelta(days=5)))
            elif status != "published":
                steps.append(("published", "under_review",
                              row["published_at"] + timedelta(days=30)))
                if status in ANSWERED:
                    middle = "accepted" if status in ("in_progress", "completed") else None
                    if middle:
                        steps.append(("under_review", "accepted", row["answered_at"]))
                        steps.append(("accepted", "in_progress",
                                      row["answered_at"] + timedelta(days=10)))
                        if status == "completed":
                            steps.append(("in_progress", "completed",
                                          row["answered_at"] + timedelta(days=60)))
                    else:
                        steps.append(("under_review", status, row["answered_at"]))
        history += [{"proposal_id": proposal_id,
                     "actor_id": None if to == "under_review" else
                     (row["author_id"] if to in ("submitted", "withdrawn") else animator_ids[0]),
                     "from_status": start, "to_status": to, "reason": "", "created_at": at}
                    for start, to, at in steps]
    _insert(StatusChange, history)

    support_rows = []
    for index, chosen in wanted.items():
        published = proposal_rows[index]["published_at"]
        span = max((now - published).total_seconds(), 3600)
        support_rows += [{"proposal_id": proposal_ids[index], "user_id": member_ids[member],
                          "channel": "online", "recorded_by_id": None,
                          "created_at": published + timedelta(seconds=rng.uniform(0, span))}
                         for member in sorted(chosen)]
    _insert(Support, support_rows)

    comment_rows = []
    for index in rng.choices(public, weights, k=comments):
        published = proposal_rows[index]["published_at"]
        comment_rows.append({
            "proposal_id": proposal_ids[index], "author_id": rng.choice(member_ids),
            "body": rng.choice(COMMENTS), "hidden": False,
            "created_at": published + timedelta(seconds=rng.uniform(
                0, max((now - published).total_seconds(), 3600)))})
    _insert(Comment, comment_rows)

    # Activities: three quarters past, the rest in the next two months; then the bench's two.
    activity_rows, signup_plans = [], []
    upcoming_from = activities * 3 // 4
    for number in range(activities - 1):
        past = number < upcoming_from
        day = (now - timedelta(days=rng.uniform(1, 365)) if past
               else now + timedelta(days=rng.uniform(1, 60)))
        starts = day.replace(hour=rng.choice((14, 15, 16, 17)), minute=0, second=0)
        if number == upcoming_from:  # the activity page the bench reads: full, 3 waiting
            capacity, wanted_count = 20, 23
        else:
            capacity = rng.choice(CAPACITIES)
            wanted_count = rng.randint(3, 35)
        activity_rows.append(_activity(centre.id, rng, categories, animator_ids[0], starts,
                                       capacity, now))
        signup_plans.append(wanted_count)
    starts = (now + timedelta(days=30)).replace(hour=12, minute=0, second=0)
    big = _activity(centre.id, rng, categories, animator_ids[0], starts, BIG_CAPACITY, now)
    big.update(title="Piknik sąsiedzki na Grochowie", place="Park Skaryszewski, polana")
    activity_rows.append(big)
    signup_plans.append(150)

    all_signups = []
    for row, wanted_count in zip(activity_rows, signup_plans, strict=True):
        people_in = rng.sample(member_ids, min(wanted_count, members))
        capacity = row["capacity"]
        confirmed = people_in if capacity is None else people_in[:capacity]
        waiting = [] if capacity is None else people_in[capacity:]
        row["confirmed_count"], row["waitlist_issued"] = len(confirmed), len(waiting)
        row["_signups"] = (confirmed, waiting)
    activity_ids = _insert(Activity, [{key: value for key, value in row.items()
                                       if not key.startswith("_")} for row in activity_rows])
    for activity_id, row in zip(activity_ids, activity_rows, strict=True):
        confirmed, waiting = row["_signups"]
        ended = row["ends_at"] < now
        signed = row["published_at"] + timedelta(days=1)
        for user_id in confirmed:
            checked_in = ended and rng.random() < 0.75
            all_signups.append(_signup(activity_id, user_id, "confirmed", None, signed,
                                       row["starts_at"] if checked_in else None,
                                       animator_ids[0] if checked_in else None))
        for position, user_id in enumerate(waiting, start=1):
            all_signups.append(_signup(activity_id, user_id, "waitlisted", position, signed,
                                       None, None))
    _insert(Signup, all_signups)
    db.session.commit()

    supportable = [proposal_id for proposal_id, item in zip(proposal_ids, plan, strict=True)
                   if item["status"] in ("published", "under_review")]
    # The proposal page: the most supported of those still open for support (a busy page).
    by_support = sorted(((len(wanted[index]), proposal_ids[index]) for index in public
                         if plan[index]["status"] in ("published", "under_review")),
                        reverse=True)
    return BusyCentre(
        slug=SLUG, member_emails=emails, proposal_id=by_support[0][1],
        support_targets=rng.sample(supportable, min(50, len(supportable))),
        activity_id=activity_ids[upcoming_from], signup_activity_id=activity_ids[-1],
        counts={"members": members, "proposals": len(proposal_ids),
                "supports": len(support_rows), "comments": len(comment_rows),
                "activities": len(activity_ids), "sign-ups": len(all_signups),
                "status changes": len(history)},
    )


def _activity(centre_id: int, rng: random.Random, categories: list[int], animator_id: int,
              starts: datetime, capacity: int | None, now: datetime) -> dict:
    created = min(starts, now) - timedelta(days=rng.randint(10, 30))
    return {"centre_id": centre_id, "category_id": rng.choice(categories), "proposal_id": None,
            "series_key": None, "title": rng.choice(ACTIVITY_TITLES),
            "description": _text(rng, 2, 4), "place": rng.choice(PLACES),
            "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "signup_deadline": None, "capacity": capacity, "status": "published",
            "cancel_reason": "", "confirmed_count": 0, "waitlist_issued": 0, "guest_count": 0,
            "volunteers_needed": 0, "created_by_id": animator_id, "created_at": created,
            "published_at": created, "cancelled_at": None}


def _signup(activity_id: int, user_id: int, status: str, position: int | None,
            at: datetime, checked_in: datetime | None, checked_in_by: int | None) -> dict:
    return {"activity_id": activity_id, "user_id": user_id, "status": status,
            "waitlist_position": position, "channel": "online", "recorded_by_id": None,
            "ticket_secret": secrets.token_urlsafe(18), "created_at": at,
            "confirmed_at": at if status == "confirmed" else None, "cancelled_at": None,
            "cancelled_by_id": None, "checked_in_at": checked_in,
            "checked_in_by_id": checked_in_by, "reminder_sent_at": None}

