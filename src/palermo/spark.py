"""Spark in local mode, for the capabilities that offer it as a backend (linkage,
financial monitoring); on a cluster, the same code with another master."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from palermo.errors import Invalid

SETTINGS = {
    "spark.sql.shuffle.partitions": "8",
    # Local mode: the driver is the executor; its heap holds cached and checkpointed tables.
    "spark.driver.memory": "6g",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # Nothing is stored as a table; without this Spark makes ./spark-warehouse.
    "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "palermo-spark"),
}


def local_session(app: str) -> Any:
    """The process's one Spark session, made on first use. Settings given later are
    ignored, so every user's needs are in the first: Splink's string-similarity functions
    (linkage) are always loaded."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as error:
        raise Invalid(
            "the Spark backend needs PySpark: pip install 'palermo[spark]' (and Java 17)"
        ) from error
    builder = SparkSession.builder.master("local[2]").appName(app)
    for key, value in {**SETTINGS, "spark.jars": similarity_jar_location()}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as error:
        raise Invalid(f"the Spark backend could not start (is Java installed?): {error}") from error
