"""An FIU's analysis work: its transaction store, thresholds, monitoring runs (whose alerts
are kept for triage) and traces — each logged with its purpose."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.background import Progress, unobserved
from palermo.errors import Forbidden, Invalid, NotFound
from palermo.finintel import monitoring, ranking, store, tracing
from palermo.finintel.currencies import load_rates
from palermo.finintel.engine import Backend, DuckDBEngine
from palermo.finintel.reporting import fiu_of
from palermo.finintel.thresholds import Thresholds
from palermo.finintel.transactions import TransactionBatch as CheckedBatch
from palermo.finintel.transactions import read_transactions
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.models.finintel import (
    AlertAccount,
    FinintelJob,
    FinintelSettings,
    MonitoringAlert,
    TransactionBatch,
)
from palermo.models.identity import Agency
from palermo.policy.records import AccessContext
from palermo.settings import Settings
from palermo.translatable import N_

ANALYSTS = (Role.officer, Role.analyst, Role.supervisor)
MODEL_FILE = "ranking-model.txt"


def analyst_fiu(session: Session, principal: Principal) -> Agency:
    fiu = fiu_of(session, principal)
    if not principal.has_role(*ANALYSTS):
        raise Forbidden(
            N_("financial analysis is done by the FIU's officers, analysts, supervisors")
        )
    return fiu


def _logged(
    session: Session,
    principal: Principal,
    context: AccessContext,
    action: str,
    *,
    operation: Operation = Operation.consultation,
    **fields: Any,
) -> None:
    """An audit line of FIU work, with the purpose and justification it was done for."""
    audit(
        session,
        action=action,
        operation=operation,
        principal=principal,
        purpose=context.purpose.value,
        justification=context.justification,
        **fields,
    )


def thresholds(session: Session, fiu: Agency) -> Thresholds:
    own = session.get(FinintelSettings, fiu.id)
    return Thresholds.model_validate(own.thresholds) if own else Thresholds()


def set_thresholds(
    session: Session, principal: Principal, values: dict[str, Any], now: datetime
) -> Thresholds:
    """A supervisor sets the FIU's thresholds (the rest keep their defaults)."""
    fiu = analyst_fiu(session, principal)
    if not principal.has_role(Role.supervisor):
        raise Forbidden(N_("an FIU's thresholds are set by its supervisors"))
    chosen = Thresholds.model_validate({**thresholds(session, fiu).model_dump(), **values})
    own = session.get(FinintelSettings, fiu.id)
    stored = chosen.model_dump(mode="json")
    if own is None:
        session.add(
            FinintelSettings(
                agency_id=fiu.id, thresholds=stored, updated_by=principal.username, updated_at=now
            )
        )
    else:
        own.thresholds, own.updated_by, own.updated_at = stored, principal.username, now
    audit(
        session,
        action="finintel.thresholds",
        operation=Operation.alteration,
        principal=principal,
        detail={"changed": sorted(values)},
    )
    return chosen


def import_transactions(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    path: Path,
    mapping: dict[str, str],
    default_currency: str,
    context: AccessContext,
    progress: Callable[[int], None] | None = None,
) -> TransactionBatch:
    """Bulk transactions (a bank's return, data from a production order), all or nothing."""
    checked = check_transactions(
        session,
        principal,
        settings,
        path=path,
        mapping=mapping,
        default_currency=default_currency,
        progress=progress,
    )
    return store_transactions(
        session, principal, settings, checked=checked, source=path.name, context=context
    )


def check_transactions(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    path: Path,
    mapping: dict[str, str],
    default_currency: str,
    progress: Callable[[int], None] | None = None,
) -> CheckedBatch:
    """Every row of a bulk file checked, nothing stored (a background import commits its
    progress meanwhile); `progress` gets the bytes read. Refused: `ReportRejected`."""
    analyst_fiu(session, principal)
    # The batch names a file: the upload's name, in the letters a batch name allows.
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem)
    return read_transactions(
        path,
        mapping,
        batch=f"import-{stem}"[:60] if stem else "import",
        default_currency=default_currency,
        rates=load_rates(settings.finintel_fx_rates),
        progress=progress,
    )


def store_transactions(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    checked: CheckedBatch,
    source: str,
    context: AccessContext,
) -> TransactionBatch:
    """A checked batch into the FIU's store, logged with what it was imported for."""
    fiu = analyst_fiu(session, principal)
    batch = store.add(
        session, settings, fiu, checked, source=source, kind="import", principal=principal
    )
    _logged(
        session,
        principal,
        context,
        "finintel.transactions.import",
        operation=Operation.collection,
        object_ids=[str(batch.id)],
        detail={"file": source, "rows": batch.rows, "sha256": batch.sha256},
    )
    return batch


def batches(session: Session, principal: Principal) -> list[TransactionBatch]:
    fiu = analyst_fiu(session, principal)
    return list(
        session.scalars(
            select(TransactionBatch)
            .where(TransactionBatch.agency_id == fiu.id)
            .order_by(TransactionBatch.created_at.desc())
        )
    )


