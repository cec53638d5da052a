"""Feedback analysis: metric scores by group and the emotion curve (bodies of the methods)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.exceptions import (
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.feedback._answers import (
    _obj,
    _sort_key,
)
from frictionkit.feedback._metrics import (
    _LINK_FIELDS,
    METRICS,
    CsatStatistic,
    FloatArray,
    IntArray,
    _check_confidence,
    _group_stats,
    _nps_kernel,
    _t_kernel,
    _wilson_kernel,
    _z,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.feedback._feedback import Feedback
    from frictionkit.model import Journey


def _levels(fb: Feedback, col: str) -> list[Any]:
    values = _obj(fb.answers[col])
    miss = pd.isna(fb.answers[col]).to_numpy()
    present = [v for v, m in zip(values, miss, strict=True) if not m]
    j = fb.journey
    levels: list[Any]
    if j is not None and col == "touchpoint":
        levels = list(j.ids("touchpoints"))
    elif j is not None and col == "stage":
        levels = list(j.ids("stages"))
    elif j is not None and col == "persona" and j.personas:
        levels = list(j.ids("personas"))
    else:
        levels = sorted(set(present), key=_sort_key)
    if miss.any():
        levels.append(None)
    return levels


def _codes(fb: Feedback, col: str, levels: Sequence[Any]) -> IntArray:
    index = {v: i for i, v in enumerate(levels) if v is not None}
    miss = pd.isna(fb.answers[col]).to_numpy()
    none_code = len(levels) - 1
    values = _obj(fb.answers[col])
    return np.array(
        [none_code if m else index[v] for v, m in zip(values, miss, strict=True)],
        dtype=np.int64,
    )


def _scores(
    fb: Feedback,
    by: str | Sequence[str],
    csat: CsatStatistic,
    confidence: float,
    include_empty: bool,
) -> pd.DataFrame:
    c = _check_confidence(confidence)
    if csat not in ("share", "mean", "both"):
        raise UnknownReferenceError(
            f"csat must be 'share', 'mean' or 'both', got {csat!r}"
            + did_you_mean(csat, ("share", "mean", "both")),
            field="csat",
            value=csat,
        )
    groups = _check_by(fb, by)
    metrics = list(fb.metrics)
    metric_index = {m: i for i, m in enumerate(metrics)}
    m_code = np.array(
        [metric_index[m] for m in _obj(fb.answers["metric"])],
        dtype=np.int64,
    )
    levels = [_levels(fb, g) for g in groups]
    dims = (len(metrics), *(len(lv) for lv in levels))
    total = int(np.prod(dims)) if metrics else 0
    if total > 5_000_000:
        raise ValidationError(
            f"grouping by {groups} gives {total:,} groups",
            field="by",
            value=groups,
            hint="Group by fewer columns, or pass include_empty=False",
        )
    if total == 0:
        return pd.DataFrame(
            {"metric": pd.Series([], dtype=object)}
            | {g: pd.Series([], dtype=object) for g in groups}
            | {k: pd.Series([], dtype=np.float64) for k in ("value", "ci_low", "ci_high")}
            | {"n": pd.Series([], dtype=np.int64)}
        )
    codes = [m_code, *(_codes(fb, g, lv) for g, lv in zip(groups, levels, strict=True))]
    flat = np.ravel_multi_index(tuple(codes), dims).astype(np.int64)
    score = fb.answers["score"].to_numpy(dtype=np.float64)
    n, mean, var = _group_stats(flat, score, total)
    sat = _count_where(flat, score >= fb.satisfied_from, total)
    prom = _count_where(flat, score >= 9.0, total)
    det = _count_where(flat, score <= 6.0, total)
    z = _z(c)
    grid = np.unravel_index(np.arange(total), dims)
    block = total // len(metrics)
    frames: list[pd.DataFrame] = []
    labels: list[tuple[str, int]] = []
    for m in metrics:
        if m == "csat":
            if csat in ("share", "both"):
                labels.append(("csat", metric_index[m]))
            if csat in ("mean", "both"):
                labels.append(("csat_mean", metric_index[m]))
        else:
            labels.append((m, metric_index[m]))
    for label, mi in labels:
        sl = slice(mi * block, (mi + 1) * block)
        nn = n[sl]
        if label == "csat":
            with np.errstate(invalid="ignore", divide="ignore"):
                value = sat[sl] / nn
            lo, hi = _wilson_kernel(sat[sl], nn, z)
        elif label == "nps":
            value, lo, hi = _nps_kernel(prom[sl], det[sl], nn, z)
        else:
            sc = fb.csat_scale if label == "csat_mean" else fb.ces_scale
            value = mean[sl]
            lo, hi = _t_kernel(mean[sl], var[sl], nn, c, *sc)
        cols: dict[str, Any] = {"metric": np.full(block, label, dtype=object)}
        for gi, g in enumerate(groups):
            lv = np.array(levels[gi] if levels[gi] else [None], dtype=object)
            cols[g] = lv[grid[gi + 1][sl]]
        cols |= {
            "value": np.where(nn > 0, value, np.nan),
            "ci_low": lo,
            "ci_high": hi,
            "n": nn.astype(np.int64),
        }
        frames.append(pd.DataFrame(cols))
    out = pd.concat(frames, ignore_index=True)
    if not include_empty:
        out = out[out["n"] > 0].reset_index(drop=True)
    return out


def _check_by(fb: Feedback, by: str | Sequence[str]) -> list[str]:
    items = [by] if isinstance(by, str) else list(by)
    allowed = ("metric", *_LINK_FIELDS, *fb.attribute_cols)
    seen: list[str] = []
    for item in items:
        if item not in allowed:
            raise UnknownReferenceError(
                f"cannot group by {item!r}" + did_you_mean(item, allowed),
                field="by",
                value=item,
                hint=f"Group by {', '.join(map(repr, allowed))}; keep other columns "
                "with attribute_cols= in Feedback.from_frame",
            )
        if item in seen:
            raise ValidationError(
                f"by lists {item!r} twice", field="by", value=item, hint="List it once"
            )
        seen.append(item)
    return [g for g in seen if g != "metric"]


def _emotion_curve(feedback: Feedback, journey: Journey | None, by_persona: bool) -> pd.DataFrame:
    fb = feedback
    if journey is not None and journey is not feedback.journey:
        fb = feedback.with_journey(journey)
    a = fb.answers
    stage = _obj(a["stage"])
    tp = _obj(a["touchpoint"])
    pairs_present = set(zip(stage.tolist(), tp.tolist(), strict=True))
    j = fb.journey
    pairs: list[tuple[Any, Any]] = []
    if j is not None:
        for st in j.ids("stages"):
            if (st, None) in pairs_present:
                pairs.append((st, None))
            pairs.extend((st, t.id) for t in j.touchpoints_in(st))
        if (None, None) in pairs_present:
            pairs.append((None, None))
    else:
        pairs = sorted(pairs_present, key=lambda p: (_sort_key(p[0]), _sort_key(p[1])))
    pair_index = {p: i for i, p in enumerate(pairs)}
    code = np.array(
        [pair_index[p] for p in zip(stage.tolist(), tp.tolist(), strict=True)],
        dtype=np.int64,
    )
    n_pairs = len(pairs)
    personas: list[Any] = [None]
    if by_persona:
        personas = _levels(fb, "persona")
        code = code * len(personas) + _codes(fb, "persona", personas)
    total = n_pairs * len(personas)
    metric = _obj(a["metric"])
    n = np.bincount(code, minlength=total).astype(np.float64)
    s = np.bincount(code, weights=a["sentiment"].to_numpy(dtype=np.float64), minlength=total)
    with np.errstate(invalid="ignore", divide="ignore"):
        sentiment = np.where(n > 0, s / n, np.nan)
    pi, qi = np.divmod(np.arange(total), len(personas))
    cols: dict[str, Any] = {
        "stage": np.array([pairs[i][0] for i in pi], dtype=object),
        "touchpoint": np.array([pairs[i][1] for i in pi], dtype=object),
    }
    if by_persona:
        cols["persona"] = np.array([personas[i] for i in qi], dtype=object)
    cols["sentiment"] = sentiment
    cols["n"] = n.astype(np.int64)
    for m in METRICS:
        cols[f"n_{m}"] = np.bincount(
            code, weights=(metric == m).astype(np.float64), minlength=total
        ).astype(np.int64)
    return pd.DataFrame(cols)


def _count_where(group: IntArray, mask: npt.NDArray[np.bool_], n_groups: int) -> FloatArray:
    """Number of answers per group where ``mask`` holds, as floats."""
    return np.bincount(group, weights=mask.astype(np.float64), minlength=n_groups).astype(
        np.float64
    )
