"""What a phone downloads, and how often: fingerprinted static URLs, cache headers, compression.

* ``url_for('static', filename=…)`` adds ``?v=<content hash>`` (templates need no change). A
  request whose ``v`` is the file's current hash may be kept for a year without asking again
  (``immutable``): a changed file gets a new URL, so a repeat visit downloads only the HTML.
  A static URL without it (or with an old hash) is kept for an hour, then revalidated.
* Everything else the app answers (pages, fragments, redirects, JSON) that did not choose its
  own ``Cache-Control`` is ``private, no-cache``: pages carry a CSRF token and personal
  content; no shared cache may keep them and the browser asks again before reusing one.
* Text responses (HTML, CSS, JS, SVG, JSON, CSV, …) of 500 bytes or more are compressed
  with Flask-Compress when the client accepts it (zstd, brotli, gzip; streamed exports with
  zstd or brotli, still streamed), with ``Vary: Accept-Encoding``. ``COMPRESS_RESPONSES=false``
  turns it off for operators whose reverse proxy compresses.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

FINGERPRINT_ARG = "v"
IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_SHORT_MAX_AGE = 3600  # seconds: an unfingerprinted asset URL (bookmarks, old e-mails)
DYNAMIC_DEFAULT = "private, no-cache"

# Flask-Compress settings (each may be overridden in the app's config).
COMPRESS_DEFAULTS: dict[str, Any] = {
    # Browsers accept all of these; brotli 5 is the smallest for the cost (htmx: brotli 5
    # 16.5 KB in 1 ms, gzip 6 16.9 KB, zstd 3 17.9 KB). ``deflate`` is left out: clients
    # disagree about what it means (zlib or raw).
    "COMPRESS_ALGORITHM": ["br", "gzip", "zstd"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "zstd"],
    "COMPRESS_BR_LEVEL": 5,
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_STREAMS": True,
    # Registered by ``init_assets`` itself, so static files are read whole first (below).
    "COMPRESS_REGISTER": False,
}
EXTRA_COMPRESSED_TYPES = ("text/csv", "application/x-ndjson", "text/calendar")


class StaticFingerprints:
    """A short content hash per static file, computed once per process (per change in debug)."""

    def __init__(self, app: Flask) -> None:
        self.folder = app.static_folder or ""
        self.check_changes = app.debug
        self._hashes: dict[str, tuple[int, str | None]] = {}

    def of(self, filename: str) -> str | None:
        """The file's fingerprint, or None when there is no such file."""
        known = self._hashes.get(filename)
        if known is not None and not self.check_changes:
            return known[1]
        path = safe_join(self.folder, filename)
        try:
            stamp = os.stat(path).st_mtime_ns if path else -1
        except OSError:
            stamp = -1
        if known is not None and known[0] == stamp:
            return known[1]
        digest = None
        if path and stamp != -1 and os.path.isfile(path):
            with open(path, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()[:12]
        self._hashes[filename] = (stamp, digest)
        return digest

    def add_to_url(self, endpoint: str, values: dict[str, Any]) -> None:
        """``url_defaults`` hook: ``static`` URLs get ``?v=<hash>`` unless one is given."""
        if endpoint != "static" or FINGERPRINT_ARG in values:
            return
        filename = values.get("filename")
        digest = self.of(filename) if isinstance(filename, str) else None
        if digest:
            values[FINGERPRINT_ARG] = digest


class SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, never saved on a static file's response.

    An asset is the same for everyone: a ``Vary: Cookie`` (Flask adds it whenever the session
    was looked at, which Flask-Login does on every response) would make the browser's cache
    miss whenever the cookie changes, and a ``Set-Cookie`` must never ride on a response that
    shared caches may keep.
    """

    def save_session(self, app, session, response) -> None:  # type: ignore[no-untyped-def]
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def init_assets(app: Flask) -> None:
    """Register fingerprinted static URLs, cache headers and (unless switched off) compression.

    Register it before the other ``after_request`` functions: Flask runs those in reverse
    order, so this one sees each response last, as it will be sent.
    """
    fingerprints = StaticFingerprints(app)
    app.extensions["static_fingerprints"] = fingerprints
    app.url_defaults(fingerprints.add_to_url)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = SessionInterface()

    compress = None
    if app.config.get("COMPRESS_RESPONSES", True):
        from flask_compress import Compress

        for key, value in COMPRESS_DEFAULTS.items():
            app.config.setdefault(key, value)
        app.config["COMPRESS_REGISTER"] = False
        compress = Compress(app)
        compress.compress_mimetypes_set.update(EXTRA_COMPRESSED_TYPES)

    @app.after_request
    def finish_response(response: Response) -> Response:
        if request.endpoint == "static":
            _static_cache_headers(response, fingerprints)
            if compress is None or response.status_code == 206:
                return response  # a range of the file must not be re-encoded
            if (response.status_code == 200 and response.direct_passthrough
                    and response.mimetype in compress.compress_mimetypes_set):
                # send_file streams the file; read the (small) asset whole so it is compressed
                # in one piece, with its gzip option and an exact Content-Length.
                response.direct_passthrough = False
                response.set_data(response.get_data())
        elif "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = DYNAMIC_DEFAULT
        return compress.after_request(response) if compress is not None else response


def _static_cache_headers(response: Response, fingerprints: StaticFingerprints) -> None:
    filename = (request.view_args or {}).get("filename")
    version = request.args.get(FINGERPRINT_ARG)
    current = fingerprints.of(filename) if isinstance(filename, str) else None
    if response.status_code not in (200, 206, 304):
        return
    response.headers.pop("Expires", None)
    if version and current and version == current:
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = f"public, max-age={STATIC_SHORT_MAX_AGE}"
