"""Linkage runs over what policy shows, judgements that outlive runs and override scores,
clusters with their conflicts, and refusals that name what was wrong."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from palermo.errors import Forbidden, Invalid, NotFound
from palermo.identity.principal import Principal
from palermo.identity.roles import Role
from palermo.identity.service import configure_agency
from palermo.linkage import clusters, engine, model, service
from palermo.linkage.engine import Backend
from palermo.linkage.features import row_of
from palermo.models.base import utcnow
from palermo.models.identity import Agency, User
from palermo.models.linkage import LinkRun
from palermo.screening.entries import entry_of
from tests.conftest import Factory, audit_actions
from tests.linkage.conftest import ANALYSIS, People
from tests.records.helpers import principal_of


def run(people: People, who=None, **kw) -> LinkRun:
    linkage = service.run(
        people.db,
        principal=who or people.analyst,
        context=ANALYSIS,
        schema="Person",
        scope=kw.pop("scope", None),
        backend=kw.pop("backend", Backend.duckdb),
        threshold=kw.pop("threshold", 0.5),
        now=utcnow(),
    )
    people.db.commit()
    return linkage


def pairs(people: People, status: str | None = None, who=None):
    return service.pairs(
        people.db,
        principal=who or people.analyst,
        context=ANALYSIS,
        schema="Person",
        status=status,
        now=utcnow(),
    )


def judge(people: People, left: str, right: str, verdict: str) -> None:
    service.judge(
        people.db,
        principal=people.analyst,
        context=ANALYSIS,
        left_id=left,
        right_id=right,
        verdict=verdict,
        note="compared the passport photos",
        now=utcnow(),
    )
    people.db.commit()


def test_a_run_finds_the_same_people_and_sees_only_what_policy_shows(people: People) -> None:
    linkage = run(people)
    visible = [r for r in people.truth if r not in people.hidden]
    assert linkage.records == len(visible)
    found = pairs(people)
    assert found
    assert linkage.pairs == len(found)
    assert not {p.left_id for p in found} & people.hidden
    assert not {p.right_id for p in found} & people.hidden
    confident = [p for p in found if p.probability >= 0.9]
    correct = sum(people.same(p.left_id, p.right_id) for p in confident)
    assert correct / len(confident) >= 0.95
    true_pairs = {(a, b) for a in visible for b in visible if a < b and people.same(a, b)}
    recall = len({(p.left_id, p.right_id) for p in found} & true_pairs) / len(true_pairs)
    assert recall >= 0.85
    best = found[0]
    assert set(best.weights) == {"name", "dob", "document", "country", "gender"}
    assert "link.run" in audit_actions(people.db)


def test_the_owner_of_hidden_records_links_them(people: People) -> None:
    user = people.db.scalars(select(User).where(User.username == "nl-np.analyst")).one()
    linkage = run(people, who=principal_of(people.db, user))
    assert linkage.records == len(people.truth)


def test_judgements_survive_reruns_and_override_scores(people: People) -> None:
    run(people)
    found = pairs(people)
    sure = next(p for p in found if p.probability >= 0.99)
    judge(people, sure.right_id, sure.left_id, "rejected")  # either order
    visible = sorted(r for r in people.truth if r not in people.hidden)
    proposed = {(p.left_id, p.right_id) for p in found}
    unproposed = [(a, b) for a in visible for b in visible if a < b and (a, b) not in proposed]
    # A pair the model did not propose (of one person, if it missed any) that an analyst joins.
    missed = next((p for p in unproposed if people.same(*p)), unproposed[0])
    run(people)  # a new run: the judgements stay
    rejected = pairs(people, "rejected")
    assert [(p.left_id, p.right_id) for p in rejected] == [(sure.left_id, sure.right_id)]
    assert all(p.status != "rejected" for p in pairs(people, "proposed"))
    found = service.clusters_of(
        people.db, principal=people.analyst, context=ANALYSIS, schema="Person", now=utcnow()
    )
    together = [c for c in found if {sure.left_id, sure.right_id} <= set(c.members)]
    assert not together or together[0].conflicts  # kept apart, or flagged for review
    judge(people, *missed, "confirmed")
    confirmed = pairs(people, "confirmed")
    assert [(p.left_id, p.right_id) for p in confirmed] == [missed]
    assert confirmed[0].probability is None  # judged, not proposed
    clustered = service.clusters_of(
        people.db, principal=people.analyst, context=ANALYSIS, schema="Person", now=utcnow()
    )
    assert any(set(missed) <= set(c.members) for c in clustered)
    assert "link.judge" in audit_actions(people.db)


def test_conflicting_judgements_are_flagged_not_merged_silently() -> None:
    verdicts = {("a", "b"): "confirmed", ("b", "c"): "confirmed", ("a", "c"): "rejected"}
    (cluster,) = clusters.form([("c", "d", 0.4)], verdicts, threshold=0.95)
    assert cluster.members == ["a", "b", "c"]
    assert cluster.conflicts == [("a", "c")]
    assert clusters.form([("a", "b", 0.99)], {("a", "b"): "rejected"}, 0.95) == []
    (joined,) = clusters.form([("a", "b", 0.99), ("b", "c", 0.97)], {}, 0.95)
    assert joined.members == ["a", "b", "c"]
    assert joined.conflicts == []


def test_judging_a_record_one_may_not_see_is_refused(people: People) -> None:
    run(people)
    hidden = sorted(people.hidden)[0]
    seen = next(r for r in people.truth if r not in people.hidden)
    with pytest.raises(NotFound, match=hidden):
        judge(people, seen, hidden, "confirmed")
    with pytest.raises(Invalid, match="confirmed, rejected, unsure"):
        judge(people, seen, seen + "x", "maybe")


def test_bad_requests_are_refused_by_name(people: People, factory: Factory) -> None:
    with pytest.raises(Invalid, match="between 0 and 1"):
        run(people, threshold=1.5)
    with pytest.raises(Invalid, match="unknown agency 'XX-NONE'"):
        run(people, scope=["XX-NONE"])
    with pytest.raises(Invalid, match="a model needs at least 50"):
        run(people, scope=["FR-PJ"])  # too few of them
    with pytest.raises(NotFound, match="no linkage run"):
        pairs(people)
    officer, _ = factory.user("de.officer", Role.officer)
    with pytest.raises(Forbidden, match="analysts and supervisors"):
        run(people, who=principal_of(people.db, officer))


def test_four_eyes_judgements_count_once_a_second_analyst_agrees(
    people: People, factory: Factory, operator: Principal
) -> None:
    configure_agency(people.db, principal=operator, code="DE-BKA", link_four_eyes=True)
    people.db.commit()
    run(people)
    best = pairs(people)[0]
    key = (best.left_id, best.right_id)
    judge(people, *key, "rejected")
    judge(people, *key, "rejected")  # the same analyst again is no second pair of eyes
    assert pairs(people, "rejected") == []
    (waiting,) = [p for p in pairs(people) if (p.left_id, p.right_id) == key]
    assert (waiting.status, waiting.pending) == ("proposed", "rejected")
    bka = people.db.scalars(select(Agency).where(Agency.code == "DE-BKA")).one()
    second, _ = factory.user("de-bka.analyst2", Role.analyst, agency=bka)
    service.judge(
        people.db,
        principal=principal_of(people.db, second),
        context=ANALYSIS,
        left_id=best.right_id,
        right_id=best.left_id,
        verdict="rejected",
        note="namesakes: different fathers' names",
        now=utcnow(),
    )
    people.db.commit()
    assert [(p.left_id, p.right_id) for p in pairs(people, "rejected")] == [key]


def test_records_without_near_certain_pairs_are_refused_with_the_reason() -> None:
    """The prior comes from pairs sharing full name and birth date, or a document; records
    with none of them (all distinct) cannot train a model, which the analyst is told rather
    than an internal error."""
    distinct = [
        {
            "unique_id": f"r{n}",
            "source_dataset": "DE-BKA",
            "first_name": f"given{n}",
            "surname": f"family{n}",
            "full_name": f"family{n} given{n}",
            "name_key": f"key{n}",
            "surname_key": f"fam{n}",
            "initials": "f g",
            "parts": [f"family{n}", f"given{n}"],
            "part_pairs": [f"family{n} given{n}"],
            "keys": [f"fam{n}", f"giv{n}"],
            "symbols": None,
            "dob": f"19{50 + n % 40}-01-{1 + n % 28:02d}",
            "birth_year": f"19{50 + n % 40}",
            "country": "de",
            "gender": None,
            "document": None,
        }
        for n in range(120)
    ]
    with pytest.raises(Invalid, match="share both full name and date of birth"):
        engine.link(distinct, backend=Backend.duckdb, threshold=0.5)


def test_the_prior_is_near_the_true_share_of_matching_pairs(people: People) -> None:
    """The prior comes from EM's share of matches among the pairs born the same day, by
    Bayes — not from an assumed recall of near-certain pairs — and u is freed of the
    matches among the random pairs: a matching full name weighs more than random sampling
    alone says."""
    linkage = run(people)
    assert linkage.model is not None
    visible = [r for r in people.truth if r not in people.hidden]
    same = sum(people.same(a, b) for a in visible for b in visible if a < b)
    share = same / (len(visible) * (len(visible) - 1) / 2)
    prior = linkage.model["probability_two_random_records_match"]
    assert share / 2 < prior < share * 2
    exact = linkage.model["comparisons"][0]["comparison_levels"][1]
    assert "full_name" in exact["sql_condition"]
    # u never falls below U_FLOOR of the sampled share, and it did fall: the share of the
    # random pairs with one full name is mostly the same person's records.
    assert exact["u_probability"] < exact["m_probability"] * prior


def twins(count: int, seed: int) -> tuple[list[dict], set[tuple[str, str]]]:
    """Rows of made-up persons, every third the previous one again as another agency wrote
    them (no document; a gender, kept by the twin), and the twin pairs."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))

    people, pairs = [], set()
    for n in range(count):
        name = f"{word().title()} {word().title()}"
        born = f"197{rng.randint(0, 9)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        gender = rng.choice(["male", "female"])
        if n % 3 == 2:  # the previous person again
            name, born, gender = people[-1]
            pairs.add((f"r{n - 1:04d}", f"r{n:04d}"))
        people.append((name, born, gender))
    rows = [
        row_of(entry, "AG-L")
        for n, (name, born, gender) in enumerate(people)
        if (
            entry := entry_of(
                f"r{n:04d}", "Person", [("name", name), ("birthDate", born), ("gender", gender)]
            )
        )
    ]
    return rows, pairs


def test_records_without_any_document_are_linked_by_names_and_births() -> None:
    """The second EM pass runs on shared documents; with none, on shared name keys."""
    rows, pairs = twins(900, seed=5)
    assert all(row["document"] is None for row in rows)
    result = engine.link(rows, backend=Backend.duckdb, threshold=0.5)
    found = {(p.left_id, p.right_id) for p in result.pairs}
    assert len(found & pairs) >= 0.95 * len(pairs)
    # No twin was written with another gender, yet another gender is no veto: records are
    # mistyped.
    (gender,) = [c for c in result.model["comparisons"] if c["output_column_name"] == "gender"]
    assert gender["comparison_levels"][-1]["m_probability"] >= model.MISTYPED
