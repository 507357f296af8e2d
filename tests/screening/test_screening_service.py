"""Screening through the service on the test database: what each caller may learn of a hit,
who is told, what the audit log keeps, and an index that follows the records.

The index lives in the process and outlives each test's rolled-back transaction, so every
test screens for made-up names of its own and gives its records ids of its own.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from palermo.errors import Forbidden
from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.models.records import Notification, Record
from palermo.policy.records import AccessContext, Effect, decide
from palermo.records import service as records
from palermo.records.envelope import RecordStatus
from palermo.screening import service
from palermo.screening.schemas import ScreenHit
from palermo.screening.scoring import ALGORITHM, ScreeningQuery
from tests.conftest import Factory
from tests.records.helpers import INVESTIGATION, envelope, principal_of

HIT_ONLY_EXPLANATION = ["hit/no-hit only: ask the owner agency for details"]
HIT_ONLY_FIELDS = {
    "record_id",
    "access",
    "schema",
    "owner_agency",
    "algorithm",
    "alert",
    "explanation",
}
EVERYONE_FULL = {"tlp": "GREEN", "shares": [{"scope": "everyone"}]}


@dataclass
class World:
    db: Session
    factory: Factory
    owner: Agency
    partner: Agency
    stranger: Agency
    bank: Agency
    officer: Principal  # of the owner agency
    supervisor: Principal  # of the owner agency
    french: Principal  # officer of the partner agency
    kenyan: Principal  # officer of an agency nothing is shared with
    banker: Principal  # partner user of a private partner
    bank_admin: Principal  # agency administrator of the private partner
    auditor: Principal  # of the owner agency
    tag: str  # makes this test's record ids its own

    def record(
        self,
        name: str,
        *,
        schema: str = "Person",
        birth_date: str | None = None,
        nationality: str | None = None,
        passport: str | None = None,
        **envelope_fields: Any,
    ) -> str:
        """A record collected by the owner's officer and committed, as a request would."""
        properties = {"name": [name]}
        for prop, value in (
            ("birthDate", birth_date),
            ("nationality", nationality),
            ("passportNumber", passport),
        ):
            if value:
                properties[prop] = [value]
        if schema != "Person":
            envelope_fields.setdefault("subject_category", None)
        created = records.create_record(
            self.db,
            principal=self.officer,
            settings=self.factory.settings,
            entity={
                "id": f"{self.tag}-{uuid.uuid4().hex[:8]}",
                "schema": schema,
                "properties": properties,
            },
            envelope=envelope(**envelope_fields),
            now=utcnow(),
        )
        self.db.commit()
        return created.id

    def screen(
        self,
        principal: Principal,
        name: str,
        *,
        context: AccessContext = INVESTIGATION,
        **query_fields: str,
    ) -> list[ScreenHit]:
        hits = service.screen(
            self.db,
            principal=principal,
            context=context,
            query=ScreeningQuery.of(name, **query_fields),
            now=utcnow(),
        )
        self.db.commit()
        return hits


@pytest.fixture
def world(db: Session, factory: Factory) -> World:
    owner = factory.agency("DE-BKA", country="DE")
    partner = factory.agency("NCB-FR", country="FR")
    stranger = factory.agency("NCB-KE", country="KE")
    bank = factory.agency("BANK-DE", kind=AgencyKind.private_partner, country="DE")
    users = {
        "anna": factory.user("anna", Role.officer, agency=owner)[0],
        "sup": factory.user("sup", Role.supervisor, agency=owner)[0],
        "jean": factory.user("jean", Role.officer, agency=partner)[0],
        "wanjiru": factory.user("wanjiru", Role.officer, agency=stranger)[0],
        "teller": factory.user("teller", Role.partner, agency=bank)[0],
        "bankadmin": factory.user("bankadmin", Role.agency_admin, agency=bank)[0],
        "dpo": factory.user("dpo", Role.auditor, agency=owner)[0],
    }
    p = {name: principal_of(db, user) for name, user in users.items()}
    return World(
        db=db,
        factory=factory,
        owner=owner,
        partner=partner,
        stranger=stranger,
        bank=bank,
        officer=p["anna"],
        supervisor=p["sup"],
        french=p["jean"],
        kenyan=p["wanjiru"],
        banker=p["teller"],
        bank_admin=p["bankadmin"],
        auditor=p["dpo"],
        tag=f"t{uuid.uuid4().hex[:6]}",
    )


