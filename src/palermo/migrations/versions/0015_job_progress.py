"""job progress: the stage each background job has reached, readable while it runs

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("link_runs", "network_jobs", "finintel_jobs")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("stage", sa.String(length=32), nullable=True))
            batch.add_column(
                sa.Column("progress_done", sa.Integer(), server_default="0", nullable=False)
            )
            batch.add_column(
                sa.Column("progress_total", sa.Integer(), server_default="0", nullable=False)
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("progress_total")
            batch.drop_column("progress_done")
            batch.drop_column("stage")
