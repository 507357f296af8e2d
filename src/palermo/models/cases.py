"""Cross-border investigations: cases and their member agencies, subjects, timeline, joint
investigation teams, tasks, evidence with its custody log and hand-overs, authorisations of
special investigative techniques, and action days with their results."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from palermo.cases.vocabulary import (
    ActionStatus,
    CaseStatus,
    CustodyKind,
    EvidenceKind,
    HandoverStatus,
    JitStatus,
    MemberRole,
    ResultKind,
    TaskStatus,
    Technique,
)
from palermo.models.base import Base, CreatedMixin, IdMixin, str_enum


class Case(IdMixin, CreatedMixin, Base):
    __tablename__ = "cases"

    reference: Mapped[str] = mapped_column(String(64), unique=True)  # "NL-NP/C/2026/0003"
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    lead_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, "case_status"))
    offences: Mapped[list[str]] = mapped_column(JSON)  # ICCS codes
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    closure: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(128))


class CaseMember(Base):
    """An agency taking part in a case, under its own legal basis; a member that left keeps
    its row (`left_at`) so the timeline and its contributions still name it."""

    __tablename__ = "case_members"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id"), primary_key=True, index=True
    )
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "member_role"))
    legal_basis: Mapped[str] = mapped_column(String(500))
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class CaseSubject(Base):
    """A record the case is about; it keeps its envelope, so each member sees of it what the
    records policy lets it see."""

    __tablename__ = "case_subjects"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id"), primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))  # who added it
    added_at: Mapped[datetime]


class CaseEvent(Base):
    """The case's timeline: joining, leaving, tasks, evidence, authorisations, action days."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # in the order written

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    actor: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(48))
    summary: Mapped[str] = mapped_column(String(500))


class JitAgreement(IdMixin, CreatedMixin, Base):
    """The written agreement setting up a joint investigation team for a case."""

    __tablename__ = "jit_agreements"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), unique=True
    )
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    evidence_rules: Mapped[str] = mapped_column(Text)  # how shared information is evidence
    status: Mapped[JitStatus] = mapped_column(str_enum(JitStatus, "jit_status"))
    in_force_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    evaluation: Mapped[str | None] = mapped_column(Text)


class JitParty(Base):
    __tablename__ = "jit_parties"

    jit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jit_agreements.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    applicable_law: Mapped[str] = mapped_column(String(500))
    signed_on: Mapped[date | None]


class JitExtension(IdMixin, Base):
    __tablename__ = "jit_extensions"

    jit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jit_agreements.id", ondelete="CASCADE"), index=True
    )
    previous_end: Mapped[date]
    new_end: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    agreed_on: Mapped[date]


class CaseTask(IdMixin, CreatedMixin, Base):
    __tablename__ = "case_tasks"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None]
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus, "case_task_status"))
    result: Mapped[str | None] = mapped_column(Text)
    result_record_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    set_by_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    closed_at: Mapped[datetime | None]


class EvidenceFile(Base):
    """A file's bytes, addressed by their SHA-256."""

    __tablename__ = "evidence_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class EvidenceItem(IdMixin, CreatedMixin, Base):
    __tablename__ = "evidence_items"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(80), unique=True)  # "<case>/E/0001"
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, "evidence_kind"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))  # contributed it
    handling: Mapped[str] = mapped_column(String(2))  # H0–H3, as the records' envelopes
    # The digest recorded at collection; every access compares the stored bytes with it.
    sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None] = mapped_column(BigInteger)
    collected_at: Mapped[datetime]
    collected_place: Mapped[str] = mapped_column(String(300))
    holder_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    integrity_failed_at: Mapped[datetime | None]


class CustodyEntry(IdMixin, Base):
    """One line of an item's custody log, chained to the previous one by its hash."""

    __tablename__ = "custody_entries"
    __table_args__ = (UniqueConstraint("evidence_id", "seq"),)

    evidence_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    kind: Mapped[CustodyKind] = mapped_column(str_enum(CustodyKind, "custody_kind"))
    agency: Mapped[str] = mapped_column(String(64))  # code, so the log reads on its own
    actor: Mapped[str] = mapped_column(String(128))
    place: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    observed_sha256: Mapped[str | None] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    handover_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evidence_handovers.id"))


class EvidenceHandover(IdMixin, Base):
    """A transfer of custody between agencies: a statement signed (Ed25519) by the agency
    releasing the item and, on receipt, countersigned by the agency taking it."""

    __tablename__ = "evidence_handovers"

    evidence_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True
    )
    from_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    to_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    kid: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[HandoverStatus] = mapped_column(str_enum(HandoverStatus, "handover_status"))
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    receipt_kid: Mapped[str | None] = mapped_column(String(64))
    receipt_signature: Mapped[bytes | None] = mapped_column(LargeBinary)


class Authorisation(IdMixin, CreatedMixin, Base):
    """The authority's permission to use a special investigative technique: its scope, the
    days and the jurisdictions where it holds."""

    __tablename__ = "sit_authorisations"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    reference: Mapped[str] = mapped_column(String(128))
    technique: Mapped[Technique] = mapped_column(str_enum(Technique, "sit_technique"))
    authority: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))  # acts under it
    scope: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)
    jurisdictions: Mapped[list[str]] = mapped_column(JSON)  # ISO countries
    revoked_on: Mapped[date | None]


class TechniqueActivity(IdMixin, Base):
    """Something done under an authorisation, logged where and when it was done."""

    __tablename__ = "sit_activities"

    authorisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sit_authorisations.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date]
    country: Mapped[str] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    actor: Mapped[str] = mapped_column(String(128))
    logged_at: Mapped[datetime]


class ActionDay(IdMixin, CreatedMixin, Base):
    """A coordinated operation: simultaneous arrests, searches and seizures in several
    countries, each at its own local time."""

    __tablename__ = "action_days"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_status"))
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class ActionCountry(Base):
    __tablename__ = "action_countries"

    action_day_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("action_days.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))  # leads it there
    planned_at: Mapped[datetime]  # UTC
    timezone: Mapped[str] = mapped_column(String(64))  # IANA, for the local time


class ActionTarget(IdMixin, Base):
    __tablename__ = "action_targets"

    action_day_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("action_days.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))
    label: Mapped[str] = mapped_column(String(300))
    record_id: Mapped[str | None] = mapped_column(ForeignKey("records.id"))


class ActionResult(IdMixin, Base):
    """One result reported on the board: an arrest, a search, a seizure of a quantity…"""

    __tablename__ = "action_results"

    action_day_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("action_days.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[ResultKind] = mapped_column(str_enum(ResultKind, "result_kind"))
    item: Mapped[str] = mapped_column(String(100), default="")  # "cocaine", "cash", "firearm"
    # In thousandths of the unit, so kilograms and euros add up exactly.
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("action_targets.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    reported_by: Mapped[str] = mapped_column(String(128))
    reported_at: Mapped[datetime]
