"""The daily webhook: a real HTTP receiver on 127.0.0.1 gets each centre's previous day, signed;
failures are retried with backoff and logged, a delivered day is never sent again, private
addresses are refused, and only the centre's animators see and change the settings.

Time moves with ``frozen_at`` (and ``push_metrics(now=…)``), never with sleeps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from participation.extensions import db as db_
from participation.metrics import webhook
from participation.metrics.periods import day_period
from participation.metrics.service import figures_for
from participation.models import (
    Centre,
    DeliveryStatus,
    ParticipationEvent,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

from .clock import frozen_at
from .support import translate

# The receiver runs on 127.0.0.1: these tests allow private hosts, except where they test that.
pytestmark = pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE_HOSTS=True, WEBHOOK_TIMEOUT=5)

WARSAW = ZoneInfo("Europe/Warsaw")
# 02:00 in Warsaw on 10 March 2026 (UTC+1): the day to send is 9 March.
NIGHT = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
DAY = date(2026, 3, 9)
SECRET = "test-secret-" + "x" * 31


# --- A receiver: a real HTTP server on 127.0.0.1 ---------------------------------------------


class Receiver:
    """Records every request; answers 500 ``fail_times`` times, then 200 (or what
    ``answer`` says). ``gate``, when set up, holds answers until it is opened."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_times = 0
        self.answer = 200
        self.location = ""
        self.arrived = threading.Event()
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body})
                    failing = receiver.fail_times > 0
                    receiver.fail_times -= failing
                receiver.arrived.set()
                if receiver.gate is not None:
                    receiver.gate.wait(10)
                status = 500 if failing else receiver.answer
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: shutdown() waits up to one interval, for every test.
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/participation"

    def days(self) -> list[str]:
        return [json.loads(request["body"])["day"] for request in self.requests]


@pytest.fixture
def receiver():
    server = Receiver()
    server.thread.start()
    yield server
    if server.gate is not None:
        server.gate.set()
    server.server.shutdown()
    server.server.server_close()


def closed_port_url() -> str:
    """An address on which nothing listens: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# --- Helpers ---------------------------------------------------------------------------------


def add_endpoint(db, centre: Centre, url: str, secret: str = SECRET) -> WebhookEndpoint:
    return db.add(WebhookEndpoint(centre_id=centre.id, url=url, secret=secret))


def push(app, now: datetime) -> webhook.PushSummary:
    with app.app_context(), frozen_at(now):
        return webhook.push_metrics()


def deliveries(db, centre: Centre) -> list[WebhookDelivery]:
    return db.scalars(select(WebhookDelivery).where(WebhookDelivery.centre_id == centre.id)
                      .order_by(WebhookDelivery.day))


def attempts(db, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return db.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
                      .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id))


def verify_like_a_receiver(secret: str, request: dict) -> bool:
    """What the module docstring tells receivers to do, written from scratch."""
    timestamp = request["headers"]["X-Participation-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"],
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected,
                               request["headers"]["X-Participation-Signature"])


def add_acts(db, centre: Centre, day: date, people: int) -> None:
    """``people`` residents each comment once at noon (local) on ``day``."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=WARSAW).astimezone(UTC)
    db.add(*[ParticipationEvent(centre_id=centre.id, kind="comment_posted",
                                subject_type="comment", subject_id=number,
                                actor_key=f"person-{day}-{number}", channel="online",
                                occurred_at=noon, age_bracket="25_34" if number % 2 else None)
             for number in range(1, people + 1)])


# --- Delivery, signature, payload ------------------------------------------------------------


