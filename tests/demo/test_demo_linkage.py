"""The demo's entity resolution: Europol's run over the persons it may see, mostly true
proposals, judgements of every verdict and a cluster flagged for review."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.identity import repository
from palermo.identity.principal import Principal
from palermo.identity.service import principal_for
from palermo.linkage import service
from palermo.models.base import utcnow
from palermo.models.linkage import LinkJudgement, LinkPair, LinkRun
from palermo.models.records import Record
from palermo.policy.records import AccessContext, Effect, decide
from palermo.records.envelope import Purpose
from palermo.screening.entries import Entry, entries_of

REVIEWING = AccessContext.of("criminal_analysis", "AP Phoenix: review of the cross-match")


def europol_analyst(db: Session) -> Principal:
    user = repository.user_by_username(db, "europol.analyst")
    assert user is not None
    return principal_for(user, channel="session")


def europol_run(db: Session) -> LinkRun:
    return db.scalars(select(LinkRun)).one()


def proposed(db: Session) -> list[LinkPair]:
    return list(db.scalars(select(LinkPair).where(LinkPair.run_id == europol_run(db).id)))


def same_person(left: Entry, right: Entry) -> bool:
    """Birth dates that agree as far as both go (a year, a month, a day), and names that
    share two parts once folded to Latin letters."""
    dates_agree = not left.birth_dates or not right.birth_dates
    dates_agree |= any(
        a.startswith(b) or b.startswith(a) for a in left.birth_dates for b in right.birth_dates
    )

    def parts(entry: Entry) -> set[str]:
        return {p.folded for name in entry.names for p in name.parts if not p.initial}

    return dates_agree and len(parts(left) & parts(right)) >= 2


def test_europol_linked_the_persons_it_may_see(db: Session) -> None:
    run = europol_run(db)
    europol = repository.agency_by_code(db, "EUROPOL")
    assert europol is not None
    assert (run.agency_id, run.username, run.purpose) == (
        europol.id,
        "europol.analyst",
        "criminal_analysis",
    )
    assert run.records >= 50
    assert run.created_at < utcnow()


def test_most_proposals_are_the_same_person_across_agencies(db: Session) -> None:
    pairs = proposed(db)
    ids = [r for p in pairs for r in (p.left_id, p.right_id)]
    entries = {e.record_id: e for e in entries_of(db, ids)}
    owner = dict(
        db.execute(select(Record.id, Record.owner_agency_id).where(Record.id.in_(ids))).all()
    )
    true = [p for p in pairs if same_person(entries[p.left_id], entries[p.right_id])]
    assert 20 <= len(pairs) <= 50
    assert len(true) >= 0.8 * len(pairs)
    assert sum(owner[p.left_id] != owner[p.right_id] for p in true) >= 0.8 * len(true)


def test_analysts_gave_every_verdict(db: Session) -> None:
    judged = db.scalars(select(LinkJudgement)).all()
    assert {j.verdict for j in judged} == {"confirmed", "rejected", "unsure"}
    assert {j.username for j in judged} == {"europol.analyst", "europol.supervisor"}
    assert all(j.note for j in judged)


def test_a_cluster_joins_a_rejected_pair_and_is_flagged(db: Session) -> None:
    clusters = service.clusters_of(
        db, principal=europol_analyst(db), context=REVIEWING, schema="Person", now=utcnow()
    )
    [flagged] = [c for c in clusters if c.conflicts]
    assert len(flagged.members) == 3
    assert len(clusters) >= 10


def test_no_pair_holds_a_record_europol_may_not_see(db: Session) -> None:
    analyst = europol_analyst(db)
    judged = db.execute(select(LinkJudgement.left_id, LinkJudgement.right_id)).all()
    ids = {r for p in proposed(db) for r in (p.left_id, p.right_id)} | {
        r for j in judged for r in j
    }
    for record_id in ids:
        decision = decide(db, analyst, record_id, Purpose.criminal_analysis, now=utcnow())
        assert decision.effect is not Effect.deny, record_id
