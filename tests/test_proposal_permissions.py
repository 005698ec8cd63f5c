"""Who may do what with proposals: every endpoint × six kinds of people, from one table.

Centre A has a published proposal and one awaiting moderation, both by a resident of A who
is not among the people tested. Each cell is the status that person must get.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from participation import create_app
from participation.extensions import db as _db
from participation.models import (
    Category,
    Centre,
    Comment,
    Notification,
    PaperTally,
    ParticipationEvent,
    Proposal,
    ProposalStatus,
    Report,
    StatusChange,
    Support,
    User,
)
from participation.proposals import service
from participation.proposals.service import ensure_default_categories

ROLES = ("anonymous", "resident_a", "resident_b", "animator_a", "animator_b", "admin")
# The common outcomes, in ROLES order.
EVERYONE = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
MEMBERS_OF_A = (302, 303, 403, 303, 403, 403)  # residents and animators of A act, others 403
MEMBERS_OF_A_PAGE = (302, 200, 403, 200, 403, 403)
MANAGERS_PAGE = (302, 403, 403, 200, 403, 200)  # animators of A, and platform admins
MANAGERS_ACT = (302, 403, 403, 303, 403, 303)
SUBMITTED_PAGE = (404, 404, 404, 200, 404, 200)  # awaiting moderation: private
NOBODY_BUT_THE_AUTHOR = (302, 404, 404, 403, 404, 403)  # private, and not theirs to edit
ONLY_THE_AUTHOR = (302, 403, 403, 403, 403, 403)


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: str  # {published}, {submitted}, {comment}, {category} are filled in
    expected: tuple[int, ...]
    data: tuple[tuple[str, str], ...] = ()


CASES = [
    Case("proposals.index", "GET", "/c/centre-a/proposals/", EVERYONE),
    Case("proposals.show", "GET", "/c/centre-a/proposals/{published}", EVERYONE),
    Case("proposals.show", "GET", "/c/centre-a/proposals/{submitted}", SUBMITTED_PAGE),
    Case("proposals.new", "GET", "/c/centre-a/proposals/new", MEMBERS_OF_A_PAGE),
    Case("proposals.new", "POST", "/c/centre-a/proposals/new", MEMBERS_OF_A,
         (("title", "Ławki na skwerze"), ("body", "Trzy ławki przy placu zabaw, w cieniu."),
          ("category_id", "{category}"), ("action", "send"))),
    Case("proposals.edit", "GET", "/c/centre-a/proposals/{submitted}/edit",
         NOBODY_BUT_THE_AUTHOR),
    Case("proposals.edit", "POST", "/c/centre-a/proposals/{submitted}/edit",
         NOBODY_BUT_THE_AUTHOR,
         (("title", "Przejęta propozycja"), ("body", "Ktoś inny próbuje zmienić ten tekst."),
          ("category_id", "{category}"), ("action", "send"))),
    Case("proposals.withdraw", "POST", "/c/centre-a/proposals/{published}/withdraw",
         ONLY_THE_AUTHOR, (("reason", "Nie moja, ale spróbuję."),)),
    Case("proposals.support", "POST", "/c/centre-a/proposals/{published}/support",
         MEMBERS_OF_A, (("intent", "support"),)),
    Case("proposals.comment", "POST", "/c/centre-a/proposals/{published}/comments",
         MEMBERS_OF_A, (("body", "Dobry pomysł!"),)),
    Case("proposals.report", "GET", "/c/centre-a/proposals/{published}/report", SIGNED_IN),
    Case("proposals.report", "POST", "/c/centre-a/proposals/{published}/report",
         (302, 303, 303, 303, 303, 303), (("reason", "spam"),)),
    Case("proposals.report_comment", "GET",
         "/c/centre-a/proposals/{published}/comments/{comment}/report", SIGNED_IN),
    Case("proposals.report_comment", "POST",
         "/c/centre-a/proposals/{published}/comments/{comment}/report",
         (302, 303, 303, 303, 303, 303), (("reason", "offensive"),)),
    Case("moderation.queue", "GET", "/c/centre-a/manage/", MANAGERS_PAGE),
    Case("moderation.change_status", "POST", "/c/centre-a/manage/proposals/{submitted}/status",
         MANAGERS_ACT, (("target", "published"),)),
    Case("moderation.answer", "POST", "/c/centre-a/manage/proposals/{published}/answer",
         MANAGERS_ACT, (("answer", "Dziękujemy, sprawdzimy to."),)),
    Case("moderation.assisted_support", "POST",
         "/c/centre-a/manage/proposals/{published}/assisted", MANAGERS_ACT,
         (("member_id", "{author}"),)),
    Case("moderation.paper_votes", "POST", "/c/centre-a/manage/proposals/{published}/paper",
         MANAGERS_ACT, (("votes", "4"), ("note", "Festyn"))),
    Case("moderation.reports", "GET", "/c/centre-a/manage/reports", MANAGERS_PAGE),
    Case("moderation.resolve_reports", "POST", "/c/centre-a/manage/reports/resolve",
         MANAGERS_ACT,
         (("target_type", "comment"), ("target_id", "{comment}"), ("upheld", "0"))),
    Case("moderation.log", "GET", "/c/centre-a/manage/log", MANAGERS_PAGE),
    Case("moderation.settings", "GET", "/c/centre-a/manage/settings", MANAGERS_PAGE),
    Case("moderation.settings", "POST", "/c/centre-a/manage/settings", MANAGERS_ACT,
         (("support_threshold", "20"), ("report_threshold", "3"))),
    Case("moderation.categories", "GET", "/c/centre-a/manage/categories", MANAGERS_PAGE),
    Case("moderation.categories", "POST", "/c/centre-a/manage/categories", MANAGERS_ACT,
         (("name", "Sport"),)),
    Case("moderation.rename_category", "POST",
         "/c/centre-a/manage/categories/{category}/rename", MANAGERS_ACT,
         (("name", "Sąsiedzi"),)),
    Case("moderation.archive_category", "POST",
         "/c/centre-a/manage/categories/{category}/archive", MANAGERS_ACT,
         (("archived", "1"),)),
    Case("notifications.index", "GET", "/account/notifications/", SIGNED_IN),
    Case("notifications.mark_read", "POST", "/account/notifications/read",
         (302, 303, 303, 303, 303, 303)),
]
WRITTEN = (Proposal, StatusChange, Support, PaperTally, Comment, Report, Category,
           ParticipationEvent, Notification)


@pytest.fixture
def ids(app, world, make_user, make_member):
    """Centre A's proposals, by a resident of A who is none of the people tested."""
    author = make_user("author-a@example.org")
    make_member(author, world["a"])
    with app.app_context():
        centre = _db.session.get(Centre, world["a"].id)
        ensure_default_categories(centre)
        ensure_default_categories(_db.session.get(Centre, world["b"].id))
        category = service.categories_of(centre)[0]
        writer = _db.session.get(User, author.id)
        published = service.propose(writer, centre, "Ogródek na podwórku",
                                    "Skrzynie z ziołami na wspólnym podwórku.", category.id)
        animator = _db.session.get(User, world["animator_a"].id)
        service.change_status(animator, published, ProposalStatus.PUBLISHED)
        comment = service.post_comment(writer, published, "Zapraszam do pomocy!")
        service.file_report(_db.session.get(User, world["outsider"].id), published, "spam",
                            comment=comment)
        submitted = service.propose(writer, centre, "Rowery dla wszystkich",
                                    "Wspólne naprawianie rowerów raz w miesiącu.", category.id)
        _db.session.commit()
        return {"published": published.id, "submitted": submitted.id, "comment": comment.id,
                "category": category.id, "author": author.id}