def ids(hits: list[ScreenHit]) -> list[str]:
    return [h.record_id for h in hits]


def notifications(db: Session, agency: Agency, record_id: str) -> list[Notification]:
    db.expire_all()
    return list(
        db.scalars(
            select(Notification).where(
                Notification.agency_id == agency.id, Notification.record_id == record_id
            )
        )
    )


def screening_events(db: Session) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "screening.search")
            .order_by(AuditEvent.leaf_index)
        )
    )


# --- what each caller learns ------------------------------------------------------------------


def test_the_owner_gets_a_full_hit_that_says_what_matched_and_why(world: World) -> None:
    rid = world.record(
        "Zbigniew Qwertyuk", birth_date="1970-01-02", nationality="pl", passport="ZQ4471"
    )
    [hit] = world.screen(world.officer, "Qwertyuk Zbigniew", birth_date="1970-01-02")
    assert hit.record_id == rid
    assert hit.access == "full"
    assert hit.algorithm == ALGORITHM == "palermo-name-v1"
    assert hit.score == 1.0
    assert hit.alert
    assert hit.schema_ == "Person"
    assert hit.caption == "Zbigniew Qwertyuk"
    assert hit.names == ["Zbigniew Qwertyuk"]
    assert hit.birth_dates == ["1970-01-02"]
    assert hit.countries == ["pl"]
    assert hit.owner_agency == "DE-BKA"
    assert hit.source == "api"
    assert hit.explanation == [
        "name 'Qwertyuk Zbigniew' ~ 'Zbigniew Qwertyuk': 1.00",
        "birth date 1970-01-02 matches",
    ]


def test_a_variant_spelling_finds_the_record_and_says_how(world: World) -> None:
    rid = world.record("Юлия Тимошенко")
    [hit] = world.screen(world.officer, "Iuliia Timoshenko")
    assert hit.record_id == rid
    assert hit.alert
    assert "romanisation" in hit.explanation[0] or "name variant" in hit.explanation[0]


def test_a_document_number_finds_the_record_under_another_name(world: World) -> None:
    rid = world.record("Zbigniew Qwertyuk", passport="ZQ 4471 09")
    [hit] = world.screen(world.officer, "Peter Brown", document="zq-447109")
    assert hit.record_id == rid
    assert hit.score is not None
    assert hit.score >= 0.99
    assert "document number ZQ447109 matches" in hit.explanation


def test_a_hit_only_share_reveals_reference_and_owner_and_nothing_else(world: World) -> None:
    rid = world.record(
        "Leokadia Brzęczyszczykiewicz",
        birth_date="1966-02-17",
        nationality="pl",
        shares=[{"scope": "agency", "agency": "NCB-FR", "level": "hit_only"}],
    )
    [hit] = world.screen(world.french, "Leokadia Brzeczyszczykiewicz", birth_date="1966-02-17")
    dumped = hit.model_dump(by_alias=True)
    assert dumped == {
        "record_id": rid,
        "access": "hit_only",
        "score": None,
        "alert": True,
        "algorithm": ALGORITHM,
        "schema": "Person",
        "caption": None,
        "names": [],
        "birth_dates": [],
        "countries": [],
        "source": None,
        "source_ref": None,
        "owner_agency": "DE-BKA",
        "explanation": HIT_ONLY_EXPLANATION,
    }
    assert {k for k, v in dumped.items() if v not in (None, [], "")} == HIT_ONLY_FIELDS
    # Nothing of the record's content anywhere in the answer.
    text = json.dumps(dumped, ensure_ascii=False).lower()
    for secret in ("leokadia", "brz", "1966", '"pl"'):
        assert secret not in text


