"""The exact solver: MILP model, exact reductions, tie-break, infeasibility diagnosis."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from frictionkit.exceptions import (
    InfeasibleError,
)
from frictionkit.portfolio._inputs import (
    _REL_TOL,
    BoolArray,
    FloatArray,
    _Problem,
)

if TYPE_CHECKING:
    from scipy import sparse

_SCALE = 1e6  # objective coefficients are scaled to at most this (see _solve)


def _overflow(p: _Problem, items: Sequence[int]) -> tuple[str, float, float, list[int]] | None:
    """The first resource that ``items`` (with their prerequisites) overflow, if any."""
    need = sorted(p.closure(items))
    if p.budget is not None:
        used = float(p.cost[need].sum())
        if used > p.budget * (1 + _REL_TOL) + 1e-12:
            return ("budget", used, p.budget, need)
    for owner, days in p.capacity.items():
        used = float(sum(p.effort[k] for k in need if p.owners[k] == owner))
        if used > days * (1 + _REL_TOL) + 1e-12:
            return (f"capacity[{owner}]", used, days, need)
    return None


def _describe(name: str, used: float, limit: float, owner: Callable[[str], str] = repr) -> str:
    """An overflow as text; ``owner`` writes the owner of a capacity (its quoted id)."""
    if name == "budget":
        return f"{used:,.6g}, more than the budget ({limit:,.6g})"
    return f"{used:,.1f} days of {owner(name[9:-1])}, more than its capacity ({limit:,.1f} days)"


def _diagnose(p: _Problem, extra: Sequence[int] = ()) -> InfeasibleError | None:
    """Why the must-dos (plus ``extra``) cannot all fit; ``None`` when they do.

    Every constraint is ``<=`` with non-negative coefficients, so a plan exists exactly when
    the mandatory items with everything they require fit the budget and every capacity.
    A deletion filter then keeps an irreducible set of items that still overflows the
    resource.
    """
    forced = [int(m) for m in np.flatnonzero(p.mandatory)] + [int(e) for e in extra]
    over = _overflow(p, forced)
    if over is None:
        return None
    name = over[0]
    keep = list(forced)
    for item in list(forced):
        trial = [k for k in keep if k != item]
        again = _overflow(p, trial)
        if again is not None and again[0] == name:
            keep = trial
    final = _overflow(p, keep)
    assert final is not None
    _, used, limit, need = final
    conflicts = (
        name,
        *(f"mandatory[{p.ids[k]}]" for k in keep if p.mandatory[k]),
        *(f"forced[{p.ids[k]}]" for k in keep if not p.mandatory[k]),
        *(f"requires[{p.ids[a]}->{p.ids[b]}]" for a in need for b in p.requires[a]),
    )
    items = ", ".join(repr(p.ids[k]) for k in keep)
    extra_req = [p.ids[k] for k in need if k not in keep]
    with_req = f" (with what they require: {', '.join(extra_req)})" if extra_req else ""
    return InfeasibleError(
        f"no plan is possible: {items} must be done{with_req} and need "
        + _describe(name, used, limit),
        conflicts=conflicts,
        field=name,
        value=used,
        hint="Raise the limit, or make one of these improvements optional",
    )


# ---------------------------------------------------------------------------------------
# solving


@attrs.frozen
class _Solution:
    x: BoolArray
    status: Literal["optimal", "time_limit"]
    bound: float
    gap: float
    seconds: float


def _static_rows(p: _Problem) -> dict[str, Any]:
    """Rows that depend only on the structure (requires, excludes, owners), built once.

    Cached on the problem, so solving again with other coefficients or limits (what-if
    questions, the draws of :func:`~frictionkit.portfolio.robust_portfolio`) reuses them.
    """
    if "rows" in p._static:
        cached: dict[str, Any] = p._static
        return cached
    from scipy import sparse  # lazy: scipy loads on first use, not with frictionkit

    n = p.n
    mats: list[sparse.csr_array] = []
    names: list[str] = []
    ubs: list[float] = []
    pairs = [(a, b) for a in range(n) for b in p.requires[a]]
    if pairs:
        r = np.arange(len(pairs))
        a_idx = np.array([a for a, _ in pairs])
        b_idx = np.array([b for _, b in pairs])
        data = np.concatenate([np.ones(len(pairs)), -np.ones(len(pairs))])
        mats.append(
            sparse.csr_array(
                (data, (np.concatenate([r, r]), np.concatenate([a_idx, b_idx]))),
                shape=(len(pairs), n),
            )
        )
        ubs.extend([0.0] * len(pairs))
        names.extend(f"requires[{p.ids[a]}->{p.ids[b]}]" for a, b in pairs)
    groups = p.groups()
    if groups:
        rows = np.concatenate([np.full(len(g), k) for k, g in enumerate(groups)])
        cols = np.concatenate([np.array(g) for g in groups])
        mats.append(sparse.csr_array((np.ones(len(cols)), (rows, cols)), shape=(len(groups), n)))
        ubs.extend([1.0] * len(groups))
        names.extend("excludes[" + "|".join(p.ids[k] for k in g) + "]" for g in groups)
    owners = np.array(p.owners, dtype=object)
    p._static.update(
        rows=mats,
        ubs=ubs,
        names=names,
        owner_mask={o: owners == o for o in dict.fromkeys(p.owners)},
    )
    return p._static


def _rows(p: _Problem) -> tuple[list[sparse.csr_array], list[float], list[str]]:
    """Constraint rows ``A x <= b`` of the model, each with a name."""
    from scipy import sparse

    n = p.n
    static = _static_rows(p)
    mats: list[sparse.csr_array] = []
    ubs: list[float] = []
    names: list[str] = []
    if p.budget is not None:
        mats.append(sparse.csr_array(p.cost.reshape(1, n)))
        ubs.append(p.budget)
        names.append("budget")
    for owner, days in p.capacity.items():
        mask = static["owner_mask"].get(owner)
        row = np.where(mask, p.effort, 0.0) if mask is not None else np.zeros(n)
        mats.append(sparse.csr_array(row.reshape(1, n)))
        ubs.append(days)
        names.append(f"capacity[{owner}]")
    return mats + static["rows"], ubs + static["ubs"], names + static["names"]


_QUIET_LOCK = threading.Lock()
_QUIET_STATE: dict[str, int] = {"depth": 0, "saved": -1}


def _flush_c_stdio() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):  # pragma: no cover - no C library handle
        pass


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence what the solver prints to the process's standard output while it runs.

    Some HiGHS builds print debugging lines with C ``printf``, whatever ``disp`` says;
    they would land in the middle of a command's output. Standard output is pointed at
    the null device at the level of the file descriptor (and C's buffer flushed before
    it is restored). Nested and concurrent solves share one redirection.
    """
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
    except (AttributeError, OSError, ValueError):  # pragma: no cover - no real stdout
        yield
        return
    with _QUIET_LOCK:
        if _QUIET_STATE["depth"] == 0:
            try:
                if sys.__stdout__ is not None:
                    sys.__stdout__.flush()
                saved = os.dup(fd)
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, fd)
                os.close(null)
            except OSError:  # pragma: no cover - cannot redirect: print as before
                saved = -1
            _QUIET_STATE["saved"] = saved
        _QUIET_STATE["depth"] += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _QUIET_STATE["depth"] -= 1
            if _QUIET_STATE["depth"] == 0 and _QUIET_STATE["saved"] >= 0:
                _flush_c_stdio()
                os.dup2(_QUIET_STATE["saved"], fd)
                os.close(_QUIET_STATE["saved"])
                _QUIET_STATE["saved"] = -1


