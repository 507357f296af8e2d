"""Verify a Palermo evidence package, offline.

    python verify.py PACKAGE.zip

Needs Python 3.11 or later and the `cryptography` package (`pip install cryptography`);
reads nothing but the package. It checks that

1. the manifest is signed (Ed25519) by the exporting agency with the key it names;
2. every key's id is the start of the SHA-256 of the key (a key cannot pass for another);
3. every file the manifest lists is in the package, with the SHA-256 it lists, and no other;
4. every evidence file has the SHA-256 recorded when the item was collected;
5. every custody log is an unbroken chain: each line's hash covers its content and the
   hash of the line before it, from 64 zeros to the last hash the manifest names;
6. every hand-over statement is signed by the agency releasing the item, every receipt by
   the agency taking it, and both appear in the item's custody log.

It prints each check and every problem found, and exits 0 if there is none, 1 otherwise.
What it cannot tell is whether a key really is the agency's: compare the key ids it prints
with those the agencies publish.

It refuses a package that would inflate beyond what a court's machine should hold (a zip
bomb), naming the member and the limit: more than MAX_MEMBERS members, a member of more
than MAX_MEMBER_BYTES (MAX_DOCUMENT_BYTES for those it reads whole), more than
MAX_TOTAL_BYTES in all, or a member over RATIO_FROM bytes inflating more than MAX_RATIO
times its compressed size. The sizes the package declares are checked before anything is
read, and the bytes actually inflated while reading, chunk by chunk (a declared size can lie).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 2 * 2**30  # an evidence file, inflated
MAX_DOCUMENT_BYTES = 256 * 2**20  # a member read whole: the manifest, a custody log, …
MAX_TOTAL_BYTES = 4 * 2**30  # every member, inflated
# Deflate shrinks real evidence a few times, a run of zeros a thousand times: a member over
# RATIO_FROM bytes may inflate at most MAX_RATIO times its compressed size.
MAX_RATIO = 200
RATIO_FROM = 2**20
CHUNK = 2**20  # bytes inflated at a time


class TooLarge(Exception):
    """The package, or one of its members, is beyond a limit of what the verifier reads."""


def within_limits(name: str, size: int, compressed: int, limit: int, *, how: str) -> None:
    """Refuse a member of `size` inflated bytes (as it declares, or as inflated so far)."""
    if size > limit:
        raise TooLarge(f"{name}: {how} {size} bytes, more than the {limit} accepted of a member")
    if size > RATIO_FROM and size > MAX_RATIO * compressed:
        raise TooLarge(
            f"{name}: {how} {size} bytes from {compressed} compressed, more than the "
            f"{MAX_RATIO}:1 accepted (a zip bomb)"
        )


class Package:
    """An evidence package's members, read in chunks within the limits."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise TooLarge(
                f"the package has {len(members)} members, more than the {MAX_MEMBERS} accepted"
            )
        for info in members:
            within_limits(
                info.filename, info.file_size, info.compress_size, MAX_MEMBER_BYTES, how="declares"
            )
        declared = sum(info.file_size for info in members)
        if declared > MAX_TOTAL_BYTES:
            raise TooLarge(
                f"the package's members declare {declared} bytes in all, more than the "
                f"{MAX_TOTAL_BYTES} accepted"
            )
        self.archive = archive
        self.names = {info.filename for info in members}
        self.inflated: dict[str, int] = {}  # the most bytes inflated of each member
        self.total = 0  # their sum: a member read twice counts once
        self.digests: dict[str, str] = {}

    def chunks(self, name: str, limit: int) -> Iterator[bytes]:
        """The member, inflated a chunk at a time; the bytes are counted as they come, not
        trusted to stop at the size the directory declares."""
        info = self.archive.getinfo(name)
        size = 0
        with self.archive.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                within_limits(name, size, info.compress_size, limit, how="inflates to")
                grown = size - self.inflated.get(name, 0)
                if grown > 0:
                    self.inflated[name] = size
                    self.total += grown
                if self.total > MAX_TOTAL_BYTES:
                    raise TooLarge(
                        f"{name}: the package inflates to more than the {MAX_TOTAL_BYTES} "
                        "bytes accepted in all"
                    )
                yield chunk

    def read(self, name: str) -> bytes:
        """A member read whole, to be parsed."""
        return b"".join(self.chunks(name, MAX_DOCUMENT_BYTES))

    def sha256(self, name: str) -> str:
        """A member's SHA-256, inflated once however often it is asked for."""
        if name not in self.digests:
            digest = hashlib.sha256()
            for chunk in self.chunks(name, MAX_MEMBER_BYTES):
                digest.update(chunk)
            self.digests[name] = digest.hexdigest()
        return self.digests[name]


