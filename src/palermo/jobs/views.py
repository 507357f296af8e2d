"""A job as the workspace and `/api/jobs` show it, whatever its kind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ACTIVE = frozenset({"queued", "running"})


@dataclass(frozen=True)
class Text:
    """A message translated where it is shown (marked with `N_` where it is written), with
    the values of its placeholders; `str()` gives it in English (the API's language)."""

    message: str
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.values if self.values else self.message


@dataclass(frozen=True)
class Fact:
    """One figure of a job's result: `key` for programs, `label` (translatable) for people."""

    key: str
    label: str
    value: int | float | str


@dataclass(frozen=True)
class Link:
    """Where a job's result is read (or downloaded) in full."""

    url: str
    label: str  # translatable
    download: bool = False


@dataclass(frozen=True)
class JobView:
    kind: str
    kind_title: str  # translatable
    id: uuid.UUID
    title: Text
    username: str
    created_at: datetime
    finished_at: datetime | None
    status: str  # queued, running, done, failed
    done: int  # lines screened, or stages passed
    total: int
    stage: str | None  # translatable title of the stage a running job is in
    counted: Text | None  # what `done` of `total` counts ("… lines screened"); else stages
    facts: tuple[Fact, ...]
    page: str  # the job's page in the workspace, which shows it live
    result: Link | None
    error: str | None
    problems: tuple[Text, ...] = ()  # what a refused file's error is about, line by line

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def fraction(self) -> float | None:
        """How far the job is, from 0 to 1; None while it cannot tell (queued, no count)."""
        if self.status == "done":
            return 1.0
        if self.total <= 0 or self.status == "queued":
            return None
        return min(1.0, self.done / self.total)
