"""Part of :mod:`frictionkit.markov` (see its documentation)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.events._outcomes import (
    FAILURE,
    FAILURE_STATE,
    OPEN,
    OPEN_STATE,
    OUTCOMES,
    RESERVED_STATES,
    START_STATE,
    SUCCESS,
    SUCCESS_STATE,
)
from frictionkit.events._reductions import route_codes
from frictionkit.exceptions import (
    DataError,
    InputTypeError,
    MissingColumnError,
    ValidationError,
    did_you_mean,
)
from frictionkit.markov._core import (
    Routes,
    _as_count,
    _check_touchpoint_name,
    _name,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.markov._model import MarkovModel


def _as_sequence(value: Any, field: str) -> Sequence[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputTypeError(
            f"{field} must be a list, got {type(value).__name__}",
            field=field,
            value=type(value).__name__,
        )
    return list(value)


def _from_paths(
    cls: type[MarkovModel],
    paths: Iterable[Sequence[Any]],
    outcomes: Iterable[str],
    counts: Iterable[int] | None = None,
) -> MarkovModel:
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
        listed = (OUTCOMES[SUCCESS], OUTCOMES[FAILURE], OUTCOMES[OPEN])
        raise ValidationError(
            f"unknown outcome {bad[0]!r}{did_you_mean(bad[0], listed)}; "
            f"outcomes must be one of {', '.join(listed)}",
            field="outcomes",
            value=bad[0],
        )
    keep = [
        i
        for i, (o, c) in enumerate(zip(outcome_list, count_list, strict=True))
        if o != OUTCOMES[OPEN]
    ]
    n_open = sum(c for o, c in zip(outcome_list, count_list, strict=True) if o == OUTCOMES[OPEN])
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
            (SUCCESS if outcome_list[i] == OUTCOMES[SUCCESS] else FAILURE for i in keep),
            dtype=np.int64,
            count=len(keep),
        ),
        counts=np.asarray([count_list[i] for i in keep], dtype=np.int64),
        n_open=n_open,
    )


def _from_arrays(
    cls: type[MarkovModel],
    *,
    touchpoints: Sequence[str],
    event_touchpoint: npt.ArrayLike,
    offsets: npt.ArrayLike,
    outcome: npt.ArrayLike,
    counts: npt.ArrayLike | None,
    n_open: int,
) -> MarkovModel:
    names = [_name(x, "touchpoints") for x in touchpoints]
    for name in names:
        _check_touchpoint_name(name, "touchpoints")
    if len(set(names)) != len(names):
        raise ValidationError("touchpoints holds a name twice", field="touchpoints", value=names)
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
    weighted = counts is not None
    if counts is None:
        w = np.ones(n_j, dtype=np.int64)
    else:
        w = np.asarray(counts, dtype=np.int64)
        if len(w) != n_j or (w < 0).any():
            raise ValidationError(
                "counts must hold one whole number >= 0 per journey", field="counts"
            )
    # keep only the touchpoints that occur, in name order (as from_paths does)
    if weighted:
        used = np.bincount(tp, weights=np.repeat(w, lengths), minlength=k) > 0
    else:
        used = np.bincount(tp, minlength=k) > 0
    order = sorted(np.flatnonzero(used).tolist(), key=lambda i: names[i])
    remap = np.zeros(k, dtype=np.int64)
    remap[order] = np.arange(1, len(order) + 1)
    code = remap[tp]
    s = len(order) + 3
    if weighted:
        src, dst, edge_j = _edges(code, off, lengths, oc, s)
        flat = np.bincount(src * s + dst, weights=w[edge_j], minlength=s * s)
        transition_counts = np.rint(flat).astype(np.int64).reshape(s, s)
        del src, dst, edge_j
    else:
        transition_counts = _unweighted_counts(code, off, lengths, oc, s)
    del code

    return cls(
        touchpoints=[names[i] for i in order],
        counts=transition_counts,
        # a partial of a module function, so that the model still pickles
        lazy_paths=functools.partial(_paths_and_routes, tp, off, lengths, oc, w, remap, s, k),
        n_open=int(n_open),
    )


def _edges(
    code: np.ndarray, off: np.ndarray, lengths: np.ndarray, oc: np.ndarray, s: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source state, target state and journey of every transition (START and ends too)."""
    n_j = len(lengths)
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
    return src, dst, edge_j


def _unweighted_counts(
    code: np.ndarray, off: np.ndarray, lengths: np.ndarray, oc: np.ndarray, s: int
) -> np.ndarray:
    """Transition counts of one journey each (the counts :func:`_edges` gives).

    Consecutive events are paired across the whole array, the pairs that straddle two
    journeys sent to a spare cell; ``START`` and end edges are counted per journey. Codes
    are narrowed to the smallest type that holds a pair.
    """
    n = len(code)
    dtype = np.int32 if (s * s + 1) < 2**31 else np.int64
    has = lengths > 0
    last = off[1:][has] - 1
    end = np.where(oc == 1, s - 2, s - 1)
    flat = np.zeros(s * s + 1, dtype=np.int64)
    if n > 1:
        c = code.astype(dtype)
        pair = np.add(c[:-1] * s, c[1:])
        del c
        cut = last[last < n - 1]
        pair[cut] = s * s  # across two journeys: the spare cell
        flat += np.bincount(pair, minlength=s * s + 1)
        del pair
    # START -> first touchpoint (or straight to the end for an empty journey)
    first_state = np.where(has, 0, end)
    first_state[has] = code[off[:-1][has]]
    flat[:s] += np.bincount(first_state, minlength=s)
    # last touchpoint -> end state
    flat[: s * s] += np.bincount(code[last] * s + end[has], minlength=s * s)
    return flat[: s * s].reshape(s, s)


