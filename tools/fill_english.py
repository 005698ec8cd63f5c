"""Give every English message its own text: the source strings are English already.

An empty msgstr would work too (gettext falls back to the msgid), but then the catalogue
check could not tell a forgotten translation from a deliberate one.
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def fill(path: str) -> int:
    with open(path, "rb") as handle:
        catalogue = read_po(handle, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False, sort_output=True,
                 include_previous=False, no_location=True)
    return filled


if __name__ == "__main__":
    for po_path in sys.argv[1:]:
        print(f"{po_path}: {fill(po_path)} English messages filled")
