"""Hypothesis strategies that damage seed inputs the way the outside world does.

A mutated input is a seed with a few edits: bytes flipped, the file cut short, random bytes
or text inserted, a span dropped or repeated, another seed spliced in, the whole re-encoded
in a wrong encoding, or a token of the format's own (a quote, a DOCTYPE, a huge number)
dropped in where it can break the parser's assumptions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

# Tokens that break parsers of each kind of input when they land in the wrong place.
TOKENS: dict[str, tuple[bytes, ...]] = {
    "json": (
        b"{",
        b"}",
        b"[",
        b"]",
        b'"',
        b":",
        b",",
        b"null",
        b"true",
        b"[]",
        b"{}",
        b"1e999999",
        b"-0",
        b"NaN",
        b"Infinity",
        b"9" * 5000,
        b'"\\ud800"',
        b'"\\u0000"',
        b"[" * 3000,
        b'{"a":' * 3000,
    ),
    "xml": (
        b"<",
        b">",
        b"</",
        b"/>",
        b"&amp;",
        b"&bogus;",
        b"&#0;",
        b"&#x110000;",
        b"<![CDATA[",
        b"]]>",
        b"<?xml version='1.0' encoding='utf-16'?>",
        b"<?xml version='1.0' encoding='bogus-8'?>",
        b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b"&x;",
        b' xmlns="urn:x"',
        b"<a>" * 3000,
    ),
    "csv": (
        b",",
        b";",
        b"\t",
        b'"',
        b'""',
        b"\r",
        b"\n",
        b"\r\n",
        b"\x00",
        b"\x1a",
        b"-0-",
        b"\xef\xbb\xbf",
        b'"unclosed,',
        b",,,,,,,,,,,,,,,,,,,,",
        b"1e999999",
        b"9" * 5000,
        b"-1",
        b"0",
        b"2024-02-30T25:61:00",
        b"99:99:99",
    ),
    "zip": (
        b"PK\x03\x04",
        b"PK\x01\x02",
        b"PK\x05\x06",
        b"\xff\xff\xff\xff",
        b"\x00\x00\x00\x00",
        b"manifest.json",
        b"../../etc/passwd",
    ),
}
TEXT = st.text(st.characters(codec="utf-8"), max_size=20)
WRONG_ENCODINGS = ("utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252", "shift_jis")


@st.composite
def mutated(draw: st.DrawFn, seeds: Sequence[bytes], kind: str) -> bytes:
    """A seed with one to four edits."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        edit = draw(
            st.sampled_from(
                ("flip", "cut", "bytes", "text", "drop", "repeat", "splice", "token", "encoding")
            )
        )
        if edit == "flip" and data:
            index = min(where, len(data) - 1)
            data[index] ^= 1 << draw(st.integers(0, 7))
        elif edit == "cut":
            del data[where:]
        elif edit == "bytes":
            data[where:where] = draw(st.binary(min_size=1, max_size=16))
        elif edit == "text":
            data[where:where] = draw(TEXT).encode("utf-8", "surrogatepass")
        elif edit == "drop":
            del data[where : where + draw(st.integers(1, 64))]
        elif edit == "repeat":
            span = data[where : where + draw(st.integers(1, 64))]
            data[where:where] = span * draw(st.integers(2, 50))
        elif edit == "splice":
            other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, len(other)))
            data[where:] = other[start:]
        elif edit == "token":
            data[where:where] = draw(st.sampled_from(TOKENS[kind]))
        elif edit == "encoding":
            text = bytes(data).decode("utf-8", "replace")
            data = bytearray(text.encode(draw(st.sampled_from(WRONG_ENCODINGS)), "replace"))
    return bytes(data)


# JSON values as an attacker writes them: any nesting of the types JSON has, any text
# (lone surrogates included: JSON's \u escapes can write them).
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters(exclude_categories=()), max_size=30)
    | st.sampled_from(("\ud800", "a\udc00b", "", " ", "-0-")),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def altered(draw: st.DrawFn, seeds: Sequence[bytes]) -> bytes:
    """A JSON seed (or one line of a JSON lines seed) still JSON, with one to three of its
    values replaced by arbitrary ones: the structure a parser expects, wrong inside."""
    lines = draw(st.sampled_from(seeds)).splitlines() or [b"null"]
    index = draw(st.integers(0, len(lines) - 1))
    try:
        document = json.loads(lines[index])
    except ValueError:
        document = json.loads(b"\n".join(lines))  # a pretty-printed document
        lines, index = [b""], 0
    for _ in range(draw(st.integers(1, 3))):
        document = _replace(draw, document)
    lines[index] = json.dumps(document).encode()
    return b"\n".join(lines)


def _replace(draw: st.DrawFn, value: Any) -> Any:
    """The value with one of its parts (or itself) replaced by an arbitrary JSON value."""
    keys = list(value) if isinstance(value, dict) else []
    keys += range(len(value)) if isinstance(value, list) else []
    if not keys or draw(st.integers(0, 3)) == 0:
        return draw(JSON_VALUES)
    key = draw(st.sampled_from(keys))
    value[key] = _replace(draw, value[key])
    return value
