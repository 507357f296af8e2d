"""Demo chapter: intercepts that join the cells, and the analyses Europol runs on them.

For each group a lead agency taps the phones of the members it knows of — the Dutch police
for the cocaine pipeline (Wetboek van Strafvordering art. 126m), Romania's DIICOT for the
trafficking ring, Kenya's DCI for the wildlife syndicate — and passes the call detail
records to Europol's analysis project. The operators' exports come as they do in life: their
own column names, semicolons, day-first dates, durations as MM:SS, a cell id per call, and a
subscriber list for one prepaid number.

Within each country the members call one another; one member — the broker — calls into
every other country's cell and uses a prepaid phone registered under an alias. Europol's
analyst (and, for the wildlife syndicate, Tanzania's) then runs a network analysis and a
disruption simulation as API jobs do, so a newcomer finds the results, the link chart and
the brokers at once.
"""

from __future__ import annotations

import csv
import json
import random
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from palermo.demo.builder import DemoWorld
from palermo.demo.groups import CA, CI, COCAINE, TRAFFICKING, WILDLIFE, policy
from palermo.linkage.service import access_of
from palermo.models.base import utcnow
from palermo.models.records import Statement
from palermo.network import calls, service
from palermo.network.disruption import Strategy
from palermo.network.schemas import AnalysisIn, DisruptionIn, JobIn
from palermo.policy.records import AccessContext
from palermo.records.envelope import HandlingCode, SubjectCategory, Tlp
from palermo.records.transfer import import_ftm

ORIGIN = "demo:network"
ANALYST = "europol.analyst"
ANALYSIS = AccessContext.of(
    "criminal_analysis", "AP Cola, AP Phoenix, Operation Thunder — who brokers between the cells"
)
STORY = (date(2023, 3, 1), date(2025, 3, 31))
HEADER = ("A_NUMMER", "B_NUMMER", "DATUM_TIJD", "DUUR", "CELL_ID")
COLUMNS = "caller=A_NUMMER,callee=B_NUMMER,start=DATUM_TIJD,duration=DUUR,cell=CELL_ID"
TIME_FORMAT = "%d-%m-%Y %H:%M:%S"


@dataclass(frozen=True)
class Tap:
    """Who intercepts a group's phones, under which law, and the prepaid phone's alias."""

    network: str
    owner: str
    basis: str
    alias: str
    prepaid: str  # the broker's prepaid number
    analyst: str  # who analyses the group's network
    shares: tuple[str, ...]


TAPS = (
    Tap(
        COCAINE,
        "NL-NP",
        "Wetboek van Strafvordering art. 126m (opnemen van telecommunicatie)",
        "J. Smit",
        "+31687654321",
        ANALYST,
        ("EUROPOL",),
    ),
    Tap(
        TRAFFICKING,
        "RO-DIICOT",
        "Codul de procedură penală, art. 138–140 (supravegherea tehnică)",
        "Ion Ionescu",
        "+40723456789",
        ANALYST,
        ("EUROPOL",),
    ),
    Tap(
        WILDLIFE,
        "KE-DCI",
        "National Police Service Act, s. 35; Prevention of Organised Crimes Act, s. 23",
        "Ali Hassan",
        "+254712345678",
        "tz-ntsciu.analyst",  # Europol sees little of an East African syndicate
        ("TZ-NTSCIU", "INTERPOL"),
    ),
)


def populate(world: DemoWorld) -> None:
    brokers: dict[str, str] = {}
    for tap in TAPS:
        members = _members(world, tap)
        if len(members) < 4:
            continue
        brokers[tap.network] = _intercept(world, tap, members)
    world.session.flush()
    jobs = {
        analyst: _analyses(world, analyst, disruption=analyst == ANALYST)
        for analyst in sorted({tap.analyst for tap in TAPS})
    }
    world.facts["network"] = {"brokers": brokers, "jobs": jobs}


def _members(world: DemoWorld, tap: Tap) -> dict[str, tuple[str, str]]:
    """The group's persons with a phone that the tap's analyst sees in full:
    record id → (phone, country)."""
    network = tap.network
    rows = world.session.execute(
        select(Statement.record_id, Statement.prop, Statement.value)
        .where(
            Statement.record_id.like(f"%.{network}-person-%"),
            Statement.prop.in_(("phone", "nationality")),
            Statement.removed_version.is_(None),
        )
        .order_by(Statement.record_id, Statement.id)
    ).all()
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for record_id, prop, value in rows:
        found[record_id].setdefault(prop, value)
    analyst = world.principal(tap.analyst)
    seen = access_of(world.session, analyst, ANALYSIS, set(found), utcnow())
    return {
        rid: (props["phone"], props.get("nationality", "").upper())
        for rid, props in sorted(found.items())
        if "phone" in props and seen.get(rid)
    }


