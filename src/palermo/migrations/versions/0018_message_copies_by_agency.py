"""message folders: each copy keeps its message's time, and a folder reads an index of them

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 08:00:00

The copies' key is (message, agency), so a folder — one agency's copies, newest first —
scanned the whole table and sorted the agency's messages, whole rows, to show twenty: an
inbox took time in proportion to every agency's messages (the load test). With the time on
the copy and an index on (agency, time, message), a page reads its own rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from palermo.models.base import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("message_copies") as batch:
        batch.add_column(sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE message_copies SET sent_at = "
        "(SELECT messages.sent_at FROM messages WHERE messages.id = message_copies.message_id)"
    )
    with op.batch_alter_table("message_copies") as batch:
        batch.alter_column("sent_at", existing_type=UTCDateTime(timezone=True), nullable=False)
    op.create_index(
        "ix_message_copies_folder", "message_copies", ["agency_id", "sent_at", "message_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_message_copies_folder", table_name="message_copies")
    with op.batch_alter_table("message_copies") as batch:
        batch.drop_column("sent_at")
