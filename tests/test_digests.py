"""The daily digest: one e-mail per person per local day with everything not mailed before,
none when there is nothing new, only for people who chose it, and never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from participation.extensions import db as db_
from participation.models import (
    EmailFrequency,
    Notification,
    NotificationKind,
    OutboxMessage,
    ProposalStatus,
    User,
    utcnow,
)
from participation.notifications import digest
from participation.notifications.digest import send_digests
from participation.notifications.service import notify

from .clock import frozen_at
from .proposals_fixtures import add_members, make_proposal, proposal, unit_of_work
from .support import translate

K = NotificationKind
WARSAW = ZoneInfo("Europe/Warsaw")
BASE_URL = "https://cal.example.org"
ANSWERED = "The centre has answered your proposal “%(title)s”."
PUBLISHED = "Your proposal “%(title)s” is now %(status)s."


def warsaw(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=WARSAW)


@pytest.fixture
def daily(app, scene) -> int:
    """The centre's resident, who chose one e-mail a day, in English."""
    set_user(app, scene.resident, email_frequency=EmailFrequency.DAILY, locale="en")
    return scene.resident


def set_user(app, user_id: int, **fields) -> None:
    with app.app_context():
        row = db_.session.get(User, user_id)
        for name, value in fields.items():
            setattr(row, name, value)
        db_.session.commit()


def tell(app, user_id: int, proposal_id: int, at: datetime,
         kind: NotificationKind = K.PROPOSAL_ANSWERED, **fields) -> int:
    """A notification made at ``at``, as the act that makes it would make it."""
    with frozen_at(at), unit_of_work(app):
        made = notify(user_id, kind, proposal(proposal_id), **fields)
        db_.session.flush()
        return made.id


def run(app, at: datetime) -> int:
    """What ``flask send-digests`` does before delivering, at the given moment."""
    with frozen_at(at), app.test_request_context("/", base_url=BASE_URL):
        return send_digests()


def mails(db) -> list[OutboxMessage]:
    return db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))


def mailed_ids(db) -> set[int]:
    return set(db.scalars(select(Notification.id).where(Notification.mailed_at.is_not(None))))


def test_one_digest_a_day_with_everything_since_the_last(app, db, scene, daily):
    first = make_proposal(app, scene, title="Ławki na skwerze")
    second = make_proposal(app, scene, title="Rowery miejskie")
    third = make_proposal(app, scene, title="Zielony dach")
    # Day 1: two notifications in the night and morning, none mailed at once.
    early = tell(app, daily, first, warsaw(2026, 5, 4, 6, 30))
    morning = tell(app, daily, second, warsaw(2026, 5, 4, 7, 45), kind=K.PROPOSAL_STATUS,
                   status=ProposalStatus.PUBLISHED.value)
    assert mails(db) == []

    assert run(app, warsaw(2026, 5, 4, 8, 0)) == 1
    [mail] = mails(db)
    assert mail.recipient == db.get(User, daily).email
    assert mail.subject == "Your day in short: 2 new notifications"
    assert "The centre has answered your proposal “Ławki na skwerze”." in mail.body
    assert "Your proposal “Rowery miejskie” is now open for support." in mail.body
    assert mail.body.index("Ławki") < mail.body.index("Rowery")  # oldest first
    assert f"{BASE_URL}/c/centre-a/proposals/{first}" in mail.body
    assert f"{BASE_URL}/c/centre-a/proposals/{second}" in mail.body
    assert f"{BASE_URL}/account/notifications/" in mail.body
    assert f"{BASE_URL}/account/profile#email_frequency" in mail.body
    assert mailed_ids(db) == {early, morning}
    assert db.get(User, daily).last_digest_on == date(2026, 5, 4)

    # Later on day 1: something new, but today's digest went already.
    later = tell(app, daily, third, warsaw(2026, 5, 4, 12, 0))
    assert run(app, warsaw(2026, 5, 4, 18, 0)) == 0
    assert run(app, warsaw(2026, 5, 4, 23, 59)) == 0
    assert len(mails(db)) == 1

    # Day 2: one mail, with only what is new since the first.
    assert run(app, warsaw(2026, 5, 5, 7, 0)) == 1
    assert run(app, warsaw(2026, 5, 5, 7, 5)) == 0  # twice the same day: nothing more
    _, mail = mails(db)
    assert mail.subject == "Your day in short: 1 new notification"
    assert "Zielony dach" in mail.body
    assert "Ławki" not in mail.body and "Rowery" not in mail.body
    assert mailed_ids(db) == {early, morning, later}
    assert db.get(User, daily).last_digest_on == date(2026, 5, 5)


def test_no_digest_when_there_is_nothing_new(app, db, scene, daily):
    assert run(app, warsaw(2026, 5, 4, 8, 0)) == 0
    assert mails(db) == []
    # The day is not used up: what arrives later that day goes out with a later run.
    assert db.get(User, daily).last_digest_on is None
    proposal_id = make_proposal(app, scene)
    tell(app, daily, proposal_id, warsaw(2026, 5, 4, 9, 0))
    assert run(app, warsaw(2026, 5, 4, 10, 0)) == 1
    assert run(app, warsaw(2026, 5, 5, 10, 0)) == 0  # day 2: nothing new, no mail
    assert len(mails(db)) == 1


