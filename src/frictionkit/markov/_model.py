"""Absorbing Markov chains of journeys: success probability, removal and repair effects.

A :class:`MarkovModel` is a first-order absorbing Markov chain over the states
``START``, the touchpoints, ``SUCCESS`` and ``FAILURE``. Every journey enters at
``START``, moves from touchpoint to touchpoint, and is absorbed in ``SUCCESS`` or
``FAILURE``. The transition probabilities are the observed directly-follows counts,
normalised per state (maximum likelihood).

Everything is solved exactly by linear algebra, never by simulation. With ``Q`` the
transient-to-transient block of the transition matrix (transient states: ``START`` and the
touchpoints) and ``r`` the column of transitions into ``SUCCESS``, the fundamental matrix is
``N = (I - Q)^-1`` and the absorption probabilities into ``SUCCESS`` are ``b = N r``. The
success probability is ``b[START]``.

Conventions (pinned)
--------------------
- **Open journeys are excluded.** A journey with no outcome yet ("open") is still under
  way: it is neither a success nor a failure, so it is left out of the chain (its
  transitions are not counted) and reported in :attr:`MarkovModel.n_open`. This follows
  multi-touch attribution tools, which build the chain from completed paths only, each
  ending in a conversion or in the null state; ``FAILURE`` plays the role of that null
  state.
- **Removal effect** (Anderl, Becker, von Wangenheim and Schumann, 2016, "Mapping the
  customer journey: Lessons learned from graph-based online attribution modeling",
  *International Journal of Research in Marketing* 33(3); the R package
  ChannelAttribution): when touchpoint ``k`` is removed, every transition into ``k`` is
  redirected to ``FAILURE``. With ``P`` the success probability and ``P_-k`` the success
  probability of the chain without ``k``, the removal effect is ``1 - P_-k / P``. It is
  computed in closed form: ``P_-k = b[START] - N[START, k] / N[k, k] * b[k]`` (the
  probability of ever reaching ``k`` is ``N[START, k] / N[k, k]``).
- **Repair effect** (what fixing the friction at ``k`` is worth):

  * ``reduce_failure_by=f`` takes the fraction ``f`` of ``k``'s direct transitions to
    ``FAILURE`` and hands it to ``k``'s other successors (touchpoints other than ``k``
    itself, and ``SUCCESS``) in proportion to their transition probabilities. A journey
    leaving ``k`` then fails right away with probability ``(1 - f)`` times the observed
    one, and otherwise goes on as the journeys that did not fail there. Self-loops at
    ``k`` are left as they are.
  * ``redirect_to=t`` sends all of ``k``'s direct transitions to ``FAILURE`` to state
    ``t`` instead (a touchpoint other than ``k``, or ``SUCCESS``).

  The change of one row of the chain is a rank-one update, so the new success probability
  follows exactly from ``N`` and ``b`` (Sherman-Morrison), with no new solve. The repair
  effect is reported as ``delta_success_probability``, ``extra_successes`` (delta times
  the number of journeys) and ``extra_value`` (times ``value_per_success``).
- **Bootstrap**: with ``bootstrap=B`` the journeys are resampled with replacement
  (multinomial on the counts of distinct paths, same total), each resample's chain is
  solved again, and the percentile interval of the delta is reported. Only a model built
  from paths (:meth:`MarkovModel.from_paths`) can be bootstrapped.

Examples
--------
>>> from frictionkit.markov import MarkovModel
>>> model = MarkovModel.from_paths(
...     [("C1", "C2", "C3"), ("C1",), ("C2", "C3")], ["success", "failure", "failure"]
... )
>>> round(model.success_probability, 6)
0.333333
>>> model.removal_effects()
  touchpoint  success_probability_without  removal_effect
0         C2                     0.000000             1.0
1         C3                     0.000000             1.0
2         C1                     0.166667             0.5
"""

from __future__ import annotations