def canonical(document: Any) -> bytes:
    """Sorted, compact UTF-8 JSON: the bytes that are signed and hashed."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def ok(self, text: str) -> None:
        print(f"ok       {text}")

    def problem(self, text: str) -> None:
        self.problems.append(text)
        print(f"PROBLEM  {text}")


def signature_problem(keys: dict[str, Any], kid: str, agency: str, sig: str, data: bytes) -> str:
    """Why the signature does not hold ('' when it holds)."""
    key = keys.get(kid)
    if key is None:
        return f"key {kid} is not listed in the manifest"
    if key["agency"] != agency:
        return f"key {kid} is {key['agency']}'s, not {agency}'s"
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public"]))
        public.verify(base64.b64decode(sig), data)
    except (InvalidSignature, ValueError):
        return f"the signature does not verify with {agency}'s key {kid}"
    return ""


def check_custody(report: Report, item: dict[str, Any], text: bytes) -> list[dict[str, Any]]:
    reference = item["reference"]
    lines: list[dict[str, Any]] = []
    previous: Any = GENESIS
    before = len(report.problems)
    for seq, text_line in enumerate(text.decode().splitlines(), start=1):
        where = f"custody line {seq} of {reference}"
        try:
            line = json.loads(text_line)
        except ValueError:
            line = None
        if not isinstance(line, dict):
            report.problem(f"{where}: not a JSON object")
            line = {}
        lines.append(line)
        content = {k: v for k, v in line.items() if k != "entry_hash"}
        if line.get("item") != reference or line.get("seq") != seq:
            report.problem(f"{where}: names {line.get('item')} line {line.get('seq')}")
        if line.get("previous_hash") != previous:
            report.problem(f"{where}: does not follow the line before it")
        if sha256(canonical(content)) != line.get("entry_hash"):
            report.problem(f"{where}: its content does not match its hash (altered)")
        previous = line.get("entry_hash")
    if previous != item["custody_head"]:
        report.problem(f"custody of {reference}: ends at {previous}, not at the manifest's head")
    if lines and item["sha256"] and lines[0].get("observed_sha256") != item["sha256"]:
        report.problem(f"custody of {reference}: collected with another SHA-256")
    if len(report.problems) == before:
        report.ok(f"custody of {reference}: {len(lines)} lines, an unbroken chain")
    return lines


def check_handover(
    report: Report,
    keys: dict[str, Any],
    handover: dict[str, Any],
    item: dict[str, Any],
    lines: list[dict[str, Any]],
) -> None:
    statement, receipt = handover["statement"], handover.get("receipt")
    what = f"hand-over of {item['reference']} from {statement.get('from')} to {statement.get('to')}"
    before = len(report.problems)
    why = signature_problem(
        keys, handover["kid"], statement.get("from"), handover["signature"], canonical(statement)
    )
    if why:
        report.problem(f"{what}: statement: {why}")
    if statement.get("item") != item["reference"] or statement.get("sha256") != item["sha256"]:
        report.problem(f"{what}: the statement names another item or digest")
    hashes = {line.get("entry_hash") for line in lines}
    if statement.get("previous_hash") not in hashes:
        report.problem(f"{what}: the statement follows no line of the item's custody log")
    logged = {(line.get("kind"), line.get("handover")) for line in lines}
    if ("handed_over", handover["id"]) not in logged:
        report.problem(f"{what}: not in the item's custody log")
    if receipt is not None:
        why = signature_problem(
            keys,
            handover["receipt_kid"],
            statement.get("to"),
            handover["receipt_signature"],
            canonical(receipt),
        )
        if why:
            report.problem(f"{what}: receipt: {why}")
        if receipt.get("statement_sha256") != sha256(canonical(statement)):
            report.problem(f"{what}: the receipt is for another statement")
        if ("received", handover["id"]) not in logged:
            report.problem(f"{what}: its receipt is not in the item's custody log")
    if len(report.problems) == before:
        signed = "signed and countersigned" if receipt else "signed, not yet received"
        report.ok(f"{what}: {signed}")


def verify(path: str) -> list[str]:
    """Every problem of the package at `path` (printed as found); empty when it holds."""
    report = Report()
    try:
        with zipfile.ZipFile(path) as archive:
            check_package(report, Package(archive))
    except TooLarge as refused:
        report.problem(f"the package is refused: {refused}")
    except (
        OSError,
        EOFError,  # a member cut short
        zlib.error,  # a damaged compressed member
        zipfile.BadZipFile,
        NotImplementedError,  # a compression method Python lacks
        RuntimeError,  # an encrypted member; JSON nested too deep (RecursionError)
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
    ) as wrong:
        report.problem(f"the package cannot be read: {type(wrong).__name__}: {wrong}")
    return report.problems


def check_package(report: Report, package: Package) -> None:
    names = package.names
    raw = package.read("manifest.json")
    manifest = json.loads(raw)
    keys, signer = manifest["keys"], manifest["signer"]
    why = signature_problem(
        keys, signer["kid"], signer["agency"], package.read("manifest.sig").decode().strip(), raw
    )
    if why:
        report.problem(f"manifest.json: {why}")
    else:
        report.ok(f"manifest.json: signed by {signer['agency']} with key {signer['kid']}")
    for kid, key in keys.items():
        if sha256(base64.b64decode(key["public"]))[:16] != kid:
            report.problem(f"key {kid} of {key['agency']}: the id is not the key's")
    listed = manifest["contents"]
    for name, digest in listed.items():
        if name not in names:
            report.problem(f"{name}: listed in the manifest, missing from the package")
        elif package.sha256(name) != digest:
            report.problem(f"{name}: its SHA-256 is not the manifest's (altered)")
    for name in sorted(names - set(listed) - {"manifest.json", "manifest.sig"}):
        report.problem(f"{name}: in the package, not listed in the manifest")
    chains = {}
    for item in manifest["items"]:
        if item["file"]:
            name = f"{item['reference']} ({item['file_name']})"
            if item["file"] not in names:
                report.problem(f"{name}: its file is missing")
            elif package.sha256(item["file"]) != item["sha256"]:
                report.problem(f"{name}: the file is not the one collected (SHA-256 differs)")
            else:
                report.ok(f"{name}: SHA-256 {item['sha256']}, as collected")
        if item["custody"] in names:
            chains[item["reference"]] = check_custody(report, item, package.read(item["custody"]))
        else:
            report.problem(f"custody of {item['reference']}: missing from the package")
    items = {item["reference"]: item for item in manifest["items"]}
    handovers = json.loads(package.read("handovers.json")) if "handovers.json" in names else []
    for handover in handovers:
        if handover["item"] not in items:
            report.problem(f"hand-over {handover['id']}: of {handover['item']}, not in the package")
        else:
            item = items[handover["item"]]
            check_handover(report, keys, handover, item, chains.get(item["reference"], []))
    print(
        f"\ncase {manifest['case']['reference']}, {len(items)} items, exported on "
        f"{manifest['exported_at']} by {manifest['exported_by']['agency']}"
    )
    print("keys (compare their ids with those the agencies publish):")
    for kid, key in sorted(keys.items(), key=lambda k: (k[1]["agency"], k[0])):
        print(f"  {key['agency']:<16} {kid}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python verify.py PACKAGE.zip")
        return 2
    problems = verify(args[0])
    print(f"\n{'VERIFIED' if not problems else f'NOT VERIFIED: {len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
