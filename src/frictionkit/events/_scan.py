"""``EventLog.scan``: the evidence step where the events live (pandas, DuckDB or Spark).

The engine reduces the raw events to a profile, journey variants and time quantiles (see
:mod:`frictionkit.events._engine`); everything here is the Python side, the same for every
engine: validation of the profile (with the same errors as :meth:`EventLog.from_frame`),
coding of touchpoints and outcomes, stages, and the compact :class:`EventLog` assembled from
the variants.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from frictionkit._memory import reusing_memory
from frictionkit.events._compact import assemble, build_compact, compact_parts
from frictionkit.events._engine import Coding, Engine, Profile, ScanColumns, engine_errors
from frictionkit.events._ingest import (
    _as_pandas,
    _check_column,
    _check_text,
    check_log_options,
    outcome_by_touchpoint,
    outcome_by_value,
)
from frictionkit.events._kernels import (
    _INT,
    _N_INFERRED_STAGES,
    _relative_position,
    _stages_from_journey,
    grouped_order,
)
from frictionkit.events._options import IngestOptions
from frictionkit.events._outcomes import RESERVED_STATES
from frictionkit.events._readers import read_event_frame
from frictionkit.exceptions import (
    DataError,
    DroppedRowsWarning,
    InputTypeError,
    MissingColumnError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events._log import EventLog
    from frictionkit.model import Journey

#: Engines :meth:`EventLog.scan` knows by name.
ENGINES: tuple[str, ...] = ("pandas", "duckdb", "spark")


# ---------------------------------------------------------------------------------------
# weighted kernels
# ---------------------------------------------------------------------------------------
def _group_value_order(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """``np.lexsort((values, groups))``: by group, then value, ties in input order.

    A stable sort of the values, then a stable sort of their groups, which numpy does as
    a linear-time radix sort of narrow codes (a lexsort slows down more than linearly
    once the arrays leave the cache).
    """
    by_value = np.argsort(values, kind="stable")
    order: np.ndarray = by_value[grouped_order(groups[by_value], n_groups)[0]]
    return order


def weighted_group_quantiles(
    groups: np.ndarray,
    values: np.ndarray,
    weights: np.ndarray,
    n_groups: int,
    qs: Sequence[float],
) -> np.ndarray:
    """Quantiles per group of values that each stand for ``weights`` equal values.

    The result equals :func:`frictionkit.events.group_quantiles` on the values repeated by
    their weights (linear interpolation between order statistics), without repeating them.

    Parameters
    ----------
    groups : ndarray of int
        Group code of each value.
    values : ndarray
        The values.
    weights : ndarray of int
        How many times each value counts (>= 0).
    n_groups : int
        Number of groups.
    qs : sequence of float
        Quantile levels in [0, 1].

    Returns
    -------
    ndarray, shape (n_groups, len(qs))
        NaN for groups without weight.

    Examples
    --------
    >>> weighted_group_quantiles(np.array([0, 0]), np.array([1.0, 5.0]), np.array([3, 1]),
    ...                          1, [0.5, 1.0])
    array([[1., 5.]])
    """
    order = _group_value_order(groups, values, n_groups)
    g, v = groups[order], values[order].astype(float)
    w = weights[order].astype(_INT)
    total = np.bincount(g, weights=w, minlength=n_groups).astype(_INT)
    cum = np.cumsum(w)
    base = np.r_[0, np.cumsum(total)[:-1]]
    out = np.full((n_groups, len(qs)), np.nan)
    has = total > 0
    for j, q in enumerate(qs):
        h = (total[has] - 1) * q
        lo = np.floor(h).astype(_INT)
        hi = np.minimum(lo + 1, total[has] - 1)
        vlo = v[np.searchsorted(cum, base[has] + lo, side="right")]
        vhi = v[np.searchsorted(cum, base[has] + hi, side="right")]
        out[has, j] = vlo + (h - lo) * (vhi - vlo)
    return out


def _infer_stages_weighted(
    tp: np.ndarray, offsets: np.ndarray, weight: np.ndarray, n_tp: int
) -> tuple[tuple[str, ...], np.ndarray]:
    """Stage inference of :meth:`EventLog.from_frame` on weighted variants (same result)."""
    rel = _relative_position(tp, offsets)
    scale = float(2**40)
    ew = np.repeat(weight, np.diff(offsets))
    med = weighted_group_quantiles(tp, np.round(rel * scale).astype(_INT), ew, n_tp, (0.5,))
    med = med[:, 0] / scale
    k = _N_INFERRED_STAGES
    bins = np.minimum(np.floor(med * k + 1e-9), k - 1).astype(_INT)
    used = np.unique(bins)
    names = tuple(f"inferred_{b + 1}" for b in used.tolist())
    return names, np.searchsorted(used, bins).astype(_INT)


def _stages_from_counts(
    counts: pd.DataFrame,
    touchpoints: tuple[str, ...],
    tp: np.ndarray,
    offsets: np.ndarray,
    weight: np.ndarray,
    strict: bool,
) -> tuple[tuple[str, ...], np.ndarray]:
    """Stages from a stage column's (touchpoint, stage, events) counts."""
    counts = counts.sort_values(["touchpoint", "events", "stage"], ascending=[True, False, True])
    seen = set(counts["touchpoint"])
    missing = [t for t in touchpoints if t not in seen]
    if missing:
        raise ValidationError(
            f"touchpoint(s) {missing[:10]} have no stage in the stage column",
            field="stage_col",
            value=missing[0],
            hint="Fill the stage of every event",
        )
    n_distinct = counts.groupby("touchpoint", sort=False)["stage"].nunique()
    multi = [t for t in touchpoints if n_distinct[t] > 1]
    if multi and strict:
        raise ValidationError(
            f"touchpoint(s) {multi[:10]} appear in more than one stage",
            field="stage_col",
            value=multi[0],
            hint="Give each touchpoint one stage, or pass strict=False to use the most "
            "frequent stage of each",
        )
    mode = counts.drop_duplicates("touchpoint").set_index("touchpoint")["stage"]
    names = sorted(set(mode.astype(str)))
    code = {n: i for i, n in enumerate(names)}
    tp_stage = np.array([code[str(mode[t])] for t in touchpoints], dtype=_INT)
    rel = _relative_position(tp, offsets)
    ew = np.repeat(weight, np.diff(offsets))
    med = weighted_group_quantiles(tp_stage[tp], rel, ew, len(names), [0.5])[:, 0]
    stage_order = sorted(range(len(names)), key=lambda i: (med[i], names[i]))
    remap = np.empty(len(names), dtype=_INT)
    remap[stage_order] = np.arange(len(names), dtype=_INT)
    return tuple(names[i] for i in stage_order), remap[tp_stage]


