"""A small outbox for e-mail: queue in the deciding transaction, deliver later from a command.

A mail is a row written in the same transaction as the act that decided it, so a rolled-back
act never leaves a mail behind and a committed one never loses its mail. ``deliver_outbox``
(run from ``flask deliver-mail`` or ``flask send-reminders``) sends the rows and commits after
each one, so a crash half-way never sends again what already went out.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app
from sqlalchemy import select

from .extensions import db
from .models import OutboxMessage, utcnow

# A message that failed this many times stays in the table for an operator to look at.
MAX_ATTEMPTS = 5
# Seconds to wait for the mail server before counting the attempt as failed.
SMTP_TIMEOUT = 30
SUBJECT_LENGTH = OutboxMessage.__table__.c.subject.type.length
ERROR_LENGTH = 1000


def queue_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Write a mail to the outbox in the current transaction; the caller commits."""
    message = OutboxMessage(recipient=recipient, subject=subject[:SUBJECT_LENGTH], body=body)
    db.session.add(message)
    db.session.flush()
    return message


def deliver_outbox(limit: int = 100) -> int:
    """Send up to ``limit`` waiting mails, oldest first; return how many went out.

    Commits after every message: meant for commands, not for a request's transaction.
    A failure is recorded on its row and the others still go.
    """
    ids = db.session.scalars(
        select(OutboxMessage.id).where(*_waiting())
        .order_by(OutboxMessage.created_at, OutboxMessage.id).limit(limit)
    ).all()
    db.session.commit()
    sent = 0
    for message_id in ids:
        sent += _deliver_one(message_id)
    return sent


def _waiting() -> tuple:
    return OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS


def _deliver_one(message_id: int) -> int:
    """Send one message and record the outcome in its own transaction; 1 when it went out."""
    # The row lock (PostgreSQL) keeps two deliverers running at once from sending it twice;
    # SKIP LOCKED lets the second one move on to other messages.
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id, *_waiting())
        .with_for_update(skip_locked=True)
    )
    if message is None:
        db.session.rollback()
        return 0
    try:
        _send(message)
    except Exception as error:  # any failure of one message must not stop the others
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
        current_app.logger.warning("Mail %s to %s failed (attempt %s): %s", message.id,
                                   message.recipient, message.attempts, message.last_error)
        db.session.commit()
        return 0
    message.sent_at = utcnow()
    db.session.commit()
    return 1


def _send(message: OutboxMessage) -> None:
    """Hand the message to the configured mail server, or to the log when there is none."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        current_app.logger.info("E-mail (MAIL_SERVER not set, not sent)\nTo: %s\nSubject: %s\n\n%s",
                                message.recipient, message.subject, message.body)
        return
    email = build_email(message, config["MAIL_DEFAULT_SENDER"])
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The outbox row as a UTF-8 plain-text e-mail."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    # Asks mail servers and clients not to answer with out-of-office replies (RFC 3834).
    email["Auto-Submitted"] = "auto-generated"
    # Quoted-printable stays 7-bit: safe with servers that do not announce 8BITMIME.
    email.set_content(message.body, charset="utf-8", cte="quoted-printable")
    return email
