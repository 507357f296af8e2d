"""Recovery statistics: value frozen, seized, confiscated and returned by country, offence and
year, and the time assets spend in each stage (EU Directive 2024/1260 Art. 28 asks member
states for these figures).

An asset counts in a stage once, in the year it first entered it, at its value then; it counts
as returned (returned, shared or transferred to victims) with what was paid out. By offence, an
asset counts under each ICCS code of its record; the totals count it once."""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from palermo.assets.lifecycle import FINAL, AssetState, DisposalType, is_final
from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.identity.principal import Principal
from palermo.models.assets import Asset, AssetEvent, AssetOrder, AssetTransfer
from palermo.models.records import RecordOffence
from palermo.policy import assets as policy

STAGES = (AssetState.frozen, AssetState.seized, AssetState.confiscated)
RETURNED = "returned"  # returned, shared or transferred to victims


@dataclass(frozen=True)
class Figure:
    stage: str
    year: int
    key: str  # country, ICCS code, or "" in the totals
    assets: int
    minor: int


@dataclass(frozen=True)
class Stay:
    state: AssetState
    completed: int
    median_days: float | None
    mean_days: float | None
    ongoing: int


@dataclass(frozen=True)
class Statistics:
    by_country: list[Figure]
    by_offence: list[Figure]
    totals: list[Figure]
    stays: list[Stay]


def compute(session: Session, principal: Principal, *, now: datetime) -> Statistics:
    """The figures over the assets the principal sees."""
    seen = policy.visible_assets(principal, now=now)
    assets = {a.id: a for a in session.scalars(seen)}
    # The assets seen, as a subquery: no list of ids as long as the register in the SQL.
    ids = seen.with_only_columns(Asset.id)
    events = _events(session, ids)
    offences: dict[str, list[str]] = defaultdict(list)
    for record_id, code in session.execute(
        select(RecordOffence.record_id, RecordOffence.iccs_code).where(
            RecordOffence.record_id.in_(seen.with_only_columns(Asset.record_id))
        )
    ):
        offences[record_id].append(code)
    entries = _entries(session, assets, events, ids)
    audit(
        session,
        action="assets.statistics",
        operation=Operation.consultation,
        principal=principal,
        purpose="asset_recovery",
        detail={"assets": len(assets)},
    )
    return Statistics(
        by_country=_grouped(entries, lambda a: [a.country]),
        by_offence=_grouped(entries, lambda a: sorted(offences[a.record_id]) or ["none"]),
        totals=_grouped(entries, lambda a: [""]),
        stays=_stays(events, _disposals(session, events)),
    )


def _events(session: Session, ids: Select[uuid.UUID]) -> dict[uuid.UUID, list[AssetEvent]]:
    found: dict[uuid.UUID, list[AssetEvent]] = defaultdict(list)
    for event in session.scalars(
        select(AssetEvent)
        .where(AssetEvent.asset_id.in_(ids))
        .order_by(AssetEvent.asset_id, AssetEvent.on, AssetEvent.id)
    ):
        found[event.asset_id].append(event)
    return found


Entry = tuple[str, date, Asset, int]  # stage, when, asset, value


def _entries(
    session: Session,
    assets: dict[uuid.UUID, Asset],
    events: dict[uuid.UUID, list[AssetEvent]],
    ids: Select[uuid.UUID],
) -> list[Entry]:
    entries: list[Entry] = []
    for asset_id, steps in events.items():
        seen: set[str] = set()
        for event in steps:
            if event.to_state in STAGES and event.to_state not in seen:
                seen.add(event.to_state)
                entries.append((event.to_state, event.on, assets[asset_id], event.reporting_minor))
    paid: dict[uuid.UUID, tuple[date, int]] = {}
    for transfer in session.scalars(select(AssetTransfer).where(AssetTransfer.asset_id.in_(ids))):
        on, total = paid.get(transfer.asset_id, (transfer.on, 0))
        paid[transfer.asset_id] = (min(on, transfer.on), total + transfer.reporting_minor)
    entries.extend((RETURNED, on, assets[i], total) for i, (on, total) in paid.items())
    return entries


def _grouped(entries: list[Entry], keys: Callable[[Asset], list[str]]) -> list[Figure]:
    counts: dict[tuple[str, int, str], list[int]] = defaultdict(lambda: [0, 0])
    for stage, on, asset, minor in entries:
        for key in keys(asset):
            cell = counts[(stage, on.year, key)]
            cell[0] += 1
            cell[1] += minor
    order = {s: n for n, s in enumerate([*STAGES, RETURNED])}
    return [
        Figure(stage, year, key, n, minor)
        for (stage, year, key), (n, minor) in sorted(
            counts.items(), key=lambda item: (order[item[0][0]], item[0][1], item[0][2])
        )
    ]


def _disposals(
    session: Session, events: dict[uuid.UUID, list[AssetEvent]]
) -> dict[uuid.UUID | None, DisposalType | None]:
    """The decision type of each disposal step's order, by order id."""
    ids = {e.order_id for steps in events.values() for e in steps if e.to_state == "disposed"}
    if not ids:
        return {}
    rows = session.execute(select(AssetOrder.id, AssetOrder.disposal).where(AssetOrder.id.in_(ids)))
    return dict(rows.all())


def _stays(
    events: dict[uuid.UUID, list[AssetEvent]],
    disposals: dict[uuid.UUID | None, DisposalType | None],
) -> list[Stay]:
    """Days spent in each stage: between entering it and leaving it (a renewal of a freezing
    or seizure is no new stage); a stage not yet left counts as ongoing, unless the asset's
    life is over there (disposed of by destruction, social reuse or the state budget)."""
    done: dict[AssetState, list[int]] = defaultdict(list)
    ongoing: dict[AssetState, int] = defaultdict(int)
    for steps in events.values():
        stages: list[tuple[AssetState, date]] = []
        for event in steps:
            state = AssetState(event.to_state)
            if not stages or stages[-1][0] is not state:
                stages.append((state, event.on))
        for (state, start), (_, end) in pairwise(stages):
            done[state].append((end - start).days)
        if stages and not is_final(stages[-1][0], disposals.get(steps[-1].order_id)):
            ongoing[stages[-1][0]] += 1
    return [
        Stay(
            state=state,
            completed=len(done[state]),
            median_days=float(statistics.median(done[state])) if done[state] else None,
            mean_days=statistics.fmean(done[state]) if done[state] else None,
            ongoing=ongoing[state],
        )
        for state in AssetState
        if state not in FINAL
    ]