def test_previous_day_is_delivered_signed_with_the_dashboard_figures(app, db, world, receiver):
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    add_acts(db, centre, DAY, 7)
    add_acts(db, centre, DAY - timedelta(days=1), 3)  # another day: not in the figures

    summary = push(app, NIGHT)

    assert (summary.created, summary.sent, summary.retrying, summary.failed) == (1, 1, 0, 0)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers = request["headers"]
    assert request["path"] == "/hooks/participation"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("participation-webhook/")
    assert headers["X-Participation-Delivery"] == "centre-a/2026-03-09"
    assert headers["X-Participation-Timestamp"] == str(int(NIGHT.timestamp()))
    assert headers["X-Participation-Signature"].startswith("sha256=")
    assert verify_like_a_receiver(SECRET, request)
    assert not verify_like_a_receiver("another secret", request)
    tampered = {**request, "body": request["body"].replace(b"2026-03-09", b"2026-03-08")}
    assert not verify_like_a_receiver(SECRET, tampered)

    body = json.loads(request["body"])
    assert request["body"] == json.dumps(body, sort_keys=True, ensure_ascii=False,
                                         separators=(",", ":")).encode()
    with app.app_context():
        figures = figures_for(db_.session.get(Centre, centre.id), day_period(DAY))
        public, ages = figures.public(), figures.public_ages()
    assert body == {"centre": "centre-a", "day": "2026-03-09", "timezone": "Europe/Warsaw",
                    "figures": public, "ages": ages, "small_cell_rule": webhook.SMALL_CELL_RULE}
    assert body["figures"]["active_residents"] == 7
    assert "<5" in body["ages"].values()  # 4 with a bracket, 3 without: both small cells

    [delivery] = deliveries(db, centre)
    assert delivery.day == DAY and delivery.status is DeliveryStatus.DELIVERED
    assert delivery.attempts == 1 and delivery.delivered_at == NIGHT
    [attempt] = attempts(db, delivery)
    assert attempt.succeeded and attempt.response_status == 200 and attempt.error == ""
    assert attempt.url == receiver.url


def test_failure_is_retried_after_the_backoff_and_logged(app, db, world, receiver, client):
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    receiver.fail_times = 1

    summary = push(app, NIGHT)
    assert (summary.sent, summary.retrying, summary.failed) == (0, 1, 0)
    [delivery] = deliveries(db, centre)
    assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at == NIGHT + timedelta(minutes=5)
    [failed] = attempts(db, delivery)
    assert failed.response_status == 500 and not failed.succeeded

    assert push(app, NIGHT + timedelta(minutes=4)).sent == 0  # not due yet
    assert len(receiver.requests) == 1
    later = NIGHT + timedelta(minutes=5)
    assert push(app, later).sent == 1
    assert len(receiver.requests) == 2
    assert all(verify_like_a_receiver(SECRET, request) for request in receiver.requests)
    assert [r["headers"]["X-Participation-Timestamp"] for r in receiver.requests] == [
        str(int(NIGHT.timestamp())), str(int(later.timestamp()))]
    assert receiver.days() == ["2026-03-09", "2026-03-09"]

    [delivery] = deliveries(db, centre)
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert [(a.response_status, a.succeeded) for a in attempts(db, delivery)] == [
        (500, False), (200, True)]

    client.login(world["animator_a"].email)
    page = client.get("/c/centre-a/manage/webhook/").get_data(as_text=True)
    assert "refused (answer 500)" in page and "delivered (answer 200)" in page
    assert "2 of 6" in page
    # The centre's local time: 02:00 and 02:05 in Warsaw.
    # (Babel puts a narrow no-break space before "AM".)
    assert re.search(r"2:00\sAM", page) and re.search(r"2:05\sAM", page)


def test_a_delivered_day_is_never_sent_again(app, db, world, receiver):
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    assert push(app, NIGHT).sent == 1
    again = push(app, NIGHT)
    an_hour_later = push(app, NIGHT + timedelta(hours=1))
    assert again.created == again.sent == 0 and an_hour_later.created == an_hour_later.sent == 0
    assert receiver.days() == ["2026-03-09"]
    assert len(deliveries(db, centre)) == 1


def test_a_new_day_makes_a_new_delivery(app, db, world, receiver):
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    push(app, NIGHT)
    push(app, NIGHT + timedelta(days=1))
    assert receiver.days() == ["2026-03-09", "2026-03-10"]
    assert [r["headers"]["X-Participation-Delivery"] for r in receiver.requests] == [
        "centre-a/2026-03-09", "centre-a/2026-03-10"]
    assert [d.status for d in deliveries(db, centre)] == [DeliveryStatus.DELIVERED] * 2


