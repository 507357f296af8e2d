"""Fuzz targets: every parser of outside input, fed raw bytes.

A target returns when its parser accepts the input or refuses it clearly: a `PalermoError`
whose message says what is wrong. Anything else escaping a target is a bug of the parser:
another exception, a refusal without a message, or accepted data that cannot be stored
(text that is not Unicode, such as a lone surrogate from a JSON escape). Where a parser
feeds an import, a target goes on through the pure checks the import applies next
(`parse_entity`, the transaction store's checks), as far as it can without a database.

The short runs (tests/fuzz/test_parsers.py, hypothesis) and the long ones (scripts/fuzz.py,
atheris) call these same targets, seeded from tests/fuzz/corpus/<target>/. Some targets
need a database: the notice import (`NoticeImport`) and what a peer node sends — the
federation inbox (`FederationInbox`), hit/no-hit queries (`HitQueries`), the directory a
peer publishes (`PeerDirectory`). `World` builds what they need in one session, on the test
suite's backend (tests/databases.py: SQLite, or PostgreSQL with PALERMO_TEST_BACKEND).
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.cases import verify
from palermo.errors import Invalid, PalermoError
from palermo.exchange import crypto, directory, federation, hits
from palermo.exchange.keys import Keyring, KeyUse
from palermo.finintel.currencies import Rates, load_rates
from palermo.finintel.intake import read_report
from palermo.finintel.transactions import read_transactions, transfers_batch
from palermo.identity import service as identity
from palermo.identity.keys import NodeKey
from palermo.identity.principal import operator_principal
from palermo.identity.roles import AgencyKind
from palermo.models.base import utcnow
from palermo.models.exchange import AgencyKey
from palermo.models.identity import Agency, Node
from palermo.models.notices import Notice
from palermo.network import calls
from palermo.notices import public
from palermo.records import service as records
from palermo.records import transfer
from palermo.records.entities import parse_entity
from palermo.records.schemas import EnvelopeIn
from palermo.screening.lists import PARSERS
from palermo.settings import Settings

CORPUS = Path(__file__).parent / "corpus"
Target = Callable[[bytes], None]


class UnclearRefusal(AssertionError):
    """A parser refused an input without saying what is wrong."""


class Unstorable(AssertionError):
    """A parser accepted text that no database can store."""


@contextlib.contextmanager
def clear_refusals() -> Iterator[None]:
    """Let a refusal with a message pass; every other exception goes on up."""
    try:
        yield
    except PalermoError as error:
        if not error.message.strip():
            raise UnclearRefusal(f"{type(error).__name__} without a message") from error


def storable(value: object) -> None:
    """Accepted text must be Unicode: a lone surrogate makes the database's encoder fail."""
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError as error:
        raise Unstorable(f"accepted text that is not Unicode: {error}") from error


def seeds(target: str) -> list[bytes]:
    return [path.read_bytes() for path in sorted((CORPUS / target).iterdir()) if path.is_file()]


