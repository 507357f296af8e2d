"""The shapes of a global search: typed results and each type's tally."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Literal

from pydantic import BaseModel, Field


class ResultKind(enum.StrEnum):
    record = "record"
    case = "case"
    notice = "notice"
    message = "message"
    request = "request"
    asset = "asset"


class SearchResult(BaseModel):
    """One thing found. A hit-only record carries its reference, schema and owner only."""

    kind: ResultKind
    access: Literal["full", "hit_only"] = "full"
    reference: str | None = Field(
        description="record id, case, request or asset reference, notice number (none for a "
        "notice not yet published), the case a message is about"
    )
    title: str | None = Field(description="absent where you see a hit only")
    snippet: str | None = None
    schema_: str | None = Field(default=None, alias="schema", description="records only")
    agency: str = Field(description="owner, lead, requesting, sending or managing agency")
    link: str = Field(description="the page that shows it")
    date: dt.datetime | dt.date | None = None

    model_config = {"populate_by_name": True}


class KindTally(BaseModel):
    """What one type holds for the query."""

    kind: ResultKind
    count: int | None = Field(
        default=None,
        description="how many match (at least, when `more` is true); none: not searched",
    )
    more: bool = Field(default=False, description="more match than were counted")
    needs_context: bool = Field(
        default=False,
        description="not searched: a purpose and justification must be declared first",
    )


class SearchOut(BaseModel):
    query: str
    kind: ResultKind | None = Field(description="the type searched alone, if one was asked")
    tallies: list[KindTally]
    results: list[SearchResult]
