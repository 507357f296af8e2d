"""API shapes of cross-border investigations: cases, members, subjects, tasks, JIT
agreements, authorisations of special investigative techniques and action days."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from palermo.cases.vocabulary import (
    ActionStatus,
    CaseStatus,
    JitStatus,
    MemberRole,
    ResultKind,
    TaskStatus,
    Technique,
)
from palermo.identity.schemas import Country

Code = Field(min_length=2, max_length=32, description="an agency code")
LegalBasis = Field(min_length=3, max_length=500, description="the member's legal basis")


class CaseIn(BaseModel):
    title: str = Field(min_length=3, max_length=300)
    summary: str = Field(default="", max_length=10_000)
    offences: list[str] = Field(min_length=1, max_length=20, description="ICCS codes")
    legal_basis: str = LegalBasis
    opened_on: date | None = Field(default=None, description="today if not given")
    agency: str | None = Field(default=None, description="the lead (node operator only)")


class MemberIn(BaseModel):
    agency: str = Code
    role: MemberRole = MemberRole.participant
    legal_basis: str = LegalBasis


class RoleIn(BaseModel):
    role: MemberRole


class CloseIn(BaseModel):
    closure: str = Field(min_length=10, max_length=10_000, description="how the case ended")
    closed_on: date


class MemberOut(BaseModel):
    agency: str
    country: str
    role: MemberRole
    legal_basis: str
    joined_at: datetime
    left_at: datetime | None


class CaseOut(BaseModel):
    id: uuid.UUID
    reference: str
    title: str
    lead: str
    status: CaseStatus
    offences: list[str]
    opened_on: date
    closed_on: date | None
    my_role: MemberRole


class SubjectIn(BaseModel):
    record_id: str = Field(min_length=1, max_length=128)


class SubjectOut(BaseModel):
    record_id: str
    schema_: str = Field(alias="schema")
    caption: str | None = Field(description="absent where you see a hit only")
    owner: str
    added_by: str


class TaskIn(BaseModel):
    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=10_000)
    agency: str = Code
    assignee: str | None = Field(default=None, max_length=64, description="a username")
    due_on: date | None = None


class TaskUpdate(BaseModel):
    status: TaskStatus
    result: str | None = Field(default=None, max_length=10_000)
    result_records: list[str] = Field(default=[], max_length=100)


class TaskOut(BaseModel):
    id: uuid.UUID
    number: int
    title: str
    description: str
    agency: str
    assignee: str | None
    due_on: date | None
    status: TaskStatus
    result: str | None
    result_records: list[str]
    set_by: str
    overdue: bool


class EventOut(BaseModel):
    at: datetime
    agency: str | None
    actor: str
    kind: str
    summary: str


class PartyIn(BaseModel):
    agency: str = Code
    applicable_law: str = Field(min_length=3, max_length=500)


class JitIn(BaseModel):
    reference: str = Field(min_length=3, max_length=64)
    purpose: str = Field(min_length=10, max_length=10_000)
    starts_on: date
    ends_on: date
    evidence_rules: str = Field(min_length=10, max_length=10_000)
    parties: list[PartyIn] = Field(min_length=2, max_length=30)


class SignIn(BaseModel):
    signed_on: date


class ExtendIn(BaseModel):
    new_end: date
    reason: str = Field(min_length=5, max_length=2000)
    agreed_on: date


class JitCloseIn(BaseModel):
    closed_on: date
    evaluation: str = Field(min_length=20, max_length=20_000)


class PartyOut(BaseModel):
    agency: str
    applicable_law: str
    signed_on: date | None


class ExtensionOut(BaseModel):
    previous_end: date
    new_end: date
    reason: str
    agreed_on: date


class JitOut(BaseModel):
    reference: str
    purpose: str
    starts_on: date
    ends_on: date
    evidence_rules: str
    status: JitStatus
    lapsed: bool
    in_force_on: date | None
    closed_on: date | None
    evaluation: str | None
    parties: list[PartyOut]
    extensions: list[ExtensionOut]


class AuthorisationIn(BaseModel):
    technique: Technique
    reference: str = Field(min_length=2, max_length=128)
    authority: str = Field(min_length=2, max_length=300)
    scope: str = Field(min_length=5, max_length=10_000)
    valid_from: date
    valid_until: date
    jurisdictions: list[Country] = Field(min_length=1, max_length=50)


class RevokeIn(BaseModel):
    on: date


class ActivityIn(BaseModel):
    on: date
    country: Country
    description: str = Field(min_length=3, max_length=10_000)


class ActivityOut(BaseModel):
    on: date
    country: str
    description: str
    agency: str
    actor: str


class AuthorisationOut(BaseModel):
    id: uuid.UUID
    reference: str
    technique: Technique
    authority: str
    agency: str
    scope: str
    valid_from: date
    valid_until: date
    jurisdictions: list[str]
    revoked_on: date | None
    days_left: int
    activities: list[ActivityOut]


class CountryPlanIn(BaseModel):
    country: Country
    agency: str = Code
    local_time: datetime = Field(description="wall-clock time where the teams act, no offset")
    timezone: str = Field(min_length=3, max_length=64, examples=["Europe/Amsterdam"])


class ActionDayIn(BaseModel):
    name: str = Field(min_length=3, max_length=200)
    countries: list[CountryPlanIn] = Field(min_length=1, max_length=60)


class TargetIn(BaseModel):
    country: Country
    label: str = Field(min_length=2, max_length=300)
    record_id: str | None = Field(default=None, max_length=128)


class ResultIn(BaseModel):
    country: Country
    kind: ResultKind
    quantity: Decimal = Field(default=Decimal(1), gt=0, lt=Decimal(10) ** 12)
    unit: str | None = Field(default=None, max_length=16, description="kg, units, EUR…")
    item: str = Field(default="", max_length=100, description="cocaine, cash, firearm…")
    target: uuid.UUID | None = None
    note: str = Field(default="", max_length=500)


class CountryOut(BaseModel):
    country: str
    agency: str
    planned_at: datetime
    timezone: str
    local_time: str


class TargetOut(BaseModel):
    id: uuid.UUID
    country: str
    label: str
    record_id: str | None


class ResultOut(BaseModel):
    country: str
    kind: ResultKind
    item: str
    quantity: Decimal
    unit: str
    note: str
    agency: str
    reported_by: str
    reported_at: datetime


class QuantityOut(BaseModel):
    kind: ResultKind
    item: str
    unit: str
    quantity: Decimal


class TallyOut(BaseModel):
    arrests: int
    searches: int
    victims_safeguarded: int
    quantities: list[QuantityOut]


class ActionDayOut(BaseModel):
    id: uuid.UUID
    name: str
    status: ActionStatus
    started_at: datetime | None
    closed_at: datetime | None
    countries: list[CountryOut]
    targets: list[TargetOut]
    board: list[ResultOut]
    by_country: dict[str, TallyOut]
    total: TallyOut


class CaseDetail(CaseOut):
    summary: str
    closure: str | None
    members: list[MemberOut]
    subjects: list[SubjectOut]
    withheld_subjects: dict[str, int] = Field(
        description="subjects you may not see, by the agency that added them"
    )
    tasks: list[TaskOut]
    jit: JitOut | None
    authorisations: list[AuthorisationOut]
    action_days: list[uuid.UUID]
    timeline: list[EventOut]
