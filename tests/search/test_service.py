"""Global search: each type found through its own policy — records in full or as hits, what
the searcher may not see never — type filters, the working context records and notices
need, suggestions sharing one budget, and the consultations each listing audits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from palermo.errors import Invalid
from palermo.models.audit import AuditEvent
from palermo.search.schemas import ResultKind
from tests.search.conftest import World, found, tally

HIT_ONLY = [{"scope": "agency", "agency": "NCB-NL", "level": "hit_only"}]


def audited(world: World, action: str) -> list[AuditEvent]:
    world.db.flush()
    return list(world.db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_records_are_found_in_full_or_as_hits_and_hidden_ones_not_at_all(world: World) -> None:
    own = world.person("Ilya Kestrel", properties={"birthDate": ["1979-04-11"]})
    hit = world.person("Otto Kestrel", by="de", shares=HIT_ONLY)
    hidden = world.person("Mira Kestrel", by="de")
    out = world.search("nl", "kestrel")
    assert tally(out, ResultKind.record) == (2, False, False)
    full, only = out.results
    assert (full.reference, full.title, full.access) == (own, "Ilya Kestrel", "full")
    assert full.snippet == "1979-04-11"
    assert (full.agency, full.link) == ("NCB-NL", f"/records/{own}")
    # The hit-only projection: reference, schema and owner agency, nothing of the content.
    assert only.model_dump(exclude_none=True, by_alias=True) == {
        "kind": "record",
        "access": "hit_only",
        "reference": hit,
        "schema": "Person",
        "agency": "NCB-DE",
        "link": f"/records/{hit}",
    }
    assert hidden not in out.model_dump_json()
    assert "Mira" not in out.model_dump_json()
    # The de officer, owner of both, sees them in full; the Dutch record is hidden from it.
    theirs = world.search("de", "kestrel")
    assert sorted(found(theirs, ResultKind.record)) == sorted([hit, hidden])
    assert {r.access for r in theirs.results} == {"full"}
    # Audited as the records search audits: with the purpose and justification declared.
    (line, _) = audited(world, "record.search")
    assert line.purpose == "criminal_investigation"
    assert line.justification == "case 2026/0417, Operation Tide"


def test_records_and_notices_wait_for_a_working_context(world: World) -> None:
    world.person("Ilya Kestrel")
    world.notice("Ivo Kestrel")
    out = world.search("nl", "kestrel", context=False)
    assert tally(out, ResultKind.record) == (None, False, True)
    assert tally(out, ResultKind.notice) == (None, False, True)
    assert out.results == []
    assert audited(world, "record.search") == audited(world, "notice.search") == []


def test_cases_are_found_by_their_members_only(world: World) -> None:
    ours = world.case("Operation Kestrel")
    theirs = world.case("Kestrel Bay", by="de")
    assert found(world.search("nl", "kestrel"), ResultKind.case) == [ours.reference]
    assert found(world.search("de", "kestrel"), ResultKind.case) == [theirs.reference]
    # By reference too, and the result leads to the case.
    (result,) = world.search("nl", ours.reference, kind=ResultKind.case).results
    assert (result.title, result.link) == ("Operation Kestrel", f"/cases/{ours.id}")
    assert [e.object_ids for e in audited(world, "cases.list")][-1] == [str(ours.id)]


def test_notices_are_found_as_their_policy_shows_them(world: World) -> None:
    ours = world.notice("Ivo Kestrel")
    world.notice("Anna Kestrel", by="de")  # a draft: the German bureau's alone
    out = world.search("nl", "kestrel", kind=ResultKind.notice)
    assert [r.title for r in out.results] == [ours.title]
    assert tally(out, ResultKind.notice) == (1, False, False)
    (result,) = out.results
    assert result.link == f"/notices/{ours.id}"
    (line,) = audited(world, "notice.search")
    assert line.purpose == "criminal_investigation"


def test_messages_are_found_in_the_agency_s_own_copies(world: World) -> None:
    sent = world.message("Kestrel consignment", body="Arrives at the Maasvlakte on Tuesday")
    world.message("Kestrel relay", by="de", to="NCB-IT")  # between others
    assert found(world.search("nl", "kestrel"), ResultKind.message) == ["Kestrel consignment"]
    (result,) = world.search("nl", "maasvlakte").results  # the body is searched too
    assert (result.title, result.link) == ("Kestrel consignment", f"/messages/m/{sent.id}")
    assert result.snippet == "NCB-NL → NCB-DE"
    received = world.search("de", "kestrel", kind=ResultKind.message).results
    assert sorted(r.title for r in received) == ["Kestrel consignment", "Kestrel relay"]
    assert [r.title for r in world.search("it", "kestrel").results] == ["Kestrel relay"]


def test_judicial_requests_are_found_by_the_sides_that_see_them(world: World) -> None:
    sent = world.send(world.request("Investigation 'Kestrel' into cocaine imports"))
    draft = world.request("Investigation 'Kestrel' into money laundering", requested="ES-MJ")
    assert sorted(found(world.search("nl_ca", "kestrel"), ResultKind.request)) == sorted(
        [sent.reference, draft.reference]
    )
    (result,) = world.search("co_ca", "kestrel", kind=ResultKind.request).results
    assert (result.reference, result.link) == (sent.reference, f"/judicial/{sent.id}")
    assert result.title == "Mutual legal assistance"
    # A draft is the requester's alone.
    assert found(world.search("es_ca", "kestrel"), ResultKind.request) == []


def test_assets_are_found_where_their_record_may_be_read(world: World) -> None:
    ours = world.asset("Yacht Kestrel, Port Vell, Barcelona")
    world.asset("Villa Kestrel, Marbella", by="de")
    out = world.search("nl", "kestrel", kind=ResultKind.asset)
    assert found(out, ResultKind.asset) == [ours.reference]
    assert out.results[0].link == f"/assets/{ours.id}"


def test_one_query_finds_every_type_and_a_type_filter_searches_that_type_alone(
    world: World,
) -> None:
    world.person("Ilya Kestrel")
    world.case("Operation Kestrel")
    world.notice("Ivo Kestrel")
    world.message("Kestrel consignment")
    world.asset("Yacht Kestrel, Port Vell, Barcelona")  # its record is found as a record too
    everything = world.search("nl", "kestrel")
    assert {t.kind: t.count for t in everything.tallies} == {
        ResultKind.record: 2,
        ResultKind.case: 1,
        ResultKind.notice: 1,
        ResultKind.message: 1,
        ResultKind.request: 0,
        ResultKind.asset: 1,
    }
    only = world.search("nl", "kestrel", kind=ResultKind.message)
    assert {r.kind for r in only.results} == {ResultKind.message}
    assert {t.kind: t.count for t in only.tallies if t.count is not None} == {ResultKind.message: 1}
    assert len(audited(world, "cases.list")) == 1  # the filtered search listed no cases


def test_a_type_s_count_says_when_more_match_than_are_shown(world: World) -> None:
    for number in range(3):
        world.case(f"Operation Kestrel {number}")
        world.person(f"Kestrel Number{number}")
    out = world.search("nl", "kestrel", limit=2)
    assert tally(out, ResultKind.case) == (2, True, False)  # a listing counts what it shows
    assert tally(out, ResultKind.record) == (3, False, False)  # records know their total
    assert len(out.results) == 4


def test_suggestions_share_one_budget_filled_type_by_type(world: World) -> None:
    world.person("Ilya Kestrel")
    world.person("Otto Kestrel")
    world.case("Operation Kestrel")
    world.case("Kestrel Bay")
    out = world.search("nl", "kestrel", limit=3, pooled=True)
    assert [r.kind for r in out.results] == [ResultKind.record] * 2 + [ResultKind.case]
    assert tally(out, ResultKind.notice) == (None, False, False)  # no room left: not searched
    assert audited(world, "notice.search") == []


def test_each_searches_the_types_it_works_with(world: World) -> None:
    kinds = {
        role: [t.kind for t in world.search(role, "kestrel").tallies]
        for role in ("nl", "bank", "nl_auditor")
    }
    assert kinds["nl"] == list(ResultKind)
    assert kinds["bank"] == [ResultKind.record, ResultKind.message]  # hits, and its FIU's mail
    assert kinds["nl_auditor"] == []


def test_a_partner_finds_others_records_as_hits_only(world: World) -> None:
    record = world.person(
        "Ilya Kestrel", shares=[{"scope": "agency", "agency": "BANK", "level": "full"}]
    )
    (result,) = world.search("bank", "kestrel").results
    assert (result.reference, result.access, result.title) == (record, "hit_only", None)


def test_an_empty_query_is_refused(world: World) -> None:
    with pytest.raises(Invalid):
        world.search("nl", "   ")
