"""Running the model: DuckDB in the process by default, or Spark in local mode.

The parameters are always estimated on DuckDB (a sample and two blockings: cheap); the
pairwise scoring, which grows with the data, runs on the chosen backend with the same
model, so both backends give the same pairs.
"""

from __future__ import annotations

import enum
import logging
import math
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker
from splink.internals.database_api import DatabaseAPISubClass

from palermo.errors import Invalid
from palermo.linkage import model
from palermo.linkage.features import COLUMNS, LISTS
from palermo.spark import local_session

# At least this many records, or there is nothing to estimate a model from.
MIN_RECORDS = 50
# DuckDB's share of a run's memory; beyond it, it spills to a temporary directory instead
# of taking up to 80 % of the machine (a 1M-record run peaked at 13 GB without it).
DUCKDB_MEMORY = "3GB"


class Backend(enum.StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@dataclass(frozen=True)
class Pair:
    left_id: str
    right_id: str
    probability: float
    match_weight: float
    weights: dict[str, float]  # per field: its match weight (log2 Bayes factor)


@dataclass(frozen=True)
class Result:
    model: dict[str, Any]
    pairs: list[Pair]
    frequencies: dict[str, dict[str, float]]  # `model.frequencies` of the linked rows


def _table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    columns: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    for row in rows:
        for c in COLUMNS:
            columns[c].append(row[c])
    return pa.table(
        {
            c: pa.array(v, type=pa.list_(pa.string()) if c in LISTS else pa.string())
            for c, v in columns.items()
        }
    )


def _term_frequencies(
    counted: Mapping[str, tuple[dict[str, float], float]],
) -> dict[str, pa.Table]:
    """Each frequency-weighed column's lookup table, as Splink reads it: the values' shares
    as `model.shares` counts them (Splink would count records), the same on both backends."""
    tables = {}
    for column, (share, _) in counted.items():
        tables[column] = pa.table(
            {
                column: pa.array(list(share), type=pa.string()),
                f"tf_{column}": pa.array(list(share.values()), type=pa.float64()),
            }
        )
    return tables


def _register(api: DatabaseAPISubClass, linker: Linker, frequencies: dict[str, pa.Table]) -> None:
    for column, table in frequencies.items():
        frame = api.register(table, table_name=f"palermo_tf_{column}")
        linker.table_management.register_term_frequency_lookup(frame, column)


def link(rows: Sequence[dict[str, Any]], *, backend: Backend, threshold: float) -> Result:
    """Train on DuckDB, predict on `backend`: the pairs at or above `threshold`."""
    table = _table(rows)
    if table.num_rows < MIN_RECORDS:
        raise Invalid(
            f"only {table.num_rows} records to link: a model needs at least {MIN_RECORDS}"
        )
    counted = {column: model.shares(rows, column) for column in model.TF_COLUMNS}
    frequencies = _term_frequencies(counted)
    with (
        tempfile.TemporaryDirectory(prefix="palermo-duckdb-") as spill,
        duckdb.connect(
            config={"memory_limit": DUCKDB_MEMORY, "temp_directory": spill}
        ) as connection,
    ):
        api = DuckDBAPI(connection=connection)
        frame = api.register(table, table_name="records")
        linker = Linker(frame, model.settings(), log_level=logging.ERROR)
        _register(api, linker, frequencies)
        model.train(linker, frame.physical_name)
        trained = model.trained(linker)
        predicted = _predicted(linker, threshold) if backend is Backend.duckdb else None
    if predicted is None:
        pairs = _spark_pairs(table, frequencies, trained, threshold)
    else:
        pairs = _pairs(predicted)  # made once DuckDB has given its memory back
    return Result(trained, pairs, model.common_values(counted))


def _predicted(linker: Linker, threshold: float) -> pa.Table:
    """The predicted pairs, reading only the columns kept (the predictions carry some forty:
    a million pairs of all of them cost gigabytes)."""
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    names = [f.name for f in model.FIELDS]
    # A field's weight includes its term-frequency adjustment, where it has one.
    weights = [
        f"mw_{n} + coalesce(mw_tf_adj_{n}, 0) AS w_{n}"
        if f"mw_tf_adj_{n}" in _columns(predictions)
        else f"mw_{n} AS w_{n}"
        for n in names
    ]
    # Column names from our own field table, never from outside.
    columns_sql = ", ".join(
        ["unique_id_l", "unique_id_r", "match_probability", "match_weight", *weights]
    )
    select = f"SELECT {columns_sql} FROM {{this}}"  # noqa: S608
    kept: pa.Table = predictions.query_sql(select).as_pyarrow_table()  # type: ignore[no-untyped-call]
    return kept


def _pairs(kept: pa.Table) -> list[Pair]:
    names = [f.name for f in model.FIELDS]
    columns = {c: kept.column(c).to_pylist() for c in kept.column_names}
    found = []
    for i, (a, b) in enumerate(zip(columns["unique_id_l"], columns["unique_id_r"], strict=True)):
        left, right = sorted((str(a), str(b)))
        found.append(
            Pair(
                left_id=left,
                right_id=right,
                probability=float(columns["match_probability"][i]),
                match_weight=float(columns["match_weight"][i]),
                weights={
                    n: round(float(w), 4)
                    for n in names
                    if (w := columns[f"w_{n}"][i]) is not None and math.isfinite(float(w))
                },
            )
        )
    return found


def _columns(frame: Any) -> set[str]:
    return {c.unquote().name for c in frame.columns}


def _spark_pairs(
    table: pa.Table, frequencies: dict[str, pa.Table], trained: dict[str, Any], threshold: float
) -> list[Pair]:
    spark = local_session("palermo-linkage")  # says what is missing when PySpark is
    from splink import SparkAPI

    with tempfile.TemporaryDirectory(prefix="palermo-spark-") as checkpoints:
        spark.sparkContext.setCheckpointDir(checkpoints)
        api = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]
        frame = api.register(table, table_name="records")
        linker = Linker(frame, model.for_dialect(trained, "spark"), log_level=logging.ERROR)
        _register(api, linker, frequencies)
        return _pairs(_predicted(linker, threshold))
