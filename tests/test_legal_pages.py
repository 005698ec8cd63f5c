"""The accessibility statement, the privacy notice, "How it works", and the centre's edit screen.

The statement and the notice exist twice: the platform's (``/accessibility``, ``/privacy``,
which list every centre's) and each centre's (``/c/<slug>/…``, with the parts the centre
edits). Sections are found by their ``id`` so the Polish and Ukrainian pages can be checked
the same way while their text is still being translated.

The permission matrix covers every endpoint and method of ``legal`` and ``manage_legal``:
the pages are public, the edit screen is for the centre's managers (animators of the centre
and platform admins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from participation import PROJECT_ROOT
from participation.config import settings_from_environment
from participation.errors import Invalid, NotAllowed
from participation.extensions import db as _db
from participation.legal import service
from participation.models import Centre, User

from .support import routes_of

ACCESSIBILITY_SECTIONS = ("intro", "dates", "status", "not-accessible", "preparation", "feedback",
                          "procedure", "building", "communication", "keyboard", "apps")
PRIVACY_SECTIONS = ("controller", "dpo", "data", "purposes", "recipients", "retention", "rights",
                    "exercise", "complaint", "automated", "cookies")
LANGUAGES = ("pl", "uk", "en")

EDIT = "/c/centre-a/manage/statements/"
GOOD_FORM = {
    "accessibility_contact_name": "Anna Kowalska",
    "accessibility_contact_email": "dostepnosc@paca40.example.org",
    "accessibility_contact_phone": "+48 22 123 45 67",
    "building_accessibility": "Wejście od ul. Paca bez progów.\n\nToaleta dla osób z "
                              "niepełnosprawnościami na parterze.",
    "communication_accessibility": "Tłumacza PJM zamówisz 3 dni robocze wcześniej. "
                                   "W sali głównej jest pętla indukcyjna.",
    "dpo_contact": "iod@um.example.org, ul. Paca 40, 04-386 Warszawa",
}


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _section(html: str, section_id: str) -> str:
    """The text of the ``<section id=…>`` (or heading) with this id, up to the next section."""
    match = re.search(rf'<(section|h3) id="{section_id}"(.*?)(?=<section |</article>)', html,
                      re.DOTALL)
    assert match, f"no section {section_id!r}"
    return match.group(0)


def _footer(html: str) -> str:
    return html[html.index('<footer'):]


def _save(client, **changes):
    return client.post(EDIT, data={**GOOD_FORM, **changes})


# --- The accessibility statement ---------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", ["/accessibility", "/c/centre-a/accessibility"])
def test_the_statement_has_every_required_section_in_every_language(client, world, url,
                                                                   language):
    html = _html(client.get(url, headers={"Accept-Language": language}))
    assert f'<html lang="{language}">' in html
    for section_id in ACCESSIBILITY_SECTIONS:
        assert f'id="{section_id}"' in html, section_id
    assert "WCAG 2.1" in html
    assert html.count("<h1") == 1


def test_the_platform_statement_in_english(client, world):
    html = _html(client.get("/accessibility"))
    headings = re.findall(r"<h2 id=\"[a-z-]+\">([^<]+)</h2>", html)
    assert headings == ["Introduction", "Dates of publication and update", "Compliance status",
                        "Preparation of this statement", "Feedback and contact",
                        "Requests and complaints", "Architectural accessibility",
                        "Communication accessibility", "Keyboard shortcuts", "Mobile apps",
                        "Statements of the centres"]
    intro = _section(html, "intro")
    assert "Act of 4 April 2019" in intro and 'href="http://localhost/"' in intro
    dates = _section(html, "dates")
    assert 'datetime="2026-11-23"' in dates and 'datetime="2026-11-24"' in dates
    assert "partially compliant" in _section(html, "status")
    not_accessible = _section(html, "not-accessible")
    for honest in ("written by residents", "Data exports", "QR code", "short code",
                   "Polish Sign Language"):
        assert honest in not_accessible
    assert "axe-core" in _section(html, "preparation")
    procedure = _section(html, "procedure")
    assert "7 days" in procedure and "2 months" in procedure
    assert "complaint" in procedure and "Rzecznik Praw Obywatelskich" in procedure
    assert "no mobile apps" in _section(html, "apps")
    assert "Skip to main content" in _section(html, "keyboard")
    # No operator contact configured: a placeholder sends people to their centre.
    assert "has not named a contact person" in _section(html, "feedback")
    # Every centre's own statement is linked.
    centres = _section(html, "centres")
    assert 'href="/c/centre-a/accessibility"' in centres
    assert 'href="/c/centre-b/accessibility"' in centres


@pytest.mark.app_config(PLATFORM_OPERATOR="Urząd Dzielnicy Praga-Południe",
                        PLATFORM_CONTACT_NAME="Jan Dostępny",
                        PLATFORM_CONTACT_EMAIL="dostepnosc@praga.example.org",
                        PLATFORM_CONTACT_PHONE="22 555 00 11",
                        ACCESSIBILITY_PUBLISHED_ON="2025-03-01",
                        ACCESSIBILITY_UPDATED_ON="2026-06-30",
                        ACCESSIBILITY_PREPARED_ON="2025-03-02")
def test_the_platform_statement_uses_the_configured_operator_contact_and_dates(client, world):
    html = _html(client.get("/accessibility"))
    assert "Urząd Dzielnicy Praga-Południe wants its website" in _section(html, "intro")
    feedback = _section(html, "feedback")
    assert "Jan Dostępny" in feedback
    assert 'href="mailto:dostepnosc@praga.example.org"' in feedback
    assert 'href="tel:225550011"' in feedback
    assert "has not named" not in feedback
    assert 'datetime="2025-03-01"' in html and 'datetime="2026-06-30"' in html
    assert "March 2, 2025" in _section(html, "preparation")
    # A centre's statement with no contact of its own also offers the operator's.
    centre_feedback = _section(_html(client.get("/c/centre-a/accessibility")), "feedback")
    assert "has not named a contact person" in centre_feedback
    assert "dostepnosc@praga.example.org" in centre_feedback


def test_a_centre_statement_shows_placeholders_while_the_centre_has_said_nothing(client, world):
    html = _html(client.get("/c/centre-a/accessibility"))
    assert "Accessibility statement of Centre A" in html
    # No operator given: the centre itself is the body named.
    assert "Centre A wants its website" in _section(html, "intro")
    assert 'href="http://localhost/c/centre-a/"' in _section(html, "intro")
    assert "has not named a contact person" in _section(html, "feedback")
    assert "has not described its building yet" in _section(html, "building")
    assert "has not described yet how else" in _section(html, "communication")
    assert 'href="/accessibility"' in html  # back to the platform's statement


def test_the_centre_parts_appear_after_the_centre_edits_them(client, world, db):
    client.login(world["animator_a"].email)
    response = _save(client)
    assert response.status_code == 303
    assert response.headers["Location"] == EDIT
    assert "Saved." in client.get(EDIT).get_data(as_text=True)

    html = _html(client.get("/c/centre-a/accessibility"))
    feedback = _section(html, "feedback")
    assert "Anna Kowalska" in feedback
    assert 'href="mailto:dostepnosc@paca40.example.org"' in feedback
    assert 'href="tel:+48221234567"' in feedback
    assert "has not named" not in feedback
    building = _section(html, "building")
    assert "<p>Wejście od ul. Paca bez progów.</p>" in building  # paragraphs kept
    assert "has not described" not in building
    assert "pętla indukcyjna" in _section(html, "communication")
    assert "iod@um.example.org" in _section(
        _html(client.get("/c/centre-a/privacy")), "dpo")
    # Centre B is untouched.
    assert "Anna Kowalska" not in _html(client.get("/c/centre-b/accessibility"))
    centre = db.scalar(select(Centre).where(Centre.slug == "centre-a"))
    assert centre.accessibility_contact_phone == "+48 22 123 45 67"


def test_user_text_in_the_statement_is_escaped(client, world):
    client.login(world["animator_a"].email)
    assert _save(client, building_accessibility='<script>alert(1)</script> "ramp"').status_code \
        == 303
    building = _section(_html(client.get("/c/centre-a/accessibility")), "building")
    assert "<script>" not in building and "&lt;script&gt;" in building


def test_emptying_a_part_brings_the_placeholder_back(client, world):
    client.login(world["animator_a"].email)
    _save(client)
    assert _save(client, building_accessibility="   ").status_code == 303
    html = _html(client.get("/c/centre-a/accessibility"))
    assert "has not described its building yet" in _section(html, "building")


# --- The privacy notice ------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", ["/privacy", "/c/centre-a/privacy"])
def test_the_privacy_notice_has_every_section_in_every_language(client, world, url, language):
    html = _html(client.get(url, headers={"Accept-Language": language}))
    assert f'<html lang="{language}">' in html
    for section_id in PRIVACY_SECTIONS:
        assert f'id="{section_id}"' in html, section_id
    assert "ul. Stawki 2, 00-193 Warszawa" in html and 'href="https://uodo.gov.pl/"' in html


def test_the_centre_privacy_notice_names_controller_dpo_rights_and_the_authority(client, world,
                                                                                db, app):
    with app.app_context():
        centre = _db.session.scalar(select(Centre).where(Centre.slug == "centre-a"))
        centre.operator = "Stowarzyszenie Sąsiedzi z Pacy"
        centre.address = "ul. Paca 40"
        centre.contact_email = "cal@paca40.example.org"
        _db.session.commit()
    html = _html(client.get("/c/centre-a/privacy"))
    controller = _section(html, "controller")
    assert "Stowarzyszenie Sąsiedzi z Pacy" in controller
    assert "ul. Paca 40, Warszawa" in controller
    assert 'href="mailto:cal@paca40.example.org"' in controller
    assert "has not been published here yet" in _section(html, "dpo")  # no DPO given yet
    data = _section(html, "data")
    assert "PESEL" in data and "home address" in data and "phone number" in data
    purposes = _section(html, "purposes")
    for basis in ("art. 6(1)(e)", "art. 6(1)(a)", "art. 6(1)(c)"):
        assert basis in purposes
    assert "no analytics" in _section(html, "recipients")
    assert "Former resident" in _section(html, "retention")
    rights = _section(html, "rights")
    for right in ("access", "rectification", "erasure", "restriction", "objection",
                  "portability", "withdraw your consent"):
        assert right in rights
    assert "President of the Personal Data Protection Office" in _section(html, "complaint")
    assert "No computer makes decisions" in _section(html, "automated")


def test_the_privacy_notice_links_to_my_data_and_account_deletion(app, client, world):
    html = _html(client.get("/privacy"))
    exercise = _section(html, "exercise")
    assert 'href="/account/profile"' in exercise
    # The links appear as soon as the my-data screens exist (built alongside these pages).
    for endpoint, path in (("my_data.index", "/account/data/"),
                           ("my_data.delete", "/account/data/delete")):
        assert (f'href="{path}"' in exercise) == (endpoint in app.view_functions)


def test_the_platform_privacy_notice_lists_the_centres_notices(client, world):
    html = _html(client.get("/privacy"))
    assert "Active neighbours" in _section(html, "controller")  # no operator configured
    centres = _section(html, "centres")
    assert 'href="/c/centre-a/privacy"' in centres and 'href="/c/centre-b/privacy"' in centres


# --- The footer ----------------------------------------------------------------------------


def test_the_footer_links_to_the_platform_pages_outside_a_centre(client, world):
    footer = _footer(_html(client.get("/")))
    assert 'href="/accessibility"' in footer and 'href="/privacy"' in footer
    assert 'href="/help"' in footer and "How it works" in footer


@pytest.mark.parametrize("path", ["/c/centre-a/", "/c/centre-a/proposals/",
                                  "/c/centre-a/activities/", "/c/centre-a/accessibility"])
def test_the_footer_links_to_the_centre_statements_on_a_centre_page(client, world, path):
    footer = _footer(_html(client.get(path)))
    assert 'href="/c/centre-a/accessibility"' in footer
    assert 'href="/c/centre-a/privacy"' in footer
    assert 'href="/accessibility"' not in footer and 'href="/help"' in footer


def test_the_footer_links_to_the_centre_statements_on_the_manage_pages(client, world):
    client.login(world["animator_a"].email)
    footer = _footer(_html(client.get(EDIT)))
    assert 'href="/c/centre-a/accessibility"' in footer


# --- "How it works" ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_how_it_works_has_the_steps_with_pictures(client, language):
    html = _html(client.get("/help", headers={"Accept-Language": language}))
    assert f'<html lang="{language}">' in html
    for step in ("find", "join", "propose", "support", "sign-up", "ask"):
        assert f'id="{step}"' in html
    pictures = re.findall(  # ?v=: the fingerprint (participation/assets.py)
        r'<img src="/static/img/help/([a-z]+\.svg)(?:\?v=[0-9a-f]+)?" alt="([^"]*)"', html)
    assert len(pictures) == 6
    for name, alt in pictures:
        assert alt.strip(), name
        svg = (PROJECT_ROOT / "static" / "img" / "help" / name).read_text()
        assert re.search(r"<title[^>]*>[^<]+</title>", svg), name
        assert "<script" not in svg and "style=" not in svg


def test_how_it_works_in_plain_english(client):
    html = _html(client.get("/help"))
    main = re.sub(r"<[^>]+>", " ", html[html.index("<main"):html.index("</main>")])
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", " ".join(main.split())) if s]
    # Easy to read: short sentences. Headings and link texts run into their sentence here,
    # so the bound is generous; a long sentence in the source shows up at once.
    assert max(len(sentence.split()) for sentence in sentences) <= 22
    assert 'href="/"' in html and 'href="/account/register"' in html


def test_every_help_picture_is_a_small_hand_written_svg():
    folder = Path(PROJECT_ROOT / "static" / "img" / "help")
    files = sorted(folder.glob("*.svg"))
    assert len(files) >= 4
    for file in files:
        assert file.stat().st_size < 4096, file.name


# --- The edit screen: bad input --------------------------------------------------------------


@pytest.mark.parametrize(("changes", "message"), [
    ({"accessibility_contact_email": "anna(at)example.org"},
     "Enter an e-mail address in the form name@example.org."),
    ({"accessibility_contact_email": "a" * 250 + "@example.org"},
     "Shorten it to at most 254 characters."),
    ({"accessibility_contact_name": "A" * 121}, "Shorten it to at most 120 characters."),
    ({"accessibility_contact_phone": "zadzwoń do Anny"}, "Use only digits, spaces"),
    ({"accessibility_contact_phone": "1" * 41}, "Shorten it to at most 40 characters."),
    ({"building_accessibility": "x" * 5001}, "Shorten it to at most 5000 characters."),
    ({"communication_accessibility": "x" * 5001}, "Shorten it to at most 5000 characters."),
    ({"dpo_contact": "x" * 301}, "Shorten it to at most 300 characters."),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client, world, db, changes,
                                                                  message):
    client.login(world["animator_a"].email)
    response = _save(client, **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "error-summary" in html
    assert 'aria-invalid="true"' in html
    centre = db.scalar(select(Centre).where(Centre.slug == "centre-a"))
    assert centre.accessibility_contact_name == "" and centre.building_accessibility == ""


def test_the_edit_form_shows_the_saved_values_and_where_they_appear(client, world):
    client.login(world["animator_a"].email)
    _save(client)
    html = _html(client.get(EDIT))
    assert 'value="Anna Kowalska"' in html
    assert "Feedback and contact" in html and "Architectural accessibility" in html
    assert "Data protection officer" in html
    assert 'href="/c/centre-a/accessibility"' in html and 'href="/c/centre-a/privacy"' in html


def test_the_service_checks_permission_and_limits(app, world):
    values = {name: "" for name in service.LIMITS}
    with app.test_request_context():
        centre = _db.session.scalar(select(Centre).where(Centre.slug == "centre-a"))
        resident = _db.session.get(User, world["resident_a"].id)
        with pytest.raises(NotAllowed):
            service.update_statements(resident, centre, **values)
        animator = _db.session.get(User, world["animator_a"].id)
        with pytest.raises(Invalid):
            service.update_statements(animator, centre,
                                      **{**values, "dpo_contact": "x" * 301})
        service.update_statements(animator, centre, **{**values, "dpo_contact": "  iod@x.pl "})
        assert centre.dpo_contact == "iod@x.pl"
        _db.session.rollback()


def test_a_malformed_statement_date_in_the_environment_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("ACCESSIBILITY_UPDATED_ON", "24.11.2026")
    with pytest.raises(ValueError, match="ACCESSIBILITY_UPDATED_ON"):
        settings_from_environment(str(tmp_path), debug=False)
    monkeypatch.setenv("ACCESSIBILITY_UPDATED_ON", "2026-12-01")
    assert settings_from_environment(str(tmp_path), False)["ACCESSIBILITY_UPDATED_ON"] \
        == "2026-12-01"


# --- Who may do what -------------------------------------------------------------------------

ROLES = ("anonymous", "resident_a", "resident_b", "animator_a", "animator_b", "admin")
EVERYONE = (200,) * 6
NOBODY = (404,) * 6
MANAGERS_PAGE = (302, 403, 403, 200, 403, 200)
MANAGERS_ACT = (302, 403, 403, 303, 403, 303)
BLUEPRINTS = {"legal", "manage_legal"}


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str
    expected: tuple[int, ...]
    label: str = ""


CASES = [
    Case("legal.accessibility", "GET", "/c/centre-a/accessibility", EVERYONE),
    Case("legal.accessibility", "GET", "/c/no-such-centre/accessibility", NOBODY, "unknown"),
    Case("legal.privacy", "GET", "/c/centre-a/privacy", EVERYONE),
    Case("legal.privacy", "GET", "/c/no-such-centre/privacy", NOBODY, "unknown"),
    Case("manage_legal.edit", "GET", EDIT, MANAGERS_PAGE),
    Case("manage_legal.edit", "POST", EDIT, MANAGERS_ACT),
    # Centre B's screen: only B's animator and the admin; A's animator is refused.
    Case("manage_legal.edit", "POST", "/c/centre-b/manage/statements/",
         (302, 403, 403, 403, 303, 303), "centre-b"),
    Case("manage_legal.edit", "GET", "/c/no-such-centre/manage/statements/", NOBODY, "unknown"),
]


def _centre_rows(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in _db.session.execute(
            select(Centre.__table__).order_by(Centre.id)).all()]


def _case_id(case: Case) -> str:
    return f"{case.endpoint}-{case.method}" + (f"-{case.label}" if case.label else "")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_permission_matrix(app, client, world, case, role):
    if role != "anonymous":
        client.login(world[role].email)
    before = _centre_rows(app)
    if case.method == "POST":
        response = client.post(case.path, data=GOOD_FORM)
    else:
        response = client.get(case.path)
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, response.get_data(as_text=True)[:1000]
    if expected == 302:
        assert "/account/login" in response.headers["Location"]
    if case.method == "GET" or expected != 303:
        assert _centre_rows(app) == before
    else:
        assert _centre_rows(app) != before


def test_saving_needs_the_csrf_token(app, client, world):
    client.login(world["animator_a"].email)
    before = _centre_rows(app)
    assert client.post(EDIT, data=GOOD_FORM, csrf=False).status_code == 400
    assert _centre_rows(app) == before


def test_the_matrix_covers_every_endpoint_and_method_of_the_legal_blueprints():
    # Both ways: no endpoint without a row, no row naming an endpoint that is gone.
    assert routes_of(BLUEPRINTS) == {(case.endpoint, case.method) for case in CASES}
