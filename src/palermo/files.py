"""Files named on a command line, read whole only within the size the node accepts of the
same content over its API: an oversized file is refused before it is read into memory."""

from __future__ import annotations

from pathlib import Path

from palermo.errors import Invalid
from palermo.translatable import N_


def read_file(path: Path, *, limit: int, what: str) -> bytes:
    """The bytes of `path` (`what` names it in errors: "the report", "attachment"), refused
    when larger than `limit` bytes."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise _too_large(path, size, limit, what)
        with path.open("rb") as handle:
            # At most one byte past the limit: the file may have grown since its size was read.
            data = handle.read(limit + 1)
    except OSError as error:
        raise Invalid(
            N_("%(what)s %(path)s: cannot read the file (%(reason)s)"),
            what=what,
            path=path,
            reason=error.strerror,
        ) from None
    if len(data) > limit:
        raise _too_large(path, len(data), limit, what)
    return data


def _too_large(path: Path, size: int, limit: int, what: str) -> Invalid:
    return Invalid(f"{what} {path} is {size} bytes, more than the {limit} accepted")
