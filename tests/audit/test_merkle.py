"""RFC 9162 Merkle tree hashing against published RFC 6962 test vectors, plus properties.

RFC 6962 and RFC 9162 hash identically (SHA-256, 0x00 leaf prefix, 0x01 node prefix), so
the RFC 6962 known answers of the Certificate Transparency implementations apply.
Every hex string below is copied from the file cited beside it, not computed here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palermo.audit.merkle import (
    EMPTY_ROOT,
    InMemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    perfect_nodes_completed_by,
    root_from_leaf_hashes,
    subtree_root,
    verify_consistency,
    verify_inclusion,
)

h = bytes.fromhex

# --- Published vectors ------------------------------------------------------------------

# transparency-dev/merkle, testonly/constants.go: LeafInputs() (the same eight inputs as
# google/certificate-transparency cpp/merkletree/merkle_tree_test.cc kInputs).
LEAF_INPUTS = [
    h(""),
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]

# transparency-dev/merkle, testonly/constants.go: NodeHashes(), every perfect subtree of the
# tree over LEAF_INPUTS, indexed [level][index]; level 0 holds the leaf hashes.
NH = [
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [
        h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
    ],
]

# transparency-dev/merkle, testonly/constants.go: RootHashes() and EmptyRootHash(), indexed
# by tree size (also kSHA256Roots and kSHA256EmptyTreeHash in google/certificate-transparency
# cpp/merkletree/merkle_tree_test.cc, and test_vector_hashes in python/ct/crypto/merkle_test.py).
ROOTS = [
    h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

# transparency-dev/merkle, proof/verify_test.go: inclusionProofs (the same as kSHA256Paths in
# google/certificate-transparency cpp/merkletree/merkle_tree_test.cc). The source numbers
# leaves from 1; the index here is the source's minus one. (leaf index, tree size, proof)
INCLUSION_VECTORS: list[tuple[int, int, list[bytes]]] = [
    (0, 1, []),
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]

# transparency-dev/merkle, proof/verify_test.go: consistencyProofs (the first four are also
# kSHA256Proofs in google/certificate-transparency cpp/merkletree/merkle_tree_test.cc and
# sha256_proofs in python/ct/crypto/merkle_test.py). (first, second, proof)
CONSISTENCY_VECTORS: list[tuple[int, int, list[bytes]]] = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]

# transparency-dev/merkle, proof/verify_test.go: sha256SomeHash, an arbitrary wrong hash.
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")

# google/certificate-transparency, python/ct/crypto/merkle_test.py: TreeHasherTest
# sha256_leaves (input, leaf hash) and sha256_nodes (left, right, node hash).
HASHER_LEAVES = [
    ("", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    (
        "101112131415161718191a1b1c1d1e1f",
        "3bfb960453ebaebf33727da7a1f4db38acc051d381b6da20d6d4e88f0eabfd7a",
    ),
]
HASHER_NODES = [
    (
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
        "1a378704c17da31e2d05b6d121c2bb2c7d76f6ee6fa8f983e596c2d034963c57",
    ),
]

# google/certificate-transparency, python/ct/crypto/merkle_test.py: MerkleVerifierTest, an
# audit path taken from a real CT log (leaf 848049 of a tree of 3630887 entries).
CT_LOG_LEAF_HASH = h("7a395c866d5ecdb0cccb623e011dbc392cd348d1d1d72776174e127a24b09c78")
CT_LOG_LEAF_INDEX = 848049
CT_LOG_TREE_SIZE = 3630887
CT_LOG_ROOT = h("78316a05c9bcf14a3a4548f5b854a9adfcd46a4c034401b3ce7eb7ac2f1d0ecb")
CT_LOG_AUDIT_PATH = [
    h("1a208aeebcd1b39fe2de247ee8db9454e1e93a312d206b87f6ca9cc6ec6f1ddd"),
    h("0a1b78b383f580856f433c01a5741e160d451c185910027f6cc9f828687a40c4"),
    h("3d1745789bc63f2da15850de1c12a5bf46ed81e1cc90f086148b1662e79aab3d"),
    h("9095b61e14d8990acf390905621e62b1714fb8e399fbb71de5510e0aef45affe"),
    h("0a332b91b8fab564e6afd1dd452449e04619b18accc0ff9aa8393cd4928451f2"),
    h("2336f0181d264aed6d8f3a6507ca14a8d3b3c3a23791ac263e845d208c1ee330"),
    h("b4ce56e300590500360c146c6452edbede25d4ed83919278749ee5dbe178e048"),
    h("933f6ddc848ea562e4f9c5cfb5f176941301dad0c6fdb9d1fbbe34fac1be6966"),
    h("b95a6222958a86f74c030be27c44f57dbe313e5e7c7f4ffb98bcbd3a03bb52f2"),
    h("daeeb3ce5923defd0faeb8e0c210b753b85b809445d7d3d3cd537a9aabaa9c45"),
    h("7fadd0a13e9138a2aa6c3fdec4e2275af233b94812784f66bcca9aa8e989f2bc"),
    h("1864e6ba3e32878610546539734fb5eeae2529991f130c575c73a7e25a2a7c56"),
    h("12842d1202b1dc6828a17ab253c02e7ce9409b5192430feba44189f39cc02d66"),
    h("29af64b16fa3053c13d02ac63aa75b23aa468506e44c3a2315edc85d2dc22b11"),
    h("b527b99934a0bd9edd154e449b0502e2c499bba783f3bc3dfe23364b6b532009"),
    h("4584db8ae8e351ace08e01f306378a92bfd43611714814f3d834a2842d69faa8"),
    h("86a9a41573b0d6e4292f01e93243d6cc65b30f06606fc6fa57390e7e90ed580f"),
    h("a88b98fbe84d4c6aae8db9d1605dfac059d9f03fe0fcb0d5dff1295dacba09e6"),
    h("06326dc617a6d1f7021dc536026dbfd5fffc6f7c5531d48ef6ccd1ed1569f2a1"),
    h("f41fe8fdc3a2e4e8345e30216e7ebecffee26ff266eeced208a6c2a3cf08f960"),
    h("40cf5bde8abb76983f3e98ba97aa36240402975674e120f234b3448911090f8d"),
    h("b3222dc8658538079883d980d7fdc2bef9285344ea34338968f736b04aeb387a"),
]

# transparency-dev/merkle, proof/proof_test.go: TestInclusion and TestConsistency give proofs
# as node IDs (level, index) in the tree of testonly/constants.go, which NH above resolves.
# Where the source marks rehash(...) (node "l = hash(i, j)", the right subtree of the 7-leaf
# tree), the two listed nodes are combined with node_hash as that marker prescribes.
L7 = node_hash(NH[1][2], NH[0][6])

STRUCTURED_INCLUSION: list[tuple[int, int, list[bytes]]] = [  # (tree size, index, proof)
    (1, 0, []),
    (2, 0, [NH[0][1]]),
    (2, 1, [NH[0][0]]),
    (3, 1, [NH[0][0], NH[0][2]]),
    (7, 0, [NH[0][1], NH[1][1], L7]),
    (7, 1, [NH[0][0], NH[1][1], L7]),
    (7, 2, [NH[0][3], NH[1][0], L7]),
    (7, 3, [NH[0][2], NH[1][0], L7]),
    (7, 4, [NH[0][5], NH[0][6], NH[2][0]]),
    (7, 5, [NH[0][4], NH[0][6], NH[2][0]]),
    (7, 6, [NH[1][2], NH[2][0]]),
    (4, 2, [NH[0][3], NH[1][0]]),
    (5, 3, [NH[0][2], NH[1][0], NH[0][4]]),
    (6, 3, [NH[0][2], NH[1][0], NH[1][2]]),
    (6, 4, [NH[0][5], NH[2][0]]),
]
STRUCTURED_INCLUSION_ERRORS = [(0, 0), (0, 1), (1, 2), (0, 3), (7, 8)]  # (tree size, index)

STRUCTURED_CONSISTENCY: list[tuple[int, int, list[bytes]]] = [  # (size1, size2, proof)
    (1, 2, [NH[0][1]]),
    (1, 4, [NH[0][1], NH[1][1]]),
    (1, 6, [NH[0][1], NH[1][1], NH[1][2]]),
    (2, 3, [NH[0][2]]),
    (2, 8, [NH[1][1], NH[2][1]]),
    (3, 7, [NH[0][2], NH[0][3], NH[1][0], L7]),
    (4, 7, [L7]),
    (5, 7, [NH[0][4], NH[0][5], NH[0][6], NH[2][0]]),
    (6, 7, [NH[1][2], NH[0][6], NH[2][0]]),
    (7, 8, [NH[0][6], NH[0][7], NH[1][2], NH[2][0]]),
    (1, 1, []),
    (2, 2, []),
    (3, 3, []),
    (4, 4, []),
    (5, 5, []),
    (7, 7, []),
    (8, 8, []),
    (2, 4, [NH[1][1]]),
    (3, 5, [NH[0][2], NH[0][3], NH[1][0], NH[0][4]]),
    (3, 6, [NH[0][2], NH[0][3], NH[1][0], NH[1][2]]),
    (4, 6, [NH[1][2]]),
    (1, 7, [NH[0][1], NH[1][1], L7]),
]
STRUCTURED_CONSISTENCY_ERRORS = [(5, 0), (9, 8)]  # (size1, size2)


# --- Helpers ----------------------------------------------------------------------------


def reference_mth(hashes: Sequence[bytes]) -> bytes:
    """MTH straight from the RFC's recursive definition, for cross-checking."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(reference_mth(hashes[:k]), reference_mth(hashes[k:]))


