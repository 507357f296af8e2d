"""`palermo audit verify`: recompute the whole log and say where it was tampered with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit import merkle
from palermo.audit.service import ENTRY_FIELDS, canonical_entry
from palermo.audit.tree import head_message, signed_heads
from palermo.models.audit import AuditEvent, AuditNode

BATCH = 20000


@dataclass
class Verification:
    entries: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)
    first_bad_entry: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad(self, problem: str, entry: int | None = None) -> None:
        self.problems.append(problem)
        if entry is not None and (self.first_bad_entry is None or entry < self.first_bad_entry):
            self.first_bad_entry = entry


def verify_log(
    session: Session,
    public_key: Ed25519PublicKey,
    *,
    on_progress: Callable[[int], None] = lambda _n: None,
) -> Verification:
    """Check every entry against its leaf hash, every stored node, and every signed head."""
    report = Verification()
    leaves: list[bytes] = []
    columns = [getattr(AuditEvent, name) for name in ENTRY_FIELDS]
    query = select(*columns, AuditEvent.leaf_hash).order_by(AuditEvent.leaf_index)
    expected = 0
    for row in session.execute(query.execution_options(yield_per=BATCH)).mappings():
        index = row["leaf_index"]
        while expected < index:
            report.bad(f"entry {expected} is missing (deleted)", expected)
            leaves.append(merkle.leaf_hash(b"missing"))
            expected += 1
        recomputed = merkle.leaf_hash(canonical_entry(dict(row)))
        if recomputed != row["leaf_hash"]:
            report.bad(
                f"entry {index} ({row['action']} at {row['at']:%Y-%m-%d %H:%M:%S}) was altered: "
                "its content no longer matches its leaf hash",
                index,
            )
        leaves.append(recomputed)
        expected += 1
        if expected % BATCH == 0:
            on_progress(expected)
    report.entries = expected
    on_progress(expected)
    tree = merkle.InMemoryTree(leaves)
    _verify_nodes(session, tree, report)
    _verify_heads(session, tree, public_key, report)
    return report


def _verify_nodes(session: Session, tree: merkle.InMemoryTree, report: Verification) -> None:
    for level, index, digest in session.execute(
        select(AuditNode.level, AuditNode.index, AuditNode.hash)
    ):
        first_leaf = index << level
        if first_leaf + (1 << level) > len(tree):
            report.bad(f"stored node ({level}, {index}) covers entries the log does not have")
        elif tree.perfect(level, index) != digest:
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
