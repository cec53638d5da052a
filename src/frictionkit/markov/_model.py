"""Part of :mod:`frictionkit.markov` (see its documentation)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import Result
from frictionkit._validate import as_float, check_bounds
from frictionkit.estimates import SeedLike, _rng
from frictionkit.events._outcomes import (
    FAILURE,
    FAILURE_STATE,
    RESERVED_STATES,
    START_STATE,
    SUCCESS,
    SUCCESS_STATE,
)
from frictionkit.events._reductions import decided_paths
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.markov._build import _from_arrays, _from_paths, _from_transitions
from frictionkit.markov._core import (
    REDUCE_FAILURE_BY,
    FloatArray,
    IntArray,
    LazyPaths,
    PathsBuilder,
    RepairEffect,
    Routes,
    _as_count,
    _as_fraction,
    _check_absorbing,
    _check_outcomes_present,
    _interval,
    _removal,
    _repair_redirect,
    _repair_reduce,
    _Solution,
    _solve,
    _sort,
)
from frictionkit.markov._harm import HarmRemovalMethods

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog


# --------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------
class MarkovModel(HarmRemovalMethods, LazyPaths, Result):
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
    value_per_success : float or None
        The value of one success that ``repair_effects``, ``repair_effect`` and the harm
        removal use when given none: from :meth:`from_log`, the mean journey value
        (``value_col``) of the log's successful journeys, as in
        :meth:`EventLog.repair_effects`; None otherwise (``extra_value`` is then NaN).

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

    __slots__ = (
        "_counts",
        "_solution",
        "n_open",
        "states",
        "touchpoints",
        "value_per_success",
    )
    _charts: ClassVar[Mapping[str, str]] = {"repair_effects": "markov_repair_effects"}

    def __init__(
        self,
        *,
        touchpoints: Sequence[str],
        counts: IntArray,
        paths: tuple[IntArray, Any, IntArray] | None = None,
        routes: Routes | None = None,
        n_open: int = 0,
        lazy_paths: Callable[[], tuple[PathsBuilder, Routes]] | None = None,
    ) -> None:
        self.touchpoints: tuple[str, ...] = tuple(touchpoints)
        self.states: tuple[str, ...] = (
            START_STATE,
            *self.touchpoints,
            SUCCESS_STATE,
            FAILURE_STATE,
        )
        self._counts = np.asarray(counts, dtype=np.int64)
        self._counts.setflags(write=False)
        # (edge ids, path-by-edge sparse count matrix, path counts) when built from paths
        self._paths_data = paths
        # the distinct routes in visiting order (harm removal needs the order of visits)
        self._routes_data = routes
        # or both built on first use (from_arrays: the chain itself needs only the counts)
        self._lazy_paths = lazy_paths
        self.n_open = int(n_open)
        # the value of one success used when a method is given none (from_log: the log's)
        self.value_per_success: float | None = None
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
        return _from_paths(cls, paths, outcomes, counts)

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
        return _from_arrays(
            cls,
            touchpoints=touchpoints,
            event_touchpoint=event_touchpoint,
            offsets=offsets,
            outcome=outcome,
            counts=counts,
            n_open=n_open,
        )

    @classmethod
    def from_log(cls, log: EventLog) -> MarkovModel:
        """The chain of an event log's decided journeys (see :func:`frictionkit.friction.markov`).

        Parameters
        ----------
        log : EventLog
            The event log (in memory or compact).

        Returns
        -------
        MarkovModel
            Built by :meth:`from_arrays` from the decided journeys up to their outcome;
            open journeys are counted in ``n_open``.

        Raises
        ------
        ValidationError
            All journeys are open, or no journey succeeds or none fails.

        Examples
        --------
        >>> import pandas as pd
        >>> from frictionkit.events import EventLog
        >>> df = pd.DataFrame({"c": list("aabbb"), "t": ["x", "buy", "x", "y", "x"],
        ...                    "ts": pd.date_range("2024-01-01", periods=5, freq="min")})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
        ...                           success="buy", failure="y")
        >>> MarkovModel.from_log(log).success_probability
        0.5
        """
        paths = decided_paths(log, "markov")
        model = cls.from_arrays(
            touchpoints=log.touchpoints,
            event_touchpoint=paths.tp,
            offsets=paths.offsets,
            outcome=np.where(paths.outcome == SUCCESS, SUCCESS, FAILURE).astype(np.int8),
            counts=paths.weight,
            n_open=log.outcome_counts["open"],
        )
        model.value_per_success = _log_success_value(log)
        return model

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
        return _from_transitions(cls, frame, from_col=from_col, to_col=to_col, count_col=count_col)

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
        return self._lazy_paths is not None or self._paths_data is not None

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
        return self._counts_of(self._draws(bootstrap, seed))

    def _draws(self, bootstrap: int, seed: SeedLike) -> IntArray:
        """Journeys per distinct route in each resample (multinomial, same total)."""
        assert self._paths is not None
        weights = self._paths[2]
        rng = _rng(seed)
        total = int(weights.sum())
        out: IntArray = rng.multinomial(total, weights / total, size=bootstrap)
        return out

    def _counts_of(self, draws: IntArray) -> Iterable[FloatArray]:
        """Count matrices of the chains of resampled route weights."""
        assert self._paths is not None
        edges, incidence, _ = self._paths
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
        value = self.value_per_success
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
            if redirect_to == SUCCESS_STATE:
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
        reps = None
        if b_count > 0:
            reps = np.asarray([delta_of(_solve(c)) for c in self._resamples(b_count, seed)])
            reps.setflags(write=False)
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
            delta_draws=reps,
        )

    def repair_effects(
        self,
        *,
        reduce_failure_by: float = REDUCE_FAILURE_BY,
        value_per_success: float | None = None,
        n_journeys: float | None = None,
        bootstrap: int = 0,
        seed: SeedLike = None,
        ci: float = 0.95,
    ) -> pd.DataFrame:
        """Repair effect of every touchpoint at once (``reduce_failure_by`` for each).

        Parameters
        ----------
        reduce_failure_by : float in [0, 1], default 1.0
            As in :meth:`repair_effect`; the default (:data:`REDUCE_FAILURE_BY`, shared
            with :meth:`EventLog.repair_effects`, the chart and the report) removes all of
            the step's direct failures: the value at stake there.
        value_per_success, n_journeys, bootstrap, seed, ci
            As in :meth:`repair_effect`; one set of resamples serves all touchpoints.
            ``value_per_success`` defaults to the log's (see :attr:`value_per_success`).

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
    def _repr_body(self) -> str:
        text = (
            f"{len(self.touchpoints)} touchpoints, {self.n_journeys} journeys: "
            f"{self.n_successes} successes, {self.n_failures} failures"
        )
        if self.n_open:
            text += f"; {self.n_open} open left out"
        return text


def _log_success_value(log: EventLog) -> float | None:
    """Mean journey value of the log's successful journeys (``value_col``), if any."""
    keep = (log.journey_outcome == SUCCESS) & ~np.isnan(log.journey_value)
    values = log.journey_value[keep]
    if len(values) == 0:
        return None
    if log.journey_value_n is None:
        mean = float(values.mean())
    else:  # compact: each row holds the mean of journey_value_n journeys
        n = log.journey_value_n[keep].astype(float)
        mean = float(np.dot(values, n) / n.sum())
    return mean if math.isfinite(mean) and mean >= 0 else None
