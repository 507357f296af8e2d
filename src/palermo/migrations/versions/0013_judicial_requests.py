"""judicial requests: between central authorities, their timeline and the parts executed

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 07:07:35.977987
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import palermo.models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "judicial_requests",
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "mla",
                "extradition",
                "recognition",
                name="request_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("requesting_agency_id", sa.Uuid(), nullable=False),
        sa.Column("requested_agency_id", sa.Uuid(), nullable=False),
        sa.Column("executing_agency_id", sa.Uuid(), nullable=True),
        sa.Column("requesting_country", sa.String(length=2), nullable=False),
        sa.Column("requested_country", sa.String(length=2), nullable=False),
        sa.Column("treaty", sa.String(length=32), nullable=False),
        sa.Column("offences", sa.JSON(), nullable=False),
        sa.Column("dual_criminality", sa.JSON(), nullable=True),
        sa.Column("requesting_authority", sa.String(length=300), nullable=False),
        sa.Column("proceedings", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("assistance", sa.Text(), nullable=False),
        sa.Column("persons", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("handling", sa.String(length=2), nullable=False),
        sa.Column("requested_by", sa.Date(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("notice_id", sa.Uuid(), nullable=True),
        sa.Column("asset_order_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "sent",
                "acknowledged",
                "assigned",
                "in_execution",
                "consultation",
                "answered",
                "refused",
                "withdrawn",
                name="request_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status_since", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "resumes_to",
            sa.Enum(
                "draft",
                "sent",
                "acknowledged",
                "assigned",
                "in_execution",
                "consultation",
                "answered",
                "refused",
                "withdrawn",
                name="request_resumes_to",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("sent_at", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", palermo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "ground",
            sa.Enum(
                "non_conformity",
                "sovereignty_public_order",
                "domestic_prohibition",
                "contrary_to_legal_system",
                "no_dual_criminality",
                "discriminatory_purpose",
                "nationality",
                "political_offence",
                "ne_bis_in_idem",
                "lapse_of_time",
                "death_penalty",
                name="refusal_ground",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("consulted_on", sa.Date(), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("drafted_by", sa.String(length=128), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_order_id"],
            ["asset_orders.id"],
            name=op.f("fk_judicial_requests_asset_order_id_asset_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_judicial_requests_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["executing_agency_id"],
            ["agencies.id"],
            name=op.f("fk_judicial_requests_executing_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_judicial_requests_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_judicial_requests_notice_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["requested_agency_id"],
            ["agencies.id"],
            name=op.f("fk_judicial_requests_requested_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["requesting_agency_id"],
            ["agencies.id"],
            name=op.f("fk_judicial_requests_requesting_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judicial_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_judicial_requests_reference")),
    )
    with op.batch_alter_table("judicial_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judicial_requests_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_judicial_requests_executing_agency_id"),
            ["executing_agency_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_judicial_requests_requested_agency_id"),
            ["requested_agency_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_judicial_requests_requesting_agency_id"),
            ["requesting_agency_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_judicial_requests_status"), ["status"], unique=False)

    op.create_table(
        "judicial_request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_judicial_request_events_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["judicial_requests.id"],
            name=op.f("fk_judicial_request_events_request_id_judicial_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judicial_request_events")),
    )
    with op.batch_alter_table("judicial_request_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_judicial_request_events_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "judicial_request_parts",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=True),
        sa.Column("executed_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_judicial_request_parts_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["judicial_requests.id"],
            name=op.f("fk_judicial_request_parts_request_id_judicial_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judicial_request_parts")),
    )
    with op.batch_alter_table("judicial_request_parts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_judicial_request_parts_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("judicial_request_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judicial_request_parts_request_id"))

    op.drop_table("judicial_request_parts")
    with op.batch_alter_table("judicial_request_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judicial_request_events_request_id"))

    op.drop_table("judicial_request_events")
    with op.batch_alter_table("judicial_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judicial_requests_status"))
        batch_op.drop_index(batch_op.f("ix_judicial_requests_requesting_agency_id"))
        batch_op.drop_index(batch_op.f("ix_judicial_requests_requested_agency_id"))
        batch_op.drop_index(batch_op.f("ix_judicial_requests_executing_agency_id"))
        batch_op.drop_index(batch_op.f("ix_judicial_requests_case_id"))

    op.drop_table("judicial_requests")
