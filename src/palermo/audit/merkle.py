"""Merkle tree hashing, proofs and proof verification (RFC 9162 §2.1, SHA-256).

RFC 9162 (Certificate Transparency 2.0) hashes exactly as RFC 6962 does:

* a leaf is ``H(0x00 || entry)``, an interior node ``H(0x01 || left || right)``;
* the Merkle Tree Hash of ``n > 1`` leaves splits them at ``k``, the largest power of two
  smaller than ``n``: ``MTH(D[n]) = H(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``;
* the hash of the empty tree is the hash of the empty string.

Proofs are computed from a :class:`SubtreeHashes` source, which only has to answer for
*perfect* subtrees (``2**level`` leaves starting at a multiple of ``2**level``). Every range
the RFC's PATH and SUBPROOF recursions visit is a concatenation of O(log n) such subtrees, so
a proof costs O(log² n) lookups and never needs all the leaves. A log that stores, for every
appended leaf, the rows :func:`perfect_nodes_completed_by` returns can answer every lookup
directly.

Levels count from the leaves (level 0) upwards; indices count from the left within a level.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "InMemoryTree",
    "SubtreeHashes",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "perfect_nodes_completed_by",
    "root_from_leaf_hashes",
    "subtree_root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Length of every hash in the tree (SHA-256)."""

EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()
"""MTH of the empty tree: SHA-256 of the empty string."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """The hash of a leaf: ``H(0x00 || entry)``."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``H(0x01 || left || right)``."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The RFC's ``k``: the largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """MTH over already-hashed leaves, in one pass with a stack of O(log n) perfect subtrees.

    After ``count`` leaves the stack holds the roots of the perfect subtrees given by the set
    bits of ``count``, largest first; folding them right to left yields the left-balanced MTH.
    The hashes are used as given: their length is not checked here.
    """
    sha256 = _sha256
    prefix = _NODE_PREFIX
    stack: list[bytes] = []
    push = stack.append
    pop = stack.pop
    for count, digest in enumerate(hashes, 1):
        merged = digest
        while not count & 1:
            merged = sha256(prefix + pop() + merged).digest()
            count >>= 1
        push(merged)
    if not stack:
        return EMPTY_ROOT
    root = pop()
    while stack:
        root = sha256(prefix + pop() + root).digest()
    return root


class SubtreeHashes(Protocol):
    """A source of perfect-subtree hashes."""

    def perfect(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree over leaves ``[index * 2**level, (index+1) * 2**level)``.

        Level 0 is the leaf hashes themselves. Must raise (a ``LookupError`` such as
        ``IndexError`` or ``KeyError``) rather than make up a value for a subtree that is not
        complete.
        """
        ...


def subtree_root(source: SubtreeHashes, start: int, end: int) -> bytes:
    """MTH of the leaves ``[start, end)``, from at most ``log2(end - start) + 1`` lookups.

    The range is cut into perfect subtrees following the binary digits of its size, largest
    first, which is exactly the RFC's recursive split at ``k``. That requires ``start`` to be
    a multiple of the largest of them, the highest power of two not above ``end - start``;
    every range the RFC's PATH and SUBPROOF recursions visit is aligned like that.
    An empty range has the empty-tree hash.
    """
    if start < 0 or end < start:
        raise ValueError(f"invalid leaf range [{start}, {end})")
    size = end - start
    if size == 0:
        return EMPTY_ROOT
    top = size.bit_length() - 1
    if start & ((1 << top) - 1):
        raise ValueError(
            f"leaf range [{start}, {end}) does not start on a multiple of {1 << top}, "
            "so it is not a union of stored perfect subtrees"
        )
    chunks: list[bytes] = []
    position = start
    for level in range(top, -1, -1):
        if size >> level & 1:
            chunks.append(source.perfect(level, position >> level))
            position += 1 << level
    root = chunks.pop()
    while chunks:
        root = node_hash(chunks.pop(), root)
    return root


def inclusion_proof(source: SubtreeHashes, leaf_index: int, tree_size: int) -> list[bytes]:
    """The audit path PATH(m, D[n]) of RFC 9162 §2.1.3.1, leaf-side sibling first."""
    if not 0 <= leaf_index < tree_size:
        raise ValueError(f"leaf index {leaf_index} is not in a tree of size {tree_size}")
    siblings: list[bytes] = []  # collected root-side first, returned reversed
    start, end = 0, tree_size
    while end - start > 1:
        k = _split(end - start)
        middle = start + k
        if leaf_index < middle:
            siblings.append(subtree_root(source, middle, end))
            end = middle
        else:
            siblings.append(subtree_root(source, start, middle))
            start = middle
    siblings.reverse()
    return siblings


