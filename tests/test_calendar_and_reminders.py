"""Activities as iCalendar, the day-before reminders, the mail outbox and their commands."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from participation.activities import reminders
from participation.activities.calendar import activity_calendar, activity_location, centre_feed
from participation.activities.reminders import activity_url, send_reminders
from participation.extensions import db as db_
from participation.mail import MAX_ATTEMPTS, deliver_outbox, queue_mail
from participation.models import (
    Activity,
    ActivityStatus,
    Centre,
    OutboxMessage,
    Signup,
    SignupStatus,
    User,
)

from .support import translate

BASE_URL = "https://cal.example.org"
WARSAW = "Europe/Warsaw"
# A Tuesday morning in Warsaw (UTC+1 in March): "tomorrow" there is Wednesday 11 March.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def local(zone: str, *parts: int) -> datetime:
    """A wall-clock time in ``zone``, as the aware UTC instant the database stores."""
    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.fixture
def make_activity(db, make_centre):
    def make(starts_at: datetime, *, centre=None, hours: int = 2,
             status: ActivityStatus = ActivityStatus.PUBLISHED, **fields) -> Activity:
        centre = centre or make_centre()
        fields.setdefault("title", "Warsztaty ceramiczne")
        return db.add(Activity(centre_id=centre.id, starts_at=starts_at,
                               ends_at=starts_at + timedelta(hours=hours), status=status,
                               **fields))

    return make


@pytest.fixture
def make_signup(db, make_user):
    positions = iter(range(1, 10_000))

    def make(activity: Activity, user: User | None = None,
             status: SignupStatus = SignupStatus.CONFIRMED) -> Signup:
        user = user or make_user()
        position = next(positions) if status is SignupStatus.WAITLISTED else None
        return db.add(Signup(activity_id=activity.id, user_id=user.id, status=status,
                             waitlist_position=position))

    return make


def run_reminders(app, now: datetime = NOW) -> int:
    """What ``flask send-reminders`` does before delivering: remind, then commit."""
    with app.test_request_context("/", base_url=BASE_URL):
        queued = send_reminders(now)
        db_.session.commit()
    return queued


def outbox(db) -> list[OutboxMessage]:
    return db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))


# --- iCalendar -------------------------------------------------------------------------------


def ics_of(app, activity: Activity, url: str = f"{BASE_URL}/c/x/activities/1") -> Calendar:
    with app.app_context():
        data = activity_calendar(db_.session.get(Activity, activity.id), url)
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


@pytest.mark.parametrize(("zone", "starts_at", "local_start"), [
    (WARSAW, datetime(2026, 1, 15, 17, 0, tzinfo=UTC), "20260115T180000"),  # winter, UTC+1
    (WARSAW, datetime(2026, 7, 15, 16, 0, tzinfo=UTC), "20260715T180000"),  # summer, UTC+2
    ("Europe/Kyiv", datetime(2026, 7, 15, 15, 0, tzinfo=UTC), "20260715T180000"),  # UTC+3
])
def test_activity_ics_keeps_the_instant_in_the_centres_zone(app, make_centre, make_activity,
                                                             zone, starts_at, local_start):
    centre = make_centre(timezone=zone, address="ul. Paca 40, Warszawa")
    activity = make_activity(starts_at, centre=centre, place="Sala 2",
                             description="Glina i koła garncarskie.")
    url = f"{BASE_URL}/c/{centre.slug}/activities/{activity.id}"

    calendar = ics_of(app, activity, url)

    assert str(calendar["PRODID"]) == "-//participation//activities//EN"
    assert str(calendar["VERSION"]) == "2.0"
    [event] = calendar.events
    assert event["DTSTART"].dt == starts_at
    assert event["DTEND"].dt == starts_at + timedelta(hours=2)
    assert event["DTSTART"].params["TZID"] == zone
    assert f"DTSTART;TZID={zone}:{local_start}" in calendar.to_ical().decode()
    # The VTIMEZONE itself (not just the zone's name) gives the right local time.
    [vtimezone] = calendar.timezones
    assert vtimezone.tz_name == zone
    own_zone = vtimezone.to_tz(lookup_tzid=False)
    local_naive = event["DTSTART"].dt.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    assert local_naive.replace(tzinfo=own_zone).astimezone(UTC) == starts_at
    assert str(event["UID"]) == f"activity-{activity.id}@cal.example.org"
    assert str(event["SUMMARY"]) == "Warsztaty ceramiczne"
    assert str(event["DESCRIPTION"]) == f"Glina i koła garncarskie.\n\n{url}"
    assert str(event["LOCATION"]) == "Sala 2, ul. Paca 40, Warszawa"
    assert str(event["URL"]) == url
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "DTSTAMP" in event


def test_cancelled_activity_is_cancelled_in_the_calendar(app, make_activity):
    activity = make_activity(NOW + timedelta(days=3), status=ActivityStatus.CANCELLED)
    [event] = ics_of(app, activity).events
    assert str(event["STATUS"]) == "CANCELLED"


def test_centre_feed_holds_every_activity_given(app, make_centre, make_activity):
    centre = make_centre(name="CAL Grochów")
    activities = [make_activity(NOW + timedelta(days=days), centre=centre, title=f"Event {days}")
                  for days in (1, 40, 150)]  # the last one after the change to summer time
    activities.append(make_activity(NOW + timedelta(days=2), centre=centre, title="Off",
                                    status=ActivityStatus.CANCELLED))
    with app.app_context():
        rows = [db_.session.get(Activity, activity.id) for activity in activities]
        data = centre_feed(db_.session.get(Centre, centre.id),
                           [(row, f"{BASE_URL}/c/{centre.slug}/activities/{row.id}")
                            for row in rows])

    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "CAL Grochów"
    assert len(calendar.events) == 4
    assert [tz.tz_name for tz in calendar.timezones] == [WARSAW]
    assert {str(e["SUMMARY"]): e["DTSTART"].dt for e in calendar.events} == {
        row.title: row.starts_at for row in activities}
    statuses = {str(e["SUMMARY"]): str(e["STATUS"]) for e in calendar.events}
    assert statuses["Off"] == "CANCELLED" and statuses["Event 1"] == "CONFIRMED"
    assert len({str(e["UID"]) for e in calendar.events}) == 4


# --- Reminders -------------------------------------------------------------------------------


def test_only_tomorrows_confirmed_places_are_reminded_and_only_addresses_mailed(
        app, db, make_centre, make_activity, make_signup, make_user):
    centre = make_centre(timezone=WARSAW)

    def at(*parts, status=ActivityStatus.PUBLISHED):
        return make_activity(local(WARSAW, *parts), centre=centre, status=status)

    tomorrow = at(2026, 3, 11, 18, 0)
    card_holder = make_signup(tomorrow, db.add(User(display_name="Card holder", email=None)))
    mailed = {
        make_signup(tomorrow).id,
        make_signup(at(2026, 3, 11, 0, 30)).id,  # 23:30 UTC today, but tomorrow in Warsaw
        make_signup(at(2026, 3, 11, 23, 30)).id,
    }
    expected = mailed | {card_holder.id}  # reminded in the app, no address to mail
    not_reminded = [
        make_signup(tomorrow, status=SignupStatus.WAITLISTED),
        make_signup(tomorrow, status=SignupStatus.CANCELLED),
        make_signup(at(2026, 3, 11, 18, 0, status=ActivityStatus.DRAFT)),
        make_signup(at(2026, 3, 11, 18, 0, status=ActivityStatus.CANCELLED)),
        make_signup(at(2026, 3, 10, 23, 30)),  # later today
        make_signup(at(2026, 3, 12, 0, 30)),  # 23:30 UTC tomorrow: the day after, locally
        make_signup(at(2026, 3, 12, 18, 0)),
    ]

    assert run_reminders(app) == 4

    reminded = db.scalars(select(Signup).where(Signup.reminder_sent_at.is_not(None)))
    assert {signup.id for signup in reminded} == expected
    assert all(signup.reminder_sent_at == NOW for signup in reminded)
    recipients = {db.get(User, db.get(Signup, id_).user_id).email for id_ in mailed}
    assert sorted(m.recipient for m in outbox(db)) == sorted(recipients)
    assert all(db.get(Signup, s.id).reminder_sent_at is None for s in not_reminded)


def test_running_twice_reminds_once(app, db, make_activity, make_signup):
    make_signup(make_activity(local(WARSAW, 2026, 3, 11, 18, 0)))
    assert run_reminders(app) == 1
    assert run_reminders(app) == 0
    assert run_reminders(app, NOW + timedelta(hours=3)) == 0
    assert len(outbox(db)) == 1


def test_a_run_that_read_before_another_committed_reminds_nobody_twice(
        app, db, make_activity, make_signup):
    """Two cron runs at once: the one that marks second queues nothing."""
    signup = make_signup(make_activity(local(WARSAW, 2026, 3, 11, 18, 0)))
    with app.test_request_context("/", base_url=BASE_URL):
        stale = reminders._candidates(NOW)
        assert [row[0].id for row in stale] == [signup.id]
        outer_session = db_.session()
        with app.app_context():  # the other run, with its own session, commits first
            assert db_.session() is not outer_session
            assert run_reminders(app) == 1
        assert reminders._mark_reminded(signup.id, NOW) is False
        db_.session.rollback()
    assert len(outbox(db)) == 1


def test_local_tomorrow_follows_the_centres_zone_and_the_clock(
        app, db, make_centre, make_activity, make_signup):
    kyiv = make_centre(timezone="Europe/Kyiv")
    # 00:30 on 11 March in Warsaw is already the 11th: "tomorrow" is the 12th.
    just_after_midnight = local(WARSAW, 2026, 3, 11, 0, 30)
    warsaw_12th = make_signup(make_activity(local(WARSAW, 2026, 3, 12, 9, 0)))
    warsaw_11th = make_signup(make_activity(local(WARSAW, 2026, 3, 11, 18, 0)))
    # 23:30 UTC on the 10th is 01:30 on the 11th in Kyiv.
    kyiv_12th = make_signup(make_activity(local("Europe/Kyiv", 2026, 3, 12, 0, 15), centre=kyiv))

    assert run_reminders(app, just_after_midnight) == 2
    assert db.get(Signup, warsaw_12th.id).reminder_sent_at is not None
    assert db.get(Signup, kyiv_12th.id).reminder_sent_at is not None
    assert db.get(Signup, warsaw_11th.id).reminder_sent_at is None


@pytest.mark.parametrize(("locale", "weekday"), [
    (None, "środa"),  # no choice saved: the default language, Polish
    ("pl", "środa"),
    ("en", "Wednesday"),
    ("uk", "середа"),
])
def test_reminder_is_written_in_the_members_language(
        app, db, make_centre, make_activity, make_signup, make_user, locale, weekday):
    centre = make_centre(timezone=WARSAW, address="ul. Paca 40")
    activity = make_activity(local(WARSAW, 2026, 3, 11, 18, 0), centre=centre, place="Sala 2",
                             title="Warsztaty ceramiczne")
    user = make_user(locale=locale, name="Ola")
    make_signup(activity, user)

    assert run_reminders(app) == 1

    [message] = outbox(db)
    assert message.recipient == user.email
    assert message.subject == translate("Reminder: %(title)s tomorrow", locale or "pl") % {
        "title": "Warsztaty ceramiczne"}
    assert weekday in message.body
    assert "Ola" in message.body and "Sala 2, ul. Paca 40" in message.body
    with app.test_request_context("/", base_url=BASE_URL):
        url = activity_url(db_.session.get(Activity, activity.id))
    assert url.startswith(f"{BASE_URL}/c/{centre.slug}/activities/{activity.id}")
    assert url in message.body
    assert translate("If you cannot come, cancel your place on the page so someone from the "
                     "waitlist can go.", locale or "pl") in message.body
    if locale != "en":
        assert "18:00" in message.body and "20:00" in message.body


def test_reminder_in_english_reads_as_the_source(app, db, make_activity, make_signup, make_user):
    make_signup(make_activity(local(WARSAW, 2026, 3, 11, 18, 0), title="Picnic"),
                make_user(locale="en"))
    run_reminders(app)
    [message] = outbox(db)
    assert message.subject == "Reminder: Picnic tomorrow"
    assert "Wednesday, March 11, 2026" in message.body


def test_reminder_shows_the_centres_local_time(app, db, make_centre, make_activity,
                                              make_signup):
    centre = make_centre(timezone="Europe/Kyiv")
    make_signup(make_activity(datetime(2026, 3, 11, 16, 0, tzinfo=UTC), centre=centre))
    assert run_reminders(app) == 1
    [message] = outbox(db)
    assert "18:00" in message.body and "20:00" in message.body  # Kyiv is UTC+2 in March


# --- The outbox ------------------------------------------------------------------------------


def queue(app, *messages: tuple[str, str, str]) -> list[int]:
    with app.app_context():
        rows = [queue_mail(*message) for message in messages]
        db_.session.commit()
        return [row.id for row in rows]


def deliver(app, limit: int = 100) -> int:
    with app.app_context():
        return deliver_outbox(limit)


def test_queue_mail_only_flushes(app, db):
    with app.app_context():
        message = queue_mail("ola@example.org", "Hello", "Body")
        assert message.id is not None
        db_.session.rollback()
    assert db.count(OutboxMessage) == 0


def test_without_a_mail_server_mail_goes_to_the_log(app, db, caplog):
    ids = queue(app, ("ola@example.org", "Przypomnienie", "Treść wiadomości"),
                ("jan@example.org", "Second", "Other body"))
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        assert deliver(app) == 2
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "ola@example.org" in logged and "Przypomnienie" in logged
    assert "Treść wiadomości" in logged
    assert all(db.get(OutboxMessage, id_).sent_at is not None for id_ in ids)
    assert deliver(app) == 0


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage


@dataclass
class SMTPStub:
    port: int
    received: list[Received] = field(default_factory=list)


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib; refuses recipients whose address says "refused"."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 stub ESMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 stub")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip(" <>")
                if "refused" in address:
                    self.reply("550 No such user")
                else:
                    recipients.append(address)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.stub.received.append(Received(sender, recipients, self.read_data()))
                self.reply("250 OK")
            elif verb in {"RSET", "NOOP"}:
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Not implemented")

    def read_data(self) -> email.message.EmailMessage:
        lines = []
        while (line := self.rfile.readline()) not in {b".\r\n", b""}:
            lines.append(line[1:] if line.startswith(b"..") else line)
        return email.message_from_bytes(b"".join(lines), policy=email.policy.default)


@pytest.fixture
def smtp_server(app) -> Iterator[SMTPStub]:
    """A local SMTP responder in a thread; the app is pointed at it (no TLS, no login)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.stub = SMTPStub(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.stub.port, MAIL_USE_TLS=False,
                      MAIL_USERNAME="", MAIL_DEFAULT_SENDER="cal@example.org")
    yield server.stub
    server.shutdown()
    server.server_close()


