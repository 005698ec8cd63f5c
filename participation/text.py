"""Showing residents' plain text safely: escaped, line breaks kept, web links clickable."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# Runs on already-escaped text, so "&amp;" inside a link is part of it and "<" cannot occur.
_LINK = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def _link(match: re.Match) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:  # "see https://x.pl." — the dot ends the sentence
        url, tail = url[:-1], url[-1] + tail
    return f'<a href="{url}" rel="nofollow ugc noopener">{url}</a>{tail}'


def plain_text(text: str | None) -> Markup:
    """Paragraphs from blank lines, <br> from single line breaks, links from http(s) URLs."""
    paragraphs = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    rendered = []
    for paragraph in paragraphs:
        if not paragraph.strip():
            continue
        escaped = str(escape(paragraph.strip()))
        linked = _LINK.sub(_link, escaped)
        rendered.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(rendered))  # noqa: S704 (every piece of user text was escaped)
