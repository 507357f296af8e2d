"""Full garbage collections of every Python process started with this directory on
PYTHONPATH, one line each in $GC_PAUSES_DIR/PID.txt (default: TMPDIR/gc-pauses): when,
how long, what was collected, and the command. GC_PAUSES_NO_FREEZE=1 makes `gc.freeze()`
do nothing, as before the serving processes froze their start (docs/benchmarks.md,
"Exchange", session 19).

    PYTHONPATH=bench/gc_pauses GC_PAUSES_DIR=/tmp/gc-pauses \
        .venv/bin/python bench/exchange.py messages --rate 100 --seconds 20 --repeat 1
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if os.environ.get("GC_PAUSES_NO_FREEZE"):
    gc.freeze = lambda: None

_LOG = Path(os.environ.get("GC_PAUSES_DIR", tempfile.gettempdir() + "/gc-pauses"))
_LOG = _LOG / f"{os.getpid()}.txt"
_started: list[float] = []


def _timed(phase: str, info: dict[str, Any]) -> None:
    if info.get("generation") != 2:  # the oldest generation: a full collection
        return
    if phase == "start":
        _started[:] = [time.perf_counter()]
        return
    took = (time.perf_counter() - _started[0]) * 1000 if _started else float("nan")
    _LOG.parent.mkdir(parents=True, exist_ok=True)
    with _LOG.open("a") as log:
        command = " ".join(sys.argv[:4])
        log.write(f"{time.time():.1f} {took:.1f} ms {info.get('collected')} {command}\n")


gc.callbacks.append(_timed)
