"""The daily webhook: each centre's figures for its previous local day, POSTed and signed.

A centre's animators set one address (``set_webhook``). ``flask push-metrics``, run from cron,
calls ``push_metrics``: for every centre with an address it makes the delivery of the centre's
previous day (in the centre's time zone: at 00:30 in Warsaw on 2 January that is 1 January),
then sends every delivery that is due. A failed send is tried again with backoff (5, 10, 20, 40
and 80 minutes, six tries in all), then the day is marked failed. Every try is logged with what
the receiver answered, and a delivered day is never sent again.

What the receiver gets
----------------------
``POST`` to the address, with the body (UTF-8 JSON, keys sorted)::

    {"ages": {...}, "centre": "paca-40", "day": "2026-01-01",
     "figures": {"active_residents": 12, "new_residents": "<5", ...},
     "small_cell_rule": "cells of 1-4 people are shown as \\"<5\\"",
     "timezone": "Europe/Warsaw"}

``figures`` and ``ages`` are the figures of the dashboard for that one local day, as they may
leave the animators' screen: counts of 1 to 4 people are ``"<5"``. Each try sends the figures
as they stand at that moment (a check-in typed in late is included in a retry).

Headers:

* ``Content-Type: application/json``, ``User-Agent: participation-webhook/1``;
* ``X-Participation-Delivery: <centre slug>/<day>``: the same on every try for that day. A
  receiver that stores deliveries by this key is safe against the rare double send (a try
  whose answer got lost is sent again);
* ``X-Participation-Timestamp``: the time of this try, in whole seconds since 1970 (UTC);
* ``X-Participation-Signature: sha256=<hex>``: HMAC-SHA256, keyed with the centre's webhook
  secret (as shown on its webhook screen, used as UTF-8 text), over the timestamp, a full stop
  and the raw body bytes.

How a receiver verifies a request
---------------------------------
1. Read the raw body bytes *before* parsing the JSON (re-serialising changes the bytes).
2. Compute ``HMAC-SHA256(secret, timestamp + "." + body)`` and compare its hex digest, with a
   constant-time comparison, with the part of ``X-Participation-Signature`` after ``sha256=``.
3. Refuse the request when the timestamp is more than 5 minutes from your clock (replays).
4. Answer any 2xx status to acknowledge; anything else (and no answer within the timeout)
   makes us try again later. Redirects are not followed: they count as a failure.

In Python::

    import hashlib, hmac, time

    def verify(secret: str, headers, body: bytes) -> bool:
        timestamp = headers["X-Participation-Timestamp"]
        if abs(time.time() - int(timestamp)) > 300:
            return False
        expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        return hmac.compare_digest("sha256=" + expected,
                                   headers["X-Participation-Signature"])

Safety
------
By default an address whose server resolves to a loopback, private, link-local, shared,
multicast or reserved address is refused (the app must not be a way into the city's internal
network). This is checked when the address is saved, and again when sending, on the very
address the connection is then made to, so a DNS record changed later cannot get around it.
``WEBHOOK_ALLOW_PRIVATE_HOSTS = true`` turns the check off (tests; a receiver on the same
internal network). No HTTP proxy is used, and ``WEBHOOK_TIMEOUT`` (seconds) bounds every try.

Concurrency: a delivery is claimed before it is sent by one conditional UPDATE (still pending,
still due → due again only after a lease), committed at once. Two runs at the same time cannot
both send it, and no database lock is held while the receiver is being waited for (on SQLite
that lock would stop the whole site for as long as the receiver takes).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote, urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import selectinload

from ..centres.service import ensure_manager
from ..dbutil import insert_ignoring_duplicates
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import (
    Centre,
    DeliveryStatus,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from .periods import day_period, local_today
from .service import SUPPRESSED, figures_for

MAX_URL_LENGTH = WebhookEndpoint.__table__.c.url.type.length
SCHEMES = ("http", "https")
PRINTABLE_ASCII = "".join(chr(code) for code in range(33, 127))
USER_AGENT = "participation-webhook/1"
SIGNATURE_PREFIX = "sha256="
SMALL_CELL_RULE = f'cells of 1-4 people are shown as "{SUPPRESSED}"'
HEADER_TIMESTAMP = "X-Participation-Timestamp"
HEADER_SIGNATURE = "X-Participation-Signature"
HEADER_DELIVERY = "X-Participation-Delivery"

# Tries in all, the first included; then the day is marked failed.
MAX_ATTEMPTS = 6
# Wait after the n-th failed try: FIRST_RETRY × 2^(n−1), i.e. 5, 10, 20, 40, 80 minutes.
FIRST_RETRY = timedelta(minutes=5)
# A claimed delivery is due again after this if its run died before recording the try.
CLAIM_LEASE = timedelta(minutes=10)
DEFAULT_TIMEOUT = 10  # seconds; config WEBHOOK_TIMEOUT
# The log keeps what the receiver answered, shortly; never the body, never the headers.
ERROR_LENGTH = 200
RESPONSE_READ_LIMIT = 1024
LOG_LIMIT = 30

# Why a try failed without an HTTP status (the first word of WebhookAttempt.error); the log
# shows the translated text and keeps the technical detail after a colon.
ERROR_LABELS = {
    "timeout": _l("No answer in time"),
    "connection": _l("Could not connect"),
    "private_host": _l("The address points into a private network: not sent"),
    "redirect": _l("The receiver answered with a redirect, which is not followed"),
    "bad_url": _l("The address is not valid"),
    "internal": _l("The figures could not be prepared"),
}


# --- Settings: the address and its secret ---------------------------------------------------


def webhook_of(centre: Centre) -> WebhookEndpoint | None:
    return db.session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.centre_id == centre.id))


def set_webhook(animator: User, centre: Centre, url: str) -> WebhookEndpoint:
    """Set (or change) the centre's address. A secret is made the first time; changing the
    address keeps it, and makes the days still waiting due at once, for the new address."""
    ensure_manager(animator, centre)
    url = check_url(url, allow_private=_allow_private())
    endpoint = webhook_of(centre)
    now = utcnow()
    if endpoint is None:
        endpoint = WebhookEndpoint(centre_id=centre.id, url=url, secret=new_secret(),
                                   created_at=now, updated_at=now)
        db.session.add(endpoint)
    elif endpoint.url != url:
        endpoint.url = url
        endpoint.updated_at = now
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.centre_id == centre.id,
                   WebhookDelivery.status == DeliveryStatus.PENDING)
            .values(next_attempt_at=None))
    db.session.flush()
    return endpoint


def regenerate_secret(animator: User, centre: Centre) -> WebhookEndpoint:
    """A new secret, e.g. when the old one may have been seen. The receiver must be given it
    before the next delivery, or it will refuse the signature."""
    ensure_manager(animator, centre)
    endpoint = _existing(centre)
    endpoint.secret = new_secret()
    endpoint.updated_at = utcnow()
    db.session.flush()
    return endpoint


def remove_webhook(animator: User, centre: Centre) -> None:
    """Stop sending. The log stays; days waiting for their first try are dropped, days being
    retried are marked failed (nothing will try them again)."""
    ensure_manager(animator, centre)
    endpoint = _existing(centre)
    pending = (WebhookDelivery.centre_id == centre.id,
               WebhookDelivery.status == DeliveryStatus.PENDING)
    db.session.execute(delete(WebhookDelivery).where(*pending, WebhookDelivery.attempts == 0))
    db.session.execute(update(WebhookDelivery).where(*pending)
                       .values(status=DeliveryStatus.FAILED, next_attempt_at=None))
    db.session.delete(endpoint)
    db.session.flush()


def deliveries_of(centre: Centre, limit: int = LOG_LIMIT) -> list[WebhookDelivery]:
    """The log: the latest days first, each with its tries (oldest first)."""
    return list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.centre_id == centre.id)
        .order_by(WebhookDelivery.day.desc(), WebhookDelivery.id.desc()).limit(limit)
        .options(selectinload(WebhookDelivery.attempts_log))))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _existing(centre: Centre) -> WebhookEndpoint:
    endpoint = webhook_of(centre)
    if endpoint is None:
        raise NotFound(_("This centre has no webhook address."))
    return endpoint


def _allow_private() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE_HOSTS", False))


def _timeout() -> float:
    return float(current_app.config.get("WEBHOOK_TIMEOUT") or DEFAULT_TIMEOUT)


# --- Which addresses may be called ----------------------------------------------------------


class HostNotAllowed(OSError):
    """The server's address is in a private, local or reserved range."""