def published_tree() -> InMemoryTree:
    return InMemoryTree(leaf_hash(entry) for entry in LEAF_INPUTS)


def leaves_for(count: int, seed: bytes = b"") -> list[bytes]:
    return [leaf_hash(seed + i.to_bytes(4, "big")) for i in range(count)]


def flipped(value: bytes, position: int, bit: int = 1) -> bytes:
    position %= len(value)
    return value[:position] + bytes([value[position] ^ bit]) + value[position + 1 :]


class StoredRows:
    """A SubtreeHashes the way a database would hold it: leaves plus completed-node rows."""

    def __init__(self) -> None:
        self.rows: dict[tuple[int, int], bytes] = {}
        self.size = 0

    def perfect(self, level: int, index: int) -> bytes:
        return self.rows[level, index]

    def append(self, digest: bytes) -> list[tuple[int, int, bytes]]:
        completed = perfect_nodes_completed_by(self.size, digest, self)
        self.rows[0, self.size] = digest
        for level, index, value in completed:
            self.rows[level, index] = value
        self.size += 1
        return completed


class CountingSource:
    """Synthetic perfect-subtree hashes for huge trees, counting lookups."""

    def __init__(self) -> None:
        self.lookups = 0

    def perfect(self, level: int, index: int) -> bytes:
        self.lookups += 1
        return hashlib.sha256(f"{level}/{index}".encode()).digest()


