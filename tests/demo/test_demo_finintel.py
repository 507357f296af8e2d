"""The demo's financial intelligence: banks in five countries file reports on the groups' money
(one refused first, then corrected), two FIUs import their banks' returns, and the analysts'
queues hold alerts of the injected typologies on the accounts the reports named, triaged as
the story says."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.demo.finintel import INJECTED
from palermo.exchange import reading
from palermo.exchange.keys import Keyring
from palermo.finintel import reporting, triage
from palermo.identity import repository
from palermo.identity.principal import Principal
from palermo.identity.service import principal_for
from palermo.models import AuditEvent
from palermo.models.base import utcnow
from palermo.models.finintel import AlertEvent, FinancialReport, MonitoringAlert, TransactionBatch
from palermo.models.identity import Agency
from palermo.models.imports import ImportJob
from tests.demo.conftest import Built

STATES = {  # the story's triage of FIU-Nederland's queue: alert → status
    "reviewed": "in_review",
    "dismissed": "dismissed",
    "escalated": "escalated",
    "disseminated": "disseminated",
}
BANKS = {
    "NL-HANZE": "NL-FIU",
    "AE-GMB": "AE-FIU",
    "CO-BAP": "CO-UIAF",
    "NG-LTB": "NG-NFIU",
    "FR-BRHO": "FR-TRACFIN",
}


@pytest.fixture
def facts(demo: Built) -> dict[str, Any]:
    return demo.facts["finintel"]


def who(db: Session, username: str) -> Principal:
    user = repository.user_by_username(db, username)
    assert user is not None, username
    return principal_for(user, channel="session")


def codes(db: Session) -> dict[Any, str]:
    return {agency.id: agency.code for agency in db.scalars(select(Agency))}


def queue(db: Session, fiu: str) -> list[MonitoringAlert]:
    return triage.list_alerts(db, who(db, f"{fiu.lower()}.analyst"), limit=1000)


def test_every_fiu_registered_its_countrys_bank(db: Session) -> None:
    registered = {}
    for fiu in (*BANKS.values(), "ZA-FIC", "US-FINCEN"):
        for entity, agency in reporting.reporters(db, who(db, f"{fiu.lower()}.admin")):
            registered[agency.code] = (fiu, entity.registration, entity.sector)
    assert {bank: fiu for bank, (fiu, _, _) in registered.items()} == {
        **BANKS,
        "ZA-CAPE": "ZA-FIC",
        "US-HUDSON": "US-FINCEN",
    }
    assert all(r.isdigit() and sector == "bank" for _, r, sector in registered.values())


def test_the_banks_reports_are_filed_and_acknowledged(db: Session, facts: dict[str, Any]) -> None:
    names = codes(db)
    reports = {names[r.reporter_agency_id]: r for r in db.scalars(select(FinancialReport))}
    assert set(reports) == set(BANKS)
    for bank, report in reports.items():
        fiu = BANKS[bank]
        assert names[report.fiu_agency_id] == fiu
        assert report.fiu_reference == facts["reports"][bank]
        assert report.fiu_reference.startswith(f"{fiu}-")
        assert report.submitted_by == f"{bank.lower()}.compliance"
        assert report.record_ids
        assert report.batch_id is not None
    assert {bank: (r.format, r.kind) for bank, r in reports.items()} == {
        "NL-HANZE": ("csv", "STR"),
        "AE-GMB": ("goaml", "STR"),
        "CO-BAP": ("goaml", "STR"),
        "NG-LTB": ("goaml", "STR"),
        "FR-BRHO": ("json", "SAR"),
    }
    # FIU-Nederland declared Hanze's report suspicious; the UAE FIU asked for more, and the
    # bank answered.
    assert reports["NL-HANZE"].status == "disseminated"
    assert [m.kind for m in reporting.messages(db, reports["NL-HANZE"])] == ["feedback"]
    gulf = reports["AE-GMB"]
    assert [(m.kind, m.username) for m in reporting.messages(db, gulf)] == [
        ("information_request", "ae-fiu.analyst"),
        ("reply", "ae-gmb.compliance"),
    ]
    assert gulf.status == "under_analysis"
    # The reports name the groups' accounts: the director's Dubai account in three of them.
    accounts = facts["accounts"]
    for bank in ("NL-HANZE", "AE-GMB", "CO-BAP"):
        assert accounts["director_ae"].encode() in reports[bank].content
    assert accounts["foodstuff"].encode() in reports["NG-LTB"].content
    assert accounts["manager"].encode() in reports["FR-BRHO"].content


def test_the_broken_report_was_refused_at_its_elements_and_not_stored(
    db: Session, facts: dict[str, Any]
) -> None:
    refused = facts["refused"]["CO-BAP"]
    assert refused == [f"/report/transaction[{n}]/amount_local" for n in (1, 2, 3)]
    andino = repository.agency_by_code(db, "CO-BAP")
    assert andino is not None
    stored = db.scalars(
        select(FinancialReport).where(FinancialReport.reporter_agency_id == andino.id)
    ).all()
    assert len(stored) == 1  # only the corrected file
    assert b"<amount_local>" in stored[0].content
    assert b",00</amount_local>" not in stored[0].content
    outcomes = [
        e.outcome
        for e in db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "finintel.report.submit",
                AuditEvent.actor == "co-bap.compliance",
            )
        )
    ]
    assert sorted(outcomes) == ["failure", "success"]


def test_a_bank_sees_only_its_own_reports_and_an_fiu_those_filed_with_it(db: Session) -> None:
    names = codes(db)
    for bank, fiu in BANKS.items():
        own = reporting.list_reports(db, who(db, f"{bank.lower()}.compliance"))
        assert [names[r.reporter_agency_id] for r in own] == [bank]
        filed = reporting.list_reports(db, who(db, f"{fiu.lower()}.analyst"))
        assert [names[r.reporter_agency_id] for r in filed] == [bank]
    assert reporting.list_reports(db, who(db, "nl-np.officer")) == []
    assert reporting.list_reports(db, who(db, "us-hudson.compliance")) == []


def test_the_fius_imported_their_banks_returns(db: Session, facts: dict[str, Any]) -> None:
    names = codes(db)
    imports = {
        names[b.agency_id]: b
        for b in db.scalars(select(TransactionBatch).where(TransactionBatch.kind == "import"))
    }
    assert set(imports) == {"NL-FIU", "AE-FIU"}
    for fiu, batch in imports.items():
        assert 2_000 <= batch.rows <= 5_000
        assert batch.rows == facts["imported"][fiu]
        assert batch.imported_by == f"{fiu.lower()}.analyst"
    # Each imported as a job, which its jobs page shows done, the upload released.
    jobs = {names[j.agency_id]: j for j in db.scalars(select(ImportJob))}
    assert set(jobs) == {"NL-FIU", "AE-FIU"}
    for fiu, job in jobs.items():
        assert (job.kind, job.status, job.upload) == ("transactions", "done", None)
        assert job.result is not None
        assert job.result["batch"] == str(imports[fiu].id)


def alert(alerts: list[MonitoringAlert], typology: str, *accounts: str) -> MonitoringAlert:
    found = [a for a in alerts if a.typology == typology and set(accounts) <= set(a.accounts)]
    assert found, (typology, accounts, [(a.typology, a.accounts) for a in alerts])
    return found[0]


def test_each_queue_holds_the_injected_typologies_on_the_reported_accounts(
    db: Session, facts: dict[str, Any]
) -> None:
    accounts = facts["accounts"]
    queues = {fiu: queue(db, fiu) for fiu in INJECTED}
    for fiu, typologies in INJECTED.items():
        assert set(typologies) <= {a.typology for a in queues[fiu]}, fiu
    nl, ae, ng = queues["NL-FIU"], queues["AE-FIU"], queues["NG-NFIU"]
    # Rotterdam: the accounts of Hanze's report (the importer) and Gulf Meridian's (the
    # director's Dubai account) in the bulk return's patterns.
    importer, dubai, mules = accounts["importer"], accounts["director_ae"], accounts["mules"]
    alert(nl, "structuring", accounts["partner"], importer)
    alert(nl, "fan_out", importer, *mules)
    alert(nl, "scatter_gather", importer, dubai, *mules)
    cycle = alert(nl, "cycle", importer, dubai, accounts["holding"], accounts["director_nl"])
    assert cycle.facts["round_trip"] is True
    assert set(cycle.facts["countries"]) == {"AE", "NL"}
    # Dubai: the structuring of the STR and again in the return, the pass-through of the
    # trader Lagoon Trust named, the wildlife chain through high-risk countries.
    assert len([a for a in ae if a.typology == "structuring" and dubai in a.accounts]) == 2
    alert(ae, "rapid_pass_through", accounts["foodstuff"], accounts["marine"], importer)
    chain = alert(
        ae,
        "cross_border",
        accounts["wildlife_buyer"],
        accounts["trader"],
        accounts["timber_trader"],
        accounts["wildlife_exporter"],
    )
    assert {"KE", "VN"} <= set(chain.facts["countries"])
    # Lagos: the pass-through is in Lagoon Trust's report alone.
    (transit,) = ng
    assert transit.typology == "rapid_pass_through"
    assert accounts["foodstuff"] in transit.accounts


def test_the_analysts_triaged_as_the_story_says(db: Session, facts: dict[str, Any]) -> None:
    accounts, triaged = facts["accounts"], facts["triage"]
    nl = {a.alert_key: a for a in queue(db, "NL-FIU")}
    moved = {key: nl[key].status for key in (triaged[s] for s in STATES)}
    assert moved == {triaged[state]: status for state, status in STATES.items()}
    others = [a.status for key, a in nl.items() if key not in moved]
    assert others
    assert set(others) == {"new"}
    assert nl[triaged["reviewed"]].assignee == "nl-fiu.analyst"
    assert nl[triaged["reviewed"]].typology == "cycle"
    dismissed = nl[triaged["dismissed"]]
    assert (dismissed.typology, accounts["homeowners"] in dismissed.accounts) == ("fan_in", True)
    escalated = nl[triaged["escalated"]]
    assert escalated.typology == "structuring"
    events = {
        nl[key].typology: e
        for key in moved
        for e in db.scalars(select(AlertEvent).where(AlertEvent.alert_id == nl[key].id))
    }
    assert events["fan_in"].action == "dismiss"
    assert events["fan_in"].note
    assert events["structuring"].reference == triaged["case"]
    assert (events["scatter_gather"].reference or "").startswith("message ")
    ae = queue(db, "AE-FIU")
    assert {a.status for a in ae} == {"new", "in_review"}
    (reviewed,) = [a for a in ae if a.status == "in_review"]
    assert reviewed.typology == "cross_border"
    assert {a.status for a in queue(db, "NG-NFIU")} == {"new"}


def test_the_disseminated_alert_reached_the_national_police(
    db: Session, demo: Built, facts: dict[str, Any]
) -> None:
    keyring = Keyring.of(demo.settings)
    officer = who(db, "nl-np.officer")
    (summary,) = reading.listing(db, keyring, principal=officer, sender="NL-FIU")
    message = reading.view(db, keyring, principal=officer, message_id=summary.id, now=utcnow())
    assert (message.sender, message.handling_code, message.tlp) == ("NL-FIU", "H2", "AMBER")
    assert message.signature_verified
    assert "scatter gather" in message.subject
    assert facts["triage"]["disseminated"] in message.body
    assert all(mule in message.body for mule in facts["accounts"]["mules"])
