"""The allocator window of large analyses (frictionkit._memory): set, nested, restored."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

import frictionkit._memory as memory
from frictionkit.datasets.simulate import simulate_journeys
from frictionkit.events import EventLog


class FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", pad, 0))
        return 1


@pytest.fixture
def libc(monkeypatch: pytest.MonkeyPatch) -> FakeLibc:
    fake = FakeLibc()
    monkeypatch.setattr(memory, "_glibc", lambda: fake)
    monkeypatch.delenv("FRICTIONKIT_KEEP_FREED_MEMORY", raising=False)
    return fake


def test_small_logs_leave_the_allocator_alone(libc: FakeLibc) -> None:
    with memory.reusing_memory(memory.MIN_EVENTS - 1):
        pass
    assert libc.calls == []


def test_large_logs_open_one_window_and_close_it(libc: FakeLibc) -> None:
    with memory.reusing_memory(memory.MIN_EVENTS):
        assert [c[1] for c in libc.calls] == [memory._M_MMAP_THRESHOLD, memory._M_TRIM_THRESHOLD]
        with memory.reusing_memory(10 * memory.MIN_EVENTS):  # nested: no new window
            pass
        assert len(libc.calls) == 2
    assert libc.calls[2:] == [
        ("mallopt", memory._M_MMAP_THRESHOLD, memory._MMAP_AFTER),
        ("mallopt", memory._M_TRIM_THRESHOLD, memory._TRIM_AFTER),
        ("malloc_trim", 0, 0),
    ]
    assert memory._depth == 0


def test_the_window_closes_when_the_analysis_fails(libc: FakeLibc) -> None:
    with pytest.raises(ZeroDivisionError), memory.reusing_memory(memory.MIN_EVENTS):
        1 / 0  # noqa: B018
    assert libc.calls[-1] == ("malloc_trim", 0, 0)
    assert memory._depth == 0


def test_the_environment_turns_it_off(libc: FakeLibc, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRICTIONKIT_KEEP_FREED_MEMORY", "0")
    with memory.reusing_memory(10 * memory.MIN_EVENTS):
        pass
    assert libc.calls == []


def test_concurrent_analyses_share_the_window(libc: FakeLibc) -> None:
    inside = threading.Barrier(4)

    def work() -> None:
        with memory.reusing_memory(memory.MIN_EVENTS):
            inside.wait(timeout=10)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [c[0] for c in libc.calls].count("malloc_trim") == 1
    assert memory._depth == 0


def test_results_do_not_depend_on_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # with the real C library where there is one (glibc), the window open for every log
    monkeypatch.setattr(memory, "MIN_EVENTS", 0)
    events = simulate_journeys(400, seed=3)

    def table() -> pd.DataFrame:
        log = EventLog.from_frame(
            events, case_col="case_id", touchpoint_col="touchpoint", timestamp_col="timestamp",
            outcome_col="outcome", strict=False,
        )  # fmt: skip
        return log.friction(seed=1, min_support=5)

    kept = table()
    monkeypatch.setenv("FRICTIONKIT_KEEP_FREED_MEMORY", "0")
    pd.testing.assert_frame_equal(kept, table())


def test_the_decorator_reads_the_log_and_passes_other_input_on(libc: FakeLibc) -> None:
    class Log:
        n_events = memory.MIN_EVENTS

    @memory.reuses_memory
    def analyse(log: object, x: int = 1) -> int:
        return x

    assert analyse(Log(), x=2) == 2
    assert len(libc.calls) == 5
    assert analyse("not a log") == 1  # validated by the analysis itself, not here
    assert analyse(log=Log()) == 1
    assert len(libc.calls) == 10


def test_huge_page_advice_is_off_in_the_window_and_restored(libc: FakeLibc) -> None:
    before = memory._set_hugepage(True)
    try:
        with memory.reusing_memory(memory.MIN_EVENTS):
            assert memory._set_hugepage(False) is False  # it was off inside
        assert memory._set_hugepage(True) is True  # and on again after
    finally:
        if before is not None:
            memory._set_hugepage(before)