def _paths_and_routes(
    tp: np.ndarray,
    off: np.ndarray,
    lengths: np.ndarray,
    oc: np.ndarray,
    w: np.ndarray,
    remap: np.ndarray,
    s: int,
    k: int,
) -> tuple[Callable[[], tuple[np.ndarray, Any, np.ndarray]], Routes]:
    """The ordered routes, and how to build the distinct (route, outcome) pairs' edges.

    Built when first needed (bootstrap, repair effects, harm removal): the chain itself
    needs only the counts, and harm removal only the routes, so the path-by-edge matrix
    is returned as a builder (a partial of :func:`_path_edges`, called on first use).
    ``remap`` gives the state of each touchpoint code.
    """
    code = remap[tp]
    n_j = len(lengths)
    has = lengths > 0
    # distinct (route, outcome) pairs, and one journey of each
    route = np.full(n_j, -1, dtype=np.int64)
    if has.any():
        route[has] = route_codes(tp, np.r_[off[:-1][has], off[-1]], k)
    key = route * 2 + (oc == 2)
    uniq, rid = np.unique(key, return_inverse=True)
    rid = rid.astype(np.int64)
    weights = np.bincount(rid, weights=w, minlength=len(uniq)).astype(np.int64)
    rep = np.full(len(uniq), -1, dtype=np.int64)
    rep[rid[::-1]] = np.arange(n_j - 1, -1, -1, dtype=np.int64)
    live = weights > 0
    # the ordered routes themselves (one representative journey per distinct route and
    # outcome), for counterfactuals that need the order of visits (harm removal)
    rep_live = rep[live]
    rep_len = lengths[rep_live]
    rep_events = np.repeat(off[:-1][rep_live] - np.r_[0, np.cumsum(rep_len)[:-1]], rep_len)
    routes = Routes(
        code=code[rep_events + np.arange(int(rep_len.sum()), dtype=np.int64)],
        offsets=np.r_[0, np.cumsum(rep_len)].astype(np.int64),
        success=oc[rep_live] == 1,
        weight=weights[live],
    )
    # a partial of a module function, so that the model still pickles
    paths = functools.partial(_path_edges, code, off, lengths, oc, s, rid, rep, weights)
    return paths, routes


def _path_edges(
    code: np.ndarray,
    off: np.ndarray,
    lengths: np.ndarray,
    oc: np.ndarray,
    s: int,
    rid: np.ndarray,
    rep: np.ndarray,
    weights: np.ndarray,
) -> tuple[np.ndarray, Any, np.ndarray]:
    """The distinct edges, the (route, outcome)-by-edge count matrix and the pairs' counts.

    ``rid`` numbers each journey's (route, outcome) pair, ``rep`` gives one journey of
    each pair and ``weights`` the journeys of each (:func:`_paths_and_routes`).
    """
    from scipy import sparse

    n_j = len(lengths)
    src, dst, edge_j = _edges(code, off, lengths, oc, s)
    edge = src * s + dst
    del src, dst
    is_rep = np.zeros(n_j, dtype=bool)
    is_rep[rep] = True
    sel = is_rep[edge_j]
    # the distinct edges and each one's column: edge codes are below s * s, so a count
    # per code does what np.unique would do by sorting every edge
    rep_edge = edge[sel]
    seen = np.bincount(rep_edge, minlength=s * s) > 0
    unique = np.flatnonzero(seen)
    col = (np.cumsum(seen) - 1)[rep_edge]
    incidence = sparse.csr_matrix(
        (np.ones(int(sel.sum()), dtype=np.int64), (rid[edge_j[sel]], col.ravel())),
        shape=(len(rep), len(unique)),
    )
    incidence.sum_duplicates()
    live = weights > 0
    if not live.all():
        incidence = incidence[np.flatnonzero(live)]
        weights = weights[live]
    return unique.astype(np.int64), incidence, weights


def _from_transitions(
    cls: type[MarkovModel],
    frame: pd.DataFrame,
    *,
    from_col: str,
    to_col: str,
    count_col: str,
) -> MarkovModel:
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
            f"{int(bad_names.sum())} transition row(s) have no {from_col!r} or {to_col!r} state",
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
        if a in (SUCCESS_STATE, FAILURE_STATE, OPEN_STATE) or b == START_STATE
    ]
    if misplaced:
        raise DataError(
            f"transitions out of an outcome state or into {START_STATE!r}: {misplaced[0][1]}",
            failure_cases=frame.iloc[[i for i, _ in misplaced]],
            field=from_col,
            hint=f"{START_STATE!r} only starts journeys; {SUCCESS_STATE!r}, {FAILURE_STATE!r} "
            f"and {OPEN_STATE!r} only end them",
        )
    keep = [i for i, b in enumerate(to_names) if b != OPEN_STATE]
    if START_STATE not in from_names:
        raise ValidationError(
            f"no transition leaves {START_STATE!r}, so no journey starts",
            field=from_col,
            hint=f"Add rows from {START_STATE!r} to the first touchpoint of each journey",
        )
    touchpoints = sorted(
        {x for x in from_names if x != START_STATE}
        | {x for x in to_names if x not in RESERVED_STATES}
    )
    index = {name: i + 1 for i, name in enumerate(touchpoints)}
    s = len(touchpoints) + 3
    index[START_STATE] = 0
    index[SUCCESS_STATE] = s - 2
    index[FAILURE_STATE] = s - 1
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