# --- Hashing ----------------------------------------------------------------------------


def test_empty_root_is_the_hash_of_the_empty_string() -> None:
    assert ROOTS[0] == EMPTY_ROOT
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert InMemoryTree().root() == EMPTY_ROOT


@pytest.mark.parametrize(("entry", "expected"), HASHER_LEAVES)
def test_leaf_hash_vectors(entry: str, expected: str) -> None:
    assert leaf_hash(h(entry)).hex() == expected


@pytest.mark.parametrize(("left", "right", "expected"), HASHER_NODES)
def test_node_hash_vectors(left: str, right: str, expected: str) -> None:
    assert node_hash(h(left), h(right)).hex() == expected


def test_leaf_hashes_of_the_published_inputs() -> None:
    assert [leaf_hash(entry) for entry in LEAF_INPUTS] == NH[0]


@pytest.mark.parametrize("size", range(9))
def test_published_roots(size: int) -> None:
    hashes = [leaf_hash(entry) for entry in LEAF_INPUTS[:size]]
    assert root_from_leaf_hashes(hashes) == ROOTS[size]
    assert InMemoryTree(hashes).root() == ROOTS[size]
    assert published_tree().root(size) == ROOTS[size]
    assert subtree_root(published_tree(), 0, size) == ROOTS[size]


def test_in_memory_tree_holds_exactly_the_published_perfect_subtrees() -> None:
    tree = published_tree()
    for level, nodes in enumerate(NH):
        for index, expected in enumerate(nodes):
            assert tree.perfect(level, index) == expected
        with pytest.raises(IndexError):
            tree.perfect(level, len(nodes))
    with pytest.raises(IndexError):
        tree.perfect(len(NH), 0)


def test_in_memory_tree_rejects_hashes_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        InMemoryTree([b"short"])
    with pytest.raises(ValueError, match="32 bytes"):
        InMemoryTree().append(b"short")


