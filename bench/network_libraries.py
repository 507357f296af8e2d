"""Which Python graph library is fastest for criminal-network analytics on this machine.

    .venv/bin/pip install -e '.[bench]'     # adds networkit and rustworkx
    .venv/bin/python bench/network_libraries.py --sizes small
    .venv/bin/python bench/network_libraries.py --sizes small,large --json out.json

Needs numpy and scipy, plus whichever of igraph, networkit, rustworkx, networkx is installed
(a missing one is reported as n/a). The graphs are seeded, heavy-tailed and clustered: target
degrees follow a power law (configuration-model stub matching) and most edges stay inside
heavy-tailed communities, the shape of co-offending and communication networks.

Each library runs in its own subprocess so that its peak RSS (VmHWM) is its own and a
measurement that overruns --timeout can be killed; the worker is then restarted for the tasks
left. Times are medians of --repeat runs (fewer when a task's runs pass --budget seconds).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import queue
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SIZES: dict[str, tuple[int, int]] = {"small": (10_000, 50_000), "large": (1_000_000, 10_000_000)}
LIBRARIES = ("igraph", "networkit", "rustworkx", "networkx")
TASKS = (
    "load",
    "components",
    "pagerank",
    "communities",
    "betweenness_sampled",
    "betweenness_exact",
)
MARK = "@@BENCH "  # prefixes the worker's result lines; libraries may print to stdout too


# --- synthetic graph -------------------------------------------------------------------------


def community_blocks(n: int, rng: np.random.Generator) -> np.ndarray:
    """Community id per node: contiguous blocks of heavy-tailed size (5..2000 nodes)."""
    sizes = np.minimum((rng.pareto(1.5, size=n // 5 + 1) + 1) * 5, 2000).astype(np.int64)
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, n)) + 1
    return np.repeat(np.arange(count), sizes[:count])[:n]


def sample_pairs(
    count: int,
    stubs: np.ndarray,
    block: np.ndarray,
    mixing: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Stub-matching endpoints; with prob. 1 - mixing the second one is drawn in u's block.

    stubs lists node i deg_i times, sorted, so a block's stubs are one contiguous range and
    every draw is an O(1) gather (searchsorted over weights was 10x slower at 10M edges).
    """
    blocks = np.arange(block[-1] + 1)
    first = np.searchsorted(stubs, np.searchsorted(block, blocks, side="left"), side="left")
    last = np.searchsorted(stubs, np.searchsorted(block, blocks, side="right"), side="left")
    u = stubs[rng.integers(0, len(stubs), count)]
    v = stubs[rng.integers(0, len(stubs), count)]
    b = block[u]
    inside = stubs[first[b] + (rng.random(count) * (last[b] - first[b])).astype(np.int64)]
    return u, np.where(rng.random(count) >= mixing, inside, v)


