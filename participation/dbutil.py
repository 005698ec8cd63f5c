"""Database helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def insert_ignoring_duplicates(model: type[db.Model], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True when the row was added, False when it existed.

    The unique constraint decides, so simultaneous requests cannot both add the row, and no
    savepoint is needed (they are unreliable with Python's sqlite3 driver).
    Whether a row was added is read from RETURNING, not ``rowcount``: SQLAlchemy adds its own
    RETURNING to an insert of a mapped class on PostgreSQL, and psycopg then reports -1.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__
    statement = (insert(table).values(**values).on_conflict_do_nothing()
                 .returning(*table.primary_key.columns))
    return db.session.execute(statement).first() is not None


def lock_row(model: type[db.Model], row_id: int) -> None:
    """Hold one row until the transaction ends, so requests that read it to decide queue up.

    PostgreSQL: ``SELECT … FOR UPDATE``. SQLite has no row locks and takes its write lock only
    at a transaction's first write, after the reads that decided it: a no-op UPDATE of the row
    takes that lock now. Refresh the row afterwards to decide on its current state.
    """
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(table.c.id).where(table.c.id == row_id).with_for_update())
        return
    # Not a key column: setting one, even to itself, makes SQLite check the referencing rows.
    column = next(c for c in table.columns if not c.primary_key and not c.foreign_keys)
    db.session.execute(update(table).where(table.c.id == row_id).values({column.name: column}))