# --- Published proofs -------------------------------------------------------------------


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_inclusion_proof_vectors(index: int, size: int, proof: list[bytes]) -> None:
    assert inclusion_proof(published_tree(), index, size) == proof
    assert verify_inclusion(NH[0][index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize(("size", "index", "proof"), STRUCTURED_INCLUSION)
def test_inclusion_proof_node_structure(size: int, index: int, proof: list[bytes]) -> None:
    assert inclusion_proof(published_tree(), index, size) == proof
    assert verify_inclusion(NH[0][index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize(("size", "index"), STRUCTURED_INCLUSION_ERRORS)
def test_inclusion_proof_rejects_out_of_range(size: int, index: int) -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_proof(published_tree(), index, size)


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY_VECTORS)
def test_consistency_proof_vectors(first: int, second: int, proof: list[bytes]) -> None:
    assert consistency_proof(published_tree(), first, second) == proof
    assert verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)


@pytest.mark.parametrize(("first", "second", "proof"), STRUCTURED_CONSISTENCY)
def test_consistency_proof_node_structure(first: int, second: int, proof: list[bytes]) -> None:
    assert consistency_proof(published_tree(), first, second) == proof
    assert verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)


@pytest.mark.parametrize(("first", "second"), STRUCTURED_CONSISTENCY_ERRORS)
def test_consistency_proof_rejects_shrinking_trees(first: int, second: int) -> None:
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_proof(published_tree(), first, second)


def test_real_ct_log_audit_path() -> None:
    args = (CT_LOG_LEAF_HASH, CT_LOG_LEAF_INDEX, CT_LOG_TREE_SIZE)
    assert verify_inclusion(*args, CT_LOG_AUDIT_PATH, CT_LOG_ROOT)
    assert not verify_inclusion(*args, CT_LOG_AUDIT_PATH, bytes(32))
    assert not verify_inclusion(*args, CT_LOG_AUDIT_PATH[:-1], CT_LOG_ROOT)
    for i in range(len(CT_LOG_AUDIT_PATH)):
        wrong = list(CT_LOG_AUDIT_PATH)
        wrong[i] = flipped(wrong[i], 0)
        assert not verify_inclusion(*args, wrong, CT_LOG_ROOT)
    # python/ct/crypto/merkle_test.py test_calculate_root_too_short_proof
    too_far = CT_LOG_LEAF_INDEX + 2 ** (len(CT_LOG_AUDIT_PATH) + 1)
    assert not verify_inclusion(
        CT_LOG_LEAF_HASH, too_far, CT_LOG_TREE_SIZE, CT_LOG_AUDIT_PATH, CT_LOG_ROOT
    )


# Probes after transparency-dev/merkle proof/verify_test.go corruptInclusionProof and
# corruptConsistencyProof, applied to the published proofs.


def inclusion_probes(
    index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes
) -> dict[str, tuple[bytes, int, int, list[bytes], bytes]]:
    probes = {
        "index - 1": (leaf, index - 1, size, proof, root),
        "index + 1": (leaf, index + 1, size, proof, root),
        "index ^ 2": (leaf, index ^ 2, size, proof, root),
        "size * 2": (leaf, index, size * 2, proof, root),
        "size // 2": (leaf, index, size // 2, proof, root),
        "wrong leaf": (b"WrongLeaf", index, size, proof, root),
        "wrong leaf hash": (leaf_hash(b"WrongLeaf"), index, size, proof, root),
        "empty root": (leaf, index, size, proof, EMPTY_ROOT),
        "random root": (leaf, index, size, proof, SOME_HASH),
        "trailing garbage": (leaf, index, size, [*proof, b""], root),
        "trailing root": (leaf, index, size, [*proof, root], root),
        "preceding garbage": (leaf, index, size, [b"", *proof], root),
        "preceding root": (leaf, index, size, [root, *proof], root),
    }
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = flipped(wrong[i], 0, 8)
        probes[f"modified proof[{i}] bit 3"] = (leaf, index, size, wrong, root)
    if proof:
        probes["removed component"] = (leaf, index, size, proof[:-1], root)
    if len(proof) > 1:
        inserted = [proof[0], SOME_HASH, *proof[1:]]
        probes["inserted component"] = (leaf, index, size, inserted, root)
    return probes


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS[1:])
def test_corrupted_published_inclusion_proofs_fail(
    index: int, size: int, proof: list[bytes]
) -> None:
    probes = inclusion_probes(index, size, proof, ROOTS[size], NH[0][index])
    accepted = [name for name, args in probes.items() if verify_inclusion(*args)]
    assert accepted == []


def test_degenerate_inclusion_claims_fail() -> None:
    # transparency-dev/merkle proof/verify_test.go TestVerifyInclusion
    for index, size in [(0, 0), (0, 1), (1, 0), (2, 1)]:
        assert not verify_inclusion(SOME_HASH, index, size, [], b"")
        assert not verify_inclusion(b"", index, size, [], EMPTY_ROOT)
        assert not verify_inclusion(SOME_HASH, index, size, [], EMPTY_ROOT)
    # TestVerifyInclusionSingleEntry: in a one-leaf tree the root is the leaf hash.
    data = leaf_hash(b"data")
    assert verify_inclusion(data, 0, 1, [], data)
    assert not verify_inclusion(data, 0, 1, [], b"")
    assert not verify_inclusion(b"", 0, 1, [], data)
    assert not verify_inclusion(b"", 0, 1, [], b"")
    assert not verify_inclusion(data, -1, 1, [], data)


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY_VECTORS[1:])
def test_corrupted_published_consistency_proofs_fail(
    first: int, second: int, proof: list[bytes]
) -> None:
    root1, root2 = ROOTS[first], ROOTS[second]
    probes: dict[str, tuple[int, int, bytes, bytes, list[bytes]]] = {
        "first - 1": (first - 1, second, root1, root2, proof),
        "first + 1": (first + 1, second, root1, root2, proof),
        "first ^ 2": (first ^ 2, second, root1, root2, proof),
        "second * 2": (first, second * 2, root1, root2, proof),
        "second // 2": (first, second // 2, root1, root2, proof),
        "wrong root1": (first, second, b"WrongRoot", root2, proof),
        "wrong root2": (first, second, root1, b"WrongRoot", proof),
        "swapped roots": (first, second, root2, root1, proof),
        "empty proof": (first, second, root1, root2, []),
        "trailing garbage": (first, second, root1, root2, [*proof, b""]),
        "trailing root1": (first, second, root1, root2, [*proof, root1]),
        "trailing root2": (first, second, root1, root2, [*proof, root2]),
        "preceding garbage": (first, second, root1, root2, [b"", *proof]),
        "preceding root1": (first, second, root1, root2, [root1, *proof]),
        "preceding root2": (first, second, root1, root2, [root2, *proof]),
        "preceding proof[0]": (first, second, root1, root2, [proof[0], *proof]),
        "truncated proof": (first, second, root1, root2, proof[:-1]),
    }
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = flipped(wrong[i], 0, 16)
        probes[f"modified proof[{i}] bit 4"] = (first, second, root1, root2, wrong)
    accepted = [name for name, args in probes.items() if verify_consistency(*args)]
    assert accepted == []


def test_degenerate_consistency_claims() -> None:
    # transparency-dev/merkle proof/verify_test.go TestVerifyConsistency, with two deliberate
    # differences: roots must be 32-byte hashes, and the empty tree's root must be EMPTY_ROOT.
    root1, root2 = SOME_HASH, ROOTS[1]
    assert not verify_consistency(0, 0, root1, root2, [])
    assert not verify_consistency(1, 1, root1, root2, [])
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 1, EMPTY_ROOT, root2, [])
    assert verify_consistency(1, 1, root2, root2, [])
    assert not verify_consistency(0, 1, root1, root2, [])  # size 0 must have the empty root
    assert not verify_consistency(0, 0, b"don't care", b"don't care", [])
    # Time travel to the past.
    assert not verify_consistency(1, 0, root1, root2, [])
    assert not verify_consistency(2, 1, root1, root2, [])
    assert not verify_consistency(-1, 1, EMPTY_ROOT, root2, [])
    # Empty proof.
    assert not verify_consistency(1, 2, root1, root2, [])
    # Roots don't match.
    assert not verify_consistency(0, 0, EMPTY_ROOT, root2, [])
    assert not verify_consistency(1, 1, EMPTY_ROOT, root2, [])
    # Roots match but the proof is not empty.
    for first, second in [(0, 0), (0, 1), (1, 1)]:
        assert not verify_consistency(first, second, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])