def test_a_weak_match_on_a_hit_only_record_is_not_reported(world: World) -> None:
    """A hit/no-hit answer is a hit or nothing: a below-threshold 'maybe' would leak that a
    similar person is known, with the score withheld."""
    rid = world.record(
        "Leokadia Brzęczyszczykiewicz",
        birth_date="1966-02-17",
        shares=[{"scope": "agency", "agency": "NCB-FR", "level": "hit_only"}],
    )
    namesake = {"birth_date": "1988-11-30"}  # same name, another person
    assert ids(world.screen(world.french, "Leokadia Brzeczyszczykiewicz", **namesake)) == []
    # The owner sees the weak match in full, with its score and the reason it is weak.
    [own] = world.screen(world.officer, "Leokadia Brzeczyszczykiewicz", **namesake)
    assert own.record_id == rid
    assert own.score is not None
    assert not own.alert
    assert "born 1988-11-30, the record says 1966-02-17" in own.explanation


def test_a_record_shared_in_full_gives_the_other_agency_a_full_hit(world: World) -> None:
    rid = world.record(
        "Leokadia Brzęczyszczykiewicz", shares=[{"scope": "agency", "agency": "NCB-FR"}]
    )
    [hit] = world.screen(world.french, "Leokadia Brzeczyszczykiewicz")
    assert hit.record_id == rid
    assert hit.access == "full"
    assert hit.names == ["Leokadia Brzęczyszczykiewicz"]
    assert hit.score is not None


def test_a_record_not_shared_with_the_caller_never_appears(world: World) -> None:
    unshared = world.record("Ottokar Wrzesniewski", birth_date="1959-09-09")
    country_fr = world.record(
        "Ottokar Wrzesniewski",
        birth_date="1959-09-09",
        shares=[{"scope": "country", "country": "FR"}],
    )
    # Shared for another purpose than the caller's.
    other_purpose = world.record(
        "Ottokar Wrzesniewski",
        birth_date="1959-09-09",
        purposes=["counter_terrorism"],
        shares=[{"scope": "agency", "agency": "NCB-KE"}],
    )
    query = {"birth_date": "1959-09-09"}
    assert ids(world.screen(world.kenyan, "Ottokar Wrzesniewski", **query)) == []
    assert ids(world.screen(world.french, "Ottokar Wrzesniewski", **query)) == [country_fr]
    owner_sees = ids(world.screen(world.officer, "Ottokar Wrzesniewski", **query))
    assert sorted(owner_sees) == sorted([unshared, country_fr, other_purpose])
    # With the purpose the record permits, the Kenyan officer gets it.
    terrorism = AccessContext.of("counter_terrorism", "case KE/2026/88")
    assert ids(world.screen(world.kenyan, "Ottokar Wrzesniewski", context=terrorism, **query)) == [
        other_purpose
    ]


@pytest.mark.parametrize("banker", ["banker", "bank_admin"])
def test_a_private_partner_only_ever_gets_hit_only_answers(world: World, banker: str) -> None:
    public = world.record("Ottokar Wrzesniewski", birth_date="1959-09-09", **EVERYONE_FULL)
    # The French officer gets the same record in full: the share is full.
    [french] = world.screen(world.french, "Ottokar Wrzesniewski", birth_date="1959-09-09")
    assert (french.record_id, french.access) == (public, "full")

    [hit] = world.screen(getattr(world, banker), "Ottokar Wrzesniewski", birth_date="1959-09-09")
    assert hit.record_id == public
    assert hit.access == "hit_only"
    dumped = hit.model_dump(by_alias=True)
    assert {k for k, v in dumped.items() if v not in (None, [], "")} == HIT_ONLY_FIELDS
    assert hit.score is None
    assert hit.caption is None


def test_a_private_partner_gets_no_weak_matches_at_all(world: World) -> None:
    world.record("Ottokar Wrzesniewski", birth_date="1959-09-09", **EVERYONE_FULL)
    assert ids(world.screen(world.banker, "Ottokar Wrzesniewski", birth_date="1990-01-01")) == []


def test_auditors_may_not_screen(world: World) -> None:
    world.record("Ottokar Wrzesniewski")
    with pytest.raises(Forbidden, match="screening"):
        world.screen(world.auditor, "Ottokar Wrzesniewski")


# --- the owner is told; the log keeps metadata only -------------------------------------------


