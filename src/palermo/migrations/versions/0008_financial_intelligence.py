"""financial intelligence: reporting entities, reports, transaction batches, alerts, jobs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 23:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import palermo.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "finintel_jobs",
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
            ["agency_id"], ["agencies.id"], name=op.f("fk_finintel_jobs_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finintel_jobs")),
    )
    with op.batch_alter_table("finintel_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finintel_jobs_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "finintel_settings",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_finintel_settings_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_finintel_settings")),
    )
    op.create_table(
        "monitoring_alerts",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("alert_key", sa.String(length=40), nullable=False),
        sa.Column("typology", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank_score", sa.Float(), nullable=True),
        sa.Column("accounts", sa.JSON(), nullable=False),
        sa.Column("transactions", sa.JSON(), nullable=False),
        sa.Column("window_start", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_end", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rule_version", sa.String(length=32), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("updated_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_monitoring_alerts_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_alerts")),
        sa.UniqueConstraint(
            "agency_id", "alert_key", name=op.f("uq_monitoring_alerts_agency_id_alert_key")
        ),
    )
    with op.batch_alter_table("monitoring_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_alerts_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_monitoring_alerts_status"), ["status"], unique=False)

    op.create_table(
        "reporting_entities",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("fiu_agency_id", sa.Uuid(), nullable=False),
        sa.Column("registration", sa.String(length=64), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_reporting_entities_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["fiu_agency_id"],
            ["agencies.id"],
            name=op.f("fk_reporting_entities_fiu_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_entities")),
        sa.UniqueConstraint(
            "fiu_agency_id", "agency_id", name=op.f("uq_reporting_entities_fiu_agency_id_agency_id")
        ),
        sa.UniqueConstraint(
            "fiu_agency_id",
            "registration",
            name=op.f("uq_reporting_entities_fiu_agency_id_registration"),
        ),
    )
    with op.batch_alter_table("reporting_entities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reporting_entities_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "transaction_batches",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file", sa.String(length=256), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("first_time", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_time", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("total_eur", sa.Float(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_transaction_batches_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transaction_batches")),
    )
    with op.batch_alter_table("transaction_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transaction_batches_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "alert_events",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["monitoring_alerts.id"],
            name=op.f("fk_alert_events_alert_id_monitoring_alerts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
    )
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_events_alert_id"), ["alert_id"], unique=False)

    op.create_table(
        "financial_reports",
        sa.Column("fiu_agency_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_agency_id", sa.Uuid(), nullable=False),
        sa.Column("fiu_reference", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["transaction_batches.id"],
            name=op.f("fk_financial_reports_batch_id_transaction_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["fiu_agency_id"],
            ["agencies.id"],
            name=op.f("fk_financial_reports_fiu_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_agency_id"],
            ["agencies.id"],
            name=op.f("fk_financial_reports_reporter_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financial_reports")),
        sa.UniqueConstraint("fiu_reference", name=op.f("uq_financial_reports_fiu_reference")),
        sa.UniqueConstraint(
            "reporter_agency_id",
            "reference",
            name=op.f("uq_financial_reports_reporter_agency_id_reference"),
        ),
    )
    with op.batch_alter_table("financial_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financial_reports_fiu_agency_id"), ["fiu_agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_financial_reports_reporter_agency_id"),
            ["reporter_agency_id"],
            unique=False,
        )

    op.create_table(
        "report_messages",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_report_messages_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["financial_reports.id"],
            name=op.f("fk_report_messages_report_id_financial_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_messages")),
    )
    with op.batch_alter_table("report_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_messages_report_id"), ["report_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_messages_report_id"))

    op.drop_table("report_messages")
    with op.batch_alter_table("financial_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financial_reports_reporter_agency_id"))
        batch_op.drop_index(batch_op.f("ix_financial_reports_fiu_agency_id"))

    op.drop_table("financial_reports")
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_events_alert_id"))

    op.drop_table("alert_events")
    with op.batch_alter_table("transaction_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transaction_batches_agency_id"))

    op.drop_table("transaction_batches")
    with op.batch_alter_table("reporting_entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_entities_agency_id"))

    op.drop_table("reporting_entities")
    with op.batch_alter_table("monitoring_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_alerts_status"))
        batch_op.drop_index(batch_op.f("ix_monitoring_alerts_agency_id"))

    op.drop_table("monitoring_alerts")
    op.drop_table("finintel_settings")
    with op.batch_alter_table("finintel_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finintel_jobs_agency_id"))

    op.drop_table("finintel_jobs")
