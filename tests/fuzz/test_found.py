"""What the fuzzing found, each kept as the input that broke a parser and the clear answer
the parser now gives instead (a traceback, a database encoding error, a crash of the
court's verifier before)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.cases import verify
from palermo.errors import Invalid
from palermo.exchange import directory, federation, hits
from palermo.finintel.filing import ReportRejected
from palermo.finintel.intake import read_report
from palermo.finintel.transactions import read_transactions
from palermo.identity.principal import operator_principal
from palermo.models.base import utcnow
from palermo.models.identity import Node
from palermo.models.notices import Notice
from palermo.network import calls
from palermo.notices import public
from palermo.records.entities import MAX_ENTITY_JSON, parse_entity
from palermo.records.transfer import parse_lines
from palermo.screening.lists import PARSERS
from palermo.settings import Settings
from tests.fuzz.targets import (
    CORPUS,
    NOTICE_AGENCY,
    PEER_NODE,
    TRANSACTION_COLUMNS,
    FederationInbox,
    HitQueries,
    NoticeImport,
    World,
    rates,
    signed_by_peer,
)

DEEP = b"[" * 100_000
LONG_NUMBER = b"9" * 5000
HALF_CHARACTER = b'"\\ud800"'


def refusal(tmp_path: Path, parser: str, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(Invalid) as refused:
        PARSERS[parser](path)
    return str(refused.value.message)


@pytest.mark.parametrize("line", [DEEP, LONG_NUMBER, b'{"a": ' + LONG_NUMBER + b"}"])
def test_ftm_lines_too_deep_or_too_long_a_number(line: bytes) -> None:
    assert parse_lines([(1, line.decode())]) == [
        (1, "not valid JSON (a number too long or nesting too deep)")
    ]


def test_an_ftm_line_past_the_limit_is_not_read() -> None:
    line = '{"schema": "Person", "properties": {"name": ["' + "a" * MAX_ENTITY_JSON + '"]}}'
    assert parse_lines([(7, line)]) == [
        (7, f"line longer than {MAX_ENTITY_JSON} characters: not read")
    ]


@pytest.mark.parametrize(
    ("entity", "problem"),
    [
        ({"id": "p\ud800"}, "the entity id: '\\ud800' is half a character"),
        ({"properties": {"name": ["Ana\udc00"]}}, "Person.name: '\\udc00' is half a character"),
    ],
)
def test_half_characters_are_refused(entity: dict[str, object], problem: str) -> None:
    with pytest.raises(Invalid, match=re.escape(problem)):
        parse_entity({"schema": "Person", "properties": {"name": ["Ana"]}} | entity)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (DEEP, "not JSON (a number too long or nesting too deep)"),
        (LONG_NUMBER, "not JSON (a number too long or nesting too deep)"),
        (b"{}\n\x00{\x00}\x00", "line 2: not UTF-8 text"),  # read alone: odd UTF-16
        (b"{}\n" + DEEP, "line 2: not JSON (a number too long or nesting too deep)"),
        (b'{"entity_id": "2024/1", "name": ' + HALF_CHARACTER + b"}", "is half a character"),
    ],
)
def test_interpol_notices_that_are_no_json(tmp_path: Path, data: bytes, problem: str) -> None:
    assert problem in refusal(tmp_path, "interpol", "notices.json", data)


@pytest.mark.parametrize("line", [DEEP, LONG_NUMBER])
def test_opensanctions_lines_that_are_no_json(tmp_path: Path, line: bytes) -> None:
    assert refusal(tmp_path, "ftm", "entities.ftm.json", line) == (
        "entities.ftm.json line 1: not JSON (a number too long or nesting too deep)"
    )


@pytest.mark.parametrize(("parser", "seed"), [("un", "un_list"), ("eu", "eu_list")])
def test_a_list_in_an_unknown_encoding(tmp_path: Path, parser: str, seed: str) -> None:
    (original,) = (CORPUS / seed).iterdir()
    data = original.read_bytes().replace(b'encoding="UTF-8"', b'encoding="TTF-8"', 1)
    assert refusal(tmp_path, parser, "list.xml", data) == (
        "list.xml line 1: unknown encoding: TTF-8"
    )


def test_an_ofac_row_with_a_carriage_return(tmp_path: Path) -> None:
    data = (CORPUS / "ofac_list" / "sdn.csv").read_bytes().replace(b'"individual"', b"indi\rv", 1)
    assert refusal(tmp_path, "ofac", "sdn.csv", data) == (
        "sdn.csv line 1: expected 12 columns, found 3"
    )


def test_an_ofac_field_past_csv_limit(tmp_path: Path) -> None:
    data = b'90001,"' + b"x" * (csv.field_size_limit() + 1) + b'"\n'
    assert refusal(tmp_path, "ofac", "sdn.csv", data).startswith(
        "sdn.csv line 1: not CSV (field larger than field limit"
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xc1_NUMBER,B_NUMBER\n", "cdr.csv: not UTF-8 text"),
        (
            b'caller,callee,start\n1,2,"' + b"x" * (csv.field_size_limit() + 1) + b'"\n',
            "cdr.csv after line 1: not CSV",
        ),
    ],
)
def test_call_records_that_are_no_csv(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "cdr.csv"
    path.write_bytes(data)
    with pytest.raises(Invalid) as refused:
        calls.entities(path)
    assert refused.value.message.startswith(problem)


def test_a_goaml_date_beyond_any_calendar() -> None:
    seed = (CORPUS / "goaml_xml" / "goaml_sample_STR.xml").read_bytes()
    data = seed.replace(b"<birthdate>1989-", b"<birthdate>11111111989-")
    with pytest.raises(ReportRejected) as refused:
        read_report(data, "goaml")
    assert refused.value.problems[0].message == "a date's year is out of range"


@pytest.mark.parametrize("data", [DEEP, LONG_NUMBER])
def test_a_json_report_that_is_no_json(data: bytes) -> None:
    with pytest.raises(ReportRejected) as refused:
        read_report(data, "json")
    assert refused.value.message == (
        "report refused: (document): not JSON: a number too long or nesting too deep"
    )


def test_a_transactions_header_broken_by_a_carriage_return(tmp_path: Path) -> None:
    path = tmp_path / "tx.csv"
    path.write_bytes(b"i\rd,time,from,to,amount,currency,channel,from_country,to_country\n")
    with pytest.raises(ReportRejected) as refused:
        read_transactions(path, TRANSACTION_COLUMNS, batch="b", rates=rates())
    assert (refused.value.problems[0].path, refused.value.problems[0].rule) == (
        "line 1",
        "csv.header",
    )


def test_a_damaged_court_package_is_reported(tmp_path: Path) -> None:
    package = tmp_path / "package.zip"
    data = bytearray((CORPUS / "court_package" / "package.zip").read_bytes())
    start = data.index(b"manifest.json") + len("manifest.json")
    data[start : start + 8] = b"\xff" * 8  # the deflate stream of manifest.json
    package.write_bytes(bytes(data))
    (problem,) = verify.verify(str(package))
    assert problem.startswith("the package cannot be read: error: Error -3")


@pytest.fixture
def world(db: Session, settings: Settings) -> World:
    return World.build(db, settings)


def receive(world: World, envelope: dict[str, Any]) -> dict[str, Any]:
    local = world.session.scalars(select(Node).where(Node.is_local.is_(True))).one()
    receiving = federation.Receiving(local=local, now=utcnow(), max_attachment_bytes=65536)
    (answer,) = federation.receive_batch(world.session, [envelope], receiving)
    world.session.flush()
    return dict(answer)


def test_an_envelope_of_a_kind_that_is_a_list(world: World) -> None:
    answer = receive(world, {"id": "e1", "kind": ["message"], "body": {}})
    assert answer == {
        "id": "e1",
        "outcome": "refused",
        "reason": "malformed envelope: 'kind' missing or not text",
    }


def test_an_envelope_claiming_half_characters_is_answered(world: World) -> None:
    envelope = json.loads(b'{"id": "e\\ud800", "from": "N\\udc00", "kind": "receipt"}')
    answer = receive(world, envelope)
    assert answer["id"] == "e\\ud800"  # escaped: the answer and the audit line can be written
    assert answer["outcome"] == "refused"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("evaluation", None, "'evaluation' missing or not text"),
        ("handling_note", None, "'handling_note' missing or not text"),
        ("handling_note", ["a", "list"], "'handling_note' missing or not text"),
        ("case", "C" * 65, "'case' longer than 64 characters"),
    ],
)
def test_a_signed_message_header_with_a_field_unfit_to_store(
    world: World, field: str, value: object, reason: str
) -> None:
    batch = json.loads((CORPUS / "federation_signed" / "message.json").read_bytes())
    header = batch["envelopes"][0]["body"]["header"]
    if value is None:
        del header[field]
    else:
        header[field] = value
    envelope = FederationInbox(world, signed=True).sign(batch["envelopes"][0])
    assert receive(world, envelope)["reason"] == f"malformed message header: {reason}"


@pytest.mark.parametrize(
    ("notice", "problem"),
    [
        (
            b'{"entity_id": "2024/1", "forename": "A\\ud800", "_links": {"self": {"href": '
            b'"/notices/v1/red/2024-1"}}}',
            "notices.json: forename: '\\ud800' is half a character",
        ),
        (
            b'{"entity_id": "2024/1", "forename": "A", "_links": {"self": "/notices/v1/red/1"}}',
            "notices.json: the notice's type is not in its self link; give it (--kind)",
        ),
    ],
)
def test_notices_imported_from_a_damaged_file(
    world: World, tmp_path: Path, notice: bytes, problem: str
) -> None:
    path = tmp_path / "notices.json"
    path.write_bytes(notice)
    importer = NoticeImport(world)
    with pytest.raises(Invalid) as refused:
        public.import_file(
            world.session,
            principal=importer.principal,
            settings=world.settings,
            path=path,
            agency_code=NOTICE_AGENCY,
            kind=None,
            now=utcnow(),
        )
    assert refused.value.message == problem


def hit_query(world: World, envelope: dict[str, Any]) -> dict[str, Any]:
    target = HitQueries(world, signed=False)
    local = directory.local(world.session)
    answer = hits.answer(world.session, target.keyring, envelope, local=local, now=utcnow())
    world.session.flush()
    target.check(answer)
    return answer


def test_a_hit_query_claiming_half_characters_is_answered(world: World) -> None:
    envelope = json.loads(b'{"id": "q\\ud800", "from": "N\\udc00", "kind": "hit_query"}')
    answer = hit_query(world, envelope)
    assert answer["id"] == "q\\ud800"  # escaped: the answer and the audit line can be written
    assert answer["outcome"] == "refused"


@pytest.mark.parametrize("seed", ["federation_hits", "federation"])
def test_a_sender_of_half_a_character_is_refused_before_it_is_looked_up(
    world: World, seed: str
) -> None:
    """A UUID id and a lone surrogate for a sender: the peer's lookup failed to encode it."""
    path = CORPUS / "federation_hits" / "half_character.json"
    envelope = json.loads(path.read_bytes())
    reason = "malformed envelope: 'from' holds half a character"
    if seed == "federation_hits":
        assert hit_query(world, envelope)["reason"] == reason
    else:
        assert receive(world, envelope)["reason"] == reason


