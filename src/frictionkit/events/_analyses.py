"""The analyses of an :class:`~frictionkit.events.EventLog` (a mixin of the class)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from frictionkit._memory import reuses_memory
from frictionkit.events._ingest import check_constant_in_case
from frictionkit.events._kernels import _INT
from frictionkit.exceptions import InputTypeError, UnknownReferenceError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.estimates import SeedLike
    from frictionkit.events._log import EventLog
    from frictionkit.markov import MarkovModel


class LogAnalyses:
    """Segments and analyses of an event log; see :class:`~frictionkit.events.EventLog`."""

    __slots__ = ()

    # attributes provided by EventLog
    case_attributes: pd.DataFrame
    case_ids: np.ndarray
    journey_case: np.ndarray

    def _require_events(self, what: str) -> None:
        raise NotImplementedError  # pragma: no cover - EventLog defines it

    def _as_log(self) -> EventLog:
        return cast("EventLog", self)

    def journey_segment(self, by: Any) -> tuple[np.ndarray, np.ndarray]:
        """Segment code of each journey and the segment labels.

        Parameters
        ----------
        by : str or pandas.Series or mapping
            The name of a column kept with ``case_cols``, or a mapping / Series from case
            id to segment. Journeys of cases without a segment get ``"(none)"``.

        Returns
        -------
        codes : ndarray of int64
            Index into ``labels`` per journey.
        labels : ndarray of object
            Segment labels, sorted by their text.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "b"], "t": ["x", "y"], "ts": ["2024-01-01"] * 2})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.journey_segment({"a": "new", "b": "loyal"})
        (array([1, 0]), array(['loyal', 'new'], dtype=object))
        """
        if isinstance(by, str):
            if by not in self.case_attributes.columns:
                kept = list(self.case_attributes.columns)
                raise UnknownReferenceError(
                    f"by={by!r} is not a case column kept by this log" + did_you_mean(by, kept),
                    field="by",
                    value=by,
                    hint="Pass it in case_cols= when building the log, or give a mapping from "
                    "case id to segment"
                    + (f" (kept: {', '.join(map(repr, kept))})" if kept else ""),
                )
            check_constant_in_case(self.case_attributes, by, "by")
            per_case = self.case_attributes[by].astype(object).to_numpy()
        elif isinstance(by, (pd.Series, Mapping)):
            self._require_events("a segment mapping from case id (by=...)")
            mapping = by if isinstance(by, pd.Series) else pd.Series(dict(by), dtype=object)
            mapped = pd.Series(self.case_ids, dtype=object).map(mapping)
            per_case = mapped.astype(object).to_numpy()
        else:
            raise InputTypeError(
                f"by must be a column name or a mapping from case id to segment, got "
                f"{type(by).__name__}",
                field="by",
                value=by,
            )
        text = np.array(
            [
                "(none)" if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v)
                for v in per_case
            ],
            dtype=object,
        )
        labels, codes = np.unique(text, return_inverse=True)
        return codes.astype(_INT)[self.journey_case], labels.astype(object)

    # -- analyses (implemented in frictionkit.routes) ----------------------------------
    @reuses_memory
    def routes(self, min_group_size: int | None = None) -> pd.DataFrame:
        """Distinct routes with their outcomes; see :func:`frictionkit.routes.routes`.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a", "b"], "t": ["x", "y", "x"],
        ...                    "ts": ["2024-01-01"] * 3})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.routes()["route_text"].tolist()
        ['x', 'x → y']
        """
        from frictionkit.routes import routes

        return routes(self._as_log(), min_group_size=min_group_size)

    @reuses_memory
    def transitions(self, min_group_size: int | None = None) -> pd.DataFrame:
        """Directly-follows counts; see :func:`frictionkit.routes.transitions`.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a"], "t": ["x", "y"], "ts": ["2024-01-01"] * 2})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.transitions()[["source", "target", "count"]]
          source target  count
        0  START      x      1
        1      x      y      1
        2      y   OPEN      1
        """
        from frictionkit.routes import transitions

        return transitions(self._as_log(), min_group_size=min_group_size)

    @reuses_memory
    def funnel(
        self,
        by: Any = None,
        min_group_size: int | None = None,
        *,
        branch_threshold: float | None = 0.5,
    ) -> pd.DataFrame:
        """Journeys reaching each stage, with branches; see :func:`frictionkit.routes.funnel`.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a", "b"], "t": ["x", "y", "x"],
        ...                    "ts": ["2024-01-01"] * 3})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.funnel()[["stage", "journeys"]]
                stage  journeys
        0  inferred_1         2
        1  inferred_5         1
        """
        from frictionkit.routes import funnel

        return funnel(
            self._as_log(),
            by=by,
            min_group_size=min_group_size,
            branch_threshold=branch_threshold,
        )

    @reuses_memory
    def friction(
        self,
        min_support: int = 30,
        min_group_size: int | None = None,
        *,
        n_boot: int = 500,
        seed: SeedLike = 0,
        outcome_markers: Iterable[str] | str | None = None,
        fdr: float = 0.05,
        comparison: str = "risk set",
        adjust_for: Iterable[str] | str | None = None,
        failure_kind: str | None = None,
    ) -> pd.DataFrame:
        """Attributable failures per touchpoint; see :func:`frictionkit.friction.friction`.

        ``failure_kind=`` (a kind of ``failure={...}``) counts failures of that kind only.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(3000, seed=5)
        >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
        ...     timestamp_col="timestamp", stage_col="stage", outcome_col="outcome",
        ...     strict=False)
        >>> log.friction().loc[0, "touchpoint"]
        'payment_error'
        """
        from frictionkit.friction import friction

        return friction(
            self._as_log(),
            min_support=min_support,
            min_group_size=min_group_size,
            n_boot=n_boot,
            seed=seed,
            outcome_markers=outcome_markers,
            fdr=fdr,
            comparison=comparison,
            adjust_for=adjust_for,
            failure_kind=failure_kind,
        )

    @reuses_memory
    def failure_patterns(
        self,
        max_len: int = 3,
        min_support: int = 30,
        *,
        adjust_for: Iterable[str] | str | None = None,
        n_boot: int = 500,
        seed: SeedLike = 0,
        fdr: float = 0.05,
        failure_kind: str | None = None,
        outcome_markers: Iterable[str] | str | None = None,
    ) -> pd.DataFrame:
        """Sub-routes frequent in failures; see :func:`~frictionkit.friction.failure_patterns`.

        ``failure_kind=`` (a kind of ``failure={...}``) looks at failures of that kind only;
        ``outcome_markers=`` leaves the declared markers' events out, as :meth:`friction` does.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(3000, seed=5)
        >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
        ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
        >>> "payment_error" in log.failure_patterns().loc[0, "pattern"]
        True
        """
        from frictionkit.friction import failure_patterns

        return failure_patterns(
            self._as_log(),
            max_len=max_len,
            min_support=min_support,
            adjust_for=adjust_for,
            n_boot=n_boot,
            seed=seed,
            fdr=fdr,
            failure_kind=failure_kind,
            outcome_markers=outcome_markers,
        )

    @reuses_memory
    def markov(self) -> MarkovModel:
        """Absorbing Markov chain of decided journeys; see :func:`frictionkit.friction.markov`.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(2000, seed=5)
        >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
        ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
        >>> oc = log.outcome_counts
        >>> log.markov().n_journeys == oc["success"] + oc["failure"]
        True
        """
        from frictionkit.markov import MarkovModel

        return MarkovModel.from_log(self._as_log())

    @reuses_memory
    def repair_effects(
        self,
        reduce_failure_by: float | None = None,
        value_per_success: float | None = None,
        bootstrap: int = 0,
        seed: SeedLike = None,
        *,
        kind: str = "first_order",
        min_support: int = 30,
        adjust_for: Iterable[str] | str | None = None,
        failure_kind: str | None = None,
        outcome_markers: Iterable[str] | str | None = None,
    ) -> pd.DataFrame:
        """Repair effect per touchpoint; see :func:`frictionkit.friction.repair_effects`.

        ``kind="first_order"`` (default; ``reduce_failure_by`` defaults to 1.0,
        :data:`frictionkit.markov.REDUCE_FAILURE_BY`) repairs the
        direct exits at each step; ``kind="harm_removal"`` removes each step's harm,
        remembering whether the journey met it (harm that shows later counts), with the
        friction table's comparison; with ``adjust_for=`` (case attributes) it is
        estimated within each group, and ``outcome_markers=`` drops the markers' events as
        :meth:`friction` does. ``failure_kind=`` (a kind of ``failure={...}``)
        repairs failures of that kind only and names it in a ``failure_kind`` column.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(2000, seed=5)
        >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
        ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
        >>> log.repair_effects(1.0, value_per_success=50).loc[0, "touchpoint"]
        'payment_error'
        >>> log.repair_effects(kind="harm_removal").loc[0, ["touchpoint", "method"]].tolist()
        ['payment_error', 'memory']
        """
        from frictionkit.friction import repair_effects

        return repair_effects(
            self._as_log(),
            reduce_failure_by=reduce_failure_by,
            value_per_success=value_per_success,
            bootstrap=bootstrap,
            seed=seed,
            kind=kind,
            min_support=min_support,
            adjust_for=adjust_for,
            failure_kind=failure_kind,
            outcome_markers=outcome_markers,
        )

    @reuses_memory
    def value_at_stake(
        self,
        value_per_success: float | None = None,
        *,
        per: str = "year",
        journeys_per_period: float | None = None,
        currency: str | None = None,
        min_support: int = 30,
        fdr: float = 0.05,
        outcome_markers: Iterable[str] | str | None = None,
        adjust_for: Iterable[str] | str | None = None,
        n_boot: int = 500,
        seed: SeedLike = 0,
        failure_kind: str | None = None,
    ) -> pd.DataFrame:
        """Money per period at stake per touchpoint (:func:`frictionkit.friction.value_at_stake`).

        ``failure_kind=`` (a kind of ``failure={...}``) values the failures of that kind only.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(3000, seed=5)
        >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
        ...     timestamp_col="timestamp", stage_col="stage", outcome_col="outcome",
        ...     strict=False)
        >>> v = log.value_at_stake(50.0, per="month", journeys_per_period=1000)
        >>> v.attrs["period"], v.loc[0, "touchpoint"]
        ('month', 'payment_error')
        """
        from frictionkit.friction import value_at_stake

        return value_at_stake(
            self._as_log(),
            value_per_success,
            per=per,
            journeys_per_period=journeys_per_period,
            currency=currency,
            min_support=min_support,
            fdr=fdr,
            outcome_markers=outcome_markers,
            adjust_for=adjust_for,
            n_boot=n_boot,
            seed=seed,
            failure_kind=failure_kind,
        )

    @reuses_memory
    def stage_routes(self, labels: Any = None, min_group_size: int | None = None) -> pd.DataFrame:
        """Routes through the stages; see :func:`frictionkit.routes.stage_routes`.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a", "b"], "t": ["x", "y", "x"],
        ...                    "s": ["look", "buy", "look"], "ts": ["2024-01-01"] * 3})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
        ...                           stage_col="s", success="y")
        >>> log.stage_routes()["route_text"].tolist()
        ['look', 'look → buy']
        """
        from frictionkit.routes import stage_routes

        return stage_routes(self._as_log(), labels=labels, min_group_size=min_group_size)

    @reuses_memory
    def outcomes_by(self, by: Any, min_group_size: int | None = None) -> pd.DataFrame:
        """Journeys and outcomes per segment; see :func:`frictionkit.routes.outcomes_by`.

        Examples
        --------
        >>> from frictionkit.events import EventLog
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "b"], "t": ["x", "y"], "ts": ["2024-01-01"] * 2})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
        ...                           success="y")
        >>> log.outcomes_by({"a": "new", "b": "loyal"})[["segment", "journeys", "successes"]]
          segment  journeys  successes
        0   loyal         1          1
        1     new         1          0
        """
        from frictionkit.routes import outcomes_by

        return outcomes_by(self._as_log(), by, min_group_size=min_group_size)
