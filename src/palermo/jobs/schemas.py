"""The jobs overview on the wire."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from palermo.jobs.views import JobView


class JobSummaryOut(BaseModel):
    """A job of any kind: where it stands and what it gave."""

    kind: str
    id: uuid.UUID
    title: str
    username: str
    created_at: datetime
    finished_at: datetime | None
    status: str
    progress: float | None  # 0…1; null while it cannot tell (queued)
    done: int
    total: int
    stage: str | None
    result: dict[str, int | float | str]  # the result's figures
    page: str  # the job in the workspace
    result_url: str | None
    error: str | None

    @classmethod
    def of(cls, view: JobView) -> JobSummaryOut:
        return cls(
            kind=view.kind,
            id=view.id,
            title=str(view.title),
            username=view.username,
            created_at=view.created_at,
            finished_at=view.finished_at,
            status=view.status,
            progress=view.fraction,
            done=view.done,
            total=view.total,
            stage=view.stage,
            result={fact.key: fact.value for fact in view.facts},
            page=view.page,
            result_url=view.result.url if view.result else None,
            error=view.error,
        )