def learn(world: World, document: dict[str, Any]) -> int:
    peer = world.session.scalars(select(Node).where(Node.code == PEER_NODE)).one()
    return directory.learn(
        world.session,
        principal=operator_principal(frozenset()),
        node=peer,
        document=signed_by_peer(document),
        now=utcnow(),
    )


def directory_seed(name: str) -> dict[str, Any]:
    return dict(json.loads((CORPUS / "peer_directory" / name).read_bytes()))


def test_a_peer_directory_nested_too_deep_is_no_json(world: World) -> None:
    peer = world.session.scalars(select(Node).where(Node.code == PEER_NODE)).one()
    serve = httpx.MockTransport(lambda _request: httpx.Response(200, content=DEEP))
    with httpx.Client(transport=serve) as client, pytest.raises(Invalid) as refused:
        directory.fetch(client, peer)
    assert refused.value.message == "the directory of NODE-X is not JSON"


@pytest.mark.parametrize(
    ("seed", "problem"),
    [
        ("agencies_null.json", "the directory of NODE-X: 'agencies' is not a list of objects"),
        (
            "naive_time.json",
            "the directory of NODE-X describes agency AG-X badly: created_at "
            "'2026-01-01T00:00:00' has no time zone",
        ),
    ],
)
def test_a_peer_directory_unfit_to_store(world: World, seed: str, problem: str) -> None:
    with pytest.raises(Invalid) as refused:
        learn(world, directory_seed(seed))
    assert refused.value.message == problem


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ({"created_at": "0001-01-01T00:00:00+01:00"}, "created_at '0001-01-01T00:00:00+01:00'"),
        ({"public": "AAAA", "kid": "0"}, "a public key of 3 bytes, not 32"),
    ],
)
def test_a_published_key_unfit_to_store(world: World, key: dict[str, str], problem: str) -> None:
    document = directory_seed("directory.json")
    document["agencies"][0]["keys"][1] |= key
    with pytest.raises(Invalid, match=re.escape(problem)):
        learn(world, document)


