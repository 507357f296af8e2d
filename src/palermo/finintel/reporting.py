"""Reporting (public–private partnership): reporting entities registered with an FIU file
suspicious-transaction reports; each valid report is acknowledged with an FIU reference and
becomes records under the FIU's envelope and transactions in its store. A refused file is
answered with every problem found and leaves nothing behind but the audit line.

Reporters see only their own agency's reports, their statuses and the FIU's messages about
them; the FIU's staff see the reports filed with it; nobody else sees any."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from rigour.ids import IBAN
from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, Outcome
from palermo.audit.service import record as audit
from palermo.db import durable_write, next_number
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.finintel import intake, store
from palermo.finintel.currencies import load_rates
from palermo.finintel.filing import Filing, Problem, ReportRejected
from palermo.finintel.filing import Transfer as Reported
from palermo.finintel.transactions import transfers_batch
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.finintel import FinancialReport, ReportingEntity, ReportMessage
from palermo.models.identity import Agency
from palermo.models.records import Notification
from palermo.notifications import texts
from palermo.records import envelopes
from palermo.records.entities import parse_entity
from palermo.records.envelope import (
    HandlingCode,
    InformationAccuracy,
    Nature,
    Purpose,
    SourceReliability,
    SubjectCategory,
    Tlp,
)
from palermo.records.schemas import EnvelopeIn
from palermo.records.service import Prepared, record_id_for, resolve_references, store_new
from palermo.settings import Settings
from palermo.translatable import N_, written

FIU_STAFF = (Role.officer, Role.analyst, Role.supervisor, Role.agency_admin)
SECTORS = ("bank", "money_service", "payment_institution", "crypto", "casino", "dpms", "other")
STATUSES = ("received", "under_analysis", "information_requested", "disseminated", "closed")
# What a report's page lists as its parties (not the links between them).
PARTIES = ("Person", "Company", "Organization", "LegalEntity", "BankAccount")


def fiu_of(session: Session, principal: Principal) -> Agency:
    """The FIU a principal works for: staff of an FIU agency (or the operator's FIU)."""
    agency = session.get(Agency, principal.agency_id) if principal.agency_id else None
    if agency is None or agency.kind is not AgencyKind.fiu or not principal.has_role(*FIU_STAFF):
        raise Forbidden(N_("this is the work of a financial intelligence unit's staff"))
    return agency


def register(
    session: Session,
    principal: Principal,
    *,
    partner_code: str,
    registration: str,
    sector: str,
    fiu_code: str | None = None,
) -> ReportingEntity:
    """An FIU's administrator (or supervisor) registers a private partner as a reporter."""
    if principal.is_operator:
        if not fiu_code:
            raise Invalid(N_("the node operator must name the FIU (--fiu CODE)"))
        fiu = _agency(session, fiu_code, "FIU")
        if fiu.kind is not AgencyKind.fiu or fiu.id not in principal.acting_agency_ids:
            raise Invalid(N_("%(fiu_code)s is not an FIU hosted on this node"), fiu_code=fiu_code)
    else:
        fiu = fiu_of(session, principal)
        if not principal.has_role(Role.agency_admin, Role.supervisor):
            raise Forbidden(N_("reporters are registered by the FIU's administrator or supervisor"))
    partner = _agency(session, partner_code, "reporting entity")
    if partner.kind is not AgencyKind.private_partner:
        raise Invalid(
            N_("%(code)s is not a private partner (it is a %(kind)s)"),
            code=partner.code,
            kind=partner.kind.value,
        )
    if sector not in SECTORS:
        raise Invalid(
            N_("unknown sector %(sector)s: one of %(sectors)s"),
            sector=repr(sector),
            sectors=", ".join(SECTORS),
        )
    if session.scalar(
        select(ReportingEntity).where(
            ReportingEntity.fiu_agency_id == fiu.id,
            (ReportingEntity.registration == registration)
            | (ReportingEntity.agency_id == partner.id),
        )
    ):
        raise Conflict(
            N_("%(code)s or registration %(registration)s is already registered"),
            code=partner.code,
            registration=registration,
        )
    entity = ReportingEntity(
        agency_id=partner.id, fiu_agency_id=fiu.id, registration=registration, sector=sector
    )
    session.add(entity)
    session.flush()
    audit(
        session,
        action="finintel.reporter.register",
        operation=Operation.alteration,
        principal=principal,
        object_ids=[partner.code],
        detail={"fiu": fiu.code, "registration": registration, "sector": sector},
    )
    return entity


def _agency(session: Session, code: str, what: str) -> Agency:
    agency = directory.agency_by_code(session, code)
    if agency is None:
        raise Invalid(N_("no %(what)s %(code)s"), what=what, code=repr(code))
    return agency


def filer(
    session: Session, principal: Principal, reporter_code: str | None, fiu_code: str | None
) -> ReportingEntity:
    """Who files: a partner for its own agency, or an FIU's staff (or the operator)
    entering a report a registered reporter sent otherwise."""
    query = select(ReportingEntity)
    if principal.private_partner:
        if not principal.has_role(Role.partner) or principal.agency_id is None:
            raise Forbidden(N_("reports are filed by the reporting entity's partner users"))
        if reporter_code and reporter_code.upper() != principal.agency_code:
            raise Forbidden(N_("you file reports for your own agency only"))
        query = query.where(ReportingEntity.agency_id == principal.agency_id)
    else:
        if not principal.is_operator:
            query = query.where(ReportingEntity.fiu_agency_id == fiu_of(session, principal).id)
        if not reporter_code:
            raise Invalid(N_("name the reporting entity that filed the report (--reporter CODE)"))
        reporter = _agency(session, reporter_code, "reporting entity")
        query = query.where(ReportingEntity.agency_id == reporter.id)
    if fiu_code:
        query = query.where(ReportingEntity.fiu_agency_id == _agency(session, fiu_code, "FIU").id)
    found = list(session.scalars(query))
    if principal.is_operator:
        found = [r for r in found if r.fiu_agency_id in principal.acting_agency_ids]
    if not found:
        raise Forbidden(N_("not registered as a reporting entity with that FIU"))
    if len(found) > 1:
        raise Invalid(N_("registered with several FIUs: name the one the report is for (fiu)"))
    return found[0]


def submit(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    content: bytes,
    format: str,
    now: datetime,
    reporter_code: str | None = None,
    fiu_code: str | None = None,
) -> FinancialReport:
    """File one report, all or nothing."""
    registration = filer(session, principal, reporter_code, fiu_code)
    fiu = session.get(Agency, registration.fiu_agency_id)
    reporter = session.get(Agency, registration.agency_id)
    assert fiu is not None
    assert reporter is not None
    fiu_reference = _next_reference(session, fiu, now)
    try:
        filing = intake.read_report(content, format)
        _check_filer(session, filing, registration)
        # The transactions pass the store's checks before anything is written.
        keys = _account_keys(filing)
        checked = (
            transfers_batch(
                [_keyed(t, keys) for t in filing.transfers],
                batch=fiu_reference,
                rates=load_rates(settings.finintel_fx_rates),
            )
            if filing.transfers
            else None
        )
    except ReportRejected as refused:
        _log_refusal(session, principal, reporter, fiu, refused, format)
        raise
    record_ids = _store_entities(
        session, principal, settings, fiu, reporter, filing, fiu_reference, now
    )
    batch = None
    if checked is not None:
        batch = store.add(
            session,
            settings,
            fiu,
            checked,
            source=fiu_reference,
            kind="report",
            principal=principal,
        )
    report = FinancialReport(
        fiu_agency_id=fiu.id,
        reporter_agency_id=reporter.id,
        fiu_reference=fiu_reference,
        reference=filing.reference,
        kind=filing.kind,
        format=filing.format,
        status="received",
        submitted_by=principal.username,
        submitted_at=filing.submitted_at,
        received_at=now,
        reason=filing.reason,
        indicators=list(filing.indicators),
        summary=summary(filing, record_ids),
        record_ids=list(record_ids.values()),
        batch_id=batch.id if batch else None,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    session.add(report)
    session.flush()
    session.add(
        Notification(
            agency_id=fiu.id,
            kind="finintel.report",
            message=written(
                texts.REPORT_RECEIVED,
                kind=filing.kind,
                reference=fiu_reference,
                agency=reporter.code,
            ),
        )
    )
    audit(
        session,
        action="finintel.report.submit",
        operation=Operation.collection,
        principal=principal,
        object_ids=[fiu_reference, *record_ids.values()][:200],
        recipients=[fiu.code],
        detail={
            "reporter": reporter.code,
            "reference": filing.reference,
            "kind": filing.kind,
            "format": filing.format,
            "transactions": len(filing.transfers),
            "sha256": report.sha256,
        },
    )
    return report


def _check_filer(session: Session, filing: Filing, registration: ReportingEntity) -> None:
    problems = []
    if filing.reporter_id != registration.registration:
        problems.append(
            Problem(
                _path(filing, "rentity_id", "reporter_id"),
                "reporter.registration",
                f"the reporting entity is registered as {registration.registration}",
                filing.reporter_id,
            )
        )
    if session.scalar(
        select(FinancialReport.fiu_reference).where(
            FinancialReport.reporter_agency_id == registration.agency_id,
            FinancialReport.reference == filing.reference,
        )
    ):
        problems.append(
            Problem(
                _path(filing, "entity_reference", "reference"),
                "reference.unique",
                "a report with this reference was filed already (correct it with a new one)",
                filing.reference,
            )
        )
    if problems:
        raise ReportRejected(problems)


def _path(filing: Filing, goaml: str, tabular: str) -> str:
    return f"/report/{goaml}" if filing.format == "goaml" else tabular


def _log_refusal(
    session: Session,
    principal: Principal,
    reporter: Agency,
    fiu: Agency,
    refused: ReportRejected,
    format: str,
) -> None:
    """Logged in its own transaction: the refusal rolls back everything else."""

    def write(s: Session) -> None:
        audit(
            s,
            action="finintel.report.submit",
            operation=Operation.collection,
            outcome=Outcome.failure,
            principal=principal,
            recipients=[fiu.code],
            detail={
                "reporter": reporter.code,
                "format": format,
                "problems": len(refused.problems),
                "first": refused.problems[0].as_dict(),
            },
        )

    durable_write(session, write)


def _next_reference(session: Session, fiu: Agency, now: datetime) -> str:
    prefix = f"{fiu.code}-{now.year}-"

    def numbered() -> int:
        return (
            session.scalar(
                select(func.count()).where(
                    FinancialReport.fiu_agency_id == fiu.id,
                    FinancialReport.fiu_reference.startswith(prefix),
                )
            )
            or 0
        )

    return f"{prefix}{next_number(session, f'report:{prefix}', numbered=numbered):06d}"


def _store_entities(
    session: Session,
    principal: Principal,
    settings: Settings,
    fiu: Agency,
    reporter: Agency,
    filing: Filing,
    fiu_reference: str,
    now: datetime,
) -> dict[str, str]:
    """The report's parties, accounts and payments as the FIU's records (H2, TLP:AMBER: an
    FIU's information is disseminated only with its consent — Egmont principles)."""
    # Numbered in the report's order: the ids say which report a record came from.
    batch = {
        e["id"]: record_id_for(fiu, f"{fiu_reference}.{n}".lower())
        for n, e in enumerate(filing.entities, 1)
    }
    prepared = []
    for entity in filing.entities:
        data = resolve_references(parse_entity(entity), owner=fiu, batch=batch, existing=set())
        envelope = envelopes.resolve(
            session,
            envelope=_envelope(filing, reporter, entity["id"], data.is_person),
            entity=data,
            owner=fiu,
            settings=settings,
            today=now.date(),
        )
        prepared.append(Prepared(batch[entity["id"]], data, envelope))
    store_new(session, prepared, principal=principal, owner=fiu, origin="report", now=now)
    return batch


def _envelope(filing: Filing, reporter: Agency, entity_id: str, is_person: bool) -> EnvelopeIn:
    category = None
    if is_person:
        category = (
            SubjectCategory.suspect if entity_id in filing.subjects else SubjectCategory.contact
        )
    return EnvelopeIn(
        subject_category=category,
        nature=Nature.fact,
        source_reliability=SourceReliability.B,
        information_accuracy=InformationAccuracy.known_to_source,
        handling_code=HandlingCode.H2,
        tlp=Tlp.amber,
        purposes=[Purpose.financial_intelligence, Purpose.criminal_analysis],
        legal_basis=(
            f"{filing.kind} filed by {reporter.code} under the AML/CFT reporting obligation "
            "(FATF Recommendation 20; Directive (EU) 2015/849 Art. 33)"
        ),
    )


def _account_keys(filing: Filing) -> dict[str, str]:
    """An account's key in the store is what names it in banks' returns too — its IBAN
    (also when a report gives the IBAN as the account number), else its number as written
    without spaces — not the report's local id."""
    keys = {}
    for entity in filing.entities:
        if entity["schema"] != "BankAccount":
            continue
        props = entity.get("properties", {})
        numbers = [*props.get("iban", []), *props.get("accountNumber", [])]
        iban = next((n for n in numbers if IBAN.is_valid(n)), None)
        if iban is not None:
            keys[entity["id"]] = IBAN.normalize(iban) or iban
        elif props.get("accountNumber"):
            keys[entity["id"]] = props["accountNumber"][0].replace(" ", "").upper()
    return keys


def _keyed(transfer: Reported, keys: dict[str, str]) -> Reported:
    """In the store's terms: accounts by key, and a side without an account is cash (the
    goAML transmode, e.g. a wire paid for with cash, stays on the Payment record)."""
    source = keys.get(transfer.source, transfer.source) if transfer.source else None
    target = keys.get(transfer.target, transfer.target) if transfer.target else None
    channel = "cash" if source is None or target is None else transfer.channel
    return replace(transfer, source=source, target=target, channel=channel)


def summary(filing: Filing, record_ids: dict[str, str]) -> dict[str, Any]:
    """What the report's page shows without opening the records."""
    captions = {}
    for entity in filing.entities:
        props = entity.get("properties", {})
        name = (props.get("name") or props.get("iban") or props.get("accountNumber") or [""])[0]
        captions[entity["id"]] = name or entity["id"]
    return {
        "branch": filing.branch,
        "action": filing.action,
        "currency": filing.currency,
        "parties": [
            {
                "record_id": record_ids[e["id"]],
                "schema": e["schema"],
                "caption": captions[e["id"]],
                "subject": e["id"] in filing.subjects,
            }
            for e in filing.entities
            if e["schema"] in PARTIES
        ],
        "transactions": [
            {
                "number": t.number,
                "time": t.time.isoformat(),
                "amount": t.amount,
                "currency": t.currency,
                "source": captions.get(t.source or "", t.source),
                "target": captions.get(t.target or "", t.target),
                "source_country": t.source_country,
                "target_country": t.target_country,
                "channel": t.channel,
            }
            for t in filing.transfers
        ],
        "total": round(sum(t.amount for t in filing.transfers), 2),
    }


# Reading, statuses and messages -------------------------------------------------------------
def visible(session: Session, principal: Principal) -> ColumnElement[bool]:
    """Reporters: their own agency's reports. FIU staff: the reports filed with the FIU."""
    if principal.private_partner:
        if not principal.has_role(Role.partner) or principal.agency_id is None:
            return false()
        return FinancialReport.reporter_agency_id == principal.agency_id
    try:
        return FinancialReport.fiu_agency_id == fiu_of(session, principal).id
    except Forbidden:
        return false()


def list_reports(
    session: Session, principal: Principal, *, status: str | None = None, limit: int = 100
) -> list[FinancialReport]:
    query = select(FinancialReport).where(visible(session, principal))
    if status:
        query = query.where(FinancialReport.status == status)
    return list(session.scalars(query.order_by(FinancialReport.received_at.desc()).limit(limit)))


def get_report(session: Session, principal: Principal, fiu_reference: str) -> FinancialReport:
    report = session.scalar(
        select(FinancialReport).where(
            FinancialReport.fiu_reference == fiu_reference, visible(session, principal)
        )
    )
    if report is None:
        raise NotFound(N_("no report %(fiu_reference)s"), fiu_reference=fiu_reference)
    audit(
        session,
        action="finintel.report.read",
        operation=Operation.consultation,
        principal=principal,
        object_ids=[fiu_reference],
    )
    return report


def messages(session: Session, report: FinancialReport) -> list[ReportMessage]:
    return list(
        session.scalars(
            select(ReportMessage)
            .where(ReportMessage.report_id == report.id)
            .order_by(ReportMessage.created_at)
        )
    )


def add_message(
    session: Session,
    principal: Principal,
    fiu_reference: str,
    *,
    kind: str,
    body: str,
    now: datetime,
) -> ReportMessage:
    """The FIU's feedback or request for more information, or the reporter's reply."""
    report = get_report(session, principal, fiu_reference)
    from_reporter = principal.private_partner
    allowed = {"reply"} if from_reporter else {"feedback", "information_request"}
    if kind not in allowed:
        raise Invalid(
            N_("%(kind)s: you may send %(allowed)s"),
            kind=repr(kind),
            allowed=", ".join(sorted(allowed)),
        )
    if not body.strip():
        raise Invalid(N_("the message is empty"))
    assert principal.agency_id is not None
    message = ReportMessage(
        report_id=report.id,
        agency_id=principal.agency_id,
        username=principal.username,
        kind=kind,
        body=body.strip(),
        created_at=now,
    )
    session.add(message)
    if kind == "information_request":
        report.status = "information_requested"
    elif kind == "reply" and report.status == "information_requested":
        report.status = "under_analysis"
    session.add(
        Notification(
            agency_id=report.fiu_agency_id if from_reporter else report.reporter_agency_id,
            kind=f"finintel.{kind}",
            message=written(texts.REPORT_EXCHANGE[kind], reference=report.fiu_reference),
        )
    )
    session.flush()
    audit(
        session,
        action=f"finintel.report.{kind}",
        operation=Operation.disclosure,
        principal=principal,
        object_ids=[report.fiu_reference],
    )
    return message


def set_status(
    session: Session, principal: Principal, fiu_reference: str, status: str
) -> FinancialReport:
    fiu_of(session, principal)
    if status not in STATUSES:
        raise Invalid(
            N_("unknown status %(status)s: one of %(statuses)s"),
            status=repr(status),
            statuses=", ".join(STATUSES),
        )
    report = get_report(session, principal, fiu_reference)
    report.status = status
    audit(
        session,
        action="finintel.report.status",
        operation=Operation.alteration,
        principal=principal,
        object_ids=[fiu_reference],
        detail={"status": status},
    )
    return report


def reporters(session: Session, principal: Principal) -> list[tuple[ReportingEntity, Agency]]:
    fiu = fiu_of(session, principal)
    rows = session.execute(
        select(ReportingEntity, Agency)
        .join(Agency, Agency.id == ReportingEntity.agency_id)
        .where(ReportingEntity.fiu_agency_id == fiu.id)
        .order_by(Agency.code)
    ).all()
    return [(r, a) for r, a in rows]
