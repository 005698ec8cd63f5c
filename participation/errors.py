"""Domain errors raised by services, and the translated error pages every failure ends on."""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db, htmx

API_PREFIX = "/api/"


class DomainError(Exception):
    """A rule was broken. ``message`` is shown to the person; ``status`` is the HTTP code."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The person may not do this (403)."""

    status = 403


class NotFound(DomainError):
    """The thing does not exist, or its existence is private (404)."""

    status = 404


class Conflict(DomainError):
    """The request clashes with the current state, e.g. an e-mail already registered (409)."""

    status = 409


class Invalid(DomainError):
    """The input is well-formed but breaks a rule (422)."""

    status = 422


# Titles and explanations in plain language for each status we answer with.
ERROR_TEXTS = {
    400: (_l("Something went wrong"),
          _l("We could not understand what was sent. Go back, check the form and try again.")),
    403: (_l("You cannot do this"),
          _l("Your account does not have the rights needed for this page or action.")),
    404: (_l("Page not found"),
          _l("There is no page at this address. It may have been moved or removed.")),
    405: (_l("This action is not available here"),
          _l("This page cannot be used this way.")),
    409: (_l("This cannot be done right now"),
          _l("The request clashes with the current state of the page. Reload it and try again.")),
    413: (_l("The data sent is too large"),
          _l("What was sent is larger than we accept. Shorten the text and try again.")),
    422: (_l("Please check what you entered"),
          _l("Some of the information entered is not valid.")),
    429: (_l("Too many attempts"),
          _l("Too many attempts in a short time. Please wait a moment and try again.")),
    500: (_l("Something went wrong on our side"),
          _l("We could not finish this request. Nothing was saved. Please try again later.")),
}
CSRF_TEXT = _l(
    "The form has expired or was sent from another page. Reload the page and send it again."
)


def render_error(status: int, message: str | None = None) -> Response:
    """The error page, or for an htmx request a message swapped into the live region."""
    title, explanation = ERROR_TEXTS.get(status, ERROR_TEXTS[400 if status < 500 else 500])
    context = {"status": status, "title": title, "message": message or explanation}
    if htmx:
        response = make_response(render_template("errors/_message.html", **context), status)
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return make_response(render_template("errors/error.html", **context), status)


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error for a program (the API): ``{"error": message}``, never cached."""
    response = jsonify(error=message)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Response:
        db.session.rollback()
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> Response:
        return render_error(400, str(CSRF_TEXT))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code < 400:  # routing redirects (e.g. a missing trailing slash) pass through
            return error
        if code >= 500:
            db.session.rollback()
        if request.path.startswith(API_PREFIX):
            # Raised while routing (405: no rule takes this method), before the API's own
            # handlers could answer: a program still gets JSON.
            _title, explanation = ERROR_TEXTS.get(code, ERROR_TEXTS[400 if code < 500 else 500])
            response = json_error(code, str(explanation))
        else:
            response = render_error(code)
        if code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
