"""Survey answers tied to the journey: :class:`Feedback` (see :mod:`frictionkit.feedback`).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"case": ["a", "b"], "m": ["csat", "csat"], "s": [5, 2]})
>>> Feedback.from_frame(df, metric_col="m", score_col="s", case_col="case").n_answers
2
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import pandas as pd

from frictionkit._protocol import Result
from frictionkit._validate import check_key_cells
from frictionkit.exceptions import (
    DataError,
    InputTypeError,
    SuspiciousScaleWarning,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.feedback._analysis import _emotion_curve, _scores
from frictionkit.feedback._answers import (
    _TEXT,
    _as_pandas,
    _check_column,
    _labels,
    _link_to_journey,
    _metric_arrays,
    _missing,
    _parse_timestamps,
    _rows_text,
)
from frictionkit.feedback._linking import by_outcome, by_touchpoint_hit
from frictionkit.feedback._metrics import (
    _CANONICAL,
    _LINK_FIELDS,
    _NPS_SCALE,
    _NPS_SUSPICIOUS_MIN_N,
    METRICS,
    CesVariant,
    CsatStatistic,
    _ces_scale,
    _check_scale,
    _sentiment_kernel,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
    from frictionkit.model import Journey

__all__ = ["Feedback"]

# ---------------------------------------------------------------------------------------
# Feedback: survey answers tied to the journey


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Feedback(Result):
    """Survey answers (CSAT, CES, NPS) tied to touchpoints, stages and cases.

    Build it with :meth:`Feedback.from_frame`. The answers are kept in :attr:`answers`, one
    row per answer, with the columns ``row`` (position in the input table), ``case_id``,
    ``metric``, ``score``, ``touchpoint``, ``stage``, ``persona``, ``timestamp``,
    ``comment``, ``sentiment`` (see the module notes) and any ``attribute_cols``. Missing
    links are ``None``. Case ids are kept exactly as given, so the answers can be joined to
    the journeys of an event log by case id.

    Attributes
    ----------
    answers : pandas.DataFrame
        The validated answers (a copy; the input table is never changed).
    journey : Journey or None
        The journey the touchpoints and stages were checked against.
    case_col : str or None
        Name of the case-id column in the input table.
    csat_scale, ces_scale : (float, float)
        Answer scales; ``satisfied_from`` is the CSAT threshold.
    ces_variant : {"agreement", "effort"}
        Direction of the CES question.
    attribute_cols : tuple of str
        Extra input columns kept for grouping in :meth:`scores`.
    n_duplicate_answers : int
        Answers repeating an earlier one (same case, touchpoint, stage, metric and
        timestamp); they are kept and counted, only when a case column is given.
    """

    answers: pd.DataFrame
    journey: Journey | None = None
    case_col: str | None = None
    source_columns: Mapping[str, str] = attrs.field(factory=dict)
    csat_scale: tuple[float, float] = (1.0, 5.0)
    satisfied_from: float = 4.0
    ces_variant: str = "agreement"
    ces_scale: tuple[float, float] = (1.0, 7.0)
    attribute_cols: tuple[str, ...] = ()
    n_duplicate_answers: int = 0

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        df: Any,
        *,
        metric_col: str,
        score_col: str,
        case_col: str | None = None,
        touchpoint_col: str | None = None,
        stage_col: str | None = None,
        timestamp_col: str | None = None,
        comment_col: str | None = None,
        persona_col: str | None = None,
        journey: Journey | None = None,
        attribute_cols: Sequence[str] = (),
        csat_scale: tuple[float, float] = (1, 5),
        satisfied_from: float = 4,
        ces_variant: CesVariant = "agreement",
        ces_scale: tuple[float, float] | None = None,
        timestamp_format: str | None = None,
        dayfirst: bool | None = None,
    ) -> Feedback:
        """Validate a table of survey answers (one row per answer).

        Parameters
        ----------
        df : pandas.DataFrame
            The answers; never modified.
        metric_col : str
            Column naming the metric of each answer: ``"csat"``, ``"ces"`` or ``"nps"``
            (case and surrounding spaces ignored).
        score_col : str
            Column of the numeric answers, on the scale of their metric.
        case_col : str, optional
            Case (customer journey) id, to join answers to event logs later.
        touchpoint_col, stage_col : str, optional
            The touchpoint or stage the question was about. At least one of
            ``case_col``, ``touchpoint_col`` and ``stage_col`` is required, and every
            answer must have at least one of them filled.
        timestamp_col : str, optional
            When the answer was given (parsed as timestamps).
        comment_col : str, optional
            Free text; kept as data, escaped wherever displayed.
        persona_col : str, optional
            The persona (customer profile) of the respondent.
        journey : Journey, optional
            When given, touchpoints, stages and personas must exist in it (unknown names
            are an error with a did-you-mean), and a touchpoint's stage is filled from it.
        attribute_cols : sequence of str, default ()
            Further columns kept with the answers and usable in :meth:`scores` ``by=``.
        csat_scale : (low, high), default (1, 5)
            Scale of CSAT answers.
        satisfied_from : float, default 4
            CSAT answers ``>=`` this count as satisfied.
        ces_variant : {"agreement", "effort"}, default "agreement"
            CES 2.0 agreement (1-7, higher = easier) or the original effort question
            (1-5, lower = easier).
        ces_scale : (low, high), optional
            Overrides the scale of the CES variant.
        timestamp_format : str, optional
            The ``strftime`` format of text timestamps. Without it, ISO 8601 is read as
            such and other text with one format for the whole column, as in
            :meth:`EventLog.from_frame <frictionkit.events.EventLog.from_frame>` (a
            column mixing formats or fitting both day-first and month-first is refused).
        dayfirst : bool, optional
            Read ambiguous text dates day-first (True) or month-first (False).

        Returns
        -------
        Feedback

        Raises
        ------
        MissingColumnError
            A ``*_col`` names no column.
        SchemaError
            A column named in a ``*_col`` argument appears more than once in ``df``.
        ValidationError
            No link column at all (``case_col``, ``touchpoint_col``, ``stage_col``).
        UnknownReferenceError
            An unknown metric name, or (with ``journey``) touchpoints, stages or personas
            not in the journey; all are listed with the closest known names.
        DataError
            Missing, non-numeric, true/false or out-of-scale scores, NPS answers that are
            not whole numbers, key cells that are lists or records or mix true/false with
            other values (``True`` equals ``1``), rows without any link, stages
            that contradict their touchpoint, unreadable timestamps (or text timestamps
            mixing formats or ambiguous between day-first and month-first); ``failure_cases``
            holds the input rows at fault.

        Warns
        -----
        SuspiciousScaleWarning
            At least 10 NPS answers, all between 1 and 5: NPS is asked on 0-10, so these
            look like answers on a 1-5 scale (every one would count as a detractor).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({
        ...     "tp": ["order_delivery", "order_delivery", "support_hotline"],
        ...     "metric": ["CSAT", "csat", "ces"],
        ...     "score": [5, 2, 3],
        ... })
        >>> fb = Feedback.from_frame(df, metric_col="metric", score_col="score",
        ...                          touchpoint_col="tp")
        >>> fb
        Feedback(3 answers: 2 csat, 1 ces; 2 touchpoints, 0 stages, 0 cases)
        """
        df = _as_pandas(df)
        given = {
            "metric": (metric_col, "metric_col"),
            "score": (score_col, "score_col"),
            "case_id": (case_col, "case_col"),
            "touchpoint": (touchpoint_col, "touchpoint_col"),
            "stage": (stage_col, "stage_col"),
            "timestamp": (timestamp_col, "timestamp_col"),
            "comment": (comment_col, "comment_col"),
            "persona": (persona_col, "persona_col"),
        }
        names: dict[str, str] = {}
        for key, (col, field) in given.items():
            if col is not None or key in ("metric", "score"):
                names[key] = _check_column(df, col, field)
        for key in ("case_id", "touchpoint", "stage", "persona"):
            if key in names:
                col = names[key]
                check_key_cells(df[col], col, field=given[key][1], what="the answers")
        if isinstance(attribute_cols, str):
            attribute_cols = (attribute_cols,)
        attrs_cols = tuple(attribute_cols)
        for i, col in enumerate(attrs_cols):
            _check_column(df, col, f"attribute_cols[{i}]")
            if col in _CANONICAL or attrs_cols.count(col) > 1:
                raise ValidationError(
                    f"attribute_cols[{i}]={col!r} clashes with a column name of the answers "
                    f"or is listed twice",
                    field="attribute_cols",
                    value=col,
                    hint=f"Rename it; reserved names: {', '.join(_CANONICAL)}",
                )
        if case_col is None and touchpoint_col is None and stage_col is None:
            raise ValidationError(
                "feedback must be linked to the journey: give case_col, touchpoint_col or "
                "stage_col",
                field="touchpoint_col",
                value=None,
                hint="For a relationship survey (one NPS per customer) pass case_col; for a "
                "survey about the whole journey add a stage column (e.g. 'recommendation')",
            )
        csat_sc = _check_scale(csat_scale, "csat_scale")
        if not csat_sc[0] <= float(satisfied_from) <= csat_sc[1]:
            raise ValidationError(
                f"satisfied_from must lie on the CSAT scale {csat_sc[0]:g}-{csat_sc[1]:g}, "
                f"got {satisfied_from!r}",
                field="satisfied_from",
                value=satisfied_from,
            )
        variant, ces_sc = _ces_scale(ces_variant, ces_scale)

        n_rows = len(df)
        # metric names
        m_raw = df[names["metric"]]
        m_miss = _missing(m_raw)
        if m_miss.any():
            pos = np.flatnonzero(m_miss)
            raise DataError(
                f"{len(pos)} answer(s) have no metric in {names['metric']!r}",
                field="metric_col",
                value=None,
                failure_cases=df.iloc[pos],
                hint=f"Name the metric of every answer: one of {', '.join(METRICS)}",
            )
        metric = np.array([str(v).strip().lower() for v in m_raw.astype(object)], dtype=object)
        unknown = sorted(set(metric.tolist()) - set(METRICS))
        if unknown:
            raise UnknownReferenceError(
                f"unknown metric name(s) in {names['metric']!r}: {_rows_text(unknown, METRICS)}",
                field="metric_col",
                value=unknown,
                hint=f"Use one of {', '.join(map(repr, METRICS))} (case-insensitive)",
            )
        # scores
        s_raw = df[names["score"]]
        if pd.api.types.is_bool_dtype(s_raw.dtype):
            raise InputTypeError(
                f"score_col={names['score']!r} holds true/false values, not scores",
                field="score_col",
                value=str(s_raw.dtype),
            )
        s_obj = s_raw.astype(object)
        s_bool = np.fromiter(
            (isinstance(v, (bool, np.bool_)) for v in s_obj), dtype=bool, count=n_rows
        )
        if s_bool.any():
            pos = np.flatnonzero(s_bool)
            raise DataError(
                f"{len(pos)} answer(s) in {names['score']!r} are true/false, not scores",
                field="score_col",
                value=s_raw.iloc[pos[:3]].tolist(),
                failure_cases=df.iloc[pos],
                hint="Give every answer as a number on its metric's scale",
            )
        score_num = pd.to_numeric(s_obj, errors="coerce")
        score = np.asarray(score_num, dtype=np.float64)
        bad = ~np.isfinite(score)
        if bad.any():
            pos = np.flatnonzero(bad)
            raise DataError(
                f"{len(pos)} answer(s) in {names['score']!r} are missing or not numbers, "
                f"e.g. {s_raw.iloc[pos[:3]].tolist()}",
                field="score_col",
                value=s_raw.iloc[pos[:3]].tolist(),
                failure_cases=df.iloc[pos],
                hint="Drop unanswered questions, or convert the answers to numbers",
            )
        low, high, is_nps, reverse = _metric_arrays(metric, csat_sc, ces_sc, variant)
        out_of_scale = (score < low) | (score > high)
        if out_of_scale.any():
            pos = np.flatnonzero(out_of_scale)
            parts = []
            for m in METRICS:
                k = int(np.count_nonzero(out_of_scale & (metric == m)))
                if k:
                    sc = {"csat": csat_sc, "ces": ces_sc, "nps": _NPS_SCALE}[m]
                    parts.append(f"{k} {m} outside {sc[0]:g}-{sc[1]:g}")
            raise DataError(
                f"{len(pos)} score(s) outside their metric's scale ({', '.join(parts)}), "
                f"e.g. {score[pos[:3]].tolist()}",
                field="score_col",
                value=score[pos[:3]].tolist(),
                failure_cases=df.iloc[pos],
                hint="Check the scale of each question (csat_scale=, ces_variant=, "
                "ces_scale=); NPS is asked on 0-10",
            )
        fractional = is_nps & (score != np.round(score))
        if fractional.any():
            pos = np.flatnonzero(fractional)
            raise DataError(
                f"{len(pos)} NPS answer(s) are not whole numbers, e.g. {score[pos[:3]].tolist()}",
                field="score_col",
                value=score[pos[:3]].tolist(),
                failure_cases=df.iloc[pos],
                hint="NPS answers are whole numbers 0-10 (9-10 promoters, 7-8 passives, 0-6 "
                "detractors); a 6.5 would fall between two groups. Check the column",
            )
        nps_scores = score[is_nps]
        if nps_scores.size >= _NPS_SUSPICIOUS_MIN_N and bool(
            np.all((nps_scores >= 1) & (nps_scores <= 5))
        ):
            warnings.warn(
                f"all {nps_scores.size} NPS answers lie between 1 and 5: NPS is asked on "
                "0-10, so these look like answers on a 1-5 scale (every one counts as a "
                "detractor). Relabel them (e.g. as 'csat') if the question was on 1-5",
                SuspiciousScaleWarning,
                stacklevel=2,
            )
        none_col = np.full(n_rows, None, dtype=object)
        data: dict[str, Any] = {
            "row": np.arange(n_rows, dtype=np.int64),
            "case_id": none_col,
            "metric": metric,
            "score": score,
        }
        for key in _LINK_FIELDS:
            data[key] = _labels(df[names[key]]) if key in names else none_col
        if "case_id" in names:
            c_raw = df[names["case_id"]]
            c_vals = c_raw.astype(object).to_numpy(copy=True)
            c_vals[_missing(c_raw)] = None
            data["case_id"] = c_vals
        no_link = np.ones(n_rows, dtype=bool)
        for key in ("case_id", "touchpoint", "stage"):
            no_link &= np.array([v is None for v in data[key]], dtype=bool)
        if no_link.any():
            pos = np.flatnonzero(no_link)
            raise DataError(
                f"{len(pos)} answer(s) have neither a case, a touchpoint nor a stage",
                field="touchpoint_col",
                value=None,
                failure_cases=df.iloc[pos],
                hint="Fill one link for each answer, or drop those rows",
            )
        if "timestamp" in names:
            data["timestamp"] = _parse_timestamps(
                df[names["timestamp"]],
                df,
                "timestamp_col",
                timestamp_format=timestamp_format,
                dayfirst=dayfirst,
            ).to_numpy()
        else:
            data["timestamp"] = np.full(n_rows, np.datetime64("NaT"), dtype="datetime64[ns]")
        if "comment" in names:
            data["comment"] = _labels(df[names["comment"]])
        else:
            data["comment"] = none_col
        data["sentiment"] = _sentiment_kernel(score, is_nps, low, high, reverse)
        index = pd.RangeIndex(n_rows)
        answers = pd.DataFrame(
            {
                k: pd.Series(v, index=index, dtype=object if k in _TEXT else None)
                for k, v in data.items()
            }
        )
        for col in attrs_cols:
            answers[col] = df[col].to_numpy(copy=True)
        source_names = dict(names)
        if journey is not None:
            answers = _link_to_journey(answers, journey, df, source_names)
        return cls(
            answers=answers,
            journey=journey,
            case_col=case_col,
            source_columns=source_names,
            csat_scale=csat_sc,
            satisfied_from=float(satisfied_from),
            ces_variant=variant,
            ces_scale=ces_sc,
            attribute_cols=attrs_cols,
            n_duplicate_answers=_count_duplicates(answers, case_col is not None),
        )

    # -- basic facts ------------------------------------------------------------------
    @property
    def n_answers(self) -> int:
        """Number of answers."""
        return len(self.answers)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics present, in the order csat, ces, nps."""
        present = set(self.answers["metric"].tolist())
        return tuple(m for m in METRICS if m in present)

    def __len__(self) -> int:
        return self.n_answers

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`answers` (one row per answer).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"case": ["a", "b"], "m": ["nps", "nps"], "s": [9, 3]})
        >>> fb = Feedback.from_frame(df, metric_col="m", score_col="s", case_col="case")
        >>> fb.to_frame()[["case_id", "metric", "score", "sentiment"]]
          case_id metric  score  sentiment
        0       a    nps    9.0        1.0
        1       b    nps    3.0       -1.0
        """
        return self.answers.copy()

    def with_journey(self, journey: Journey) -> Feedback:
        """The same answers checked against ``journey`` (stages filled from touchpoints).

        Examples
        --------
        >>> import pandas as pd, frictionkit as fk
        >>> df = pd.DataFrame({"tp": ["quote_portal"], "m": ["csat"], "s": [4]})
        >>> fb = Feedback.from_frame(df, metric_col="m", score_col="s", touchpoint_col="tp")
        >>> fb.with_journey(fk.datasets.load_autoparts()).answers["stage"].tolist()
        ['purchase']
        """
        answers = _link_to_journey(self.answers, journey, self.answers, self.source_columns)
        return attrs.evolve(self, answers=answers, journey=journey)

    def one_per_case(self, keep: Literal["first", "last"] = "last") -> Feedback:
        """Keep one answer per case, metric, touchpoint and stage.

        Answers are ordered by timestamp, ties and missing timestamps by input row (answers
        without a timestamp count as the earliest); ``keep`` picks the first or the last.
        Answers without a case id are all kept.

        Parameters
        ----------
        keep : {"first", "last"}, default "last"
            ``"last"`` keeps the most recent answer (a customer's final word).

        Returns
        -------
        Feedback

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"case": ["a", "a", "b"], "m": ["csat"] * 3, "s": [1, 5, 4],
        ...                    "t": ["2024-01-02", "2024-01-01", "2024-01-01"]})
        >>> fb = Feedback.from_frame(df, metric_col="m", score_col="s", case_col="case",
        ...                          timestamp_col="t")
        >>> fb.one_per_case().answers["score"].tolist()
        [1.0, 4.0]
        """
        if keep not in ("first", "last"):
            raise UnknownReferenceError(
                f"keep must be 'first' or 'last', got {keep!r}"
                + did_you_mean(keep, ("first", "last")),
                field="keep",
                value=keep,
            )
        if self.case_col is None:
            raise ValidationError(
                "one_per_case needs case ids: this feedback was built without case_col",
                field="case_col",
                value=None,
                hint="Pass case_col= to Feedback.from_frame",
            )
        a = self.answers
        ts = a["timestamp"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        ts = np.where(a["timestamp"].isna().to_numpy(), np.iinfo(np.int64).min, ts)
        order = np.lexsort((a["row"].to_numpy(), ts))
        ordered = a.iloc[order]
        has_case = ordered["case_id"].notna().to_numpy()
        key = ["case_id", "metric", "touchpoint", "stage"]
        dup = ordered.duplicated(subset=key, keep=keep).to_numpy() & has_case
        kept = ordered[~dup].sort_values("row", kind="stable").reset_index(drop=True)
        return attrs.evolve(self, answers=kept, n_duplicate_answers=_count_duplicates(kept, True))

    # -- analysis ---------------------------------------------------------------------
    def scores(
        self,
        by: str | Sequence[str] = ("metric", "touchpoint"),
        *,
        csat: CsatStatistic = "share",
        confidence: float = 0.95,
        include_empty: bool = True,
    ) -> pd.DataFrame:
        """Each metric by group: value, confidence interval and number of answers.

        Parameters
        ----------
        by : str or sequence of str, default ("metric", "touchpoint")
            Grouping columns among ``"metric"``, ``"touchpoint"``, ``"stage"``,
            ``"persona"`` and the ``attribute_cols``. Metrics are never pooled: ``"metric"``
            is added first when missing.
        csat : {"share", "mean", "both"}, default "share"
            CSAT as the share of satisfied answers (``metric="csat"``, 0-1), the mean
            (``metric="csat_mean"``), or both rows.
        confidence : float, default 0.95
            Level of the intervals (see the module notes for each method).
        include_empty : bool, default True
            Report every combination of the groups' levels (the journey's touchpoints,
            stages and personas when a journey is attached, else the observed ones);
            groups without answers have ``value = NaN`` and ``n = 0``, never zero.

        Returns
        -------
        pandas.DataFrame
            Columns ``metric``, the group columns, ``value``, ``ci_low``, ``ci_high``,
            ``n``; metrics in the order csat, csat_mean, ces, nps, then groups in journey
            (or sorted) order, missing links last.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({
        ...     "tp": ["web", "web", "web", "phone", "phone"],
        ...     "metric": ["csat", "csat", "csat", "csat", "nps"],
        ...     "score": [5, 4, 2, 5, 10],
        ... })
        >>> fb = Feedback.from_frame(df, metric_col="metric", score_col="score",
        ...                          touchpoint_col="tp")
        >>> fb.scores().round(3)
          metric touchpoint  value  ci_low  ci_high  n
        0   csat      phone  1.000   0.207    1.000  1
        1   csat        web  0.667   0.208    0.939  3
        2    nps      phone  100.0     100.0    100.0  1
        3    nps        web    NaN     NaN      NaN  0
        """
        return _scores(self, by, csat, confidence, include_empty)

    def emotion_curve(
        self, journey: Journey | None = None, by_persona: bool = False
    ) -> pd.DataFrame:
        """Normalised sentiment in [-1, +1] per stage and touchpoint: the map's emotion lane.

        Every answer is mapped to [-1, +1] (see the module notes: CSAT and CES linearly
        from their scale, CES reversed for the effort variant; NPS answers to +1 / 0 / -1,
        so an NPS-only group has sentiment NPS / 100). A row's sentiment is the mean over
        its answers, which weighs the metrics by their number of answers.

        Parameters
        ----------
        journey : Journey, optional
            Order and complete the rows by this journey (touchpoints checked against it);
            defaults to the journey given to :meth:`from_frame`.
        by_persona : bool, default False
            One row per persona as well.

        Returns
        -------
        pandas.DataFrame
            Columns ``stage``, ``touchpoint``, (``persona``), ``sentiment``, ``n``,
            ``n_csat``, ``n_ces``, ``n_nps``. With a journey: its stages in order, in each
            a row for answers about the stage as a whole (``touchpoint`` missing) when there
            are any, then every touchpoint of the stage (``sentiment`` NaN, ``n = 0`` when
            nobody answered); answers linked to a case only come last (stage and
            touchpoint missing). Without a journey: the observed pairs in sorted order.

        Examples
        --------
        >>> import pandas as pd
        >>> import frictionkit as fk
        >>> df = pd.DataFrame({
        ...     "tp": ["parts_website", "parts_website", "support_hotline"],
        ...     "metric": ["csat", "nps", "csat"],
        ...     "score": [5, 6, 2],
        ... })
        >>> fb = Feedback.from_frame(df, metric_col="metric", score_col="score",
        ...                          touchpoint_col="tp", journey=fk.datasets.load_autoparts())
        >>> curve = fb.emotion_curve()
        >>> curve.loc[curve["n"] > 0, ["stage", "touchpoint", "sentiment", "n"]]
                stage       touchpoint  sentiment  n
        0   discovery    parts_website        0.0  2
        12  retention  support_hotline       -0.5  1
        """
        return _emotion_curve(self, journey, by_persona)

    # -- linking to event logs ---------------------------------------------------------
    def by_outcome(
        self, log: EventLog, *, csat: CsatStatistic = "share", confidence: float = 0.95
    ) -> pd.DataFrame:
        """Satisfaction of success vs failure journeys, joined to the log by case id.

        Parameters
        ----------
        log : EventLog
            The event log whose journeys the answers' case ids refer to.
        csat : {"share", "mean", "both"}, default "share"
            As in :meth:`scores`.
        confidence : float, default 0.95
            Level of the intervals.

        Returns
        -------
        pandas.DataFrame
            Columns ``metric``, ``outcome``, ``value``, ``ci_low``, ``ci_high``, ``n``. Per
            metric: the observed groups among ``success``, ``failure``, ``open``,
            ``no_journey`` (case id matching no journey) and ``no_case`` (answers without a
            case id), then a ``success - failure`` row: the difference with its interval
            (Newcombe's hybrid score interval for the CSAT share, Welch for means, summed
            multinomial variances for NPS) and the answers behind it. Answers are joined
            as described in :mod:`frictionkit.feedback`.

        Raises
        ------
        ValidationError
            No answer has a case id.

        Warns
        -----
        UnlinkedAnswersWarning
            Some case ids match no journey of the log.

        Examples
        --------
        >>> import pandas as pd
        >>> from frictionkit.events import EventLog
        >>> events = pd.DataFrame({"c": ["a", "a", "b", "b", "c"],
        ...                        "t": ["x", "buy", "x", "quit", "quit"],
        ...                        "ts": ["2024-01-01"] * 5})
        >>> log = EventLog.from_frame(events, case_col="c", touchpoint_col="t",
        ...                           timestamp_col="ts", success="buy", failure="quit")
        >>> answers = pd.DataFrame({"c": ["a", "b", "c"], "m": ["csat"] * 3, "s": [5, 2, 3]})
        >>> fb = Feedback.from_frame(answers, metric_col="m", score_col="s", case_col="c")
        >>> fb.by_outcome(log)[["outcome", "value", "n"]]
                     outcome  value  n
        0            success    1.0  1
        1            failure    0.0  2
        2  success - failure    1.0  3
        """
        return by_outcome(self, log, csat=csat, confidence=confidence)

    def by_touchpoint_hit(
        self,
        log: EventLog,
        touchpoint: str | None = None,
        *,
        stage_matched: bool = True,
        csat: CsatStatistic = "share",
        confidence: float = 0.95,
    ) -> pd.DataFrame:
        """Scores of journeys that hit a touchpoint vs those that did not, and the drop.

        Parameters
        ----------
        log : EventLog
            The event log whose journeys the answers' case ids refer to.
        touchpoint : str, optional
            One touchpoint of the log; default: every touchpoint.
        stage_matched : bool, default True
            Compare with journeys that reached the touchpoint's stage (or a later one)
            without visiting it, as the friction table does; ``False`` compares with all
            other answered journeys.
        csat : {"share", "mean", "both"}, default "share"
            As in :meth:`scores`.
        confidence : float, default 0.95
            Level of the interval of the drop.

        Returns
        -------
        pandas.DataFrame
            Per metric and touchpoint: ``metric``, ``touchpoint``, ``stage``, ``n_hit``,
            ``value_hit``, ``n_not_hit``, ``value_not_hit``, ``drop`` (value not hit minus
            value hit: positive when journeys through the touchpoint score lower, in the
            metric's units; for the effort variant of CES, where lower is better, a
            negative drop is the bad sign) and its interval ``drop_low`` / ``drop_high``.
            Empty groups give NaN values and ``n = 0``. Answers whose case id matches
            no journey are left out and reported by a warning.

        Raises
        ------
        UnknownReferenceError
            ``touchpoint`` is not in the log.

        Examples
        --------
        >>> import pandas as pd
        >>> from frictionkit.events import EventLog
        >>> events = pd.DataFrame({"c": ["a", "a", "b", "c"], "t": ["x", "err", "x", "x"],
        ...                        "ts": ["2024-01-01"] * 4})
        >>> log = EventLog.from_frame(events, case_col="c", touchpoint_col="t",
        ...                           timestamp_col="ts")
        >>> answers = pd.DataFrame({"c": ["a", "b", "c"], "m": ["csat"] * 3, "s": [1, 5, 4]})
        >>> fb = Feedback.from_frame(answers, metric_col="m", score_col="s", case_col="c")
        >>> fb.by_touchpoint_hit(log, "err", stage_matched=False)[
        ...     ["touchpoint", "n_hit", "value_hit", "n_not_hit", "value_not_hit", "drop"]]
          touchpoint  n_hit  value_hit  n_not_hit  value_not_hit  drop
        0        err      1        0.0          2            1.0   1.0
        """
        return by_touchpoint_hit(
            self, log, touchpoint, stage_matched=stage_matched, csat=csat, confidence=confidence
        )

    # -- display ----------------------------------------------------------------------
    def _repr_body(self) -> str:
        a = self.answers
        counts = a["metric"].value_counts()
        per_metric = ", ".join(f"{int(counts[m])} {m}" for m in self.metrics)
        n_tp = a["touchpoint"].dropna().nunique()
        n_st = a["stage"].dropna().nunique()
        n_case = a["case_id"].dropna().nunique()
        dup = f"; {self.n_duplicate_answers} duplicate answers" if self.n_duplicate_answers else ""
        return (
            f"{len(a)} answers: {per_metric or 'none'}; {n_tp} touchpoints, "
            f"{n_st} stages, {n_case} cases{dup}"
        )

    def _repr_frame(self) -> pd.DataFrame:
        return self.answers  # read only: the view shows its head


def _count_duplicates(answers: pd.DataFrame, has_case: bool) -> int:
    """Answers repeating an earlier one: same case, touchpoint, stage, metric, timestamp."""
    if not has_case or answers.empty:
        return 0
    key = ["case_id", "touchpoint", "stage", "metric", "timestamp"]
    sub = answers[answers["case_id"].notna()]
    return int(sub.duplicated(subset=key).sum())
