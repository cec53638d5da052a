"""Part of :mod:`frictionkit.markov` (see its documentation)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import Result
from frictionkit._validate import as_float, check_bounds
from frictionkit.events._outcomes import RESERVED_STATES
from frictionkit.exceptions import (
    InputTypeError,
    ValidationError,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Above this many transient states the chain is solved with a sparse LU factorisation.
#: The one default share of a touchpoint's direct failures that a repair removes, in
#: :meth:`MarkovModel.repair_effects`, :meth:`EventLog.repair_effects`, the repair chart
#: and the report: all of them (1.0). A repair effect is the value *at stake* at the
#: step, the same quantity as the attributable failures behind the value at stake of a
#: pain point; how much of it an improvement removes is the improvement's ``fix_share``,
#: applied once, in the ranking. A default of 0.5 here would halve it a second time.
REDUCE_FAILURE_BY: float = 1.0

_DENSE_MAX = 1500
_BATCH = 256


# --------------------------------------------------------------------------------------
# Pure kernels: numpy in, numpy out, no validation.
# --------------------------------------------------------------------------------------
class Routes(NamedTuple):
    """The distinct decided routes of a chain built from paths, in visiting order.

    ``code`` holds the state index (``1 .. len(touchpoints)``) of each visit, route after
    route; ``offsets`` the start of each route plus the total; ``success`` whether the
    route ends in ``SUCCESS``; ``weight`` how many journeys followed it.
    """

    code: IntArray
    offsets: IntArray
    success: npt.NDArray[np.bool_]
    weight: IntArray


#: The journey-level data of a chain: edge ids, path-by-edge count matrix, path counts.
Paths = tuple[IntArray, Any, IntArray]
#: Builds :data:`Paths` on first use.
PathsBuilder = Callable[[], Paths]


class LazyPaths:
    """The journey-level data of a chain: given, or built on first use.

    ``_paths`` holds (edge ids, path-by-edge sparse count matrix, path counts) and
    ``_routes`` the distinct routes in visiting order (harm removal needs the order of
    visits); both are None for a chain built from a table of transition counts.
    ``MarkovModel.from_arrays`` defers them (``_lazy_paths``): the chain itself, and its
    removal effects, need only the counts.
    """

    __slots__ = ("_lazy_paths", "_paths_data", "_routes_data")

    _lazy_paths: Callable[[], tuple[Callable[[], tuple[IntArray, Any, IntArray]], Routes]] | None
    _paths_data: (
        tuple[IntArray, Any, IntArray] | Callable[[], tuple[IntArray, Any, IntArray]] | None
    )
    _routes_data: Routes | None

    def _build_paths(self) -> None:
        # the routes first; the paths (a builder until then) on their own first use
        if self._lazy_paths is not None:
            build, self._lazy_paths = self._lazy_paths, None
            self._paths_data, self._routes_data = build()

    @property
    def _paths(self) -> Paths | None:
        self._build_paths()
        if callable(self._paths_data):
            self._paths_data = self._paths_data()
        return self._paths_data

    @property
    def _routes(self) -> Routes | None:
        self._build_paths()
        return self._routes_data


@attrs.frozen(eq=False)
class _Solution:
    """What the closed forms need from one solved chain (transient states only)."""

    prob: FloatArray  # (t, t + 2) transition probabilities of the transient rows
    b: FloatArray  # absorption probability into SUCCESS from each transient state
    n_row: FloatArray  # N[START, :]
    n_diag: FloatArray  # diag(N)
    column: Callable[[int], FloatArray]  # k -> N[:, k]

    @property
    def success_probability(self) -> float:
        return float(self.b[0])


def _probabilities(counts: FloatArray) -> FloatArray:
    """Row-normalise the transient rows of a count matrix (rows without exits stay 0)."""
    t = counts.shape[0] - 2
    rows = counts[:t]
    total = rows.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(rows, total, out=np.zeros_like(rows), where=total > 0)
    return out


def _solve(counts: FloatArray) -> _Solution:
    """Solve the absorbing chain given by a (t+2, t+2) count matrix.

    State order: ``START``, touchpoints, ``SUCCESS``, ``FAILURE``.
    """
    t = counts.shape[0] - 2
    prob = _probabilities(counts)
    q = prob[:, :t]
    r = prob[:, t]
    if t <= _DENSE_MAX:
        a = np.eye(t) - q
        n: FloatArray = np.asarray(np.linalg.solve(a, np.eye(t)), dtype=np.float64)
        b: FloatArray = n @ r
        return _Solution(prob, b, n[0].copy(), np.diag(n).copy(), lambda k: n[:, k])

    from scipy import sparse
    from scipy.sparse.linalg import splu

    a_sp = sparse.csc_matrix(sparse.identity(t) - sparse.csr_matrix(q))
    lu = splu(a_sp)
    b = lu.solve(r)
    e0 = np.zeros(t)
    e0[0] = 1.0
    n_row = lu.solve(e0, trans="T")
    diag = np.empty(t)
    for lo in range(0, t, _BATCH):
        hi = min(t, lo + _BATCH)
        rhs = np.zeros((t, hi - lo))
        rhs[np.arange(lo, hi), np.arange(hi - lo)] = 1.0
        cols = lu.solve(rhs)
        diag[lo:hi] = cols[np.arange(lo, hi), np.arange(hi - lo)]

    def column(k: int) -> FloatArray:
        e = np.zeros(t)
        e[k] = 1.0
        out: FloatArray = lu.solve(e)
        return out

    return _Solution(prob, np.asarray(b), np.asarray(n_row), diag, column)


def _removal(sol: _Solution) -> FloatArray:
    """Success probability without each touchpoint (index 1..t-1 of the transient states)."""
    b0 = sol.b[0]
    k = slice(1, None)
    reach = np.divide(sol.n_row[k], sol.n_diag[k])
    out: FloatArray = np.clip(b0 - reach * sol.b[k], 0.0, None)
    return out


def _repair_reduce(sol: _Solution, f: float) -> FloatArray:
    """Delta success probability when each touchpoint's direct failures shrink by ``f``.

    NaN where a touchpoint has failures but no other successor to hand them to, or where
    the repaired chain would have no way out.
    """
    t = sol.prob.shape[0]
    idx = np.arange(1, t)
    p_fail = sol.prob[idx, t + 1]
    q_self = sol.prob[idx, idx]
    succ = sol.prob[idx, : t + 1].copy()  # transient states and SUCCESS
    succ[idx - 1, idx] = 0.0
    other = succ.sum(axis=1)  # mass of the other successors (exactly 0 if there are none)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = f * p_fail / other
        num = s * sol.b[idx] * (1.0 - q_self)
        den = 1.0 - s * (sol.n_diag[idx] * (1.0 - q_self) - 1.0)
        delta = sol.n_row[idx] * num / den
    delta = np.where(den > 1e-12, delta, np.nan)
    delta = np.where((p_fail > 0) & (other <= 0), np.nan, delta)
    out: FloatArray = np.where((p_fail == 0) | (f == 0), 0.0, np.clip(delta, 0.0, None))
    return out


def _repair_redirect(sol: _Solution, k: int, target: int) -> float:
    """Delta success probability when transient state ``k``'s failures go to ``target``.

    ``target`` is a transient index, or ``t`` for ``SUCCESS``. NaN if no way out remains.
    """
    t = sol.prob.shape[0]
    p_fail = float(sol.prob[k, t + 1])
    if p_fail == 0:
        return 0.0
    if target == t:
        b_t, n_tk = 1.0, 0.0
    else:
        b_t, n_tk = float(sol.b[target]), float(sol.column(k)[target])
    den = 1.0 - p_fail * n_tk
    if den <= 1e-12:
        return math.nan
    return max(0.0, float(sol.n_row[k]) * p_fail * b_t / den)


# --------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------
def _name(value: Any, field: str) -> str:
    bad_float = isinstance(value, float) and not math.isfinite(value)
    if value is None or bad_float or isinstance(value, bool) or not isinstance(value, Hashable):
        raise InputTypeError(
            f"{field} must name a touchpoint, got {value!r}", field=field, value=value
        )
    text = value if isinstance(value, str) else str(value)
    if not text.strip():
        raise ValidationError(f"{field} must not be empty, got {value!r}", field=field)
    return text


def _check_touchpoint_name(name: str, field: str) -> None:
    if name in RESERVED_STATES:
        raise ValidationError(
            f"{field}: {name!r} is a reserved state name, not a touchpoint",
            field=field,
            value=name,
            hint=f"Rename the touchpoint; {', '.join(RESERVED_STATES)} are reserved",
        )


#: Largest chain (states) whose reachability is found with a dense table, not scipy.
_DENSE_REACH = 4096


def _reaching_an_end(counts: FloatArray) -> np.ndarray:
    """Which states can reach ``SUCCESS`` or ``FAILURE`` (the last two states).

    A breadth-first search backwards from the two end states: on a table of edges for
    chains of up to ``_DENSE_REACH`` states (each state enters the frontier once), else
    with :func:`scipy.sparse.csgraph.breadth_first_order`.
    """
    s = counts.shape[0]
    t = s - 2
    reached = np.zeros(s, dtype=bool)
    if s <= _DENSE_REACH:
        edge = counts > 0  # edge[i, j]: a transition from i to j
        reached[t:] = True
        frontier = reached.copy()
        while frontier.any():
            frontier = edge[:, frontier].any(axis=1) & ~reached
            reached |= frontier
        return reached
    from scipy import sparse
    from scipy.sparse.csgraph import breadth_first_order

    graph = sparse.csr_matrix((counts > 0).astype(np.int8))
    reverse = graph.T.tocsr()
    for target in (t, t + 1):
        order = breadth_first_order(reverse, target, directed=True, return_predecessors=False)
        reached[np.asarray(order)] = True
    return reached


def _check_absorbing(counts: FloatArray, states: Sequence[str]) -> None:
    """Every transient state with exits must be able to reach SUCCESS or FAILURE."""
    t = counts.shape[0] - 2
    reached = _reaching_an_end(counts)
    has_exit = counts[:t].sum(axis=1) > 0
    stuck = [states[int(i)] for i in np.flatnonzero(has_exit & ~reached[:t])]
    if stuck:
        raise ValidationError(
            f"the chain cannot end from {', '.join(map(repr, stuck[:8]))}: no sequence of "
            "transitions leads from there to SUCCESS or FAILURE",
            field="transitions",
            value=stuck,
            hint="Each journey must end in SUCCESS or FAILURE; add the missing outcome rows",
        )


def _check_outcomes_present(counts: FloatArray) -> None:
    t = counts.shape[0] - 2
    if counts[:, t].sum() == 0:
        raise ValidationError(
            "no journey ends in success, so success probabilities and effects are undefined",
            field="outcomes",
            hint="Check how outcomes are assigned (which touchpoints or values mean success)",
        )
    if counts[:, t + 1].sum() == 0:
        raise ValidationError(
            "no journey ends in failure, so there is no friction to measure",
            field="outcomes",
            hint="Check how outcomes are assigned (journeys that are not open and not "
            "successful are failures)",
        )


def _as_fraction(value: Any, field: str) -> float:
    return check_bounds(
        as_float(value, field),
        field,
        low=0.0,
        high=1.0,
        hint="Use a share between 0 (no change) and 1 (remove all direct failures)",
    )


def _as_count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputTypeError(
            f"{field} must be a whole number, got {value!r}", field=field, value=value
        )
    if value < 0:
        raise ValidationError(f"{field} must be >= 0, got {value}", field=field, value=value)
    return int(value)


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------
def _opt(x: Any) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _interval(reps: FloatArray, level: float) -> tuple[float | None, float | None]:
    finite = reps[np.isfinite(reps)]
    if finite.size == 0:
        return None, None
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(finite, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


def _sort(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    order = np.lexsort(
        (frame["touchpoint"].to_numpy(dtype=object), -frame[by].fillna(-np.inf).to_numpy())
    )
    return frame.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------
def _fmt(x: float | None, digits: int = 4) -> str:
    if x is None:
        return "None"
    if math.isfinite(x) and abs(x) >= 10**digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


@attrs.frozen(kw_only=True, repr=False)
class RepairEffect(Result):
    """The counterfactual effect of fixing the friction at one touchpoint.

    Returned by :meth:`MarkovModel.repair_effect`.

    Parameters
    ----------
    touchpoint : str
        The repaired touchpoint.
    change : str
        The repair, as text: ``"reduce_failure_by=0.5"`` or ``"redirect_to='x'"``.
    success_probability : float
        Success probability of the observed chain.
    success_probability_repaired : float
        Success probability after the repair.
    delta_success_probability : float
        Their difference (``>= 0``).
    n_journeys : float
        The number of journeys the delta applies to.
    extra_successes : float
        ``delta_success_probability * n_journeys``.
    value_per_success : float or None
        Value of one success, when given.
    extra_value : float or None
        ``extra_successes * value_per_success``.
    bootstrap : int
        Number of bootstrap resamples (0: no interval).
    ci : float
        Level of the percentile interval.
    delta_low, delta_high : float or None
        Percentile interval of the delta over the resamples.
    delta_draws : numpy.ndarray or None
        The delta of every bootstrap resample (``None`` without bootstrap), so the
        evidence's uncertainty can flow into ranking (see :attr:`value_draws`).
    method : str
        How the counterfactual was computed: ``"first_order"`` (a change of the
        touchpoint's own row: ``reduce_failure_by=`` / ``redirect_to=``), ``"memory"``
        (harm removal, remembering whether the journey met the touchpoint; see
        :meth:`MarkovModel.harm_removal_effect`) or ``"not_comparable"`` (a harm removal
        with nothing to compare with: the delta is NaN).
    supported_share : float or None
        For a harm removal: share of the first visits to the touchpoint made from states
        with enough comparable moves (``None`` for the other repairs).
    """

    touchpoint: str
    change: str
    success_probability: float
    success_probability_repaired: float
    delta_success_probability: float
    n_journeys: float
    extra_successes: float
    value_per_success: float | None = None
    extra_value: float | None = None
    bootstrap: int = 0
    ci: float = 0.95
    delta_low: float | None = None
    delta_high: float | None = None
    delta_draws: FloatArray | None = attrs.field(default=None, eq=False)
    method: str = "first_order"
    supported_share: float | None = None

    _charts: ClassVar[Mapping[str, str]] = {"repair_effects": "repair_effect"}

    @property
    def value_draws(self) -> FloatArray | None:
        """Value of the extra successes in every bootstrap resample.

        ``delta_draws * n_journeys * value_per_success``; ``None`` without bootstrap or
        without a value per success. Pass it as the value at stake of the pain point the
        touchpoint carries: ``frictionkit.rank_risk(journey, value_at_stake={pain:
        effect.value_draws})`` samples it with the other estimates.
        """
        if self.delta_draws is None or self.value_per_success is None:
            return None
        return self.delta_draws * self.n_journeys * self.value_per_success

    @property
    def extra_successes_low(self) -> float | None:
        """Lower bound of the interval of extra successes (``None`` without bootstrap)."""
        return None if self.delta_low is None else self.delta_low * self.n_journeys

    @property
    def extra_successes_high(self) -> float | None:
        """Upper bound of the interval of extra successes (``None`` without bootstrap)."""
        return None if self.delta_high is None else self.delta_high * self.n_journeys

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame (one column per field).

        Examples
        --------
        >>> from frictionkit.markov import MarkovModel
        >>> m = MarkovModel.from_paths([("a",), ("a",)], ["success", "failure"])
        >>> m.repair_effect("a", reduce_failure_by=0.5).to_frame()[
        ...     ["touchpoint", "delta_success_probability", "extra_successes"]
        ... ]
          touchpoint  delta_success_probability  extra_successes
        0          a                       0.25              0.5
        """
        row = attrs.asdict(self, filter=lambda a, _: a.name != "delta_draws")
        row["extra_successes_low"] = self.extra_successes_low
        row["extra_successes_high"] = self.extra_successes_high
        return pd.DataFrame([row])

    def _repr_body(self) -> str:
        text = (
            f"{self.touchpoint!r}, {self.change}: "
            f"success probability {_fmt(self.success_probability)} -> "
            f"{_fmt(self.success_probability_repaired)}, "
            f"+{_fmt(self.extra_successes)} successes"
        )
        if self.extra_value is not None:
            text += f", value {_fmt(self.extra_value)}"
        if self.delta_low is not None and self.delta_high is not None:
            text += (
                f", {self.ci:.0%} CI of delta [{_fmt(self.delta_low)}, "
                f"{_fmt(self.delta_high)}] over {self.bootstrap} resamples"
            )
        return text