# ---------------------------------------------------------------------------------------
# engines
# ---------------------------------------------------------------------------------------
def _is_duckdb_relation(source: Any) -> bool:
    return type(source).__module__.split(".")[0] in {"duckdb", "_duckdb"}


def _is_spark_frame(source: Any) -> bool:
    return type(source).__module__.startswith("pyspark")


def resolve_engine(
    source: Any, engine: str | Engine | None, options: Mapping[str, Any]
) -> Engine | None:
    """The engine object for ``source`` (``None`` for the in-memory pandas engine)."""
    if isinstance(engine, Engine):
        if options:
            raise ValidationError(
                "engine_options cannot be combined with an engine object",
                field="engine_options",
                value=sorted(options),
                hint="Pass the options to the engine's constructor instead",
            )
        return engine
    if engine is None:
        if _is_duckdb_relation(source):
            engine = "duckdb"
        elif _is_spark_frame(source):
            engine = "spark"
        else:
            engine = "pandas"
    name: Any = engine
    if not isinstance(name, str) or name not in ENGINES:
        raise UnknownReferenceError(
            f"engine={name!r} is not an engine of frictionkit"
            + (did_you_mean(name, ENGINES) if isinstance(name, str) else ""),
            field="engine",
            value=engine,
            hint=f"Choose one of {', '.join(map(repr, ENGINES))}",
        )
    if engine == "pandas":
        return None
    if engine == "duckdb":
        from frictionkit.events._duckdb import DuckDBEngine

        return DuckDBEngine(source, **dict(options))
    from frictionkit.events._spark import SparkEngine

    return SparkEngine(source, **dict(options))


