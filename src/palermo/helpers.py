"""A helper process for work that runs beside a request's own (checking a large import,
rehashing half of the audit log), and the watch that ends a spawned process with its parent
(also the worker processes of `palermo serve --workers N`).

Spawned, never forked: the parent holds database connections and threads. And it ends with
its parent, however the parent ends: a `ProcessPoolExecutor` worker holds both ends of its
own task queue, so when its parent is killed (SIGKILL, the OOM killer) it never reads an end
of file and would wait forever, keeping its memory (~400 MB after importing Palermo).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PARENT_CHECK_SECONDS = 1.0


def helper_process() -> ProcessPoolExecutor:
    """A pool of one spawned process that exits once its parent is gone."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=end_with_parent,
        initargs=(os.getpid(),),
    )


def end_with_parent(parent: int, *, grace: float | None = None) -> None:
    """Exit once `parent` is gone. With a `grace`, first ask this process to stop (SIGTERM:
    a server finishes the requests it has) and exit only if it has not within that time."""

    def watch() -> None:
        while os.getppid() == parent:  # an orphan is handed to another parent
            time.sleep(PARENT_CHECK_SECONDS)
        if grace is not None:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(grace)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
