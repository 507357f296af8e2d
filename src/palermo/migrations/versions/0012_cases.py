"""cases: members, subjects, timeline, JIT agreements, tasks, evidence and its custody,
authorisations of special investigative techniques, action days

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 06:15:38.488922
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import palermo.models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence_files")),
    )
    op.create_table(
        "cases",
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("lead_agency_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="case_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("offences", sa.JSON(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closure", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.String(length=128), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_agency_id"], ["agencies.id"], name=op.f("fk_cases_lead_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cases_lead_agency_id"), ["lead_agency_id"], unique=False
        )

    op.create_table(
        "action_days",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "live",
                "closed",
                name="action_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_action_days_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_days")),
    )
    with op.batch_alter_table("action_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_days_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_case_events_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_members",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "lead",
                "participant",
                "observer",
                name="member_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("joined_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_case_members_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_members_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "agency_id", name=op.f("pk_case_members")),
    )
    with op.batch_alter_table("case_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_members_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "case_subjects",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_case_subjects_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_subjects_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_case_subjects_record_id_records")
        ),
        sa.PrimaryKeyConstraint("case_id", "record_id", name=op.f("pk_case_subjects")),
    )
    op.create_table(
        "case_tasks",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_progress",
                "done",
                "cancelled",
                name="case_task_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("result_record_ids", sa.JSON(), nullable=False),
        sa.Column("set_by_agency_id", sa.Uuid(), nullable=False),
        sa.Column("closed_at", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_case_tasks_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_case_tasks_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_tasks_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_by_agency_id"],
            ["agencies.id"],
            name=op.f("fk_case_tasks_set_by_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_tasks")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_case_tasks_case_id_number")),
    )
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_tasks_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_tasks_case_id"), ["case_id"], unique=False)

    op.create_table(
        "evidence_items",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "digital",
                "physical",
                name="evidence_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("handling", sa.String(length=2), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("media_type", sa.String(length=128), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("collected_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("collected_place", sa.String(length=300), nullable=False),
        sa.Column("holder_agency_id", sa.Uuid(), nullable=False),
        sa.Column(
            "integrity_failed_at", palermo.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_evidence_items_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_evidence_items_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["holder_agency_id"],
            ["agencies.id"],
            name=op.f("fk_evidence_items_holder_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_evidence_items_case_id_number")),
        sa.UniqueConstraint("reference", name=op.f("uq_evidence_items_reference")),
    )
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_items_case_id"), ["case_id"], unique=False)

    op.create_table(
        "jit_agreements",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("evidence_rules", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "in_force",
                "closed",
                name="jit_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("in_force_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("evaluation", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_jit_agreements_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jit_agreements")),
        sa.UniqueConstraint("case_id", name=op.f("uq_jit_agreements_case_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_jit_agreements_reference")),
    )
    op.create_table(
        "sit_authorisations",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column(
            "technique",
            sa.Enum(
                "controlled_delivery",
                "electronic_surveillance",
                "undercover_operation",
                name="sit_technique",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("authority", sa.String(length=300), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("jurisdictions", sa.JSON(), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_sit_authorisations_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_sit_authorisations_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sit_authorisations")),
    )
    with op.batch_alter_table("sit_authorisations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sit_authorisations_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sit_authorisations_valid_until"), ["valid_until"], unique=False
        )

    op.create_table(
        "action_countries",
        sa.Column("action_day_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("planned_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_day_id"],
            ["action_days.id"],
            name=op.f("fk_action_countries_action_day_id_action_days"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_action_countries_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("action_day_id", "country", name=op.f("pk_action_countries")),
    )
    op.create_table(
        "action_targets",
        sa.Column("action_day_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_day_id"],
            ["action_days.id"],
            name=op.f("fk_action_targets_action_day_id_action_days"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_action_targets_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_targets")),
    )
    with op.batch_alter_table("action_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_targets_action_day_id"), ["action_day_id"], unique=False
        )

    op.create_table(
        "evidence_handovers",
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.Column("from_agency_id", sa.Uuid(), nullable=False),
        sa.Column("to_agency_id", sa.Uuid(), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "received",
                name="handover_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.Column("receipt_kid", sa.String(length=64), nullable=True),
        sa.Column("receipt_signature", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_handovers_evidence_id_evidence_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_agency_id"],
            ["agencies.id"],
            name=op.f("fk_evidence_handovers_from_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["to_agency_id"],
            ["agencies.id"],
            name=op.f("fk_evidence_handovers_to_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_handovers")),
    )
    with op.batch_alter_table("evidence_handovers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_handovers_evidence_id"), ["evidence_id"], unique=False
        )

    op.create_table(
        "jit_extensions",
        sa.Column("jit_id", sa.Uuid(), nullable=False),
        sa.Column("previous_end", sa.Date(), nullable=False),
        sa.Column("new_end", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jit_id"],
            ["jit_agreements.id"],
            name=op.f("fk_jit_extensions_jit_id_jit_agreements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jit_extensions")),
    )
    with op.batch_alter_table("jit_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jit_extensions_jit_id"), ["jit_id"], unique=False)

    op.create_table(
        "jit_parties",
        sa.Column("jit_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("applicable_law", sa.String(length=500), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_jit_parties_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["jit_id"],
            ["jit_agreements.id"],
            name=op.f("fk_jit_parties_jit_id_jit_agreements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jit_id", "agency_id", name=op.f("pk_jit_parties")),
    )
    op.create_table(
        "sit_activities",
        sa.Column("authorisation_id", sa.Uuid(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("logged_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_sit_activities_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["authorisation_id"],
            ["sit_authorisations.id"],
            name=op.f("fk_sit_activities_authorisation_id_sit_authorisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sit_activities")),
    )
    with op.batch_alter_table("sit_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sit_activities_authorisation_id"), ["authorisation_id"], unique=False
        )

    op.create_table(
        "action_results",
        sa.Column("action_day_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "arrest",
                "search",
                "seizure",
                "victim_safeguarded",
                "asset_frozen",
                name="result_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("reported_by", sa.String(length=128), nullable=False),
        sa.Column("reported_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_day_id"],
            ["action_days.id"],
            name=op.f("fk_action_results_action_day_id_action_days"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_action_results_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["action_targets.id"],
            name=op.f("fk_action_results_target_id_action_targets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_results")),
    )
    with op.batch_alter_table("action_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_results_action_day_id"), ["action_day_id"], unique=False
        )

    op.create_table(
        "custody_entries",
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "collected",
                "handed_over",
                "received",
                "accessed",
                "verified",
                "integrity_failed",
                "exported",
                name="custody_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("observed_sha256", sa.String(length=64), nullable=True),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("handover_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_items.id"],
            name=op.f("fk_custody_entries_evidence_id_evidence_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["evidence_handovers.id"],
            name=op.f("fk_custody_entries_handover_id_evidence_handovers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_entries")),
        sa.UniqueConstraint("evidence_id", "seq", name=op.f("uq_custody_entries_evidence_id_seq")),
    )
    with op.batch_alter_table("custody_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custody_entries_evidence_id"), ["evidence_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("custody_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_entries_evidence_id"))

    op.drop_table("custody_entries")
    with op.batch_alter_table("action_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_results_action_day_id"))

    op.drop_table("action_results")
    with op.batch_alter_table("sit_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sit_activities_authorisation_id"))

    op.drop_table("sit_activities")
    op.drop_table("jit_parties")
    with op.batch_alter_table("jit_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jit_extensions_jit_id"))

    op.drop_table("jit_extensions")
    with op.batch_alter_table("evidence_handovers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_handovers_evidence_id"))

    op.drop_table("evidence_handovers")
    with op.batch_alter_table("action_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_targets_action_day_id"))

    op.drop_table("action_targets")
    op.drop_table("action_countries")
    with op.batch_alter_table("sit_authorisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sit_authorisations_valid_until"))
        batch_op.drop_index(batch_op.f("ix_sit_authorisations_case_id"))

    op.drop_table("sit_authorisations")
    op.drop_table("jit_agreements")
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_items_case_id"))

    op.drop_table("evidence_items")
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_tasks_case_id"))
        batch_op.drop_index(batch_op.f("ix_case_tasks_agency_id"))

    op.drop_table("case_tasks")
    op.drop_table("case_subjects")
    with op.batch_alter_table("case_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_members_agency_id"))

    op.drop_table("case_members")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("action_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_days_case_id"))

    op.drop_table("action_days")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_lead_agency_id"))

    op.drop_table("cases")
    op.drop_table("evidence_files")
