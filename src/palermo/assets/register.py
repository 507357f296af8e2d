"""The asset register: an asset is an FtM record (RealEstate, Vehicle, BankAccount…) under its
envelope, its owners linked by Ownership records, and the recovery file on top: where it lies,
what it is worth (in its currency and the reporting currency of the value's date), what found
it, and where it stands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.assets import rates
from palermo.assets.lifecycle import KIND_SCHEMA, AssetState
from palermo.assets.money import to_minor
from palermo.assets.schemas import AssetIn, OwnerIn
from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.cases.links import brought_in
from palermo.cases.timeline import ASSET_FOUND
from palermo.db import next_number
from palermo.errors import Invalid
from palermo.identity.principal import Principal
from palermo.models.assets import Asset, AssetEvent, AssetValuation
from palermo.models.base import latest_date
from palermo.models.identity import Agency
from palermo.policy import assets as policy
from palermo.records.schemas import EnvelopeIn
from palermo.records.service import create_record, owner_for
from palermo.settings import Settings
from palermo.translatable import N_, written


def register(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    payload: AssetIn,
    now: datetime,
    agency_code: str | None = None,
) -> Asset:
    """Register an asset, identified on `payload.valued_on` or today, with its owners."""
    policy.may_work(principal)
    agency = owner_for(session, principal, agency_code)
    currency = rates.check_currency(payload.currency)
    minor = to_minor(payload.value, "value")
    if payload.valued_on > latest_date(now):
        raise Invalid(N_("valued_on %(valued_on)s is in the future"), valued_on=payload.valued_on)
    reporting = rates.convert(
        session, minor, currency, payload.valued_on, settings.assets_reporting_currency
    )
    envelope = _for_recovery(payload.envelope)
    reference = _next_reference(session, agency, now.year)
    # Record ids follow the reference ("asset-nl-np-a-2026-0007"), so they say what they are.
    source_id = "asset-" + reference.lower().replace("/", "-")
    entity = {**_entity(payload), "id": source_id}
    record = create_record(
        session,
        principal=principal,
        settings=settings,
        entity=entity,
        envelope=envelope,
        owner_code=agency.code,
        origin=f"assets:{payload.provenance}",
        now=now,
    )
    for number, owner in enumerate(payload.owners, start=1):
        create_record(
            session,
            principal=principal,
            settings=settings,
            entity={**_ownership(owner, record.id), "id": f"{source_id}-owner-{number}"},
            envelope=envelope,
            owner_code=agency.code,
            origin="assets:ownership",
            now=now,
        )
    asset = Asset(
        reference=reference,
        record_id=record.id,
        agency_id=agency.id,
        kind=payload.kind,
        description=payload.description,
        country=payload.country,
        state=AssetState.identified,
        state_since=payload.valued_on,
        value_minor=minor,
        currency=currency,
        reporting_minor=reporting.minor,
        valued_on=payload.valued_on,
        provenance=payload.provenance,
        provenance_ref=payload.provenance_ref,
        registered_by=principal.username,
        updated_at=now,
    )
    session.add(asset)
    session.flush()
    if payload.provenance == "case":
        brought_in(
            session,
            principal,
            payload.provenance_ref,
            summary=written(ASSET_FOUND, reference=reference, description=payload.description),
            now=now,
            object_ids=[asset.id],
        )
    session.add(
        AssetValuation(
            asset_id=asset.id,
            valued_on=payload.valued_on,
            method="estimate",
            amount_minor=minor,
            currency=currency,
            reporting_minor=reporting.minor,
            rate=reporting.rate,
            rate_on=reporting.rate_on,
            rate_source=reporting.source,
            recorded_by=principal.username,
        )
    )
    session.add(
        AssetEvent(
            asset_id=asset.id,
            on=payload.valued_on,
            from_state=None,
            to_state=AssetState.identified.value,
            reporting_minor=reporting.minor,
            actor=principal.username,
            agency_code=agency.code,
            note=f"found by {payload.provenance} {payload.provenance_ref}",
            recorded_at=now,
        )
    )
    audit(
        session,
        action="assets.register",
        operation=Operation.collection,
        principal=principal,
        purpose="asset_recovery",
        object_ids=[asset.id, record.id],
        detail={"reference": asset.reference, "kind": asset.kind.value, "country": asset.country},
    )
    return asset


def _for_recovery(envelope: EnvelopeIn) -> EnvelopeIn:
    """The record's envelope, with asset recovery among its purposes (the register's own)."""
    if "asset_recovery" in envelope.purposes:
        return envelope
    return envelope.model_copy(update={"purposes": [*envelope.purposes, "asset_recovery"]})


def _entity(payload: AssetIn) -> dict[str, Any]:
    properties = {key: list(values) for key, values in payload.properties.items()}
    properties.setdefault("country", [payload.country.lower()])
    properties.setdefault("name", [payload.description])
    properties.setdefault("description", [payload.description])
    return {"schema": KIND_SCHEMA[payload.kind], "properties": properties}


def _ownership(owner: OwnerIn, asset_record_id: str) -> dict[str, Any]:
    properties: dict[str, list[str]] = {"owner": [owner.record_id], "asset": [asset_record_id]}
    if owner.percentage is not None:
        properties["percentage"] = [f"{owner.percentage.normalize():f}"]
    properties["role"] = ["beneficial owner" if owner.beneficial else "owner"]
    return {"schema": "Ownership", "properties": properties}


def _next_reference(session: Session, agency: Agency, year: int) -> str:
    prefix = f"{agency.code}/A/{year}/"

    def numbered() -> int:
        return (
            session.scalar(
                select(func.count()).select_from(Asset).where(Asset.reference.startswith(prefix))
            )
            or 0
        )

    return f"{prefix}{next_number(session, f'asset:{prefix}', numbered=numbered):04d}"