# ---------------------------------------------------------------------------------------
# the Python side of a scan
# ---------------------------------------------------------------------------------------
def _check_columns(engine: Engine, cols: ScanColumns) -> None:
    available = engine.columns()
    for field, col in cols.named():
        if not isinstance(col, str):
            raise InputTypeError(
                f"{field} must be a column name (text), got {type(col).__name__}",
                field=field,
                value=col,
            )
        if col not in available:
            raise MissingColumnError(
                f"{field}={col!r} is not a column of the event log" + did_you_mean(col, available),
                field=field,
                value=col,
                hint=f"Columns: {', '.join(map(repr, available[:20]))}"
                + (" …" if len(available) > 20 else ""),
            )


def _check_profile(profile: Profile, cols: ScanColumns) -> None:
    """Raise (or warn about dropped rows) exactly as ``EventLog.from_frame`` does."""
    if profile.n_rows == 0:
        raise ValidationError(
            "the event log is empty (no rows)",
            field="df",
            value=0,
            hint="Check the file or the filter that produced the table",
        )
    n_null = profile.n_missing
    if n_null:
        if not cols.drop_missing:
            raise DataError(
                f"{n_null} row(s) have a missing case id, touchpoint or timestamp",
                field=", ".join(cols.keys),
                value=n_null,
                failure_cases=profile.missing_sample,
                hint="Fix them, or pass on_null='drop' to leave them out with a warning",
            )
        warnings.warn(
            f"dropped {n_null} row(s) with a missing case id, touchpoint or timestamp",
            DroppedRowsWarning,
            stacklevel=4,
        )
        if n_null == profile.n_rows:
            raise ValidationError(
                "the event log is empty after dropping rows with missing values",
                field="df",
                value=n_null,
                hint="Check the column mapping",
            )
    if profile.n_bad_value:
        raise DataError(
            f"{cols.value} has {profile.n_bad_value} value(s) that are not finite numbers",
            field="value_col",
            value=profile.n_bad_value,
            hint="Give values as numbers (currency units); leave unknown values empty",
        )
    if profile.n_bad_time:
        sample = profile.bad_time_sample
        first = sample[cols.timestamp].iloc[0] if len(sample) else None
        if profile.bad_time_reason == "mixed":
            raise DataError(
                f"{cols.timestamp} mixes time-zone-aware and naive timestamps "
                f"({profile.n_bad_time} of one kind among the others)",
                field=cols.timestamp,
                value=first,
                failure_cases=sample,
                hint="Convert all timestamps to UTC first (give every value an offset, or none)",
            )
        raise DataError(
            f"{cols.timestamp} has {profile.n_bad_time} value(s) that are not timestamps, "
            f"e.g. {first!r}",
            field=cols.timestamp,
            value=first,
            failure_cases=sample,
            hint="Fix or drop those rows, or store the column as a timestamp type",
        )


def _touchpoints(profile: Profile, cols: ScanColumns) -> tuple[str, ...]:
    labels = sorted(str(x) for x in profile.touchpoints["label"])
    _check_text(labels, "touchpoint_col", cols.touchpoint)
    reserved = sorted(set(labels) & set(RESERVED_STATES))
    if reserved:
        raise ValidationError(
            f"touchpoint name(s) {reserved} are reserved for the states of a journey",
            field="touchpoint_col",
            value=reserved[0],
            hint=f"Rename them (reserved: {', '.join(RESERVED_STATES)}) in the source",
        )
    return tuple(labels)


