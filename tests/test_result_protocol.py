"""The result protocol (frictionkit._protocol), checked the same way on every result class.

Every public result class gives a cheap one-line ``repr`` starting with its name, an
escaped ``_repr_html_`` from the one helper, a ``to_frame()`` that returns a new DataFrame,
and ``.plot`` exactly when it declares charts (each declared chart draws). The discovery
test fails when a public class with ``to_frame`` or ``_repr_html_`` is missing here.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import time
from collections.abc import Callable
from typing import Any

import attrs
import pandas as pd
import pytest

import frictionkit as fk
from frictionkit._protocol import REPR_MAX, Result

HOSTILE = "<script>&"
ESCAPED = "&lt;script&gt;&amp;"


# ---------------------------------------------------------------------------------------
# cheap fixtures: each builder takes the text to put in a text field


@functools.cache
def _journey(text: str) -> fk.Journey:
    return attrs.evolve(fk.datasets.load_autoparts(), name=text)


@functools.cache
def _improvements(text: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [text, "b", "c"],
            "title": [text, "t", "u"],
            "owner": ["x", "y", "z"],
            "effort_days": [1.0, 2.0, 3.0],
            "cost": [10.0, 20.0, 30.0],
            "impact": [100.0, 50.0, 80.0],
            "confidence": [0.8, 0.5, 1.0],
        }
    )


@functools.cache
def _log(text: str) -> fk.EventLog:
    df = fk.datasets.simulate_journeys(300, seed=3, journey=_journey("shop"))
    df["touchpoint"] = df["touchpoint"].replace({"parts_website": text})
    return fk.EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        outcome_col="outcome",
        strict=False,
    )


@functools.cache
def _markov(text: str) -> Any:
    return fk.markov.MarkovModel.from_paths(
        [(text, "b"), (text,), ("b",)], ["success", "failure", "open"]
    )


def _feedback(text: str) -> fk.Feedback:
    answers = pd.DataFrame(
        {
            "case": ["a", "b", "c"],
            "metric": ["csat", "nps", "ces"],
            "score": [4, 9, 2],
            "comment": [text, None, "fine"],
        }
    )
    return fk.Feedback.from_frame(
        answers, metric_col="metric", score_col="score", case_col="case", comment_col="comment"
    )


def _report(text: str) -> Any:
    pytest.importorskip("jinja2")
    return fk.report.report(_journey(text), figures=False)


# (class name, builder, whether the text shows in the notebook view)
CASES: list[tuple[str, Callable[[str], Any], bool]] = [
    ("EventLog", _log, False),  # the view shows counts only
    ("Journey", _journey, True),
    ("Ranking", lambda t: fk.prioritise(_improvements(t)), True),
    (
        "MethodComparison",
        lambda t: fk.compare_methods(_improvements(t), ["value_per_cost", "rice"]),
        True,
    ),
    ("Plan", lambda t: fk.optimise_portfolio(_improvements(t), budget=40), True),
    (
        "RobustPlan",
        lambda t: fk.robust_portfolio(_improvements(t), budget=40, draws=3, seed=0),
        True,
    ),
    ("RankRisk", lambda t: fk.rank_risk(_improvements(t), draws=10, seed=0, k=1), True),
    (
        "SMAAResult",
        lambda t: fk.smaa(
            [[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]],
            True,
            alternatives=[t, "b", "c"],
            criteria=["x", "y"],
            draws=50,
        ),
        True,
    ),
    ("AHPResult", lambda t: fk.weights.ahp([[1, 3], [1 / 3, 1]], criteria=[t, "b"]), True),
    ("VikorResult", lambda t: fk.mcda.vikor([[9, 1], [5, 5]], [0.5, 0.5], True), False),
    ("MarkovModel", _markov, True),
    ("RepairEffect", lambda t: _markov(t).repair_effect(t, reduce_failure_by=0.5), True),
    ("Feedback", _feedback, True),
    ("MetricResult", lambda t: fk.feedback.nps([10, 9, 0]), False),
    ("Report", _report, True),
    (
        "PlantedTruth",
        lambda t: fk.datasets.simulate_journeys(300, seed=0, scenario="planted", return_truth=True)[
            1
        ],
        False,  # the simulator's own names only
    ),
]
IDS = [name for name, _, _ in CASES]

# The charts each result class declares (first = default).
CHARTS = {
    "EventLog": ["route_flow", "funnel", "friction", "repair_effects"],
    "Journey": ["map", "journey_map"],
    "Ranking": ["impact_effort"],
    "Plan": ["roadmap"],
    "RankRisk": ["rank_risk", "rank_acceptability"],
    "SMAAResult": ["rank_risk", "rank_acceptability"],
    "MarkovModel": ["repair_effects"],
    "RepairEffect": ["repair_effects"],
}


@pytest.fixture(params=CASES, ids=IDS)
def case(request: pytest.FixtureRequest) -> tuple[str, Any]:
    name, build, _ = request.param
    return name, build("plain")


# ---------------------------------------------------------------------------------------
# the checks


def test_is_a_result(case):
    name, obj = case
    assert type(obj).__name__ == name
    assert isinstance(obj, Result)


def test_repr_is_one_short_line_and_cheap(case):
    name, obj = case
    text = repr(obj)
    assert "\n" not in text
    assert text.startswith(f"{name}(")
    assert text.endswith(")")
    assert len(text) < 200
    start = time.perf_counter()
    for _ in range(5):
        assert repr(obj) == text
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(("name", "build", "shows_text"), CASES, ids=IDS)
def test_html_is_escaped(name, build, shows_text):
    obj = build(HOSTILE)
    page = obj._repr_html_()
    assert "<script>" not in page
    if shows_text:
        assert ESCAPED in page
    if name == "Report":  # the one result shown as itself: a sandboxed page
        assert page.startswith("<iframe ")
    else:
        assert page.startswith(f'<div class="frictionkit-result"><p><strong>{name}</strong>')


def test_to_frame_is_a_new_table(case):
    _, obj = case
    before = repr(obj)
    frame = obj.to_frame()
    assert isinstance(frame, pd.DataFrame)
    again = obj.to_frame()
    assert again is not frame
    pd.testing.assert_frame_equal(frame, again)
    for col in list(frame.columns):  # changing the table leaves the result alone
        frame[col] = frame[col].iloc[::-1].to_numpy()
    frame["extra"] = 1
    pd.testing.assert_frame_equal(obj.to_frame(), again)
    assert repr(obj) == before


def test_plot_exists_iff_charts_are_declared(case):
    name, obj = case
    declared = list(type(obj)._charts)
    assert declared == CHARTS.get(name, [])
    assert hasattr(obj, "plot") == bool(declared)
    if not declared:
        with pytest.raises(fk.InputTypeError, match=f"no charts for a {name}"):
            fk.plot.accessor(obj)
        return
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        acc = obj.plot
        assert repr(acc) == f"PlotAccessor({name}: {', '.join(declared)})"
        assert set(dir(acc)) >= set(declared)
        for chart in declared:
            assert getattr(acc, chart)() is not None
            plt.close("all")
        assert obj.plot() is not None  # the first chart
    finally:
        plt.close("all")


# ---------------------------------------------------------------------------------------
# discovery: every public result class is checked above


def _public_modules() -> dict[str, Any]:
    mods = {"frictionkit": fk}
    for info in pkgutil.iter_modules(fk.__path__):
        if not info.name.startswith("_"):
            mods[f"frictionkit.{info.name}"] = importlib.import_module(f"frictionkit.{info.name}")
    return mods


def test_every_public_result_class_is_checked():
    found = {}
    for modname, mod in _public_modules().items():
        for attr in getattr(mod, "__all__", ()):
            obj = getattr(mod, attr, None)
            if inspect.isclass(obj) and (
                hasattr(obj, "to_frame") or hasattr(obj, "_repr_html_") or issubclass(obj, Result)
            ):
                found.setdefault(obj.__name__, f"{modname}.{attr}")
    missing = sorted(set(found) - set(IDS))
    assert not missing, f"add these result classes to CASES: {[found[m] for m in missing]}"
    assert set(IDS) <= set(found)  # every case is public


def test_repr_is_cut_to_one_line():
    long = attrs.evolve(_journey("shop"), name="x" * 500)
    assert len(repr(long)) == REPR_MAX
    assert repr(long).endswith("…)")