def test_an_agency_code_with_a_line_break_is_refused(world: World) -> None:
    document = directory_seed("directory.json")
    document["agencies"][1]["code"] = "AG-Y\n"
    with pytest.raises(Invalid, match="names a bad agency code 'AG-Y\\\\n'"):
        learn(world, document)


def test_the_seeds_of_a_peer_directory_are_learnt(world: World) -> None:
    assert learn(world, directory_seed("directory.json")) == 2


def test_a_signed_message_copy_under_a_key_id_too_long_to_store(world: World) -> None:
    """Found on PostgreSQL, which holds a column to its length (SQLite stores any)."""
    batch = json.loads((CORPUS / "federation_signed" / "long_kid.json").read_bytes())
    envelope = FederationInbox(world, signed=True).sign(batch["envelopes"][0])
    assert receive(world, envelope)["reason"] == (
        "malformed message header: the key id of the copy for 'NCB-FR' is longer than 16 characters"
    )


def test_notices_with_fields_too_long_to_store(world: World, tmp_path: Path) -> None:
    """Found on PostgreSQL: a title is cut to its column's length, an entity id too long for
    its column is no Interpol entity id."""
    lines = (CORPUS / "interpol_notices" / "too_long.jsonl").read_bytes().splitlines()
    importer = NoticeImport(world)
    path = tmp_path / "notices.json"

    def load(line: bytes) -> None:
        path.write_bytes(line)
        public.import_file(
            world.session,
            principal=importer.principal,
            settings=world.settings,
            path=path,
            agency_code=NOTICE_AGENCY,
            kind=None,
            now=utcnow(),
        )
        world.session.flush()

    load(lines[0])
    title = world.session.scalars(select(Notice.title).where(Notice.entity_id == "2024/3")).one()
    assert len(title) == 300
    with pytest.raises(Invalid) as refused:
        load(lines[1])
    assert refused.value.message == (
        "notices.json: entity_id '2024/123456789012' is not YYYY/NNNNN"
    )
