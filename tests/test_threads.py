"""The worker-thread helper: order, bounds, errors, and the thread-count setting."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from frictionkit._threads import (
    BACKGROUND_MIN_SIZE,
    MAX_DEFAULT,
    in_background,
    map_ordered,
    thread_count,
)
from frictionkit.exceptions import ValidationError


@given(st.lists(st.integers(), max_size=40), st.integers(1, 5))
def test_map_ordered_is_map(items: list[int], threads: int) -> None:
    assert list(map_ordered(lambda x: 3 * x + 1, items, threads=threads)) == [
        3 * x + 1 for x in items
    ]


def test_results_keep_input_order_when_later_items_finish_first() -> None:
    def slow_first(x: int) -> int:
        time.sleep(0.05 if x == 0 else 0.0)
        return x

    assert list(map_ordered(slow_first, range(6), threads=3)) == list(range(6))


def test_in_flight_items_are_bounded() -> None:
    lock = threading.Lock()
    running = peak = 0

    def work(x: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        return x

    consumed = 0

    def items() -> object:
        nonlocal consumed
        for i in range(20):
            consumed += 1
            yield i

    gen = map_ordered(work, items(), threads=2)  # type: ignore[arg-type]
    next(gen)
    assert consumed <= 4  # at most threads + 1 submitted before the first result
    assert list(gen) == list(range(1, 20))
    assert peak <= 2


def test_an_error_in_a_block_is_raised() -> None:
    def fail_on_three(x: int) -> int:
        if x == 3:
            raise KeyError("three")
        return x

    with pytest.raises(KeyError, match="three"):
        list(map_ordered(fail_on_three, range(10), threads=2))


def test_one_thread_runs_on_the_calling_thread() -> None:
    names = list(map_ordered(lambda _: threading.current_thread().name, range(3), threads=1))
    assert names == [threading.current_thread().name] * 3


def test_thread_count_default_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRICTIONKIT_THREADS", raising=False)
    assert 1 <= thread_count(None) <= MAX_DEFAULT
    monkeypatch.setenv("FRICTIONKIT_THREADS", "3")
    assert thread_count(None) == 3
    assert thread_count(2) == 2  # an explicit value wins over the environment
    monkeypatch.setenv("FRICTIONKIT_THREADS", "many")
    with pytest.raises(ValidationError, match="FRICTIONKIT_THREADS must be a positive integer"):
        thread_count(None)


def test_thread_count_takes_numpy_integers_and_whole_floats() -> None:
    assert thread_count(np.int64(2)) == 2
    assert thread_count(np.uint8(3)) == 3
    assert thread_count(2.0) == 2


@pytest.mark.parametrize(
    "bad", [0, -1, 1.5, "2", True, [2], float("inf"), float("nan"), np.bool_(True), np.int64(0)]
)
def test_thread_count_refuses_what_is_not_a_positive_integer(bad: object) -> None:
    with pytest.raises(ValidationError, match="threads must be"):
        thread_count(bad)


def test_in_background_runs_large_work_on_a_thread_and_small_work_in_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRICTIONKIT_THREADS", "2")
    names: list[str] = []

    def work() -> int:
        names.append(threading.current_thread().name)
        return 7

    job = in_background(work, size=BACKGROUND_MIN_SIZE)
    assert job is not None
    assert job.result() == 7
    assert names == ["frictionkit"]
    assert in_background(work, size=BACKGROUND_MIN_SIZE - 1) is None
    monkeypatch.setenv("FRICTIONKIT_THREADS", "1")  # one thread allowed: in line
    assert in_background(work, size=10 * BACKGROUND_MIN_SIZE) is None


def test_in_background_raises_the_error_on_the_callers_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRICTIONKIT_THREADS", "2")

    def fail() -> int:
        raise ValidationError("bad input", field="x")

    job = in_background(fail, size=BACKGROUND_MIN_SIZE)
    assert job is not None
    with pytest.raises(ValidationError, match="bad input"):
        job.result()
