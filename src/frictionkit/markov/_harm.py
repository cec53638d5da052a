"""Harm-removal methods of :class:`~frictionkit.markov.MarkovModel` (a mixin of the class).

Part of :mod:`frictionkit.markov` (see its documentation, "Harm removal"); the kernels
are in :mod:`frictionkit.markov._memory`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit._validate import as_float
from frictionkit.estimates import SeedLike
from frictionkit.exceptions import ValidationError
from frictionkit.markov._comparison import (
    ENDED_SHARE_MAX,
    ends_are_moves,
    last_steps,
    narrowing_mask,
)
from frictionkit.markov._core import (
    FloatArray,
    IntArray,
    RepairEffect,
    Routes,
    _as_count,
    _interval,
    _opt,
    _sort,
)
from frictionkit.markov._memory import batches, end_counts, harm_removal, move_counts, route_keys


class HarmRemovalMethods:
    """Harm removal; see :class:`~frictionkit.markov.MarkovModel`."""

    __slots__ = ()

    # provided by MarkovModel
    if TYPE_CHECKING:  # pragma: no cover

        @property
        def _routes(self) -> Routes | None: ...

    touchpoints: tuple[str, ...]
    states: tuple[str, ...]

    def _index(self, touchpoint: Any, field: str = "touchpoint") -> int:
        raise NotImplementedError  # pragma: no cover - MarkovModel defines it

    def _scale(self, n_journeys: Any, value_per_success: Any) -> tuple[float, float | None]:
        raise NotImplementedError  # pragma: no cover - MarkovModel defines it

    def _draws(self, bootstrap: int, seed: SeedLike) -> IntArray:
        raise NotImplementedError  # pragma: no cover - MarkovModel defines it

    # -- harm removal (a counterfactual that remembers) ----------------------------------
    def harm_removal_effects(
        self,
        *,
        value_per_success: float | None = None,
        n_journeys: float | None = None,
        min_support: int = 30,
        bootstrap: int = 0,
        seed: SeedLike = None,
        ci: float = 0.95,
    ) -> pd.DataFrame:
        """What removing each touchpoint's harm is worth, harm after the step included.

        For each touchpoint ``t`` the moves are split by whether the journey has met
        ``t``. With ``t``'s harm removed, a journey that was about to meet ``t`` goes on
        instead like the comparable journeys that were in the same state and had not
        met it, with their whole observed future: it succeeds at their success share.
        Which moves are comparable is the rule of the friction table
        (``frictionkit.markov._comparison``): moves to other touchpoints, narrowed to
        ``t``'s successors where there are ``min_support`` of those, and ending right
        there only at a step where journeys end both ways and never for a last step
        (no successor, its visitors end right after it; it is compared with the other
        last steps). Unlike
        :meth:`repair_effects`, this counts harm that shows after the step (a payment
        error whose customers retry and abandon later) and does not count natural exits
        after a browsing step as harm. ``extra_successes`` is the touchpoint's
        **attributable failures**: failed journeys that would have succeeded without
        its harm, as in :func:`frictionkit.friction.friction`. See "Harm removal" in the
        module documentation.

        Parameters
        ----------
        value_per_success : float, optional
            Value of one success; adds ``extra_value``.
        n_journeys : float, optional
            Journeys the delta applies to (default: the journeys in the chain).
        min_support : int, default 30
            Comparable moves a state needs for its visitors to be compared (they must
            also make up 5 % of the moves on from it); the others keep their own
            outcome. When no first visit is compared, or the journeys that did not take
            the touchpoint mostly ended right there (their alternative is the end: the
            road-fines log's Send Fine), ``method`` says ``"not_comparable"`` and the
            delta is NaN.
        bootstrap : int, default 0
            Journey resamples for a percentile interval of each delta (one set of
            resamples for all touchpoints; each resample is estimated again).
        seed : int or numpy.random.Generator, optional
            Seed of the resampling.
        ci : float, default 0.95
            Level of the interval.

        Returns
        -------
        pandas.DataFrame
            ``touchpoint``, ``visitors`` and ``failed_visitors`` (decided journeys that
            visited it, all and failed), ``success_probability``,
            ``success_probability_without_harm``, ``delta_success_probability`` (negative
            when the visitors did better than comparable journeys: the step helps),
            ``extra_successes``, ``extra_value`` (NaN without ``value_per_success``),
            ``supported_share`` (share of the first visits that are compared) and
            ``method`` (``"memory"`` or ``"not_comparable"``), and
            with a bootstrap ``delta_low``, ``delta_high``, ``extra_successes_low``,
            ``extra_successes_high``. Sorted by delta (largest first), then touchpoint.

        Raises
        ------
        ValidationError
            The model was built from a transition table (the order of visits is lost),
            or a bad ``min_support``, ``bootstrap`` or ``ci``.

        Examples
        --------
        Two of the three journeys that meet ``error`` fail; the journey that did not
        meet it succeeded from ``pay``:

        >>> from frictionkit.markov import MarkovModel
        >>> m = MarkovModel.from_paths(
        ...     [("pay",), ("pay", "error", "pay"), ("pay", "error"), ("pay", "error", "pay")],
        ...     ["success", "success", "failure", "failure"],
        ... )
        >>> m.harm_removal_effects(min_support=1)[
        ...     ["touchpoint", "failed_visitors", "extra_successes", "method"]
        ... ]
          touchpoint  failed_visitors  extra_successes       method
        0      error              2.0              2.0          memory
        1        pay              2.0              NaN  not_comparable

        ``pay`` is the first step of every journey: no journey was where its visitors
        were without going on to it, so there is nothing to compare with.
        """
        frame, _ = self._harm(None, value_per_success, n_journeys, min_support, bootstrap, seed, ci)
        return frame

    def harm_removal_effect(
        self,
        touchpoint: str,
        *,
        value_per_success: float | None = None,
        n_journeys: float | None = None,
        min_support: int = 30,
        bootstrap: int = 0,
        seed: SeedLike = None,
        ci: float = 0.95,
    ) -> RepairEffect:
        """What removing one touchpoint's harm is worth (see :meth:`harm_removal_effects`).

        Parameters
        ----------
        touchpoint : str
            The touchpoint whose harm is removed.
        value_per_success, n_journeys, min_support, bootstrap, seed, ci
            As in :meth:`harm_removal_effects`.

        Returns
        -------
        RepairEffect
            With ``change="harm_removed"``, ``method``, ``supported_share`` and, with a
            bootstrap, ``delta_draws`` (for :func:`frictionkit.rank_risk`).

        Raises
        ------
        UnknownReferenceError
            Unknown touchpoint (with the closest name).
        ValidationError
            As in :meth:`harm_removal_effects`.

        Examples
        --------
        >>> from frictionkit.markov import MarkovModel
        >>> m = MarkovModel.from_paths(
        ...     [("pay",), ("pay", "error", "pay"), ("pay", "error"), ("pay", "error", "pay")],
        ...     ["success", "success", "failure", "failure"],
        ... )
        >>> m.harm_removal_effect("error", min_support=1)
        RepairEffect('error', harm_removed: success probability 0.5 -> 1, +2 successes)
        """
        j = self._index(touchpoint) - 1
        frame, reps = self._harm(j, value_per_success, n_journeys, min_support, bootstrap, seed, ci)
        row = frame.iloc[0]
        draws = None if reps is None else reps[:, j].copy()
        if draws is not None:
            draws.setflags(write=False)
        n, value = self._scale(n_journeys, value_per_success)
        return RepairEffect(
            touchpoint=touchpoint,
            change="harm_removed",
            success_probability=float(row["success_probability"]),
            success_probability_repaired=float(row["success_probability_without_harm"]),
            delta_success_probability=float(row["delta_success_probability"]),
            n_journeys=n,
            extra_successes=float(row["extra_successes"]),
            value_per_success=value,
            extra_value=None if value is None else float(row["extra_value"]),
            bootstrap=int(bootstrap),
            ci=float(ci),
            delta_low=None if reps is None else _opt(row["delta_low"]),
            delta_high=None if reps is None else _opt(row["delta_high"]),
            delta_draws=draws,
            method=str(row["method"]),
            supported_share=_opt(row["supported_share"]),
        )

    def _harm(
        self,
        only: int | None,
        value_per_success: Any,
        n_journeys: Any,
        min_support: Any,
        bootstrap: Any,
        seed: SeedLike,
        ci: Any,
    ) -> tuple[pd.DataFrame, FloatArray | None]:
        """The harm-removal table (one row when ``only`` is given) and the delta draws."""
        if self._routes is None:
            raise ValidationError(
                "harm removal needs the order of each journey's visits, but this model was "
                "built from a table of transition counts",
                field="model",
                hint="Build the model with MarkovModel.from_paths or from an event log",
            )
        n, value = self._scale(n_journeys, value_per_success)
        support = _as_count(min_support, "min_support")
        b_count = _as_count(bootstrap, "bootstrap")
        level = as_float(ci, "ci")
        if not 0.0 < level < 1.0:
            raise ValidationError(f"ci must be between 0 and 1, got {level:g}", field="ci")
        k = len(self.touchpoints)
        targets = None if only is None else np.asarray([only], dtype=np.int64)
        keys = route_keys(self._routes, k)
        point_w = self._routes.weight[None].astype(np.float64)
        # the comparison rule, decided once on the observed journeys (frictionkit.markov.
        # _comparison): where ending is a move, and the successors of each touchpoint
        moves = move_counts(keys, point_w[0])
        end_ok, end_failed = end_counts(keys, point_w[0])
        rule = {
            "success": self._routes.success,
            "ends_move": ends_are_moves(end_ok, end_failed),
            "successors": narrowing_mask(moves, end_ok),
            "last": last_steps(moves, end_ok),
        }
        point = harm_removal(keys, point_w, support, targets, **rule)
        p = float(point.success_probability[0])
        share = point.supported_share[0]
        # no first visit made where comparable journeys were (fewer than min_support, or
        # no overlap), or the journeys that did not take t mostly ended right there (the
        # road-fines log's Send Fine): not comparable, as in the friction table
        compared = (np.nan_to_num(share, nan=0.0) > 0) & (
            np.nan_to_num(point.ended_share[0], nan=1.0) <= ENDED_SHARE_MAX
        )
        delta = np.where(compared, point.without_harm[0] - p, np.nan)
        method = np.where(compared, "memory", "not_comparable")
        reps = None
        if b_count > 0:
            draws = self._draws(b_count, seed)
            reps = np.empty((b_count, k))
            for sl in batches(b_count, len(self.states)):
                res = harm_removal(keys, draws[sl].astype(np.float64), support, targets, **rule)
                reps[sl] = res.without_harm - res.success_probability[:, None]
            reps[:, ~compared] = np.nan
        frame = pd.DataFrame(
            {
                "touchpoint": pd.Series(self.touchpoints, dtype=str),
                "visitors": point.visitors[0],
                "failed_visitors": point.failed_visitors[0],
                "success_probability": np.full(k, p),
                "success_probability_without_harm": p + delta,
                "delta_success_probability": delta,
                "extra_successes": delta * n,
                "extra_value": delta * n * (np.nan if value is None else value),
                "supported_share": share,
                "method": method.astype(object),
            }
        )
        if reps is not None:
            bounds = [_interval(reps[:, j], level) for j in range(k)]
            frame["delta_low"] = [np.nan if lo is None else lo for lo, _ in bounds]
            frame["delta_high"] = [np.nan if hi is None else hi for _, hi in bounds]
            frame["extra_successes_low"] = frame["delta_low"] * n
            frame["extra_successes_high"] = frame["delta_high"] * n
        if only is not None:
            return frame.iloc[[only]].reset_index(drop=True), reps
        return _sort(frame, "delta_success_probability"), reps
