"""What the exports hold: the figures as CSV, the raw participation log as CSV or JSON Lines.

**Figures CSV.** One row per month of the chosen period (the first and last may be partial
months), then one ``total`` row for the whole period. The header is one line of stable keys,
the same keys as the API and docs/metrics.md, so a script or a spreadsheet formula that reads
the file keeps working in every language:

    row, period, start, end, <figure keys…>, age_<bracket>…

``row`` is ``month`` or ``total`` (for machines), ``period`` the part's name in the reader's
language (``marzec 2026``, for people), ``start`` and ``end`` ISO dates (both included).
``header=labels`` swaps that line for the labels in the reader's language, for a person
opening the file in a spreadsheet. Values are the public figures: 1 to 4 people are ``<5``,
a rate with nothing to divide by is empty.

With ``sep=semicolon`` the file is the kind Polish Excel opens by double-click: ``;`` between
cells and a decimal comma (``0,75``); with the default ``sep=comma``, a decimal point.
Every file starts with a UTF-8 byte order mark, which is how Excel knows it is UTF-8.

**Raw events.** One line per log entry of the period, oldest first:

    occurred_at_utc, occurred_at_local, kind, subject_type, subject_id, actor, channel,
    quantity, age_bracket

Pseudonymous: ``actor`` is the stored actor key keyed again with the app's PSEUDONYM_KEY and
the centre, so one person has one pseudonym in all of a centre's exports, and a different
one in every other centre's, and nobody can turn it back into the stored key or a user id.
The subject is the proposal or activity the act was about, never a row that belongs to one
person (a comment, a sign-up, a volunteer offer, a report, a paper tally): comment numbers are
public on the proposal page beside the author's name, and would undo the pseudonym.

Cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
apostrophe (unless they are numbers), so a spreadsheet never runs them as a formula.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, literal, null, select
from sqlalchemy.engine import Engine

from ..accounts.forms import AGE_BRACKET_LABELS
from ..errors import Invalid
from ..extensions import db
from ..models import (
    AgeBracket,
    Centre,
    Comment,
    PaperTally,
    ParticipationEvent,
    Report,
    Signup,
    VolunteerOffer,
)
from .periods import Period
from .service import AGE_KEYS, FIGURE_KEYS, FIGURES, figures_for

E = ParticipationEvent

BOM = "\ufeff"
SEPARATORS = {"comma": ",", "semicolon": ";"}
HEADERS = ("keys", "labels")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EVENT_COLUMNS = ("occurred_at_utc", "occurred_at_local", "kind", "subject_type", "subject_id",
                 "actor", "channel", "quantity", "age_bracket")
# Rows fetched from the database at a time: a year of a big centre never sits in memory.
CHUNK = 1000
RATE_DECIMALS = 4


# --- Cells -----------------------------------------------------------------------------------


def safe_cell(value: Any, decimal_comma: bool = False) -> str:
    """One CSV cell: numbers as numbers, text defused against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(round(value, RATE_DECIMALS))
        return text.replace(".", ",") if decimal_comma else text
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_choice(value: str | None, choices: Iterable[str], default: str, name: str) -> str:
    """A download option from the query string; a clear 422 for anything else."""
    value = (value or "").strip() or default
    if value not in choices:
        raise Invalid(_("“%(name)s” must be one of: %(choices)s.", name=name,
                        choices=", ".join(choices)))
    return value


# --- Figures ---------------------------------------------------------------------------------


def figure_columns(header: str = "keys") -> list[str]:
    """The CSV's first line: stable keys, or the labels in the reader's language."""
    if header == "labels":
        ages = {bracket.value: label for bracket, label in AGE_BRACKET_LABELS.items()}
        return ([_("Row"), _("Period"), _("From"), _("To")]
                + [str(figure.label) for figure in FIGURES]
                + [_("Age %(bracket)s", bracket=ages.get(key) or _("unknown"))
                   for key in AGE_KEYS])
    return (["row", "period", "start", "end", *FIGURE_KEYS]
            + [f"age_{key}" for key in AGE_KEYS])


def figure_rows(centre: Centre, period: Period, now: datetime | None = None
                ) -> list[list[Any]]:
    """The figures of each month of the period, then of the whole period: public values."""
    rows = []
    parts = [("month", part) for part in period.split("month")]
    for row, part in [*parts, ("total", period)]:
        figures = figures_for(centre, part, now)
        public, ages = figures.public(), figures.public_ages()
        label = part.label() if row == "month" else _("Total: %(period)s",
                                                        period=period.label())
        rows.append([row, label, part.start.isoformat(), part.end.isoformat(),
                     *(public[key] for key in FIGURE_KEYS), *(ages[key] for key in AGE_KEYS)])
    return rows


def figures_csv(centre: Centre, period: Period, sep: str = "comma", header: str = "keys",
                now: datetime | None = None) -> str:
    """The whole figures file (it is small: one row per month), BOM included."""
    decimal_comma = sep == "semicolon"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATORS[sep], lineterminator="\r\n")
    writer.writerow(safe_cell(cell) for cell in figure_columns(header))
    for row in figure_rows(centre, period, now):
        writer.writerow(safe_cell(cell, decimal_comma) for cell in row)
    return BOM + buffer.getvalue()


# --- Raw events ------------------------------------------------------------------------------