# --- Perfect subtrees -------------------------------------------------------------------


def test_perfect_nodes_completed_by_the_published_leaves() -> None:
    expected: dict[int, list[tuple[int, int, bytes]]] = {
        0: [],
        1: [(1, 0, NH[1][0])],
        2: [],
        3: [(1, 1, NH[1][1]), (2, 0, NH[2][0])],
        4: [],
        5: [(1, 2, NH[1][2])],
        6: [],
        7: [(1, 3, NH[1][3]), (2, 1, NH[2][1]), (3, 0, NH[3][0])],
    }
    tree = published_tree()
    stored = StoredRows()
    for index, entry in enumerate(LEAF_INPUTS):
        assert perfect_nodes_completed_by(index, leaf_hash(entry), tree) == expected[index]
        assert stored.append(leaf_hash(entry)) == expected[index]


def test_in_memory_tree_append_matches_bulk_construction() -> None:
    grown = InMemoryTree()
    for digest in NH[0]:
        grown.append(digest)
    for level, nodes in enumerate(NH):
        assert [grown.perfect(level, i) for i in range(len(nodes))] == nodes
    assert grown.root() == ROOTS[8]


def test_subtree_root_rejects_unaligned_and_invalid_ranges() -> None:
    tree = published_tree()
    assert subtree_root(tree, 4, 4) == EMPTY_ROOT
    assert subtree_root(tree, 4, 7) == L7
    assert subtree_root(tree, 2, 4) == NH[1][1]
    for start, end in [(1, 3), (2, 6), (3, 5), (4, 3), (-1, 2)]:
        with pytest.raises(ValueError, match="range"):
            subtree_root(tree, start, end)
    with pytest.raises(IndexError):
        subtree_root(tree, 0, 9)


