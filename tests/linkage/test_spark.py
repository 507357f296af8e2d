"""The same run on Spark in local mode gives the same pairs as on DuckDB."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import select

from palermo.errors import Invalid
from palermo.linkage.engine import Backend
from palermo.models.linkage import LinkRun
from tests.databases import backend
from tests.linkage.conftest import People
from tests.linkage.test_linkage import pairs, run


@pytest.mark.skipif(
    backend() != "sqlite",
    reason="the engines read the same features whatever the database: runs once, on SQLite",
)
def test_spark_gives_the_same_pairs_as_duckdb(people: People) -> None:
    on_duckdb = run(people, backend=Backend.duckdb)
    duckdb_pairs = {(p.left_id, p.right_id): p.probability for p in pairs(people)}
    on_spark = run(people, backend=Backend.spark)
    spark_pairs = {(p.left_id, p.right_id): p.probability for p in pairs(people)}
    assert on_spark.backend == "spark"
    assert on_duckdb.backend == "duckdb"
    assert spark_pairs.keys() == duckdb_pairs.keys()
    for key, probability in duckdb_pairs.items():
        assert spark_pairs[key] == pytest.approx(probability, abs=1e-9)


def test_spark_without_pyspark_is_refused_by_name(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # as if PySpark were not installed
    with pytest.raises(Invalid, match=r"needs PySpark: pip install 'palermo\[spark\]'"):
        run(people, backend=Backend.spark)
    people.db.rollback()
    assert people.db.scalars(select(LinkRun)).all() == []  # nothing written