def centre_pseudonym_key(centre_id: int) -> bytes:
    """The key of one centre's pseudonyms, derived from the app's PSEUDONYM_KEY."""
    secret = current_app.config["PSEUDONYM_KEY"].encode()
    return hmac.new(secret, f"export-actor:centre:{centre_id}".encode(), hashlib.sha256).digest()


def pseudonym(centre_key: bytes, actor_key: str | None) -> str | None:
    """The stored actor key keyed again for one centre: same person, same centre → same
    pseudonym; another centre → another one."""
    if actor_key is None:
        return None
    return hmac.new(centre_key, actor_key.encode(), hashlib.sha256).hexdigest()[:24]


def _subject() -> tuple[Any, Any]:
    """The proposal or activity an entry is about, whatever row it was logged on."""
    on_activity = E.subject_type.in_(("signup", "volunteer_offer"))
    on_proposal = E.subject_type.in_(("comment", "report", "paper_tally"))
    subject_type = case((on_activity, literal("activity")), (on_proposal, literal("proposal")),
                        else_=E.subject_type)
    subject_id = case(
        (E.subject_type == "signup", Signup.activity_id),
        (E.subject_type == "volunteer_offer", VolunteerOffer.activity_id),
        (E.subject_type == "comment", Comment.proposal_id),
        (E.subject_type == "report", Report.proposal_id),
        (E.subject_type == "paper_tally", PaperTally.proposal_id),
        (E.subject_type.in_(("proposal", "activity")), E.subject_id),
        else_=null())  # a kind of subject not known here: no id rather than a person's row
    return subject_type, subject_id


def events_query(centre_id: int, start: datetime, end: datetime) -> Select:
    """The centre's log entries from ``start`` to ``end`` (UTC), oldest first."""
    subject_type, subject_id = _subject()
    return (
        select(E.occurred_at, E.kind, subject_type, subject_id, E.actor_key, E.channel,
               E.quantity, E.age_bracket)
        .outerjoin(Signup, and_(E.subject_type == "signup", Signup.id == E.subject_id))
        .outerjoin(VolunteerOffer, and_(E.subject_type == "volunteer_offer",
                                        VolunteerOffer.id == E.subject_id))
        .outerjoin(Comment, and_(E.subject_type == "comment", Comment.id == E.subject_id))
        .outerjoin(Report, and_(E.subject_type == "report", Report.id == E.subject_id))
        .outerjoin(PaperTally, and_(E.subject_type == "paper_tally",
                                    PaperTally.id == E.subject_id))
        .where(E.centre_id == centre_id, E.occurred_at >= start, E.occurred_at < end)
        .order_by(E.occurred_at, E.id)
    )


@dataclass(frozen=True)
class EventExport:
    """One centre's raw events for one period, ready to stream.

    Made inside the request, it holds only plain values (no ORM object, no request state),
    because the response body is produced after the request's app context has been torn
    down and its session removed. It reads through a connection of its own, ``CHUNK`` rows
    at a time (a server-side cursor on PostgreSQL), so a year of a big centre never sits in
    memory.
    """

    engine: Engine
    centre_id: int
    timezone: str
    start: datetime
    end: datetime
    centre_key: bytes

    @classmethod
    def of(cls, centre: Centre, period: Period) -> EventExport:
        start, end = period.bounds(centre.timezone)
        return cls(engine=db.engine, centre_id=centre.id, timezone=centre.timezone,
                   start=start, end=end, centre_key=centre_pseudonym_key(centre.id))

    def records(self) -> Iterator[dict[str, Any]]:
        """The entries as dicts of EVENT_COLUMNS."""
        zone = ZoneInfo(self.timezone)
        known_ages = {bracket.value for bracket in AgeBracket}
        query = events_query(self.centre_id, self.start, self.end)
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=CHUNK).execute(query)
            for rows in result.partitions():
                for (occurred_at, kind, subject_type, subject_id, actor_key, channel,
                     quantity, age) in rows:
                    yield {
                        "occurred_at_utc": _utc_text(occurred_at),
                        "occurred_at_local": occurred_at.astimezone(zone).isoformat(
                            timespec="seconds"),
                        "kind": kind,
                        "subject_type": subject_type,
                        "subject_id": subject_id,
                        "actor": pseudonym(self.centre_key, actor_key),
                        "channel": channel,
                        "quantity": quantity,
                        "age_bracket": age if age in known_ages else None,
                    }

    def csv_lines(self, sep: str = "comma") -> Iterator[str]:
        """The CSV file in pieces: the BOM and the header, then a piece per CHUNK rows."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=SEPARATORS[sep], lineterminator="\r\n")
        writer.writerow(EVENT_COLUMNS)
        yield BOM + _drain(buffer)
        for count, record in enumerate(self.records(), start=1):
            writer.writerow(safe_cell(record[column]) for column in EVENT_COLUMNS)
            if count % CHUNK == 0:
                yield _drain(buffer)
        rest = _drain(buffer)
        if rest:
            yield rest

    def jsonl_lines(self) -> Iterator[str]:
        """JSON Lines: one object per entry, keys as the CSV columns, no BOM (JSON has none)."""
        batch: list[str] = []
        for record in self.records():
            batch.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            if len(batch) >= CHUNK:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def file_name(centre: Centre, what: str, period: Period, extension: str) -> str:
    return f"{centre.slug}-{what}-{period.start.isoformat()}-{period.end.isoformat()}.{extension}"

