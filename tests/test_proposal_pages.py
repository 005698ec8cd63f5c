"""Proposal pages over HTTP: query counts at scale, escaping, load-more, sharing, bad input."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select

from participation.extensions import db as _db
from participation.models import (
    Category,
    Centre,
    Comment,
    Membership,
    Proposal,
    ProposalStatus,
    Report,
    Role,
    StatusChange,
    Support,
    User,
)
from participation.proposals.service import ensure_default_categories

from .support import translate

S = ProposalStatus
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _seed_centre(app, slug: str, proposals: int, supporters: int) -> dict:
    """A centre with many published proposals, each supported by the same members."""
    with app.app_context():
        centre = Centre(slug=slug, name=f"Centrum {slug}", city="Warszawa")
        _db.session.add(centre)
        _db.session.flush()
        ensure_default_categories(centre)
        category = _db.session.scalar(select(Category).where(Category.centre_id == centre.id))
        now = datetime.now(UTC)
        # The table, not the class: ``User.display_name`` is a hybrid (it hides erased names).
        _db.session.execute(insert(User.__table__), [
            {"display_name": f"{slug} {n}", "email": f"{slug}{n}@example.org",
             "session_token": f"{slug}-token-{n}", "created_at": now}
            for n in range(supporters)])
        user_ids = list(_db.session.scalars(select(User.id).where(User.email.like(f"{slug}%"))))
        _db.session.execute(insert(Membership), [
            {"user_id": uid, "centre_id": centre.id, "role": Role.RESIDENT, "joined_at": now}
            for uid in user_ids])
        _db.session.execute(insert(Proposal), [
            {"centre_id": centre.id, "author_id": user_ids[n % len(user_ids)],
             "category_id": category.id, "title": f"Propozycja {n}",
             "body": "Opis propozycji, dość długi, by przejść walidację.",
             "status": S.PUBLISHED, "created_at": now - timedelta(minutes=n),
             "published_at": now}
            for n in range(proposals)])
        proposal_ids = list(_db.session.scalars(
            select(Proposal.id).where(Proposal.centre_id == centre.id)))
        _db.session.execute(insert(Support), [
            {"proposal_id": pid, "user_id": uid, "channel": "online", "created_at": now}
            for pid in proposal_ids for uid in user_ids])
        _db.session.execute(insert(StatusChange), [
            {"proposal_id": pid, "to_status": S.PUBLISHED, "created_at": now}
            for pid in proposal_ids])
        _db.session.execute(insert(Comment), [
            {"proposal_id": pid, "author_id": user_ids[0], "body": "Popieram!", "created_at": now}
            for pid in proposal_ids[:50]])
        _db.session.commit()
        return {"slug": slug, "proposal": proposal_ids[0]}


@contextmanager
def counting_queries(app):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _queries(app, client, url: str) -> int:
    client.get(url)  # warm-up: the first request after sign-in shows a flash message
    with counting_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_pages_issue_the_same_queries_for_10_and_1000_proposals(app, client, world):
    small = _seed_centre(app, "small", proposals=10, supporters=20)
    big = _seed_centre(app, "big", proposals=1000, supporters=20)  # 20,000 supports
    client.login(world["admin"].email)  # the admin also sees the moderation panel
    for page in ("/c/{slug}/proposals/", "/c/{slug}/proposals/?sort=supported",
                 "/c/{slug}/proposals/{proposal}", "/c/{slug}/"):
        counts = [_queries(app, client, page.format(**centre)) for centre in (small, big)]
        assert counts[0] == counts[1], (page, counts)


def test_most_supported_comes_first(app, client, world, make_user, make_member):
    seeded = _seed_centre(app, "sorted", proposals=3, supporters=2)
    with app.app_context():
        last = _db.session.scalar(select(Proposal).where(Proposal.title == "Propozycja 2"))
        member = _db.session.get(User, make_user().id)
        _db.session.add(Membership(user_id=member.id, centre_id=last.centre_id))
        _db.session.add(Support(proposal_id=last.id, user_id=member.id))
        _db.session.commit()
    html = client.get(f"/c/{seeded['slug']}/proposals/?sort=supported").get_data(as_text=True)
    titles = re.findall(r">(Propozycja \d)<", html)
    assert titles[0] == "Propozycja 2"


def test_load_more_appends_the_next_page_with_htmx(app, client):
    seeded = _seed_centre(app, "many", proposals=25, supporters=1)
    url = f"/c/{seeded['slug']}/proposals/"
    first = client.get(url).get_data(as_text=True)
    assert first.count('class="card"') == 20
    assert f'href="{url}?page=2"' in first  # a plain link without JavaScript
    more = client.get(url + "?page=2", headers={"HX-Request": "true",
                                                "HX-Target": "proposal-list"})
    html = more.get_data(as_text=True)
    assert "<html" not in html and html.count('class="card"') == 5
    assert '<p id="load-more" hx-swap-oob="true">' in html  # the link goes away: no page 3
    assert "page=3" not in html


@pytest.fixture
def published(app, world):
    """A published proposal at centre A whose texts carry an XSS payload."""
    from participation.proposals import service

    with app.app_context():
        centre = _db.session.get(Centre, world["a"].id)
        ensure_default_categories(centre)
        author = _db.session.get(User, world["resident_a"].id)
        proposal = service.propose(author, centre, f"Tytuł {XSS}"[:120],
                                   f"Opis {XSS}\nhttps://example.org/plan?a=1&b=2.",
                                   service.categories_of(centre)[0].id, place=XSS[:200])
        service.change_status(_db.session.get(User, world["animator_a"].id), proposal,
                              S.PUBLISHED)
        service.post_comment(author, proposal, f"Komentarz {XSS}")
        _db.session.commit()
        return proposal.id


def test_texts_are_escaped_and_links_made_clickable(client, world, published):
    for person in (None, "animator_a"):
        if person:
            client.login(world[person].email)
        html = client.get(f"/c/centre-a/proposals/{published}").get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        assert ('<a href="https://example.org/plan?a=1&amp;b=2" rel="nofollow ugc noopener">'
                in html)
    listing = client.get("/c/centre-a/proposals/").get_data(as_text=True)
    assert "<script>alert" not in listing


def test_proposal_page_carries_open_graph_tags(client, published):
    html = client.get(f"/c/centre-a/proposals/{published}").get_data(as_text=True)
    assert '<meta property="og:title" content="Tytuł &lt;script&gt;' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'content="http://localhost/c/centre-a/proposals/{published}"' in html


def test_a_new_proposal_can_be_previewed_before_sending(client, db, world):
    client.login(world["resident_a"].email)
    with client.application.app_context():
        ensure_default_categories(_db.session.get(Centre, world["a"].id))
        _db.session.commit()
    category = db.scalar(select(Category.id).where(Category.centre_id == world["a"].id))
    data = {"title": "Ławki na skwerze", "body": "Trzy ławki przy placu zabaw, w cieniu.",
            "category_id": str(category), "place": "Skwer przy Paca"}
    preview = client.post("/c/centre-a/proposals/new", data={**data, "action": "preview"})
    assert preview.status_code == 200 and 'id="preview-heading"' in preview.get_data(as_text=True)
    assert db.count(Proposal) == 0
    sent = client.post("/c/centre-a/proposals/new", data={**data, "action": "send"})
    assert sent.status_code == 303
    assert db.scalar(select(Proposal.status)) is S.SUBMITTED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "Opis wystarczająco długi."}, "Enter a title."),
        ({"title": "Abc", "body": "Opis wystarczająco długi."}, "from 5 to 120"),
        ({"title": "T" * 121, "body": "Opis wystarczająco długi."}, "from 5 to 120"),
        ({"title": "Dobry tytuł", "body": "Za krótko"}, "from 20 to 5,000"),
        ({"title": "Dobry tytuł", "body": "x" * 5001}, "from 20 to 5,000"),
        ({"title": "Dobry tytuł", "body": "Opis wystarczająco długi.", "category_id": "999"},
         "Choose one of the centre"),
        ({"title": "Dobry tytuł", "body": "Opis wystarczająco długi.", "category_id": "abc"},
         "Choose one of the centre"),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_written(client, db, world, data, message):
    with client.application.app_context():
        ensure_default_categories(_db.session.get(Centre, world["a"].id))
        _db.session.commit()
    category = db.scalar(select(Category.id).where(Category.centre_id == world["a"].id))
    client.login(world["resident_a"].email)
    response = client.post("/c/centre-a/proposals/new",
                           data={"category_id": str(category), "action": "send", **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.count(Proposal) == 0


def _set_status(app, proposal_id: int, status: ProposalStatus) -> None:
    with app.app_context():
        _db.session.get(Proposal, proposal_id).status = status
        _db.session.commit()


@pytest.mark.parametrize("status", [S.HIDDEN, S.REJECTED, S.WITHDRAWN, S.SUBMITTED, S.COMPLETED])
def test_supporting_outside_supportable_statuses_is_refused(app, client, db, world, published,
                                                            status):
    _set_status(app, published, status)
    client.login(world["resident_a"].email)
    response = client.post(f"/c/centre-a/proposals/{published}/support",
                           data={"intent": "support"})
    # Hidden, rejected, awaiting and withdrawn-before-publishing are not even visible: 404.
    assert response.status_code in (404, 409)
    assert db.count(Support) == 0


def test_supporting_outside_the_voting_window_is_refused(app, client, db, world, published):
    with app.app_context():
        centre = _db.session.get(Centre, world["a"].id)
        centre.voting_closes_at = datetime.now(UTC) - timedelta(days=1)
        _db.session.commit()
    client.login(world["resident_a"].email)
    response = client.post(f"/c/centre-a/proposals/{published}/support",
                           data={"intent": "support"})
    assert response.status_code == 409
    assert "voting period" in response.get_data(as_text=True)
    assert db.count(Support) == 0


def test_support_toggle_updates_the_count_in_place(client, db, world, published):
    client.login(world["resident_a"].email)
    url = f"/c/centre-a/proposals/{published}/support"
    given = client.post(url, data={"intent": "support"}, headers={"HX-Request": "true"})
    html = given.get_data(as_text=True)
    assert given.status_code == 200 and "<html" not in html
    assert "1 of 15 supports needed" in html and 'value="withdraw"' in html
    again = client.post(url, data={"intent": "support"}, headers={"HX-Request": "true"})
    assert "1 of 15 supports needed" in again.get_data(as_text=True)  # repeated tap: no flip
    assert db.count(Support) == 1
    gone = client.post(url, data={"intent": "withdraw"})
    assert gone.status_code == 303 and db.count(Support) == 0
    assert client.post(url, data={"intent": "maybe"}).status_code == 422


@pytest.mark.parametrize("body", ["", " ", "x" * 2001])
def test_bad_comments_are_refused(client, db, world, published, body):
    client.login(world["resident_a"].email)
    before = db.count(Comment)
    response = client.post(f"/c/centre-a/proposals/{published}/comments", data={"body": body})
    assert response.status_code == 422
    assert db.count(Comment) == before


def test_huge_ids_are_404_not_errors(client):
    assert client.get("/c/centre-a/proposals/99999999999999999999").status_code == 404


def test_automatic_hiding_is_explained_in_the_readers_language(app, client, world, published):
    from participation.proposals import service

    with app.app_context():
        proposal = _db.session.get(Proposal, published)
        for person in ("resident_b", "animator_b", "outsider"):
            service.file_report(_db.session.get(User, world[person].id), proposal, "spam")
        _db.session.commit()
    client.login(world["resident_a"].email)  # the author still sees the hidden proposal
    for locale in ("uk", "en"):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
        html = client.get(f"/c/centre-a/proposals/{published}").get_data(as_text=True)
        assert translate("Hidden after several reports, until an animator reviews it.",
                         locale) in html


def test_the_edit_page_is_refused_once_the_proposal_is_published(client, world, published):
    client.login(world["resident_a"].email)  # the author
    response = client.get(f"/c/centre-a/proposals/{published}/edit")
    assert response.status_code == 409
    assert "only while it awaits moderation" in response.get_data(as_text=True)


def test_authors_cannot_report_their_own_proposal_or_comment(client, db, world, published):
    client.login(world["resident_a"].email)  # wrote both the proposal and its comment
    comment_id = db.scalar(select(Comment.id))
    for url in (f"/c/centre-a/proposals/{published}/report",
                f"/c/centre-a/proposals/{published}/comments/{comment_id}/report"):
        response = client.post(url, data={"reason": "spam"})
        assert response.status_code == 403
        assert "what you wrote yourself" in response.get_data(as_text=True)
    assert db.count(Report) == 0
