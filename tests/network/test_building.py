"""The intelligence graph is built through policy: what the analyst sees in full, hits as
references only, hidden records not at all; evidence becomes typed, dated edges."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.errors import Forbidden, Invalid, NotFound
from palermo.identity.roles import AgencyKind, Role
from palermo.models import AuditEvent
from palermo.models.base import utcnow
from palermo.models.records import Notification
from palermo.network import analysis, building, service
from palermo.network.graph import Network
from palermo.network.schemas import ScopeIn
from tests.conftest import Factory
from tests.network.conftest import ANALYSIS, World
from tests.records.helpers import principal_of


def _edges(network: Network) -> set[tuple[str, str, str]]:
    e = network.edges
    assert e.kind is not None
    return {(network.ids[e.source[i]], network.ids[e.target[i]], e.kind[i]) for i in range(len(e))}


def test_nodes_are_what_policy_shows_and_edges_the_evidence(world: World) -> None:
    network, left_out = world.build()
    ids = world.ids
    nodes = set(network.ids)
    assert {ids[n] for n in ("jan", "piet", "kees", "tulip", "pablo", "hit")} <= nodes
    assert ids["ghost"] not in nodes
    # Relationship records are edges, not nodes.
    assert not {ids[n] for n in ("associate", "director", "call", "cdr")} & nodes
    # A phone two records hold is a node of its own; a number one record holds is that record.
    assert "phone:+573001234567" in nodes
    assert "phone:+4915112345678" in nodes
    assert "phone:+31612345678" not in nodes
    assert _edges(network) >= {
        (ids["jan"], ids["piet"], "Associate"),
        (ids["piet"], ids["tulip"], "Directorship"),
        (ids["jan"], ids["hit"], "UnknownLink"),
        (ids["pablo"], ids["jan"], "Call"),
        (ids["piet"], "phone:+4915112345678", "Call"),
        (ids["pablo"], "phone:+573001234567", "shared phone"),
        (ids["kees"], "phone:+573001234567", "shared phone"),
    }
    assert left_out == {"edges_to_records_not_shown": 1}  # Pablo's tie to the ghost
    index = network.index
    call = next(i for i, r in enumerate(network.edges.record or []) if r == ids["call"])
    assert bool(network.edges.directed[call])
    assert network.edges.time[call] == datetime(2023, 2, 1, 21, 14, tzinfo=UTC).timestamp()
    assert network.attribute("country", index[ids["pablo"]]) == "CO"
    assert network.attribute("owner", index[ids["pablo"]]) == "CO-POL"


def test_a_hit_only_record_is_a_reference_and_an_owner_nothing_more(world: World) -> None:
    network, _ = world.build()
    hit = network.index[world.ids["hit"]]
    assert network.attribute("access", hit) == "hit"
    assert network.label(hit) == f"hit: {world.ids['hit']} (ES-POL)"
    assert network.attribute("country", hit) is None
    assert "Secreto" not in str([network.attribute(a, hit) for a in network.nodes])


def test_building_logs_the_records_shown_in_full(world: World) -> None:
    world.build()
    event = world.db.scalars(select(AuditEvent).where(AuditEvent.action == "network.build")).one()
    shown = set(event.object_ids)
    assert {world.ids["jan"], world.ids["call"], world.ids["associate"]} <= shown
    assert world.ids["hit"] not in shown
    assert world.ids["ghost"] not in shown
    assert event.purpose == "criminal_analysis"


def test_seeds_and_depth_cut_an_ego_network(world: World) -> None:
    network, _ = world.build(seeds=[world.ids["tulip"]], depth=1)
    assert set(network.ids) == {world.ids["tulip"], world.ids["piet"]}
    network, _ = world.build(seeds=[world.ids["tulip"]], depth=2)
    assert world.ids["jan"] in network.ids
    with pytest.raises(NotFound):
        world.build(seeds=[world.ids["ghost"]])


def test_shared_identifiers_can_be_left_out(world: World) -> None:
    network, _ = world.build(identifiers=False)
    assert "phone:+573001234567" not in network.ids
    assert "shared phone" not in {k for *_, k in _edges(network)}
    # A number one record holds still stands for it: the intercepted call reaches Piet.
    assert (world.ids["piet"], "phone:+4915112345678", "Call") in _edges(network)


def test_a_time_window_keeps_undated_ties(world: World) -> None:
    network, _ = world.build(since=datetime(2023, 1, 20, tzinfo=UTC))
    kinds = {k for *_, k in _edges(network)}
    assert "Associate" not in kinds  # dated 2023-01-05
    assert {"Call", "Directorship", "UnknownLink"} <= kinds


def test_time_respecting_paths_and_direction(world: World) -> None:
    network, _ = world.build()
    ids = world.ids
    found = service.find_paths(network, source=ids["piet"], target=ids["pablo"], mode="time").out
    assert found.paths == [[ids["piet"], ids["jan"], ids["pablo"]]]
    assert [e.time for e in found.chart.edges] == ["2023-01-05", "2023-02-01T21:14:00Z"]
    directed = service.find_paths(
        network, source=ids["piet"], target=ids["pablo"], mode="time", follow_direction=True
    ).out
    assert directed.paths == []  # Pablo called Jan, not the other way round
    shortest = service.find_paths(
        network, source=ids["tulip"], target=ids["hit"], mode="shortest"
    ).out
    assert shortest.paths == [[ids["tulip"], ids["piet"], ids["jan"], ids["hit"]]]
    with pytest.raises(NotFound):
        service.find_paths(network, source=ids["ghost"], target=ids["jan"], mode="shortest")


def test_a_path_search_logs_only_what_the_paths_show(world: World) -> None:
    ids = world.ids
    found = service.paths_between(
        world.db,
        principal=world.analyst,
        context=ANALYSIS,
        scope=ScopeIn(),
        source=ids["tulip"],
        target=ids["piet"],
        mode="shortest",
        now=utcnow(),
    )
    assert found.paths == [[ids["tulip"], ids["piet"]]]
    event = world.db.scalars(select(AuditEvent).where(AuditEvent.action == "network.build")).one()
    assert set(event.object_ids) == {ids["tulip"], ids["piet"], ids["director"]}


def test_the_cross_border_broker_is_found(world: World) -> None:
    network, _ = world.build()
    found = analysis.analyze(network, analysis.Options()).to_dict()
    brokers = [row["node"] for row in found["brokers"]["countries"]]
    assert brokers[0] == world.ids["jan"]  # ties the Dutch cell to the Colombian supplier


def test_only_investigators_and_analysts_build_networks(
    world: World, db: Session, factory: Factory
) -> None:
    bank = factory.agency("BANK-NL", kind=AgencyKind.private_partner, country="NL")
    partner = principal_of(db, factory.user("bank.partner", Role.partner, agency=bank)[0])
    with pytest.raises(Forbidden):
        service.build(db, principal=partner, context=ANALYSIS, scope=ScopeIn(), now=utcnow())


def test_records_of_one_entity_become_one_node(world: World) -> None:
    """What linkage clusters (service._canonical reads them) the builder merges."""
    ids = world.ids
    network, _ = building.build(
        world.db,
        principal=world.analyst,
        context=ANALYSIS,
        scope=building.Scope(canonical=[[ids["kees"], ids["jan"]]]),
        now=utcnow(),
    )
    merged = min(ids["kees"], ids["jan"])
    assert max(ids["kees"], ids["jan"]) not in network.ids
    assert sorted(network.attribute("records", network.index[merged])) == sorted(
        [ids["kees"], ids["jan"]]
    )
    ties = _edges(network)
    assert (merged, ids["piet"], "Associate") in ties  # Jan's tie, now the entity's
    assert (merged, "phone:+573001234567", "shared phone") in ties  # Kees's phone


def test_entities_that_share_a_record_are_one_node(world: World) -> None:
    ids = world.ids
    network, left_out = building.build(
        world.db,
        principal=world.analyst,
        context=ANALYSIS,
        scope=building.Scope(canonical=[[ids["jan"], ids["kees"]], [ids["kees"], ids["piet"]]]),
        now=utcnow(),
    )
    merged = min(ids["jan"], ids["kees"], ids["piet"])
    assert sorted(network.attribute("records", network.index[merged])) == sorted(
        [ids["jan"], ids["kees"], ids["piet"]]
    )
    assert left_out == {"edges_to_records_not_shown": 1}  # still only the ghost's tie
    paths = service.find_paths(
        network, source=ids["kees"], target=ids["tulip"], mode="shortest"
    ).out
    assert paths.paths == [[merged, ids["tulip"]]]  # a member's id finds its entity


def test_a_relationship_record_as_seed_starts_from_its_ends(world: World) -> None:
    network, _ = world.build(seeds=[world.ids["call"]], depth=0)
    assert set(network.ids) == {world.ids["pablo"], world.ids["jan"]}


def test_coarse_dates_count_from_their_first_day() -> None:
    assert building._when({"date": ["2023"]}) == datetime(2023, 1, 1, tzinfo=UTC).timestamp()
    assert (
        building._when({"startDate": ["2023-05"]}) == datetime(2023, 5, 1, tzinfo=UTC).timestamp()
    )
    assert np.isnan(building._when({"date": ["sometime"]}))


def test_a_naive_window_is_utc(world: World) -> None:
    # The call is at 21:14 UTC on 1 February 2023.
    inside, _ = world.build(since=datetime(2023, 2, 1, 21, 0))
    outside, _ = world.build(since=datetime(2023, 2, 1, 21, 30))
    assert world.ids["call"] in (inside.edges.record or [])
    assert world.ids["call"] not in (outside.edges.record or [])


def test_hits_in_a_network_are_logged_and_their_owner_told(world: World) -> None:
    world.build()
    event = world.db.scalars(select(AuditEvent).where(AuditEvent.action == "network.hit")).one()
    assert event.object_ids == [world.ids["hit"]]
    told = world.db.scalars(
        select(Notification).where(Notification.record_id == world.ids["hit"])
    ).one()
    assert told.kind == "record.hit"
    assert "NL-POL hit record" in told.message


def test_canonical_entities_need_a_linkage_run(world: World) -> None:
    with pytest.raises(Invalid, match="entity resolution"):
        world.build(canonical=True)


def test_unknown_owner_agency_is_named(world: World) -> None:
    with pytest.raises(Invalid, match="unknown agency 'XX-NOPE'"):
        world.build(owners=["XX-NOPE"])
    network, _ = world.build(owners=["CO-POL"])
    assert world.ids["jan"] not in network.ids
    assert world.ids["pablo"] in network.ids
    assert np.all(network.edges.source != network.edges.target)
