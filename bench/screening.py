"""Benchmark of screening (issue: screening and hit/no-hit search), side by side with
rapidfuzz brute force and nomenklatura's logic-v1.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/screening.py --size 1000000 --queries 10000

Builds the candidate index of a synthetic watch list in memory, runs planted and absent
queries through the same two stages as `palermo screen` (index candidates, then
`palermo-name-v1` scoring; policy and audit are measured by the service tests, not here),
and prints quality, speed and memory. The comparisons run on a sample of the queries.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import resource
import statistics
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
warnings.filterwarnings("ignore", category=DeprecationWarning)

from watchlist import KINDS, Person, Query, queries, watch_list

from palermo.screening.entries import Entry, entry_of
from palermo.screening.index import ScreeningIndex
from palermo.screening.scoring import THRESHOLD, ScreeningQuery, best_matches, score

TOP = 10
CANDIDATES = 50
_INDEX: ScreeningIndex | None = None  # shared with forked workers


def statements(person: Person) -> list[tuple[str, str]]:
    """The (property, value) pairs a listed person is stored as."""
    values = [("name", n) for n in person.listed_names()]
    values += [
        ("birthDate", person.birth_date),
        ("nationality", person.nationality),
        ("gender", person.gender),
    ]
    if person.passport:
        values.append(("passportNumber", person.passport))
    return values


def entries(rows: list[tuple[str, list[tuple[str, str]]]]) -> Iterator[Entry]:
    for pid, values in rows:
        built = entry_of(pid, "Person", values)
        assert built is not None
        yield built


def parse(query: Query) -> ScreeningQuery:
    return ScreeningQuery.of(query.name, birth_date=query.birth_date, nationality=query.nationality)


def answer(index: ScreeningIndex, query: Query) -> list[tuple[str, float]]:
    """The same two stages as the service: candidates, then scores, best first."""
    parsed = parse(query)
    found = index.candidates(parsed, schemas=["Person"], limit=CANDIDATES).candidates
    ranked = best_matches(parsed, (c.entry for c in found), limit=TOP, floor=0.5)
    return [(e.record_id, m.score) for e, m in ranked]


def _work(chunk: list[Query]) -> int:
    assert _INDEX is not None
    for query in chunk:
        answer(_INDEX, query)
    return len(chunk)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quality(index: ScreeningIndex, results: list[list[tuple[str, float]]], qs: list[Query]) -> None:
    """recall@10 per variant kind; and, for the misses, whether ten or more listed persons
    scored at least as high as the planted one (namesakes no engine can tell apart)."""
    found: dict[str, list[bool]] = defaultdict(list)
    tied: dict[str, list[bool]] = defaultdict(list)
    alerts_absent_dob: list[bool] = []
    for query, hits in zip(qs, results, strict=True):
        if query.kind == "absent":
            if query.birth_date:
                alerts_absent_dob.append(bool(hits) and hits[0][1] >= THRESHOLD)
            continue
        hit = any(rid == query.target for rid, _ in hits)
        found[query.kind].append(hit)
        target = index.get(query.target or "")
        own = score(parse(query), target) if target else None
        crowded = len(hits) == TOP and own is not None and hits[-1][1] >= own.score
        tied[query.kind].append(hit or crowded)
    planted = [f for kind in KINDS for f in found[kind]]
    planted_tied = [f for kind in KINDS for f in tied[kind]]
    print(
        f"recall@{TOP}, all planted variants: {sum(planted) / len(planted):.4f} "
        f"(counting indistinguishable namesakes as found: "
        f"{sum(planted_tied) / len(planted_tied):.4f}; {len(planted)} queries)"
    )
    for kind in KINDS:
        rate = sum(found[kind]) / len(found[kind])
        print(f"  {kind:20} {rate:.4f}  ({sum(tied[kind]) / len(tied[kind]):.4f})")
    rate = sum(alerts_absent_dob) / len(alerts_absent_dob)
    print(f"absent queries with a birth date that alert: {rate:.4%} ({len(alerts_absent_dob)})")


def rapidfuzz_brute_force(people: list[Person], sample: list[Query]) -> None:
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    choices = [p.latin() for p in people]
    ids = [p.id for p in people]
    start = time.perf_counter()
    hits = []
    for begin in range(0, len(sample), 50):
        names = [q.name for q in sample[begin : begin + 50]]
        matrix = process.cdist(
            names,
            choices,
            scorer=fuzz.token_sort_ratio,
            processor=utils.default_process,
            dtype=np.uint8,
            workers=-1,
        )
        best = np.argpartition(-matrix.astype(np.int16), TOP, axis=1)[:, :TOP]
        hits.extend([[ids[j] for j in row] for row in best])
    elapsed = time.perf_counter() - start
    planted = [(q, h) for q, h in zip(sample, hits, strict=True) if q.kind != "absent"]
    recall = sum(q.target in h for q, h in planted) / len(planted)
    print(
        f"rapidfuzz cdist token_sort_ratio (all cores): recall@{TOP} {recall:.4f}, "
        f"{len(sample) / elapsed:.1f} queries/s ({len(sample)} queries)"
    )


def logic_v1_rerank(index: ScreeningIndex, people: dict[str, Person], sample: list[Query]) -> None:
    from followthemoney import model
    from nomenklatura.matching import LogicV1

    config = LogicV1.default_config()

    def proxy(pid: str, names: list[str], birth: str | None, country: str | None) -> object:
        data = {"name": names}
        if birth:
            data["birthDate"] = [birth]
        if country:
            data["nationality"] = [country]
        return model.make_entity("Person").__class__.from_dict(
            {"id": pid, "schema": "Person", "properties": data}
        )

    start = time.perf_counter()
    planted = found = 0
    for query in sample:
        parsed = parse(query)
        candidates = index.candidates(parsed, schemas=["Person"], limit=CANDIDATES).candidates
        q = proxy("q", [query.name], query.birth_date, query.nationality)
        scored = []
        for c in candidates:
            p = people[c.entry.record_id]
            r = proxy(p.id, p.listed_names(), p.birth_date, p.nationality)
            scored.append((LogicV1.compare(q, r, config).score, p.id))  # type: ignore[arg-type]
        scored.sort(key=lambda s: -s[0])
        if query.kind != "absent":
            planted += 1
            found += any(pid == query.target for _, pid in scored[:TOP])
    elapsed = time.perf_counter() - start
    print(
        f"nomenklatura logic-v1 on the same candidates (one core): recall@{TOP} "
        f"{found / planted:.4f}, {len(sample) / elapsed:.1f} queries/s ({len(sample)} queries)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=500, help="queries for the comparisons")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    start = time.perf_counter()
    pools, people = watch_list(args.size)
    qs = queries(pools, people, args.queries)
    cultures = Counter(p.culture for p in people).most_common(4)
    print(
        f"watch list of {len(people):,} persons and {len(qs):,} queries generated in "
        f"{time.perf_counter() - start:.1f} s; most common cultures {cultures}"
    )

    global _INDEX
    rows = [(p.id, statements(p)) for p in people]
    start = time.perf_counter()
    index = ScreeningIndex()
    index.add(entries(rows))
    _INDEX = index
    print(
        f"index build: {time.perf_counter() - start:.1f} s for {len(index):,} entries; "
        f"peak RSS {rss_mib():,.0f} MiB"
    )

    latencies = []
    results = []
    for query in qs:
        begin = time.perf_counter()
        results.append(answer(index, query))
        latencies.append(time.perf_counter() - begin)
    latencies.sort()
    print(
        f"single query, one core: p50 {statistics.median(latencies) * 1000:.2f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.2f} ms, "
        f"{len(qs) / sum(latencies):.0f} queries/s"
    )
    quality(index, results, qs)

    chunks = [qs[i :: args.workers] for i in range(args.workers)]
    # The index is shared with the forked workers copy-on-write; frozen objects are left
    # out of the collector's passes, which would otherwise touch (and copy) every page.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    begin = time.perf_counter()
    with context.Pool(args.workers) as pool:
        done = sum(pool.map(_work, chunks))
    elapsed = time.perf_counter() - begin
    print(f"batch on {args.workers} processes: {done / elapsed:.0f} queries/s ({done} queries)")
    print(f"peak RSS of the main process: {rss_mib():,.0f} MiB")

    sample = qs[: args.sample // 2] + qs[len(qs) // 2 : len(qs) // 2 + args.sample // 2]
    rapidfuzz_brute_force(people, sample)
    logic_v1_rerank(index, {p.id: p for p in people}, sample)


if __name__ == "__main__":
    main()