@pytest.mark.parametrize("who", ["never", "immediately", "no e-mail", "erased"])
def test_no_digest_for_anyone_who_did_not_choose_it_or_cannot_get_it(app, db, scene, daily,
                                                                     who):
    [other] = add_members(app, scene.a, 1)
    fields = {
        "never": {"email_frequency": EmailFrequency.NEVER},
        "immediately": {"email_frequency": EmailFrequency.IMMEDIATELY},
        "no e-mail": {"email_frequency": EmailFrequency.DAILY, "email": None},
        "erased": {"email_frequency": EmailFrequency.DAILY, "erased_at": utcnow()},
    }[who]
    set_user(app, other, **fields)
    proposal_id = make_proposal(app, scene)
    theirs = tell(app, other, proposal_id, warsaw(2026, 5, 4, 7, 0))
    tell(app, daily, proposal_id, warsaw(2026, 5, 4, 7, 0))
    at_once = len(mails(db))  # the "immediately" person's own mail, sent when it happened
    assert at_once == (1 if who == "immediately" else 0)

    assert run(app, warsaw(2026, 5, 4, 8, 0)) == 1
    assert [mail.recipient for mail in mails(db)][at_once:] == [db.get(User, daily).email]
    assert db.get(User, other).last_digest_on is None
    assert (db.get(Notification, theirs).mailed_at is not None) == (who == "immediately")


def test_the_digest_is_in_the_readers_language(app, db, scene, daily):
    set_user(app, daily, locale="uk")
    proposal_id = make_proposal(app, scene, title="Ławki")
    tell(app, daily, proposal_id, warsaw(2026, 5, 4, 7, 0))
    assert run(app, warsaw(2026, 5, 4, 8, 0)) == 1
    [mail] = mails(db)
    assert translate(ANSWERED, "uk") % {"title": "Ławki"} in mail.body
    assert ANSWERED % {"title": "Ławki"} not in mail.body


def test_the_day_is_the_platforms_local_day(app, db, scene, daily):
    proposal_id = make_proposal(app, scene)
    tell(app, daily, proposal_id, datetime(2026, 5, 4, 21, 0, tzinfo=UTC))
    # 22:30 UTC on 4 May is 00:30 on 5 May in Warsaw.
    assert run(app, datetime(2026, 5, 4, 22, 30, tzinfo=UTC)) == 1
    assert db.get(User, daily).last_digest_on == date(2026, 5, 5)
    tell(app, daily, proposal_id, datetime(2026, 5, 5, 6, 0, tzinfo=UTC))
    assert run(app, datetime(2026, 5, 5, 21, 59, tzinfo=UTC)) == 0  # 23:59, still the 5th
    assert run(app, datetime(2026, 5, 5, 22, 0, tzinfo=UTC)) == 1  # midnight: the 6th


def test_a_run_that_read_before_another_committed_sends_nothing_twice(app, db, scene, daily):
    """Two cron runs at once: the one that claims second queues nothing."""
    proposal_id = make_proposal(app, scene)
    tell(app, daily, proposal_id, warsaw(2026, 5, 4, 7, 0))
    today = date(2026, 5, 4)
    now = warsaw(2026, 5, 4, 8, 0)
    with frozen_at(now), app.test_request_context("/", base_url=BASE_URL):
        stale = db_.session.scalars(digest._due(today)).all()
        assert stale == [daily]
        db_.session.commit()
        outer_session = db_.session()
        with app.app_context():  # the other run, with its own session, commits first
            assert db_.session() is not outer_session
            assert send_digests() == 1
        assert digest._digest_for(daily, today, now) == 0
    assert len(mails(db)) == 1


def test_a_long_absence_lists_the_newest_and_links_to_the_rest(app, db, scene, daily,
                                                               monkeypatch):
    monkeypatch.setattr(digest, "LISTED_AT_MOST", 2)
    titles = ["Pierwszy", "Drugi", "Trzeci", "Czwarty"]
    ids = [tell(app, daily, make_proposal(app, scene, title=title), warsaw(2026, 5, 4, 7, n))
           for n, title in enumerate(titles)]
    assert run(app, warsaw(2026, 5, 4, 8, 0)) == 1
    [mail] = mails(db)
    assert mail.subject == "Your day in short: 4 new notifications"
    assert "Pierwszy" not in mail.body and "Drugi" not in mail.body
    assert "Trzeci" in mail.body and "Czwarty" in mail.body
    assert "…and 2 earlier notifications." in mail.body
    assert mailed_ids(db) == set(ids)


@pytest.mark.app_config(BASE_URL=BASE_URL)
def test_the_command_prints_how_many_and_sends_once(app, db, scene, daily):
    proposal_id = make_proposal(app, scene)
    tell(app, daily, proposal_id, datetime.now(UTC))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "1 digests queued, 1 e-mails sent." in result.output
    [mail] = mails(db)
    assert mail.sent_at is not None
    assert f"{BASE_URL}/c/centre-a/proposals/{proposal_id}" in mail.body

    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "0 digests queued, 0 e-mails sent." in result.output
    assert len(mails(db)) == 1