def monitor(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    backend: Backend,
    context: AccessContext,
    now: datetime,
    step: Callable[[str], None] | None = None,
) -> tuple[monitoring.Run, list[MonitoringAlert]]:
    """Run every detector over the FIU's transactions; new alerts join the queue, alerts
    found again keep their triage."""
    fiu = analyst_fiu(session, principal)
    files = store.files(session, settings, fiu)
    if not files:
        raise Invalid(N_("no transactions have been imported: nothing to monitor"))
    model_file = store.directory(settings, fiu) / MODEL_FILE
    model = ranking.Model.load(model_file) if model_file.exists() else None
    run = monitoring.monitor(
        files, thresholds(session, fiu), backend=backend, model=model, step=step
    )
    kept = _keep(session, fiu, run.alerts, now)
    _logged(
        session,
        principal,
        context,
        "finintel.monitor",
        detail={
            "backend": backend.value,
            "transactions": run.transactions,
            "alerts": len(run.alerts),
            "new": sum(1 for a in kept if a.created_at == now),
        },
    )
    return run, kept


def on_account(account: str) -> ColumnElement[bool]:
    """A predicate on `MonitoringAlert`: the alert names `account`."""
    return exists(
        select(AlertAccount.alert_id).where(
            AlertAccount.alert_id == MonitoringAlert.id, AlertAccount.account == account
        )
    )


def _keep(
    session: Session, fiu: Agency, alerts: list[monitoring.Alert], now: datetime
) -> list[MonitoringAlert]:
    existing = (
        {
            a.alert_key: a
            for a in session.scalars(
                select(MonitoringAlert).where(
                    MonitoringAlert.agency_id == fiu.id,
                    MonitoringAlert.alert_key.in_([a.alert_id for a in alerts]),
                )
            )
        }
        if alerts
        else {}
    )
    kept = []
    for alert in alerts:
        row = existing.get(alert.alert_id)
        if row is None:
            row = MonitoringAlert(
                agency_id=fiu.id,
                alert_key=alert.alert_id,
                status="new",
                created_at=now,
            )
            # The key is the typology and the transactions: the same key, the same accounts.
            row.account_rows = [AlertAccount(account=account) for account in alert.accounts]
            session.add(row)
        row.typology, row.score, row.rank_score = alert.typology, alert.score, alert.rank_score
        row.accounts, row.transactions = list(alert.accounts), list(alert.transactions)
        row.window_start, row.window_end = alert.start, alert.end
        row.rule_version, row.facts, row.updated_at = alert.rule_version, alert.facts, now
        kept.append(row)
    session.flush()
    return kept


def trace(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    origin: str,
    direction: tracing.Direction,
    hops: int,
    method: tracing.Method,
    since: datetime | None,
    until: datetime | None,
    min_amount: float,
    context: AccessContext,
) -> tracing.Trace:
    fiu = analyst_fiu(session, principal)
    found = tracing.trace(
        store.files(session, settings, fiu),
        origin,
        direction=direction,
        hops=hops,
        since=since,
        until=until,
        min_amount=min_amount,
        method=method,
    )
    _logged(
        session,
        principal,
        context,
        "finintel.trace",
        object_ids=[origin],
        detail={
            "direction": direction.value,
            "hops": hops,
            "method": method.value,
            "flows": len(found.flows),
        },
    )
    return found


