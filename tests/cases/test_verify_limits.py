"""The court's verifier and a zip bomb: a package that would inflate beyond the limits is
refused, naming the member and the limit, before or while it is read; a real package, a
disk image of zeros included, still verifies."""

from __future__ import annotations

import random
import struct
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from palermo.cases import package, verify
from tests.cases.conftest import NOW, Team
from tests.cases.evidence_helpers import digital, with_keys

MiB = 2**20


def noise(size: int, seed: int = 0) -> bytes:
    """Bytes deflate cannot shrink."""
    return random.Random(seed).randbytes(size)


def archive(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as written:
        for name, data in members.items():
            written.writestr(name, data)
    return path


def declare(path: Path, name: str, size: int) -> None:
    """Make the archive's directory declare `size` inflated bytes for `name`: a lying header."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(name)] != name.encode():
        at = data.find(b"PK\x01\x02", at + 1)
    struct.pack_into("<I", data, at + 24, size)  # the entry's uncompressed size
    path.write_bytes(bytes(data))


def refusal(path: Path) -> str:
    (problem,) = verify.verify(str(path))
    return problem


def test_a_package_with_a_disk_image_of_zeros_verifies(team: Team, tmp_path: Path) -> None:
    case = team.case()
    image = digital(team, case, content=bytes(5 * MiB), file_name="sdcard.img")
    report = digital(team, case)
    data = package.export(
        team.db,
        principal=team["nl"],
        sealer=with_keys(team),
        case=case,
        item_ids=[image.id, report.id],
        now=NOW,
    )
    with zipfile.ZipFile(BytesIO(data)) as zipped:
        methods = {info.filename: info.compress_type for info in zipped.infolist()}
    # Deflated, the image would inflate a thousand times: stored, it passes the ratio limit.
    assert methods.pop(f"files/{image.sha256}") == zipfile.ZIP_STORED
    assert set(methods.values()) == {zipfile.ZIP_DEFLATED}
    (tmp_path / "package.zip").write_bytes(data)
    assert verify.verify(str(tmp_path / "package.zip")) == []


def test_too_many_members(tmp_path: Path) -> None:
    path = archive(tmp_path / "p.zip", {f"files/{n}": b"" for n in range(verify.MAX_MEMBERS + 1)})
    assert refusal(path) == (
        "the package is refused: the package has 10001 members, more than the 10000 accepted"
    )


def test_a_member_declaring_more_than_a_member_may_hold(tmp_path: Path) -> None:
    path = archive(tmp_path / "p.zip", {"manifest.json": b"{}", "files/a": noise(1000)})
    declare(path, "files/a", 3 * 2**30)
    assert refusal(path) == (
        "the package is refused: files/a: declares 3221225472 bytes, more than the "
        "2147483648 accepted of a member"
    )


def test_a_member_inflating_more_than_the_ratio(tmp_path: Path) -> None:
    path = archive(tmp_path / "p.zip", {"files/bomb": bytes(5 * MiB)})
    with zipfile.ZipFile(path) as zipped:
        compressed = zipped.getinfo("files/bomb").compress_size
    assert refusal(path) == (
        f"the package is refused: files/bomb: declares 5242880 bytes from {compressed} "
        "compressed, more than the 200:1 accepted (a zip bomb)"
    )


def test_members_declaring_more_than_the_package_may_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify, "MAX_TOTAL_BYTES", 3 * MiB)
    path = archive(tmp_path / "p.zip", {f"files/{n}": noise(MiB, n) for n in range(4)})
    assert refusal(path) == (
        "the package is refused: the package's members declare 4194304 bytes in all, more "
        "than the 3145728 accepted"
    )


def test_a_document_is_read_no_further_than_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify, "MAX_DOCUMENT_BYTES", 2 * MiB)
    path = archive(tmp_path / "p.zip", {"manifest.json": noise(3 * MiB)})
    assert refusal(path) == (
        "the package is refused: manifest.json: inflates to 3145728 bytes, more than the "
        "2097152 accepted of a member"
    )


def test_a_lying_header_does_not_get_past(tmp_path: Path) -> None:
    """Declaring 1000 bytes, the member gives no more: its checksum then fails."""
    path = archive(tmp_path / "p.zip", {"manifest.json": bytes(3 * MiB)})
    declare(path, "manifest.json", 1000)
    assert refusal(path) == (
        "the package cannot be read: BadZipFile: Bad CRC-32 for file 'manifest.json'"
    )


def test_the_bytes_inflated_are_counted_each_member_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the directory declared, reading stops when the members inflated add up to
    more than the limit; a member read again does not count twice."""
    path = archive(tmp_path / "p.zip", {"a": noise(MiB, 1), "b": noise(MiB, 2)})
    with zipfile.ZipFile(path) as zipped:
        members = verify.Package(zipped)
        monkeypatch.setattr(verify, "MAX_TOTAL_BYTES", 3 * MiB // 2)
        members.sha256("a")
        assert members.read("a") == noise(MiB, 1)
        with pytest.raises(verify.TooLarge) as refused:
            members.sha256("b")
    assert str(refused.value) == (
        "b: the package inflates to more than the 1572864 bytes accepted in all"
    )