def _intercept(world: DemoWorld, tap: Tap, members: dict[str, tuple[str, str]]) -> str:
    """Import the tap's call records; the broker's record id. The calls are drawn from a
    generator of their own, so they (and the call records' ids, digests of their content)
    depend on the seed alone, whatever earlier chapters drew."""
    rng = random.Random(f"{world.seed}/network/{tap.network}")
    cells: dict[str, list[str]] = defaultdict(list)
    for record_id, (_, country) in members.items():
        cells[country].append(record_id)
    ordered = sorted(cells, key=lambda c: (-len(cells[c]), c))
    # The broker sits in the second cell (a transit country), or the only one there is.
    home = ordered[1] if len(ordered) > 1 else ordered[0]
    broker = rng.choice(sorted(cells[home]))
    phone = {rid: number for rid, (number, _) in members.items()}
    rows: list[tuple[str, str]] = []
    # How often each pair calls is fixed, whom and when is drawn: every seed gives the same
    # number of calls, so the same record ids (`{network}-call-0001`…), as the groups have.
    for members_of_cell in cells.values():
        for caller in members_of_cell:
            others = [m for m in members_of_cell if m != caller]
            for callee in rng.sample(others, min(2, len(others))):
                rows += [(phone[caller], phone[callee])] * 3
    for country in ordered:
        if country != home:
            for contact in rng.sample(cells[country], min(2, len(cells[country]))):
                rows += [(phone[broker], phone[contact])] * 4
                rows += [(tap.prepaid, phone[contact])] * 2
    with tempfile.TemporaryDirectory() as folder:
        cdr = Path(folder) / f"{tap.owner.lower()}-cdr.csv"
        subscribers = Path(folder) / f"{tap.owner.lower()}-subscribers.csv"
        _write_cdr(rng, cdr, rows)
        with subscribers.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(("MSISDN", "ABONNEE", "GEBOORTEDATUM"))
            writer.writerow((tap.prepaid, tap.alias, "1979-01-01"))
        entities = calls.entities(
            cdr,
            columns=COLUMNS,
            time_format=TIME_FORMAT,
            subscribers=subscribers,
            subscriber_columns="number=MSISDN,name=ABONNEE,birth_date=GEBOORTEDATUM",
        )
    envelope = policy(
        tap.basis,
        handling=HandlingCode.H2,
        tlp=Tlp.amber,
        evaluation="A2",
        purposes=(CI, CA),
        shares=tap.shares,
        offences=["0601"] if tap.network == COCAINE else [],
    ).model_copy(update={"subject_category": SubjectCategory.suspect})
    number = 0
    for entity in entities:
        if entity["schema"] == "Call":
            number += 1
            entity["id"] = f"{tap.network}-call-{number:04d}"
    lines = [json.dumps(e, ensure_ascii=False) for e in entities]
    import_ftm(
        world.session,
        principal=world.operator,
        settings=world.settings,
        lines=lambda: lines,
        envelope=envelope,
        owner_code=tap.owner,
        origin=ORIGIN,
        now=utcnow(),
    )
    return broker


def _write_cdr(rng: random.Random, path: Path, rows: list[tuple[str, str]]) -> None:
    """The operator's export: semicolons, day-first times, MM:SS durations, cell ids."""
    span = (STORY[1] - STORY[0]).days
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for caller, callee in rows:
            at = datetime.combine(STORY[0], datetime.min.time()) + timedelta(
                days=rng.randrange(span), minutes=rng.randint(7 * 60, 23 * 60)
            )
            seconds = rng.randint(12, 1500)
            writer.writerow(
                (
                    caller,
                    callee,
                    at.strftime(TIME_FORMAT),
                    f"{seconds // 60:02d}:{seconds % 60:02d}",
                    f"{rng.randint(200, 799)}-{rng.randint(1, 99):02d}-{rng.randint(1000, 9999)}",
                )
            )


def _analyses(world: DemoWorld, username: str, *, disruption: bool) -> dict[str, str]:
    """An analyst's analysis (and disruption simulation) of everything they may see, run
    as the API's jobs are."""
    analyst = world.principal(username)
    bodies = [
        JobIn(
            purpose=ANALYSIS.purpose.value,
            justification=ANALYSIS.justification,
            kind="analyze",
            analysis=AnalysisIn(top=10, robustness_missing=0.1, robustness_samples=30),
        )
    ]
    if disruption:
        bodies.append(
            JobIn(
                purpose=ANALYSIS.purpose.value,
                justification=ANALYSIS.justification,
                kind="disrupt",
                disruption=DisruptionIn(strategy=Strategy.betweenness, steps=10),
            )
        )
    done: dict[str, str] = {}
    for body in bodies:
        job = service.submit(
            world.session, principal=analyst, context=ANALYSIS, body=body, now=utcnow()
        )
        service.execute(world.session, job=job, principal=analyst, now=utcnow())
        done[body.kind] = str(job.id)
    return done
