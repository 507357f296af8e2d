"""alert accounts: each alert's accounts as rows, for lookups by account

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 03:54:04.689403
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_accounts",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("account", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["monitoring_alerts.id"],
            name=op.f("fk_alert_accounts_alert_id_monitoring_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", "account", name=op.f("pk_alert_accounts")),
    )
    with op.batch_alter_table("alert_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_accounts_account"), ["account"], unique=False)
    # The alerts kept so far: their accounts, from the JSON column.
    alerts = sa.table(
        "monitoring_alerts", sa.column("id", sa.Uuid()), sa.column("accounts", sa.JSON())
    )
    links = sa.table(
        "alert_accounts", sa.column("alert_id", sa.Uuid()), sa.column("account", sa.String())
    )
    connection = op.get_bind()
    rows = [
        {"alert_id": alert_id, "account": account}
        for alert_id, accounts in connection.execute(sa.select(alerts.c.id, alerts.c.accounts))
        for account in dict.fromkeys(accounts or [])
    ]
    if rows:
        op.bulk_insert(links, rows)


def downgrade() -> None:
    with op.batch_alter_table("alert_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_accounts_account"))

    op.drop_table("alert_accounts")
