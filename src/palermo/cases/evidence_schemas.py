"""API shapes of a case's evidence: items, their custody log, hand-overs and exports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from palermo.cases.vocabulary import CustodyKind, EvidenceKind, HandoverStatus
from palermo.records.envelope import HandlingCode


class EvidenceBase(BaseModel):
    """What describes an item, whichever way its file comes: as JSON (`EvidenceIn`) or
    uploaded with a web form."""

    kind: EvidenceKind
    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=10_000)
    handling: HandlingCode = HandlingCode.H0
    collected_at: AwareDatetime
    collected_place: str = Field(min_length=2, max_length=300)
    file_name: str | None = Field(default=None, min_length=1, max_length=255)
    media_type: str | None = Field(default=None, max_length=128)


class EvidenceIn(EvidenceBase):
    """A digital item carries its file as `content_base64` (with `file_name` and
    `media_type`); a physical item is described and carries none of the three."""

    content_base64: str | None = Field(default=None, description="digital items: the file")

    @model_validator(mode="after")
    def _content_matches_kind(self) -> EvidenceIn:
        if self.kind is EvidenceKind.digital and not self.content_base64:
            raise ValueError("a digital item needs content_base64 (the file)")
        if self.kind is EvidenceKind.physical and (
            self.content_base64 is not None or self.file_name or self.media_type
        ):
            raise ValueError("a physical item has no content_base64, file_name or media_type")
        return self


class EvidenceOut(BaseModel):
    id: uuid.UUID
    reference: str
    kind: EvidenceKind
    title: str
    description: str
    handling: str
    contributed_by: str
    holder: str
    sha256: str | None
    file_name: str | None
    media_type: str | None
    size: int | None
    collected_at: datetime
    collected_place: str
    integrity_failed_at: datetime | None = Field(
        description="when the stored bytes first failed to match the recorded digest"
    )


class CustodyOut(BaseModel):
    seq: int
    at: datetime
    kind: CustodyKind
    agency: str
    actor: str
    place: str
    note: str
    observed_sha256: str | None
    handover: uuid.UUID | None
    previous_hash: str
    entry_hash: str


class HandoverOut(BaseModel):
    id: uuid.UUID
    item: str
    from_agency: str
    to_agency: str
    status: HandoverStatus
    statement: dict[str, Any]
    kid: str
    signature: str = Field(description="Ed25519 over the canonical statement, base64")
    receipt: dict[str, Any] | None
    receipt_kid: str | None
    receipt_signature: str | None


class EvidenceDetail(EvidenceOut):
    intact: bool | None = Field(
        description="the stored bytes match the recorded digest (null: a physical item)"
    )
    observed_sha256: str | None = Field(
        description="what the stored bytes hash to now (null: a physical item, or missing)"
    )
    chain_ok: bool
    chain_problems: list[str]
    custody: list[CustodyOut]
    handovers: list[HandoverOut]


class VerificationOut(BaseModel):
    reference: str
    intact: bool | None
    recorded_sha256: str | None
    observed_sha256: str | None
    chain_ok: bool
    chain_problems: list[str]


class HandoverIn(BaseModel):
    to: str = Field(min_length=2, max_length=32, description="the recipient agency's code")
    place: str = Field(min_length=2, max_length=300)
    note: str = Field(default="", max_length=1000)


class ReceiptIn(BaseModel):
    place: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=1000)


class SignedHandoverIn(ReceiptIn):
    """A hand-over statement signed elsewhere (a peer node's agency), received here."""

    statement: dict[str, Any]
    kid: str = Field(min_length=1, max_length=64)
    signature: str = Field(min_length=1, max_length=200, description="base64 Ed25519")


class ExportIn(BaseModel):
    items: list[str] = Field(
        min_length=1, max_length=500, description="item ids, references or numbers"
    )
