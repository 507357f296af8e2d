"""New records linked against the latest run without running again, scored exactly as the
run scored its pairs, under the same policy."""

from __future__ import annotations

import pytest

from palermo.errors import Invalid, NotFound
from palermo.linkage import features, incremental, model
from palermo.models.base import utcnow
from palermo.models.linkage import LinkPair
from palermo.records import repository
from palermo.records import service as records
from tests.linkage.conftest import ANALYSIS, SHARED, People
from tests.linkage.test_linkage import pairs, run
from tests.records.helpers import envelope


def test_python_scoring_equals_the_runs(people: People) -> None:
    linkage = run(people)
    seen = features.visible_records(
        people.db, people.analyst, ANALYSIS, schema="Person", owners=None, now=utcnow()
    )
    codes = repository.agency_codes(people.db, {s.owner_agency_id for s in seen})
    rows = {r["unique_id"]: r for r in features.rows(people.db, seen, codes)}
    stored = people.db.query(LinkPair).filter(LinkPair.run_id == linkage.id).all()
    assert stored
    for pair in stored:
        scored = model.score(
            linkage.model, rows[pair.left_id], rows[pair.right_id], linkage.frequencies
        )
        assert scored.match_weight == pytest.approx(pair.match_weight, abs=1e-9)
        assert scored.weights == pytest.approx(pair.weights, abs=1e-3)


def _newcomer(people: People, settings, like: str) -> str:
    """A new French record of the person of record `like`: names swapped, year of birth."""
    known = records.full_views(people.db, [like])[like]
    first, _, last = known.properties["name"][0].partition(" ")
    record = records.create_record(
        people.db,
        principal=people.french,
        settings=settings,
        entity={
            "schema": "Person",
            "properties": {
                "name": [f"{last} {first}"],
                "birthDate": [known.properties["birthDate"][0][:4]],
            },
        },
        envelope=envelope(**SHARED),
        now=utcnow(),
    )
    people.db.commit()
    return record.id


def test_a_new_record_joins_its_person(people: People, settings) -> None:
    linkage = run(people)
    before = linkage.pairs
    like = next(
        r for r in sorted(people.truth) if r not in people.hidden and r.startswith("de-bka.")
    )
    newcomer = _newcomer(people, settings, like)
    (linked,) = incremental.link_records(
        people.db,
        principal=people.analyst,
        context=ANALYSIS,
        record_ids=[newcomer],
        now=utcnow(),
    )
    people.db.commit()
    partners = {p.left_id if p.right_id == newcomer else p.right_id for p in linked.pairs}
    assert like in partners
    assert not partners & people.hidden  # a record the analyst may not see is no candidate
    assert linkage.pairs == before + len(linked.pairs)
    proposed = {(p.left_id, p.right_id) for p in pairs(people, "proposed")}
    assert tuple(sorted((like, newcomer))) in proposed
    (again,) = incremental.link_records(
        people.db, principal=people.analyst, context=ANALYSIS, record_ids=[newcomer], now=utcnow()
    )
    assert again.pairs == []  # linked once


def test_a_hidden_record_cannot_be_linked(people: People) -> None:
    run(people)
    hidden = sorted(people.hidden)[0]
    with pytest.raises(NotFound, match=hidden):
        incremental.link_records(
            people.db, principal=people.analyst, context=ANALYSIS, record_ids=[hidden], now=utcnow()
        )


def test_a_run_of_an_earlier_model_is_refused_with_the_reason(people: People) -> None:
    linkage = run(people)
    older = dict(linkage.model)
    name, *rest = older["comparisons"]
    older["comparisons"] = [{**name, "comparison_levels": name["comparison_levels"][:-2]}, *rest]
    linkage.model = older
    people.db.flush()
    newcomer = sorted(r for r in people.truth if r not in people.hidden)[0]
    with pytest.raises(Invalid, match="earlier version of the model"):
        incremental.link_records(
            people.db,
            principal=people.analyst,
            context=ANALYSIS,
            record_ids=[newcomer],
            now=utcnow(),
        )
