"""The demo's networks: intercepted calls join each group's cells through a broker, and
Europol's stored analysis finds those brokers between countries."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.models.network import NetworkJob
from palermo.models.records import Record, Statement

NETWORKS = ("cocaine", "trafficking", "wildlife")


def _values(db: Session, prop: str, like: str) -> dict[str, str]:
    rows = db.execute(
        select(Statement.record_id, Statement.value).where(
            Statement.prop == prop,
            Statement.record_id.like(like),
            Statement.removed_version.is_(None),
        )
    )
    return dict(rows.all())


def _true_brokers(db: Session) -> dict[str, str]:
    """Per group, the member whose calls reach the most countries other than their own."""
    brokers = {}
    for network in NETWORKS:
        phones = _values(db, "phone", f"%.{network}-person-%")
        countries = _values(db, "nationality", f"%.{network}-person-%")
        holder = {number: rid for rid, number in phones.items()}
        calls = db.execute(
            select(Statement.record_id, Statement.prop, Statement.value)
            .join(Record, Record.id == Statement.record_id)
            .where(Record.origin == "demo:network", Record.schema == "Call")
            .where(Statement.prop.in_(("callerNumber", "receiverNumber")))
        ).all()
        ends: dict[str, dict[str, str]] = defaultdict(dict)
        for record_id, prop, value in calls:
            ends[record_id][prop] = value
        reach: dict[str, set[str]] = defaultdict(set)
        for end in ends.values():
            caller, callee = holder.get(end["callerNumber"]), holder.get(end["receiverNumber"])
            if caller and callee and countries.get(caller) != countries.get(callee):
                reach[caller].add(countries.get(callee, "?"))
        if reach:
            brokers[network] = max(sorted(reach), key=lambda rid: len(reach[rid]))
    return brokers


def test_every_group_has_intercepted_calls_and_a_broker(db: Session) -> None:
    owners = set(
        db.scalars(
            select(Record.owner_agency_id).where(
                Record.origin == "demo:network", Record.schema == "Call"
            )
        )
    )
    assert len(owners) == 3  # NL-NP, RO-DIICOT and KE-DCI tapped their group's phones
    subscribers = db.scalars(
        select(Record.caption).where(Record.origin == "demo:network", Record.schema == "Person")
    ).all()
    assert sorted(subscribers) == ["Ali Hassan", "Ion Ionescu", "J. Smit"]
    assert set(_true_brokers(db)) == set(NETWORKS)


ANALYSTS = {"cocaine": "europol.analyst", "trafficking": "europol.analyst"}


def test_the_stored_analyses_find_the_brokers_between_countries(db: Session) -> None:
    jobs = {(job.username, job.kind): job for job in db.scalars(select(NetworkJob))}
    assert set(jobs) == {
        ("europol.analyst", "analyze"),
        ("europol.analyst", "disrupt"),
        ("tz-ntsciu.analyst", "analyze"),
    }
    assert all(job.status == "done" for job in jobs.values())
    for network, broker in _true_brokers(db).items():
        analysis = jobs[(ANALYSTS.get(network, "tz-ntsciu.analyst"), "analyze")].result
        assert analysis is not None
        found = [row["node"] for row in analysis["brokers"]["countries"]]
        assert broker in found, network
        assert analysis["robustness"]["samples"] == 30
    disruption = jobs[("europol.analyst", "disrupt")].result
    assert disruption is not None
    ratios = [step["lcc_ratio"] for step in disruption["steps"]]
    assert len(ratios) == 10
    assert ratios[-1] < 0.5  # ten arrests by betweenness break the largest cell apart