def _milp(
    c: FloatArray,
    p: _Problem,
    extra: Sequence[tuple[FloatArray, float, float]],
    lb: FloatArray,
    time_limit_s: float,
    ub: FloatArray | None = None,
) -> Any:
    # Imported here, not at module level: scipy.optimize costs ~0.4 s of `import frictionkit`.
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    mats, ubs, _ = _rows(p)
    cons: list[LinearConstraint] = []
    if mats:
        cons.append(LinearConstraint(sparse.vstack(mats).tocsr(), -np.inf, np.array(ubs)))
    for row, lo, hi in extra:
        cons.append(LinearConstraint(row.reshape(1, -1), lo, hi))
    with _quiet():
        return milp(
            c,
            integrality=np.ones(p.n),
            bounds=Bounds(lb, np.ones(p.n) if ub is None else ub),
            constraints=cons,
            options={
                "time_limit": max(time_limit_s, 0.01),
                "mip_rel_gap": 0.0,
                "presolve": True,
                "disp": False,
            },
        )


def _reduce(p: _Problem, lb: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Fix variables that no optimal plan can flip (budget-only problems).

    Dembo and Hammer's reduction: with ``r`` the value per cost of the critical item of the
    LP relaxation, ``U`` its bound and ``L`` the value of the greedy plan, any plan that
    flips item ``j`` away from its LP value is worth at most ``U - |v_j - r c_j|``; when
    that is below ``L`` the item is fixed. Exact: only plans worth less than a known plan
    are cut, so every optimal plan (and every tie) survives.
    """
    lb = lb.copy()
    ub = np.ones(p.n)
    if p.budget is None or p.capacity or any(p.requires) or any(p.excludes) or p.n < 50:
        return lb, ub
    fixed = lb > 0
    room = p.budget - float(p.cost[fixed].sum())
    pool = np.flatnonzero(~fixed & (p.value > 0))
    if room < 0 or pool.size == 0:
        return lb, ub
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p.cost[pool] > 0, p.value[pool] / p.cost[pool], np.inf)
    order = pool[np.argsort(-ratio, kind="stable")]
    cum = np.cumsum(p.cost[order])
    s = int(np.searchsorted(cum, room, side="right"))
    if s >= order.size:
        return lb, ub  # everything fits: nothing to reduce
    crit = order[s]
    r = float(p.value[crit] / p.cost[crit])
    before = float(cum[s - 1]) if s else 0.0
    upper = float(p.value[order[:s]].sum()) + (room - before) * r
    left = room
    lower = 0.0
    for k in order:
        if p.cost[k] <= left:
            left -= p.cost[k]
            lower += p.value[k]
    d = p.value[pool] - r * p.cost[pool]
    margin = 1e-9 * max(abs(upper), 1.0)
    cut = upper - np.abs(d) < lower - margin
    lb[pool[cut & (d > 0)]] = 1.0
    ub[pool[cut & (d < 0)]] = 0.0
    return lb, ub


_ENUM_MAX = 14  # problems with at most this many improvements are solved by enumeration


def _subsets(p: _Problem) -> tuple[BoolArray, FloatArray, FloatArray]:
    """Every subset that respects ``requires`` and ``excludes``, listed once per problem.

    As booleans, as 0/1 floats, and the sum of each one's input positions (cached on the
    problem: they depend only on its structure).
    """
    static = _static_rows(p)
    if "masks" not in static:
        n = p.n
        masks = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
        ok = np.ones(len(masks), dtype=bool)
        for a in range(n):
            for b in p.requires[a]:
                ok &= ~masks[:, a] | masks[:, b]
            for b in p.excludes[a]:
                if b > a:
                    ok &= ~(masks[:, a] & masks[:, b])
        masks = masks[ok]
        static["masks"] = masks
        static["masks_f"] = masks.astype(float)
        static["masks_pos"] = masks @ np.arange(1, n + 1, dtype=float)
    return static["masks"], static["masks_f"], static["masks_pos"]


def _fits(p: _Problem, lb: FloatArray) -> BoolArray:
    """Which of :func:`_subsets` hold the items ``lb`` forces and fit the budget and staff."""
    static = _static_rows(p)
    masks, mf, _ = _subsets(p)
    ok: BoolArray = np.asarray(masks[:, lb > 0].all(axis=1))
    if p.budget is not None:
        ok &= mf @ p.cost <= p.budget * (1 + _REL_TOL) + 1e-12
    for owner, days in p.capacity.items():
        per = np.where(static["owner_mask"].get(owner, False), p.effort, 0.0)
        ok &= mf @ per <= days * (1 + _REL_TOL) + 1e-12
    return ok


def _enumerate(p: _Problem, lb: FloatArray) -> BoolArray | None:
    """Exact lexicographic optimum of a small problem by checking every subset.

    The subsets that respect ``requires`` and ``excludes`` depend only on the structure,
    so they are listed once and cached on the problem; each solve then only weighs them
    with the current coefficients (a few matrix products). Ties as in :func:`_solve`:
    most value, then least cost, then smallest sum of input positions.
    """
    masks, mf, pos = _subsets(p)
    idx = np.flatnonzero(_fits(p, lb))
    if idx.size == 0:
        return None
    value = mf[idx] @ p.value
    best = float(value.max())
    idx = idx[value >= best - max(abs(best) * 1e-12, 1e-12)]
    cost = mf[idx] @ p.cost
    low = float(cost.min())
    idx = idx[cost <= low * (1 + _REL_TOL) + 1e-12]
    out: BoolArray = masks[idx[int(np.argmin(pos[idx]))]].copy()
    return out


_MAX_STATES = 3_000_000  # DP states kept in all, beyond which the MILP takes over


def _budget_only(p: _Problem) -> bool:
    return p.budget is not None and not p.capacity and not any(p.requires) and not any(p.excludes)


def _dantzig(cum_c: FloatArray, cum_v: FloatArray, ratio: FloatArray, start: Any, room: Any) -> Any:
    """LP bound of items ``start..`` (ratio order) with ``room`` left (vectorised).

    ``cum_c``/``cum_v`` are prefix sums with a leading 0; ``ratio`` has one trailing 0.
    """
    m = len(cum_c) - 1
    goal = cum_c[start] + room
    t = np.minimum(np.searchsorted(cum_c, goal, side="right") - 1, m)
    rt = ratio[t]
    frac = np.where(np.isfinite(rt), (goal - cum_c[t]) * np.where(np.isfinite(rt), rt, 0.0), 0.0)
    return cum_v[t] - cum_v[start] + frac


def _knapsack(p: _Problem, lb: FloatArray, deadline: float) -> BoolArray | None:
    """Exact lexicographic 0-1 knapsack: most value, then least cost, then earliest items.

    For problems with a budget and nothing else (besides must-dos). Two exact steps:

    1. *Fixing* (Martello and Toth's refinement of Dembo and Hammer's reduction): for each
       item, the LP (Dantzig) bound of the problem with that item flipped away from its
       LP value; when it is below the value ``L`` of a known plan (the greedy one), no
       plan worth ``L`` or more flips it, so every optimal plan, ties included, keeps it.
    2. The remaining *core* by dynamic programming over non-dominated
       ``(cost, value, position sum)`` states (Nemhauser and Ullmann), items in ratio
       order; a state is dropped when another is no more costly and worth at least as
       much (ties: smaller position sum), or when its LP bound is below ``L`` (raised to
       the best state found as it goes). The last state is the lexicographic optimum.

    Sums are floating point: with whole-number (or whole-cent) figures they are exact,
    otherwise ties are decided up to rounding. Returns ``None`` when the core is too
    large or the time runs out (the caller then uses the MILP).
    """
    assert p.budget is not None
    x = lb > 0
    cap = p.budget * (1 + _REL_TOL) + 1e-12 - float(p.cost[x].sum())
    pool = np.flatnonzero(~x & (p.value > 0) & (p.cost <= cap))
    if pool.size == 0 or cap < 0:
        return x
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_all = np.where(p.cost[pool] > 0, p.value[pool] / p.cost[pool], np.inf)
    order = pool[np.lexsort((pool, -ratio_all))]
    c, v = p.cost[order], p.value[order]
    m = order.size
    cum_c = np.concatenate([[0.0], np.cumsum(c)])
    cum_v = np.concatenate([[0.0], np.cumsum(v)])
    ratio = np.concatenate([np.where(c > 0, v / np.where(c > 0, c, 1.0), np.inf), [0.0]])
    s = int(np.searchsorted(cum_c, cap, side="right")) - 1  # items 0..s-1 fit whole
    if s >= m:
        x[order] = True  # everything fits
        return x
    upper = float(_dantzig(cum_c, cum_v, ratio, 0, cap))
    lower = 0.0
    left = cap
    for k in range(m):  # the greedy plan (full pass)
        if c[k] <= left:
            left -= c[k]
            lower += v[k]
    margin = 1e-9 * max(abs(upper), 1.0)
    # step 1: flip bounds; in-items forced out, out-items forced in
    pos = np.arange(m)
    flip = np.full(m, np.inf)
    a = pos < s
    flip[a] = _dantzig(cum_c, cum_v, ratio, 0, cap + c[a]) - v[a]  # j dropped: room + c_j
    b = pos > s
    flip[b] = v[b] + _dantzig(cum_c, cum_v, ratio, 0, cap - c[b])  # j taken (items before s)
    fixed = flip < lower - margin
    x[order[fixed & a]] = True
    core = np.flatnonzero(~fixed)
    cap -= float(c[fixed & a].sum())
    best = lower - float(v[fixed & a].sum())  # value the core must reach
    c, v = c[core], v[core]
    item = order[core]
    rank = (item + 1).astype(float)  # position in the input, 1-based
    m = core.size
    cum_c = np.concatenate([[0.0], np.cumsum(c)])
    cum_v = np.concatenate([[0.0], np.cumsum(v)])
    ratio = np.concatenate([np.where(c > 0, v / np.where(c > 0, c, 1.0), np.inf), [0.0]])
    # step 2: dynamic programme over the core
    st_c, st_v, st_p = np.zeros(1), np.zeros(1), np.zeros(1)
    parents: list[npt.NDArray[np.intp]] = []
    took: list[BoolArray] = []
    total = 0
    for k in range(m):
        fit = st_c + c[k] <= cap
        n_old = st_c.size
        all_c = np.concatenate([st_c, st_c[fit] + c[k]])
        all_v = np.concatenate([st_v, st_v[fit] + v[k]])
        all_p = np.concatenate([st_p, st_p[fit] + rank[k]])
        parent = np.concatenate([np.arange(n_old), np.flatnonzero(fit)])
        tk = np.concatenate([np.zeros(n_old, bool), np.ones(int(fit.sum()), bool)])
        # Each list has strictly increasing costs, so a stable sort on cost is a linear merge
        # of two runs; equal costs then come in pairs (old, new), put best first.
        srt = np.argsort(all_c, kind="stable")
        same = np.flatnonzero(all_c[srt[1:]] == all_c[srt[:-1]])
        if same.size:
            i0, i1 = srt[same], srt[same + 1]
            better = (all_v[i1] > all_v[i0]) | ((all_v[i1] == all_v[i0]) & (all_p[i1] < all_p[i0]))
            srt[same[better]], srt[same[better] + 1] = i1[better], i0[better]
        all_v = all_v[srt]
        keep = np.empty(all_v.size, dtype=bool)
        keep[0] = True
        keep[1:] = all_v[1:] > np.maximum.accumulate(all_v)[:-1]
        srt = srt[keep]
        all_c, all_v, all_p = all_c[srt], all_v[keep], all_p[srt]
        best = max(best, float(all_v[-1]))
        ub_k = all_v + _dantzig(cum_c, cum_v, ratio, k + 1, cap - all_c)
        alive = ub_k >= best - margin
        srt, all_c, all_v, all_p = srt[alive], all_c[alive], all_v[alive], all_p[alive]
        parents.append(parent[srt])
        took.append(tk[srt])
        st_c, st_v, st_p = all_c, all_v, all_p
        total += st_c.size
        if total > _MAX_STATES or time.perf_counter() > deadline:
            return None
    i = int(st_c.size - 1)  # values strictly increase along the list: the last is best
    for k in range(m - 1, -1, -1):
        if took[k][i]:
            x[item[k]] = True
        i = int(parents[k][i])
    return x


def _scaled(v: FloatArray) -> tuple[FloatArray, float]:
    top = float(v.max()) if v.size else 0.0
    s = _SCALE / top if top > 0 else 1.0
    return v * s, s


def _solve(
    p: _Problem,
    *,
    time_limit_s: float,
    tie_break: bool = True,
    force: Sequence[int] = (),
) -> _Solution | None:
    """Exact lexicographic solve: max value, then min cost, then earliest positions.

    Returns ``None`` when no plan exists (callers diagnose with :func:`_diagnose`).
    Objective coefficients are scaled so the largest is ``1e6``: HiGHS stops at an
    absolute gap of ``1e-6``, so the proven optimum is exact to ``1e-12`` of the largest
    value.
    """
    t0 = time.perf_counter()
    if _diagnose(p, force) is not None:
        return None
    lb = p.mandatory.astype(float)
    lb[list(force)] = 1.0
    if p.n <= _ENUM_MAX:
        xe = _enumerate(p, lb)
        if xe is None:
            return None
        value = float(p.value[xe].sum())
        return _Solution(xe, "optimal", value, 0.0, time.perf_counter() - t0)
    if _budget_only(p):
        xk = _knapsack(p, lb, t0 + 0.5 * time_limit_s)
        if xk is not None:
            value = float(p.value[xk].sum())
            return _Solution(xk, "optimal", value, 0.0, time.perf_counter() - t0)
    lb, ub = _reduce(p, lb)
    sv, s_v = _scaled(p.value)
    res = _milp(-sv, p, (), lb, time_limit_s, ub)
    if res.x is None:
        if res.status == 2:
            return None
        # no incumbent within the time limit: fall back on the greedy ratio plan
        budget = np.array([math.inf if p.budget is None else p.budget])
        x = _greedy_select(p, budget, forced=[int(k) for k in np.flatnonzero(lb)])[0]
        dual = res.get("mip_dual_bound")
        bound = float(-dual / s_v) if dual is not None and math.isfinite(dual) else math.inf
        value = float(p.value[x].sum())
        gap = (bound - value) / max(abs(bound), 1e-300) if math.isfinite(bound) else math.inf
        return _Solution(x, "time_limit", bound, gap, time.perf_counter() - t0)
    x = np.round(res.x).astype(bool)
    status: Literal["optimal", "time_limit"] = "optimal" if res.status == 0 else "time_limit"
    best = float(p.value[x].sum())
    bound = best if status == "optimal" else float(-res.mip_dual_bound / s_v)
    gap = 0.0 if status == "optimal" else float(res.mip_gap or 0.0)
    if status == "optimal" and tie_break and p.n:
        # Rows keep the optimal value: coefficients normalised to at most 1; the result is
        # checked in exact arithmetic and dropped if it is worse in any earlier objective.
        nv = _unit(p.value)
        target = float(nv[x].sum()) - 1e-9
        lb, ub = _fix_for_ties(p, lb, ub, float(nv[x].sum()))
        left = time_limit_s - (time.perf_counter() - t0)
        sc, _ = _scaled(p.cost)
        res2 = _milp(sc, p, [(nv, target, np.inf)], lb, left, ub)
        if res2.x is not None and res2.status == 0:
            x2 = np.round(res2.x).astype(bool)
            if _no_worse(p.value[x2].sum(), best) and p.cost[x2].sum() <= p.cost[x].sum():
                x = x2
        nc = _unit(p.cost)
        ctarget = float(nc[x].sum()) + 1e-9
        left = time_limit_s - (time.perf_counter() - t0)
        pos = np.arange(1, p.n + 1, dtype=float)
        res3 = _milp(pos, p, [(nv, target, np.inf), (nc, -np.inf, ctarget)], lb, left, ub)
        if res3.x is not None and res3.status == 0:
            x3 = np.round(res3.x).astype(bool)
            if (
                _no_worse(p.value[x3].sum(), best)
                and p.cost[x3].sum() <= p.cost[x].sum() * (1 + _REL_TOL) + 1e-12
                and pos[x3].sum() <= pos[x].sum()
            ):
                x = x3
    return _Solution(x, status, bound, gap, time.perf_counter() - t0)


def _fix_for_ties(
    p: _Problem, lb: FloatArray, ub: FloatArray, best_unit: float
) -> tuple[FloatArray, FloatArray]:
    """Fix the variables that every plan worth (about) the optimum must share.

    Lagrangian (LP reduced-cost) fixing with a bound we compute ourselves: for any
    multipliers ``y >= 0`` of the rows ``A x <= b``, every plan is worth at most
    ``L(y) = b.y + sum_j max(0, d_j)`` with ``d = v - A'y`` (fixed variables counted at
    their value), and a plan that sets a free ``x_j`` against the sign of ``d_j`` is worth
    at most ``L(y) - |d_j|``. When that is below the optimum ``best_unit`` (values scaled
    to at most 1) minus a margin wider than the tie-break band, no optimal plan flips
    ``x_j``, so it is fixed. The bound is valid for *any* ``y``: the LP solver's duals are
    only a good guess for ``y``, and solver tolerances cannot make the fixing wrong.
    """
    mats, ubs, _ = _rows(p)
    if not mats:
        return lb, ub
    from scipy import sparse
    from scipy.optimize import linprog

    a = sparse.vstack(mats).tocsr()
    b = np.array(ubs)
    nv = _unit(p.value)
    with _quiet():
        res = linprog(-nv, A_ub=a, b_ub=b, bounds=np.column_stack([lb, ub]), method="highs")
    if res.status != 0 or res.ineqlin is None:
        return lb, ub
    y = np.maximum(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0)
    d = nv - a.T @ y
    fixed1 = lb > 0
    fixed0 = ub < 1
    free = ~fixed1 & ~fixed0
    bound = float(b @ y) + float(d[fixed1].sum()) + float(np.maximum(d[free], 0.0).sum())
    margin = 1e-8 + 1e-12 * (abs(bound) + float(np.abs(d).sum()) + float(np.abs(b @ y)))
    cut = free & (bound - np.abs(d) < best_unit - margin)
    lb, ub = lb.copy(), ub.copy()
    lb[cut & (d > 0)] = 1.0
    ub[cut & (d < 0)] = 0.0
    return lb, ub


def _unit(v: FloatArray) -> FloatArray:
    top = float(v.max()) if v.size else 0.0
    return v / top if top > 0 else v


def _cheapest_better(p: _Problem, x_now: BoolArray, time_limit_s: float) -> BoolArray | None:
    """The cheapest plan worth strictly more than ``x_now``, ignoring the budget.

    The strict ``>`` is a row ``value >= current + delta``: ``delta`` starts at half the
    resolution of the values (0.5 for whole numbers, 0.005 for cents, else 1e-7 of the
    largest value) and grows tenfold while the solver's feasibility tolerance lets a plan
    that is not truly better through; every answer is checked in exact arithmetic. A
    problem of at most ``_ENUM_MAX`` improvements is answered by checking every subset
    (:func:`_subsets`) instead: the least cost among the plans worth at least
    ``current + delta``, ties to the smallest sum of input positions.
    """
    free = attrs.evolve(p, budget=None)
    top = float(p.value.max()) if p.n else 0.0
    if top <= 0:
        return None
    nv = p.value / top
    now = float(p.value[x_now].sum())
    delta = 1e-7 * top
    for res_unit in (1.0, 0.01):
        scaled = p.value / res_unit
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, scaled)):
            delta = 0.5 * res_unit
            break
    lb = p.mandatory.astype(float)
    if p.n <= _ENUM_MAX:  # every subset checked in exact arithmetic, as in _solve
        _, mf, pos = _subsets(free)
        value = mf @ p.value
        idx = np.flatnonzero(_fits(free, lb) & (value >= now + delta) & (value > now))
        if idx.size == 0:
            return None
        cost = mf[idx] @ p.cost
        idx = idx[cost <= float(cost.min()) * (1 + _REL_TOL) + 1e-12]
        best: BoolArray = _subsets(free)[0][idx[int(np.argmin(pos[idx]))]].copy()
        return best
    sc, _ = _scaled(p.cost)
    for _ in range(8):
        res = _milp(sc, free, [(nv, (now + delta) / top, np.inf)], lb, time_limit_s)
        if res.x is None or res.status != 0:
            return None
        x: BoolArray = np.round(res.x).astype(bool)
        if float(p.value[x].sum()) > now:
            return x
        delta *= 10
    return None  # pragma: no cover - tolerance far above the values


def _no_worse(value: float, best: float) -> bool:
    return bool(value >= best - max(abs(best) * 1e-12, 1e-12))


def _greedy_select(p: _Problem, budgets: FloatArray, forced: Sequence[int] = ()) -> BoolArray:
    """Selections made by funding in value-per-cost order, one row per budget."""
    n_b = len(budgets)
    must = sorted(p.closure([*np.flatnonzero(p.mandatory).tolist(), *forced]))
    sel = np.zeros((n_b, p.n), dtype=bool)
    sel[:, must] = True
    rem = budgets - float(p.cost[must].sum())
    cap_left = {
        o: np.full(n_b, d - float(sum(p.effort[k] for k in must if p.owners[k] == o)))
        for o, d in p.capacity.items()
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p.cost > 0, p.value / p.cost, np.inf)
    order = sorted(range(p.n), key=lambda k: (-ratio[k], k))
    for k in order:
        if p.mandatory[k] or k in must or p.value[k] <= 0:
            continue
        fits = rem >= p.cost[k] - 1e-9 * max(1.0, abs(p.cost[k]))
        if p.requires[k]:
            fits &= sel[:, list(p.requires[k])].all(axis=1)
        if p.excludes[k]:
            fits &= ~sel[:, sorted(p.excludes[k])].any(axis=1)
        owner = p.owners[k]
        if owner in cap_left:
            fits &= cap_left[owner] >= p.effort[k] - 1e-9 * max(1.0, p.effort[k])
            cap_left[owner][fits] -= p.effort[k]
        sel[fits, k] = True
        rem[fits] -= p.cost[k]
    return sel