def test_after_the_last_try_the_day_fails_and_is_left_alone(app, db, world, receiver):
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    receiver.fail_times = 100
    moment = NIGHT
    for _ in range(webhook.MAX_ATTEMPTS):
        push(app, moment)
        [delivery] = deliveries(db, centre)
        moment = delivery.next_attempt_at or moment
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == webhook.MAX_ATTEMPTS and delivery.next_attempt_at is None
    tried_at = [attempt.attempted_at for attempt in attempts(db, delivery)]
    gaps = [(later - earlier) / timedelta(minutes=1) for earlier, later
            in zip(tried_at, tried_at[1:], strict=False)]
    assert gaps == [5, 10, 20, 40, 80]

    summary = push(app, moment + timedelta(hours=3))  # still the same local day
    assert summary.sent == summary.retrying == summary.failed == summary.created == 0
    assert len(receiver.requests) == webhook.MAX_ATTEMPTS


def test_the_last_failed_try_is_counted_as_failed(app, db, world):
    centre = world["a"]
    add_endpoint(db, centre, closed_port_url())
    moment, summaries = NIGHT, []
    for _ in range(webhook.MAX_ATTEMPTS):
        summaries.append(push(app, moment))
        moment = deliveries(db, centre)[0].next_attempt_at or moment
    assert [s.retrying for s in summaries] == [1] * (webhook.MAX_ATTEMPTS - 1) + [0]
    assert summaries[-1].failed == 1
    errors = [attempt.error for attempt in attempts(db, deliveries(db, centre)[0])]
    assert all(error.startswith("connection") for error in errors), errors
    assert all(SECRET not in error for error in errors)


@pytest.mark.parametrize(("now", "day"), [
    (datetime(2026, 1, 1, 23, 30, tzinfo=UTC), date(2026, 1, 1)),  # 00:30 on 2 Jan in Warsaw
    (datetime(2026, 1, 1, 22, 30, tzinfo=UTC), date(2025, 12, 31)),  # 23:30 on 1 Jan there
    (datetime(2026, 7, 1, 22, 5, tzinfo=UTC), date(2026, 7, 1)),  # 00:05 summer time (UTC+2)
])
def test_the_previous_day_is_the_centre_local_one(app, db, world, receiver, now, day):
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    push(app, now)
    assert receiver.days() == [day.isoformat()]
    assert [d.day for d in deliveries(db, centre)] == [day]


def test_the_day_follows_each_centre_own_zone(app, db, make_centre, receiver):
    warsaw = make_centre("warsaw")
    kyiv = make_centre("kyiv", timezone="Europe/Kyiv")
    for centre in (warsaw, kyiv):
        add_endpoint(db, centre, receiver.url)
    push(app, datetime(2026, 1, 1, 22, 30, tzinfo=UTC))  # 23:30 in Warsaw, 00:30 in Kyiv
    assert [d.day for d in deliveries(db, warsaw)] == [date(2025, 12, 31)]
    assert [d.day for d in deliveries(db, kyiv)] == [date(2026, 1, 1)]


# --- Robustness: other centres, concurrent runs, redirects -----------------------------------


def test_one_centre_failing_does_not_stop_the_others(app, db, make_centre, receiver,
                                                     monkeypatch):
    unreachable, broken = make_centre("unreachable"), make_centre("broken")
    fine = make_centre("fine")
    add_endpoint(db, unreachable, closed_port_url())
    add_endpoint(db, broken, receiver.url)
    add_endpoint(db, fine, receiver.url)
    real_payload = webhook.payload

    def payload(centre, day, now=None):
        if centre.slug == "broken":
            raise RuntimeError("a bug in the figures")
        return real_payload(centre, day, now)

    monkeypatch.setattr(webhook, "payload", payload)
    summary = push(app, NIGHT)
    assert (summary.sent, summary.retrying) == (1, 2)
    assert [r["headers"]["X-Participation-Delivery"] for r in receiver.requests] == [
        "fine/2026-03-09"]
    [broken_delivery] = deliveries(db, broken)
    [attempt] = attempts(db, broken_delivery)
    assert attempt.error == "internal" and broken_delivery.status is DeliveryStatus.PENDING
    [unreachable_delivery] = deliveries(db, unreachable)
    assert attempts(db, unreachable_delivery)[0].error.startswith("connection")