def consistency_proof(source: SubtreeHashes, first: int, second: int) -> list[bytes]:
    """The consistency proof PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1.

    The RFC defines it for ``0 < first < second``; for ``first == 0`` and for
    ``first == second`` there is nothing to prove and the proof is empty.
    """
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from tree size {first} to {second}")
    if first == 0 or first == second:
        return []
    nodes: list[bytes] = []  # collected root-side first, returned reversed
    start, end = 0, second
    m = first  # SUBPROOF(m, D[start:end], have_root)
    have_root = True
    while m != end - start:
        k = _split(end - start)
        middle = start + k
        if m <= k:
            nodes.append(subtree_root(source, middle, end))
            end = middle
        else:
            nodes.append(subtree_root(source, start, middle))
            start = middle
            m -= k
            have_root = False
    if not have_root:
        nodes.append(subtree_root(source, start, end))
    nodes.reverse()
    return nodes


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def verify_inclusion(
    leaf_hash: bytes,
    leaf_index: int,
    tree_size: int,
    proof: Sequence[bytes],
    root: bytes,
) -> bool:
    """Whether ``proof`` shows ``leaf_hash`` at ``leaf_index`` in the tree of ``tree_size`` with
    ``root`` (RFC 9162 §2.1.3.2). Never raises: anything malformed is simply not a proof."""
    if not (_is_hash(leaf_hash) and _is_hash(root)):
        return False
    if not (isinstance(leaf_index, int) and isinstance(tree_size, int)):
        return False
    if not 0 <= leaf_index < tree_size:  # step 1
        return False
    fn, sn = leaf_index, tree_size - 1  # step 2
    r = leaf_hash  # step 3
    for p in proof:  # step 4
        if sn == 0 or not _is_hash(p):  # 4a
            return False
        if fn & 1 or fn == sn:  # 4b
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:  # 4b.ii
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1  # 4c
        sn >>= 1
    return sn == 0 and r == root  # step 5


def verify_consistency(
    first: int,
    second: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Whether ``proof`` shows the tree of size ``second`` with ``second_root`` extends the tree
    of size ``first`` with ``first_root`` (RFC 9162 §2.1.4.2). Never raises.

    Beyond the RFC's ``0 < first < second``: equal sizes are consistent with an empty proof
    and equal roots, and the empty tree (whose root must be :data:`EMPTY_ROOT`) with an empty
    proof and any well-formed second root.
    """
    if not (_is_hash(first_root) and _is_hash(second_root)):
        return False
    if not (isinstance(first, int) and isinstance(second, int)):
        return False
    if not 0 <= first <= second:
        return False
    if first == second:
        return len(proof) == 0 and first_root == second_root
    if first == 0:
        return len(proof) == 0 and first_root == EMPTY_ROOT
    if len(proof) == 0 or not all(_is_hash(c) for c in proof):  # step 1
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # step 2
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:  # 6a
            return False
        if fn & 1 or fn == sn:  # 6b
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:  # 6b.iii
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0  # step 7


def perfect_nodes_completed_by(
    leaf_index: int, leaf: bytes, source: SubtreeHashes
) -> list[tuple[int, int, bytes]]:
    """The perfect subtrees of level >= 1 that appending leaf ``leaf_index`` completes.

    ``leaf`` is the new leaf's hash (``leaf_hash(entry)``); ``source`` must already answer
    for the subtrees to its left (it need not know the new leaf). Returns ``(level, index,
    hash)`` rows, lowest level first: leaf 3 completes ``(1, 1)`` and ``(2, 0)``, leaf 4
    completes nothing. Storing these rows with every leaf keeps every perfect subtree on hand.
    """
    if leaf_index < 0:
        raise ValueError(f"negative leaf index {leaf_index}")
    rows: list[tuple[int, int, bytes]] = []
    current = leaf
    index = leaf_index
    level = 0
    while index & 1:  # the subtree just completed at `level` is a right child
        current = node_hash(source.perfect(level, index - 1), current)
        level += 1
        index >>= 1
        rows.append((level, index, current))
    return rows


class InMemoryTree:
    """A :class:`SubtreeHashes` over leaf hashes held in memory, every perfect level cached."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        leaves = list(leaf_hashes)
        for digest in leaves:
            _check_hash(digest)
        self._levels: list[list[bytes]] = [leaves]
        below = leaves
        while len(below) >= 2:
            above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            self._levels.append(above)
            below = above

    def __len__(self) -> int:
        return len(self._levels[0])

    def append(self, digest: bytes) -> list[tuple[int, int, bytes]]:
        """Append a leaf hash; returns the rows :func:`perfect_nodes_completed_by` gives."""
        _check_hash(digest)
        rows = perfect_nodes_completed_by(len(self), digest, self)
        self._levels[0].append(digest)
        for level, index, value in rows:
            if level == len(self._levels):
                self._levels.append([])
            assert len(self._levels[level]) == index
            self._levels[level].append(value)
        return rows

    def perfect(self, level: int, index: int) -> bytes:
        if level < 0 or index < 0 or level >= len(self._levels):
            raise IndexError(f"no perfect subtree at level {level}, index {index}")
        nodes = self._levels[level]
        if index >= len(nodes):
            raise IndexError(f"no perfect subtree at level {level}, index {index}")
        return nodes[index]

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all of them by default)."""
        return subtree_root(self, 0, len(self) if size is None else size)

    def inclusion_proof(self, leaf_index: int, tree_size: int | None = None) -> list[bytes]:
        return inclusion_proof(self, leaf_index, len(self) if tree_size is None else tree_size)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        return consistency_proof(self, first, len(self) if second is None else second)


def _check_hash(digest: bytes) -> None:
    if not isinstance(digest, bytes) or len(digest) != HASH_SIZE:
        raise ValueError(f"a leaf hash is {HASH_SIZE} bytes")
