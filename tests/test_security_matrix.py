"""Every endpoint of the URL map × six kinds of people, from one table (DESIGN invariant 3).

The per-domain matrices (test_*permissions.py) try each endpoint with valid data and several
objects; this one is the safety net over the whole URL map: a new endpoint without a row here
fails, and so does a row whose endpoint is gone.

Each (endpoint, method) is called once per person, on centre A's objects (the URL values come
from ``security_scene``): a GET as a browser would, a POST with a valid CSRF token and an empty
body. For the people allowed to act, an empty form is refused with a 4xx that explains (400,
409, 422) or, where the act needs no input, done (303); for everybody else the answer is 302
to sign in, 403 or 404 — and then no row of any table has changed. No GET changes any row
(but the API token's "last used" time, see ``READ_SIDE_COLUMNS``).

A POST of an endpoint that only takes GET — and a GET of one that only takes POST — is 405:
``test_every_state_changing_endpoint_refuses_get``. The CSRF half of invariant 3 (a POST
without a token is refused) is test_security.py's ``test_every_post_without_csrf_token_is_refused``,
which reads the same URL map.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from participation.cards import service as cards
from participation.extensions import db as _db
from participation.metrics import tokens
from participation.models import Centre, User, WebhookEndpoint
from participation.proposals import service as proposals

from .kiosk_support import make_kiosk
from .proposals_fixtures import unit_of_work
from .support import Client
from .test_activity_permissions import make_activity_scene

ROLES = ("anonymous", "resident_a", "resident_b", "animator_a", "animator_b", "admin")
PIN = "4826"


def all_routes(app: Flask) -> set[tuple[str, str]]:
    """(endpoint, method) of every rule of the URL map, HEAD and OPTIONS aside."""
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def build_scene(app: Flask, scene, world, make_user, make_member) -> dict:
    """Centre A with one of everything an URL can name; the values for the URL map's parts.

    A published proposal by a resident of A who is none of the people tested, with a comment
    (reported once) and a proposal awaiting moderation; the activities of
    test_activity_permissions (``up`` with a sign-up, an offer of help and a ticket); a card-only
    resident (``halina``) with an unused card link; an API token; a kiosk.
    """
    ids = make_activity_scene(app, scene, world, make_user, make_member)
    author = make_user("author-a@example.org", name="Adam Autor")
    make_member(author, world["a"])
    with unit_of_work(app):
        centre_a = _db.session.get(Centre, scene.a)
        animator = _db.session.get(User, scene.animator)
        writer = _db.session.get(User, author.id)
        published = proposals.propose(writer, centre_a, "Ogródek na podwórku",
                                      "Skrzynie z ziołami na wspólnym podwórku.", scene.category)
        proposals.change_status(animator, published, proposals.ProposalStatus.PUBLISHED)
        comment = proposals.post_comment(writer, published, "Zapraszam do pomocy!")
        proposals.file_report(_db.session.get(User, scene.outsider), published, "spam",
                              comment=comment)
        submitted = proposals.propose(writer, centre_a, "Rowery dla wszystkich",
                                      "Wspólne naprawianie rowerów raz w miesiącu.",
                                      scene.category)
        halina, _card, code = cards.register_card_resident(
            animator, centre_a, "Halina Wiśniewska", None, True)
        cards.set_pin(halina, PIN)
        token, secret = tokens.create_token(animator, centre_a, "Arkusz")
        _db.session.flush()
        ids.update(published=published.id, submitted=submitted.id, comment=comment.id,
                   halina=halina.id, code=code, token_id=token.id, api_token=secret,
                   author=author.id)
    ids["kiosk"], ids["kiosk_token"] = make_kiosk(app, scene.a, scene.animator,
                                                  activity_id=ids["up"])
    ids["animator_a"] = scene.animator
    db_add(app, WebhookEndpoint(centre_id=scene.a, url="https://example.org/hook",
                                secret="a" * 43))
    return ids


def db_add(app: Flask, row) -> None:
    with unit_of_work(app):
        _db.session.add(row)


@pytest.fixture
def security_scene(app, scene, world, make_user, make_member) -> dict:
    return build_scene(app, scene, world, make_user, make_member)


def url_values(ids: dict) -> dict:
    """The value of each named URL part: centre A's objects."""
    return {"slug": "centre-a", "proposal_id": ids["published"], "comment_id": ids["comment"],
            "category_id": ids["category"], "activity_id": ids["up"], "signup_id": ids["signup"],
            "offer_id": ids["offer"], "token": ids["token"], "token_id": ids["token_id"],
            "user_id": ids["halina"], "code": ids["code"], "kiosk_id": ids["kiosk"],
            "year": datetime.now(UTC).year, "filename": "css/site.css", "rest": "centres"}


