"""Who owns an asset, through companies; and assets located abroad in answer to a Silver
Notice, registered for the requesting agency."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from palermo.assets import ownership, silver
from palermo.assets.schemas import AnswerIn
from palermo.errors import Invalid, NotFound
from palermo.identity.roles import AgencyKind, Role
from palermo.models.notices import Notice
from palermo.models.records import Notification
from palermo.models.tasks import Task
from palermo.notices.kinds import NoticeKind, NoticeStatus
from palermo.policy import assets as policy
from tests.assets.conftest import NOW, Desk, asset_in
from tests.conftest import Factory
from tests.records.helpers import principal_of


def test_the_chain_runs_through_companies_to_the_beneficial_owner(desk: Desk) -> None:
    person = desk.entity("Person", "Jan de Vries")
    holding = desk.entity("Company", "Harbour Holding BV")
    desk.entity("Ownership", owner=[person], asset=[holding], percentage=["50"])
    villa = desk.asset(
        owners=[
            {"record_id": holding, "percentage": "60"},
            {"record_id": person, "percentage": "40", "beneficial": True},
        ]
    )
    chain = ownership.chain(desk.db, desk["nl"], villa.record_id, NOW)
    # Jan holds 40 % himself and 50 % of the holding's 60 %: both paths are shown.
    seen = sorted((h.caption, h.percentage, h.effective, h.depth, h.beneficial) for h in chain)
    assert seen == [
        ("Harbour Holding BV", Decimal(60), Decimal(60), 1, False),
        ("Jan de Vries", Decimal(40), Decimal(40), 1, True),
        ("Jan de Vries", Decimal(50), Decimal(30), 2, False),
    ]
    under = chain.index(next(h for h in chain if h.depth == 2))
    assert chain[under - 1].caption == "Harbour Holding BV"  # listed under what it holds
    nested = ownership.chain(desk.db, desk["nl"], holding, NOW)
    assert [(h.caption, h.effective, h.depth) for h in nested] == [("Jan de Vries", Decimal(50), 1)]


def test_an_owner_the_reader_may_not_see_is_shown_as_such(desk: Desk) -> None:
    # A French yacht shared with the Netherlands; its owner company is not, its Ownership is.
    secret = desk.entity("Company", "Offshore Ltd", by="fr")
    yacht = desk.asset(
        "Yacht",
        by="fr",
        kind="vessel",
        country="FR",
        envelope={
            "legal_basis": "Code de procédure pénale art. 706-141",
            "purposes": ["asset_recovery"],
            "shares": [{"scope": "country", "country": "NL"}],
        },
    )
    desk.entity(
        "Ownership",
        by="fr",
        shares=[{"scope": "country", "country": "NL"}],
        owner=[secret],
        asset=[yacht.record_id],
        percentage=["100"],
    )
    (holder,) = ownership.chain(desk.db, desk["nl"], yacht.record_id, NOW)
    assert (holder.caption, holder.visible, holder.effective) == (
        "(not visible to you)",
        False,
        Decimal(100),
    )


def published_silver(desk: Desk, factory: Factory, kind: NoticeKind = NoticeKind.silver) -> Notice:
    ncb = factory.agency("NCB-NL", kind=AgencyKind.national_central_bureau, country="NL")
    notice = Notice(
        kind=kind,
        status=NoticeStatus.published,
        entity_id="2026/00017",
        requesting_agency_id=ncb.id,
        requested_by="ncb.officer",
        title="Assets of Jan de Vries",
        particulars={},
        findings=[],
        updated_at=NOW,
    )
    desk.db.add(notice)
    desk.db.flush()
    desk.people["ncb"] = principal_of(
        desk.db, factory.user("ncb.officer", Role.officer, agency=ncb)[0]
    )
    return notice


def answer(desk: Desk, notice: Notice, by: str = "ae") -> list[object]:
    located = asset_in(
        "Apartment 2304, Marina Gate, Dubai",
        country="AE",
        value="3200000",
        currency="AED",
        valued_on=date(2026, 3, 15),
    )
    return silver.answer(
        desk.db,
        principal=desk[by],
        settings=desk.settings,
        notice_id=notice.id,
        payload=AnswerIn(assets=[located]),
        now=NOW,
    )


def test_assets_located_for_a_silver_notice_reach_the_requester(
    desk: Desk, factory: Factory
) -> None:
    notice = published_silver(desk, factory)
    (flat,) = answer(desk, notice)
    assert (flat.provenance, flat.provenance_ref, flat.country) == (
        "silver_notice",
        "2026/00017",
        "AE",
    )
    assert policy.asset_for(desk.db, desk["ncb"], flat.id, NOW) == flat
    with pytest.raises(NotFound):
        policy.asset_for(desk.db, desk["fr"], flat.id, NOW)
    told = desk.db.scalars(
        select(Notification).where(Notification.kind == silver.ANSWER_TASK)
    ).one()
    assert told.message.startswith("AE-POL located 1 asset(s) for Silver Notice 2026/00017")
    task = desk.db.scalars(select(Task).where(Task.kind == silver.ANSWER_TASK)).one()
    assert task.subject_id == str(notice.id)


def test_only_a_published_silver_notice_takes_answers(desk: Desk, factory: Factory) -> None:
    red = published_silver(desk, factory, NoticeKind.red)
    with pytest.raises(Invalid, match="only a Silver Notice asks to locate assets"):
        answer(desk, red)
    red.kind, red.status = NoticeKind.silver, NoticeStatus.expired
    with pytest.raises(NotFound):
        answer(desk, red)  # an ended notice is no longer shown to other agencies
    red.status = NoticeStatus.published
    with pytest.raises(Invalid, match="does not answer its own notice"):
        answer(desk, red, by="ncb")
    with pytest.raises(NotFound):
        silver.answer(
            desk.db,
            principal=desk["ae"],
            settings=desk.settings,
            notice_id=uuid.uuid4(),
            payload=AnswerIn(assets=[asset_in()]),
            now=NOW,
        )


def test_a_circular_holding_is_followed_once_round(desk: Desk) -> None:
    alpha = desk.entity("Company", "Alpha Trading LLC")
    beta = desk.entity("Company", "Beta Holdings Ltd")
    desk.entity("Ownership", owner=[beta], asset=[alpha], percentage=["50"])
    desk.entity("Ownership", owner=[alpha], asset=[beta], percentage=["50"])
    boat = desk.asset("Boat", kind="vessel", owners=[{"record_id": alpha, "percentage": "100"}])
    chain = ownership.chain(desk.db, desk["nl"], boat.record_id, NOW)
    assert [(h.caption, h.depth, h.effective) for h in chain] == [
        ("Alpha Trading LLC", 1, Decimal(100)),
        ("Beta Holdings Ltd", 2, Decimal(50)),
    ]
