"""Import jobs on the wire."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from palermo.imports.jobs import page_of
from palermo.models.imports import ImportJob


class ImportJobOut(BaseModel):
    """An import as its agency reads it: what was sent, where it stands, its report — or,
    refused, why: `errors` names each bad line, as the synchronous import's details do."""

    id: uuid.UUID
    kind: str = Field(description="records, watchlist or transactions")
    filename: str
    username: str
    parameters: dict[str, Any]
    status: str = Field(description="queued, running, done or failed")
    stage: str | None = Field(description="checking (nothing written yet), then writing")
    done: int = Field(description="while checking: lines (bytes of transactions) checked")
    total: int = Field(description="while checking: the file's lines (bytes)")
    result: dict[str, Any] | None = Field(
        description="records: lines, created, updated, unchanged; a list: entries, added, "
        "updated, unchanged, retired; transactions: the batch, its transactions and total"
    )
    error: str | None
    errors: list[dict[str, Any]]
    page: str = Field(description="the job in the workspace")
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: ImportJob) -> ImportJobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            filename=job.filename,
            username=job.username,
            parameters=job.parameters,
            status=job.status,
            stage=job.stage,
            done=job.progress_done,
            total=job.progress_total,
            result=job.result,
            error=job.error,
            errors=job.problems or [],
            page=page_of(job.id),
            created_at=job.created_at,
            finished_at=job.finished_at,
        )
