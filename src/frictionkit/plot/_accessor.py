"""``accessor(obj)``: the charts that fit an object, as bound methods (``obj.plot.x()``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from frictionkit.exceptions import InputTypeError, did_you_mean
from frictionkit.markov import REDUCE_FAILURE_BY

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["PlotAccessor", "accessor"]


def _charts_for(obj: Any) -> dict[str, Callable[..., Any]]:
    from frictionkit import plot as p
    from frictionkit._protocol import Result

    if isinstance(obj, Result) and type(obj)._charts:
        return {name: _chart_function(fn) for name, fn in type(obj)._charts.items()}
    # objects that are not ours: alike results and the tables of the analyses
    if isinstance(getattr(obj, "rank_acceptability", None), pd.DataFrame) and callable(
        getattr(obj, "p_top_k", None)
    ):
        return {"rank_risk": p.rank_risk, "rank_acceptability": p.rank_acceptability}
    if isinstance(obj, pd.DataFrame):
        cols = set(map(str, obj.columns))
        tables = (
            ({"cost", "value", "greedy_value", "knee"}, "frontier", p.frontier),
            ({"start", "end", "id", "owner", "wave"}, "roadmap", p.roadmap),
            ({"touchpoint", "risk_ratio", "risk_ratio_low"}, "friction", p.friction),
            ({"touchpoint", "delta_success_probability"}, "repair_effects", p.repair_effects),
            ({"stage", "journeys", "step_conversion"}, "funnel", p.funnel),
        )
        found = {name: fn for need, name, fn in tables if need <= cols}
        if found:
            return found
    raise InputTypeError(
        f"no charts for a {type(obj).__name__}",
        field="obj",
        value=type(obj).__name__,
        hint="Charts exist for the results that declare them (Ranking, EventLog, Journey, "
        "Plan, RankRisk, SMAAResult, MarkovModel, RepairEffect) and the tables of "
        "frontier(), roadmap(), friction(), repair_effects() and funnel()",
    )


def _chart_function(name: str) -> Callable[..., Any]:
    """The function a result class names in its ``_charts``: a public chart or an adapter."""
    from frictionkit import plot as p

    adapters: dict[str, Callable[..., Any]] = {
        "plan_roadmap": _plan_roadmap,
        "markov_repair_effects": _markov_repair_effects,
        "repair_effect": _repair_effect,
    }
    if name in adapters:
        return adapters[name]
    if name in p.__all__ and name != "accessor" and not name.endswith("_data"):
        fn: Callable[..., Any] = getattr(p, name)
        return fn
    raise AttributeError(  # pragma: no cover - the result-protocol test draws every chart
        f"no chart function {name!r} in frictionkit.plot"
    )


def _plan_roadmap(
    plan: Any,
    *,
    period_days: int = 20,
    start: Any = None,
    capacity_per_period: Any = None,
    waves: int | None = None,
    owner_labels: Any = None,
    improvement_labels: Any = None,
    ax: Any = None,
) -> Axes:
    """``plot.roadmap`` of a Plan: its roadmap (keywords of ``roadmap.roadmap``), drawn."""
    from frictionkit.plot import roadmap as draw
    from frictionkit.roadmap import roadmap

    table = roadmap(
        plan,
        period_days=period_days,
        start=start,
        capacity_per_period=capacity_per_period,
        waves=waves,
    )
    return draw(table, owner_labels=owner_labels, improvement_labels=improvement_labels, ax=ax)


def _markov_repair_effects(
    model: Any,
    *,
    top: int | None = 12,
    reduce_failure_by: float = REDUCE_FAILURE_BY,
    bootstrap: int = 0,
    seed: Any = None,
    ax: Any = None,
) -> Axes:
    """``plot.repair_effects`` of a MarkovModel: its ``repair_effects(...)`` table."""
    from frictionkit.plot import repair_effects as draw

    table = model.repair_effects(
        reduce_failure_by=reduce_failure_by, bootstrap=bootstrap, seed=seed
    )
    return draw(table, top=top, ax=ax)


def _repair_effect(effect: Any, *, ax: Any = None) -> Axes:
    """``plot.repair_effects`` of one RepairEffect: one bar (with its interval)."""
    from frictionkit.plot import repair_effects as draw

    return draw(effect.to_frame(), ax=ax)


class PlotAccessor:
    """The charts of one object, each a method with the object already passed.

    Calling the accessor itself draws its first chart. Build it with :func:`accessor`.

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.plot import accessor
    >>> accessor(fk.prioritise(fk.datasets.load_autoparts()))
    PlotAccessor(Ranking: impact_effort)
    """

    __slots__ = ("_charts", "_obj")

    def __init__(self, obj: Any) -> None:
        self._obj = obj
        self._charts = _charts_for(obj)

    def __getattr__(self, name: str) -> Callable[..., Axes]:
        if name.startswith("_"):
            raise AttributeError(name)
        charts = self._charts
        if name not in charts:
            raise AttributeError(
                f"no chart {name!r} for a {type(self._obj).__name__}; available: "
                f"{list(charts)}" + did_you_mean(name, charts)
            )
        return functools.partial(charts[name], self._obj)

    def __call__(self, **kwargs: Any) -> Axes:
        """Draw the first chart (the default for this kind of object)."""
        first = next(iter(self._charts.values()))
        return first(self._obj, **kwargs)  # type: ignore[no-any-return]

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._charts))

    def __repr__(self) -> str:
        return f"PlotAccessor({type(self._obj).__name__}: {', '.join(self._charts)})"


def accessor(obj: Any) -> PlotAccessor:
    """The charts that fit ``obj``, as methods: ``accessor(ranking).impact_effort()``.

    Result classes expose it as their ``plot`` property, so ``ranking.plot.impact_effort()``
    and ``ranking.plot()`` (the first chart) draw the same as
    ``frictionkit.plot.impact_effort(ranking)``.

    ================================  ==================================================
    object                            charts (first = default)
    ================================  ==================================================
    Ranking                           impact_effort
    EventLog                          route_flow, funnel, friction, repair_effects
    Journey                           map (= journey_map), journey_map
    Plan                              roadmap (keywords of frictionkit.roadmap.roadmap,
                                      and owner_labels)
    RankRisk, SMAAResult (or alike)   rank_risk, rank_acceptability
    MarkovModel, RepairEffect         repair_effects
    frontier / roadmap / friction /   the matching chart
    repair effects / funnel table
    ================================  ==================================================

    A result class declares its charts itself (``_charts``, see
    :mod:`frictionkit._protocol`); tables are recognised by their columns.

    Parameters
    ----------
    obj : object
        A result or table listed above.

    Returns
    -------
    PlotAccessor

    Raises
    ------
    InputTypeError
        No chart fits ``obj``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.plot import accessor
    >>> ax = accessor(fk.prioritise(fk.datasets.load_autoparts())).impact_effort()
    >>> ax.get_xlabel()
    'Effort (person-days)'
    >>> matplotlib.pyplot.close(ax.figure)
    """
    return PlotAccessor(obj)