def is_public_address(address: str) -> bool:
    """True for an address on the public internet; False for loopback, private, link-local,
    shared (100.64/10), multicast, reserved and unspecified ones, IPv4-mapped included."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host: str, port: int) -> list[tuple]:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _ensure_public(host: str, infos: list[tuple]) -> None:
    """Refuse the host if any of its addresses is not public: a name that resolves partly
    inside is as dangerous as one that resolves wholly inside."""
    if not infos or not all(is_public_address(info[4][0]) for info in infos):
        raise HostNotAllowed(f"{host} resolves to a non-public address")


def _too_long() -> str:
    return ngettext("The address can have at most %(num)d character.",
                    "The address can have at most %(num)d characters.", MAX_URL_LENGTH)


def check_url(url: str | None, *, allow_private: bool) -> str:
    """The address, tidied, if it may be used; else ``Invalid`` with a message to show."""
    url = (url or "").strip()
    if not url:
        raise Invalid(_("Enter the address the figures should be sent to."))
    if len(url) > MAX_URL_LENGTH:
        raise Invalid(_too_long())
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise Invalid(_("The address must not contain spaces."))
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed or stray bracket around the server: "https://[::1"
        raise Invalid(_("The address must include a server name, e.g. "
                        "https://example.org/participation.")) from None
    if parts.scheme.lower() not in SCHEMES:
        raise Invalid(_("The address must start with https:// (or http://)."))
    if not parts.hostname:
        raise Invalid(_("The address must include a server name, e.g. "
                        "https://example.org/participation."))
    if parts.username is not None or parts.password is not None:
        raise Invalid(_("Leave any user name or password out of the address: the signature "
                        "tells the receiver that the figures come from us."))
    try:
        port = parts.port
    except ValueError:  # not a number, or outside 0-65535
        port = 0
    if port == 0:  # ":0" parses too, but nothing can be sent to port 0
        raise Invalid(_("The port number in the address is not valid."))
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    if not allow_private:
        try:
            infos = _addresses(parts.hostname, port)
        except (OSError, UnicodeError):
            raise Invalid(_("We could not find the server “%(host)s”. Check the address.",
                            host=parts.hostname)) from None
        try:
            _ensure_public(parts.hostname, infos)
        except HostNotAllowed:
            raise Invalid(_("This address leads into a private or local network, where we do "
                            "not send figures. Give the receiver's public address.")) from None
    # The fragment never reaches the server; dropping it keeps the stored address honest.
    # Letters outside ASCII in the path or query ("/ośrodki") are sent percent-encoded.
    url = parts._replace(path=quote(parts.path, safe=PRINTABLE_ASCII),
                         query=quote(parts.query, safe=PRINTABLE_ASCII), fragment="").geturl()
    if len(url) > MAX_URL_LENGTH:
        raise Invalid(_too_long())
    return url


def _guarded_connect(address: tuple[str, int], timeout=socket._GLOBAL_DEFAULT_TIMEOUT,
                     source_address=None, *, allow_private: bool) -> socket.socket:
    """``socket.create_connection`` that resolves the host once, checks every address, and
    connects to those very addresses: no second lookup a changed DNS record could answer."""
    host, port = address
    infos = _addresses(host, port)
    if not allow_private:
        _ensure_public(host, infos)
    error: OSError | None = None
    for info in infos:
        try:
            return socket.create_connection(info[4][:2], timeout, source_address)
        except OSError as exc:
            error = exc
    raise error or OSError(f"no address for {host}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, allow_private: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = functools.partial(_guarded_connect,
                                                    allow_private=allow_private)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, allow_private: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = functools.partial(_guarded_connect,
                                                    allow_private=allow_private)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def http_open(self, req):
        return self.do_open(functools.partial(_GuardedHTTPConnection,
                                              allow_private=self.allow_private), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def https_open(self, req):
        return self.do_open(functools.partial(_GuardedHTTPSConnection,
                                              allow_private=self.allow_private), req,
                            context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is an error, not a new address to call (it could point anywhere)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener(allow_private: bool) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),  # no proxy: the checked address is the one called
        _NoRedirects(), _GuardedHTTPHandler(allow_private), _GuardedHTTPSHandler(allow_private))


# --- The payload and its signature ----------------------------------------------------------


def previous_day(centre: Centre, now: datetime) -> date:
    """The centre's local day before the one ``now`` falls on."""
    return local_today(centre.timezone, now) - timedelta(days=1)