@pytest.mark.parametrize("size", range(1, 34))
def test_subtree_root_matches_reference_for_every_aligned_range(size: int) -> None:
    hashes = leaves_for(size)
    tree = InMemoryTree(hashes)
    for start in range(size):
        for end in range(start, size + 1):
            span = end - start
            aligned = span == 0 or start % (1 << (span.bit_length() - 1)) == 0
            if aligned:
                assert subtree_root(tree, start, end) == reference_mth(hashes[start:end])
            else:
                with pytest.raises(ValueError, match="does not start on a multiple"):
                    subtree_root(tree, start, end)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 1000, 2**20 - 1, 2**20, 10**12 + 39])
def test_proofs_need_only_a_polylogarithmic_number_of_lookups(size: int) -> None:
    bound = size.bit_length() ** 2 + 1
    for index in {0, size // 3, size // 2, size - 1}:
        source = CountingSource()
        inclusion_proof(source, index, size)
        assert source.lookups <= bound
    for first in {1, size // 3, size // 2, size - 1} - {0}:
        source = CountingSource()
        consistency_proof(source, first, size)
        assert source.lookups <= bound


def test_root_of_a_large_tree_without_recursion() -> None:
    hashes = leaves_for(2**17 + 3)
    assert root_from_leaf_hashes(hashes) == InMemoryTree(hashes).root()
    assert root_from_leaf_hashes(iter(hashes)) == root_from_leaf_hashes(hashes)


# --- Properties -------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=300)
seeds = st.binary(max_size=8)


@settings(max_examples=60, deadline=None)
@given(size=sizes, seed=seeds)
def test_roots_match_the_reference_definition(size: int, seed: bytes) -> None:
    hashes = leaves_for(size, seed)
    expected = reference_mth(hashes)
    assert root_from_leaf_hashes(hashes) == expected
    assert InMemoryTree(hashes).root() == expected


@settings(max_examples=40, deadline=None)
@given(size=sizes, seed=seeds, data=st.data())
def test_subtree_root_matches_reference(size: int, seed: bytes, data: st.DataObject) -> None:
    hashes = leaves_for(size, seed)
    tree = InMemoryTree(hashes)
    for _ in range(20):
        level = data.draw(st.integers(0, size.bit_length() - 1))
        block = 1 << level
        start = block * data.draw(st.integers(0, (size - 1) // block))
        end = data.draw(st.integers(start, min(size, start + 2 * block - 1)))
        assert subtree_root(tree, start, end) == reference_mth(hashes[start:end])


@settings(max_examples=25, deadline=None)
@given(size=sizes, seed=seeds, position=st.integers(0, 31), bit=st.sampled_from([1, 8, 128]))
def test_every_inclusion_proof_verifies_and_tampering_fails(
    size: int, seed: bytes, position: int, bit: int
) -> None:
    hashes = leaves_for(2 * size + 1, seed)
    tree = InMemoryTree(hashes)
    root = tree.root(size)
    for index in range(size):
        leaf = hashes[index]
        proof = inclusion_proof(tree, index, size)
        assert verify_inclusion(leaf, index, size, proof, root)
        assert not verify_inclusion(flipped(leaf, position, bit), index, size, proof, root)
        assert not verify_inclusion(leaf, index, size, proof, flipped(root, position, bit))
        for i in range(len(proof)):
            wrong = list(proof)
            wrong[i] = flipped(wrong[i], position, bit)
            assert not verify_inclusion(leaf, index, size, wrong, root)
        for other in {index - 1, index + 1, index ^ 1, index ^ 2, size, -1} - {index}:
            assert not verify_inclusion(leaf, other, size, proof, root)
        # A proof for one size is no proof for another, checked against that size's root.
        for other_size in {size - 1, size + 1, 2 * size, index} - {size, 0}:
            other_root = tree.root(other_size)
            assert not verify_inclusion(leaf, index, other_size, proof, other_root)
        assert not verify_inclusion(leaf, index, size, [*proof, proof[-1] if proof else root], root)
        assert not verify_inclusion(leaf, index, size, [root, *proof], root)
        if proof:
            assert not verify_inclusion(leaf, index, size, proof[:-1], root)


@settings(max_examples=25, deadline=None)
@given(size=sizes, seed=seeds, position=st.integers(0, 31), bit=st.sampled_from([1, 8, 128]))
def test_every_consistency_proof_verifies_and_tampering_fails(
    size: int, seed: bytes, position: int, bit: int
) -> None:
    hashes = leaves_for(size + 1, seed)
    tree = InMemoryTree(hashes)
    roots = [tree.root(n) for n in range(size + 2)]
    second, root2 = size, roots[size]
    for first in range(second + 1):
        root1 = roots[first]
        proof = consistency_proof(tree, first, second)
        assert verify_consistency(first, second, root1, root2, proof)
        assert not verify_consistency(first, second, flipped(root1, position, bit), root2, proof)
        if first > 0:  # the empty tree is a prefix of every tree, whatever its root
            tampered = flipped(root2, position, bit)
            assert not verify_consistency(first, second, root1, tampered, proof)
        for i in range(len(proof)):
            wrong = list(proof)
            wrong[i] = flipped(wrong[i], position, bit)
            assert not verify_consistency(first, second, root1, root2, wrong)
        if not proof:  # 0 == first or first == second: nothing to prove, nothing to tamper
            continue
        # Other sizes, each with its genuine root, are not proven by this proof.
        for other in {first - 1, first + 1, first ^ 2} - {first}:
            if 0 <= other <= second + 1:
                assert not verify_consistency(other, second, roots[other], root2, proof)
        assert not verify_consistency(first, second + 1, root1, roots[second + 1], proof)
        assert not verify_consistency(first, second, root1, root2, [])
        assert not verify_consistency(first, second, root1, root2, [*proof, root2])
        assert not verify_consistency(first, second, root1, root2, [proof[0], *proof])
        assert not verify_consistency(first, second, root1, root2, proof[:-1])
        assert not verify_consistency(first, second, root2, root1, proof)


@settings(max_examples=30, deadline=None)
@given(size=sizes, seed=seeds)
def test_perfect_nodes_completed_by_yields_exactly_the_perfect_subtrees(
    size: int, seed: bytes
) -> None:
    hashes = leaves_for(size, seed)
    stored = StoredRows()
    for index, digest in enumerate(hashes):
        rows = stored.append(digest)
        expected = [
            (level, (index + 1 >> level) - 1)
            for level in range(1, (index + 1).bit_length())
            if (index + 1) % (1 << level) == 0
        ]
        assert [(level, i) for level, i, _ in rows] == expected
    perfect = {
        (level, i): reference_mth(hashes[i << level : (i + 1) << level])
        for level in range(size.bit_length())
        for i in range(size >> level)
    }
    assert stored.rows == perfect
    # Proofs from the stored rows alone equal those from the full in-memory tree.
    tree = InMemoryTree(hashes)
    for index in range(0, size, max(1, size // 17)):
        assert inclusion_proof(stored, index, size) == inclusion_proof(tree, index, size)
        assert consistency_proof(stored, index + 1, size) == consistency_proof(
            tree, index + 1, size
        )
