"""The demo's asset recovery: the groups' assets in seven countries at every stage, a Dutch
order recognised in the UAE, one awaiting Spain, measures about to lapse or lapsed, a shared
and a returned disposal that reconcile, and a Silver-Notice answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.assets import expiry, management, statistics
from palermo.assets.lifecycle import AssetState, RecognitionStatus
from palermo.assets.ownership import chain
from palermo.demo import chapters
from palermo.identity import repository
from palermo.identity.principal import Principal
from palermo.identity.service import principal_for
from palermo.models.assets import Asset, AssetOrder, Recognition
from palermo.models.base import utcnow
from palermo.models.tasks import Task
from palermo.policy import assets as policy
from tests.demo.conftest import Built


def who(db: Session, username: str) -> Principal:
    user = repository.user_by_username(db, username)
    assert user is not None, username
    return principal_for(user, channel="session")


@pytest.fixture
def assets(db: Session) -> dict[str, Asset]:
    return {a.description: a for a in db.scalars(select(Asset))}


def test_the_chapter_follows_those_it_draws_on() -> None:
    names = [name for name, _ in chapters.CHAPTERS]
    assert names.index("asset recovery") > names.index("financial intelligence")
    assert names.index("asset recovery") > names.index("notices and diffusions")


def test_every_stage_appears_in_seven_countries(assets: dict[str, Asset]) -> None:
    assert {a.state for a in assets.values()} == set(AssetState)
    assert {a.country for a in assets.values()} == {"NL", "AE", "ES", "CO", "FR", "RO", "ZA"}


def test_the_villas_chain_runs_through_the_importer(db: Session, demo: Built) -> None:
    villa = next(
        a for a in db.scalars(select(Asset)) if a.reference == demo.facts["assets"]["villa"]
    )
    assert villa.state is AssetState.under_management
    holders = chain(db, who(db, "nl-np.officer"), villa.record_id, utcnow())
    assert [(h.depth, str(h.effective)) for h in holders] == [(1, "70"), (2, "70"), (1, "30")]
    statement = management.reconcile(db, villa)
    assert (statement.gross, statement.costs) == (152_000_000, 505_000)


def test_the_dubai_apartment_is_frozen_under_a_recognised_dutch_order(
    db: Session, demo: Built
) -> None:
    officer = who(db, "nl-np.officer")
    now = utcnow()
    due = expiry.expiring(db, officer, within_days=30, today=now.date(), now=now)
    by_reference = {d.asset.reference: d for d in due}
    dubai = by_reference[demo.facts["assets"]["dubai"]]
    assert (dubai.days_left, dubai.asset.country, dubai.order.country) == (18, "AE", "NL")
    assert [r.status for r in dubai.order.recognitions] == [RecognitionStatus.recognised]
    assert [d.lapsed for d in due] == [True, False]
    # The UAE's bureau sees the apartment it froze, not the Dutch assets.
    seen = db.scalars(policy.visible_assets(who(db, "ncb-ae.officer"), now=now)).all()
    assert [a.reference for a in seen] == [dubai.asset.reference]


def test_spain_has_a_recognition_to_decide_and_colombia_an_answer(db: Session) -> None:
    waiting = db.scalars(
        select(Recognition).where(Recognition.status == RecognitionStatus.requested)
    ).one()
    assert waiting.country == "ES"
    assert db.scalars(select(Task).where(Task.subject_id == str(waiting.id))).all()
    answered = db.scalars(select(Asset).where(Asset.provenance == "silver_notice")).one()
    assert answered.country == "ES"
    assert policy.asset_for(db, who(db, "ncb-co.officer"), answered.id, utcnow()) == answered


def test_disposals_paid_out_reconcile_and_count_as_returned(db: Session) -> None:
    paid = [
        a
        for a in db.scalars(select(Asset))
        if a.state.value in {"shared", "returned", "transferred_to_victims"}
    ]
    assert len(paid) == 3
    for asset in paid:
        statement = management.reconcile(db, asset)
        assert statement.transferred == statement.net > 0
        assert statement.balanced
    figures = statistics.compute(db, who(db, "nl-np.officer"), now=utcnow())
    returned = [f for f in figures.totals if f.stage == "returned"]
    assert [(f.year, f.assets, f.minor) for f in returned] == [(2025, 1, 48_000_000)]
    assert db.scalars(select(AssetOrder).where(AssetOrder.renews_id.is_not(None))).one()
