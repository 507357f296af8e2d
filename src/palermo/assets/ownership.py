"""Who owns an asset, through how many companies: the Ownership records above it, followed up
to the natural persons (or as far as the principal may see), with each stake and the stake in
the asset it amounts to through the chain (60 % of a company holding 50 % is 30 %)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.identity.principal import Principal
from palermo.models.records import Record, RecordLink
from palermo.policy.records import visibility
from palermo.records.envelope import Purpose
from palermo.records.repository import current_statements

MAX_DEPTH = 8  # holding structures deeper than this are rare; cycles are cut anyway
MAX_HOLDERS = 500  # a tree this wide is read as a list elsewhere (the network analysis)


@dataclass(frozen=True)
class Holder:
    record_id: str
    caption: str
    schema: str
    percentage: Decimal | None
    effective: Decimal | None
    beneficial: bool
    depth: int
    visible: bool


def chain(session: Session, principal: Principal, record_id: str, now: datetime) -> list[Holder]:
    """The holders of `record_id`, depth-first as a tree reads (each under what it holds). A
    holder on two paths (directly, and through a company) appears on both, each with the
    stake that path gives; a path that comes back to itself is cut."""
    full = visibility(principal, Purpose.asset_recovery, now=now).full
    holders: list[Holder] = []

    def climb(target: str, stake: Decimal | None, depth: int, path: frozenset[str]) -> None:
        if depth > MAX_DEPTH:
            return
        for ownership, owner in _owners(session, target, full):
            if owner in path or len(holders) >= MAX_HOLDERS:
                continue
            facts = {s.prop: s.value for s in current_statements(session, [ownership])[ownership]}
            percentage = _percentage(facts.get("percentage"))
            effective = stake * percentage / 100 if stake is not None and percentage else None
            record = session.get(Record, owner)
            shown = record is not None and bool(
                session.scalar(select(full).select_from(Record).where(Record.id == owner))
            )
            holders.append(
                Holder(
                    record_id=owner,
                    caption=record.caption if shown and record else "(not visible to you)",
                    schema=record.schema if shown and record else "LegalEntity",
                    percentage=percentage,
                    effective=effective,
                    beneficial="beneficial" in facts.get("role", ""),
                    depth=depth,
                    visible=shown,
                )
            )
            if shown:
                climb(owner, effective, depth + 1, path | {owner})

    climb(record_id, Decimal(100), 1, frozenset({record_id}))
    return holders


def _owners(session: Session, target: str, full: object) -> list[tuple[str, str]]:
    """(ownership record, owner record) pairs of the visible Ownerships of `target`."""
    ownerships = select(RecordLink.source_id).where(
        RecordLink.prop == "asset", RecordLink.target_id == target
    )
    rows = session.execute(
        select(RecordLink.source_id, RecordLink.target_id)
        .join(Record, Record.id == RecordLink.source_id)
        .where(
            RecordLink.prop == "owner",
            RecordLink.source_id.in_(ownerships),
            Record.schema == "Ownership",
            full,  # type: ignore[arg-type]
        )
        .order_by(RecordLink.target_id)
    ).all()
    return [(str(a), str(b)) for a, b in rows]


def _percentage(value: str | None) -> Decimal | None:
    try:
        found = Decimal(value.strip().rstrip("%")) if value else None
    except InvalidOperation:
        return None
    return found if found is not None and 0 < found <= 100 else None