def test_every_hit_on_another_agencys_record_notifies_the_owner(world: World) -> None:
    full = world.record("Ottokar Wrzesniewski", shares=[{"scope": "agency", "agency": "NCB-FR"}])
    hit_only = world.record(
        "Ottokar Wrzesniewski",
        shares=[{"scope": "agency", "agency": "NCB-FR", "level": "hit_only"}],
    )
    assert sorted(ids(world.screen(world.french, "Ottokar Wrzesniewski"))) == sorted(
        [full, hit_only]
    )
    for rid in (full, hit_only):
        [told] = notifications(world.db, world.owner, rid)
        assert told.kind == "record.hit"
        assert told.message == f"NCB-FR hit record {rid} for criminal_investigation"
    # Each screening that hits is one more notification.
    world.screen(world.french, "Ottokar Wrzesniewski")
    assert len(notifications(world.db, world.owner, full)) == 2
    # Nobody is told of the partner's screening itself.
    assert notifications(world.db, world.partner, full) == []


def test_screening_ones_own_records_notifies_nobody(world: World) -> None:
    rid = world.record("Ottokar Wrzesniewski")
    assert ids(world.screen(world.officer, "Ottokar Wrzesniewski")) == [rid]
    assert notifications(world.db, world.owner, rid) == []


def test_a_private_partners_hit_notifies_the_owner(world: World) -> None:
    rid = world.record("Ottokar Wrzesniewski", **EVERYONE_FULL)
    assert ids(world.screen(world.banker, "Ottokar Wrzesniewski")) == [rid]
    [told] = notifications(world.db, world.owner, rid)
    assert told.kind == "record.hit"
    assert told.message.startswith("BANK-DE hit record")


def test_every_screening_is_audited_without_the_name_searched(world: World) -> None:
    first = world.record("Ottokar Wrzesniewski", shares=[{"scope": "agency", "agency": "NCB-FR"}])
    second = world.record(
        "Ottokar Wrzesniewska",
        shares=[{"scope": "agency", "agency": "NCB-FR", "level": "hit_only"}],
    )
    before = len(screening_events(world.db))
    context = AccessContext.of("criminal_investigation", "case FR-2026-0912, passenger check")
    hits = world.screen(
        world.french, "Ottokar Wrzesniewski", context=context, birth_date="1959-09-09"
    )
    assert set(ids(hits)) <= {first, second}
    assert first in ids(hits)
    nothing = world.screen(world.french, "Hieronim Pstrokonski", context=context)
    assert nothing == []

    events = screening_events(world.db)
    assert len(events) == before + 2
    searched, empty = events[-2:]
    assert searched.operation == "consultation"
    assert searched.actor == "jean"
    assert searched.agency == "NCB-FR"
    assert searched.purpose == "criminal_investigation"
    assert searched.justification == "case FR-2026-0912, passenger check"
    assert searched.object_ids == sorted(ids(hits))
    assert searched.content["detail"]["algorithm"] == ALGORITHM
    assert empty.object_ids == []
    assert empty.justification == "case FR-2026-0912, passenger check"
    # The stored canonical JSON carries no part of what was searched for.
    for event in (searched, empty):
        stored = event.entry.lower()
        for fragment in ("ottokar", "wrzesniewsk", "hieronim", "pstrokonski", "1959"):
            assert fragment not in stored, (fragment, event.entry)


# --- the index follows the database -----------------------------------------------------------