def test_mail_goes_through_smtp_oldest_first(app, db, smtp_server):
    ids = queue(app, ("ola@example.org", "Przypomnienie: Warsztaty jutro", "Zażółć gęślą jaźń"),
                ("jan@example.org", "Second", "Other body"))

    assert deliver(app) == 2

    first, second = smtp_server.received
    assert first.sender == "cal@example.org" and first.recipients == ["ola@example.org"]
    assert first.message["To"] == "ola@example.org"
    assert first.message["From"] == "cal@example.org"
    assert first.message["Subject"] == "Przypomnienie: Warsztaty jutro"
    assert first.message.get_content().strip() == "Zażółć gęślą jaźń"
    assert first.message.get_content_charset() == "utf-8"
    assert second.recipients == ["jan@example.org"]
    assert all(db.get(OutboxMessage, id_).sent_at is not None for id_ in ids)
    assert deliver(app) == 0
    assert len(smtp_server.received) == 2


def test_a_refused_message_does_not_stop_the_others(app, db, smtp_server):
    refused, fine = queue(app, ("refused@example.org", "One", "Body"),
                          ("ola@example.org", "Two", "Body"))

    assert deliver(app) == 1

    assert [r.recipients for r in smtp_server.received] == [["ola@example.org"]]
    row = db.get(OutboxMessage, refused)
    assert row.sent_at is None and row.attempts == 1 and "refused" in row.last_error.lower()
    assert db.get(OutboxMessage, fine).sent_at is not None


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_server_is_recorded_and_retried_a_few_times(app, db):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_USE_TLS=False)
    [message_id] = queue(app, ("ola@example.org", "Hello", "Body"))

    assert deliver(app) == 0

    row = db.get(OutboxMessage, message_id)
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    for _ in range(MAX_ATTEMPTS + 2):
        deliver(app)
    row = db.get(OutboxMessage, message_id)
    assert row.sent_at is None and row.attempts == MAX_ATTEMPTS


