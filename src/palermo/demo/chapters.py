"""The demo world's chapters, in the order they are built."""

from __future__ import annotations

from palermo.demo import (
    assets,
    cases,
    directory,
    exchange,
    finintel,
    groups,
    judicial,
    linkage,
    network,
    notices,
    oversight,
    watchlists,
)
from palermo.demo.builder import Chapter

CHAPTERS: list[tuple[str, Chapter]] = [
    ("agencies and staff", directory.populate),
    ("criminal groups", groups.populate),
    ("watch lists", watchlists.populate),
    ("secure messages", exchange.populate),
    ("notices and diffusions", notices.populate),
    ("entity resolution", linkage.populate),
    ("network analysis", network.populate),
    ("financial intelligence", finintel.populate),
    ("asset recovery", assets.populate),
    ("cases and joint investigations", cases.populate),
    ("judicial cooperation", judicial.populate),
    ("administration and oversight", oversight.populate),
]
