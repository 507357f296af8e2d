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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker

from palermo.errors import Invalid
from palermo.linkage import model
from palermo.linkage.features import COLUMNS

# At least this many records, or there is nothing to estimate a model from.
MIN_RECORDS = 50


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


def _table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    columns: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    for row in rows:
        for c in COLUMNS:
            columns[c].append(row[c])
    return pa.table({c: pa.array(v, type=pa.string()) for c, v in columns.items()})


def link(rows: Iterable[dict[str, Any]], *, backend: Backend, threshold: float) -> Result:
    """Train on DuckDB, predict on `backend`: the pairs at or above `threshold`."""
    table = _table(rows)
    if table.num_rows < MIN_RECORDS:
        raise Invalid(
            f"only {table.num_rows} records to link: a model needs at least {MIN_RECORDS}"
        )
    with duckdb.connect() as connection:
        api = DuckDBAPI(connection=connection)
        linker = Linker(
            api.register(table, table_name="records"), model.settings(), log_level=logging.ERROR
        )
        model.train(linker)
        trained = model.trained(linker)
        if backend is Backend.duckdb:
            return Result(trained, _pairs(linker, threshold))
    return Result(trained, _spark_pairs(table, trained, threshold))


def _pairs(linker: Linker, threshold: float) -> list[Pair]:
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    weights = [f"mw_{f.name}" for f in model.FIELDS]
    found = []
    for row in predictions.as_record_list():
        left, right = sorted((str(row["unique_id_l"]), str(row["unique_id_r"])))
        found.append(
            Pair(
                left_id=left,
                right_id=right,
                probability=float(row["match_probability"]),
                match_weight=float(row["match_weight"]),
                weights={
                    w[3:]: round(float(row[w]) + float(row.get(f"mw_tf_adj_{w[3:]}") or 0), 4)
                    for w in weights
                    if row.get(w) is not None and math.isfinite(float(row[w]))
                },
            )
        )
    return found


def _spark_pairs(table: pa.Table, trained: dict[str, Any], threshold: float) -> list[Pair]:
    try:
        from pyspark.sql import SparkSession
        from splink import SparkAPI
        from splink.backends.spark import similarity_jar_location
    except ImportError as error:
        raise Invalid(
            "the Spark backend needs PySpark: pip install 'palermo[spark]' (and Java 17)"
        ) from error
    try:
        spark = (
            SparkSession.builder.master("local[2]")
            .appName("palermo-linkage")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.ui.enabled", "false")
            # Nothing is stored as a table; without this Spark makes ./spark-warehouse.
            .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "palermo-spark"))
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
    except Exception as error:
        raise Invalid(f"the Spark backend could not start (is Java installed?): {error}") from error
    with tempfile.TemporaryDirectory(prefix="palermo-spark-") as checkpoints:
        spark.sparkContext.setCheckpointDir(checkpoints)
        api = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]
        frame = api.register(table, table_name="records")
        linker = Linker(frame, model.for_dialect(trained, "spark"), log_level=logging.ERROR)
        return _pairs(linker, threshold)
