"""Arranging kiosks and access cards for the kiosk tests (test_kiosk*.py).

Cards are made directly (``AccessCard`` rows with a hashed code), as the card screens would
issue them; kiosks either through the animators' page (``open_kiosk_as``) or through the
service (``make_kiosk``), which gives the raw token a test can put in a cookie.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

from participation.activities import service as activities
from participation.cards.codes import display_code, hash_code, new_code
from participation.extensions import db as db_
from participation.kiosk import service as kiosk_service
from participation.models import AccessCard, Centre, Membership, Role, User

from .proposals_fixtures import user

KIOSK_URL = "/kiosk/"
COOKIE = "kiosk"


def add_person(app: Flask, centre_id: int, name: str, *, email: str | None = None,
               role: Role = Role.RESIDENT, verified: bool = False) -> int:
    """A member of the centre (card-only when ``email`` is None); their id."""
    with app.app_context():
        person = User(display_name=name, email=email)
        db_.session.add(person)
        db_.session.flush()
        db_.session.add(Membership(user_id=person.id, centre_id=centre_id, role=role,
                                   verified=verified))
        db_.session.commit()
        return person.id


def issue_card(app: Flask, user_id: int, centre_id: int, *, revoked: bool = False) -> str:
    """A card for the person; the code as printed (``K7M2Q-9XDRB``)."""
    code = new_code()
    with app.app_context():
        db_.session.add(AccessCard(
            user_id=user_id, centre_id=centre_id, code_hash=hash_code(code),
            revoked_at=datetime.now(UTC) if revoked else None))
        db_.session.commit()
    return display_code(code)


def make_activity(app: Flask, centre_id: int, animator_id: int, category_id: int, *,
                  title: str = "Potańcówka sąsiedzka", starts_in: timedelta = timedelta(hours=1),
                  capacity: int | None = 10) -> int:
    """A published activity of the centre, two hours long, starting ``starts_in`` from now."""
    with app.app_context():
        start = datetime.now(UTC).replace(microsecond=0) + starts_in
        [activity] = activities.create_activities(
            user(animator_id), db_.session.get(Centre, centre_id),
            activities.ActivityDetails(title=title, starts_at=start,
                                       ends_at=start + timedelta(hours=2), capacity=capacity,
                                       category_id=category_id),
            publish=True)
        db_.session.commit()
        return activity.id


def sign_up(app: Flask, user_id: int, activity_id: int) -> int:
    from participation.models import Activity

    with app.app_context():
        signup = activities.sign_up(user(user_id), db_.session.get(Activity, activity_id))
        db_.session.commit()
        return signup.id


def make_kiosk(app: Flask, centre_id: int, opener_id: int, *, activity_id: int | None = None,
               proposal_id: int | None = None, hours: int = 12) -> tuple[int, str]:
    """A kiosk opened through the service: its id and its raw token."""
    with app.app_context():
        kiosk, token = kiosk_service.open_kiosk(
            user(opener_id), db_.session.get(Centre, centre_id), hours=hours,
            activity_id=activity_id, proposal_id=proposal_id)
        db_.session.commit()
        return kiosk.id, token


def use_kiosk(client, token: str) -> None:
    """Give the client the kiosk's cookie, as opening it on that browser would."""
    client.set_cookie(COOKIE, token, path="/kiosk")


def open_kiosk_as(client, slug: str, subject: str):
    """Open a kiosk through the animators' page (the client must be signed in)."""
    return client.post(f"/c/{slug}/manage/kiosk/", data={"subject": subject})


def type_code(client, code: str):
    """What the tablet sends when someone types a code and presses Enter."""
    return client.post(KIOSK_URL, data={"code": code})