def test_the_index_follows_creation_update_and_erasure(world: World) -> None:
    first = world.record("Kasimir Zdzieblowski", birth_date="1949-04-04")
    assert ids(world.screen(world.officer, "Kasimir Zdzieblowski")) == [first]

    # Created after the index has been built: found by the next screening.
    later = world.record("Wawrzyniec Gzhibovsky", birth_date="1951-05-05")
    assert ids(world.screen(world.officer, "Wawrzyniec Gzhibovsky")) == [later]

    # Renamed: the old name no longer finds it, the new one does.
    records.update_record(
        world.db,
        principal=world.officer,
        settings=world.factory.settings,
        record_id=first,
        properties={"name": ["Teodor Mlynarczyk-Oberhuber"], "birthDate": ["1949-04-04"]},
        envelope=None,
        now=utcnow(),
    )
    world.db.commit()
    assert first not in ids(world.screen(world.officer, "Kasimir Zdzieblowski"))
    [renamed] = world.screen(world.officer, "Teodor Mlynarczyk-Oberhuber")
    assert renamed.record_id == first
    assert renamed.names == ["Teodor Mlynarczyk-Oberhuber"]

    # Erased: gone for good.
    records.erase_record(
        world.db,
        principal=world.supervisor,
        record_id=later,
        reason="court order 2026/77",
        now=utcnow(),
    )
    world.db.commit()
    assert ids(world.screen(world.officer, "Wawrzyniec Gzhibovsky")) == []
    assert ids(world.screen(world.officer, "Teodor Mlynarczyk-Oberhuber")) == [first]


def test_an_erased_record_shared_with_others_no_longer_hits_for_them(world: World) -> None:
    rid = world.record(
        "Kasimir Zdzieblowski",
        shares=[{"scope": "agency", "agency": "NCB-FR", "level": "hit_only"}],
    )
    assert ids(world.screen(world.french, "Kasimir Zdzieblowski")) == [rid]
    records.erase_record(
        world.db, principal=world.supervisor, record_id=rid, reason="appeal won", now=utcnow()
    )
    world.db.commit()
    assert ids(world.screen(world.french, "Kasimir Zdzieblowski")) == []


