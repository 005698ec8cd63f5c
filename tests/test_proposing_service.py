"""Proposing and editing proposals, and finding them: the rules of propose() and friends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.errors import Conflict, Invalid, NotAllowed
from participation.extensions import db as db_
from participation.models import (
    PUBLIC_STATUSES,
    Category,
    Notification,
    NotificationKind,
    ParticipationEvent,
    Proposal,
    ProposalStatus,
    Role,
    StatusChange,
)
from participation.proposals import service

from .proposals_fixtures import (
    BODY,
    TITLE,
    add_members,
    centre,
    make_proposal,
    proposal,
    refused,
    set_centre,
    unit_of_work,
    user,
)

S = ProposalStatus


# --- 2. Proposing and editing ---------------------------------------------------------------


def history_of(db, proposal_id):
    return [(c.from_status, c.to_status, c.actor_id) for c in db.scalars(
        select(StatusChange).where(StatusChange.proposal_id == proposal_id)
        .order_by(StatusChange.id))]


def event_kinds(db):
    return [e.kind for e in db.scalars(select(ParticipationEvent).order_by(ParticipationEvent.id))]


def test_propose_publishes_at_once_when_the_centre_needs_no_approval(app, db, scene):
    set_centre(app, scene.a, proposals_need_approval=False)
    with unit_of_work(app):
        made = service.propose(user(scene.resident), centre(scene.a), f"  {TITLE} ",
                               f"{BODY}\n", scene.category, place=" Skwer Grochów ")
        proposal_id = made.id

    row = db.get(Proposal, proposal_id)
    assert (row.status, row.title, row.body, row.place, row.author_id, row.category_id) == (
        S.PUBLISHED, TITLE, BODY, "Skwer Grochów", scene.resident, scene.category)
    assert row.published_at is not None
    assert history_of(db, proposal_id) == [(None, S.SUBMITTED, scene.resident),
                                           (S.SUBMITTED, S.PUBLISHED, None)]
    assert event_kinds(db) == ["proposal_submitted", "proposal_published"]
    assert db.count(Notification, Notification.kind == NotificationKind.PROPOSAL_SUBMITTED) == 0


def test_propose_awaits_moderation_and_tells_the_animators(app, db, scene):
    second_animator = add_members(app, scene.a, 1, role=Role.ANIMATOR)[0]
    with unit_of_work(app):
        proposal_id = service.propose(user(scene.resident), centre(scene.a), TITLE, BODY,
                                      scene.category).id

    row = db.get(Proposal, proposal_id)
    assert row.status is S.SUBMITTED and row.published_at is None
    assert history_of(db, proposal_id) == [(None, S.SUBMITTED, scene.resident)]
    assert event_kinds(db) == ["proposal_submitted"]
    notices = db.scalars(select(Notification))
    assert sorted((n.user_id, n.kind, n.proposal_id) for n in notices) == sorted(
        (animator, NotificationKind.PROPOSAL_SUBMITTED, proposal_id)
        for animator in (scene.animator, second_animator))  # not centre B's animator
    with app.app_context():
        assert [p.id for p in service.own_proposals(user(scene.resident), centre(scene.a))] \
            == [proposal_id]
        assert [p.id for p in db_.session.scalars(service.proposals_query(centre(scene.a)))] \
            == []


@pytest.mark.parametrize("who", ["outsider", "resident_b", "animator_b"])
def test_only_members_propose(app, scene, who):
    refused(app, NotAllowed, lambda: service.propose(
        user(getattr(scene, who)), centre(scene.a), TITLE, BODY, scene.category))


@pytest.mark.parametrize(
    ("title", "body", "place"),
    [
        ("Ława", BODY, ""),
        ("   Ława     ", BODY, ""),
        ("T" * 121, BODY, ""),
        ("", BODY, ""),
        (TITLE, "B" * 19, ""),
        (TITLE, "   " + "B" * 19 + "   ", ""),
        (TITLE, "B" * 5001, ""),
        (TITLE, BODY, "P" * 201),
    ],
    ids=["title-4", "title-4-padded", "title-121", "title-empty", "body-19", "body-19-padded",
         "body-5001", "place-201"],
)
def test_propose_refuses_bad_texts(app, scene, title, body, place):
    refused(app, Invalid, lambda: service.propose(
        user(scene.resident), centre(scene.a), title, body, scene.category, place))


@pytest.mark.parametrize(("title", "body"), [("T" * 5, "B" * 20), ("T" * 120, "B" * 5000)])
def test_propose_accepts_texts_at_the_limits(app, db, scene, title, body):
    with unit_of_work(app):
        service.propose(user(scene.resident), centre(scene.a), title, body, scene.category,
                        "P" * 200)
    assert db.count(Proposal) == 1


@pytest.mark.parametrize("which", ["other_centre", "archived", "none", "missing"])
def test_propose_needs_one_of_the_centres_live_categories(app, db, scene, which):
    category_id = {"other_centre": scene.category_b, "archived": scene.category,
                   "none": None, "missing": 999_999}[which]
    if which == "archived":
        with app.app_context():
            db_.session.get(Category, scene.category).archived = True
            db_.session.commit()
    refused(app, Invalid, lambda: service.propose(
        user(scene.resident), centre(scene.a), TITLE, BODY, category_id))


def test_the_author_edits_while_the_proposal_awaits_moderation(app, db, scene):
    proposal_id = make_proposal(app, scene, S.SUBMITTED)
    with app.app_context():
        other_category = service.categories_of(centre(scene.a))[1].id
    with unit_of_work(app):
        service.edit_proposal(user(scene.resident), proposal(proposal_id), " Nowe ławki ",
                              "Trzy ławki i kosz na śmieci przy placu.", other_category, "Skwer")
    row = db.get(Proposal, proposal_id)
    assert (row.title, row.body, row.category_id, row.place) == (
        "Nowe ławki", "Trzy ławki i kosz na śmieci przy placu.", other_category, "Skwer")

    refused(app, Invalid, lambda: service.edit_proposal(
        user(scene.resident), proposal(proposal_id), "abc", BODY, other_category, ""))
    refused(app, Invalid, lambda: service.edit_proposal(
        user(scene.resident), proposal(proposal_id), TITLE, BODY, scene.category_b, ""))


@pytest.mark.parametrize("who", ["animator", "admin", "other_resident"])
def test_only_the_author_edits(app, scene, who):
    proposal_id = make_proposal(app, scene, S.SUBMITTED)
    actor = add_members(app, scene.a, 1)[0] if who == "other_resident" else getattr(scene, who)
    refused(app, NotAllowed, lambda: service.edit_proposal(
        user(actor), proposal(proposal_id), "Inny tytuł", BODY, scene.category, ""))


@pytest.mark.parametrize("status", [S.PUBLISHED, S.REJECTED, S.WITHDRAWN, S.HIDDEN])
def test_the_author_cannot_edit_after_moderation(app, scene, status):
    proposal_id = make_proposal(app, scene, status)
    refused(app, Conflict, lambda: service.edit_proposal(
        user(scene.resident), proposal(proposal_id), "Inny tytuł", BODY, scene.category, ""))


# --- Finding proposals ----------------------------------------------------------------------


def test_proposals_query_lists_public_proposals_with_their_totals(app, scene):
    members = add_members(app, scene.a, 3)
    ids = {status: make_proposal(app, scene, status, title=f"Pomysł {status.value}")
           for status in S}
    other_centre = make_proposal(app, scene, S.PUBLISHED, centre_id=scene.b)
    with unit_of_work(app):
        popular = proposal(ids[S.UNDER_REVIEW])
        for member in members:
            service.give_support(user(member), popular)
        service.record_paper_tally(user(scene.animator), popular, 4, "Zebranie 12 maja")

    with app.app_context():
        rows = db_.session.execute(service.proposals_query(centre(scene.a), sort="supported"))
        listed = [(row.Proposal.id, row.supports) for row in rows]
        assert listed[0] == (ids[S.UNDER_REVIEW], 7)
        assert {pid for pid, _ in listed} == {ids[s] for s in PUBLIC_STATUSES}
        assert other_centre not in {pid for pid, _ in listed}
        found = db_.session.execute(service.proposals_query(
            centre(scene.a), status="accepted", search="POMYSŁ accepted")).all()
        assert [row.Proposal.id for row in found] == [ids[S.ACCEPTED]]
        assert db_.session.execute(service.proposals_query(
            centre(scene.a), search="100%")).all() == []
