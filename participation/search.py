"""Searching typed text the way people type it: without caring for case or accents.

An animator at the desk types "lucja zak" for "Łucja Żak", a resident on a phone without a
Polish keyboard types "swietlica" for "Świetlica". Both sides are folded to lower-case letters
without accents: the words in Python (``fold``), the columns in SQL (``folded``) with
``translate(lower(column), …)``, which PostgreSQL has and SQLite gets from the app
(``extensions``). The letters folded are the Latin ones of Polish and its neighbours' languages;
Cyrillic needs no folding (Ukrainian "ї", "й" are letters of their own).

Searching uses LIKE '%word%': the lists searched are one centre's, a few thousand rows at most.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import ColumnElement, func, or_

# Letters without a decomposition into base letter + accent.
_OWN_LETTERS = {"ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ħ": "h", "Ħ": "h"}


def _fold_table() -> tuple[str, str]:
    """Every Latin-1 and Latin Extended-A letter that folds to one ASCII letter, and that
    letter in lower case: the two arguments of SQL's translate()."""
    source, target = [], []
    for code in range(0xC0, 0x180):
        letter = chr(code)
        base = _OWN_LETTERS.get(letter) or "".join(
            part for part in unicodedata.normalize("NFKD", letter)
            if not unicodedata.combining(part))
        if len(base) == 1 and base.isascii() and base.isalpha():
            source.append(letter)
            target.append(base.lower())
    return "".join(source), "".join(target)


FOLD_FROM, FOLD_TO = _fold_table()
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)
MAX_SEARCH_WORDS = 5


def fold(text: str) -> str:
    """Lower case, accents dropped from Latin letters: "Łucja Żak" → "lucja zak"."""
    return text.lower().translate(_FOLD)


def translate(text: str | None, source: str | None, target: str | None) -> str | None:
    """PostgreSQL's translate(), for SQLite: each character of ``source`` in ``text`` becomes
    the character at the same place in ``target``, or is dropped when ``target`` is shorter."""
    if text is None or source is None or target is None:
        return None
    table = {ord(char): (target[index] if index < len(target) else None)
             for index, char in reversed(list(enumerate(source)))}
    return text.translate(table)


def escape_like(text: str) -> str:
    """Make %, _ and the escape character itself match literally in a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def folded(column: ColumnElement) -> ColumnElement:
    """The column as ``fold`` would make it, in SQL. Upper-case accented letters are in the
    table too: PostgreSQL's lower() folds only ASCII in a database with the C locale."""
    return func.translate(func.lower(column), FOLD_FROM, FOLD_TO)


def contains_word(word: str, *columns: ColumnElement) -> ColumnElement[bool]:
    """The word somewhere in one of the columns, whatever the case and accents. The word is
    also tried as typed, lower-cased and capitalised against the stored text, for letters that
    a C-locale PostgreSQL does not lower-case (Cyrillic: "олена" finds "Олена")."""
    folded_pattern = f"%{escape_like(fold(word))}%"
    conditions = [folded(column).like(folded_pattern, escape="\\") for column in columns]
    for variant in {word, word.lower(), word.capitalize()}:
        pattern = f"%{escape_like(variant)}%"
        conditions += [column.like(pattern, escape="\\") for column in columns]
    return or_(*conditions)


def matching_all_words(search: str, *columns: ColumnElement) -> list[ColumnElement[bool]]:
    """Conditions for a search box: every word (at most MAX_SEARCH_WORDS) in some column."""
    return [contains_word(word, *columns) for word in search.split()[:MAX_SEARCH_WORDS]]