def _coding(
    profile: Profile,
    cols: ScanColumns,
    touchpoints: tuple[str, ...],
    success: Any,
    failure: Any,
    when_both: str,
    strict: bool,
) -> Coding:
    tp_table = pd.DataFrame(
        {
            "label": pd.Series(touchpoints, dtype=object),
            "code": np.arange(len(touchpoints), dtype=_INT),
        }
    )
    if cols.outcome is None:
        lut = outcome_by_touchpoint(touchpoints, success, failure, strict)
        decide = np.flatnonzero(lut)
        return Coding(
            touchpoints=tp_table,
            outcome_by_touchpoint=pd.DataFrame(
                {"code": decide.astype(_INT), "eo": lut[decide].astype(_INT)}
            ),
            when_both=when_both,
        )
    values = profile.outcome_values
    obj = (
        pd.Series(values["value"].to_numpy(dtype=object), dtype=object)
        if values is not None
        else pd.Series([], dtype=object)
    )
    codes = outcome_by_value(obj, cols.outcome, success, failure, strict)
    keep = codes != 0
    return Coding(
        touchpoints=tp_table,
        outcome_by_value=pd.DataFrame(
            {"value": obj[keep].reset_index(drop=True), "eo": codes[keep].astype(_INT)}
        ),
        when_both=when_both,
    )


