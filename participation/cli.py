"""``flask`` commands for the server's operators: admins, centres, animators, demo data, mail,
the daily webhook.

Each command runs in one transaction and uses the same services as the web pages, acting as
the trusted console; only mail delivery commits once per message sent, ``send-digests`` once
per person, and ``push-metrics`` once per delivery tried.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .accounts import service as accounts
from .accounts.passwords import password_problem
from .activities.reminders import send_reminders
from .admin import service as admin
from .centres.service import centre_by_slug
from .errors import DomainError
from .extensions import db
from .mail import deliver_outbox
from .models import User


def _commit_or_fail(action):
    """Run ``action``; commit on success, roll back and print the reason on a domain error."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    return result


@click.command("create-admin")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", "display_name", default="Administrator", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create a platform administrator, or make an existing account one."""

    def action():
        user = accounts.user_by_email(email)
        if user is None:
            problem = password_problem(password, email=email, name=display_name)
            if problem:
                raise DomainError(problem)
            user = User(display_name=display_name, email=accounts.normalise_email(email))
            user.set_password(password)
            db.session.add(user)
        admin.make_admin(admin.CONSOLE, user)
        return user

    user = _commit_or_fail(action)
    click.echo(f"{user.email} is a platform administrator.")


@click.command("create-centre")
@with_appcontext
@click.option("--slug", required=True, help="Address name, e.g. paca-40.")
@click.option("--name", required=True)
@click.option("--city", required=True)
@click.option("--district", default="")
@click.option("--address", default="")
@click.option("--operator", default="", help="Who runs the centre.")
@click.option("--description", default="")
@click.option("--timezone", default="Europe/Warsaw", show_default=True)
def create_centre(**fields: str) -> None:
    """Create a centre."""
    centre = _commit_or_fail(lambda: admin.create_centre(admin.CONSOLE, **fields))
    click.echo(f"Centre {centre.name} is at /c/{centre.slug}/.")


@click.command("add-animator")
@with_appcontext
@click.option("--centre", "slug", required=True, help="The centre's address name.")
@click.option("--email", required=True, help="E-mail of an existing account.")
def add_animator(slug: str, email: str) -> None:
    """Name an existing account animator of a centre."""
    membership = _commit_or_fail(
        lambda: admin.add_animator(admin.CONSOLE, centre_by_slug(slug), email)
    )
    click.echo(f"{membership.user.email} is an animator of {membership.centre.name}.")


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has accounts.")
def demo(if_empty: bool) -> None:
    """Load demo data: real CAL centres, an admin, animators and residents; print the logins."""
    from .demo import load_demo

    if db.session.scalar(select(func.count()).select_from(User)):
        if if_empty:
            click.echo("The database already has data; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; demo data goes into an empty one.")
    logins = _commit_or_fail(load_demo)
    click.echo("Demo data loaded. Sign in with:")
    for login in logins:
        click.echo(f"  {login.role:<28} {login.email:<32} {login.password}")


@contextmanager
def _mail_context() -> Iterator[None]:
    """What mail-writing commands need outside a request: a base URL and visible console mail.

    ``url_for`` builds absolute links from ``BASE_URL``. Without ``MAIL_SERVER`` mails go to the
    app's log at INFO, which is shown here even when the log is otherwise quieter.
    """
    logger = current_app.logger
    level = logger.level
    if not current_app.config["MAIL_SERVER"] and logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    base_url = current_app.config.get("BASE_URL") or "http://localhost:5000"
    try:
        with current_app.test_request_context("/", base_url=base_url):
            yield
    finally:
        logger.setLevel(level)


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue reminders for tomorrow's activities, then send the waiting e-mails."""
    with _mail_context():
        queued = send_reminders()
        db.session.commit()
        sent = deliver_outbox()
    click.echo(f"{queued} reminders queued, {sent} e-mails sent.")


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Queue today's digest for everyone who chose e-mails once a day, then send the e-mails.

    For cron, e.g. every morning. Running it again the same day sends no second digest.
    """
    from .notifications.digest import send_digests

    with _mail_context():
        queued = send_digests()
        sent = deliver_outbox()
    click.echo(f"{queued} digests queued, {sent} e-mails sent.")


@click.command("deliver-mail")
@with_appcontext
def deliver_mail_command() -> None:
    """Send the e-mails waiting in the outbox."""
    with _mail_context():
        sent = deliver_outbox()
    click.echo(f"{sent} e-mails sent.")


@click.command("push-metrics")
@with_appcontext
def push_metrics_command() -> None:
    """Send each centre's figures for its previous day to its webhook; retry failed sends.

    For cron: daily after midnight (e.g. 02:00) to send yesterday, and hourly to retry.
    Running it more often, or twice at once, never sends a delivered day again.
    """
    from .metrics.webhook import push_metrics

    click.echo(str(push_metrics()))


def register_cli(app: Flask) -> None:
    for command in (create_admin, create_centre, add_animator, demo, send_reminders_command,
                    send_digests_command, deliver_mail_command, push_metrics_command):
        app.cli.add_command(command)
