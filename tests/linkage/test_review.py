"""The review of a run: the decisions worth most first, two records compared as policy shows
them (a hidden one is not found), and dossiers that say nothing a hit-only member holds."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from palermo.errors import NotFound
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.identity.service import configure_agency
from palermo.linkage import review, service
from palermo.linkage.clusters import Cluster
from palermo.linkage.engine import Backend
from palermo.linkage.service import PairView
from palermo.models.base import utcnow
from palermo.models.identity import Agency, User
from palermo.models.records import Disclosure
from palermo.records import service as records
from palermo.records.schemas import HitOut, RecordOut
from palermo.settings import Settings
from tests.conftest import Factory, audit_actions
from tests.linkage.conftest import ANALYSIS, People
from tests.records.helpers import envelope, principal_of

# What only NL-NP's hit-only copy of a person says: never shown to DE-BKA's analyst.
SECRET_DATE = "2003-03-03"
SECRET_NOTE = "informant Nightjar"


@dataclass
class Linked:
    people: People
    hit_id: str  # NL-NP's copy, which DE-BKA's analyst may know of only as a hit
    twin_id: str  # the record of the same person DE-BKA's analyst sees in full


@pytest.fixture
def linked(people: People, settings: Settings) -> Linked:
    """The people linked by DE-BKA's analyst, once NL-NP has shared a copy of one of them
    (with more in it) as a hit only."""
    db, now = people.db, utcnow()
    seen = sorted(r for r in people.truth if r not in people.hidden)
    views = records.full_views(db, seen)
    twin = next(
        views[r]
        for r in seen
        if "passportNumber" in views[r].properties
        and len(views[r].properties["birthDate"][0]) == 10
    )
    user = db.scalars(select(User).where(User.username == "nl-np.analyst")).one()
    copy = records.create_record(
        db,
        principal=principal_of(db, user),
        settings=settings,
        entity={
            "schema": "Person",
            "properties": {
                **twin.properties,
                "birthDate": [*twin.properties["birthDate"], SECRET_DATE],
                "notes": [SECRET_NOTE],
            },
        },
        envelope=envelope(
            tlp="GREEN",
            shares=[{"scope": "everyone", "level": "hit_only"}],
            purposes=["criminal_analysis"],
        ),
        now=now,
    )
    service.run(
        db,
        principal=people.analyst,
        context=ANALYSIS,
        schema="Person",
        scope=None,
        backend=Backend.duckdb,
        threshold=0.2,
        now=now,
    )
    db.commit()
    return Linked(people, copy.id, twin.id)


def queue(
    people: People, limit: int = 1000, who: Principal | None = None
) -> list[review.QueuedPair]:
    return review.queue(
        people.db,
        principal=who or people.analyst,
        context=ANALYSIS,
        schema="Person",
        limit=limit,
        now=utcnow(),
    )


def keyed(found: list[review.QueuedPair]) -> dict[tuple[str, str], PairView]:
    return {(q.pair.left_id, q.pair.right_id): q.pair for q in found}


def compare(people: People, left: str, right: str) -> review.Comparison:
    return review.comparison(
        people.db,
        principal=people.analyst,
        context=ANALYSIS,
        schema="Person",
        left_id=left,
        right_id=right,
        now=utcnow(),
    )


def owner(record_id: str) -> str:
    return record_id.split(".")[0]  # ids are namespaced by their owner agency


def cluster_with(people: People, record_id: str) -> Cluster:
    found = service.clusters_of(
        people.db, principal=people.analyst, context=ANALYSIS, schema="Person", now=utcnow()
    )
    return next(c for c in found if record_id in c.members)


def test_a_decision_is_worth_most_where_the_outcome_is_unsure_and_moves_most() -> None:
    assert review.expected_value(0.5, 2) > review.expected_value(0.99, 2)
    assert review.expected_value(0.3, 2) == pytest.approx(review.expected_value(0.7, 2))
    assert review.expected_value(0.8, 6) > review.expected_value(0.8, 2)
    assert review.expected_value(0.5, 1) == 0.5  # ln 1 = 0: the uncertainty alone


def test_the_queue_puts_the_unsure_pairs_first(linked: Linked) -> None:
    people = linked.people
    found = queue(people)
    assert {q.pair.status for q in found} == {"proposed"}
    values = [q.value for q in found]
    assert values == sorted(values, reverse=True)
    for q in found:
        assert q.joins >= 2
        assert q.value == pytest.approx(review.expected_value(q.pair.probability or 0, q.joins))
    position = {(q.pair.left_id, q.pair.right_id): i for i, q in enumerate(found)}
    unsure = min(found, key=lambda q: abs((q.pair.probability or 0) - 0.5))
    sure = [q for q in found if (q.pair.probability or 0) >= 0.99]
    assert (unsure.pair.probability or 0) < 0.9
    assert sure
    for q in sure:  # a near coin-toss is decided before any near-certain pair
        assert (
            position[(unsure.pair.left_id, unsure.pair.right_id)]
            < position[(q.pair.left_id, q.pair.right_id)]
        )
    assert queue(people, limit=3) == found[:3]

    first = found[0].pair
    service.judge(
        people.db,
        principal=people.analyst,
        context=ANALYSIS,
        left_id=first.left_id,
        right_id=first.right_id,
        verdict="unsure",
        note=None,
        now=utcnow(),
    )
    assert queue(people, limit=1)[0].pair != first  # judged: no longer waiting


def test_under_four_eyes_a_verdict_waits_in_a_colleagues_queue_not_its_authors(
    linked: Linked, factory: Factory, operator: Principal
) -> None:
    people = linked.people
    configure_agency(people.db, principal=operator, code="DE-BKA", link_four_eyes=True)
    first = queue(people)[0].pair
    key = (first.left_id, first.right_id)
    judgement = {"context": ANALYSIS, "verdict": "confirmed", "note": None, "now": utcnow()}
    service.judge(people.db, principal=people.analyst, left_id=key[0], right_id=key[1], **judgement)
    assert key not in keyed(queue(people))  # its author cannot second it
    assert compare(people, *key).waiting

    bka = people.db.scalars(select(Agency).where(Agency.code == "DE-BKA")).one()
    second, _ = factory.user("de-bka.analyst2", Role.analyst, agency=bka)
    colleague = principal_of(people.db, second)
    assert keyed(queue(people, who=colleague))[key].pending == "confirmed"
    service.judge(people.db, principal=colleague, left_id=key[0], right_id=key[1], **judgement)
    assert not compare(people, *key).waiting


def test_a_comparison_shows_both_records_their_weights_and_the_judgement(
    linked: Linked,
) -> None:
    people = linked.people
    pair = next(
        q.pair
        for q in queue(people)
        if not q.pair.hit_only and owner(q.pair.left_id) != owner(q.pair.right_id)
    )
    shown = compare(people, pair.right_id, pair.left_id)  # either order
    assert isinstance(shown.left, RecordOut)
    assert isinstance(shown.right, RecordOut)
    assert (shown.left.id, shown.right.id) == (pair.left_id, pair.right_id)
    assert shown.probability == pair.probability
    assert shown.weights is not None
    assert set(shown.weights) == set(review.FIELDS)
    assert shown.judgement is None

    # Each record read is a consultation, and a foreign one a disclosure to the agency.
    assert audit_actions(people.db).count("record.read") == 2
    foreign = next(r for r in (shown.left, shown.right) if r.envelope.owner_agency != "DE-BKA")
    assert people.db.get(Disclosure, (foreign.id, people.analyst.agency_id)) is not None

    service.judge(
        people.db,
        principal=people.analyst,
        context=ANALYSIS,
        left_id=pair.left_id,
        right_id=pair.right_id,
        verdict="confirmed",
        note="same passport photo",
        now=utcnow(),
    )
    judged = compare(people, pair.left_id, pair.right_id).judgement
    assert judged is not None
    assert (judged.verdict, judged.note) == ("confirmed", "same passport photo")


def test_a_hit_only_record_is_compared_without_its_content(linked: Linked) -> None:
    shown = compare(linked.people, linked.twin_id, linked.hit_id)
    hit = shown.left if shown.left.id == linked.hit_id else shown.right
    assert isinstance(hit, HitOut)
    assert hit.owner_agency == "NL-NP"
    assert shown.probability is not None  # the run saw it…
    assert shown.weights is None  # …but its weights would tell what it holds


def test_comparing_a_record_one_may_not_know_of_is_not_found(linked: Linked) -> None:
    people = linked.people
    hidden = sorted(people.hidden)[0]
    with pytest.raises(NotFound, match=hidden):
        compare(people, linked.twin_id, hidden)


def test_a_dossier_merges_only_what_the_members_seen_in_full_say(linked: Linked) -> None:
    people = linked.people
    cluster = cluster_with(people, linked.hit_id)
    assert linked.twin_id in cluster.members
    found = review.dossier(
        people.db,
        principal=people.analyst,
        context=ANALYSIS,
        cluster_id=cluster.id,
        schema="Person",
        now=utcnow(),
    )
    assert [m.id for m in found.members] == cluster.members
    assert [h.id for h in found.hits] == [linked.hit_id]
    assert found.hits[0].owner_agency == "NL-NP"  # "also known to NL-NP"
    full = [m for m in found.members if isinstance(m, RecordOut)]
    assert len(full) == len(cluster.members) - 1
    facts = [f for values in found.summary.values() for f in values]
    assert SECRET_DATE not in {f.value for f in facts}
    assert all(linked.hit_id not in f.sources for f in facts)
    twin_names = set(next(m for m in full if m.id == linked.twin_id).properties["name"])
    assert twin_names <= {f.value for f in found.summary["Names"]}
    assert found.summary["Documents"]
    assert found.cluster.conflicts == []


def test_a_dossier_of_no_cluster_is_not_found(linked: Linked) -> None:
    with pytest.raises(NotFound, match="no entity"):
        review.dossier(
            linked.people.db,
            principal=linked.people.analyst,
            context=ANALYSIS,
            cluster_id=sorted(linked.people.hidden)[0],
            schema="Person",
            now=utcnow(),
        )