# --- many queries -----------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [service.CHUNK, 2, 1])
def test_screen_many_answers_each_query_in_order(
    world: World, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one chunk, or in several whose candidates are searched a chunk ahead."""
    monkeypatch.setattr(service, "CHUNK", chunk)
    a = world.record("Kasimir Zdzieblowski", birth_date="1949-04-04")
    b = world.record("Wawrzyniec Gzhibovsky", birth_date="1951-05-05")
    answers = service.screen_many(
        world.db,
        principal=world.officer,
        context=INVESTIGATION,
        queries=[
            ScreeningQuery.of("Wawrzyniec Gzhibovsky"),
            ScreeningQuery.of("Hieronim Pstrokonski"),
            ScreeningQuery.of("Kasimir Zdzieblowski", birth_date="1949-04-04"),
        ],
        now=utcnow(),
    )
    world.db.commit()
    assert [ids(hits) for hits in answers] == [[b], [], [a]]
    # One audit line a chunk (the whole batch here, by default), naming every hit.
    events = screening_events(world.db)[-math.ceil(3 / chunk) :]
    assert sorted(i for e in events for i in e.object_ids) == sorted([a, b])
    assert sum(e.content["detail"]["queries"] for e in events) == 3


def test_a_company_is_found_under_another_legal_form(world: World) -> None:
    rid = world.record("Zhovtneftegaz Trading LLC", schema="Company")
    [hit] = service.screen(
        world.db,
        principal=world.officer,
        context=INVESTIGATION,
        query=ScreeningQuery.of("OOO Zhovtneftegaz Trading", schema="Company"),
        now=utcnow(),
    )
    assert hit.record_id == rid
    assert hit.alert
    # A person of that name is not the company.
    assert ids(world.screen(world.officer, "Zhovtneftegaz Trading")) == []


def test_a_company_hit_shows_its_names_as_recorded(world: World) -> None:
    world.record("Zhovtneftegaz Trading LLC", schema="Company")
    [hit] = service.screen(
        world.db,
        principal=world.officer,
        context=INVESTIGATION,
        query=ScreeningQuery.of("Zhovtneftegaz Trading", schema="Company"),
        now=utcnow(),
    )
    assert hit.names == ["Zhovtneftegaz Trading LLC"]


def test_screening_agrees_with_the_access_decision_for_every_record(world: World) -> None:
    """What screening answers of each record is what policy decides for reading it — full,
    hit-only or nothing — except that private partners only ever get hits."""
    name = "Ottokar Wrzesniewski"
    fr_full = {"scope": "agency", "agency": "NCB-FR"}
    made = [
        world.record(name),
        world.record(name, shares=[fr_full]),
        world.record(name, shares=[{**fr_full, "level": "hit_only"}]),
        world.record(name, shares=[{"scope": "country", "country": "FR"}]),
        world.record(name, **EVERYONE_FULL),
        world.record(name, **EVERYONE_FULL, purposes=["counter_terrorism"]),
        world.record(name, tlp="GREEN", shares=[{"scope": "everyone", "level": "hit_only"}]),
        world.record(name, shares=[fr_full]),
    ]
    blocked = made[7]
    world.db.execute(update(Record).where(Record.id == blocked).values(status=RecordStatus.blocked))
    world.db.commit()
    full, hit = "full", "hit_only"
    expected = {
        "officer": dict.fromkeys(made, full),  # the owner sees its own, blocked ones too
        "french": {made[1]: full, made[2]: hit, made[3]: full, made[4]: full, made[6]: hit},
        "kenyan": {made[4]: full, made[6]: hit},
        "banker": {made[4]: hit, made[6]: hit},
        "bank_admin": {made[4]: hit, made[6]: hit},
    }
    for who, wanted in expected.items():
        principal = getattr(world, who)
        hits = service.screen(
            world.db,
            principal=principal,
            context=INVESTIGATION,
            query=ScreeningQuery.of(name),
            limit=50,
            now=utcnow(),
        )
        got = {h.record_id: h.access for h in hits}
        assert got == wanted, who
        # The same answer as reading each record would give.
        for rid in made:
            effect = decide(world.db, principal, rid, INVESTIGATION.purpose, now=utcnow()).effect
            if effect is Effect.deny:
                assert rid not in got, (who, rid)
            elif effect is Effect.hit_only or principal.private_partner:
                assert got[rid] == hit, (who, rid)
            else:
                assert got[rid] == full, (who, rid)


def test_a_full_hit_is_a_disclosure_and_its_corrections_follow(world: World) -> None:
    full = world.record("Ottokar Wrzesniewski", shares=[{"scope": "agency", "agency": "NCB-FR"}])
    hit_only = world.record(
        "Ottokar Wrzesniewski",
        shares=[{"scope": "agency", "agency": "NCB-FR", "level": "hit_only"}],
    )
    assert sorted(ids(world.screen(world.french, "Ottokar Wrzesniewski"))) == sorted(
        [full, hit_only]
    )
    for rid in (full, hit_only):
        records.update_record(
            world.db,
            principal=world.officer,
            settings=world.factory.settings,
            record_id=rid,
            properties={"name": ["Ottokar Wrzesniewski"], "birthDate": ["1959-09-09"]},
            envelope=None,
            now=utcnow(),
        )
    world.db.commit()
    # NCB-FR received the full record: it hears of the correction (LED Art. 7(3)).
    [corrected] = notifications(world.db, world.partner, full)
    assert corrected.kind == "record.corrected"
    # A hit-only answer disclosed nothing: there is nothing to correct at NCB-FR.
    assert notifications(world.db, world.partner, hit_only) == []


def test_a_shared_record_is_found_among_many_hidden_namesakes(world: World) -> None:
    shared = world.record("Ottokar Wrzesniewski", shares=[{"scope": "agency", "agency": "NCB-FR"}])
    for _ in range(120):
        # The owner's own, not shared; their birth date ranks them first in the index.
        world.record("Ottokar Wrzesniewski", birth_date="1959-09-09")
    [hit] = world.screen(world.french, "Ottokar Wrzesniewski", birth_date="1959-09-09")
    assert hit.record_id == shared
    assert hit.alert  # 0.95: the name is exact, the record has no birth date


def test_a_document_number_finds_a_passport_record(world: World) -> None:
    holder = world.record("Ottokar Wrzesniewski")
    passport = records.create_record(
        world.db,
        principal=world.officer,
        settings=world.factory.settings,
        entity={
            "id": f"{world.tag}-passport",
            "schema": "Passport",
            "properties": {"number": ["ZQ447109"], "holder": [holder]},
        },
        envelope=envelope(subject_category=None),
        now=utcnow(),
    )
    world.db.commit()
    found = ids(world.screen(world.officer, "", document="ZQ447109"))
    assert passport.id in found or holder in found