def _lists(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """Flat values and lengths of a column of lists (Python lists or a pyarrow list array)."""
    if hasattr(column, "combine_chunks") or hasattr(column, "flatten"):
        import pyarrow.compute as pc

        arr = column.combine_chunks() if hasattr(column, "combine_chunks") else column
        lengths = pc.list_value_length(arr).to_numpy(zero_copy_only=False).astype(_INT)
        flat = pc.list_flatten(arr).to_numpy(zero_copy_only=False).astype(_INT)
        return flat, lengths
    lists = list(column)
    lengths = np.fromiter((len(x) for x in lists), dtype=_INT, count=len(lists))
    flat = np.fromiter((c for x in lists for c in x), dtype=_INT, count=int(lengths.sum()))
    return flat, lengths


def _values(column: Any) -> list[Any]:
    return column.to_pylist() if hasattr(column, "to_pylist") else list(column)


def _flatten(variants: Any, cols: ScanColumns) -> dict[str, Any]:
    """The variants table (a DataFrame or a pyarrow Table) as flat arrays."""

    def col(name: str) -> Any:
        return variants.column(name) if hasattr(variants, "column") else variants[name]

    tp, lengths = _lists(col("tp"))
    eo, eo_lengths = _lists(col("eo"))
    if not np.array_equal(lengths, eo_lengths):  # pragma: no cover - engine contract
        raise ValidationError("the engine returned outcome lists of other lengths", field="eo")
    n = len(lengths)
    attrs = pd.DataFrame(index=range(n))
    for c in cols.case_cols:
        attrs[c] = pd.Series(
            [None if v is None or pd.isna(v) else str(v) for v in _values(col(c))],
            dtype=object,
        )
    return {
        "tp": tp,
        "eo": eo.astype(np.int8),
        "offsets": np.r_[0, np.cumsum(lengths)].astype(_INT),
        "weight": np.asarray(_values(col("journeys")), dtype=_INT),
        "value_sum": np.asarray(_values(col("value_sum")), dtype=float),
        "value_n": np.asarray(_values(col("value_n")), dtype=_INT),
        "attrs": attrs,
    }


def scan_engine(
    cls: type[EventLog],
    engine: Engine,
    *,
    cols: ScanColumns,
    success: Any,
    failure: Any,
    when_both: str,
    journey: Journey | None,
    strict: bool,
    pseudonymise: str | bytes | None = None,
) -> EventLog:
    """Run the three reductions on ``engine`` and build the compact log (see ``scan``)."""
    _check_columns(engine, cols)
    profile = engine.profile(cols)
    if pseudonymise is not None:
        profile = _pseudonymised_samples(profile, cols, pseudonymise)
    _check_profile(profile, cols)
    touchpoints = _touchpoints(profile, cols)
    coding = _coding(profile, cols, touchpoints, success, failure, when_both, strict)
    flat = _flatten(engine.variants(cols, coding), cols)
    assembled = assemble(
        flat["tp"],
        flat["eo"],
        flat["offsets"],
        flat["weight"],
        flat["value_sum"],
        flat["value_n"],
        flat["attrs"],
        len(touchpoints),
    )
    n_tp = len(touchpoints)
    channels: tuple[str | None, ...] = (None,) * n_tp
    if journey is not None:
        stages, tp_stage, channels = _stages_from_journey(journey, touchpoints, strict)
        source = "journey"
    elif cols.stage is not None:
        stage_counts = profile.stages if profile.stages is not None else pd.DataFrame()
        stages, tp_stage = _stages_from_counts(
            stage_counts.astype({"touchpoint": object, "stage": object}),
            touchpoints,
            assembled["tp"],
            assembled["offsets"],
            assembled["weight"],
            strict,
        )
        source = "column"
    else:
        stages, tp_stage = _infer_stages_weighted(
            assembled["tp"], assembled["offsets"], assembled["weight"], n_tp
        )
        source = "inferred"
    timings = engine.timings(cols, attrs.evolve(coding, touchpoint_stage=tp_stage))
    parts = compact_parts(
        assembled,
        touchpoints=touchpoints,
        stages=stages,
        stage_source=source,
        touchpoint_stage=tp_stage,
        channels=channels,
        timezone="UTC" if profile.timezone_aware else None,
        when_both=when_both,
        value_agg=cols.value_agg,
        timings=timings,
        engine=engine.name,
    )
    parts["offsets"] = assembled["offsets"]
    return build_compact(cls, parts, profile.n_cases)


def _pseudonymised_samples(profile: Profile, cols: ScanColumns, key: str | bytes) -> Profile:
    """The profile with the case ids of its error samples replaced by keyed pseudonyms.

    A compact log holds no case id, so the samples of rows in an error message are the only
    place an id could leave the engine. The key is checked even when there is no sample.
    """
    from frictionkit.privacy import pseudonymise

    pseudonymise(pd.DataFrame({cols.case: pd.Series([], dtype=object)}), cols.case, key=key)
    samples = {}
    for name in ("missing_sample", "bad_time_sample"):
        sample = getattr(profile, name)
        if cols.case in sample.columns and len(sample):
            sample = pseudonymise(sample, cols.case, key=key)
        samples[name] = sample
    return attrs.evolve(profile, **samples)


def _refuse_on_engine(engine: Engine, options: IngestOptions) -> None:
    for name in ("timestamp_format", "dayfirst"):
        value = getattr(options, name)
        if value is not None:
            raise ValidationError(
                f"{name} is not supported by engine={engine.name!r}: that engine reads "
                "timestamps only as typed dates and times or ISO 8601 text",
                field=name,
                value=value,
                hint="Convert the column to ISO 8601 text or a timestamp type first, or "
                "scan with engine='pandas' (or build the log with EventLog.from_frame)",
            )
    if options.lifecycle_col is not None:
        raise ValidationError(
            f"lifecycle_col is not supported by engine={engine.name!r}: the engines do not "
            "pair or filter lifecycle events yet",
            field="lifecycle_col",
            value=options.lifecycle_col,
            hint="Keep only the 'complete' events in the source first (e.g. a WHERE clause "
            "on the lifecycle column), or scan with engine='pandas' (or build the log with "
            "EventLog.from_frame)",
        )
    for name in ("success", "failure"):
        value = getattr(options, name)
        if isinstance(value, Mapping):
            raise ValidationError(
                f"{name}= as a mapping of kinds is not supported by engine={engine.name!r}: "
                "the engines decide the two outcomes only, not their kinds",
                field=name,
                value=dict(value),
                hint=f"Give {name}= as a list (all kinds as one), or build the log in memory "
                "(engine='pandas' or EventLog.from_frame) to keep the kinds",
            )
    if options.channel_col is not None:
        raise ValidationError(
            f"channel_col is not supported by engine={engine.name!r}: the engines do not "
            "reduce a channel column yet",
            field="channel_col",
            value=options.channel_col,
            hint="Give the channels with journey= (a journey map), or scan with "
            "engine='pandas' (or build the log with EventLog.from_frame)",
        )


def scan(
    cls: type[EventLog],
    source: Any,
    *,
    case_col: str,
    touchpoint_col: str,
    timestamp_col: str,
    engine: str | Engine | None = None,
    order_col: str | None = None,
    options: IngestOptions,
    engine_options: Mapping[str, Any] | None = None,
) -> EventLog:
    """Implementation of :meth:`EventLog.scan` (see there): ``cls`` is the log's class."""
    engine_kw = dict(engine_options or {})
    case_cols = options.case_cols
    if isinstance(case_cols, str):
        case_cols = (case_cols,)
    options = attrs.evolve(options, case_cols=tuple(case_cols))
    check_log_options(
        options.when_both, options.value_agg, options.on_null, options.journey, options.stage_col
    )
    with engine_errors():
        eng = resolve_engine(source, engine, engine_kw)
        if eng is None:
            return _scan_pandas(
                cls,
                source,
                case_col=case_col,
                touchpoint_col=touchpoint_col,
                timestamp_col=timestamp_col,
                order_col=order_col,
                options=options,
                engine_options=engine_kw,
            )
        _refuse_on_engine(eng, options)
        cols = ScanColumns(
            case=case_col,
            touchpoint=touchpoint_col,
            timestamp=timestamp_col,
            order=order_col,
            outcome=options.outcome_col,
            stage=options.stage_col,
            value=options.value_col,
            value_agg=options.value_agg,
            case_cols=tuple(options.case_cols),
            drop_missing=options.on_null == "drop",
        )
        try:
            return scan_engine(
                cls,
                eng,
                cols=cols,
                success=options.success,
                failure=options.failure,
                when_both=options.when_both,
                journey=options.journey,
                strict=options.strict,
                pseudonymise=options.pseudonymise,
            )
        finally:
            eng.release()  # what the engine kept between its reductions, also on error


def _scan_pandas(
    cls: type[EventLog],
    source: Any,
    *,
    case_col: str,
    touchpoint_col: str,
    timestamp_col: str,
    order_col: str | None,
    options: IngestOptions,
    engine_options: Mapping[str, Any],
) -> EventLog:
    """The in-memory engine: read or take the frame, build the log, compact it."""
    if engine_options:
        raise ValidationError(
            f"engine='pandas' takes no engine_options, got {sorted(engine_options)}",
            field="engine_options",
            value=sorted(engine_options),
            hint="engine_options are for engine='duckdb' or 'spark'",
        )
    if isinstance(source, (str, Path)):
        frame: Any = read_event_frame(Path(source), (case_col, touchpoint_col))
    else:
        frame = source
    if order_col is not None:
        frame = _as_pandas(frame)
        _check_column(frame, order_col, "order_col")
        if not frame[order_col].is_monotonic_increasing:  # a stable sort keeps sorted rows
            frame = frame.sort_values(order_col, kind="stable")
    n_rows = getattr(frame, "shape", (0,))[0]
    # one freed-memory window for both steps: the compaction reuses what ingest freed
    with reusing_memory(n_rows if isinstance(n_rows, int) else 0):
        return cls.from_frame(
            frame,
            case_col=case_col,
            touchpoint_col=touchpoint_col,
            timestamp_col=timestamp_col,
            **options.as_kwargs(),
        ).compact()