def test_a_second_run_at_the_same_time_sends_nothing_twice(app, db, world, receiver):
    """Run A is waiting for the receiver's answer when run B starts: B finds the day claimed."""
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    receiver.gate = threading.Event()
    results: dict[str, webhook.PushSummary] = {}

    def run_a() -> None:
        with app.app_context():
            results["a"] = webhook.push_metrics(now=NIGHT)

    thread = threading.Thread(target=run_a)
    thread.start()
    assert receiver.arrived.wait(10)
    with app.app_context():
        results["b"] = webhook.push_metrics(now=NIGHT)
    receiver.gate.set()
    thread.join(10)
    assert results["b"].created == results["b"].sent == 0
    assert results["a"].created == results["a"].sent == 1
    assert len(receiver.requests) == 1
    [delivery] = deliveries(db, centre)
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 1


def test_redirects_are_not_followed(app, db, world, receiver):
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    receiver.answer, receiver.location = 302, receiver.url + "/elsewhere"
    assert push(app, NIGHT).retrying == 1
    assert [r["path"] for r in receiver.requests] == ["/hooks/participation"]
    [attempt] = attempts(db, deliveries(db, centre)[0])
    assert attempt.response_status == 302 and attempt.error == "redirect"


@pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE_HOSTS=True, WEBHOOK_TIMEOUT=1)
def test_a_receiver_that_does_not_answer_in_time_is_retried(app, db, world, receiver):
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    receiver.gate = threading.Event()  # holds the answer past the 1 s timeout
    assert push(app, NIGHT).retrying == 1
    [attempt] = attempts(db, deliveries(db, centre)[0])
    assert attempt.error == "timeout" and attempt.response_status is None


def test_https_is_used_for_an_https_address(app, db, world, receiver):
    """The receiver here speaks plain HTTP, so the TLS handshake fails: a logged failure."""
    centre = world["a"]
    add_endpoint(db, centre, receiver.url.replace("http://", "https://"))
    assert push(app, NIGHT).retrying == 1
    [attempt] = attempts(db, deliveries(db, centre)[0])
    assert attempt.error.startswith("connection") and attempt.response_status is None


def test_a_path_with_polish_letters_is_sent_percent_encoded(app, db, world, receiver):
    encoded = "/o%C5%9Brodki?miasto=%C5%81%C3%B3d%C5%BA"
    with app.test_request_context():
        url = webhook.check_url(receiver.url + "/ośrodki?miasto=Łódź", allow_private=True)
    assert url == receiver.url + encoded
    add_endpoint(db, world["a"], url)
    assert push(app, NIGHT).sent == 1
    assert receiver.requests[0]["path"] == "/hooks/participation" + encoded


def test_a_new_address_makes_the_waiting_day_due_at_once(app, db, world, receiver):
    centre = world["a"]
    add_endpoint(db, centre, closed_port_url())
    push(app, NIGHT)
    with app.app_context():
        webhook.set_webhook(db_.session.get(User, world["animator_a"].id),
                            db_.session.get(Centre, centre.id), receiver.url)
        db_.session.commit()
    assert push(app, NIGHT + timedelta(minutes=1)).sent == 1
    assert receiver.days() == ["2026-03-09"]


