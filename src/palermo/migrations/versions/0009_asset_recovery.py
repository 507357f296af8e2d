"""asset recovery: assets, orders and their recognition, events, values, costs, transfers, rates

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 03:24:07.284188
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import palermo.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "currency_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_on", sa.Date(), nullable=False),
        sa.Column("units_per_eur", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("currency", "valid_on", name=op.f("pk_currency_rates")),
    )
    op.create_table(
        "asset_orders",
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "freezing",
                "seizure",
                "confiscation",
                "management",
                "interlocutory_sale",
                "disposal",
                "release",
                name="order_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column(
            "legal_basis",
            sa.Enum(
                "conviction_based",
                "non_conviction_based",
                "value_based",
                "third_party",
                "extended",
                "unexplained_wealth",
                name="legal_basis",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("renews_id", sa.Uuid(), nullable=True),
        sa.Column(
            "disposal",
            sa.Enum(
                "return_to_requesting_state",
                "compensation_of_victims",
                "sharing",
                "social_reuse",
                "state_budget",
                "destruction",
                name="disposal_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("judicial_reference", sa.String(length=128), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_asset_orders_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["renews_id"], ["asset_orders.id"], name=op.f("fk_asset_orders_renews_id_asset_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_orders")),
        sa.UniqueConstraint("country", "reference", name=op.f("uq_asset_orders_country_reference")),
    )
    with op.batch_alter_table("asset_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_orders_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_asset_orders_expires_on"), ["expires_on"], unique=False
        )

    op.create_table(
        "assets",
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "real_estate",
                "vehicle",
                "vessel",
                "aircraft",
                "bank_account",
                "crypto_wallet",
                "shares",
                "cash",
                "valuables",
                name="asset_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "identified",
                "traced",
                "frozen",
                "seized",
                "confiscated",
                "under_management",
                "disposed",
                "returned",
                "shared",
                "transferred_to_victims",
                "released",
                name="asset_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("state_since", sa.Date(), nullable=False),
        sa.Column("value_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reporting_minor", sa.BigInteger(), nullable=False),
        sa.Column("valued_on", sa.Date(), nullable=False),
        sa.Column("sold_on", sa.Date(), nullable=True),
        sa.Column("provenance", sa.String(length=24), nullable=False),
        sa.Column("provenance_ref", sa.String(length=128), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_assets_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_assets_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("record_id", name=op.f("uq_assets_record_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_assets_reference")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assets_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assets_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_assets_state"), ["state"], unique=False)

    op.create_table(
        "disposal_shares",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("basis_points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["asset_orders.id"],
            name=op.f("fk_disposal_shares_order_id_asset_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_shares")),
    )
    with op.batch_alter_table("disposal_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposal_shares_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_recognitions",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "recognised",
                "refused",
                name="recognition_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("judicial_reference", sa.String(length=128), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["asset_orders.id"],
            name=op.f("fk_order_recognitions_order_id_asset_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_order_recognitions_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_recognitions")),
        sa.UniqueConstraint(
            "order_id", "country", name=op.f("uq_order_recognitions_order_id_country")
        ),
    )
    with op.batch_alter_table("order_recognitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_recognitions_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_order_recognitions_status"), ["status"], unique=False)

    op.create_table(
        "asset_costs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("incurred_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reporting_minor", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_costs_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_costs")),
    )
    with op.batch_alter_table("asset_costs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_costs_asset_id"), ["asset_id"], unique=False)

    op.create_table(
        "asset_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("reporting_minor", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", palermo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_events_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["asset_orders.id"], name=op.f("fk_asset_events_order_id_asset_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_events")),
    )
    with op.batch_alter_table("asset_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_events_asset_id"), ["asset_id"], unique=False)

    op.create_table(
        "asset_transfers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("basis_points", sa.Integer(), nullable=False),
        sa.Column("reporting_minor", sa.BigInteger(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_transfers_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["asset_orders.id"], name=op.f("fk_asset_transfers_order_id_asset_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_transfers")),
    )
    with op.batch_alter_table("asset_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_transfers_asset_id"), ["asset_id"], unique=False)

    op.create_table(
        "asset_valuations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("valued_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reporting_minor", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("rate_on", sa.Date(), nullable=False),
        sa.Column("rate_source", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_valuations_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["asset_orders.id"],
            name=op.f("fk_asset_valuations_order_id_asset_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_valuations")),
    )
    with op.batch_alter_table("asset_valuations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_asset_valuations_asset_id"), ["asset_id"], unique=False
        )

    op.create_table(
        "order_assets",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_order_assets_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["asset_orders.id"],
            name=op.f("fk_order_assets_order_id_asset_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "asset_id", name=op.f("pk_order_assets")),
    )
    with op.batch_alter_table("order_assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_assets_asset_id"), ["asset_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_assets_asset_id"))

    op.drop_table("order_assets")
    with op.batch_alter_table("asset_valuations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_valuations_asset_id"))

    op.drop_table("asset_valuations")
    with op.batch_alter_table("asset_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_transfers_asset_id"))

    op.drop_table("asset_transfers")
    with op.batch_alter_table("asset_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_events_asset_id"))

    op.drop_table("asset_events")
    with op.batch_alter_table("asset_costs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_costs_asset_id"))

    op.drop_table("asset_costs")
    with op.batch_alter_table("order_recognitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_recognitions_status"))
        batch_op.drop_index(batch_op.f("ix_order_recognitions_order_id"))

    op.drop_table("order_recognitions")
    with op.batch_alter_table("disposal_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disposal_shares_order_id"))

    op.drop_table("disposal_shares")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assets_state"))
        batch_op.drop_index(batch_op.f("ix_assets_country"))
        batch_op.drop_index(batch_op.f("ix_assets_agency_id"))

    op.drop_table("assets")
    with op.batch_alter_table("asset_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_orders_expires_on"))
        batch_op.drop_index(batch_op.f("ix_asset_orders_agency_id"))

    op.drop_table("asset_orders")
    op.drop_table("currency_rates")