def synthetic_edges(n: int, m: int, seed: int, gamma: float = 2.5, mixing: float = 0.2):
    """Exactly m distinct undirected edges on n nodes, no self-loops, labels shuffled.

    Target degrees ~ power law with exponent gamma (configuration-model-like); loops and
    duplicates are dropped keeping the first draw, so the result depends only on the arguments.
    """
    rng = np.random.default_rng(seed)
    weights = (1.0 - rng.random(n)) ** (-1.0 / (gamma - 1.0))
    degree = np.maximum(1, np.round(weights * (2 * m / n) / weights.mean())).astype(np.int64)
    stubs = np.repeat(np.arange(n), degree)
    block = community_blocks(n, rng)
    keys = np.empty(0, dtype=np.int64)
    kept = 0.7  # share of draws that survive; re-estimated so that 2-4 rounds suffice
    while len(keys) < m:
        draws = int((m - len(keys)) / kept * 1.05) + 1000
        u, v = sample_pairs(draws, stubs, block, mixing, rng)
        ok = u != v
        lo, hi = np.minimum(u[ok], v[ok]), np.maximum(u[ok], v[ok])
        before = len(keys)
        keys = np.concatenate([keys, lo * n + hi])
        _, first = np.unique(keys, return_index=True)
        keys = keys[np.sort(first)[:m]]  # keep the earliest draws
        kept = max((len(keys) - before) / draws, 0.05)
    # Shuffle labels: ids from a records system carry no community locality.
    relabel = rng.permutation(n)
    return np.stack([relabel[keys // n], relabel[keys % n]], axis=1)


def describe(n: int, edges: np.ndarray) -> dict[str, int]:
    degree = np.bincount(edges.ravel(), minlength=n)
    return {
        "nodes": n,
        "edges": len(edges),
        "max_degree": int(degree.max()),
        "isolated": int((degree == 0).sum()),
    }


# --- library adapters (run inside the worker) -------------------------------------------------


class Unsupported(Exception):
    """The library has no such algorithm: the cell is n/a with this reason."""


def pagerank_tol(n: int) -> float:
    """tol for networkx/rustworkx, which stop once the L1 change < n * tol: aim at 1e-6.

    Their default tol=1e-6 allows an L1 change of 1.0 at 1M nodes; rustworkx 0.18.1 then
    returned the uniform start vector.
    """
    return 1e-6 / n


class Igraph:
    def __init__(self) -> None:
        import igraph

        self.ig = igraph

    def load(self, n: int, edges: np.ndarray) -> Any:
        return self.ig.Graph(n=n, edges=edges, directed=False)

    def components(self, g: Any) -> int:
        return len(g.connected_components())

    def pagerank(self, g: Any) -> float:
        return float(np.max(g.pagerank(damping=0.85)))

    def communities(self, g: Any, seed: int) -> tuple[int, float]:
        self.ig.set_random_number_generator(random.Random(seed))
        parts = g.community_leiden(objective_function="modularity", n_iterations=2)
        return len(parts), float(parts.modularity)

    def betweenness_sampled(self, g: Any, sources: np.ndarray) -> np.ndarray:
        # Betweenness over paths from k sampled sources, scaled by n/k: unbiased estimate.
        values = g.betweenness(sources=sources.tolist(), directed=False)
        return np.asarray(values) * (g.vcount() / len(sources))

    def betweenness_exact(self, g: Any) -> np.ndarray:
        return np.asarray(g.betweenness(directed=False))


class Networkit:
    def __init__(self) -> None:
        import networkit

        self.nk = networkit
        networkit.setNumberOfThreads(os.cpu_count() or 1)
        networkit.setSeed(1, True)

    def load(self, n: int, edges: np.ndarray) -> Any:
        # Contiguous uint64 columns are its fast path; the copies are part of loading.
        rows = np.ascontiguousarray(edges[:, 0], dtype=np.uint64)
        cols = np.ascontiguousarray(edges[:, 1], dtype=np.uint64)
        return self.nk.GraphFromCoo((rows, cols), n=n, directed=False)

    def components(self, g: Any) -> int:
        cc = self.nk.components.ConnectedComponents(g)
        cc.run()
        return int(cc.numberOfComponents())

    def pagerank(self, g: Any) -> float:
        pr = self.nk.centrality.PageRank(g, damp=0.85)
        pr.run()
        return float(max(pr.scores()))

    def communities(self, g: Any, seed: int) -> tuple[int, float]:
        self.nk.setSeed(seed, True)
        algo = self.nk.community.ParallelLeiden(g)
        algo.run()
        parts = algo.getPartition()
        return parts.numberOfSubsets(), self.nk.community.Modularity().getQuality(parts, g)

    def betweenness_sampled(self, g: Any, sources: np.ndarray) -> np.ndarray:
        # Picks its own k sources (seeded above); same estimator family as igraph's.
        est = self.nk.centrality.EstimateBetweenness(g, len(sources), False, True)
        est.run()
        return np.asarray(est.scores()) / 2  # pairs counted twice, as in Betweenness below

    def betweenness_exact(self, g: Any) -> np.ndarray:
        bc = self.nk.centrality.Betweenness(g)
        bc.run()
        # NetworKit counts each unordered pair twice on undirected graphs.
        return np.asarray(bc.scores()) / 2


class Rustworkx:
    def __init__(self) -> None:
        import rustworkx

        self.rx = rustworkx

    def load(self, n: int, edges: np.ndarray) -> Any:
        # No numpy entry point: a list of int pairs is the fastest route (timed with the load).
        # multigraph=False would check every insert against the hub's edges: 175 s at 10M edges,
        # for nothing, as the edges are distinct already.
        g = self.rx.PyGraph()
        g.add_nodes_from([None] * n)
        g.add_edges_from_no_data(list(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strict=True)))
        return g

    def components(self, g: Any) -> int:
        return len(self.rx.connected_components(g))

    def pagerank(self, g: Any) -> float:
        # pagerank() takes only a PyDiGraph: the undirected -> directed copy is part of the cost.
        scores = self.rx.pagerank(g.to_directed(), alpha=0.85, tol=pagerank_tol(g.num_nodes()))
        return float(max(scores.values()))

    def communities(self, g: Any, seed: int) -> tuple[int, float]:
        raise Unsupported(f"no community detection in rustworkx {self.rx.__version__}")

    def betweenness_sampled(self, g: Any, sources: np.ndarray) -> np.ndarray:
        raise Unsupported("no sampled/source-restricted betweenness in rustworkx")

    def betweenness_exact(self, g: Any) -> np.ndarray:
        scores = self.rx.betweenness_centrality(g, normalized=False)
        return np.asarray([scores[i] for i in range(g.num_nodes())])


class Networkx:
    def __init__(self) -> None:
        import networkx

        self.nx = networkx

    def load(self, n: int, edges: np.ndarray) -> Any:
        g = self.nx.Graph()
        g.add_nodes_from(range(n))
        g.add_edges_from(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strict=True))
        return g

    def components(self, g: Any) -> int:
        return sum(1 for _ in self.nx.connected_components(g))

    def pagerank(self, g: Any) -> float:
        tol = pagerank_tol(g.number_of_nodes())
        return max(self.nx.pagerank(g, alpha=0.85, tol=tol).values())

    def communities(self, g: Any, seed: int) -> tuple[int, float]:
        parts = self.nx.community.louvain_communities(g, seed=seed)
        return len(parts), self.nx.community.modularity(g, parts)

    def betweenness_sampled(self, g: Any, sources: np.ndarray) -> np.ndarray:
        n = g.number_of_nodes()
        scores = self.nx.betweenness_centrality(g, k=len(sources), normalized=False, seed=1)
        return np.asarray([scores[i] for i in range(n)])

    def betweenness_exact(self, g: Any) -> np.ndarray:
        scores = self.nx.betweenness_centrality(g, normalized=False)
        return np.asarray([scores[i] for i in range(g.number_of_nodes())])


ADAPTERS: dict[str, Callable[[], Any]] = {
    "igraph": Igraph,
    "networkit": Networkit,
    "rustworkx": Rustworkx,
    "networkx": Networkx,
}


# --- worker: one library, one graph, several tasks --------------------------------------------


def maxrss_mb() -> float:
    """Peak RSS of this process in MB.

    VmHWM, not ru_maxrss: Linux carries the forking parent's RSS at exec time into the child's
    ru_maxrss, which hid the libraries' own peaks behind the driver's 1.2 GB.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def emit(**record: Any) -> None:
    print(MARK + json.dumps(record), flush=True)


def call_for(lib: Any, task: str, state: dict[str, Any], args: argparse.Namespace) -> Callable:
    g = state.get("graph")
    return {
        "load": lambda: lib.load(args.nodes, state["edges"]),
        "components": lambda: lib.components(g),
        "pagerank": lambda: lib.pagerank(g),
        "communities": lambda: lib.communities(g, args.seed),
        "betweenness_sampled": lambda: lib.betweenness_sampled(g, state["sources"]),
        "betweenness_exact": lambda: lib.betweenness_exact(g),
    }[task]


def summarise(task: str, result: Any, state: dict[str, Any]) -> Any:
    """A small value that shows the libraries computed the same thing."""
    if task == "load":
        return None
    if task == "communities":
        return {"communities": result[0], "modularity": round(result[1], 4)}
    if task.startswith("betweenness"):
        check: dict[str, Any] = {"max": round(float(result.max()), 1)}
        if task == "betweenness_exact" and "sampled" in state:
            check["corr_sampled"] = round(float(np.corrcoef(result, state["sampled"])[0, 1]), 3)
        return check
    return round(result, 6) if isinstance(result, float) else result


def too_slow(task: str, medians: dict[str, float], args: argparse.Namespace) -> str | None:
    """Exact betweenness costs ~n/k times the k-source sample: skip what cannot finish."""
    if task != "betweenness_exact" or "betweenness_sampled" not in medians:
        return None
    estimate = medians["betweenness_sampled"] * args.nodes / args.samples
    if estimate <= args.timeout:
        return None
    return f"est. {estimate:.0f} s (k={args.samples} sample x n/k) > timeout {args.timeout:.0f} s"


def measure(call: Callable, task: str, args: argparse.Namespace) -> tuple[Any, list[float]]:
    times: list[float] = []
    result = None
    for _ in range(args.repeat):
        result = None  # drop the previous result first: no double graph in the peak RSS
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
        emit(event="run", task=task, seconds=times[-1], rss_mb=maxrss_mb())
        if sum(times) > args.budget:
            break
    return result, times


def run_worker(args: argparse.Namespace) -> None:
    tasks = args.tasks.split(",")
    state: dict[str, Any] = {"edges": np.load(args.edges)}
    state["sources"] = np.random.default_rng(args.seed).choice(args.nodes, args.samples, False)
    emit(event="baseline", rss_mb=maxrss_mb())
    try:
        lib = ADAPTERS[args.worker]()
    except ImportError as exc:
        for task in tasks:
            emit(event="na", task=task, reason=f"not installed ({exc})")
        return
    if "load" not in tasks:  # restarted after a timeout: load again, untimed
        state["graph"] = lib.load(args.nodes, state["edges"])
    emit(event="ready", rss_mb=maxrss_mb())
    medians: dict[str, float] = {}
    for task in tasks:
        reason = too_slow(task, medians, args)
        if reason:
            emit(event="na", task=task, reason=reason)
            continue
        if task == "load":
            state.pop("graph", None)
        try:
            result, times = measure(call_for(lib, task, state, args), task, args)
        except Unsupported as exc:
            emit(event="na", task=task, reason=str(exc))
            continue
        medians[task] = statistics.median(times)
        if task == "load":
            state["graph"] = result
        elif task == "betweenness_sampled":
            state["sampled"] = result
        emit(event="done", task=task, check=summarise(task, result, state), rss_mb=maxrss_mb())


# --- driver: one subprocess per (library, size), with a per-run timeout -------------------------


@dataclass
class Cell:
    runs: list[float] = field(default_factory=list)
    reason: str | None = None
    check: Any = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None


@dataclass
class LibResult:
    library: str
    size: str
    cells: dict[str, Cell]
    peak_rss_mb: float = 0.0
    baseline_rss_mb: float = 0.0


def worker_command(lib: str, tasks: list[str], edges: Path, size: str, args: argparse.Namespace):
    n = SIZES[size][0]
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        *("--worker", lib, "--edges", str(edges), "--nodes", str(n)),
        *("--tasks", ",".join(tasks), "--samples", str(samples_for(size, args))),
        *("--seed", str(args.seed), "--repeat", str(args.repeat)),
        *("--budget", str(args.budget), "--timeout", str(args.timeout)),
    ]


def samples_for(size: str, args: argparse.Namespace) -> int:
    return args.samples_small if size == "small" else args.samples_large


def read_marked(stream: Any, lines: queue.Queue) -> None:
    for line in stream:
        if line.startswith(MARK):
            lines.put(line[len(MARK) :])
    lines.put(None)  # end of output


def records(proc: subprocess.Popen, timeout: float) -> Iterator[dict[str, Any] | None]:
    """The worker's records; None once when it falls silent for longer than timeout."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_marked, args=(proc.stdout, lines), daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            yield None
            return
        if line is None:
            return
        yield json.loads(line)


def apply(record: dict[str, Any], result: LibResult, pending: list[str]) -> None:
    result.peak_rss_mb = max(result.peak_rss_mb, record.get("rss_mb", 0.0))
    cell = result.cells.get(record.get("task", ""))
    if record["event"] == "baseline":
        result.baseline_rss_mb = result.baseline_rss_mb or record["rss_mb"]
    elif record["event"] == "run":
        cell.runs.append(record["seconds"])
    elif record["event"] == "done":
        cell.check = record["check"]
        pending.remove(record["task"])
    elif record["event"] == "na":
        cell.reason = record["reason"]
        pending.remove(record["task"])


def run_library(lib: str, size: str, tasks: list[str], edges: Path, args: argparse.Namespace):
    result = LibResult(lib, size, {task: Cell() for task in tasks})
    pending = list(tasks)
    while pending:
        current = pending[0]
        with tempfile.TemporaryFile("w+") as err:
            proc = subprocess.Popen(  # noqa: S603 - argv is this script, no user input
                worker_command(lib, pending, edges, size, args),
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
            timed_out = False
            for record in records(proc, args.timeout):
                if record is None:
                    timed_out = True
                    proc.kill()
                    break
                apply(record, result, pending)
                current = pending[0] if pending else current
            code = proc.wait()
            err.seek(0)
            tail = err.read().strip().splitlines()[-1:] or [f"exit code {code}"]
        if current not in pending:
            continue
        cell = result.cells[current]
        if timed_out:
            cell.reason = f"timeout: a run took > {args.timeout:.0f} s"
        else:
            cell.reason = f"worker failed: {tail[0][:120]}"
        pending.remove(current)
        if current == "load" and not cell.runs:
            for task in pending:
                result.cells[task].reason = "graph did not load"
            pending.clear()
    return result


def skipped(lib: str, size: str, tasks: list[str], reason: str) -> LibResult:
    return LibResult(lib, size, {task: Cell(reason=reason) for task in tasks})


def networkx_large_reason(results: list[LibResult]) -> str:
    """Why networkx is not run on the large graph, scaled up from its small run if any."""
    reason = "skipped: pure-Python dict-of-dicts, too slow and too big at 10M edges"
    small = next((r for r in results if r.library == "networkx" and r.size == "small"), None)
    if small and small.cells["load"].median:
        scale = SIZES["large"][1] / SIZES["small"][1]
        load_s = small.cells["load"].median * scale
        pagerank = small.cells["pagerank"].median
        memory_gb = (small.peak_rss_mb - small.baseline_rss_mb) * scale / 1024
        reason += f" (x{scale:.0f} small: load ~{load_s:.0f} s, ~{memory_gb:.0f} GB"
        reason += f", pagerank ~{pagerank * scale:.0f} s)" if pagerank else ")"
    return reason


def run_size(size: str, args: argparse.Namespace, results: list[LibResult], workdir: Path):
    n, m = SIZES[size]
    start = time.perf_counter()
    edges = synthetic_edges(n, m, args.seed)
    info = describe(n, edges) | {"generate_s": round(time.perf_counter() - start, 2)}
    path = workdir / f"{size}.npy"
    np.save(path, edges)
    del edges
    print(f"{size}: {info}", file=sys.stderr, flush=True)
    # Exact betweenness is O(nm): hours on the large graph in any library.
    tasks = [t for t in TASKS if not (size == "large" and t == "betweenness_exact")]
    for lib in args.libraries:
        if lib == "networkx" and size == "large":
            results.append(skipped(lib, size, tasks, networkx_large_reason(results)))
            continue
        print(f"  {lib} ...", file=sys.stderr, flush=True)
        results.append(run_library(lib, size, tasks, path, args))
    return info


# --- report -----------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    found = {}
    for name in (*LIBRARIES, "numpy", "scipy"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def cell_text(cell: Cell, repeat: int, notes: list[str]) -> str:
    if cell.median is None:
        if cell.reason not in notes:
            notes.append(cell.reason or "no result")
        return f"n/a [{notes.index(cell.reason or 'no result') + 1}]"
    text = f"{cell.median:.3f} s" if cell.median < 10 else f"{cell.median:.1f} s"
    return text + (f" ({len(cell.runs)}x)" if len(cell.runs) < repeat else "")


def table_rows(results: list[LibResult], args: argparse.Namespace, notes: list[str]):
    rows = []
    for size in args.sizes:
        by_lib = {r.library: r for r in results if r.size == size}
        for task in next(iter(by_lib.values())).cells:
            cells = [by_lib[lib].cells[task] for lib in args.libraries]
            rows.append([f"{size} {task}", *(cell_text(c, args.repeat, notes) for c in cells)])
        for label, attr in (("peak RSS", "peak_rss_mb"), ("RSS before import", "baseline_rss_mb")):
            rss = [getattr(by_lib[lib], attr) for lib in args.libraries]
            rows.append([f"{size} {label}", *(f"{v:,.0f} MB" if v else "n/a" for v in rss)])
    return rows


def print_table(rows: list[list[str]], libraries: list[str], notes: list[str]) -> None:
    header = ["task (median)", *libraries]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    else:
        table = Table(*header)
        for row in rows:
            table.add_row(*row)
        Console(width=160).print(table)
    for number, note in enumerate(notes, 1):
        print(f"[{number}] {note}")


def print_checks(results: list[LibResult]) -> None:
    """Sanity values (component count, modularity, max betweenness) side by side."""
    for r in results:
        checks = {t: c.check for t, c in r.cells.items() if c.check is not None}
        print(f"check {r.size} {r.library}: {checks}")


def write_json(path: Path, results: list[LibResult], graphs: dict, args: argparse.Namespace):
    payload = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "versions": versions(),
        "args": {"repeat": args.repeat, "timeout": args.timeout, "budget": args.budget},
        "graphs": graphs,
        "results": [
            {
                "library": r.library,
                "size": r.size,
                "peak_rss_mb": round(r.peak_rss_mb, 1),
                "baseline_rss_mb": round(r.baseline_rss_mb, 1),
                "tasks": {
                    t: {"median_s": c.median, "runs": c.runs, "reason": c.reason, "check": c.check}
                    for t, c in r.cells.items()
                },
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small", help="comma list of: small, large")
    parser.add_argument("--libraries", default=",".join(LIBRARIES), help="comma list")
    parser.add_argument("--repeat", type=int, default=3, help="runs per task (median)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=180.0, help="kill a run after this")
    parser.add_argument("--budget", type=float, default=60.0, help="stop repeating past this")
    parser.add_argument("--samples-small", type=int, default=100, help="k sources, small")
    parser.add_argument("--samples-large", type=int, default=32, help="k sources, large")
    # Internal: the per-library subprocess.
    for name in ("--worker", "--edges", "--tasks"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    parser.add_argument("--nodes", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--samples", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.worker:
        args.sizes = args.sizes.split(",")
        args.libraries = args.libraries.split(",")
        unknown = set(args.sizes) - set(SIZES) | set(args.libraries) - set(LIBRARIES)
        if unknown:
            parser.error(f"unknown: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        run_worker(args)
        return
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {versions()}")
    results: list[LibResult] = []
    with tempfile.TemporaryDirectory(prefix="netlibs-") as tmp:
        graphs = {size: run_size(size, args, results, Path(tmp)) for size in args.sizes}
    for size, info in graphs.items():
        print(f"graph {size}: {info}")
    notes: list[str] = []
    print_table(table_rows(results, args, notes), args.libraries, notes)
    print_checks(results)
    if args.json:
        write_json(args.json, results, graphs, args)


if __name__ == "__main__":
    main()