def payload(centre: Centre, day: date, now: datetime | None = None) -> bytes:
    """The body for one centre and day: JSON, keys sorted, UTF-8."""
    figures = figures_for(centre, day_period(day), now)
    document = {
        "centre": centre.slug,
        "day": day.isoformat(),
        "timezone": centre.timezone,
        "figures": figures.public(),
        "ages": figures.public_ages(),
        "small_cell_rule": SMALL_CELL_RULE,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``timestamp.body`` keyed with the secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def headers_for(centre: Centre, day: date, secret: str, body: bytes, moment: datetime
                ) -> dict[str, str]:
    timestamp = str(int(moment.timestamp()))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        HEADER_DELIVERY: f"{centre.slug}/{day.isoformat()}",
        HEADER_TIMESTAMP: timestamp,
        HEADER_SIGNATURE: signature(secret, timestamp, body),
    }


# --- Sending --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one try got: a status code, or an error code (see ERROR_LABELS) and detail."""

    ok: bool
    status: int | None = None
    error: str = ""


def _short(code: str, detail: object = "") -> str:
    text = f"{code}: {detail}" if str(detail) else code
    return text[:ERROR_LENGTH]


def send(url: str, body: bytes, headers: dict[str, str], *, timeout: float,
         allow_private: bool) -> Outcome:
    """POST once. Never raises for a network or HTTP failure: the outcome says what happened."""
    try:
        check_url(url, allow_private=True)  # the syntax; the host is checked on connecting
    except Invalid:
        return Outcome(False, error="bad_url")
    # http and https only: check_url above has refused any other scheme.
    request = urllib.request.Request(url, data=body, headers=headers,  # noqa: S310
                                     method="POST")
    try:
        with _opener(allow_private).open(request, timeout=timeout) as response:
            response.read(RESPONSE_READ_LIMIT)
            return Outcome(200 <= response.status < 300, response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return Outcome(False, error.code, "redirect" if 300 <= error.code < 400 else "")
    except urllib.error.URLError as error:
        return _network_failure(error.reason)
    except (OSError, http.client.HTTPException) as error:
        return _network_failure(error)
    except ValueError as error:  # http.client's refusal of a malformed address
        return Outcome(False, error=_short("bad_url", error))


def _network_failure(reason: object) -> Outcome:
    if isinstance(reason, HostNotAllowed):
        return Outcome(False, error="private_host")
    if isinstance(reason, TimeoutError):
        return Outcome(False, error="timeout")
    if isinstance(reason, OSError) and reason.strerror:
        return Outcome(False, error=_short("connection", reason.strerror))
    return Outcome(False, error=_short("connection", f"{type(reason).__name__}: {reason}"))


def error_label(error: str) -> tuple[str, str]:
    """The log's text for a try's error: the translated reason and the technical detail."""
    code, _colon, detail = error.partition(":")
    label = ERROR_LABELS.get(code)
    return (str(label), detail.strip()) if label is not None else ("", error)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return FIRST_RETRY * 2 ** (attempts - 1)


@dataclass
class PushSummary:
    created: int = 0  # days newly queued
    sent: int = 0  # delivered in this run
    retrying: int = 0  # failed in this run, to be tried again
    failed: int = 0  # failed in this run for the last time

    def __str__(self) -> str:
        return (f"{self.created} days queued, {self.sent} delivered, "
                f"{self.retrying} to try again later, {self.failed} failed for good.")


def _due(now: datetime):
    return (WebhookDelivery.status == DeliveryStatus.PENDING,
            or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now))


