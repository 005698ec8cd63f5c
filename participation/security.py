"""Response headers and redirect targets that keep residents safe."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request

# No inline scripts or styles, nothing from other hosts: a public body must not leak residents'
# visits to third parties, and injected markup cannot run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # Pages differ for htmx requests (fragment) and plain ones (whole page): caches must know.
    response.vary.add("HX-Request")
    return response


def is_safe_redirect(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative ``//host`` tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target


def safe_next(target: str | None, fallback: str) -> str:
    return target if is_safe_redirect(target) else fallback


def refuse_nul_bytes(_endpoint: str | None = None, _values: dict | None = None) -> None:
    """No text field has a use for NUL, and PostgreSQL cannot store it: answer 400 up front.

    Registered as the app's URL value preprocessor, which runs before the blueprints' (those
    look the centre up from the URL) and before any view.
    """
    if "\x00" in request.path or any(
        "\x00" in value
        for values in (request.args, request.form)
        for value in values.values()
    ):
        abort(400)


def init_security(app: Flask) -> None:
    app.url_value_preprocessor(refuse_nul_bytes)
    app.after_request(add_security_headers)
