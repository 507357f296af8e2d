"""Reading and marking notifications: per agency, and nobody else's."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from palermo.errors import NotFound
from palermo.identity import repository as identities
from palermo.identity.roles import Role
from palermo.identity.service import principal_for
from palermo.models.base import utcnow
from palermo.notifications import repository, service
from palermo.notifications.kinds import link_of, title_of
from tests.conftest import Factory
from tests.notifications.conftest import Desk, notify


def test_unread_counts_are_per_agency_and_name_the_newest(
    db: Session, home: Desk, other: Desk
) -> None:
    notify(db, home.agency)
    newest = notify(db, home.agency, kind="record.review_due")
    notify(db, other.agency)

    mine = repository.unread(db, home.principal)
    assert (mine.count, mine.latest_id) == (2, newest.id)
    assert repository.unread(db, other.principal).count == 1
    assert {n.agency_id for n in repository.listing(db, home.principal, repository.Filters())} == {
        home.agency.id
    }


def test_marking_one_read_marks_it_for_the_whole_agency(
    db: Session, factory: Factory, home: Desk
) -> None:
    user, _ = factory.user("ncb-nl.colleague", Role.analyst, agency=home.agency)
    loaded = identities.user_by_id(db, user.id)
    assert loaded is not None
    colleague = principal_for(loaded, channel="session")
    first, second = notify(db, home.agency), notify(db, home.agency)

    assert service.mark_read(db, principal=home.principal, notification_id=first.id, now=utcnow())
    assert not service.mark_read(
        db, principal=colleague, notification_id=first.id, now=utcnow()
    )  # already read: the agency has been told
    assert repository.unread(db, colleague).latest_id == second.id
    unread_only = repository.Filters(unread_only=True)
    assert [n.id for n in repository.listing(db, colleague, unread_only)] == [second.id]


def test_another_agencys_notification_is_not_found_nor_marked(
    db: Session, home: Desk, other: Desk
) -> None:
    theirs = notify(db, other.agency)
    with pytest.raises(NotFound):
        service.mark_read(db, principal=home.principal, notification_id=theirs.id, now=utcnow())
    assert service.mark_all_read(db, principal=home.principal, now=utcnow()) == 0
    db.refresh(theirs)
    assert theirs.read_at is None


def test_mark_all_read_can_keep_to_one_kind(db: Session, home: Desk) -> None:
    notify(db, home.agency, kind="record.hit")
    notify(db, home.agency, kind="record.hit")
    review = notify(db, home.agency, kind="record.review_due")

    assert service.mark_all_read(db, principal=home.principal, now=utcnow(), kind="record.hit") == 2
    assert repository.unread(db, home.principal).latest_id == review.id
    assert repository.kinds(db, home.principal) == ["record.hit", "record.review_due"]


def test_titles_and_links_by_kind(db: Session, home: Desk) -> None:
    message_id = "0b7e7a52-4c3c-4b0e-9d5e-4c1f3d2b1a00"
    receipt = notify(
        db, home.agency, kind="message.opened", message=f"Your message [{message_id}] was opened"
    )
    hit = notify(db, home.agency, record_id="ncb-nl.p1")
    expiry = notify(db, home.agency, kind="assets.order_expiry", message="Order expires soon")

    assert title_of("message.opened") == "Message opened"
    assert title_of("notice.publish") == "Notice request update"
    assert title_of("something.new") == "something.new"
    assert link_of(receipt) == (f"/messages/m/{message_id}", "thread")
    assert link_of(hit) == ("/records/ncb-nl.p1", "record")
    assert link_of(expiry) == (None, None)