def queue_previous_days(now: datetime) -> int:
    """Make the delivery of its previous local day for every centre with an address, unless
    it exists (the unique (centre, day) decides, so simultaneous runs make one). Commits."""
    created = 0
    rows = db.session.execute(
        select(Centre.id, Centre.timezone).join(WebhookEndpoint,
                                                WebhookEndpoint.centre_id == Centre.id)
        .order_by(Centre.id)).all()
    for centre_id, timezone in rows:
        day = local_today(timezone, now) - timedelta(days=1)
        created += insert_ignoring_duplicates(
            WebhookDelivery, centre_id=centre_id, day=day, status=DeliveryStatus.PENDING,
            attempts=0, created_at=now)
    db.session.commit()
    return created


def push_metrics(now: datetime | None = None) -> PushSummary:
    """Queue yesterday for every centre with a webhook, then try every due delivery.

    Commits after each try: meant for commands, not for a request's transaction. One centre's
    failure, of any kind, does not stop the others. ``now`` fixes the clock for the whole run.
    """
    clock = (lambda: now) if now is not None else utcnow
    summary = PushSummary(created=queue_previous_days(clock()))
    ids = db.session.scalars(
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.centre_id == WebhookDelivery.centre_id)
        .where(*_due(clock())).order_by(WebhookDelivery.day, WebhookDelivery.id)).all()
    db.session.commit()
    for delivery_id in ids:
        try:
            status = _deliver_one(delivery_id, clock)
        except Exception:  # a bug in one centre's figures must not stop the other centres
            db.session.rollback()
            current_app.logger.exception("Webhook delivery %s could not be tried", delivery_id)
            status = _record(delivery_id, None, Outcome(False, error="internal"), clock())
        if status is DeliveryStatus.DELIVERED:
            summary.sent += 1
        elif status is DeliveryStatus.FAILED:
            summary.failed += 1
        elif status is DeliveryStatus.PENDING:
            summary.retrying += 1
    return summary


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for this run if it is still pending and due: one conditional UPDATE,
    committed, so a simultaneous run finds it not due and leaves it."""
    claimed = db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, *_due(now))
        .values(next_attempt_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return claimed == 1


def _deliver_one(delivery_id: int, clock) -> DeliveryStatus | None:
    """Try one delivery; its status afterwards, or None when another run had it."""
    if not _claim(delivery_id, clock()):
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    centre = db.session.get(Centre, delivery.centre_id)
    endpoint = webhook_of(centre)
    if endpoint is None:  # removed meanwhile: remove_webhook has settled its days
        db.session.rollback()
        return None
    url, secret = endpoint.url, endpoint.secret
    body = payload(centre, delivery.day, clock())
    moment = clock()
    headers = headers_for(centre, delivery.day, secret, body, moment)
    db.session.commit()  # no transaction stays open while the receiver is waited for
    outcome = send(url, body, headers, timeout=_timeout(), allow_private=_allow_private())
    if not outcome.ok:
        current_app.logger.warning("Webhook for %s, day %s: %s %s", centre.slug, delivery.day,
                                   outcome.status or "", outcome.error)
    return _record(delivery_id, url, outcome, moment)


def _record(delivery_id: int, url: str | None, outcome: Outcome, moment: datetime
            ) -> DeliveryStatus | None:
    """Log the try and move the delivery on: delivered, or due again later, or failed."""
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.status is not DeliveryStatus.PENDING:
        db.session.rollback()  # deleted or settled meanwhile (the webhook was removed)
        return None
    if url is None:
        endpoint = db.session.scalar(select(WebhookEndpoint)
                                     .where(WebhookEndpoint.centre_id == delivery.centre_id))
        url = endpoint.url if endpoint is not None else ""
    db.session.add(WebhookAttempt(delivery_id=delivery.id, url=url, attempted_at=moment,
                                  response_status=outcome.status, error=outcome.error,
                                  succeeded=outcome.ok))
    delivery.attempts += 1
    if outcome.ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = moment
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = moment + retry_delay(delivery.attempts)
    status = delivery.status
    db.session.commit()
    return status
