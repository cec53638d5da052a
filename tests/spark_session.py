"""One local SparkSession per test process, and the skip for machines without Spark.

``spark_session()`` starts (once) a small local session bound to loopback only, with the UI
off and the session time zone UTC; it is stopped when the process exits. Mark Spark tests
with ``requires_spark`` (a ``skipif``): they are skipped only when no Java runtime is on the
PATH or pyspark cannot be imported.

pyspark 4.3 warns (FutureWarning) that it does not fully support pandas >= 3 whenever it
converts to or from pandas. ``pandas_warning_ignored()`` ignores exactly that warning and
``to_spark(frame)`` uses it; every other warning still fails the tests.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import shutil
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

#: The message of pyspark's warning about pandas >= 3 (a regular expression, from the start).
PANDAS_WARNING = r"PySpark does not yet fully support pandas >= 3"

_NO_JAVA = "Spark tests skipped: no Java runtime found (install Debian's openjdk-17-jre-headless)"
_NO_PYSPARK = "Spark tests skipped: pyspark is not installed (pip install 'frictionkit[spark]')"


def _skip_reason() -> str | None:
    if shutil.which("java") is None:
        return _NO_JAVA
    if importlib.util.find_spec("pyspark") is None:
        return _NO_PYSPARK
    return None


requires_spark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")

_SESSION: list[Any] = []


@contextlib.contextmanager
def pandas_warning_ignored() -> Iterator[None]:
    """Ignore pyspark's FutureWarning about pandas >= 3, and nothing else."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PANDAS_WARNING, category=FutureWarning)
        yield


def spark_session() -> Any:
    """The process's local SparkSession (started on first use, stopped at exit)."""
    if _SESSION:
        return _SESSION[0]
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("frictionkit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "512m")
        # short runs of small queries: the quick JIT tier halves the JVM's CPU time
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    _SESSION.append(session)
    atexit.register(_stop)
    return session


def _stop() -> None:
    while _SESSION:
        _SESSION.pop().stop()


def to_spark(frame: Any, schema: Any = None) -> Any:
    """A Spark DataFrame from a pandas DataFrame (or rows with a schema)."""
    with pandas_warning_ignored():
        return spark_session().createDataFrame(frame, schema)
