"""A gunicorn worker killed with SIGKILL in the middle of supports and sign-ups leaves no partial
rows.

A real gunicorn (2 sync workers) serves the test's database: a SQLite file, or the PostgreSQL
database of ``TEST_DATABASE_URL`` (CI's second phase). Signed-in members send support and sign-up
toggles from many threads at once; when a third of them have been answered, one worker is killed
with SIGKILL (no clean-up, no rollback in Python: whatever it had half-written stays to the
database to deal with), the master starts a new one, and the rest of the requests go on.

What is checked does not depend on the interleaving, which differs every run: every act has its
participation event and every event its act (net of withdrawals and cancellations), the
activity's counter equals its confirmed sign-ups and never exceeds its capacity, nobody waits
while a place is free, waitlist positions are unique, and no request got a 5xx.

Nothing sleeps: the test follows gunicorn's own log (the port it listens on, the workers it
boots) and counts answered requests to decide when to kill.
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from participation.events import actor_key
from participation.extensions import db as db_
from participation.models import (
    Activity,
    ActivityStatus,
    Category,
    Centre,
    Membership,
    ParticipationEvent,
    Proposal,
    ProposalStatus,
    Role,
    Signup,
    SignupStatus,
    Support,
    User,
)
from participation.proposals.service import ensure_default_categories

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "spokojny-grochow-2026"
MEMBERS = 10  # one thread each
ROUNDS = 8  # each round: a support toggle and a sign-up toggle
CAPACITY = 3  # small, so the waitlist and promotions are exercised
KILL_AFTER = MEMBERS * ROUNDS * 2 // 3  # answered requests before the kill (a third)
WAIT = 20  # seconds: the most any single step may take before the test gives up
LOST = (ConnectionError, http.client.HTTPException, TimeoutError)


# --- The world and the server ----------------------------------------------------------------


@dataclass(frozen=True)
class World:
    centre_slug: str
    proposal_id: int
    activity_id: int
    member_ids: list[int]
    emails: list[str]


def _arrange(app: Flask) -> World:
    """A centre with a published proposal, an activity with 3 places, and 10 members."""
    with app.app_context():
        centre = Centre(slug="killed-worker", name="Centre", city="Warszawa",
                        support_threshold=10_000)  # stays supportable: no move to review
        db_.session.add(centre)
        db_.session.flush()
        ensure_default_categories(centre)
        category_id = db_.session.scalar(select(Category.id).where(Category.centre_id == centre.id))
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        members = [User(display_name=f"Member {n}", email=f"member{n}@example.org",
                        password_hash=cheap, locale="en") for n in range(MEMBERS)]
        db_.session.add_all(members)
        db_.session.flush()
        db_.session.add_all(Membership(user_id=m.id, centre_id=centre.id, role=Role.RESIDENT)
                            for m in members)
        now = datetime.now(UTC)
        proposal = Proposal(centre_id=centre.id, author_id=members[0].id,
                            category_id=category_id, title="Ławki", body="Trzy ławki.",
                            status=ProposalStatus.PUBLISHED, published_at=now)
        activity = Activity(centre_id=centre.id, title="Warsztaty", capacity=CAPACITY,
                            starts_at=now + timedelta(days=7),
                            ends_at=now + timedelta(days=7, hours=2),
                            status=ActivityStatus.PUBLISHED, published_at=now)
        db_.session.add_all([proposal, activity])
        db_.session.commit()
        world = World(centre.slug, proposal.id, activity.id, [m.id for m in members],
                      [m.email for m in members])
        db_.session.remove()
        db_.engine.dispose()  # no connection of ours stays open while gunicorn writes
    return world


class Gunicorn:
    """gunicorn with 2 sync workers on a free port; its log is read line by line as it comes."""

    def __init__(self, app: Flask) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "PSEUDONYM_KEY": app.config["PSEUDONYM_KEY"],  # the same actor keys as ours
            "SESSION_COOKIE_SECURE": "false",
            "RATELIMIT_ENABLED": "false",
            "COMPRESS_RESPONSES": "false",
        }
        self.process = subprocess.Popen(  # noqa: S603  (gunicorn from this venv)
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
             "--no-control-socket", "--bind", "127.0.0.1:0", "--log-level", "info",
             "participation:create_app()"],
            cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True, name="gunicorn-log").start()
        self.port = int(self.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)").group(1))
        self.booted = [int(self.wait_for(r"Booting worker with pid: (\d+)").group(1))
                       for _ in range(2)]

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line)
        self.lines.put("")  # gunicorn stopped

    def wait_for(self, pattern: str) -> re.Match:
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                pytest.fail(f"gunicorn did not log {pattern!r} in {WAIT} s:\n"
                            + "".join(self.log[-30:]), pytrace=False)
            self.log.append(line)
            if not line:
                pytest.fail("gunicorn stopped:\n" + "".join(self.log[-30:]), pytrace=False)
            if match := re.search(pattern, line):
                return match

    def workers(self) -> set[int]:
        """The master's child processes, as the kernel lists them."""
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return {int(pid) for pid in children}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def world(app: Flask) -> World:  # the conftest `world` is not needed here
    expected = os.environ.get("EXPECT_DATABASE")
    with app.app_context():
        if expected:  # CI's PostgreSQL phase: a silent fallback to SQLite must fail
            assert db_.engine.dialect.name == expected
    return _arrange(app)