@contextlib.contextmanager
def as_file(data: bytes, name: str) -> Iterator[Path]:
    """The bytes as a file of that name in a directory of its own (file parsers read paths)."""
    with tempfile.TemporaryDirectory(prefix="palermo-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


def _entities(entities: Iterable[dict[str, Any]]) -> None:
    """What every import does next with parsed entities: validate them value by value."""
    for entity in entities:
        storable(parse_entity(entity).properties)
        storable(entity)


# Records ---------------------------------------------------------------------------------
def ftm_lines(data: bytes) -> None:
    """`palermo records import` / POST /records/import, up to the database: decoding as
    both do, then both passes of the import over the lines."""
    with clear_refusals():
        try:
            lines = data.decode("utf-8").splitlines()
        except UnicodeDecodeError as error:
            raise Invalid(f"the file is not UTF-8 (byte {error.start})") from None
        transfer.source_ids(lines)
        for chunk in transfer.parsed_chunks(lines, parallel=False):
            for _number, item in chunk:
                if not isinstance(item, str):
                    storable([item.source_id, item.properties])


# Financial intelligence ------------------------------------------------------------------
@cache
def rates() -> Rates:
    return load_rates()


def _report(data: bytes, format: str) -> None:
    """A reporting entity's filing, through the checks `reporting.submit` runs before it
    writes anything."""
    with clear_refusals():
        filing = read_report(data, format)
        storable([filing.reference, filing.reporter_id, filing.reason, filing.extra])
        _entities(filing.entities)
        if filing.transfers:
            transfers_batch(list(filing.transfers), batch="fuzz", rates=rates())


def goaml_xml(data: bytes) -> None:
    _report(data, "goaml")


def goaml_csv(data: bytes) -> None:
    _report(data, "csv")


def goaml_json(data: bytes) -> None:
    _report(data, "json")


# The column map of the transaction seeds (tests/fuzz/corpus/transactions/).
TRANSACTION_COLUMNS = {
    "tx_id": "id",
    "time": "time",
    "source": "from",
    "target": "to",
    "amount": "amount",
    "currency": "currency",
    "channel": "channel",
    "source_country": "from_country",
    "target_country": "to_country",
}


def transactions(data: bytes) -> None:
    """`palermo finintel import-transactions`: a bank's CSV, every row checked."""
    with clear_refusals(), as_file(data, "transactions.csv") as path:
        read_transactions(path, TRANSACTION_COLUMNS, batch="fuzz", rates=rates())


# Watch lists -----------------------------------------------------------------------------
def _watch_list(source: str, name: str) -> Target:
    def target(data: bytes) -> None:
        with clear_refusals(), as_file(data, name) as path:
            listing = PARSERS[source](path)
            _entities(entry.entity for entry in listing.entries)
            storable([entry.reference for entry in listing.entries])

    target.__name__ = f"{source}_list"
    target.__doc__ = f"A {source} watch list as published ({name}), then `load_list`'s checks."
    return target


un_list = _watch_list("un", "consolidated.xml")
eu_list = _watch_list("eu", "eu_fsf.xml")
ofac_list = _watch_list("ofac", "sdn.csv")
interpol_list = _watch_list("interpol", "notices.json")
opensanctions = _watch_list("ftm", "entities.ftm.json")


# Call detail records ---------------------------------------------------------------------
CALL_COLUMNS = "caller=A_NUMBER,callee=B_NUMBER,start=START,duration=DURATION,cell=CELL"
SUBSCRIBERS = b"number;name;birth_date\n+31612345678;Jan de Vries;1980-04-02\n"


def call_records(data: bytes) -> None:
    """`palermo records import-calls`: an operator's CDR export (with a subscriber list),
    then the entity checks of the FtM import it feeds."""
    with (
        clear_refusals(),
        as_file(data, "cdr.csv") as cdr,
        as_file(SUBSCRIBERS, "subscribers.csv") as subscribers,
    ):
        _entities(calls.entities(cdr, columns=CALL_COLUMNS, subscribers=subscribers))


# Court package ---------------------------------------------------------------------------
def court_package(data: bytes) -> None:
    """The offline verifier a court runs on an evidence package: it answers a list of
    problems, whatever the file holds."""
    with as_file(data, "package.zip") as path, contextlib.redirect_stdout(io.StringIO()):
        problems = verify.verify(str(path))
    if not all(isinstance(p, str) and p for p in problems):
        raise AssertionError(f"the verifier's problems are not all messages: {problems!r}")


TARGETS: dict[str, Target] = {
    "ftm_lines": ftm_lines,
    "goaml_xml": goaml_xml,
    "goaml_csv": goaml_csv,
    "goaml_json": goaml_json,
    "transactions": transactions,
    "un_list": un_list,
    "eu_list": eu_list,
    "ofac_list": ofac_list,
    "interpol_list": interpol_list,
    "opensanctions": opensanctions,
    "call_records": call_records,
    "court_package": court_package,
}


# Targets on a database -------------------------------------------------------------------
# Fixed keys, so that the seed envelopes name the keys the world has.
PEER_NODE_KEY = bytes(range(32))
PEER_SIGNING_KEY = bytes(range(32, 64))
LOCAL_NODE_KEY = bytes(range(64, 96))
PEER_SIGNING_KID = "fuzz-peer-sign-1"
LOCAL_AGENCY, PEER_AGENCY, PEER_NODE = "NCB-FR", "AG-X", "NODE-X"
NOTICE_AGENCY = "SG"


@dataclass(frozen=True)
class World:
    """The agencies, nodes and keys the database targets need, in one session."""

    session: Session
    settings: Settings

    @classmethod
    def build(cls, session: Session, settings: Settings) -> World:
        local = identity.ensure_local_node(session, settings)
        operator = operator_principal(frozenset())
        agencies = {
            code: identity.create_agency(
                session,
                principal=operator,
                settings=settings,
                code=code,
                name=f"Agency {code}",
                kind=AgencyKind.police.value,
                country="FR",
            )
            for code in (LOCAL_AGENCY, NOTICE_AGENCY, PEER_AGENCY)
        }
        node_key = Ed25519PrivateKey.from_private_bytes(PEER_NODE_KEY)
        peer = Node(
            code=PEER_NODE,
            name="Peer node",
            base_url="http://127.0.0.1:9",
            public_key=NodeKey(node_key).public_bytes,
        )
        session.add(peer)
        session.flush()
        agency = agencies[PEER_AGENCY]
        agency.node_id = peer.id  # hosted on the peer from now on
        session.flush()
        signing = Ed25519PrivateKey.from_private_bytes(PEER_SIGNING_KEY)
        session.add(
            AgencyKey(
                kid=PEER_SIGNING_KID,
                agency_id=agency.id,
                use=KeyUse.signing.value,
                public_key=NodeKey(signing).public_bytes,
                sealed_private=None,
            )
        )
        session.flush()
        # A record every agency may see, so that a peer's hit/no-hit query can find it.
        records.create_record(
            session,
            principal=operator_principal(frozenset({agencies[LOCAL_AGENCY].id})),
            settings=settings,
            entity={
                "schema": "Person",
                "properties": {
                    "name": ["Dragan Petrović"],
                    "birthDate": ["1979-02-11"],
                    "nationality": ["rs"],
                },
            },
            envelope=EnvelopeIn.model_validate(
                {
                    "legal_basis": "Code de procédure pénale, art. 230-6",
                    "subject_category": "suspect",
                    "tlp": "GREEN",
                    "shares": [{"scope": "everyone", "level": "full"}],
                }
            ),
            owner_code=LOCAL_AGENCY,
            now=utcnow(),
        )
        assert local.code == settings.node_code
        return cls(session, settings)


class NoticeImport:
    """`palermo notices import`: published notices in the shape of Interpol's web service,
    loaded all or none. The import runs as its command runs it (a unit of work that commits
    on success and rolls back on a refusal), so a refusal must leave no notice behind."""

    def __init__(self, world: World) -> None:
        self.world = world
        sg = world.session.scalars(select(Agency).where(Agency.code == NOTICE_AGENCY)).one()
        self.principal = operator_principal(frozenset({sg.id}))

    def __call__(self, data: bytes) -> None:
        session = self.world.session
        before = self._notices()
        work = session.begin_nested()
        try:
            with clear_refusals(), as_file(data, "notices.json") as path:
                public.import_file(
                    session,
                    principal=self.principal,
                    settings=self.world.settings,
                    path=path,
                    agency_code=NOTICE_AGENCY,
                    kind=None,
                    now=utcnow(),
                )
                session.flush()
        finally:
            work.rollback()  # accepted or not: the next input starts from the same world
        if self._notices() != before:
            raise AssertionError("a notice import left notices behind")

    def _notices(self) -> int:
        return self.world.session.scalar(select(func.count()).select_from(Notice)) or 0


class FederationInbox:
    """POST /federation/envelopes: a batch of envelopes, every one answered.

    Unsigned (`signed=False`), the input is what anyone on the network can post. Signed,
    each envelope (and a message's header) is signed with the peer's keys before it is
    received: what a buggy or hostile peer can send, past the signature checks."""

    def __init__(self, world: World, *, signed: bool) -> None:
        self.world = world
        self.signed = signed
        self.node_key = NodeKey(Ed25519PrivateKey.from_private_bytes(PEER_NODE_KEY))
        self.signing_key = Ed25519PrivateKey.from_private_bytes(PEER_SIGNING_KEY)

    def __call__(self, data: bytes) -> None:
        try:
            body = json.loads(data)
        except (ValueError, RecursionError):
            return  # FastAPI answers a body that is not JSON before any route runs
        batch = body.get("envelopes") if isinstance(body, dict) else None
        if not isinstance(batch, list) or not batch:
            return  # the route refuses it (Invalid) before the inbox sees it
        if self.signed:
            batch = [self.sign(envelope) for envelope in batch]
        session = self.world.session
        local = session.scalars(select(Node).where(Node.is_local.is_(True))).one()
        receiving = federation.Receiving(local=local, now=utcnow(), max_attachment_bytes=65536)
        answers: list[dict[str, Any]] = []  # none when the whole batch is refused
        work = session.begin_nested()
        try:
            with clear_refusals():
                answers = federation.receive_batch(session, batch, receiving)
                session.flush()  # what the request's commit would write
        finally:
            work.rollback()
        for answer in answers:
            if answer["outcome"] not in ("accepted", "duplicate", "refused"):
                raise AssertionError(f"an envelope without an outcome: {answer!r}")
            if answer["outcome"] == "refused" and not answer["reason"]:
                raise UnclearRefusal(f"an envelope refused without a reason: {answer!r}")

    def sign(self, envelope: Any) -> Any:
        """The envelope (and a message's header) signed with the peer's keys."""
        if not isinstance(envelope, dict):
            return envelope
        body = envelope.get("body")
        try:
            if envelope.get("kind") == "message" and isinstance(body, dict):
                header = body.get("header")
                if isinstance(header, dict):
                    signature = self.signing_key.sign(crypto.canonical(header))
                    body["signature"] = crypto.b64(signature)
            unsigned = {k: v for k, v in envelope.items() if k != "signature"}
            envelope["signature"] = crypto.b64(self.node_key.sign(crypto.canonical(unsigned)))
        except UnicodeEncodeError:
            pass  # not signable (a lone surrogate): it goes as the fuzzer wrote it
        return envelope


def signed_by_peer(document: dict[str, Any]) -> dict[str, Any]:
    """The document with a signature by the peer's node key over the rest of it."""
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    try:
        data = crypto.canonical(unsigned)
    except UnicodeEncodeError:
        return document  # not signable (a lone surrogate): it goes as the fuzzer wrote it
    key = Ed25519PrivateKey.from_private_bytes(PEER_NODE_KEY)
    return unsigned | {"signature": crypto.b64(key.sign(data))}


class HitQueries:
    """POST /federation/hits: a peer's hit/no-hit query, answered (hit, no-hit or refused,
    and signed) or refused with a clear error.

    Unsigned (`signed=False`), the input is what anyone on the network can post; signed, the
    envelope is signed with the peer's node key first: what a buggy or hostile peer can ask.
    An answer must be writable as the route's JSON response."""

    def __init__(self, world: World, *, signed: bool) -> None:
        self.world = world
        self.signed = signed
        local = Ed25519PrivateKey.from_private_bytes(LOCAL_NODE_KEY)
        self.keyring = Keyring(NodeKey(local), crypto.sealer_for(world.settings.secret_key))

    def __call__(self, data: bytes) -> None:
        try:
            envelope = json.loads(data)
        except (ValueError, RecursionError):
            return  # FastAPI answers a body that is not JSON before any route runs
        if not isinstance(envelope, dict):
            return  # and one that is not an object (the route takes a dict)
        if self.signed:
            envelope = signed_by_peer(envelope)
        session = self.world.session
        answer: dict[str, Any] | None = None
        work = session.begin_nested()
        try:
            with clear_refusals():
                answer = hits.answer(
                    session, self.keyring, envelope, local=directory.local(session), now=utcnow()
                )
                session.flush()  # what the request's commit would write
        finally:
            work.rollback()
        if answer is not None:
            self.check(answer)

    def check(self, answer: dict[str, Any]) -> None:
        storable(answer)
        unsigned = {k: v for k, v in answer.items() if k != "signature"}
        signature = crypto.unb64(answer["signature"], "signature")
        crypto.verify(self.keyring.node.public_bytes, signature, crypto.canonical(unsigned))
        if answer["outcome"] not in ("hit", "no_hit", "refused"):
            raise AssertionError(f"a query answered without an outcome: {answer!r}")
        if answer["outcome"] == "refused" and not answer.get("reason"):
            raise UnclearRefusal(f"a query refused without a reason: {answer!r}")


class PeerDirectory:
    """`palermo node peer sync` (and the node's directory keeper): the directory a peer
    serves at /federation/directory, read from the response as `directory.fetch` reads it
    (the response comes from an in-process transport), signed with the peer's node key — a
    buggy or hostile peer's, past the signature check — then learnt. It is learnt in a
    savepoint rolled back after each input, so that every input meets the same world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.principal = operator_principal(frozenset())

    def __call__(self, data: bytes) -> None:
        session = self.world.session
        peer = session.scalars(select(Node).where(Node.code == PEER_NODE)).one()
        client = httpx.Client(
            transport=httpx.MockTransport(lambda _request: httpx.Response(200, content=data))
        )
        work = session.begin_nested()
        try:
            with client, clear_refusals():
                document = signed_by_peer(directory.fetch(client, peer))
                directory.learn(
                    session, principal=self.principal, node=peer, document=document, now=utcnow()
                )
                session.flush()  # what the command's commit would write
        finally:
            work.rollback()


def database_targets(world: World) -> dict[str, Target]:
    return {
        "interpol_notices": NoticeImport(world),
        "federation": FederationInbox(world, signed=False),
        "federation_signed": FederationInbox(world, signed=True),
        "federation_hits": HitQueries(world, signed=False),
        "federation_hits_signed": HitQueries(world, signed=True),
        "peer_directory": PeerDirectory(world),
    }


# The format of each target's input, for the mutations' tokens.
KINDS = {
    "ftm_lines": "json",
    "goaml_xml": "xml",
    "goaml_csv": "csv",
    "goaml_json": "json",
    "transactions": "csv",
    "un_list": "xml",
    "eu_list": "xml",
    "ofac_list": "csv",
    "interpol_list": "json",
    "opensanctions": "json",
    "call_records": "csv",
    "court_package": "zip",
    "interpol_notices": "json",
    "federation": "json",
    "federation_signed": "json",
    "federation_hits": "json",
    "federation_hits_signed": "json",
    "peer_directory": "json",
}
ALL_TARGETS = tuple(KINDS)
