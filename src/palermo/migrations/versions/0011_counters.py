"""counters: reference series numbered under a row lock, never twice

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 04:08:28.981880
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_counters")),
    )


def downgrade() -> None:
    op.drop_table("counters")