# Where one value does not fit every endpoint.
URL_OVERRIDES = {"admin.remove_animator": {"user_id": "animator_a"}}


def urls_by_route(app: Flask, ids: dict) -> dict[tuple[str, str], str]:
    values = url_values(ids)
    found = {}
    for rule in app.url_map.iter_rules():
        overrides = {name: ids[key] for name, key in URL_OVERRIDES.get(rule.endpoint, {}).items()}
        url = rule.build({name: overrides.get(name, values.get(name)) for name in rule.arguments}
                         )[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.setdefault((rule.endpoint, method), url)
    return found


def all_rows(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, all columns but those a read may set."""
    with app.app_context():
        found = {}
        for table in _db.metadata.sorted_tables:
            columns = [column for column in table.columns
                       if (table.name, column.name) not in READ_SIDE_COLUMNS]
            order = list(table.primary_key.columns) or columns
            found[table.name] = [tuple(row) for row in
                                 _db.session.execute(select(*columns).order_by(*order))]
        return found


# Reading the API notes when its token was last used; signing in notes it on cards.
READ_SIDE_COLUMNS = {("api_token", "last_used_at"), ("access_card", "last_used_at")}


# The outcomes, in ROLES order (anonymous, resident_a, resident_b, animator_a, animator_b, admin).
EVERYONE = (200, 200, 200, 200, 200, 200)
NOBODY_403 = (403, 403, 403, 403, 403, 403)  # the kiosk: only its tablet's cookie opens it
SIGNED_IN = (302, 200, 200, 200, 200, 200)  # one's own pages
SIGNED_IN_FORM = (302, 422, 422, 422, 422, 422)  # one's own forms, sent empty
SIGNED_IN_ACT = (302, 303, 303, 303, 303, 303)
ANONYMOUS_PAGE = (200, 303, 303, 303, 303, 303)  # sign-in pages: the signed-in are sent on
ANONYMOUS_FORM = (422, 303, 303, 303, 303, 303)
MEMBERS_OF_A_ACT = (302, 303, 403, 303, 403, 403)  # residents and animators of A
MANAGERS_PAGE = (302, 403, 403, 200, 403, 200)  # animators of A, and platform admins
MANAGERS_FORM = (302, 403, 403, 422, 403, 422)
MANAGERS_ACT = (302, 403, 403, 303, 403, 303)
ADMINS_PAGE = (302, 403, 403, 403, 403, 200)
ADMINS_FORM = (302, 403, 403, 403, 403, 422)
ADMINS_ACT = (302, 403, 403, 403, 403, 303)
NOBODY_TESTED = (302, 403, 403, 403, 403, 403)  # the author's own proposal: none of these

# (endpoint, method) → the status each person gets. A 302 is to the sign-in page unless the
# cell says where ("302 /"). Every rule of the URL map has a row, every row a rule.
EXPECTED: dict[tuple[str, str], tuple[int | str, ...]] = {
    ("accounts.change_password", "GET"): SIGNED_IN,
    ("accounts.change_password", "POST"): SIGNED_IN_FORM,
    ("accounts.login", "GET"): ANONYMOUS_PAGE,
    ("accounts.login", "POST"): ANONYMOUS_FORM,
    ("accounts.logout", "POST"): (303, 303, 303, 303, 303, 303),
    ("accounts.profile", "GET"): SIGNED_IN,
    ("accounts.profile", "POST"): SIGNED_IN_FORM,
    ("accounts.register", "GET"): (200, "302 /", "302 /", "302 /", "302 /", "302 /"),
    ("accounts.register", "POST"): (422, "302 /", "302 /", "302 /", "302 /", "302 /"),
    ("activities.feed", "GET"): EVERYONE,
    ("activities.ics", "GET"): EVERYONE,
    ("activities.index", "GET"): EVERYONE,
    ("activities.show", "GET"): EVERYONE,
    ("activities.signup", "POST"): MEMBERS_OF_A_ACT,
    ("activities.ticket", "GET"): (302, 404, 404, 404, 404, 404),  # nobody tested has a place
    ("activities.volunteer", "POST"): MEMBERS_OF_A_ACT,
    ("admin.animators", "GET"): ADMINS_PAGE,
    ("admin.animators", "POST"): ADMINS_FORM,
    ("admin.create_centre", "GET"): ADMINS_PAGE,
    ("admin.create_centre", "POST"): ADMINS_FORM,
    ("admin.edit_centre", "GET"): ADMINS_PAGE,
    ("admin.edit_centre", "POST"): ADMINS_ACT,
    ("admin.index", "GET"): ADMINS_PAGE,
    ("admin.remove_animator", "POST"): ADMINS_ACT,
    ("admin_figures.index", "GET"): ADMINS_PAGE,
    ("api.centre_metrics", "GET"): (401, 401, 401, 401, 401, 401),  # a bearer token, no cookie
    ("api.not_found", "GET"): (404, 404, 404, 404, 404, 404),
    ("api_tokens.create", "POST"): MANAGERS_FORM,
    ("api_tokens.index", "GET"): MANAGERS_PAGE,
    ("api_tokens.revoke", "POST"): MANAGERS_ACT,
    ("cards.link", "GET"): EVERYONE,
    # The link signs its holder in, whoever held the phone; managers reissued the card before.
    ("cards.link", "POST"): (303, 303, 303, 404, 303, 404),
    ("cards.set_pin", "GET"): SIGNED_IN,
    ("cards.set_pin", "POST"): SIGNED_IN_FORM,
    ("cards.sign_in", "GET"): ANONYMOUS_PAGE,
    ("cards.sign_in", "POST"): ANONYMOUS_FORM,
    ("centres.home", "GET"): EVERYONE,
    ("centres.index", "GET"): EVERYONE,
    ("centres.join", "POST"): SIGNED_IN_ACT,
    ("centres.leave", "POST"): (302, 303, 303, 409, 303, 303),  # an animator cannot just leave
    ("erasure.confirm", "GET"): MANAGERS_PAGE,
    ("erasure.confirm", "POST"): MANAGERS_FORM,
    ("kiosk.enter", "POST"): NOBODY_403,
    ("kiosk.start", "GET"): NOBODY_403,
    ("legal.accessibility", "GET"): EVERYONE,
    ("legal.privacy", "GET"): EVERYONE,
    ("manage_activities.assisted_signup", "POST"): MANAGERS_FORM,
    ("manage_activities.attendees", "GET"): MANAGERS_PAGE,
    ("manage_activities.cancel", "GET"): MANAGERS_PAGE,
    ("manage_activities.cancel", "POST"): MANAGERS_FORM,
    ("manage_activities.cancel_signup", "POST"): MANAGERS_ACT,
    ("manage_activities.check_in", "POST"): MANAGERS_FORM,
    ("manage_activities.decide_offer", "POST"): MANAGERS_FORM,
    ("manage_activities.edit", "GET"): MANAGERS_PAGE,
    ("manage_activities.edit", "POST"): MANAGERS_FORM,
    ("manage_activities.guests", "POST"): MANAGERS_FORM,
    ("manage_activities.index", "GET"): MANAGERS_PAGE,
    ("manage_activities.new", "GET"): MANAGERS_PAGE,
    ("manage_activities.new", "POST"): MANAGERS_FORM,
    ("manage_activities.publish", "POST"): (302, 403, 403, 409, 403, 409),  # already published
    ("manage_activities.record_hours", "POST"): MANAGERS_FORM,
    ("manage_activities.ticket_check_in", "GET"): MANAGERS_PAGE,
    ("manage_activities.ticket_check_in", "POST"): (302, 403, 403, 409, 403, 409),  # not yet
    ("manage_activities.walk_in", "POST"): MANAGERS_FORM,
    ("manage_cards.new", "GET"): MANAGERS_PAGE,
    ("manage_cards.new", "POST"): MANAGERS_FORM,
    ("manage_cards.reissue", "POST"): (302, 403, 403, 201, 403, 201),  # shows the new code
    ("manage_kiosk.close", "POST"): MANAGERS_ACT,
    ("manage_kiosk.index", "GET"): MANAGERS_PAGE,
    ("manage_kiosk.index", "POST"): MANAGERS_FORM,
    ("manage_legal.edit", "GET"): MANAGERS_PAGE,
    ("manage_legal.edit", "POST"): MANAGERS_ACT,
    ("members.cancel_signup", "POST"): MANAGERS_FORM,
    ("members.index", "GET"): MANAGERS_PAGE,
    ("members.propose", "POST"): MANAGERS_FORM,
    ("members.show", "GET"): MANAGERS_PAGE,
    ("members.sign_up", "POST"): MANAGERS_FORM,
    ("members.support", "POST"): MANAGERS_FORM,
    ("metrics.dashboard", "GET"): MANAGERS_PAGE,
    ("metrics.report", "GET"): MANAGERS_PAGE,
    ("metrics_export.events_csv", "GET"): MANAGERS_PAGE,
    ("metrics_export.events_jsonl", "GET"): MANAGERS_PAGE,
    ("metrics_export.figures_csv", "GET"): MANAGERS_PAGE,
    ("moderation.answer", "POST"): MANAGERS_FORM,
    ("moderation.archive_category", "POST"): MANAGERS_FORM,
    ("moderation.assisted_support", "POST"): MANAGERS_FORM,
    ("moderation.categories", "GET"): MANAGERS_PAGE,
    ("moderation.categories", "POST"): MANAGERS_FORM,
    ("moderation.change_status", "POST"): MANAGERS_FORM,
    ("moderation.log", "GET"): MANAGERS_PAGE,
    ("moderation.paper_votes", "POST"): MANAGERS_FORM,
    ("moderation.queue", "GET"): MANAGERS_PAGE,
    ("moderation.rename_category", "POST"): MANAGERS_FORM,
    ("moderation.reports", "GET"): MANAGERS_PAGE,
    ("moderation.resolve_reports", "POST"): MANAGERS_FORM,
    ("moderation.settings", "GET"): MANAGERS_PAGE,
    ("moderation.settings", "POST"): MANAGERS_FORM,
    ("my_activities.index", "GET"): SIGNED_IN,
    ("my_data.delete", "GET"): SIGNED_IN,
    ("my_data.delete", "POST"): SIGNED_IN_FORM,
    ("my_data.download", "GET"): SIGNED_IN,
    ("my_data.index", "GET"): SIGNED_IN,
    ("my_history.index", "GET"): SIGNED_IN,
    ("notifications.index", "GET"): SIGNED_IN,
    ("notifications.mark_read", "POST"): SIGNED_IN_ACT,
    ("proposals.comment", "POST"): MEMBERS_OF_A_ACT,
    ("proposals.edit", "GET"): NOBODY_TESTED,
    ("proposals.edit", "POST"): NOBODY_TESTED,
    ("proposals.index", "GET"): EVERYONE,
    ("proposals.new", "GET"): (302, 200, 403, 200, 403, 403),
    ("proposals.new", "POST"): (302, 422, 403, 422, 403, 403),
    ("proposals.report", "GET"): SIGNED_IN,
    ("proposals.report", "POST"): SIGNED_IN_FORM,
    ("proposals.report_comment", "GET"): SIGNED_IN,
    ("proposals.report_comment", "POST"): SIGNED_IN_FORM,
    ("proposals.show", "GET"): EVERYONE,
    ("proposals.support", "POST"): MEMBERS_OF_A_ACT,
    ("proposals.withdraw", "POST"): NOBODY_TESTED,
    ("site.accessibility", "GET"): EVERYONE,
    ("site.health", "GET"): EVERYONE,
    ("site.help", "GET"): EVERYONE,
    ("site.privacy", "GET"): EVERYONE,
    ("site.set_language", "POST"): (400, 400, 400, 400, 400, 400),  # no language chosen
    ("static", "GET"): EVERYONE,
    ("webhook.index", "GET"): MANAGERS_PAGE,
    ("webhook.regenerate", "POST"): MANAGERS_ACT,
    ("webhook.remove", "POST"): MANAGERS_ACT,
    ("webhook.save", "POST"): MANAGERS_FORM,
}


# Requests after which the client may be somebody else (or nobody): sign in again.
SESSION_CHANGING = {"accounts.logout", "accounts.login", "accounts.register", "cards.link",
                    "cards.sign_in", "my_data.delete"}
# Forms that check their input before the person's rights: the one field that gets an empty
# form past that check, so the row shows who may act (with an empty body, everyone signed in
# would get the same 422 and the row would prove nothing).
BODIES = {
    "proposals.support": {"intent": "support"},
    "proposals.comment": {"body": "Dobry pomysł!"},
    "proposals.withdraw": {"reason": "Nie moja, ale spróbuję."},
    "activities.signup": {"intent": "join"},
    "activities.volunteer": {"intent": "offer"},
}


def _signed_in_client(app: Flask, world, role: str) -> tuple[Client, str]:
    client = app.test_client()
    if role != "anonymous":
        client.login(world[role].email)
    return client, client.csrf_token()


# Acts that change who belongs where: after every other act, so those see the world as built.
MEMBERSHIP_CHANGING = {"centres.join", "centres.leave", "admin.remove_animator"}


def _order(route: tuple[str, str]) -> tuple:
    # Pages first, then the acts; the acts that change memberships and sessions last.
    endpoint, method = route
    return (method != "GET", endpoint in MEMBERSHIP_CHANGING, endpoint in SESSION_CHANGING,
            endpoint, method)


def outcomes(app: Flask, world, ids: dict, role: str) -> tuple[dict, list[str]]:
    """The status of every (endpoint, method) for this person, and what was wrongly written."""
    urls = urls_by_route(app, ids)
    client, token = _signed_in_client(app, world, role)
    found, problems = {}, []
    before = all_rows(app)
    for route in sorted(urls, key=_order):
        endpoint, method = route
        if method == "GET":
            response = client.get(urls[route])
        else:
            data = {**BODIES.get(endpoint, {}), "csrf_token": token}
            response = client.open(urls[route], method=method, data=data)
        response.get_data()  # a streamed download runs to its end, closing its context
        status = response.status_code
        found[route] = status
        if status == 302:
            location = response.headers["Location"]
            if "/account/login" not in location:
                found[route] = f"302 {location.split('?')[0]}"
        after = all_rows(app)
        if after != before and (method == "GET" or status not in (200, 201, 303)):
            changed = sorted(name for name in after if after[name] != before[name])
            problems.append(f"{role} {method} {endpoint} → {status} changed {changed}")
        before = after
        if endpoint in SESSION_CHANGING:
            client, token = _signed_in_client(app, world, role)
            before = all_rows(app)  # signing in again notes the time: not the request's doing
    return found, problems


def test_the_table_names_every_endpoint_of_the_url_map_and_nothing_else(app):
    routes = all_routes(app)
    assert sorted(routes - EXPECTED.keys()) == [], "endpoints without a row in EXPECTED"
    assert sorted(EXPECTED.keys() - routes) == [], "rows of EXPECTED naming no endpoint"


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_person_as_the_table_says(app, world, security_scene, role):
    found, problems = outcomes(app, world, security_scene, role)
    column = ROLES.index(role)
    wrong = [f"{method} {endpoint}: got {found[endpoint, method]}, "
             f"expected {EXPECTED[endpoint, method][column]}"
             for endpoint, method in sorted(found)
             if (endpoint, method) in EXPECTED
             and found[endpoint, method] != EXPECTED[endpoint, method][column]]
    assert wrong == []
    assert problems == []  # a refusal, a failed form or a page wrote nothing


def test_manage_areas_refuse_everyone_but_managers_before_reading_the_form():
    """Invariant 3 read off the table: in the areas for managers, anonymous people are sent to
    sign in and a resident of A or an animator of B is refused (403, or 404 where existence is
    private) — never shown a page (200) or the form's complaints (422)."""
    for (endpoint, method), row in EXPECTED.items():
        if endpoint.split(".")[0] in MANAGERS_ONLY:
            assert row[0] == 302, (endpoint, method)
            for role in ("resident_a", "resident_b", "animator_b"):
                assert row[ROLES.index(role)] in (403, 404), (endpoint, method, role)


# Blueprints whose every endpoint is for a centre's managers (or the platform's admins).
MANAGERS_ONLY = ("admin", "admin_figures", "api_tokens", "erasure", "manage_activities",
                 "manage_cards", "manage_kiosk", "manage_legal", "members", "metrics",
                 "metrics_export", "moderation", "webhook")


def test_every_state_changing_endpoint_refuses_get(app, world, security_scene):
    """GET never changes state: an endpoint that only acts answers GET with 405."""
    client, _token = _signed_in_client(app, world, "admin")
    urls = urls_by_route(app, security_scene)
    pages = {url for (_endpoint, method), url in urls.items() if method == "GET"}
    acting = sorted(route for route, url in urls.items()
                    if route[1] != "GET" and url not in pages)
    assert len(acting) >= 30  # the test is not vacuous
    before = all_rows(app)
    wrong = [(endpoint, status) for endpoint, method in acting
             if (status := client.get(urls[endpoint, method]).status_code) != 405]
    assert wrong == []
    assert all_rows(app) == before
