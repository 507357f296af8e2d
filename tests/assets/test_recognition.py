"""Cross-border: an order acts in another state only once that state's central authority has
recognised it; the request discloses the assets concerned to that state, and is audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from palermo.assets import orders
from palermo.assets.lifecycle import AssetState, RecognitionStatus
from palermo.assets.schemas import DecisionIn, RecognitionIn
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.models.assets import AssetOrder, Recognition
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
    for other in ("ae", "nl_ca", "nl"):
        with pytest.raises(Forbidden, match="decided by a central authority of AE"):
            decide(desk, recognition, yes=True, by=other)


def test_recognition_is_asked_once_of_a_state_where_assets_lie(desk: Desk) -> None:
    villa = desk.asset(DUBAI_VILLA, country="AE", value="9500000", currency="AED")
    order = desk.order("freezing", villa)
    with pytest.raises(Invalid, match="is of NL: it needs no recognition"):
        ask(desk, order, "NL")
    with pytest.raises(Invalid, match=f"{order.reference} covers no asset in FR"):
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