def test_removing_stops_sending_and_keeps_the_log(app, db, world, receiver):
    centre = world["a"]
    add_endpoint(db, centre, closed_port_url())
    push(app, NIGHT)  # 9 March: tried once, waiting for a retry
    with app.app_context():
        db_.session.add(WebhookDelivery(centre_id=centre.id, day=date(2026, 3, 10)))  # untried
        db_.session.commit()
        webhook.remove_webhook(db_.session.get(User, world["animator_a"].id),
                               db_.session.get(Centre, centre.id))
        db_.session.commit()
    [kept] = deliveries(db, centre)
    assert kept.day == DAY and kept.status is DeliveryStatus.FAILED and len(attempts(db, kept)) == 1
    summary = push(app, NIGHT + timedelta(hours=1))
    assert summary.created == summary.sent == summary.retrying == 0


# --- Private addresses -----------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.10", "169.254.169.254", "100.64.0.1",
    "0.0.0.0",  # noqa: S104  (an address tested, not bound)
    "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
])
def test_private_local_and_reserved_addresses_are_not_public(address):
    assert not webhook.is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2001:4860:4860::8888"])
def test_public_addresses_are(address):
    assert webhook.is_public_address(address)


@pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE_HOSTS=False)
@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "https://10.0.0.5/",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/",
])
def test_private_hosts_are_refused_when_not_allowed(app, world, url):
    with (app.test_request_context(headers={"Accept-Language": "en"}),
          pytest.raises(webhook.Invalid) as refused):
        webhook.check_url(url, allow_private=app.config["WEBHOOK_ALLOW_PRIVATE_HOSTS"])
    assert "private or local network" in refused.value.message


@pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE_HOSTS=False)
def test_a_public_literal_address_passes_without_the_setting(app):
    with app.test_request_context():
        assert webhook.check_url("https://93.184.216.34/hook#x", allow_private=False) == (
            "https://93.184.216.34/hook")


@pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE_HOSTS=False)
def test_the_screen_refuses_a_private_address(app, client, db, world):
    client.login(world["animator_a"].email)
    response = client.post("/c/centre-a/manage/webhook/", data={"url": "http://127.0.0.1:9/"})
    assert response.status_code == 422
    assert "private or local network" in response.get_data(as_text=True)
    assert db.count(WebhookEndpoint) == 0


@pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE_HOSTS=False)
def test_sending_checks_the_host_again(app, db, world, receiver):
    """An address saved while it was public (or before the setting was turned off) and now
    resolving inside is not called."""
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    summary = push(app, NIGHT)
    assert summary.retrying == 1 and receiver.requests == []
    [attempt] = attempts(db, deliveries(db, centre)[0])
    assert attempt.error == "private_host" and attempt.response_status is None


# --- The screen ------------------------------------------------------------------------------

URL = "/c/centre-a/manage/webhook/"
POSTS = ["/c/centre-a/manage/webhook/", "/c/centre-a/manage/webhook/secret",
         "/c/centre-a/manage/webhook/remove"]


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("resident_a", 403), ("outsider", 403), ("animator_b", 403),
    ("animator_a", 200), ("admin", 200),
])
def test_who_may_see_the_screen(client, world, who, status):
    if who:
        client.login(world[who].email)
    response = client.get(URL)
    assert response.status_code == status
    if status == 302:
        assert "/account/login" in response.headers["Location"]
    if status == 200:
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("resident_a", 403), ("animator_b", 403),
])
def test_others_cannot_change_the_webhook(client, db, world, who, status, path):
    add_endpoint(db, world["a"], "https://example.org/hook")
    if who:
        client.login(world[who].email)
    response = client.post(path, data={"url": "https://evil.example.org/"})
    assert response.status_code == status
    [endpoint] = db.scalars(select(WebhookEndpoint))
    assert endpoint.url == "https://example.org/hook" and endpoint.secret == SECRET


