"""The demo's criminal groups: three networks, many owners, and policy visibly at work."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from palermo.db import session_factory, unit_of_work
from palermo.demo.groups import COCAINE, TRAFFICKING, WILDLIFE
from palermo.identity import repository as directory
from palermo.identity.service import principal_for
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.models.records import Record, RecordLink
from palermo.policy.records import AccessContext
from palermo.records.envelope import HandlingCode, ShareScope, SubjectCategory, Tlp
from palermo.records.schemas import RecordOut
from palermo.records.service import search_records
from tests.demo.conftest import Built


@pytest.fixture
def session(demo: Built) -> Iterator[Session]:
    """A session whose writes (audit lines, disclosures) are rolled back after the test."""
    session = session_factory(demo.engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def records(session: Session, ids: list[str]) -> list[Record]:
    query = (
        select(Record)
        .options(selectinload(Record.shares), selectinload(Record.purposes))
        .where(Record.id.in_(ids))
    )
    return list(session.scalars(query))


def owner_codes(session: Session) -> dict[Any, str]:
    return dict(session.execute(select(Agency.id, Agency.code)).all())


def all_ids(demo: Built) -> list[str]:
    return [rid for ids in demo.facts["groups"].values() for rid in ids]


def test_three_networks_with_their_people_and_owners(demo: Built, session: Session) -> None:
    groups = demo.facts["groups"]
    assert set(groups) == {COCAINE, TRAFFICKING, WILDLIFE}
    assert 150 <= len(all_ids(demo)) <= 330
    codes = owner_codes(session)
    expected = {
        COCAINE: (
            {"suspect", "convicted", "contact", "informant"},
            {"CO-DIJIN", "EC-PN", "NG-NDLEA", "NL-NP", "ES-UDYCO", "IT-DIA", "NL-FIU"},
            {"Vessel", "Vehicle", "BankAccount", "Payment", "Call", "Trip", "UnknownLink"},
        ),
        TRAFFICKING: (
            {"suspect", "victim", "witness", "informant"},
            {"RO-DIICOT", "BG-GDBOP", "AL-SPAK", "DE-BKA", "NCB-FR", "IT-DIA", "ES-UDYCO"},
            {"Passport", "Employment", "Payment", "Trip"},
        ),
        WILDLIFE: (
            {"suspect", "convicted", "contact", "witness"},
            {"KE-DCI", "TZ-NTSCIU", "VN-C04", "MY-PDRM", "KE-KRA", "VN-GDC", "MZ-SERNIC"},
            {"Event", "Company", "Vessel", "Trip"},
        ),
    }
    for network, (categories, owners, schemas) in expected.items():
        held = records(session, groups[network])
        assert len(held) == len(groups[network])
        people = [r for r in held if r.schema == "Person"]
        assert {r.subject_category.value for r in people if r.subject_category} >= categories
        assert all(r.subject_category is not None for r in people)
        assert all(r.subject_category is None for r in held if r.schema != "Person")
        assert {codes[r.owner_agency_id] for r in held} >= owners
        assert {r.schema for r in held} >= {"Organization", "Membership", *schemas}
        assert demo.facts["group_organizations"][network] in groups[network]


def test_the_broker_links_cells_of_other_agencies(demo: Built, session: Session) -> None:
    broker = demo.facts["broker"]
    links = session.execute(select(RecordLink.source_id, RecordLink.target_id)).all()
    around = {source for source, target in links if target == broker}
    neighbours = {t for s, t in links if s in around and t != broker}
    codes = owner_codes(session)
    owners = {codes[r.owner_agency_id] for r in records(session, sorted(neighbours))}
    assert {"CO-DIJIN", "NL-NP", "IT-DIA"} <= owners


def test_envelopes_mix_handling_codes_tlp_and_evaluations(demo: Built, session: Session) -> None:
    held = records(session, all_ids(demo))
    assert {r.handling_code for r in held} == set(HandlingCode)
    assert {r.tlp for r in held} == set(Tlp)
    for record in held:
        scopes = {s.scope for s in record.shares}
        if record.tlp is Tlp.red:
            assert scopes <= {ShareScope.agency}
        if record.tlp in (Tlp.amber, Tlp.amber_strict):
            assert ShareScope.everyone not in scopes
        if record.handling_code is HandlingCode.H3:
            assert record.handling_note
        assert "criminal_investigation" in {p.purpose for p in record.purposes}
    evaluations = {(r.nature.value, r.source_reliability + r.information_accuracy) for r in held}
    assert {("assessment", "C3"), ("assessment", "X4"), ("fact", "A1"), ("fact", "B2")} <= (
        evaluations
    )
    informants = records(session, demo.facts["informants"])
    assert informants
    for informant in informants:
        assert informant.subject_category is SubjectCategory.informant
        assert informant.handling_code is HandlingCode.H3
        assert "Source protection" in (informant.handling_note or "")
        assert not informant.shares
    europol = directory.agency_by_code(session, "EUROPOL")
    assert europol is not None
    shared_with_europol: dict[str, int] = defaultdict(int)
    by_id = {r.id: r for r in held}
    for network, ids in demo.facts["groups"].items():
        for rid in ids:
            if any(s.agency_id == europol.id for s in by_id[rid].shares):
                shared_with_europol[network] += 1
    assert shared_with_europol[COCAINE]
    assert shared_with_europol[TRAFFICKING]


def visible(session: Session, username: str) -> tuple[set[str], set[str]]:
    """(fully visible, hit-only) record ids for a demo user investigating a case."""
    user = directory.user_by_username(session, username)
    assert user is not None
    principal = principal_for(user, channel="cli")
    context = AccessContext.of("criminal_investigation", "demo check")
    full: set[str] = set()
    hits: set[str] = set()
    offset = 0
    while True:
        page = search_records(
            session, principal=principal, context=context, limit=200, offset=offset, now=utcnow()
        )
        for item in page.items:
            (full if isinstance(item, RecordOut) else hits).add(item.id)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return full, hits


@pytest.mark.parametrize("username", ["ncb-nl.officer", "europol.analyst", "ncb-fr.officer"])
def test_some_records_in_full_some_as_hits_others_not_at_all(
    demo: Built, session: Session, username: str
) -> None:
    ids = set(all_ids(demo))
    full, hits = visible(session, username)
    assert full & ids
    assert hits & ids
    assert ids - full - hits
    assert not full & hits
    assert not set(demo.facts["informants"]) & (full | hits)


def test_ncb_nl_sees_dutch_and_colombian_records_but_not_the_red_broker(
    demo: Built, session: Session
) -> None:
    full, hits = visible(session, "ncb-nl.officer")
    codes = owner_codes(session)
    owners = {codes[r.owner_agency_id] for r in records(session, sorted(full))}
    assert {"NL-NP", "CO-DIJIN"} <= owners
    assert demo.facts["broker"] not in full | hits


def test_same_seed_same_records(demo: Built, rebuilt: list[Built]) -> None:
    def captions(engine: Engine) -> dict[str, str]:
        with unit_of_work(session_factory(engine)) as s:
            rows = s.execute(select(Record.id, Record.caption)).all()
            return dict(rows)

    first = captions(demo.engine)
    for again, same in zip(rebuilt, (True, False), strict=True):
        other = captions(again.engine)
        assert other.keys() == first.keys()
        assert (other == first) is same
