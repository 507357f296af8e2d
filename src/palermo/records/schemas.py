"""API shapes of records: the envelope in and out, full records and hit-only references."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from palermo.errors import Invalid
from palermo.records.envelope import (
    AccessLevel,
    HandlingCode,
    InformationAccuracy,
    Nature,
    Purpose,
    RecordStatus,
    ShareScope,
    SourceReliability,
    SubjectCategory,
    Tlp,
)


class ShareIn(BaseModel):
    scope: ShareScope
    agency: str | None = Field(default=None, description="agency code when scope is agency")
    country: str | None = Field(default=None, description="ISO alpha-2 when scope is country")
    level: AccessLevel = AccessLevel.full


class EnvelopeIn(BaseModel):
    """How the record may be used. Defaults are the protective ones (LED Art. 20)."""

    subject_category: SubjectCategory | None = Field(
        default=None, description="mandatory for persons (LED Art. 6)"
    )
    nature: Nature = Nature.fact
    source_reliability: SourceReliability = SourceReliability.X
    information_accuracy: InformationAccuracy = InformationAccuracy.not_assessed
    handling_code: HandlingCode = HandlingCode.H2
    handling_note: str | None = Field(default=None, max_length=2000)
    tlp: Tlp = Tlp.amber
    purposes: list[Purpose] = Field(default=[Purpose.criminal_investigation], min_length=1)
    shares: list[ShareIn] = Field(default=[], max_length=500)
    legal_basis: str = Field(min_length=3, max_length=2000)
    offences: list[str] = Field(default=[], description="UNODC ICCS codes", max_length=50)
    review_due: date | None = None
    delete_by: date | None = None


def envelope_of(sent: str | Mapping[str, Any]) -> EnvelopeIn:
    """The one envelope of an import: JSON (an API parameter) or a form's fields."""
    try:
        if isinstance(sent, str):
            return EnvelopeIn.model_validate_json(sent)
        return EnvelopeIn.model_validate(sent)
    except ValidationError as error:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'envelope'}: {e['msg']}"
            for e in error.errors()
        )
        raise Invalid(f"the envelope is not valid: {reasons}") from None


class ShareOut(BaseModel):
    scope: ShareScope
    agency: str | None
    country: str | None
    level: AccessLevel


class EnvelopeOut(BaseModel):
    owner_agency: str
    subject_category: SubjectCategory | None
    nature: Nature
    evaluation: str = Field(description="source reliability and information accuracy, e.g. B2")
    handling_code: HandlingCode
    handling_note: str | None
    tlp: Tlp
    purposes: list[Purpose]
    shares: list[ShareOut]
    legal_basis: str
    offences: list[str]
    review_due: date
    delete_by: date | None


class EntityIn(BaseModel):
    """A FollowTheMoney entity: {"schema": "Person", "properties": {"name": ["…"]}}."""

    id: str | None = Field(default=None, max_length=200)
    schema_: str = Field(alias="schema")
    properties: dict[str, list[Any]] = {}

    def as_ftm(self) -> dict[str, Any]:
        return {"id": self.id, "schema": self.schema_, "properties": self.properties}


class RecordIn(BaseModel):
    entity: EntityIn
    envelope: EnvelopeIn


class RecordUpdate(BaseModel):
    properties: dict[str, list[Any]] | None = Field(
        default=None, description="the new full set of properties (omitted: unchanged)"
    )
    envelope: EnvelopeIn | None = None
    widen: bool = Field(
        default=False,
        description="the owner's deliberate decision to relax restrictions (supervisors only)",
    )


class RecordOut(BaseModel):
    access: Literal["full"] = "full"
    id: str
    schema_: str = Field(alias="schema")
    caption: str
    status: RecordStatus
    version: int
    created_at: datetime
    updated_at: datetime
    properties: dict[str, list[str]]
    envelope: EnvelopeOut


class HitOut(BaseModel):
    """A hit/no-hit answer: the reference and who to ask, nothing else."""

    access: Literal["hit_only"] = "hit_only"
    id: str
    schema_: str = Field(alias="schema")
    owner_agency: str


class SearchOut(BaseModel):
    total: int
    items: list[RecordOut | HitOut]


class StatementChange(BaseModel):
    prop: str
    value: str
    origin: str


class VersionOut(BaseModel):
    version: int
    at: datetime
    actor: str
    agency: str | None
    operation: str
    added: list[StatementChange]
    removed: list[StatementChange]
    envelope: dict[str, Any] | None = Field(
        description="the envelope this version left, if changed"
    )


class GrantIn(BaseModel):
    grantee: str = Field(description="agency code")
    level: AccessLevel = AccessLevel.full
    schema_: str | None = Field(default=None, alias="schema")
    purpose: Purpose | None = None
    record_id: str | None = None
    reason: str = Field(min_length=3, max_length=2000)
    expires_at: datetime | None = None


class GrantOut(BaseModel):
    id: str
    owner: str
    grantee: str
    level: AccessLevel
    schema_: str | None = Field(alias="schema")
    purpose: Purpose | None
    record_id: str | None
    reason: str
    granted_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class ReviewIn(BaseModel):
    decision: Literal["retain", "erase"]
    reason: str = Field(min_length=3, max_length=2000)
    review_due: date | None = Field(default=None, description="next review when retained")
    delete_by: date | None = None
