"""Long, coverage-guided fuzzing of a parser of outside input with atheris (libFuzzer):
`make fuzz` runs every target in turn.

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python -m scripts.fuzz TARGET [--time SECONDS | --runs N]
    .venv/bin/python -m scripts.fuzz --list

The targets are those of the short runs in `make test` (tests/fuzz/targets.py): an input
must be accepted or refused with a clear error. libFuzzer keeps what a run learns in
`.fuzz/TARGET/corpus` (started from the seeds of tests/fuzz/corpus/TARGET) and writes each
input that fails — an exception, more than `--timeout` seconds, more than `--rss-limit-mb`
of memory — to `.fuzz/TARGET/`; replay one with `--runs 1 .fuzz/TARGET/crash-…`. Only
Palermo's own modules are instrumented for coverage. The targets that need a database (the
notice import, the federation inbox, hit/no-hit queries, a peer's directory) run on a fresh,
migrated one of the test suite's backend: SQLite in a temporary directory, or PostgreSQL with
PALERMO_TEST_BACKEND=postgresql and PALERMO_TEST_DATABASE_URL (tests/databases.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import atheris
from sqlalchemy.orm import Session

with atheris.instrument_imports(include=["palermo"]):
    from tests.databases import fresh_database
    from tests.fuzz.targets import ALL_TARGETS, CORPUS, TARGETS, Target, World, database_targets

    from palermo.db import create_db_engine
    from palermo.settings import Environment, Settings

OUT = Path(".fuzz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", choices=ALL_TARGETS)
    parser.add_argument("inputs", nargs="*", type=Path, help="replay these inputs instead")
    parser.add_argument("--list", action="store_true", help="print the targets' names")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--time", type=int, default=300, help="seconds of fuzzing (300)")
    budget.add_argument("--runs", type=int, help="inputs to try (instead of --time)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds an input may take")
    parser.add_argument("--rss-limit-mb", type=int, default=2048, help="memory of the process")
    args = parser.parse_args()
    if args.list:
        print("\n".join(ALL_TARGETS))
        return
    if args.target is None:
        parser.error("name a target (--list shows them)")
    with tempfile.TemporaryDirectory(prefix="palermo-fuzz-") as scratch:
        fuzz(args, _target(args.target, Path(scratch)))


def _target(name: str, scratch: Path) -> Target:
    if name in TARGETS:
        return TARGETS[name]
    url = fresh_database(scratch, migrated=True).__enter__()  # lives as long as the process
    settings = Settings(environment=Environment.test, data_dir=scratch / "data")
    session = Session(create_db_engine(url))
    return database_targets(World.build(session, settings))[name]


def fuzz(args: argparse.Namespace, target: Target) -> None:
    found = OUT / args.target
    corpus = found / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in sorted((CORPUS / args.target).iterdir()):
        shutil.copy(seed, corpus / seed.name)
    largest = max(path.stat().st_size for path in corpus.iterdir())
    options = [
        f"-timeout={args.timeout}",
        f"-rss_limit_mb={args.rss_limit_mb}",
        f"-max_len={max(65536, 2 * largest)}",
        f"-artifact_prefix={found}/",
    ]
    if args.inputs:
        options += [str(path) for path in args.inputs]
    else:
        options.append(f"-runs={args.runs}" if args.runs else f"-max_total_time={args.time}")
        options.append(str(corpus))
    atheris.Setup([sys.argv[0], *options], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
