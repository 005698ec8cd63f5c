"""The short code printed on an access card: made, normalised and hashed here only.

Ten characters of Crockford's base32 (50 bits), printed as ``K7M2Q-9XDRB``. Typing is
forgiving: case, spaces and dashes do not matter, O reads as 0 and I or L as 1. A USB barcode
reader scanning the card's QR code types the whole sign-in address; the code is its last part.
"""

from __future__ import annotations

import hashlib
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-–—_.]+")


def new_code() -> str:
    """A fresh random code, normalised (no dash)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str | None:
    """The code in ``typed`` (a code, or a scanned sign-in address), or None if it cannot be one."""
    text = (typed or "").strip()
    if "/" in text:  # a scanned address: …/account/card/K7M2Q9XDRB (maybe with ?query)
        text = text.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    text = _SEPARATORS.sub("", text).upper().translate(_CONFUSABLE)
    if len(text) != CODE_LENGTH or any(char not in ALPHABET for char in text):
        return None
    return text


def display_code(code: str) -> str:
    """The code as printed: two groups of five, easier to read out and type."""
    return f"{code[:5]}-{code[5:]}"


def hash_code(code: str) -> str:
    """What the database keeps: the SHA-256 of the normalised code."""
    return hashlib.sha256(code.encode()).hexdigest()
