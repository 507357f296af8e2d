"""What screening answers, over the API, the CLI's JSON and batch files."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from palermo.screening.entries import Entry
from palermo.screening.scoring import ALGORITHM, HIT_ONLY, Match


class ScreenHit(BaseModel):
    """A full hit carries what matched and why; a hit-only one the reference and owner."""

    model_config = ConfigDict(populate_by_name=True)

    record_id: str
    access: Literal["full", "hit_only"]
    score: float | None
    alert: bool
    algorithm: str = ALGORITHM
    schema_: str = Field(alias="schema")
    caption: str | None = None
    names: list[str] = []
    birth_dates: list[str] = []
    countries: list[str] = []
    source: str | None = None
    source_ref: str | None = None
    owner_agency: str
    explanation: list[str] = []

    @classmethod
    def full(
        cls,
        entry: Entry,
        match: Match,
        caption: str,
        owner: str,
        source: str | None,
        source_ref: str | None,
    ) -> ScreenHit:
        return cls(
            record_id=entry.record_id,
            access="full",
            score=match.score,
            alert=match.alert,
            schema_=entry.schema,
            caption=caption,
            names=sorted({n.original for n in entry.names}),
            birth_dates=list(entry.birth_dates),
            countries=sorted(entry.countries),
            source=source,
            source_ref=source_ref,
            owner_agency=owner,
            explanation=match.explanation,
        )

    @classmethod
    def hit_only(cls, record_id: str, schema: str, owner: str) -> ScreenHit:
        # Above the alert threshold by construction; the score itself would tell how alike
        # the hidden record is, so it is withheld with everything else.
        return cls(
            record_id=record_id,
            access="hit_only",
            score=None,
            alert=True,
            schema_=schema,
            owner_agency=owner,
            explanation=[HIT_ONLY],
        )


class ScreenIn(BaseModel):
    name: str = ""
    birth_date: str | None = None
    nationality: str | None = None
    gender: str | None = None
    document: str | None = None
    schema_: str = Field("Person", alias="schema")
    limit: int = Field(10, ge=1, le=100)
    purpose: str
    justification: str

    model_config = ConfigDict(populate_by_name=True)


class ScreenOut(BaseModel):
    algorithm: str = ALGORITHM
    threshold: float
    hits: list[ScreenHit]
