"""The same run on Spark in local mode gives the same pairs as on DuckDB."""

from __future__ import annotations

import pytest

from palermo.linkage.engine import Backend
from tests.linkage.conftest import People
from tests.linkage.test_linkage import pairs, run


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
