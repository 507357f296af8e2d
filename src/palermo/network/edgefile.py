"""Edge files: CSV with a header `source,target[,weight][,time]`, one edge per line.

- `weight` is a tie strength (a positive number; 1 when absent); `time` an ISO 8601 date or
  date-time (UTC when no zone is given; kept to the second).
- Self-loops are read and left out of the analysis (counted in the report); repeated pairs
  are merged by the chosen `Duplicates` rule.
- Anything else is refused naming the line and the value: unknown or missing columns, an
  empty node id, a weight that is not a positive number, a time that is not a date, a file
  without edges.

Parsed with Arrow (multi-threaded C++); on a conversion failure the file is read again in
Python only to name the first bad line.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from palermo.errors import Invalid
from palermo.network.graph import Network, edges_of, time_text, timestamp
from palermo.translatable import N_

REQUIRED = ("source", "target")
OPTIONAL = ("weight", "time")
HEADER = "source,target[,weight][,time]"


def read(path: Path) -> Network:
    columns = _header(path)
    types = {
        "source": pa.string(),
        "target": pa.string(),
        "weight": pa.float64(),
        "time": pa.string(),
    }
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={c: types[c] for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        _name_bad_line(path, columns)
        raise Invalid(N_("%(name)s: %(error)s"), name=path.name, error=error) from None
    return _network(path, table, columns)


def _header(path: Path) -> list[str]:
    if not path.is_file():
        raise Invalid(N_("%(path)s: no such edge file"), path=path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise Invalid(
            N_("%(name)s: empty file; expected a header %(header)s"), name=path.name, header=HEADER
        )
    columns = [c.strip().lower() for c in header]
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise Invalid(
            N_("%(name)s: unknown column(s) %(columns)s; the header must be %(header)s"),
            name=path.name,
            columns=", ".join(map(repr, unknown)),
            header=HEADER,
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise Invalid(
            N_("%(name)s: missing column(s) %(missing)s; expected %(header)s"),
            name=path.name,
            missing=", ".join(missing),
            header=HEADER,
        )
    if len(set(columns)) != len(columns):
        raise Invalid(N_("%(name)s: a column is named twice in the header"), name=path.name)
    return columns


def _data_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each data row, blank lines skipped as Arrow skips them."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            if row:
                yield reader.line_num, row


def _line(path: Path, row: int) -> int:
    """The file line of Arrow's row `row` (only read when naming a bad line)."""
    for index, (number, _) in enumerate(_data_rows(path)):
        if index == row:
            return number
    return row + 2


def _name_bad_line(path: Path, columns: list[str]) -> None:
    """Raise for the first line Arrow could not convert, in the user's terms."""
    for number, row in _data_rows(path):
        if len(row) != len(columns):
            raise Invalid(
                N_("%(name)s line %(number)s: %(count)s fields, the header has %(expected)s"),
                name=path.name,
                number=number,
                count=len(row),
                expected=len(columns),
            )
        weight = dict(zip(columns, row, strict=True)).get("weight", "").strip()
        if weight:
            try:
                float(weight)
            except ValueError:
                raise Invalid(
                    N_("%(name)s line %(number)s: weight %(weight)s is not a number"),
                    name=path.name,
                    number=number,
                    weight=repr(weight),
                ) from None


def _network(path: Path, table: pa.Table, columns: list[str]) -> Network:
    if table.num_rows == 0:
        raise Invalid(
            N_("%(name)s: no edges (the file has a header and nothing else)"), name=path.name
        )
    source, target = table["source"], table["target"]
    for name, ids in (("source", source), ("target", target)):
        empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(ids)), 0)
        if pc.any(empty).as_py():
            line = _line(path, int(pc.index(empty, True).as_py()))
            raise Invalid(
                N_("%(name)s line %(line)s: empty %(end)s node id"),
                name=path.name,
                line=line,
                end=name,
            )
    weight = None
    if "weight" in columns:
        weight = table["weight"].to_numpy()
        bad = np.flatnonzero(~(weight > 0) | ~np.isfinite(weight))
        if len(bad):
            line, value = _line(path, int(bad[0])), weight[bad[0]]
            shown = "empty" if math.isnan(value) else repr(float(value))
            raise Invalid(
                N_(
                    "%(name)s line %(line)s: weight %(shown)s is not a positive number (weights "
                    "are tie strengths)"
                ),
                name=path.name,
                line=line,
                shown=shown,
            )
    time = _times(path, table["time"]) if "time" in columns else None
    # One dictionary for both columns: a node id gets one position whichever side it is on.
    encoded = pc.dictionary_encode(
        pa.chunked_array(source.chunks + target.chunks, type=pa.string())
    ).combine_chunks()
    positions = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    half = table.num_rows
    return Network(
        ids=encoded.dictionary.to_pylist(),
        edges=edges_of(positions[:half], positions[half:], weight=weight, time=time),
    )


def _times(path: Path, column: pa.ChunkedArray) -> np.ndarray:
    blank = pc.equal(pc.utf8_trim_whitespace(column), "")
    try:
        # Arrow parses ISO 8601 dates and date-times (with a zone or naive = UTC) in C++.
        parsed = pc.cast(pc.if_else(blank, None, column), pa.timestamp("s", tz="UTC"))
        seconds: np.ndarray = parsed.cast(pa.int64()).to_numpy(zero_copy_only=False)
        return seconds.astype(np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass  # name the first bad line below
    texts = column.to_pylist()
    times = np.full(len(texts), np.nan)
    for row, text in enumerate(texts):
        if not text.strip():
            continue
        try:
            times[row] = timestamp(text)
        except ValueError:
            raise Invalid(
                N_("%(name)s line %(line)s: time %(text)s is not an ISO 8601 date or date-time"),
                name=path.name,
                line=_line(path, row),
                text=repr(text),
            ) from None
    return times


def write(network: Network, path: Path) -> None:
    """The network's edges in the same format (what `palermo network disrupt` reads)."""
    edges = network.edges
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "target", "weight", "time"])
        for i in range(len(edges)):
            writer.writerow(
                [
                    network.ids[edges.source[i]],
                    network.ids[edges.target[i]],
                    f"{edges.weight[i]:g}",
                    time_text(edges.time[i]) or "",
                ]
            )