def _fill(text: str, ids: dict) -> str:
    return text.format(**ids)


def _counts(db) -> tuple[int, ...]:
    return tuple(db.count(model) for model in WRITTEN)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.method} {case.endpoint}")
def test_permission_matrix(client, db, world, ids, case, role):
    if role != "anonymous":
        client.login(world[role].email)
    before = _counts(db)
    data = {key: _fill(value, ids) for key, value in case.data}
    send = client.post if case.method == "POST" else client.get  # post() adds the CSRF token
    response = send(_fill(case.path, ids), data=data)
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, response.get_data(as_text=True)[:2000]
    if expected >= 300 and expected != 303 and case.method == "POST":
        assert _counts(db) == before  # refused: nothing written


def test_the_matrix_covers_every_endpoint_of_proposals_and_moderation(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.split(".")[0] in ("proposals", "moderation", "notifications")}
    covered = {case.endpoint for case in CASES}
    assert endpoints - covered == set()


def test_animators_see_counts_never_who_supported(app, world, ids):
    """The animator's page differs only in its numbers after a resident supports."""
    url = f"/c/centre-a/proposals/{ids['published']}"
    animator = app.test_client()
    animator.login(world["animator_a"].email)
    animator.get(url)  # shows (and so clears) the "you are signed in" message

    def page_without_numbers() -> str:
        html = animator.get(url).get_data(as_text=True)
        html = re.sub(r'"X-CSRFToken": "[^"]+"|value="[^"]*"', "", html)
        return re.sub(r"\d+", "#", html)

    before = page_without_numbers()
    resident = app.test_client()
    resident.login(world["resident_a"].email)
    resident.post(url + "/support", data={"intent": "support"})
    assert "1 of 15 supports needed" in animator.get(url).get_data(as_text=True)
    assert page_without_numbers() == before
