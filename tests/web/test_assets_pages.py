"""The asset recovery pages through the app (no browser): the register shows only what the
officer may see, with the measures about to lapse; an asset's page shows its timeline, orders,
ownership chain and reconciliation; a step taken through the form is recorded, a refused one
shows its reason and writes nothing; an order's page shows the order and its recognitions
abroad, where the central authority of the state asked recognises or refuses it and the
issuing agency asks another state; the expiring measures, the statistics with their
hand-checked totals and chart specs; a bank's user is refused."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.assets import management, orders
from palermo.assets.lifecycle import AssetState, RecognitionStatus
from palermo.assets.schemas import CostIn, DecisionIn, RecognitionIn
from palermo.models.assets import Asset, AssetEvent, AssetOrder, Recognition
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow
from palermo.models.tasks import Task
from palermo.web import i18n
from tests.assets import conftest as assets_world
from tests.assets.conftest import NOW, Desk
from tests.web.test_linkage_pages import log_in

desk = assets_world.desk  # NL-ARO, AE-POL and AE-MOJ, FR-AGRASC, a bank; their users

S = AssetState
OFFICER = "nl.officer"
SHARING = {
    "disposal": "sharing",
    "shares": [
        {"recipient": "Kingdom of the Netherlands", "country": "NL", "percent": "60"},
        {"recipient": "United Arab Emirates", "country": "AE", "percent": "40"},
    ],
}


@dataclass
class Register:
    desk: Desk
    villa: Asset  # disposed under a sharing decision, after costs; owned through a company
    dubai: Asset  # frozen under a Dutch order recognised in the UAE, expiring in ten days
    boat: Asset  # frozen under an order that lapsed five days ago
    car: Asset  # identified, with a freezing order ready
    yacht: Asset  # French, shared with the Netherlands; its owner company is not
    chalet: Asset  # French, not shared
    car_freezing: AssetOrder


def _cost(desk: Desk, asset: Asset, amount: str, on: date, category: str) -> None:
    management.cost(
        desk.db,
        principal=desk["nl"],
        settings=desk.settings,
        asset_id=asset.id,
        payload=CostIn(amount=Decimal(amount), currency="EUR", incurred_on=on, category=category),
        now=NOW,
    )


@pytest.fixture
def register(desk: Desk) -> Register:
    today = utcnow().date()  # the pages read expiry against the real date
    person = desk.entity("Person", "Jan de Vries")
    holding = desk.entity("Company", "Harbour Holding BV")
    desk.entity(
        "Ownership",
        owner=[person],
        asset=[holding],
        percentage=["60"],
        role=["beneficial owner"],
    )
    villa = desk.asset(owners=[{"record_id": holding, "percentage": "100"}])
    desk.move(villa, S.frozen, desk.order("freezing", villa, expires_on=today + timedelta(200)))
    desk.move(villa, S.confiscated, desk.order("confiscation", villa), on=date(2025, 4, 1))
    desk.move(villa, S.under_management, desk.order("management", villa), on=date(2025, 5, 1))
    _cost(desk, villa, "10000.00", date(2025, 5, 10), "storage")
    _cost(desk, villa, "2500.00", date(2025, 5, 20), "maintenance")
    desk.move(villa, S.disposed, desk.order("disposal", villa, **SHARING), on=date(2025, 6, 1))

    dubai = desk.asset(
        "Apartment 2304, Marina Gate, Dubai",
        country="AE",
        value="9500000",
        currency="AED",
        valued_on=date(2025, 6, 10),
    )
    freezing = desk.order("freezing", dubai, expires_on=today + timedelta(10))
    asked = orders.request_recognition(
        desk.db,
        principal=desk["nl"],
        order_id=freezing.id,
        payload=RecognitionIn(country="AE"),
        now=NOW,
    )
    orders.decide_recognition(
        desk.db,
        principal=desk["ae_ca"],
        recognition_id=asked.id,
        payload=DecisionIn(recognised=True, authority="Dubai Courts", on=date(2025, 6, 20)),
        now=NOW,
    )
    desk.move(dubai, S.frozen, freezing, on=date(2025, 7, 1))

    boat = desk.asset("Motor yacht Albatros", kind="vessel", value="300000")
    desk.move(boat, S.frozen, desk.order("freezing", boat, expires_on=today - timedelta(5)))

    car = desk.asset("Porsche Cayenne, NL-123-X", kind="vehicle", value="80000")
    car_freezing = desk.order("freezing", car, expires_on=today + timedelta(200))

    shared = {"legal_basis": "CPP art. 706-141", "purposes": ["asset_recovery"]}
    secret = desk.entity("Company", "Offshore Ltd", by="fr")
    yacht = desk.asset(
        "Yacht Belle Étoile",
        by="fr",
        kind="vessel",
        country="FR",
        envelope={**shared, "shares": [{"scope": "country", "country": "NL"}]},
    )
    desk.entity(
        "Ownership",
        by="fr",
        shares=[{"scope": "country", "country": "NL"}],
        owner=[secret],
        asset=[yacht.record_id],
        percentage=["100"],
    )
    chalet = desk.asset("Chalet, Megève", by="fr", country="FR", envelope=shared)
    desk.db.commit()
    return Register(desk, villa, dubai, boat, car, yacht, chalet, car_freezing)


def test_the_register_lists_only_what_the_officer_may_see(
    client: TestClient, register: Register
) -> None:
    log_in(client, OFFICER)
    assert 'href="/assets"' in client.get("/").text  # the navigation item, available
    page = client.get("/assets")
    assert page.status_code == 200, page.text
    listed = re.findall(r'data-testid="asset-row" data-reference="([^"]+)"', page.text)
    mine = [register.villa, register.dubai, register.boat, register.car]
    assert sorted(listed) == sorted(a.reference for a in [*mine, register.yacht])
    assert register.chalet.reference not in page.text
    assert "Villa, Kralingse Plaslaan 12, Rotterdam" in page.text
    assert "1,250,000.00" in page.text
    assert "2,279,648.02" in page.text  # 9,500,000 AED at the rate of 2025-06-10
    assert client.get(f"/assets/{register.chalet.id}").status_code == 404

    # The callout: the lapsed boat, then the Dubai apartment.
    callout = re.search(r'data-testid="expiring-callout".*?</aside>', page.text, re.S)
    assert callout is not None
    assert "2 measures to renew: 1 lapsed, 1 expiring within 30 days" in callout.group(0)
    items = re.findall(r'data-testid="expiring-item"><a href="/assets/([-\w]+)"', callout.group(0))
    assert items == [str(register.boat.id), str(register.dubai.id)]

    frozen = client.get("/assets", params={"state": "frozen"}).text
    assert frozen.count('data-testid="asset-row"') == 2
    assert 'data-testid="asset-row"' not in client.get("/assets?country=BE").text
    villa = client.get("/assets", params={"q": "plaslaan"}).text
    assert re.findall(r'data-reference="([^"]+)"', villa) == [register.villa.reference]
    unknown = client.get("/assets", params={"state": "lost"})
    assert unknown.status_code == 422
    assert "unknown state &#39;lost&#39;" in unknown.text

    log_in(client, "fr.officer")
    french = client.get("/assets").text
    listed = re.findall(r'data-testid="asset-row" data-reference="([^"]+)"', french)
    assert sorted(listed) == sorted([register.yacht.reference, register.chalet.reference])
    assert 'data-testid="expiring-callout"' not in french


def test_the_asset_page_shows_its_file(client: TestClient, register: Register) -> None:
    log_in(client, OFFICER)
    page = client.get(f"/assets/{register.villa.id}")
    assert page.status_code == 200, page.text
    html = page.text
    assert re.findall(r'data-testid="step" data-to="(\w+)"', html) == [
        "identified",
        "frozen",
        "confiscated",
        "under_management",
        "disposed",
    ]
    steps = re.findall(r'data-testid="step-order">([^<]+)<', html)
    kinds = re.findall(r'data-testid="order" data-reference="([^"]+)" data-kind="(\w+)"', html)
    assert [kind for _, kind in kinds] == [
        "freezing",
        "confiscation",
        "management",
        "disposal",
    ]
    assert steps == [reference for reference, _ in kinds]
    assert "Rechtbank Rotterdam" in html
    assert "conviction based" in html  # the confiscation's legal basis
    assert "Kingdom of the Netherlands (NL): 60 %" in html

    # Harbour Holding BV holds the villa; Jan de Vries holds 60 % of it, beneficially.
    holders = re.findall(
        r'data-testid="holder" data-depth="(\d)" data-visible="(\w+)".*?'
        r'data-testid="holder-name">([^<]+)<',
        html,
        re.S,
    )
    assert holders == [("1", "true", "Harbour Holding BV"), ("2", "true", "Jan de Vries")]
    tree = re.search(r'data-testid="ownership">(.*?)</section>', html, re.S)
    assert tree is not None
    harbour = tree.group(1).index("Harbour Holding BV")
    jan = tree.group(1).index("Jan de Vries")
    assert harbour < jan
    assert tree.group(1)[harbour:jan].count("<ul>") == 1  # Jan nested under the holding
    assert 'data-testid="beneficial"' in tree.group(1)[jan:]
    assert 'data-testid="effective">60 %<' in html

    # 1,250,000 less 12,500 of costs, shared 60/40.
    assert '<dd class="num" data-testid="gross"><span class="as-money">1,250,000.00 EUR' in html
    assert 'data-testid="costs-total">− <span class="as-money">12,500.00 EUR' in html
    assert 'data-testid="net"><span class="as-money">1,237,500.00 EUR' in html
    assert re.findall(r'data-testid="planned-part">.*?([\d,]+\.\d\d)</span></td></tr>', html) == [
        "742,500.00",
        "495,000.00",
    ]
    assert 'data-balanced="true"' in html
    assert html.count('data-testid="cost"') == 2
    assert html.count('data-testid="valuation"') == 1

    # The Dubai apartment: a Dutch order recognised in the UAE, and its value in both.
    dubai = client.get(f"/assets/{register.dubai.id}").text
    assert 'data-country="AE" data-status="recognised"' in dubai
    assert "by Dubai Courts" in dubai
    assert "9,500,000.00 AED" in dubai
    assert 'data-testid="measure-expires"' in dubai

    # A holder the officer may not see is shown as such; the French yacht is read-only here.
    yacht = client.get(f"/assets/{register.yacht.id}").text
    assert re.search(
        r'data-visible="false".*?data-testid="holder-name">\(not visible to you\)<', yacht, re.S
    )
    assert "Offshore Ltd" not in yacht
    assert 'data-testid="read-only"' in yacht
    assert 'data-testid="form-transition"' not in yacht


def _steps(db: Session, asset: Asset) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).where(AssetEvent.asset_id == asset.id)) or 0


def test_a_step_through_the_form_is_recorded_and_a_refused_one_writes_nothing(
    client: TestClient, db: Session, register: Register
) -> None:
    csrf = log_in(client, OFFICER)
    car, order = register.car, register.car_freezing
    url = f"/assets/{car.id}"
    form = client.get(url).text
    assert 'data-testid="form-transition"' in form
    assert f'<option value="{order.id}">Freezing {order.reference} (NL' in form
    today = utcnow().date().isoformat()

    refused = client.post(
        f"{url}/transitions",
        data={"to": "frozen", "order": "", "on": today, "note": "Kept?", "csrf_token": csrf},
    )
    assert refused.status_code == 422
    assert re.search(
        r'data-testid="error-transition">becoming frozen needs a freezing order<', refused.text
    )
    assert ">Kept?</textarea>" in refused.text  # what was typed is kept
    assert '<option value="frozen" selected>' in refused.text
    assert _steps(db, car) == 1
    db.refresh(car)
    assert car.state is S.identified
    refusal = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "assets.transition", AuditEvent.outcome == "failure"
        )
    ).one()  # the refusal is kept
    assert refusal.detail["reason"] == "becoming frozen needs a freezing order"

    malformed = client.post(
        f"{url}/transitions",
        data={"to": "frozen", "order": str(order.id), "on": "soon", "csrf_token": csrf},
    )
    assert malformed.status_code == 422
    assert "Effective date: must be a date (YYYY-MM-DD)" in malformed.text
    assert _steps(db, car) == 1

    moved = client.post(
        f"{url}/transitions",
        data={
            "to": "frozen",
            "order": str(order.id),
            "on": today,
            "note": "Seized at the border",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    assert moved.headers["location"] == f"{url}?done=transition#timeline"
    page = client.get(moved.headers["location"]).text
    assert 'data-testid="done"' in page
    assert re.findall(r'data-testid="step" data-to="(\w+)"', page) == ["identified", "frozen"]
    assert f'data-testid="step-order">{order.reference}<' in page
    assert "Seized at the border" in page
    assert _steps(db, car) == 2

    costed = client.post(
        f"{url}/costs",
        data={
            "amount": "1200.50",
            "currency": "EUR",
            "incurred_on": today,
            "category": "storage",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert costed.status_code == 303, costed.text
    assert 'data-testid="costs-sum"><span class="as-money">1,200.50<' in client.get(url).text
    negative = client.post(
        f"{url}/valuations",
        data={"amount": "-5", "currency": "EUR", "valued_on": today, "csrf_token": csrf},
    )
    assert negative.status_code == 422
    assert 'data-testid="error-valuation">amount -5 is negative<' in negative.text

    # A shared asset managed abroad, lying abroad, is read here, not moved.
    yacht = f"/assets/{register.yacht.id}"
    foreign = client.post(
        f"{yacht}/transitions",
        data={"to": "traced", "on": today, "note": "Ours now?", "csrf_token": csrf},
    )
    assert foreign.status_code == 403
    assert "or an agency of FR executing an order recognised there" in foreign.text
    assert _steps(db, register.yacht) == 1


# An order and its recognition abroad -------------------------------------------------------
@dataclass
class Abroad:
    desk: Desk
    flat: Asset  # in the UAE, managed from the Netherlands
    yacht: Asset  # in France, managed from the Netherlands
    house: Asset  # in the Netherlands
    seizure: AssetOrder  # Dutch, covering all three; the UAE is asked to recognise it
    asked: Recognition


@pytest.fixture
def abroad(desk: Desk) -> Abroad:
    today = utcnow().date()  # the steps are dated today: the order must be in force
    flat = desk.asset(
        "Apartment 1203, Burj Vista, Dubai",
        country="AE",
        value="4200000",
        currency="AED",
        valued_on=date(2025, 6, 10),
    )
    yacht = desk.asset("Sailing yacht Zeemeeuw, Port Vauban", kind="vessel", country="FR")
    house = desk.asset("House, Dorpsstraat 3, Zaandam", value="450000")
    seizure = desk.order(
        "seizure",
        flat,
        yacht,
        house,
        expires_on=today + timedelta(400),
        conditions="Seize and keep; no sale before judgment",
        judicial_reference="NL-MLA-2026-0042",
    )
    asked = orders.request_recognition(
        desk.db,
        principal=desk["nl"],
        order_id=seizure.id,
        payload=RecognitionIn(country="AE"),
        now=NOW,
    )
    desk.db.commit()
    return Abroad(desk, flat, yacht, house, seizure, asked)


def _recognitions(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-testid="recognition" data-country="(\w+)" data-status="(\w+)"', html)


def _decisions(db: Session, outcome: str = "success") -> int:
    """Decisions taken (or, with outcome="failure", refused with their reason)."""
    return (
        db.scalar(
            select(func.count()).where(
                AuditEvent.action == "assets.recognition.decide", AuditEvent.outcome == outcome
            )
        )
        or 0
    )


def test_the_order_page_shows_the_order_and_its_recognitions(
    client: TestClient, abroad: Abroad
) -> None:
    seizure = abroad.seizure
    log_in(client, OFFICER)
    # The asset's page links to the order's.
    flat = client.get(f"/assets/{abroad.flat.id}").text
    assert f'<a href="/assets/orders/{seizure.id}" data-testid="order-link">' in flat

    page = client.get(f"/assets/orders/{seizure.id}")
    assert page.status_code == 200, page.text
    html = page.text
    assert f'data-testid="order-reference" data-kind="seizure">{seizure.reference}<' in html
    assert 'data-testid="order-authority">Rechtbank Rotterdam, NL<' in html
    assert "Seize and keep; no sale before judgment" in html
    assert 'data-testid="order-judicial-reference">NL-MLA-2026-0042<' in html
    assert 'data-testid="order-recorded-by">nl.officer · NL-ARO<' in html
    assert f'<time datetime="{seizure.expires_on}">' in html
    covered = re.findall(
        r'data-testid="covered-asset" data-reference="([^"]+)" data-country="(\w+)"', html
    )
    assert sorted(covered) == sorted(
        (a.reference, a.country) for a in (abroad.flat, abroad.yacht, abroad.house)
    )
    assert f'href="/assets/{abroad.flat.id}" data-testid="asset-link"' in html
    assert _recognitions(html) == [("AE", "requested")]
    # Asked with the order's own judicial reference.
    assert 'data-testid="recognition-judicial-reference">NL-MLA-2026-0042<' in html
    # The issuing agency may ask France (not the UAE again, not its own state); it does not
    # decide on the UAE's recognition.
    assert 'data-testid="form-recognition"' in html
    assert re.findall(r'<option value="(\w\w)"', html) == ["FR"]
    assert 'data-testid="form-decision"' not in html

    # A renewal links both ways.
    renewal = abroad.desk.order(
        "seizure", abroad.flat, renews=seizure.id, expires_on=utcnow().date() + timedelta(800)
    )
    abroad.desk.db.commit()
    renewed = client.get(f"/assets/orders/{seizure.id}").text
    assert re.search(
        rf'data-testid="order-renewed-by"><a href="/assets/orders/{renewal.id}"', renewed
    )
    renewing = client.get(f"/assets/orders/{renewal.id}").text
    assert re.search(rf'data-testid="order-renews"><a href="/assets/orders/{seizure.id}"', renewing)
    # The renewal covers only the flat.
    assert re.findall(r'data-testid="covered-asset" data-reference="([^"]+)"', renewing) == [
        abroad.flat.reference
    ]
    assert 'data-testid="no-recognitions"' in renewing

    # The UAE's police see the order through the flat, now disclosed to them: only the flat.
    log_in(client, "ae.officer")
    theirs = client.get(f"/assets/orders/{seizure.id}")
    assert theirs.status_code == 200, theirs.text
    assert re.findall(r'data-testid="covered-asset" data-reference="([^"]+)"', theirs.text) == [
        abroad.flat.reference
    ]
    assert abroad.yacht.reference not in theirs.text
    assert 'data-testid="form-decision"' not in theirs.text  # police, not the authority
    assert 'data-testid="form-recognition"' not in theirs.text


def test_a_central_authority_recognises_and_the_order_then_acts_there(
    client: TestClient, db: Session, abroad: Abroad
) -> None:
    seizure, flat = abroad.seizure, abroad.flat
    today = utcnow().date().isoformat()
    step = {"to": "seized", "order": str(seizure.id), "on": today}

    # Before the recognition, the UAE's police cannot act under the Dutch order.
    csrf = log_in(client, "ae.officer")
    early = client.post(f"/assets/{flat.id}/transitions", data={**step, "csrf_token": csrf})
    assert early.status_code == 403
    assert "executing an order recognised there" in early.text
    # Nor decide on it: that is the central authority's.
    police = client.post(
        f"/assets/orders/{seizure.id}/recognitions/{abroad.asked.id}/decision",
        data={"recognised": "true", "authority": "Dubai Courts", "on": today, "csrf_token": csrf},
    )
    assert police.status_code == 403
    assert re.search(
        r'data-testid="error-decision">recognition in AE is decided by a central authority of AE<',
        police.text,
    )

    # The UAE's central authority: its task leads to the order's page, with the form.
    csrf = log_in(client, "ae.prosecutor")
    task = db.scalars(select(Task).where(Task.kind == orders.RECOGNITION_TASK)).one()
    assert task.link == f"/assets/orders/{seizure.id}"
    page = client.get(task.link)
    assert page.status_code == 200, page.text
    assert page.text.count('data-testid="form-decision"') == 1
    assert f'action="/assets/orders/{seizure.id}/recognitions/{abroad.asked.id}/decision"' in (
        page.text
    )
    assert 'data-testid="form-recognition"' not in page.text

    recognised = client.post(
        f"/assets/orders/{seizure.id}/recognitions/{abroad.asked.id}/decision",
        data={
            "recognised": "true",
            "authority": "Dubai Courts",
            "on": today,
            "reasons": "",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert recognised.status_code == 303, recognised.text
    assert recognised.headers["location"] == (
        f"/assets/orders/{seizure.id}?done=decision#recognitions"
    )
    after = client.get(recognised.headers["location"]).text
    assert 'data-testid="done">Decision recorded.<' in after
    assert _recognitions(after) == [("AE", "recognised")]
    assert 'data-testid="recognition-authority">Dubai Courts<' in after
    assert f'data-testid="recognition-decided-on"><time datetime="{today}">' in after
    assert 'data-testid="form-decision"' not in after
    db.expire_all()
    assert db.get(Task, task.id).done_at is not None  # type: ignore[union-attr]

    # The order now acts in the UAE: its police seize the flat under it.
    csrf = log_in(client, "ae.officer")
    seized = client.post(
        f"/assets/{flat.id}/transitions",
        data={**step, "note": "Seized under the recognised Dutch order", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert seized.status_code == 303, seized.text
    db.refresh(flat)
    assert flat.state is S.seized


def test_a_refusal_gives_its_reasons(client: TestClient, db: Session, abroad: Abroad) -> None:
    seizure, asked = abroad.seizure, abroad.asked
    url = f"/assets/orders/{seizure.id}/recognitions/{asked.id}/decision"
    today = utcnow().date().isoformat()
    csrf = log_in(client, "ae.prosecutor")
    decisions = _decisions(db)

    bare = client.post(
        url,
        data={"recognised": "false", "authority": "Dubai Courts", "on": today, "csrf_token": csrf},
    )
    assert bare.status_code == 422
    assert re.search(r'data-testid="error-decision">a refusal gives its reasons<', bare.text)
    assert 'value="Dubai Courts"' in bare.text  # what was typed is kept
    assert f'value="{today}"' in bare.text
    assert _recognitions(bare.text) == [("AE", "requested")]
    malformed = client.post(
        url,
        data={"recognised": "false", "authority": "D", "on": "soon", "csrf_token": csrf},
    )
    assert malformed.status_code == 422
    assert "Authority: must have at least 2 characters" in malformed.text
    assert "Date of decision: must be a date (YYYY-MM-DD)" in malformed.text
    db.expire_all()
    assert db.get(Recognition, asked.id).status is RecognitionStatus.requested  # type: ignore[union-attr]
    assert _decisions(db) == decisions
    assert _decisions(db, "failure") >= 1  # the refusal left its audit line, and nothing else
    assert (
        db.scalars(select(Task.done_at).where(Task.kind == orders.RECOGNITION_TASK)).one() is None
    )

    reasons = "Dual criminality not met for the offence as described"
    refused = client.post(
        url,
        data={
            "recognised": "false",
            "authority": "Dubai Courts",
            "on": today,
            "reasons": reasons,
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert refused.status_code == 303, refused.text
    page = client.get(refused.headers["location"]).text
    assert _recognitions(page) == [("AE", "refused")]
    assert f'data-testid="recognition-reasons">{reasons}<' in page
    assert 'data-testid="form-decision"' not in page
    again = client.post(
        url,
        data={"recognised": "true", "authority": "Dubai Courts", "on": today, "csrf_token": csrf},
    )
    assert again.status_code == 409
    assert "this recognition was refused already" in again.text

    # Refused, the order does not act there, and the flat is no longer disclosed there.
    csrf = log_in(client, "ae.officer")
    step = client.post(
        f"/assets/{abroad.flat.id}/transitions",
        data={"to": "seized", "order": str(seizure.id), "on": today, "csrf_token": csrf},
    )
    assert step.status_code == 404


def test_an_agency_that_does_not_see_the_order_gets_a_404(
    client: TestClient, db: Session, abroad: Abroad
) -> None:
    seizure, asked = abroad.seizure, abroad.asked
    csrf = log_in(client, "fr.officer")
    assert client.get(f"/assets/orders/{seizure.id}").status_code == 404
    decided = client.post(
        f"/assets/orders/{seizure.id}/recognitions/{asked.id}/decision",
        data={"recognised": "true", "authority": "Cour d'appel", "on": "2025-06-20",
              "csrf_token": csrf},
    )  # fmt: skip
    assert decided.status_code == 404
    requested = client.post(
        f"/assets/orders/{seizure.id}/recognitions", data={"country": "FR", "csrf_token": csrf}
    )
    assert requested.status_code == 404
    db.expire_all()
    assert db.scalars(
        select(Recognition.country).where(Recognition.order_id == seizure.id)
    ).all() == ["AE"]
    # A recognition of another order is not decided through this one.
    csrf = log_in(client, "ae.prosecutor")
    other = client.post(
        f"/assets/orders/{seizure.id}/recognitions/{seizure.id}/decision",
        data={"recognised": "true", "authority": "Dubai Courts", "on": "2025-06-20",
              "csrf_token": csrf},
    )  # fmt: skip
    assert other.status_code == 404


def test_the_issuing_agency_asks_a_second_state(
    client: TestClient, db: Session, abroad: Abroad
) -> None:
    seizure = abroad.seizure
    url = f"/assets/orders/{seizure.id}/recognitions"
    csrf = log_in(client, OFFICER)

    nowhere = client.post(url, data={"country": "DE", "csrf_token": csrf})
    assert nowhere.status_code == 422
    assert re.search(
        rf'data-testid="error-recognition">order {seizure.reference} covers no asset your '
        r"agency manages in DE<",
        nowhere.text,
    )

    asked = client.post(
        url,
        data={"country": "FR", "judicial_reference": "NL-MLA-2026-0077", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert asked.status_code == 303, asked.text
    assert asked.headers["location"] == f"/assets/orders/{seizure.id}?done=recognition#recognitions"
    page = client.get(asked.headers["location"]).text
    assert 'data-testid="done">Recognition asked.<' in page
    assert _recognitions(page) == [("AE", "requested"), ("FR", "requested")]
    assert 'data-testid="recognition-judicial-reference">NL-MLA-2026-0077<' in page
    assert 'data-testid="form-recognition"' not in page  # every state abroad is asked now

    twice = client.post(url, data={"country": "AE", "csrf_token": csrf})
    assert twice.status_code == 409
    assert re.search(
        rf'data-testid="error-recognition">recognition of {seizure.reference} in AE is asked',
        twice.text,
    )
    db.expire_all()
    assert sorted(
        db.scalars(select(Recognition.country).where(Recognition.order_id == seizure.id))
    ) == ["AE", "FR"]


def test_the_expiring_measures_list_the_lapsed_first(
    client: TestClient, register: Register
) -> None:
    log_in(client, OFFICER)
    page = client.get("/assets/expiring")
    assert page.status_code == 200, page.text
    rows = re.findall(
        r'data-testid="expiring-row" data-reference="([^"]+)" data-lapsed="(\w+)"', page.text
    )
    assert rows == [(register.boat.reference, "true"), (register.dubai.reference, "false")]
    assert 'class="as-lapsed"' in page.text
    assert "lapsed 5 days ago" in page.text
    assert "in 10 days" in page.text
    assert "AE: recognised" in page.text
    # Each order links to its page.
    links = re.findall(r'<a href="(/assets/orders/[-\w]+)" data-testid="order-link">', page.text)
    assert len(links) == 2
    boat_order = client.get(links[0])
    assert boat_order.status_code == 200, boat_order.text
    assert 'data-testid="order-lapsed"' in boat_order.text
    assert f'data-reference="{register.boat.reference}"' in boat_order.text
    narrow = client.get("/assets/expiring", params={"days": 1}).text
    assert re.findall(r'data-testid="expiring-row" data-reference="([^"]+)"', narrow) == [
        register.boat.reference
    ]


def test_the_statistics_show_the_totals_and_embed_the_charts(
    client: TestClient, register: Register
) -> None:
    log_in(client, OFFICER)
    page = client.get("/assets/statistics")
    assert page.status_code == 200, page.text
    html = page.text
    totals = re.search(
        r'data-testid="totals-row" data-key="" data-year="2025">(.*?)</tr>', html, re.S
    )
    assert totals is not None
    cells = dict(
        re.findall(
            r'data-stage="(\w+)">(?:<span data-testid="value"><span class="as-money">([\d,.]+)<)?',
            totals.group(1),
        )
    )
    # Frozen in 2025: the villa (1,250,000), the Dubai apartment (2,279,648.02), the boat
    # (300,000); confiscated: the villa. The French yacht and chalet were never frozen.
    assert cells == {
        "frozen": "3,829,648.02",
        "seized": "",
        "confiscated": "1,250,000.00",
        "returned": "",
    }
    assert '<small data-testid="count">3 assets</small>' in totals.group(1)
    assert re.search(r'data-testid="by-country-row" data-key="AE" data-year="2025"', html)
    assert "0601 " in html  # the offence, with its ICCS label
    identified = re.search(r'data-testid="stay" data-state="identified">(.*?)</tr>', html, re.S)
    assert identified is not None
    # Left after 50 days (villa, boat) and 21 (Dubai); the car and the shared yacht are still
    # identified (the chalet is not seen).
    assert re.findall(r'data-testid="\w+">([\d.]+)<', identified.group(1)) == [
        "3",
        "50.0",
        "40.3",
        "2",
    ]

    specs = re.search(r'<script type="application/json" id="chart-specs">(.*?)</script>', html)
    assert specs is not None
    charts = json.loads(specs.group(1))
    assert set(charts) == {"stages", "countries", "offences", "stays"}
    assert charts["stages"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    stages = charts["stages"]
    values = stages["datasets"][stages["data"]["name"]]
    frozen = [v for v in values if v["stage"] == "Frozen"]
    assert frozen == [
        {"stage": "Frozen", "year": "2025", "key": "", "assets": 3, "value": 3829648.02}
    ]
    assert 'data-chart="stages"' in html
    assert '<script src="/static/vendor/vega-embed-7.3.0.min.js" defer>' in html
    for vendored in ("vega-6.4.0.min.js", "vega-lite-6.4.1.min.js", "vega-embed-7.3.0.min.js"):
        assert client.get(f"/static/vendor/{vendored}").status_code == 200


def test_the_statistics_and_an_asset_speak_french(client: TestClient, register: Register) -> None:
    """The charts' titles and stages in the reader's language; the asset's days written the
    French way, the ISO day kept for machines."""
    log_in(client, OFFICER)
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    fr = i18n.translations("fr")
    html = client.get("/assets/statistics").text
    specs = re.search(r'<script type="application/json" id="chart-specs">(.*?)</script>', html)
    assert specs is not None
    charts = json.loads(specs.group(1))
    stages = charts["stages"]
    assert fr.ugettext("Year") != "Year"
    assert stages["encoding"]["x"]["title"] == fr.ugettext("Year")
    assert stages["encoding"]["color"]["title"] == fr.ugettext("Stage")
    assert stages["encoding"]["y"]["title"] == fr.ugettext("Value (%(currency)s)") % {
        "currency": "EUR"
    }
    values = stages["datasets"][stages["data"]["name"]]
    assert {v["stage"] for v in values} <= set(stages["encoding"]["color"]["scale"]["domain"])
    assert fr.ugettext("Frozen") in {v["stage"] for v in values}
    assert charts["countries"]["encoding"]["y"]["title"] == fr.ugettext("Country")
    assert charts["stays"]["layer"][0]["encoding"]["x"]["title"] == fr.ugettext("Days")

    page = client.get(f"/assets/{register.villa.id}").text
    disposed = format_date(date(2025, 6, 1), "medium", locale="fr")
    assert f'<time datetime="2025-06-01">{disposed}</time>' in page


def test_a_bank_is_refused(client: TestClient, register: Register) -> None:
    log_in(client, "bank.mlro")
    assert 'href="/assets"' not in client.get("/").text
    for path in (
        "/assets",
        "/assets/expiring",
        "/assets/statistics",
        f"/assets/{register.villa.id}",
    ):
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert "asset recovery is worked by officers, analysts and supervisors" in refused.text
