"""Where monitoring runs: DuckDB in the process by default, or Spark in local mode.

The typology detectors are written once, in DuckDB's SQL; on Spark each statement is
transpiled by SQLGlot (the transpiler Splink uses for the same purpose), so both backends
run the same queries and give the same alerts.
"""

from __future__ import annotations

import enum
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot

from palermo.spark import local_session


class Backend(enum.StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class Engine(Protocol):
    def load(self, name: str, files: Sequence[Path]) -> None:
        """Make the Parquet `files` readable as the table `name`."""

    def materialise(self, name: str, select: str) -> int:
        """Keep the result of `select` as the table `name`; its number of rows."""

    def rows(self, select: str) -> list[dict[str, Any]]: ...

    def arrow(self, select: str) -> pa.Table: ...

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table readable as the table `name`."""

    def close(self) -> None: ...


class DuckDBEngine:
    def __init__(self, *, memory_limit: str | None = None, threads: int | None = None) -> None:
        self.connection = duckdb.connect()
        if memory_limit:
            self.connection.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self.connection.execute(f"SET threads = {int(threads)}")
        # Temporary tables that outgrow memory spill here rather than failing.
        self._spill = tempfile.TemporaryDirectory(prefix="palermo-duckdb-")
        self.connection.execute(f"SET temp_directory = '{self._spill.name}'")

    def load(self, name: str, files: Sequence[Path]) -> None:
        listed = ", ".join(_quoted(str(f)) for f in files)
        self.connection.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet([{listed}])"  # noqa: S608
        )

    def materialise(self, name: str, select: str) -> int:
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}")
        counted = self.connection.execute(f"SELECT count(*) FROM {name}").fetchall()  # noqa: S608
        return int(counted[0][0])

    def rows(self, select: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        result = self.connection.execute(select, list(params))
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def arrow(self, select: str) -> pa.Table:
        return self.connection.sql(select).to_arrow_table()

    def register(self, name: str, table: pa.Table) -> None:
        self.connection.register(f"{name}_arrow", table)
        self.materialise(name, f"SELECT * FROM {name}_arrow")  # noqa: S608 - our own names

    def close(self) -> None:
        self.connection.close()
        self._spill.cleanup()


class SparkEngine:
    def __init__(self) -> None:
        self.spark = local_session("palermo-monitoring")
        self._kept: list[Any] = []

    def _sql(self, select: str) -> Any:
        return self.spark.sql(sqlglot.transpile(select, read="duckdb", write="spark")[0])

    def load(self, name: str, files: Sequence[Path]) -> None:
        self.spark.read.parquet(*(str(f) for f in files)).createOrReplaceTempView(name)
        # A shuffle partition per million rows (at most 8 on two cores): a small ledger in
        # one partition is not split into eight tasks at every step.
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        self.spark.conf.set("spark.sql.shuffle.partitions", str(min(8, 1 + rows // 1_000_000)))

    def materialise(self, name: str, select: str) -> int:
        # A checkpoint, not a cache: each table then starts a fresh plan, where cached
        # tables drag the plans of all before them along (the ten steps of chain growing
        # made plans whose very description filled the driver's heap).
        frame = self._sql(select).localCheckpoint(eager=True)
        self._kept.append(frame)
        frame.createOrReplaceTempView(name)
        return int(frame.count())

    def rows(self, select: str) -> list[dict[str, Any]]:
        return [row.asDict(recursive=True) for row in self._sql(select).collect()]

    def arrow(self, select: str) -> pa.Table:
        return self._sql(select).toArrow()

    def register(self, name: str, table: pa.Table) -> None:
        frame = self.spark.createDataFrame(table.to_pandas()).cache()
        self._kept.append(frame)
        frame.createOrReplaceTempView(name)

    def close(self) -> None:
        for frame in self._kept:
            frame.unpersist()
        self._kept.clear()
        self.spark.catalog.clearCache()


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def engine(backend: Backend, **options: Any) -> Engine:
    return DuckDBEngine(**options) if backend is Backend.duckdb else SparkEngine()
