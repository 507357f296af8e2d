"""network analysis jobs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import palermo.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_jobs",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("finished_at", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_network_jobs_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_jobs")),
    )
    with op.batch_alter_table("network_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_network_jobs_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("network_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_jobs_agency_id"))
    op.drop_table("network_jobs")