import html
import itertools
import math
import numbers
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._validate import as_float, check_bounds
from frictionkit.estimates import SeedLike, _rng
from frictionkit.exceptions import (
    DataError,
    InputTypeError,
    MissingColumnError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

__all__ = [
    "FAILURE",
    "OPEN",
    "OUTCOMES",
    "RESERVED_STATES",
    "START",
    "SUCCESS",
    "MarkovModel",
    "RepairEffect",
]

#: The state every journey enters first.
START = "START"
#: The absorbing state of journeys that ended in success.
SUCCESS = "SUCCESS"
#: The absorbing state of journeys that ended in failure (the "null" state of
#: attribution tools).
FAILURE = "FAILURE"
#: The name of an undecided outcome in a transition table; such rows are ignored.
OPEN = "OPEN"
#: Names no touchpoint may take.
RESERVED_STATES: tuple[str, ...] = (START, SUCCESS, FAILURE, OPEN)
#: The outcomes a journey can have.
OUTCOMES: tuple[str, ...] = ("success", "failure", "open")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Above this many transient states the chain is solved with a sparse LU factorisation.
_DENSE_MAX = 1500
_BATCH = 256


# --------------------------------------------------------------------------------------
# Pure kernels: numpy in, numpy out, no validation.
# --------------------------------------------------------------------------------------
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


def _check_absorbing(counts: FloatArray, states: Sequence[str]) -> None:
    """Every transient state with exits must be able to reach SUCCESS or FAILURE."""
    from scipy import sparse
    from scipy.sparse.csgraph import breadth_first_order

    s = counts.shape[0]
    t = s - 2
    graph = sparse.csr_matrix((counts > 0).astype(np.int8))
    reverse = graph.T.tocsr()
    reached = np.zeros(s, dtype=bool)
    for target in (t, t + 1):
        order = breadth_first_order(reverse, target, directed=True, return_predecessors=False)
        reached[np.asarray(order)] = True
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
# Results
# --------------------------------------------------------------------------------------
def _fmt(x: float | None, digits: int = 4) -> str:
    if x is None:
        return "None"
    if math.isfinite(x) and abs(x) >= 10**digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


@attrs.frozen(kw_only=True, repr=False)
class RepairEffect:
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
        >>> m = MarkovModel.from_paths([("a",), ("a",)], ["success", "failure"])
        >>> m.repair_effect("a", reduce_failure_by=0.5).to_frame()[
        ...     ["touchpoint", "delta_success_probability", "extra_successes"]
        ... ]
          touchpoint  delta_success_probability  extra_successes
        0          a                       0.25              0.5
        """
        row = attrs.asdict(self)
        row["extra_successes_low"] = self.extra_successes_low
        row["extra_successes_high"] = self.extra_successes_high
        return pd.DataFrame([row])

    def __repr__(self) -> str:
        text = (
            f"RepairEffect({self.touchpoint!r}, {self.change}: "
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
        return text + ")"

    def _repr_html_(self) -> str:
        frame = self.to_frame().T
        frame.columns = pd.Index([self.touchpoint])
        return frame.to_html(escape=True)


# --------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------
class MarkovModel:
    """A first-order absorbing Markov chain of journeys.

    Build it with :meth:`from_paths` (one route per journey, or distinct routes with
    counts; supports the bootstrap) or :meth:`from_transitions` (a table of
    directly-follows counts). See the module documentation for the conventions.

    Attributes
    ----------
    states : tuple of str
        ``START``, the touchpoints (sorted by name), ``SUCCESS``, ``FAILURE``.
    touchpoints : tuple of str
        The touchpoints, sorted by name.
    counts : numpy.ndarray
        The raw transition counts (int64), rows and columns in the order of ``states``.
    n_journeys : int
        Journeys in the chain (decided journeys: successes plus failures).
    n_successes, n_failures : int
        Journeys absorbed in ``SUCCESS`` / ``FAILURE``.
    n_open : int
        Open journeys left out of the chain.

    Examples
    --------
    >>> model = MarkovModel.from_paths(
    ...     [("home", "cart"), ("home",), ("home", "cart", "home")],
    ...     ["success", "failure", "open"],
    ... )
    >>> model
    MarkovModel(2 touchpoints, 2 journeys: 1 successes, 1 failures; 1 open left out)
    >>> model.states
    ('START', 'cart', 'home', 'SUCCESS', 'FAILURE')
    """

    __slots__ = ("_counts", "_paths", "_solution", "n_open", "states", "touchpoints")

    def __init__(
        self,
        *,
        touchpoints: Sequence[str],
        counts: IntArray,
        paths: tuple[IntArray, Any, IntArray] | None = None,
        n_open: int = 0,
    ) -> None:
        self.touchpoints: tuple[str, ...] = tuple(touchpoints)
        self.states: tuple[str, ...] = (START, *self.touchpoints, SUCCESS, FAILURE)
        self._counts = np.asarray(counts, dtype=np.int64)
        self._counts.setflags(write=False)
        # (edge ids, path-by-edge sparse count matrix, path counts) when built from paths
        self._paths = paths
        self.n_open = int(n_open)
        self._solution: _Solution | None = None
        fcounts = self._counts.astype(np.float64)
        _check_outcomes_present(fcounts)
        _check_absorbing(fcounts, self.states)

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_paths(
        cls,
        paths: Iterable[Sequence[Any]],
        outcomes: Iterable[str],
        counts: Iterable[int] | None = None,
    ) -> MarkovModel:
        """Build the chain from journeys given as routes and outcomes.

        Parameters
        ----------
        paths : iterable of sequences
            One route per journey (or per distinct route, with ``counts``): the ordered
            touchpoints visited. Names are converted to text with ``str``. An empty
            route goes straight from ``START`` to the outcome.
        outcomes : iterable of str
            ``"success"``, ``"failure"`` or ``"open"`` for each path. Open journeys are
            left out of the chain and counted in :attr:`n_open`.
        counts : iterable of int, optional
            How many journeys followed each path (default 1 each).

        Returns
        -------
        MarkovModel

        Raises
        ------
        ValidationError
            Lengths differ, an outcome is unknown, a touchpoint has a reserved name, or
            no journey succeeds or none fails.

        Examples
        --------
        Sergey Bryl's three-path example (analyzecore.com, 2016):

        >>> m = MarkovModel.from_paths(
        ...     [("C1", "C2", "C3"), ("C1",), ("C2", "C3")], ["success", "failure", "failure"]
        ... )
        >>> m.n_journeys, m.n_successes
        (3, 1)
        """
        path_list = [tuple(p) for p in _as_sequence(paths, "paths")]
        outcome_list = list(_as_sequence(outcomes, "outcomes"))
        if len(outcome_list) != len(path_list):
            raise ValidationError(
                f"paths and outcomes differ in length ({len(path_list)} vs {len(outcome_list)})",
                field="outcomes",
                hint="Give exactly one outcome per path",
            )
        if counts is None:
            count_list = [1] * len(path_list)
        else:
            count_list = [
                _as_count(c, f"counts[{i}]") for i, c in enumerate(_as_sequence(counts, "counts"))
            ]
            if len(count_list) != len(path_list):
                raise ValidationError(
                    f"paths and counts differ in length ({len(path_list)} vs {len(count_list)})",
                    field="counts",
                    hint="Give exactly one count per path",
                )
        bad = [o for o in outcome_list if not isinstance(o, str) or o not in OUTCOMES]
        if bad:
            raise ValidationError(
                f"unknown outcome {bad[0]!r}{did_you_mean(bad[0], OUTCOMES)}; "
                f"outcomes must be one of {', '.join(OUTCOMES)}",
                field="outcomes",
                value=bad[0],
            )
        keep = [
            i for i, (o, c) in enumerate(zip(outcome_list, count_list, strict=True)) if o != "open"
        ]
        n_open = sum(c for o, c in zip(outcome_list, count_list, strict=True) if o == "open")
        keep = [i for i in keep if count_list[i] > 0]
        if not keep:
            raise ValidationError(
                "no decided journey: every journey is open or has count 0",
                field="outcomes",
                hint="The chain needs journeys that ended in success or failure",
            )
        kept_paths = [path_list[i] for i in keep]
        # validate and name each distinct element once (the paths repeat them)
        try:
            distinct: Iterable[Any] = set(itertools.chain.from_iterable(kept_paths))
        except TypeError:
            distinct = list(itertools.chain.from_iterable(kept_paths))
        text = {}
        for x in distinct:
            try:
                text[x] = _name(x, "paths")
            except (InputTypeError, ValidationError):
                where = next(j for j, path in zip(keep, kept_paths, strict=True) if x in path)
                text[x] = _name(x, f"paths[{where}]")
        names = sorted(set(text.values()))
        for name in names:
            _check_touchpoint_name(name, "paths")
        index = {name: i for i, name in enumerate(names)}
        code_of = {x: index[v] for x, v in text.items()}
        lengths = np.fromiter((len(path) for path in kept_paths), dtype=np.int64, count=len(keep))
        codes = np.fromiter(
            (code_of[x] for path in kept_paths for x in path),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        return cls.from_arrays(
            touchpoints=names,
            event_touchpoint=codes,
            offsets=np.r_[0, np.cumsum(lengths)],
            outcome=np.fromiter(
                (1 if outcome_list[i] == "success" else 2 for i in keep),
                dtype=np.int64,
                count=len(keep),
            ),
            counts=np.asarray([count_list[i] for i in keep], dtype=np.int64),
            n_open=n_open,
        )

    @classmethod
    def from_arrays(
        cls,
        *,
        touchpoints: Sequence[str],
        event_touchpoint: npt.ArrayLike,
        offsets: npt.ArrayLike,
        outcome: npt.ArrayLike,
        counts: npt.ArrayLike | None = None,
        n_open: int = 0,
    ) -> MarkovModel:
        """Build the chain from integer-coded journeys, without a Python loop over them.

        This is the fast path behind :meth:`EventLog.markov`: the transition counts are
        one ``bincount`` over the events, and the distinct routes (for the bootstrap)
        come from :func:`frictionkit.routes.route_codes`.

        Parameters
        ----------
        touchpoints : sequence of str
            Names of the touchpoint codes ``0 .. len(touchpoints) - 1``. Touchpoints that
            no journey visits are left out of the chain.
        event_touchpoint : array of int
            Touchpoint code of each event, journey after journey.
        offsets : array of int
            Start of each journey in ``event_touchpoint``, plus the total at the end. An
            empty journey goes straight from ``START`` to its outcome.
        outcome : array of int
            ``1`` (success) or ``2`` (failure) per journey; open journeys are left out
            by the caller and counted in ``n_open``.
        counts : array of int, optional
            How many journeys each row stands for (default 1 each).
        n_open : int, default 0
            Open journeys left out.

        Returns
        -------
        MarkovModel
            Same counts as :meth:`from_paths` on the same journeys; can be bootstrapped.

        Raises
        ------
        ValidationError
            Inconsistent arrays, codes out of range, outcomes other than 1 and 2, a
            reserved touchpoint name, or no success or no failure.

        Examples
        --------
        >>> import numpy as np
        >>> m = MarkovModel.from_arrays(
        ...     touchpoints=["C1", "C2", "C3"],
        ...     event_touchpoint=np.array([0, 1, 2, 0, 1, 2]),
        ...     offsets=np.array([0, 3, 4, 6]),
        ...     outcome=np.array([1, 2, 2]),
        ... )
        >>> round(m.success_probability, 6)
        0.333333
        """
        names = [_name(x, "touchpoints") for x in touchpoints]
        for name in names:
            _check_touchpoint_name(name, "touchpoints")
        if len(set(names)) != len(names):
            raise ValidationError(
                "touchpoints holds a name twice", field="touchpoints", value=names
            )
        tp = np.asarray(event_touchpoint, dtype=np.int64)
        off = np.asarray(offsets, dtype=np.int64)
        oc = np.asarray(outcome, dtype=np.int64)
        n_j = len(off) - 1
        k = len(names)
        lengths = np.diff(off) if n_j >= 0 else np.zeros(0, dtype=np.int64)
        if (
            tp.ndim != 1
            or off.ndim != 1
            or n_j < 1
            or off[0] != 0
            or off[-1] != len(tp)
            or (lengths < 0).any()
            or len(oc) != n_j
        ):
            raise ValidationError(
                "offsets must start at 0, end at the number of events, never decrease, and "
                "match one outcome per journey",
                field="offsets",
                hint="offsets has one entry per journey plus the total at the end",
            )
        if len(tp) and (tp.min() < 0 or tp.max() >= k):
            raise ValidationError(
                f"event_touchpoint holds codes outside 0..{k - 1}", field="event_touchpoint"
            )
        if not np.isin(oc, (1, 2)).all():
            raise ValidationError(
                "outcome must be 1 (success) or 2 (failure) for every journey",
                field="outcome",
                hint="Leave open journeys out and count them in n_open",
            )
        if counts is None:
            w = np.ones(n_j, dtype=np.int64)
        else:
            w = np.asarray(counts, dtype=np.int64)
            if len(w) != n_j or (w < 0).any():
                raise ValidationError(
                    "counts must hold one whole number >= 0 per journey", field="counts"
                )
        # keep only the touchpoints that occur, in name order (as from_paths does)
        used = np.bincount(tp, weights=np.repeat(w, lengths), minlength=k) > 0
        order = sorted(np.flatnonzero(used).tolist(), key=lambda i: names[i])
        remap = np.zeros(k, dtype=np.int64)
        remap[order] = np.arange(1, len(order) + 1)
        code = remap[tp]
        s = len(order) + 3
        has = lengths > 0
        first, last = off[:-1][has], off[1:][has] - 1
        jj = np.repeat(np.arange(n_j, dtype=np.int64), lengths)
        inner = np.flatnonzero(jj[1:] == jj[:-1])
        end = np.where(oc == 1, s - 2, s - 1)
        idx_j = np.arange(n_j, dtype=np.int64)
        src = np.concatenate((np.zeros(n_j, dtype=np.int64), code[inner], code[last]))
        dst = np.concatenate((np.where(has, 0, end), code[inner + 1], end[has]))
        dst[:n_j][has] = code[first]
        edge_j = np.concatenate((idx_j, jj[inner], idx_j[has]))
        edge = src * s + dst
        flat = np.bincount(edge, weights=w[edge_j], minlength=s * s)
        # distinct (route, outcome) pairs, and the edges of one journey of each
        from scipy import sparse

        from frictionkit.routes import route_codes

        route = np.full(n_j, -1, dtype=np.int64)
        if has.any():
            route[has] = route_codes(tp, np.r_[off[:-1][has], off[-1]], k)
        key = route * 2 + (oc == 2)
        uniq, rid = np.unique(key, return_inverse=True)
        rid = rid.astype(np.int64)
        weights = np.bincount(rid, weights=w, minlength=len(uniq)).astype(np.int64)
        rep = np.full(len(uniq), -1, dtype=np.int64)
        rep[rid[::-1]] = np.arange(n_j - 1, -1, -1, dtype=np.int64)
        is_rep = np.zeros(n_j, dtype=bool)
        is_rep[rep] = True
        sel = is_rep[edge_j]
        unique, col = np.unique(edge[sel], return_inverse=True)
        incidence = sparse.csr_matrix(
            (np.ones(int(sel.sum()), dtype=np.int64), (rid[edge_j[sel]], col.ravel())),
            shape=(len(uniq), len(unique)),
        )
        incidence.sum_duplicates()
        live = weights > 0
        if not live.all():
            incidence = incidence[np.flatnonzero(live)]
            weights = weights[live]
        return cls(
            touchpoints=[names[i] for i in order],
            counts=np.rint(flat).astype(np.int64).reshape(s, s),
            paths=(unique.astype(np.int64), incidence, weights),
            n_open=int(n_open),
        )

    @classmethod
    def from_transitions(
        cls,
        frame: pd.DataFrame,
        *,
        from_col: str = "from",
        to_col: str = "to",
        count_col: str = "journeys",
    ) -> MarkovModel:
        """Build the chain from a table of directly-follows counts.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per transition: the state it leaves, the state it enters and how
            many times it occurred. States are ``START``, touchpoints, ``SUCCESS`` and
            ``FAILURE``; names are converted to text. Rows entering ``OPEN`` (journeys
            still under way) are ignored; the other transitions of those journeys stay
            in the counts, so for the strict "open journeys excluded" convention pass
            the transitions of decided journeys only, or use :meth:`from_paths`.
            Repeated (from, to) pairs are added up.
        from_col, to_col, count_col : str
            Column names. ``count_col`` holds how many times the transition occurred.

        Returns
        -------
        MarkovModel
            A model without journey-level data: it cannot be bootstrapped.

        Raises
        ------
        MissingColumnError
            A column is missing.
        DataError
            Empty names, or counts that are missing, negative or not whole numbers
            (``failure_cases`` holds the rows).
        ValidationError
            Misplaced reserved states, a touchpoint with no outgoing transition, no
            success or no failure.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame(
        ...     {
        ...         "from": ["START", "START", "a", "a", "b"],
        ...         "to": ["a", "b", "SUCCESS", "FAILURE", "FAILURE"],
        ...         "journeys": [3, 1, 2, 1, 1],
        ...     }
        ... )
        >>> MarkovModel.from_transitions(t).success_probability
        0.5
        """
        if not isinstance(frame, pd.DataFrame):
            raise InputTypeError(
                f"frame must be a pandas DataFrame, got {type(frame).__name__}",
                field="frame",
                value=type(frame).__name__,
            )
        for field, col in (("from_col", from_col), ("to_col", to_col), ("count_col", count_col)):
            if col not in frame.columns:
                raise MissingColumnError(
                    f"{field}: no column {col!r} in the transitions table"
                    + did_you_mean(col, frame.columns),
                    field=field,
                    value=col,
                    hint=f"Columns are: {', '.join(map(repr, map(str, frame.columns)))}",
                )
        src = frame[from_col]
        dst = frame[to_col]
        raw = frame[count_col]
        bad_names = src.isna().to_numpy() | dst.isna().to_numpy()
        if bad_names.any():
            raise DataError(
                f"{int(bad_names.sum())} transition row(s) have no {from_col!r} or "
                f"{to_col!r} state",
                failure_cases=frame.loc[bad_names],
                field=from_col,
                hint="Drop or fill those rows",
            )
        numeric = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(numeric) | (numeric < 0) | (numeric != np.floor(numeric))
        if bad.any():
            raise DataError(
                f"{int(bad.sum())} row(s) of {count_col!r} are not whole numbers >= 0",
                failure_cases=frame.loc[bad],
                field=count_col,
                hint="Counts are numbers of transitions: 0, 1, 2, ...",
            )
        from_names = [str(x) for x in src.tolist()]
        to_names = [str(x) for x in dst.tolist()]
        for field, names in ((from_col, from_names), (to_col, to_names)):
            empty = [i for i, x in enumerate(names) if not x.strip()]
            if empty:
                raise DataError(
                    f"{len(empty)} row(s) have an empty {field!r} state",
                    failure_cases=frame.iloc[empty],
                    field=field,
                )
        misplaced = [
            (i, f"{a!r} -> {b!r}")
            for i, (a, b) in enumerate(zip(from_names, to_names, strict=True))
            if a in (SUCCESS, FAILURE, OPEN) or b == START
        ]
        if misplaced:
            raise DataError(
                f"transitions out of an outcome state or into {START!r}: {misplaced[0][1]}",
                failure_cases=frame.iloc[[i for i, _ in misplaced]],
                field=from_col,
                hint=f"{START!r} only starts journeys; {SUCCESS!r}, {FAILURE!r} and {OPEN!r} "
                "only end them",
            )
        keep = [i for i, b in enumerate(to_names) if b != OPEN]
        if START not in from_names:
            raise ValidationError(
                f"no transition leaves {START!r}, so no journey starts",
                field=from_col,
                hint=f"Add rows from {START!r} to the first touchpoint of each journey",
            )
        touchpoints = sorted(
            {x for x in from_names if x != START}
            | {x for x in to_names if x not in RESERVED_STATES}
        )
        index = {name: i + 1 for i, name in enumerate(touchpoints)}
        s = len(touchpoints) + 3
        index[START] = 0
        index[SUCCESS] = s - 2
        index[FAILURE] = s - 1
        rows = np.asarray([index[from_names[i]] for i in keep], dtype=np.int64)
        cols = np.asarray([index[to_names[i]] for i in keep], dtype=np.int64)
        flat = np.bincount(rows * s + cols, weights=numeric[keep], minlength=s * s)
        counts = np.rint(flat).astype(np.int64).reshape(s, s)
        no_exit = [touchpoints[i - 1] for i in range(1, s - 2) if counts[i].sum() == 0]
        if no_exit:
            raise ValidationError(
                f"touchpoint(s) {', '.join(map(repr, no_exit[:8]))} have no outgoing transition",
                field=to_col,
                value=no_exit,
                hint="Journeys that end at a touchpoint need a row from it to SUCCESS or FAILURE",
            )
        return cls(touchpoints=touchpoints, counts=counts)

    # -- basic properties -------------------------------------------------------------
    @property
    def counts(self) -> IntArray:
        """Raw transition counts (read-only int64 array, rows/columns as ``states``)."""
        return self._counts

    @property
    def n_successes(self) -> int:
        """Journeys absorbed in ``SUCCESS``."""
        return int(self._counts[:, -2].sum())

    @property
    def n_failures(self) -> int:
        """Journeys absorbed in ``FAILURE``."""
        return int(self._counts[:, -1].sum())

    @property
    def n_journeys(self) -> int:
        """Journeys in the chain (those leaving ``START``)."""
        return int(self._counts[0].sum())

    @property
    def can_bootstrap(self) -> bool:
        """Whether journey-level data is kept (built from paths)."""
        return self._paths is not None

    def _solved(self) -> _Solution:
        if self._solution is None:
            self._solution = _solve(self._counts.astype(np.float64))
        return self._solution

    @property
    def success_probability(self) -> float:
        """Probability that a journey leaving ``START`` is absorbed in ``SUCCESS``.

        Examples
        --------
        >>> m = MarkovModel.from_paths([("a",), ("a", "b"), ("b",)], ["success"] * 2 + ["failure"])
        >>> round(m.success_probability, 4)
        0.6667
        """
        return self._solved().success_probability

    # -- tables --------------------------------------------------------------------------
    def transition_matrix(self) -> pd.DataFrame:
        """Transition probabilities of the chain as a table.

        Rows are ``START`` and the touchpoints (``from``); columns the touchpoints,
        ``SUCCESS`` and ``FAILURE`` (``to``). Each row sums to 1.

        Examples
        --------
        >>> m = MarkovModel.from_paths([("a",), ("a",)], ["success", "failure"])
        >>> m.transition_matrix()
        to       a  SUCCESS  FAILURE
        from
        START  1.0      0.0      0.0
        a      0.0      0.5      0.5
        """
        prob = self._solved().prob
        return pd.DataFrame(
            prob[:, 1:],
            index=pd.Index(list(self.states[:-2]), name="from"),
            columns=pd.Index(list(self.states[1:]), name="to"),
        )

    def to_frame(self) -> pd.DataFrame:
        """The observed transitions as a long table.

        Returns
        -------
        pandas.DataFrame
            ``from``, ``to``, ``journeys`` (count of the transition), ``probability``
            (share of the ``from`` state's outgoing transitions); one row per non-zero
            transition, in state order.

        Examples
        --------
        >>> m = MarkovModel.from_paths([("a",), ("a",)], ["success", "failure"])
        >>> m.to_frame()
            from       to  journeys  probability
        0  START        a         2          1.0
        1      a  SUCCESS         1          0.5
        2      a  FAILURE         1          0.5
        """
        prob = self._solved().prob
        t = prob.shape[0]
        i, j = np.nonzero(self._counts[:t])
        states = np.asarray(self.states, dtype=object)
        return pd.DataFrame(
            {
                "from": pd.Series(states[i].tolist(), dtype=str),
                "to": pd.Series(states[j].tolist(), dtype=str),
                "journeys": self._counts[i, j].astype(np.int64),
                "probability": prob[i, j],
            }
        )

    def removal_effects(self) -> pd.DataFrame:
        """Removal effect of every touchpoint (Anderl et al., 2016; ChannelAttribution).

        Removing touchpoint ``k`` redirects every transition into ``k`` to ``FAILURE``.

        Returns
        -------
        pandas.DataFrame
            ``touchpoint``, ``success_probability_without`` (``P_-k``) and
            ``removal_effect`` (``1 - P_-k / P``, in ``[0, 1]``; 0 when ``P`` is 0);
            sorted by removal effect (largest first), then touchpoint.

        Examples
        --------
        >>> m = MarkovModel.from_paths([("a", "b"), ("b",), ("a",)], ["success"] * 2 + ["failure"])
        >>> m.removal_effects()
          touchpoint  success_probability_without  removal_effect
        0          b                     0.000000            1.00
        1          a                     0.333333            0.50
        """
        sol = self._solved()
        without = _removal(sol)
        p = sol.success_probability
        # A chain that never succeeds from START (possible only from a transition table
        # whose successes are unreachable) has nothing to remove: effect 0.
        effect = np.clip(1.0 - without / p, 0.0, 1.0) if p > 0 else np.zeros_like(without)
        frame = pd.DataFrame(
            {
                "touchpoint": pd.Series(self.touchpoints, dtype=str),
                "success_probability_without": without,
                "removal_effect": effect,
            }
        )
        return _sort(frame, "removal_effect")

    # -- repair effects ------------------------------------------------------------------
    def _index(self, touchpoint: Any, field: str = "touchpoint") -> int:
        if not isinstance(touchpoint, str):
            raise InputTypeError(
                f"{field} must be a touchpoint name, got {touchpoint!r}",
                field=field,
                value=touchpoint,
            )
        if touchpoint in RESERVED_STATES:
            raise ValidationError(
                f"{field}: {touchpoint!r} is a reserved state, not a touchpoint",
                field=field,
                value=touchpoint,
                hint="Name one of the touchpoints in model.touchpoints",
            )
        try:
            return self.touchpoints.index(touchpoint) + 1
        except ValueError:
            raise UnknownReferenceError(
                f"{field}: unknown touchpoint {touchpoint!r}"
                + did_you_mean(touchpoint, self.touchpoints),
                field=field,
                value=touchpoint,
                hint=f"Known touchpoints: {', '.join(map(repr, self.touchpoints[:12]))}"
                + (" …" if len(self.touchpoints) > 12 else ""),
            ) from None

    def _resamples(self, bootstrap: int, seed: SeedLike) -> Iterable[FloatArray]:
        """Count matrices of ``bootstrap`` journey resamples (multinomial on path counts)."""
        if self._paths is None:
            raise ValidationError(
                "bootstrap needs the individual journeys, but this model was built from "
                "a table of transition counts",
                field="bootstrap",
                value=bootstrap,
                hint="Build the model with MarkovModel.from_paths (journey routes and "
                "outcomes), or use bootstrap=0",
            )
        edges, incidence, weights = self._paths
        rng = _rng(seed)
        total = int(weights.sum())
        draws = rng.multinomial(total, weights / total, size=bootstrap)
        edge_counts = np.asarray(incidence.T @ draws.T, dtype=np.float64).T  # (B, E)
        s = len(self.states)
        for row in edge_counts:
            flat = np.zeros(s * s)
            flat[edges] = row
            yield flat.reshape(s, s)

    def _scale(self, n_journeys: Any, value_per_success: Any) -> tuple[float, float | None]:
        if n_journeys is None:
            n = float(self.n_journeys)
        else:
            n = check_bounds(as_float(n_journeys, "n_journeys"), "n_journeys", low=0.0)
        value = None
        if value_per_success is not None:
            value = check_bounds(
                as_float(value_per_success, "value_per_success"), "value_per_success", low=0.0
            )
        return n, value

    def repair_effect(
        self,
        touchpoint: str,
        *,
        reduce_failure_by: float | None = None,
        redirect_to: str | None = None,
        value_per_success: float | None = None,
        n_journeys: float | None = None,
        bootstrap: int = 0,
        seed: SeedLike = None,
        ci: float = 0.95,
    ) -> RepairEffect:
        """Counterfactual gain in success probability if the friction at a touchpoint were fixed.

        Parameters
        ----------
        touchpoint : str
            The touchpoint to repair.
        reduce_failure_by : float in [0, 1], optional
            Share of the touchpoint's direct transitions to ``FAILURE`` handed to its
            other successors (other touchpoints and ``SUCCESS``, not itself) in
            proportion to their probabilities. ``0`` changes nothing; ``1`` removes
            all direct failures there.
        redirect_to : str, optional
            Instead, send all direct failures of the touchpoint to this state (another
            touchpoint, or ``"SUCCESS"``). Give exactly one of the two.
        value_per_success : float, optional
            Value of one success (e.g. margin of an order); adds ``extra_value``.
        n_journeys : float, optional
            Journeys the delta applies to (default: the journeys in the chain; pass a
            monthly or yearly volume to scale).
        bootstrap : int, default 0
            Number of journey resamples for a percentile interval of the delta.
            Needs a model built with :meth:`from_paths`.
        seed : int or numpy.random.Generator, optional
            Seed of the resampling; the same seed gives the same interval.
        ci : float, default 0.95
            Level of the interval.

        Returns
        -------
        RepairEffect

        Raises
        ------
        UnknownReferenceError
            Unknown touchpoint (with the closest name).
        ValidationError
            Both or neither of ``reduce_failure_by`` / ``redirect_to``; a share outside
            ``[0, 1]``; a repair that is impossible (no other successor to hand failures
            to, or a redirect that leaves the journey no way out); bootstrap on a model
            built from transition counts.

        Examples
        --------
        >>> m = MarkovModel.from_paths(
        ...     [("pay", "done"), ("pay",), ("pay", "error")], ["success", "failure", "failure"]
        ... )
        >>> r = m.repair_effect("error", redirect_to="done", value_per_success=40)
        >>> round(r.delta_success_probability, 4), round(r.extra_successes, 4), r.extra_value
        (0.3333, 1.0, 40.0)
        >>> round(m.repair_effect("pay", reduce_failure_by=0.5).delta_success_probability, 4)
        0.0833
        """
        k = self._index(touchpoint)
        if (reduce_failure_by is None) == (redirect_to is None):
            raise ValidationError(
                "give exactly one of reduce_failure_by= or redirect_to=",
                field="reduce_failure_by",
                value=(reduce_failure_by, redirect_to),
                hint="reduce_failure_by=0.5 halves the direct failures at the touchpoint; "
                "redirect_to='x' sends them to state x",
            )
        n, value = self._scale(n_journeys, value_per_success)
        b_count = _as_count(bootstrap, "bootstrap")
        level = as_float(ci, "ci")
        if not 0.0 < level < 1.0:
            raise ValidationError(f"ci must be between 0 and 1, got {level:g}", field="ci")
        t = len(self.states) - 2
        f = 0.0
        if reduce_failure_by is not None:
            f = _as_fraction(reduce_failure_by, "reduce_failure_by")
            change = f"reduce_failure_by={f:g}"

            def delta_of(sol: _Solution) -> float:
                return float(_repair_reduce(sol, f)[k - 1])

        else:
            if redirect_to == SUCCESS:
                target = t
            else:
                target = self._index(redirect_to, "redirect_to")
                if target == k:
                    raise ValidationError(
                        f"redirect_to must differ from the repaired touchpoint {touchpoint!r}",
                        field="redirect_to",
                        value=redirect_to,
                        hint="Redirect failures to a later touchpoint or to 'SUCCESS'",
                    )
            change = f"redirect_to={redirect_to!r}"

            def delta_of(sol: _Solution) -> float:
                return _repair_redirect(sol, k, target)

        sol = self._solved()
        delta = delta_of(sol)
        if math.isnan(delta):
            raise ValidationError(
                f"cannot apply {change} at {touchpoint!r}: the journeys there would have no "
                "way to end (no other successor, or a closed loop)",
                field="reduce_failure_by" if reduce_failure_by is not None else "redirect_to",
                value=reduce_failure_by if reduce_failure_by is not None else redirect_to,
                hint="Use redirect_to= with a state that leads to an outcome",
            )
        low = high = None
        if b_count > 0:
            reps = np.asarray([delta_of(_solve(c)) for c in self._resamples(b_count, seed)])
            low, high = _interval(reps, level)
        p = sol.success_probability
        delta = float(delta)
        return RepairEffect(
            touchpoint=touchpoint,
            change=change,
            success_probability=p,
            success_probability_repaired=p + delta,
            delta_success_probability=delta,
            n_journeys=n,
            extra_successes=delta * n,
            value_per_success=value,
            extra_value=None if value is None else delta * n * value,
            bootstrap=b_count,
            ci=level,
            delta_low=low,
            delta_high=high,
        )

    def repair_effects(
        self,
        *,
        reduce_failure_by: float = 0.5,
        value_per_success: float | None = None,
        n_journeys: float | None = None,
        bootstrap: int = 0,
        seed: SeedLike = None,
        ci: float = 0.95,
    ) -> pd.DataFrame:
        """Repair effect of every touchpoint at once (``reduce_failure_by`` for each).

        Parameters
        ----------
        reduce_failure_by : float in [0, 1], default 0.5
            As in :meth:`repair_effect`.
        value_per_success, n_journeys, bootstrap, seed, ci
            As in :meth:`repair_effect`; one set of resamples serves all touchpoints.

        Returns
        -------
        pandas.DataFrame
            ``touchpoint``, ``failure_probability`` (share of its exits going straight
            to ``FAILURE``), ``success_probability``, ``success_probability_repaired``,
            ``delta_success_probability``, ``extra_successes``, ``extra_value`` (NaN
            without ``value_per_success``), and with a bootstrap ``delta_low`` and
            ``delta_high``. Sorted by delta (largest first), then touchpoint. The delta
            is NaN for a touchpoint whose only exit is ``FAILURE`` (nothing to hand the
            failures to; use :meth:`repair_effect` with ``redirect_to=``).

        Examples
        --------
        >>> m = MarkovModel.from_paths(
        ...     [("pay", "done"), ("pay",), ("pay", "error")], ["success", "failure", "failure"]
        ... )
        >>> m.repair_effects(reduce_failure_by=1.0)[["touchpoint", "delta_success_probability"]]
          touchpoint  delta_success_probability
        0        pay                   0.166667
        1       done                   0.000000
        2      error                        NaN
        """
        f = _as_fraction(reduce_failure_by, "reduce_failure_by")
        n, value = self._scale(n_journeys, value_per_success)
        b_count = _as_count(bootstrap, "bootstrap")
        level = as_float(ci, "ci")
        if not 0.0 < level < 1.0:
            raise ValidationError(f"ci must be between 0 and 1, got {level:g}", field="ci")
        sol = self._solved()
        delta = _repair_reduce(sol, f)
        p = sol.success_probability
        t = sol.prob.shape[0]
        exits = sol.prob[1:].sum(axis=1) - sol.prob[np.arange(1, t), np.arange(1, t)]
        with np.errstate(divide="ignore", invalid="ignore"):
            fail_share = np.where(exits > 0, sol.prob[1:, t + 1] / exits, 0.0)
        frame = pd.DataFrame(
            {
                "touchpoint": pd.Series(self.touchpoints, dtype=str),
                "failure_probability": fail_share,
                "success_probability": np.full(t - 1, p),
                "success_probability_repaired": p + delta,
                "delta_success_probability": delta,
                "extra_successes": delta * n,
                "extra_value": delta * n * (np.nan if value is None else value),
            }
        )
        if b_count > 0:
            reps = np.vstack([_repair_reduce(_solve(c), f) for c in self._resamples(b_count, seed)])
            bounds = [_interval(reps[:, j], level) for j in range(t - 1)]
            frame["delta_low"] = [lo for lo, _ in bounds]
            frame["delta_high"] = [hi for _, hi in bounds]
        return _sort(frame, "delta_success_probability")

    # -- display -------------------------------------------------------------------------
    def __repr__(self) -> str:
        text = (
            f"MarkovModel({len(self.touchpoints)} touchpoints, {self.n_journeys} journeys: "
            f"{self.n_successes} successes, {self.n_failures} failures"
        )
        if self.n_open:
            text += f"; {self.n_open} open left out"
        return text + ")"

    def _repr_html_(self) -> str:
        rows = [
            ("touchpoints", len(self.touchpoints)),
            ("journeys", self.n_journeys),
            ("successes", self.n_successes),
            ("failures", self.n_failures),
            ("open (left out)", self.n_open),
        ]
        body = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows
        )
        return f"<table><caption>MarkovModel</caption>{body}</table>"


def _as_sequence(value: Any, field: str) -> Sequence[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputTypeError(
            f"{field} must be a list, got {type(value).__name__}",
            field=field,
            value=type(value).__name__,
        )
    return list(value)


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
