"""`palermo audit verify`: recompute the whole log and say where it was tampered with."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from palermo.audit import merkle
from palermo.audit.tree import head_message, signed_heads, tree_size
from palermo.db import create_db_engine, stream_rows
from palermo.helpers import helper_process

BATCH = 20000


@dataclass
class Verification:
    entries: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)
    first_bad_entry: int | None = None
    located: list[tuple[str, int]] = field(default_factory=list)  # problems with an entry

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad(self, problem: str, entry: int | None = None) -> None:
        self.problems.append(problem)
        if entry is not None:
            self.located.append((problem, entry))
            if self.first_bad_entry is None or entry < self.first_bad_entry:
                self.first_bad_entry = entry


INDEXED = ("at", "action", "operation", "outcome", "actor", "agency")
ENTRIES = (
    "SELECT leaf_index, entry, leaf_hash, at, action, operation, outcome, actor, agency "
    "FROM audit_events WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index"
)
PARALLEL_FROM = 200_000  # entries; a second process halves the time of a large log


def verify_log(
    session: Session,
    public_key: Ed25519PublicKey,
    *,
    on_progress: Callable[[int], None] = lambda _n: None,
) -> Verification:
    """Check every entry against its leaf hash and its indexed copies, every stored node,
    and every signed head."""
    report = Verification()
    size = tree_size(session)
    if size < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        leaves = _check_entries(session, 0, size, report, on_progress)
    else:
        # The second half of the log is rehashed by another process, reading committed rows
        # through its own connection, while this one does the first half.
        url = session.get_bind().engine.url.render_as_string(hide_password=False)
        with helper_process() as pool:
            second = pool.submit(_check_range, url, size // 2, size)
            leaves = _check_entries(session, 0, size // 2, report, on_progress)
            later, problems = second.result()
        leaves.extend(later)
        for problem, entry in problems:
            report.bad(problem, entry)
    report.entries = len(leaves)
    on_progress(report.entries)
    tree = merkle.InMemoryTree(leaves)
    _verify_nodes(session, tree, report)
    _verify_heads(session, tree, public_key, report)
    return report


def _check_range(url: str, start: int, end: int) -> tuple[list[bytes], list[tuple[str, int]]]:
    """`_check_entries` in a worker process, on its own connection."""
    engine = create_db_engine(url, readonly=True)
    try:
        with Session(engine) as session:
            report = Verification()
            leaves = _check_entries(session, start, end, report, lambda _n: None)
            found = [(p, e) for p, e in report.located]
    finally:
        engine.dispose()
    return leaves, found


def _check_entries(
    session: Session,
    start: int,
    end: int,
    report: Verification,
    on_progress: Callable[[int], None],
) -> list[bytes]:
    """Rehash entries [start, end); note missing and altered ones; return the leaf hashes."""
    leaves: list[bytes] = []
    expected = start
    for index, entry, stored_hash, *indexed in stream_rows(session, ENTRIES, BATCH, (start, end)):
        while expected < index:
            report.bad(f"entry {expected} is missing (deleted)", expected)
            leaves.append(merkle.leaf_hash(b"missing"))
            expected += 1
        digest = sha256(b"\x00" + entry.encode()).digest()
        if digest != bytes(stored_hash):
            report.bad(f"entry {index} was altered: it no longer matches its leaf hash", index)
        else:
            content = json.loads(entry)
            if content["leaf_index"] != index or [content[n] for n in INDEXED] != indexed:
                report.bad(
                    f"entry {index} ({content.get('action')}) was altered: its indexed columns "
                    "no longer match the hashed entry",
                    index,
                )
        leaves.append(digest)
        expected += 1
        if expected % BATCH == 0:
            on_progress(expected)
    while expected < end:
        report.bad(f"entry {expected} is missing (deleted)", expected)
        leaves.append(merkle.leaf_hash(b"missing"))
        expected += 1
    return leaves


def _verify_nodes(session: Session, tree: merkle.InMemoryTree, report: Verification) -> None:
    """Every stored perfect subtree must equal the one recomputed from the entries."""
    for level, index, digest in stream_rows(
        session, 'SELECT level, "index", hash FROM audit_nodes', BATCH
    ):
        try:
            expected = tree.perfect(level, index)
        except IndexError:
            report.bad(f"stored node ({level}, {index}) covers entries the log does not have")
            continue
        if expected != digest:
            first_leaf = index << level
            report.bad(
                f"stored node ({level}, {index}) over entries {first_leaf}.."
                f"{first_leaf + (1 << level) - 1} does not match them",
                first_leaf if report.first_bad_entry is None else None,
            )


def _verify_heads(
    session: Session, tree: merkle.InMemoryTree, public_key: Ed25519PublicKey, report: Verification
) -> None:
    previous = 0
    for head in signed_heads(session):
        report.heads += 1
        try:
            public_key.verify(
                head.signature, head_message(head.tree_size, head.root_hash, head.signed_at)
            )
        except InvalidSignature:
            report.bad(f"signed head at size {head.tree_size} has an invalid signature")
            continue
        if head.tree_size > len(tree):
            report.bad(
                f"signed head at size {head.tree_size} is beyond the log's {len(tree)} entries"
            )
        elif tree.root(head.tree_size) != head.root_hash:
            report.bad(
                f"signed head at size {head.tree_size} does not match the log: history between "
                f"entries {previous} and {head.tree_size - 1} was rewritten",
                # Entries found altered name the spot better than the head's whole range.
                previous if report.first_bad_entry is None else None,
            )
        previous = head.tree_size