@pytest.fixture
def server(app: Flask, world: World) -> Iterator[Gunicorn]:
    gunicorn = Gunicorn(app)
    try:
        yield gunicorn
    finally:
        gunicorn.stop()


# --- A member's browser ----------------------------------------------------------------------


@dataclass
class Member:
    """One signed-in person: a cookie, a CSRF token, and what came back."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            body = None
            if form is not None:
                body = urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def sign_in(self, email: str) -> None:
        status, page = self.request("GET", "/account/login")
        assert status == 200, status
        self.token = _csrf(page)
        status, _ = self.request("POST", "/account/login", {
            "csrf_token": self.token, "email": email, "password": PASSWORD})
        assert status in (302, 303), f"{email} could not sign in ({status})"
        status, page = self.request("GET", "/account/profile")
        assert status == 200, status
        self.token = _csrf(page)  # the session after signing in has its own token


def _csrf(page: str) -> str:
    match = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


# --- The test --------------------------------------------------------------------------------


def test_a_killed_worker_leaves_no_partial_rows(app: Flask, world: World, server: Gunicorn):
    assert server.workers() == set(server.booted)
    members = [Member(server.port) for _ in world.member_ids]
    for member, email in zip(members, world.emails, strict=True):
        member.sign_in(email)

    support_path = f"/c/{world.centre_slug}/proposals/{world.proposal_id}/support"
    signup_path = f"/c/{world.centre_slug}/activities/{world.activity_id}/signup"
    answered = Counter()  # status -> count (0: the connection was lost)
    lock = threading.Lock()
    time_to_kill = threading.Event()
    killed = threading.Event()
    answered_after_kill = Counter()
    errors: list[BaseException] = []

    def send(member: Member, path: str, intent: str) -> None:
        try:
            status, _ = member.request("POST", path, {"csrf_token": member.token,
                                                      "intent": intent})
        except LOST:
            status = 0  # the worker died under this request, or refused it while dying
        with lock:
            answered[status] += 1
            if killed.is_set() and status:
                answered_after_kill[status] += 1
            if sum(answered.values()) >= KILL_AFTER:
                time_to_kill.set()

    def act(index: int, member: Member) -> None:
        try:
            for round_ in range(ROUNDS):
                # Members start at different points, so every state meets every other.
                step = round_ + index
                send(member, support_path, "support" if step % 2 == 0 else "withdraw")
                send(member, signup_path, "join" if step % 3 != 2 else "cancel")
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            errors.append(error)

    threads = [threading.Thread(target=act, args=(i, m), name=f"member-{i}")
               for i, m in enumerate(members)]
    for thread in threads:
        thread.start()

    assert time_to_kill.wait(timeout=WAIT), f"requests stalled: {dict(answered)}"
    victim = min(server.workers())
    os.kill(victim, signal.SIGKILL)
    killed.set()
    server.wait_for(rf"Worker \(pid:{victim}\) was sent SIGKILL")
    respawned = int(server.wait_for(r"Booting worker with pid: (\d+)").group(1))

    for thread in threads:
        thread.join(timeout=WAIT * 3)
        assert not thread.is_alive(), f"{thread.name} is stuck"
    assert not errors, errors

    # The master replaced the worker, and the server kept answering.
    workers = server.workers()
    assert victim not in workers and respawned in workers and len(workers) == 2, workers
    assert answered_after_kill[303] > 0, dict(answered_after_kill)
    # Every answer was the redirect after a plain POST; never a 5xx, a 4xx or a hang.
    unexpected = {status: n for status, n in answered.items() if status not in (0, 303)}
    assert not unexpected, f"unexpected answers: {unexpected} (all: {dict(answered)})"
    assert answered[303] >= MEMBERS * ROUNDS * 2 - 10, dict(answered)

    _check_invariants(app, world)


def _check_invariants(app: Flask, world: World) -> None:
    with app.app_context():
        keys = {actor_key(member_id): member_id for member_id in world.member_ids}
        events = db_.session.execute(
            select(ParticipationEvent.kind, ParticipationEvent.actor_key,
                   ParticipationEvent.subject_type, ParticipationEvent.subject_id)
            .where(ParticipationEvent.actor_key.in_(list(keys)))
            .order_by(ParticipationEvent.id)).all()
        supporters = set(db_.session.scalars(
            select(Support.user_id).where(Support.proposal_id == world.proposal_id)))
        signups = {row.user_id: row for row in db_.session.scalars(
            select(Signup).where(Signup.activity_id == world.activity_id))}
        activity = db_.session.get(Activity, world.activity_id)
        confirmed_count, capacity = activity.confirmed_count, activity.capacity
        db_.session.remove()

    # Supports: given − withdrawn per person is 1 for a supporter and 0 for anyone else.
    net = Counter()
    for kind, key, subject_type, subject_id in events:
        if subject_type == "proposal" and subject_id == world.proposal_id:
            net[keys[key]] += {"support_given": 1, "support_withdrawn": -1}.get(kind, 0)
    for member_id in world.member_ids:
        assert net[member_id] == (member_id in supporters), (
            f"member {member_id}: support row {member_id in supporters}, "
            f"events net {net[member_id]}")
    assert sum(1 for kind, *_ in events if kind == "support_given") > 0

    # Sign-ups: every row's last event says what the row says, and no event lacks its row.
    signup_ids = {signup.id: user_id for user_id, signup in signups.items()}
    last: dict[int, str] = {}
    for kind, key, subject_type, subject_id in events:
        if subject_type != "signup":
            continue
        assert subject_id in signup_ids, f"a {kind} event for a sign-up that does not exist"
        assert signup_ids[subject_id] == keys[key], "a sign-up event under someone else's key"
        last[subject_id] = kind
    expected_last = {
        SignupStatus.CONFIRMED: {"signup_confirmed", "waitlist_promoted"},
        SignupStatus.WAITLISTED: {"signup_waitlisted"},
        SignupStatus.CANCELLED: {"signup_cancelled"},
    }
    for user_id, signup in signups.items():
        assert last.get(signup.id) in expected_last[signup.status], (
            f"member {user_id}: sign-up {signup.status.value}, last event {last.get(signup.id)}")

    # The activity's counter and capacity; the waitlist.
    confirmed = [s for s in signups.values() if s.status is SignupStatus.CONFIRMED]
    waiting = [s for s in signups.values() if s.status is SignupStatus.WAITLISTED]
    assert confirmed_count == len(confirmed) <= capacity
    positions = [s.waitlist_position for s in waiting]
    assert None not in positions and len(set(positions)) == len(positions), positions
    if waiting:
        assert len(confirmed) == capacity, "people wait while a place is free"
    assert any(kind == "signup_waitlisted" for kind, *_ in events), "the waitlist was never used"
