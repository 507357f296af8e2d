"""Short fuzzing of every parser of outside input (the targets of tests/fuzz/targets.py).

Each target gets its seeds damaged (`mutated`: bytes flipped, cut, inserted, re-encoded,
format tokens such as DOCTYPEs and deep nesting dropped in) and, for JSON inputs, rebuilt
with arbitrary values inside (`altered`). A target must accept or refuse clearly; it must
also finish within a time budget, so a hang fails the test rather than the run.

The long, coverage-guided run is `scripts/fuzz.py` (atheris); `--hypothesis-profile=fuzz-long`
runs these tests with many more examples.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from palermo.errors import Invalid
from palermo.finintel.filing import ReportRejected
from palermo.finintel.intake import read_report
from palermo.screening.lists import PARSERS
from palermo.settings import Settings
from tests.fuzz.mutations import altered, mutated
from tests.fuzz.targets import KINDS, TARGETS, Target, World, database_targets, seeds

LONG = settings.get_current_profile_name() == "fuzz-long"
FUZZ = settings(
    max_examples=settings.get_profile("fuzz-long").max_examples if LONG else 30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # a short run explores afresh each time; failures print their input
)
BUDGET = 30  # seconds an input may take before it counts as a hang
JSON_TARGETS = [name for name, kind in KINDS.items() if kind == "json"]


class Hang(AssertionError):
    """An input the parser did not finish within the budget."""


@contextmanager
def watchdog(seconds: int) -> Iterator[None]:
    def expire(_signal: int, _frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(target: Target, data: bytes) -> None:
    with watchdog(BUDGET):
        target(data)


def inputs(name: str) -> st.SearchStrategy[bytes]:
    corpus = seeds(name)
    damaged = mutated(corpus, KINDS[name])
    return damaged | altered(corpus) if KINDS[name] == "json" else damaged


@pytest.fixture
def world(db: Session, settings: Settings) -> World:
    return World.build(db, settings)


def test_every_target_has_seeds() -> None:
    missing = [name for name in KINDS if not seeds(name)]
    assert not missing


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_seeds_are_read(name: str) -> None:
    for seed in seeds(name):
        run(TARGETS[name], seed)


# Inputs known to break parsers of each kind, tried on every target of that kind on top of
# the random ones: nesting deeper than the decoder's recursion, numbers longer than Python
# converts, half characters, entity bombs and external entities, unknown encodings, stray
# carriage returns and NULs, archives cut short.
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9))
    + b"]><r>&j;</r>"
)
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
HOSTILE = {
    "json": (
        b"[" * 100_000,
        b'{"a": ' * 100_000,
        b"9" * 5000,
        b"1e999999",
        b'{"id": "\\ud800", "schema": "Person", "properties": {"name": ["Ana\\udc00"]}}',
        b'{"envelopes": [{"id": "\\ud800", "from": "\\udc00", "kind": ["message"]}]}',
        b'{"entity_id": "2024/1", "name": "A", "_links": {"self": "x"}}',
        b"{}\n\x00{\x00}\x00",
        b"\x00" * 7,
    ),
    "xml": (
        BOMB,
        EXTERNAL,
        b'<?xml version="1.0" encoding="TTF-8"?><r/>',
        b"<a>" * 100_000,
        b"\xff\xfe<\x00r\x00/\x00>\x00",
    ),
    "csv": (
        b"a\rb,c\n1,2\n",
        b'"a\rb",c\n1,2\n',
        b"\x00,\x00\n\x00,\x00\n",
        b'"' * 7,
        b"\xef\xbb\xbf\xef\xbb\xbf,\n",
    ),
    "zip": (b"PK\x03\x04", b"PK\x05\x06" + b"\x00" * 18),
}


@pytest.mark.parametrize(
    ("name", "data"),
    [(name, data) for name in sorted(TARGETS) for data in HOSTILE[KINDS[name]]],
)
def test_hostile_input(name: str, data: bytes) -> None:
    run(TARGETS[name], data)


@pytest.mark.parametrize("data", [BOMB, EXTERNAL], ids=["entity bomb", "external entity"])
def test_document_type_declarations_are_refused(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(ReportRejected, match="DOCTYPE"):
        read_report(data, "goaml")
    for source in ("un", "eu"):
        path = tmp_path / f"{source}.xml"
        path.write_bytes(data)
        with pytest.raises(Invalid, match="DOCTYPE"):
            PARSERS[source](path)


@pytest.mark.parametrize("name", sorted(TARGETS))
@FUZZ
@given(data=st.data())
def test_parser(name: str, data: st.DataObject) -> None:
    run(TARGETS[name], data.draw(inputs(name), label="input"))


@pytest.mark.parametrize("name", sorted(set(KINDS) - set(TARGETS)))
def test_parser_on_a_database(name: str, world: World) -> None:
    target = database_targets(world)[name]
    for data in [*seeds(name), *HOSTILE[KINDS[name]]]:
        run(target, data)

    @FUZZ
    @given(inputs(name))
    def fuzz(data: bytes) -> None:
        run(target, data)

    fuzz()
