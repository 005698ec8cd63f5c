"""Any input to any form: never a 5xx, never a row written by a refused request.

``FORMS`` names every POST endpoint of the URL map (a test checks both ways) with who sends it
and the fields its form has (read off the rendered forms). Hypothesis sends each of them random
text, text far over every limit, right-to-left script and emoji, NUL bytes, numbers where text
goes and text where numbers go, several values for one field, and fields left out. The URLs are
centre A's objects (test_security_matrix.urls_by_route). After each request: no 5xx, and the
database changed only if the answer was a success (2xx/3xx) — a 4xx leaves every row as it was.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_security_matrix import (
    SESSION_CHANGING,
    _signed_in_client,
    all_routes,
    all_rows,
    build_scene,
    urls_by_route,
)


@pytest.fixture
def ids(app, scene, world, make_user, make_member) -> dict:
    """Centre A with one of everything an URL can name (test_security_matrix.build_scene)."""
    return build_scene(app, scene, world, make_user, make_member)

ACTIVITY = ["title", "description", "place", "day", "start_time", "end_time", "end_day",
            "capacity", "deadline_day", "deadline_time", "category_id", "proposal_id",
            "volunteers_needed"]
CENTRE = ["name", "slug", "operator", "city", "district", "address", "description",
          "contact_email", "contact_phone", "timezone"]
PROPOSAL = ["title", "body", "category_id", "place", "action"]
# endpoint → (who sends it, the form's fields). Forms for everyone are sent by a resident of A
# (anonymous where signing in is the point); the centre's forms by A's animator.
FORMS = {
    "accounts.change_password": ("resident_a", ["current_password", "new_password", "confirm"]),
    "accounts.login": ("anonymous", ["email", "password", "remember", "next"]),
    "accounts.logout": ("resident_a", []),
    "accounts.profile": ("resident_a", ["display_name", "locale", "age_bracket",
                                        "email_frequency"]),
    "accounts.register": ("anonymous", ["display_name", "email", "password", "confirm",
                                        "age_confirmed"]),
    "activities.signup": ("resident_a", ["intent"]),
    "activities.volunteer": ("resident_a", ["intent"]),
    "admin.animators": ("admin", ["email"]),
    "admin.create_centre": ("admin", CENTRE),
    "admin.edit_centre": ("admin", CENTRE),
    "admin.remove_animator": ("admin", []),
    "api_tokens.create": ("animator_a", ["name"]),
    "api_tokens.revoke": ("animator_a", []),
    "cards.link": ("anonymous", []),
    "cards.set_pin": ("resident_a", ["current", "secret", "confirm"]),
    "cards.sign_in": ("anonymous", ["code", "secret", "remember"]),
    "centres.join": ("resident_b", []),
    "centres.leave": ("resident_b", []),
    "erasure.confirm": ("animator_a", ["asked_in_person"]),
    "kiosk.enter": ("anonymous", ["code"]),
    "manage_activities.assisted_signup": ("animator_a", ["member_id"]),
    "manage_activities.cancel": ("animator_a", ["reason"]),
    "manage_activities.cancel_signup": ("animator_a", []),
    "manage_activities.check_in": ("animator_a", ["intent", "q"]),
    "manage_activities.decide_offer": ("animator_a", ["decision"]),
    "manage_activities.edit": ("animator_a", ACTIVITY),
    "manage_activities.guests": ("animator_a", ["change"]),
    "manage_activities.new": ("animator_a", [*ACTIVITY, "repeat_until", "action"]),
    "manage_activities.publish": ("animator_a", ["next"]),
    "manage_activities.record_hours": ("animator_a", ["hours"]),
    "manage_activities.ticket_check_in": ("animator_a", []),
    "manage_activities.walk_in": ("animator_a", ["member_id"]),
    "manage_cards.new": ("animator_a", ["display_name", "age_bracket", "consent_noted"]),
    "manage_cards.reissue": ("animator_a", []),
    "manage_kiosk.close": ("animator_a", []),
    "manage_kiosk.index": ("animator_a", ["subject"]),
    "manage_legal.edit": ("animator_a", ["accessibility_contact_name",
                                         "accessibility_contact_email",
                                         "accessibility_contact_phone", "building_accessibility",
                                         "communication_accessibility", "dpo_contact"]),
    "members.cancel_signup": ("animator_a", ["cancel-activity_id"]),
    "members.propose": ("animator_a", [f"propose-{name}" for name in PROPOSAL[:-1]]),
    "members.sign_up": ("animator_a", ["signup-activity_id"]),
    "members.support": ("animator_a", ["support-proposal_id"]),
    "moderation.answer": ("animator_a", ["answer", "next"]),
    "moderation.archive_category": ("animator_a", ["archived"]),
    "moderation.assisted_support": ("animator_a", ["member_id", "next"]),
    "moderation.categories": ("animator_a", ["name"]),
    "moderation.change_status": ("animator_a", ["target", "reason", "next"]),
    "moderation.paper_votes": ("animator_a", ["votes", "note", "next"]),
    "moderation.rename_category": ("animator_a", ["name"]),
    "moderation.resolve_reports": ("animator_a", ["target_type", "target_id", "upheld",
                                                  "reason"]),
    "moderation.settings": ("animator_a", ["proposals_need_approval", "support_threshold",
                                           "only_verified_support", "report_threshold",
                                           "voting_opens_at", "voting_closes_at"]),
    "my_data.delete": ("resident_a", ["password", "understood"]),
    "notifications.mark_read": ("resident_a", []),
    "proposals.comment": ("resident_a", ["body"]),
    "proposals.edit": ("resident_a", PROPOSAL),
    "proposals.new": ("resident_a", PROPOSAL),
    "proposals.report": ("resident_b", ["reason", "details"]),
    "proposals.report_comment": ("resident_b", ["reason", "details"]),
    "proposals.support": ("resident_a", ["intent"]),
    "proposals.withdraw": ("resident_a", ["reason"]),
    "site.set_language": ("anonymous", ["locale", "next"]),
    "webhook.regenerate": ("animator_a", []),
    "webhook.remove": ("animator_a", []),
    "webhook.save": ("animator_a", ["url"]),
}
EXAMPLES_PER_FORM = 10
SENDERS = sorted({role for role, _fields in FORMS.values()})

# What people (and robots) type. Over-long text is built from a drawn size, as drawing
# thousands of characters one by one is slow.
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["", " ", "\t\n", "مرحبا بالعالم", "שלום\u202e", "👩‍👩‍👧🇵🇱", "Zażółć gęślą",
                     "\ufeff", "\u0000", "a\x00b", "null", "None", "true", "-1", "0", "1e309",
                     "99999999999999999999", "2026-02-30", "25:61", "3,5", "NaN", "[]",
                     "../../etc/passwd", "<b>x</b>", "%s%n", "' OR 1=1 --"]),
    st.integers(-(2**70), 2**70).map(str),
    st.tuples(st.integers(1_000, 30_000), st.sampled_from("ąż<&\"'x字🙂")).map(
        lambda pair: pair[1] * pair[0]),
)
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))  # a list: the field repeated


def form_data(fields: list[str]):
    """Each field: left out, or any value; plus a field the form does not know."""
    return st.fixed_dictionaries(
        {}, optional={**{name: VALUE for name in fields}, "unexpected": TEXT})


def test_the_table_names_every_post_endpoint_of_the_url_map(app):
    posts = {endpoint for endpoint, method in all_routes(app) if method != "GET"}
    assert sorted(posts - FORMS.keys()) == [], "POST endpoints missing from FORMS"
    assert sorted(FORMS.keys() - posts) == [], "rows of FORMS naming no POST endpoint"


@pytest.mark.parametrize("sender", SENDERS)
def test_no_input_gives_a_server_error_or_a_partial_row(app, world, ids, sender):
    forms = sorted(endpoint for endpoint, (role, _f) in FORMS.items() if role == sender)
    urls = urls_by_route(app, ids)
    clients = {}

    def client_and_token():
        if "client" not in clients:
            clients["client"], clients["token"] = _signed_in_client(app, world, sender)
        return clients["client"], clients["token"]

    @settings(max_examples=EXAMPLES_PER_FORM * len(forms), deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(data=st.data())
    def send_anything(data):
        endpoint = data.draw(st.sampled_from(forms), label="endpoint")
        fields = data.draw(form_data(FORMS[endpoint][1]), label="form")
        client, token = client_and_token()
        before = all_rows(app)
        response = client.post(urls[endpoint, "POST"], data={**fields, "csrf_token": token},
                               headers={"Accept-Language": "pl"})
        response.get_data()
        status = response.status_code
        assert status < 500, (endpoint, fields)
        if status >= 400:
            assert all_rows(app) == before, (endpoint, status, "a refusal wrote rows")
        if endpoint in SESSION_CHANGING:
            clients.clear()  # signed out, or in as somebody else: start again

    send_anything()