def test_animator_sets_changes_renews_and_removes(client, db, world, receiver):
    client.login(world["animator_a"].email)
    page = client.get(URL).get_data(as_text=True)
    assert "Set up the webhook" in page and "Nothing has been sent yet" in page

    response = client.post(URL, data={"url": f"  {receiver.url}  "})
    assert response.status_code == 303 and response.headers["Location"].endswith(URL)
    [endpoint] = db.scalars(select(WebhookEndpoint))
    assert endpoint.url == receiver.url and endpoint.centre_id == world["a"].id
    assert len(endpoint.secret) >= 43
    page = client.get(URL).get_data(as_text=True)
    assert endpoint.secret in page and receiver.url in page and "The webhook is set" in page

    assert client.post(URL, data={"url": receiver.url + "/v2"}).status_code == 303
    [changed] = db.scalars(select(WebhookEndpoint))
    assert changed.url == receiver.url + "/v2" and changed.secret == endpoint.secret

    assert client.post(URL + "secret").status_code == 303
    [renewed] = db.scalars(select(WebhookEndpoint))
    assert renewed.secret != endpoint.secret and len(renewed.secret) >= 43

    assert client.post(URL + "remove").status_code == 303
    assert db.count(WebhookEndpoint) == 0
    assert "No more figures will be sent" in client.get(URL).get_data(as_text=True)


def test_changes_need_the_csrf_token(client, db, world):
    client.login(world["animator_a"].email)
    assert client.post(URL, data={"url": "https://example.org/"}, csrf=False).status_code == 400
    assert db.count(WebhookEndpoint) == 0


def test_removing_or_renewing_without_a_webhook_is_404(client, world):
    client.login(world["animator_a"].email)
    assert client.post(URL + "secret").status_code == 404
    assert client.post(URL + "remove").status_code == 404


@pytest.mark.parametrize(("url", "message"), [
    ("", "Enter the address the figures should be sent to."),
    ("ftp://example.org/figures", "The address must start with https://"),
    ("javascript:alert(1)", "The address must start with https://"),
    ("https://", "The address must include a server name"),
    ("https://user:password@example.org/", "Leave any user name or password out"),
    ("https://example.org:99999/", "The port number in the address is not valid."),
    ("https://example.org/" + "a" * 500, "The address can have at most 500 characters."),
    ("https://exa mple.org/", "The address must not contain spaces."),
])
def test_a_bad_address_is_refused_with_a_clear_message(client, db, world, url, message):
    client.login(world["animator_a"].email)
    response = client.post(URL, data={"url": url})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page.replace("&#34;", '"').replace("&#39;", "'")
    assert 'aria-invalid="true"' in page
    assert db.count(WebhookEndpoint) == 0


def test_a_bad_address_is_refused_in_polish(client, world):
    client.login(world["animator_a"].email)
    response = client.post(URL, data={"url": "ftp://example.org/"},
                           headers={"Accept-Language": "pl"})
    assert response.status_code == 422
    message = translate("The address must start with https:// (or http://).", "pl")
    assert message in response.get_data(as_text=True)


def test_the_log_lists_the_latest_days_first(app, client, db, world, receiver):
    centre = world["a"]
    add_endpoint(db, centre, receiver.url)
    for days in range(3):
        push(app, NIGHT + timedelta(days=days))
    client.login(world["animator_a"].email)
    page = client.get(URL).get_data(as_text=True)
    positions = [page.index(f'datetime="2026-03-{day}"') for day in ("11", "10", "09")]
    assert positions == sorted(positions)
    assert page.count("delivered (answer 200)") == 3


def test_another_centre_log_is_not_shown(app, client, db, world, receiver):
    add_endpoint(db, world["b"], receiver.url)
    push(app, NIGHT)
    client.login(world["animator_a"].email)
    assert "Nothing has been sent yet" in client.get(URL).get_data(as_text=True)


# --- The command -----------------------------------------------------------------------------


def test_push_metrics_command(app, db, world, receiver):
    add_endpoint(db, world["a"], receiver.url)
    runner = app.test_cli_runner()
    with frozen_at(NIGHT):
        result = runner.invoke(args=["push-metrics"])
    assert result.exit_code == 0, result.output
    assert "1 delivered" in result.output
    with frozen_at(NIGHT + timedelta(hours=1)):
        result = runner.invoke(args=["push-metrics"])
    assert result.exit_code == 0 and "0 delivered" in result.output
    assert receiver.days() == ["2026-03-09"]