def alert_transactions(
    session: Session,
    principal: Principal,
    settings: Settings,
    alert: MonitoringAlert,
    context: AccessContext,
    *,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The payments an alert names, as the FIU's store holds them."""
    fiu = analyst_fiu(session, principal)
    files = store.files(session, settings, fiu)
    wanted = list(alert.transactions)[:limit]
    rows: list[dict[str, Any]] = []
    if files and wanted:
        engine = DuckDBEngine()
        try:
            engine.load("tx", files)
            rows = engine.rows(
                "SELECT tx_id, time, source, target, amount, currency, amount_eur, channel,"
                " source_country, target_country FROM tx WHERE tx_id IN (SELECT unnest($1))"
                " ORDER BY time, tx_id",
                [wanted],
            )
        finally:
            engine.close()
    _logged(
        session,
        principal,
        context,
        "finintel.alert.read",
        object_ids=[alert.alert_key],
        detail={"typology": alert.typology, "transactions": len(rows)},
    )
    return rows


def train_ranking(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    laundering: set[str],
    context: AccessContext,
) -> dict[str, Any]:
    """Train the FIU's alert ranking on its store, `laundering` being the accounts its
    confirmed cases name (every other account counts as not laundering); a supervisor's act,
    since the model orders every analyst's queue."""
    fiu = analyst_fiu(session, principal)
    if not principal.has_role(Role.supervisor):
        raise Forbidden(N_("the FIU's alert ranking is trained by its supervisors"))
    files = store.files(session, settings, fiu)
    if not files:
        raise Invalid(N_("no transactions have been imported: nothing to learn from"))
    work = DuckDBEngine()
    try:
        run = monitoring.detect(work, files, thresholds(session, fiu))
        found = ranking.features(work, run.alerts)
    finally:
        work.close()
    labels = np.array([a in laundering for a in found.accounts], dtype=np.int64)
    unknown = len(laundering - set(found.accounts))
    model = ranking.train(found, labels)
    model.save(store.directory(settings, fiu) / MODEL_FILE)
    summary = {
        "accounts": len(found.accounts),
        "laundering": int(labels.sum()),
        "not_in_store": unknown,
        "f1_on_labels": round(
            ranking.f1(
                np.array([s >= model.threshold for s in model.score(found).values()]), labels
            ),
            4,
        ),
    }
    _logged(
        session,
        principal,
        context,
        "finintel.ranking.train",
        operation=Operation.alteration,
        detail=summary,
    )
    return summary


# Jobs ----------------------------------------------------------------------------------------
def submit(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    parameters: dict[str, Any],
    context: AccessContext,
    now: datetime,
) -> FinintelJob:
    fiu = analyst_fiu(session, principal)
    job = FinintelJob(
        agency_id=fiu.id,
        username=principal.username,
        kind=kind,
        parameters=parameters,
        purpose=context.purpose.value,
        justification=context.justification,
        status="queued",
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job


def execute(
    session: Session,
    settings: Settings,
    *,
    job: FinintelJob,
    principal: Principal,
    now: datetime,
    progress: Progress = unobserved,
) -> None:
    context = AccessContext.of(job.purpose, job.justification)
    p = job.parameters
    result: dict[str, Any]
    if job.kind == "monitor":
        steps = [name for name, _ in monitoring.DETECTORS] + ["ranking"]
        run, _ = monitor(
            session,
            principal,
            settings,
            backend=Backend(p.get("backend", "duckdb")),
            context=context,
            now=now,
            step=lambda name: progress(name, steps.index(name), len(steps)),
        )
        result = {
            "transactions": run.transactions,
            "alerts": [a.as_dict() for a in run.alerts],
            "seconds": {k: round(v, 3) for k, v in run.seconds.items()},
        }
    else:
        progress("tracing", 0, 1)
        result = trace(
            session,
            principal,
            settings,
            origin=p["origin"],
            direction=tracing.Direction(p.get("direction", "forward")),
            hops=int(p.get("hops", 4)),
            method=tracing.Method(p.get("method", "fifo")),
            since=datetime.fromisoformat(p["since"]) if p.get("since") else None,
            until=datetime.fromisoformat(p["until"]) if p.get("until") else None,
            min_amount=float(p.get("min_amount", tracing.DEFAULT_MIN_AMOUNT)),
            context=context,
        ).as_dict()
    job.status, job.result, job.finished_at = "done", result, now


def account(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    key: str,
    context: AccessContext,
    limit: int = 500,
) -> dict[str, Any]:
    """An account as the FIU's store shows it: its payments (newest first), what went in and
    out day by day, its counterparties, and the alerts that name it."""
    fiu = analyst_fiu(session, principal)
    files = store.files(session, settings, fiu)
    if not files:
        raise Invalid(N_("no transactions have been imported"))
    engine = DuckDBEngine()
    try:
        engine.load("tx", files)
        payments = engine.rows(
            f"SELECT {tracing.COLUMNS} FROM tx WHERE source = $1 OR target = $1"  # noqa: S608
            " ORDER BY t DESC, tx_id LIMIT $2",
            [key, limit],
        )
        daily = engine.rows(
            """
            SELECT CAST(time AS DATE) AS day,
                   sum(CASE WHEN target = $1 THEN amount_eur ELSE 0 END) AS in_eur,
                   sum(CASE WHEN source = $1 THEN amount_eur ELSE 0 END) AS out_eur,
                   count(*) AS payments
            FROM tx WHERE source = $1 OR target = $1 GROUP BY 1 ORDER BY 1
            """,
            [key],
        )
        counterparties = engine.rows(
            """
            SELECT CASE WHEN source = $1 THEN target ELSE source END AS account,
                   sum(CASE WHEN target = $1 THEN amount_eur ELSE 0 END) AS in_eur,
                   sum(CASE WHEN source = $1 THEN amount_eur ELSE 0 END) AS out_eur,
                   count(*) AS payments
            FROM tx WHERE (source = $1 OR target = $1) AND source IS DISTINCT FROM target
            GROUP BY 1 ORDER BY in_eur + out_eur DESC LIMIT 50
            """,
            [key],
        )
    finally:
        engine.close()
    if not daily:
        raise NotFound(N_("no account %(key)s in the imported transactions"), key=repr(key))
    alerts = list(
        session.scalars(
            select(MonitoringAlert).where(MonitoringAlert.agency_id == fiu.id, on_account(key))
        )
    )
    _logged(
        session,
        principal,
        context,
        "finintel.account",
        object_ids=[key],
    )
    return {
        "account": key,
        "payments": payments,
        "daily": daily,
        "counterparties": counterparties,
        "alerts": alerts,
    }
