"""Cross-border: an order acts in another state only once that state's central authority has
recognised it; the request discloses the assets concerned to that state, and is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from palermo.assets import management, orders, service
from palermo.assets.lifecycle import AssetState, RecognitionStatus
from palermo.assets.schemas import CostIn, DecisionIn, RecognitionIn
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.models.assets import AssetOrder, Recognition
from palermo.models.audit import AuditEvent
from palermo.models.tasks import Task
from palermo.policy import assets as policy
from tests.assets.conftest import NOW, Desk

DUBAI_VILLA = "Villa 14, Palm Jumeirah, Dubai"


def ask(desk: Desk, order: AssetOrder, country: str = "AE") -> Recognition:
    return orders.request_recognition(
        desk.db,
        principal=desk["nl"],
        order_id=order.id,
        payload=RecognitionIn(country=country, judicial_reference="MLA NL-2025-0042"),
        now=NOW,
    )


def decide(desk: Desk, recognition: Recognition, *, yes: bool, by: str = "ae_ca") -> Recognition:
    return orders.decide_recognition(
        desk.db,
        principal=desk[by],
        recognition_id=recognition.id,
        payload=DecisionIn(
            recognised=yes,
            authority="Dubai Public Prosecution",
            on=date(2025, 2, 20),
            reasons=None if yes else "dual criminality not established",
        ),
        now=NOW,
    )


def test_a_foreign_order_acts_only_once_recognised_there(desk: Desk) -> None:
    villa = desk.asset(DUBAI_VILLA, country="AE", value="9500000", currency="AED")
    order = desk.order("freezing", villa)
    with pytest.raises(
        Invalid,
        match=f"of NL does not cover AE, where asset {villa.reference} "
        "lies: ask AE to recognise it",
    ):
        desk.move(villa, AssetState.frozen, order)
    recognition = ask(desk, order)
    assert recognition.judicial_reference == "MLA NL-2025-0042"
    with pytest.raises(Invalid, match="its recognition there is requested"):
        desk.move(villa, AssetState.frozen, order)
    decide(desk, recognition, yes=True)
    assert recognition.status is RecognitionStatus.recognised
    # The UAE police executes the recognised Dutch order on the villa.
    event = desk.move(villa, AssetState.frozen, order, by="ae")
    assert (villa.state, event.agency_code) == (AssetState.frozen, "AE-POL")


def test_a_refused_recognition_keeps_the_order_out(desk: Desk) -> None:
    villa = desk.asset(DUBAI_VILLA, country="AE", value="9500000", currency="AED")
    order = desk.order("seizure", villa)
    recognition = decide(desk, ask(desk, order), yes=False)
    assert recognition.reasons == "dual criminality not established"
    with pytest.raises(Invalid, match="its recognition there is refused"):
        desk.move(villa, AssetState.seized, order)
    with pytest.raises(Conflict, match="was refused already"):
        decide(desk, recognition, yes=True)


def test_the_state_asked_sees_the_assets_and_its_central_authority_gets_a_task(
    desk: Desk,
) -> None:
    villa = desk.asset(DUBAI_VILLA, country="AE", value="9500000", currency="AED")
    home = desk.asset()  # in the Netherlands, not disclosed by the request
    order = desk.order("freezing", villa, home)
    with pytest.raises(NotFound):
        policy.asset_for(desk.db, desk["ae"], villa.id, NOW)
    recognition = ask(desk, order)
    assert policy.asset_for(desk.db, desk["ae"], villa.id, NOW) == villa
    with pytest.raises(NotFound):
        policy.asset_for(desk.db, desk["ae"], home.id, NOW)
    with pytest.raises(NotFound):
        policy.asset_for(desk.db, desk["fr"], villa.id, NOW)
    task = desk.db.scalars(select(Task).where(Task.subject_id == str(recognition.id))).one()
    assert task.title.startswith(f"Recognise freezing order {order.reference} of NL")
    decide(desk, recognition, yes=True)
    assert task.done_at is not None
    assert task.outcome == "recognised"


def test_only_the_central_authority_of_the_state_asked_decides(desk: Desk) -> None:
    villa = desk.asset(DUBAI_VILLA, country="AE", value="9500000", currency="AED")
    recognition = ask(desk, desk.order("freezing", villa))
    for other in ("ae", "nl"):
        with pytest.raises(Forbidden, match="decided by a central authority of AE"):
            decide(desk, recognition, yes=True, by=other)
    with pytest.raises(NotFound):  # the Dutch central authority does not even see the order
        decide(desk, recognition, yes=True, by="nl_ca")
    refused = desk.db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "assets.recognition.decide", AuditEvent.outcome == "failure"
        )
    ).all()
    assert [e.actor for e in refused] == ["ae.officer", "nl.officer"]


def test_recognition_is_asked_once_of_a_state_where_assets_lie(desk: Desk) -> None:
    villa = desk.asset(DUBAI_VILLA, country="AE", value="9500000", currency="AED")
    order = desk.order("freezing", villa)
    with pytest.raises(Invalid, match="is of NL: it needs no recognition"):
        ask(desk, order, "NL")
    with pytest.raises(
        Invalid, match=f"{order.reference} covers no asset your agency manages in FR"
    ):
        ask(desk, order, "FR")
    ask(desk, order)
    with pytest.raises(Conflict, match="asked already"):
        ask(desk, order)


def test_a_refusal_gives_reasons(desk: Desk) -> None:
    villa = desk.asset(DUBAI_VILLA, country="AE", value="9500000", currency="AED")
    recognition = ask(desk, desk.order("freezing", villa))
    with pytest.raises(Invalid, match="a refusal gives its reasons"):
        orders.decide_recognition(
            desk.db,
            principal=desk["ae_ca"],
            recognition_id=recognition.id,
            payload=DecisionIn(recognised=False, authority="Dubai Courts", on=date(2025, 3, 1)),
            now=NOW,
        )


def test_seeing_an_asset_is_not_moving_it(desk: Desk) -> None:
    """The UAE sees the villa it was asked about; until it recognises the order its police
    neither move nor cost it, and once it refuses it sees the villa no more."""
    villa = desk.asset(DUBAI_VILLA, country="AE", value="9500000", currency="AED")
    order = desk.order("freezing", villa)
    recognition = ask(desk, order)
    with pytest.raises(Forbidden, match="executing an order recognised there"):
        desk.move(villa, AssetState.frozen, order, by="ae")
    with pytest.raises(Forbidden, match="executing an order recognised there"):
        management.cost(
            desk.db,
            principal=desk["ae"],
            settings=desk.settings,
            asset_id=villa.id,
            payload=CostIn(
                amount=Decimal("999999"), currency="EUR", incurred_on=date(2025, 3, 1),
                category="fees",
            ),
            now=NOW,
        )  # fmt: skip
    decide(desk, recognition, yes=False)
    with pytest.raises(NotFound):
        policy.asset_for(desk.db, desk["ae"], villa.id, NOW)


def test_only_the_managing_agency_discloses_its_asset_abroad(desk: Desk) -> None:
    """France shares its Dubai yacht with the Netherlands; a Dutch order on it cannot send
    it to the UAE, and the order's readers see only the assets they may."""
    yacht = desk.asset(
        "Yacht moored in Dubai Marina", by="fr", kind="vessel", country="AE",
        envelope={"legal_basis": "CPP art. 706-141", "purposes": ["asset_recovery"],
                  "shares": [{"scope": "agency", "agency": "NL-ARO"}]},
    )  # fmt: skip
    flat = desk.asset("Flat in Dubai", country="AE", value="2000000", currency="AED")
    order = desk.order("freezing", yacht, flat)
    ask(desk, order)  # the Dutch flat only
    assert policy.asset_for(desk.db, desk["ae"], flat.id, NOW) == flat
    with pytest.raises(NotFound):
        policy.asset_for(desk.db, desk["ae"], yacht.id, NOW)
    as_uae = service.order_out(desk.db, desk["ae"], order, NOW)
    assert as_uae.assets == [flat.reference]
    assert [r.country for r in as_uae.recognitions] == ["AE"]
    as_france = service.order_out(desk.db, desk["fr"], order, NOW)
    assert (as_france.assets, as_france.recognitions) == ([yacht.reference], [])
