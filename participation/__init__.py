"""participation: residents propose, vote and sign up; centres see what their community did."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .assets import init_assets
from .config import secret_key_from_instance, settings_from_environment
from .extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``config`` overrides what the environment says (tests use it)."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.update(settings_from_environment(app.instance_path, app.debug))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    app.config.update(config or {})
    _ensure_secret_key(app)
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=1
        )

    init_assets(app)  # first: its after_request hook then runs last, on the final response
    _init_extensions(app)
    _register_blueprints(app)
    _init_request_cycle(app)
    _init_templates(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _ensure_secret_key(app: Flask) -> None:
    """Secrets not given in the environment are made once and kept in the instance folder."""
    for setting, file_name in (("SECRET_KEY", "secret_key"), ("PSEUDONYM_KEY", "pseudonym_key")):
        if app.config.get(setting):
            continue
        if app.testing:
            app.config[setting] = secrets.token_hex(32)
        else:
            app.config[setting] = secret_key_from_instance(app.instance_path, file_name)


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers every table on the metadata)
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_token: str):
        from .accounts.service import user_by_session_token

        return user_by_session_token(session_token)


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` for database ids: a number no row can have is a 404, not a driver overflow."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    from .accounts.routes import bp as accounts_bp
    from .activities.manage_routes import bp as manage_activities_bp
    from .activities.routes import bp as activities_bp
    from .activities.routes import my_bp as my_activities_bp
    from .admin.routes import bp as admin_bp
    from .cards.routes import bp as cards_bp
    from .cards.routes import manage_bp as manage_cards_bp
    from .centres.routes import bp as centres_bp
    from .kiosk.routes import bp as kiosk_bp
    from .kiosk.routes import manage_bp as manage_kiosk_bp
    from .legal.routes import bp as legal_bp
    from .legal.routes import manage_bp as manage_legal_bp
    from .members.routes import bp as members_bp
    from .members.routes import my_bp as my_history_bp
    from .metrics.api import bp as api_bp
    from .metrics.export_routes import bp as metrics_export_bp
    from .metrics.routes import admin_bp as admin_figures_bp
    from .metrics.routes import bp as metrics_bp
    from .metrics.token_routes import bp as api_tokens_bp
    from .metrics.webhook_routes import bp as webhook_bp
    from .moderation.routes import bp as moderation_bp
    from .notifications.routes import bp as notifications_bp
    from .privacy.routes import bp as my_data_bp
    from .privacy.routes import manage_bp as erasure_bp
    from .proposals.routes import bp as proposals_bp
    from .site.routes import bp as site_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(centres_bp)
    app.register_blueprint(proposals_bp, url_prefix="/c/<slug>/proposals")
    app.register_blueprint(moderation_bp, url_prefix="/c/<slug>/manage")
    app.register_blueprint(activities_bp, url_prefix="/c/<slug>/activities")
    app.register_blueprint(manage_activities_bp, url_prefix="/c/<slug>/manage/activities")
    app.register_blueprint(my_activities_bp, url_prefix="/account/activities")
    app.register_blueprint(accounts_bp, url_prefix="/account")
    app.register_blueprint(notifications_bp, url_prefix="/account/notifications")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(metrics_bp, url_prefix="/c/<slug>/manage/figures")
    app.register_blueprint(metrics_export_bp, url_prefix="/c/<slug>/manage/figures/export")
    app.register_blueprint(api_tokens_bp, url_prefix="/c/<slug>/manage/api-tokens")
    app.register_blueprint(webhook_bp, url_prefix="/c/<slug>/manage/webhook")
    app.register_blueprint(admin_figures_bp, url_prefix="/admin/figures")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(cards_bp, url_prefix="/account/card")
    app.register_blueprint(manage_cards_bp, url_prefix="/c/<slug>/manage/cards")
    app.register_blueprint(members_bp, url_prefix="/c/<slug>/manage/members")
    app.register_blueprint(my_history_bp, url_prefix="/account/history")
    app.register_blueprint(kiosk_bp, url_prefix="/kiosk")
    app.register_blueprint(manage_kiosk_bp, url_prefix="/c/<slug>/manage/kiosk")
    app.register_blueprint(my_data_bp, url_prefix="/account/data")
    app.register_blueprint(erasure_bp, url_prefix="/c/<slug>/manage/members")
    app.register_blueprint(legal_bp, url_prefix="/c/<slug>")
    app.register_blueprint(manage_legal_bp, url_prefix="/c/<slug>/manage/statements")


def _init_request_cycle(app: Flask) -> None:
    """One commit per request, at the edge: services only flush."""
    from .errors import register_error_handlers
    from .security import init_security

    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    register_error_handlers(app)
    init_security(app)


def _init_templates(app: Flask) -> None:
    from .i18n import LANGUAGE_NAMES, local_datetime, local_range, machine_time
    from .proposals.service import STATUS_LABELS, category_label
    from .text import plain_text

    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES, status_labels=STATUS_LABELS, category_label=category_label
    )
    app.jinja_env.filters["plain_text"] = plain_text
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_range"] = local_range
    app.jinja_env.filters["machine_time"] = machine_time

    @app.context_processor
    def inject_site() -> dict[str, Any]:
        return {
            "current_locale": str(get_locale()),
            "site_name": app.config.get("SITE_NAME") or _("Active neighbours"),
            "header_counts": _header_counts,
        }


def _header_counts() -> dict[str, int | None]:
    """Unread notifications, and for the centre's animators what awaits moderation.

    Called from the page header only, so fragments and error pages do not pay for it.
    """
    from flask import g
    from flask_login import current_user

    from .centres.service import can_manage_centre
    from .moderation.service import pending_count
    from .notifications.service import unread_count

    if not current_user.is_authenticated:
        return {"unread": None, "pending": None}
    centre = g.get("centre")
    manages = centre is not None and can_manage_centre(current_user, centre)
    return {"unread": unread_count(current_user),
            "pending": pending_count(centre) if manages else None}
