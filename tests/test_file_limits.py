"""Files named on the command line are read only within what the API accepts of the same
content: a larger one is refused, naming the file, its size and the limit, and nothing is
written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select

from palermo.errors import Invalid
from palermo.files import read_file
from palermo.models import Base
from palermo.screening import batch, lists
from tests.conftest import Palermo

LIMIT = 1024  # the smallest request and attachment limits the settings allow
TOO_LARGE = LIMIT + 1
WHY = ["--purpose", "border_management", "--justification", "flight LH 1234, 2026-03-01"]


@pytest.fixture
def small(palermo: Palermo) -> Palermo:
    """The node with its request and attachment limits at their smallest."""
    palermo.env |= {
        "PALERMO_MAX_REQUEST_BYTES": str(LIMIT),
        "PALERMO_MAX_ATTACHMENT_BYTES": str(LIMIT),
    }
    return palermo


def rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def oversized(tmp_path: Path, name: str, size: int = TOO_LARGE) -> Path:
    path = tmp_path / name
    path.write_bytes(b"x" * size)
    return path


@pytest.mark.parametrize(
    ("what", "name", "command"),
    [
        ("the file", "asset.json", ["assets", "register", "{file}"]),
        ("the report", "report.xml", ["finintel", "import", "goaml", "{file}"]),
        (
            "the attachment",
            "scan.pdf",
            ["messages", "send", "--to", "NCB-DE", "--subject", "S", "--attach", "{file}"],
        ),
        (
            "the evidence file",
            "image.bin",
            ["cases", "evidence", "add", "C/1", "--title", "T", "--place", "P", "--file", "{file}"],
        ),
        (
            "the statement",
            "statement.json",
            ["cases", "evidence", "receive-signed", "C/1", "E/1", "{file}"],
        ),
    ],
    ids=["a JSON body", "a report", "an attachment", "an evidence file", "a signed statement"],
)
def test_a_file_larger_than_the_api_accepts_is_refused(
    small: Palermo, tmp_path: Path, what: str, name: str, command: list[str]
) -> None:
    path = oversized(tmp_path, name)
    engine = create_engine(small.env["PALERMO_DATABASE_URL"])
    before = rows(engine)
    result = small(*(part.format(file=path) for part in command), ok=False)
    assert result.exit_code == 1
    assert f"{what} {path} is {TOO_LARGE} bytes, more than the {LIMIT} accepted" in result.output
    assert rows(engine) == before
    engine.dispose()


def test_a_screening_batch_larger_than_an_upload_is_refused(
    palermo: Palermo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "MAX_BYTES", LIMIT)
    manifest, out = oversized(tmp_path, "manifest.csv"), tmp_path / "hits.csv"
    result = palermo("screen-batch", str(manifest), "--out", str(out), *WHY, ok=False)
    assert f"the file {manifest} is {TOO_LARGE} bytes, more than the {LIMIT} accepted" in (
        result.output
    )
    assert not out.exists()


def test_a_watch_list_larger_than_the_limit_is_refused(
    palermo: Palermo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lists, "MAX_LIST_BYTES", LIMIT)
    listing = oversized(tmp_path, "consolidated.xml")
    engine = create_engine(palermo.env["PALERMO_DATABASE_URL"])
    before = rows(engine)
    result = palermo("lists", "import", "un", str(listing), "--agency", "UNSC", ok=False)
    assert f"the watch list {listing} is {TOO_LARGE} bytes, more than the {LIMIT} accepted" in (
        result.output
    )
    assert rows(engine) == before
    engine.dispose()


def test_a_file_up_to_the_limit_is_read(tmp_path: Path) -> None:
    path = oversized(tmp_path, "exact.bin", LIMIT)
    assert read_file(path, limit=LIMIT, what="the file") == b"x" * LIMIT


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(Invalid) as refused:
        read_file(tmp_path / "absent.csv", limit=LIMIT, what="the file")
    assert refused.value.message == (
        f"the file {tmp_path / 'absent.csv'}: cannot read the file (No such file or directory)"
    )
