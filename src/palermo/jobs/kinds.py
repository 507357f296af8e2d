"""The kinds of long work, each read through its capability's own rules: the job's table,
how one job is found (its agency's only), who may read its results, and how it reads."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from palermo.finintel import jobs as finintel_jobs
from palermo.finintel import service as finintel
from palermo.identity.principal import Principal
from palermo.imports import jobs as import_jobs
from palermo.imports import service as imports
from palermo.jobs.repository import JobTable
from palermo.jobs.views import Fact, JobView, Link, Text
from palermo.linkage import jobs as linkage_jobs
from palermo.models.finintel import FinintelJob
from palermo.models.imports import ImportJob
from palermo.models.linkage import LinkRun
from palermo.models.network import NetworkJob
from palermo.models.screening import ScreeningJob
from palermo.network import jobs as network_jobs
from palermo.network import service as network
from palermo.screening import jobs as screening_jobs
from palermo.translatable import N_

# The stages jobs report (`palermo.background.Progress`), as people read them.
STAGES = {
    "screening": N_("Screening the lines"),
    "reading": N_("Reading the records"),
    "linking": N_("Comparing the records"),
    "storing": N_("Keeping the proposed pairs"),
    "building": N_("Building the network"),
    "analysing": N_("Analysing the network"),
    "disrupting": N_("Simulating the disruption"),
    "structuring": N_("Looking for structuring"),
    "fans": N_("Looking for fans in and out"),
    "gather_scatter": N_("Looking for gather-scatter"),
    "scatter_gather": N_("Looking for scatter-gather"),
    "layered_groups": N_("Looking for layered groups"),
    "chains": N_("Looking for chains"),
    "rapid_pass_through": N_("Looking for rapid pass-through"),
    "dormant": N_("Looking for dormant accounts woken"),
    "ranking": N_("Ranking the alerts"),
    "tracing": N_("Tracing the money"),
    imports.CHECKING: N_("Checking the file"),
    imports.WRITING: N_("Writing it all at once"),
}


def _stage(status: str, stage: str | None) -> str | None:
    if status != "running" or stage is None:
        return None
    return STAGES.get(stage, stage)


def _screening(job: ScreeningJob) -> JobView:
    return JobView(
        kind="screening",
        kind_title=N_("Batch screening"),
        id=job.id,
        title=Text(N_("Batch screening of %(file)s"), {"file": job.filename}),
        username=job.username,
        created_at=job.created_at,
        finished_at=job.finished_at,
        status=job.status,
        done=job.done,
        total=job.total,
        stage=_stage(job.status, "screening"),
        counted=Text(N_("%(done)s of %(total)s lines screened")),
        facts=(Fact("lines", N_("Lines"), job.total), Fact("hits", N_("Hits"), job.hits)),
        page=f"/screening/batch/{job.id}",
        result=Link(
            f"/api/screen/batch/{job.id}/hits.csv", N_("Download the hits (CSV)"), download=True
        )
        if job.status == "done"
        else None,
        error=job.error,
    )


def _linkage(run: LinkRun) -> JobView:
    done = run.status == "done"
    return JobView(
        kind="linkage",
        kind_title=N_("Linkage run"),
        id=run.id,
        title=Text(N_("Linkage of %(schema)s records"), {"schema": run.schema}),
        username=run.username,
        created_at=run.created_at,
        finished_at=run.finished_at,
        status=run.status,
        done=run.progress_done,
        total=run.progress_total,
        stage=_stage(run.status, run.stage),
        counted=None,
        facts=(
            Fact("records", N_("Records compared"), run.records),
            Fact("pairs", N_("Pairs proposed"), run.pairs),
        )
        if done
        else (),
        page=f"/jobs/linkage/{run.id}",
        result=Link("/linkage", N_("Review the proposed pairs")) if done else None,
        error=run.error,
    )


NETWORK_TITLES = {
    "build": N_("Network build"),
    "analyze": N_("Network analysis"),
    "disrupt": N_("Disruption simulation"),
}


def _network_facts(job: NetworkJob) -> tuple[Fact, ...]:
    result: dict[str, Any] = job.result or {}
    if job.kind == "build":
        figures = result
    elif job.kind == "analyze":
        figures = result.get("summary", {})
    else:
        figures = result.get("start", {})
    facts = [
        Fact(key, label, figures[key])
        for key, label in (
            ("nodes", N_("Nodes")),
            ("edges", N_("Edges")),
            ("components", N_("Components")),
            ("largest_component", N_("Largest component")),
        )
        if isinstance(figures.get(key), int)
    ]
    if job.kind == "disrupt":
        facts.append(Fact("steps", N_("Steps simulated"), len(result.get("steps", []))))
    left_out = sum(result.get("left_out", {}).values())
    return (*facts, Fact("left_out", N_("Records left out"), left_out))


def _network(job: NetworkJob) -> JobView:
    done = job.status == "done"
    return JobView(
        kind="network",
        kind_title=N_("Network analysis"),
        id=job.id,
        title=Text(NETWORK_TITLES.get(job.kind, job.kind)),
        username=job.username,
        created_at=job.created_at,
        finished_at=job.finished_at,
        status=job.status,
        done=job.progress_done,
        total=job.progress_total,
        stage=_stage(job.status, job.stage),
        counted=None,
        facts=_network_facts(job) if done else (),
        page=f"/jobs/network/{job.id}",
        result=Link(f"/api/network/jobs/{job.id}", N_("The full result (JSON)")) if done else None,
        error=job.error,
    )


def _finintel(job: FinintelJob) -> JobView:
    done = job.status == "done"
    result: dict[str, Any] = job.result or {}
    facts: tuple[Fact, ...] = ()
    if job.kind == "monitor":
        title = Text(N_("Transaction monitoring"))
        link = Link("/finintel/alerts", N_("Open the alert queue"))
        if done:
            facts = (
                Fact("transactions", N_("Transactions"), result.get("transactions", 0)),
                Fact("alerts", N_("Alerts"), len(result.get("alerts", []))),
            )
    else:
        p = job.parameters
        title = Text(N_("Trace from %(origin)s"), {"origin": p.get("origin", "")})
        query: dict[str, Any] = {
            k: p[k] for k in ("origin", "direction", "hops", "method") if k in p
        }
        link = Link(f"/finintel/trace?{urlencode(query)}", N_("Draw the trace"))
        if done:
            facts = (
                Fact("flows", N_("Flows"), len(result.get("flows", []))),
                Fact("accounts", N_("Accounts"), len(result.get("accounts", []))),
            )
    return JobView(
        kind="finintel",
        kind_title=N_("Financial analysis"),
        id=job.id,
        title=title,
        username=job.username,
        created_at=job.created_at,
        finished_at=job.finished_at,
        status=job.status,
        done=job.progress_done,
        total=job.progress_total,
        stage=_stage(job.status, job.stage),
        counted=None,
        facts=facts,
        page=f"/jobs/finintel/{job.id}",
        result=link if done else None,
        error=job.error,
    )


IMPORT_TITLES = {
    "records": N_("Records from %(file)s"),
    "watchlist": N_("Watch list from %(file)s"),
    "transactions": N_("Transactions from %(file)s"),
}
# What an import counts while it checks its file (a list is parsed whole: it counts none).
IMPORT_COUNTED = {
    "records": N_("%(done)s of %(total)s lines checked"),
    "transactions": N_("%(done)s of %(total)s bytes checked"),
}
IMPORT_FACTS = {
    "records": (
        ("lines", N_("Lines")),
        ("created", N_("Records created")),
        ("updated", N_("Records updated")),
        ("unchanged", N_("Records unchanged")),
    ),
    "watchlist": (
        ("entries", N_("Entries")),
        ("added", N_("Entries added")),
        ("updated", N_("Entries updated")),
        ("unchanged", N_("Entries unchanged")),
        ("retired", N_("Entries retired")),
    ),
    "transactions": (("transactions", N_("Transactions")), ("total_eur", N_("Total (EUR)"))),
}
SHOWN_PROBLEMS = 50  # of a refused file's, on its page (the API gives them all)


def _import_result(job: ImportJob) -> Link | None:
    """Where to read what the import brought: its first record, or its first account."""
    result: dict[str, Any] = job.result or {}
    if result.get("first_record"):
        label = (
            N_("Open the list's first entry")
            if job.kind == "watchlist"
            else N_("Open the first record imported")
        )
        return Link(f"/records/{quote(result['first_record'], safe='')}", label)
    if result.get("first_account"):
        return Link(
            f"/finintel/accounts/{quote(result['first_account'], safe='')}",
            N_("Open the first account of the batch"),
        )
    return None


def _problem(detail: dict[str, Any]) -> Text:
    """A refused line: records name it by number, transactions by line and column."""
    if "line" in detail:
        return Text(
            N_("line %(number)s: %(reason)s"),
            {"number": detail["line"], "reason": detail.get("problem", "")},
        )
    return Text(
        N_("%(where)s: %(problem)s"),
        {"where": detail.get("path", ""), "problem": detail.get("message", "")},
    )


def _import(job: ImportJob) -> JobView:
    done = job.status == "done"
    result: dict[str, Any] = job.result or {}
    # Only the checking is counted (see palermo.imports.service); else the bar cannot tell.
    counting = job.status == "running" and job.stage == imports.CHECKING and job.progress_total > 0
    return JobView(
        kind="import",
        kind_title=N_("Import"),
        id=job.id,
        title=Text(IMPORT_TITLES[job.kind], {"file": job.filename}),
        username=job.username,
        created_at=job.created_at,
        finished_at=job.finished_at,
        status=job.status,
        done=job.progress_done if counting else 0,
        total=job.progress_total if counting else 0,
        stage=_stage(job.status, job.stage),
        counted=Text(IMPORT_COUNTED[job.kind]) if counting else None,
        facts=tuple(
            Fact(key, label, result[key]) for key, label in IMPORT_FACTS[job.kind] if key in result
        )
        if done
        else (),
        page=import_jobs.page_of(job.id),
        result=_import_result(job) if done else None,
        error=job.error,
        problems=tuple(_problem(d) for d in (job.problems or [])[:SHOWN_PROBLEMS]),
    )


def _anyone(session: Session, principal: Principal) -> None:
    """Every member of the agency reads its jobs of this kind."""


def _network_analysts(session: Session, principal: Principal) -> None:
    network.may_analyse(principal)


def _fiu_analysts(session: Session, principal: Principal) -> None:
    finintel.analyst_fiu(session, principal)


def _importers(session: Session, principal: Principal) -> None:
    imports.may_import(principal)


@dataclass(frozen=True)
class Kind:
    name: str
    table: type[JobTable]
    find: Callable[[Session, Principal, uuid.UUID], Any]  # raises NotFound for others
    may_read: Callable[[Session, Principal], None]  # raises when the principal may not
    view: Callable[[Any], JobView]
    released: tuple[str, ...] = ()  # columns of what was submitted, emptied when it ends


KINDS = {
    kind.name: kind
    for kind in (
        Kind("screening", ScreeningJob, screening_jobs.job_for, _anyone, _screening),
        Kind("linkage", LinkRun, linkage_jobs.run_for, _anyone, _linkage),
        Kind("network", NetworkJob, network_jobs.job_for, _network_analysts, _network),
        Kind("finintel", FinintelJob, finintel_jobs.job_for, _fiu_analysts, _finintel),
        Kind("import", ImportJob, import_jobs.job_for, _importers, _import, ("upload",)),
    )
}