def test_deliver_respects_the_limit(app, db):
    queue(app, *[(f"p{n}@example.org", "S", "B") for n in range(3)])
    assert deliver(app, limit=2) == 2
    assert db.count(OutboxMessage, OutboxMessage.sent_at.is_(None)) == 1


# --- Commands --------------------------------------------------------------------------------


def test_send_reminders_command_queues_and_sends_once(app, db, make_centre, make_activity,
                                                      make_signup):
    app.config["BASE_URL"] = BASE_URL
    centre = make_centre(timezone=WARSAW)
    today = datetime.now(ZoneInfo(WARSAW)).date()
    tomorrow_noon = datetime.combine(today + timedelta(days=1), time(12),
                                     tzinfo=ZoneInfo(WARSAW)).astimezone(UTC)
    activity = make_activity(tomorrow_noon, centre=centre)
    make_signup(activity)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 reminders queued, 1 e-mails sent." in result.output
    [message] = outbox(db)
    assert message.sent_at is not None
    assert f"{BASE_URL}/c/{centre.slug}/activities/{activity.id}" in message.body

    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "0 reminders queued, 0 e-mails sent." in result.output
    assert db.count(OutboxMessage) == 1


def test_deliver_mail_command(app, db):
    queue(app, ("ola@example.org", "Hello", "Body"))
    result = app.test_cli_runner().invoke(args=["deliver-mail"])
    assert result.exit_code == 0, result.output
    assert "1 e-mails sent." in result.output
    assert db.count(OutboxMessage, OutboxMessage.sent_at.is_(None)) == 0


@pytest.mark.parametrize(("place", "address", "expected"), [
    ("Sala 2", "ul. Paca 40, Warszawa", "Sala 2, ul. Paca 40, Warszawa"),
    ("Sala na parterze, ul. Paca 40", "ul. Paca 40, Warszawa",
     "Sala na parterze, ul. Paca 40, Warszawa"),
    ("", "ul. Paca 40", "Centre 1, ul. Paca 40"),
    ("Skwer", "", "Skwer"),
])
def test_the_location_names_the_address_once(app, make_centre, make_activity, place, address,
                                             expected):
    centre = make_centre(address=address, name="Centre 1")
    activity = make_activity(local(WARSAW, 2026, 3, 11, 18, 0), centre=centre, place=place)
    with app.app_context():
        assert activity_location(db_.session.get(Activity, activity.id)) == expected
