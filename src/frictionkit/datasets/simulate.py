"""A seeded journey simulator with known friction, used by tests, benchmarks and docs.

:func:`simulate_journeys` draws journeys as a first-order Markov chain over touchpoints:
each journey starts at a touchpoint, moves on, and either reaches success or leaves
(failure). All active journeys are stepped at once with numpy, so a million events take
about a second. Because the chain is known, so is the truth: pass ``return_truth=True`` to
get the true transition matrix, success probability and the true effect of each friction.

The default map is a small online shop:

==============  ==============  ========  =================================================
touchpoint      stage           channel   role
==============  ==============  ========  =================================================
home            discovery       web
search          discovery       web       refines itself now and then (self-loop)
product         consideration   web
cart            purchase        web       loop: ``checkout -> cart -> checkout``
checkout        purchase        web
payment         purchase        web       leads to ``payment_error`` with ``error_rate``
payment_error   purchase        web       the error step: 60 % of its visits fail
support         service         phone     reached from errors and hesitation
confirmation    purchase        email     reaching it is success
==============  ==============  ========  =================================================

Examples
--------
>>> from frictionkit.datasets.simulate import simulate_journeys
>>> df = simulate_journeys(1000, seed=1)
>>> list(df.columns)
['case_id', 'touchpoint', 'timestamp', 'stage', 'channel', 'outcome']
>>> df["case_id"].nunique()
1000
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._validate import as_float, check_bounds
from frictionkit.datasets.planted import PLANTED_TOUCHPOINTS, PlantedTruth, simulate_planted
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.model import Journey

__all__ = ["SCENARIOS", "SimulationTruth", "simulate_journeys"]

#: Scenarios of :func:`simulate_journeys`: the default shop and the planted shop.
SCENARIOS: tuple[str, ...] = ("shop", "planted")

FloatArray = npt.NDArray[np.float64]

# id, stage, channel of the default map, in journey order.
_DEFAULT_TOUCHPOINTS: tuple[tuple[str, str, str], ...] = (
    ("home", "discovery", "web"),
    ("search", "discovery", "web"),
    ("product", "consideration", "web"),
    ("cart", "purchase", "web"),
    ("checkout", "purchase", "web"),
    ("payment", "purchase", "web"),
    ("payment_error", "purchase", "web"),
    ("support", "service", "phone"),
    ("confirmation", "purchase", "email"),
)
# Base transition probabilities of the default map; missing mass goes to failure.
_DEFAULT_START = {"home": 0.5, "search": 0.3, "product": 0.2}
_DEFAULT_ROWS: dict[str, dict[str, float]] = {
    "home": {"search": 0.55, "product": 0.35, "support": 0.03},
    "search": {"product": 0.75, "search": 0.1, "home": 0.05},
    "product": {"cart": 0.6, "search": 0.2, "product": 0.05, "support": 0.05},
    "cart": {"checkout": 0.85, "product": 0.08},
    "checkout": {"payment": 0.9, "support": 0.04},
    "payment": {"confirmation": 0.97},
    "payment_error": {"payment": 0.3, "support": 0.1},
    "support": {"checkout": 0.5, "product": 0.2},
    "confirmation": {"SUCCESS": 1.0},
}


@attrs.frozen(kw_only=True, eq=False)
class SimulationTruth:
    """The ground truth behind a simulated log.

    Attributes
    ----------
    transition_matrix : pandas.DataFrame
        True transition probabilities, rows ``START`` and touchpoints, columns
        touchpoints, ``SUCCESS``, ``FAILURE`` (the layout of
        :meth:`frictionkit.markov.MarkovModel.transition_matrix`).
    success_probability : float
        True probability that a journey ends in success (open journeys are decided
        journeys cut short, so this is also the success rate of decided journeys).
    touchpoints : pandas.DataFrame
        One row per touchpoint: ``touchpoint``, ``stage``, ``channel``,
        ``failure_probability`` (share of its exits going straight to failure, self-loops
        aside) and ``repair_effect``: the true gain in success probability if all
        its direct failures went, in proportion, to its other successors (the convention
        of ``MarkovModel.repair_effect(reduce_failure_by=1)``).
    error_touchpoint : str or None
        The error step.
    error_effect : float
        True success probability without the error step (``error_rate=0``) minus the
        true success probability: what the error costs.
    loop : tuple of str or None
        The two touchpoints of the back-and-forth loop.
    """

    transition_matrix: pd.DataFrame
    success_probability: float
    touchpoints: pd.DataFrame
    error_touchpoint: str | None
    error_effect: float
    loop: tuple[str, str] | None


def _set_prob(p: FloatArray, i: int, j: int, value: float) -> None:
    """Set ``p[i, j] = value`` and rescale the rest of row ``i`` to keep its sum."""
    rest = 1.0 - p[i, j]
    others = np.ones(p.shape[1], dtype=bool)
    others[j] = False
    if rest > 0:
        p[i, others] *= (1.0 - value) / rest
    p[i, j] = value


def _default_chain(
    error_rate: float, loop_rate: float
) -> tuple[list[tuple[str, str, str]], FloatArray, FloatArray, int | None, tuple[int, int] | None]:
    tps = list(_DEFAULT_TOUCHPOINTS)
    names = [t[0] for t in tps]
    m = len(names)
    index = {n: i for i, n in enumerate(names)}
    index["SUCCESS"] = m
    p = np.zeros((m, m + 2))
    for src, row in _DEFAULT_ROWS.items():
        for dst, v in row.items():
            p[index[src], index[dst]] = v
        p[index[src], m + 1] = 1.0 - p[index[src]].sum()
    p0 = np.zeros(m)
    for dst, v in _DEFAULT_START.items():
        p0[index[dst]] = v
    _set_prob(p, index["payment"], index["payment_error"], error_rate)
    _set_prob(p, index["checkout"], index["cart"], loop_rate)
    return tps, p0, p, index["payment_error"], (index["cart"], index["checkout"])


def _journey_chain(
    journey: Journey,
    error_touchpoint: str | None,
    error_rate: float,
    loop: tuple[str, str] | None,
    loop_rate: float,
    drop_rate: float,
) -> tuple[list[tuple[str, str, str]], FloatArray, FloatArray, int | None, tuple[int, int] | None]:
    order = {s: i for i, s in enumerate(journey.ids("stages"))}
    listed = sorted(
        enumerate(journey.touchpoints), key=lambda it: (order.get(it[1].stage, 0), it[0])
    )
    tps = [(tp.id, tp.stage, tp.channel) for _, tp in listed]
    names = [t[0] for t in tps]
    m = len(names)
    for field, name in (("error_touchpoint", error_touchpoint), *_loop_items(loop)):
        if name is not None and name not in names:
            raise UnknownReferenceError(
                f"{field}: {name!r} is not a touchpoint of the journey" + did_you_mean(name, names),
                field=field,
                value=name,
            )
    err = names.index(error_touchpoint) if error_touchpoint is not None else None
    if err == 0:
        raise ValidationError(
            "error_touchpoint cannot be the first touchpoint: it needs one before it",
            field="error_touchpoint",
            value=error_touchpoint,
        )
    main = [i for i in range(m) if i != err]  # the forward path skips the error step
    if len(main) < 1:
        raise ValidationError("the journey needs a touchpoint besides the error step")
    p = np.zeros((m, m + 2))
    for pos, i in enumerate(main):
        if pos == len(main) - 1:
            p[i, m] = 1.0  # reaching the last touchpoint is success
            continue
        back = 0.1 if pos > 0 else 0.0
        forward = 1.0 - drop_rate - back
        if pos + 2 < len(main):
            p[i, main[pos + 1]] = 0.8 * forward
            p[i, main[pos + 2]] = 0.2 * forward
        else:
            p[i, main[pos + 1]] = forward
        if back:
            p[i, main[pos - 1]] = back
        p[i, m + 1] = drop_rate
    p0 = np.zeros(m)
    p0[main[0]] = 0.7 if len(main) > 1 else 1.0
    if len(main) > 1:
        p0[main[1]] = 0.3
    if err is not None:
        parent = err - 1 if err - 1 in main else main[0]
        p[err, parent] = 0.5
        p[err, m + 1] = 0.5
        _set_prob(p, parent, err, error_rate)
    loop_idx = None
    if loop is not None:
        a, b = names.index(loop[0]), names.index(loop[1])
        _set_prob(p, b, a, loop_rate)
        loop_idx = (a, b)
    return tps, p0, p, err, loop_idx


def _loop_items(loop: tuple[str, str] | None) -> list[tuple[str, str | None]]:
    if loop is None:
        return []
    return [("loop[0]", loop[0]), ("loop[1]", loop[1])]


def _absorb(p0: FloatArray, p: FloatArray) -> float:
    m = p.shape[0]
    b = np.linalg.solve(np.eye(m) - p[:, :m], p[:, m])
    return float(p0 @ b)


def _truth(
    tps: list[tuple[str, str, str]],
    p0: FloatArray,
    p: FloatArray,
    err: int | None,
    loop: tuple[int, int] | None,
    no_error: tuple[FloatArray, FloatArray] | None,
) -> SimulationTruth:
    m = len(tps)
    names = [t[0] for t in tps]
    base = _absorb(p0, p)
    fail_share = np.zeros(m)
    repair = np.zeros(m)
    for k in range(m):
        exits = 1.0 - p[k, k]
        fail = p[k, m + 1]
        fail_share[k] = fail / exits if exits > 0 else 0.0
        other = exits - fail
        if fail == 0:
            continue
        if other <= 0:
            repair[k] = math.nan
            continue
        q = p.copy()
        mask = np.ones(m + 2, dtype=bool)
        mask[[k, m + 1]] = False
        q[k, mask] *= 1.0 + fail / other
        q[k, m + 1] = 0.0
        repair[k] = _absorb(p0, q) - base
    matrix = pd.DataFrame(
        np.vstack([np.concatenate([p0, [0.0, 0.0]]), p]),
        index=pd.Index(["START", *names], name="from"),
        columns=pd.Index([*names, "SUCCESS", "FAILURE"], name="to"),
    )
    table = pd.DataFrame(
        {
            "touchpoint": names,
            "stage": [t[1] for t in tps],
            "channel": [t[2] for t in tps],
            "failure_probability": fail_share,
            "repair_effect": repair,
        }
    )
    error_effect = 0.0 if no_error is None else _absorb(*no_error) - base
    return SimulationTruth(
        transition_matrix=matrix,
        success_probability=base,
        touchpoints=table,
        error_touchpoint=None if err is None else names[err],
        error_effect=error_effect,
        loop=None if loop is None else (names[loop[0]], names[loop[1]]),
    )


def _rate(value: Any, field: str, high: float = 1.0) -> float:
    return check_bounds(as_float(value, field), field, low=0.0, high=high)


@overload
def simulate_journeys(
    n_journeys: int,
    *,
    seed: int,
    journey: Journey | None = ...,
    error_touchpoint: str | None = ...,
    error_rate: float = ...,
    loop: tuple[str, str] | None = ...,
    loop_rate: float = ...,
    drop_rate: float = ...,
    open_share: float = ...,
    personas: Mapping[str, float] | Sequence[str] | None = ...,
    start: str = ...,
    period_days: float = ...,
    mean_gap_s: float = ...,
    max_steps: int = ...,
    return_truth: Literal[False] = ...,
    scenario: str = ...,
    fix: str | None = ...,
) -> pd.DataFrame: ...


@overload
def simulate_journeys(
    n_journeys: int,
    *,
    seed: int,
    journey: Journey | None = ...,
    error_touchpoint: str | None = ...,
    error_rate: float = ...,
    loop: tuple[str, str] | None = ...,
    loop_rate: float = ...,
    drop_rate: float = ...,
    open_share: float = ...,
    personas: Mapping[str, float] | Sequence[str] | None = ...,
    start: str = ...,
    period_days: float = ...,
    mean_gap_s: float = ...,
    max_steps: int = ...,
    return_truth: Literal[True],
    scenario: Literal["shop"] = ...,
    fix: None = ...,
) -> tuple[pd.DataFrame, SimulationTruth]: ...


@overload
def simulate_journeys(
    n_journeys: int,
    *,
    seed: int,
    journey: None = ...,
    error_touchpoint: None = ...,
    error_rate: float = ...,
    loop: None = ...,
    loop_rate: float = ...,
    drop_rate: float = ...,
    open_share: float = ...,
    personas: Mapping[str, float] | Sequence[str] | None = ...,
    start: str = ...,
    period_days: float = ...,
    mean_gap_s: float = ...,
    max_steps: int = ...,
    return_truth: Literal[True],
    scenario: Literal["planted"],
    fix: str | None = ...,
) -> tuple[pd.DataFrame, PlantedTruth]: ...


def simulate_journeys(
    n_journeys: int,
    *,
    seed: int,
    journey: Journey | None = None,
    error_touchpoint: str | None = None,
    error_rate: float = 0.3,
    loop: tuple[str, str] | None = None,
    loop_rate: float = 0.2,
    drop_rate: float = 0.15,
    open_share: float = 0.05,
    personas: Mapping[str, float] | Sequence[str] | None = None,
    start: str = "2024-01-01",
    period_days: float = 28.0,
    mean_gap_s: float = 120.0,
    max_steps: int = 200,
    return_truth: bool = False,
    scenario: str = "shop",
    fix: str | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, SimulationTruth] | tuple[pd.DataFrame, PlantedTruth]:
    """Simulate an event log of customer journeys with known friction.

    Each journey is a first-order Markov chain over touchpoints: it starts at a
    touchpoint, moves to the next one with the chain's probabilities, and ends either
    by reaching success (the default map: ``confirmation``; a given journey: its last
    touchpoint, then success) or by leaving (failure: no further event). A share
    ``open_share`` of journeys is cut after a random number of events and marked
    ``"open"`` (still under way); they are decided journeys cut short, chosen at random.

    Parameters
    ----------
    n_journeys : int
        Number of journeys (about 6 to 8 events each with the defaults).
    seed : int
        Seed; the same seed and arguments give the identical frame.
    journey : Journey, optional
        Simulate over this journey's touchpoints (ordered by stage, then as listed)
        instead of the default shop: each touchpoint leaves with ``drop_rate``, goes
        back one step with probability 0.1, otherwise forward (one step 80 %, two 20 %).
    error_touchpoint : str, optional
        The error step. Default map: ``payment_error`` (always). With a journey: a
        touchpoint of it, reached only from the touchpoint before it with
        ``error_rate``; from it, half the journeys fail and half go back.
    error_rate : float in [0, 1), default 0.3
        Probability that a visit to the touchpoint before the error step leads into it
        (default map: ``payment -> payment_error``). ``0`` removes the error step.
    loop : (str, str), optional
        ``(a, b)``: from ``b`` journeys go back to ``a`` with ``loop_rate``
        (back-and-forth). Default map: ``("cart", "checkout")``; journey: none.
    loop_rate : float in [0, 1), default 0.2
        Probability of going back along the loop.
    drop_rate : float in [0, 1), default 0.15
        With a journey: probability of leaving at each touchpoint.
    open_share : float in [0, 1], default 0.05
        Share of journeys left open.
    personas : mapping or sequence of str, optional
        Adds a ``persona`` column: names with their shares (a mapping) or names with
        equal shares. Personas label journeys; they do not change behaviour.
    start : str, default "2024-01-01"
        First possible journey start (UTC); starts are uniform over ``period_days``.
    period_days : float, default 28
        Length of the window of journey starts.
    mean_gap_s : float, default 120
        Mean time between two events of a journey (exponential gaps).
    max_steps : int, default 200
        Journeys still under way after this many events are marked open.
    return_truth : bool, default False
        Also return the truth: a :class:`SimulationTruth` (default shop, a journey) or,
        with ``scenario="planted"``, a :class:`~frictionkit.datasets.planted.PlantedTruth`.
    scenario : {"shop", "planted"}, default "shop"
        ``"shop"``: the default map above (or ``journey``). ``"planted"``: the planted
        shop of :mod:`frictionkit.datasets.planted`, a richer shop with a case attribute
        ``segment`` and one planted touchpoint per kind of friction (an error whose harm
        outlives its page, a loop, a step with an immediate harm, a confounded step, an
        optional branch, a process consequence, outcome markers, browsing steps), whose
        true cost is measured by replaying the same journeys with it fixed. There
        ``error_rate`` is the probability that a payment fails (``payment ->
        payment_error``), ``loop_rate`` that of going back from ``checkout`` to
        ``edit_cart``; ``journey``, ``error_touchpoint`` and ``loop`` are not allowed and
        ``drop_rate`` is unused. Every random decision of a journey is drawn from its own
        stream (common random numbers).
    fix : str, optional
        Planted shop only: replay the same journeys with this touchpoint's friction fixed
        (its harm removed; see the table of :mod:`frictionkit.datasets.planted` for what
        that means per touchpoint). Journeys that never meet the step are identical to the
        log's, and so is every journey up to the step; for touchpoints with no harm the
        replay is the log. ``None`` gives the log.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, SimulationTruth or PlantedTruth)
        One row per event, ordered by case then time: ``case_id`` (str), ``touchpoint``
        (str), ``timestamp`` (datetime64[ns, UTC]), ``stage``, ``channel``, ``outcome``
        (the journey's final outcome, ``"success"``, ``"failure"`` or ``"open"``,
        repeated on every event of the journey), with ``scenario="planted"`` ``segment``
        (``"buyer"`` or ``"browser"``) and, with ``personas``, ``persona``. With ``fix``
        the truth is still that of the log (the unfixed journeys).

    Raises
    ------
    ValidationError
        A rate outside its range or a bad count; ``fix`` without ``scenario="planted"``;
        ``journey``, ``error_touchpoint`` or ``loop`` with it.
    UnknownReferenceError
        ``error_touchpoint`` or ``loop`` names a touchpoint not in the map; an unknown
        ``scenario``; ``fix`` names a touchpoint not in the planted shop.
    InputTypeError
        ``seed``, ``scenario`` or ``fix`` of the wrong type.

    Examples
    --------
    >>> df, truth = simulate_journeys(2000, seed=7, return_truth=True)
    >>> round(truth.success_probability, 3)
    0.46
    >>> round(truth.error_effect, 3)  # the error step costs 12.6 points of success
    0.126
    >>> df.groupby("case_id")["outcome"].first().value_counts().sort_index()
    outcome
    failure    1009
    open         99
    success     892
    Name: count, dtype: int64

    The planted shop, with the true cost of each touchpoint (failed journeys of the log
    that would have succeeded with the step fixed, measured by replaying them):

    >>> df, truth = simulate_journeys(5000, seed=0, scenario="planted", return_truth=True)
    >>> truth
    PlantedTruth(5,000 journeys, 3,354 failures, 3 with a cost, seed=0)
    >>> cols = ["touchpoint", "kind", "true_attributable_failures", "expected_verdict"]
    >>> print(truth.to_frame()[cols].to_string(index=False))
         touchpoint                kind  true_attributable_failures expected_verdict
      payment_error       error_lasting                         262         friction
          edit_cart                loop                         112         friction
      address_check           immediate                          86         friction
               home            browsing                           0      no evidence
             search            browsing                           0      no evidence
            catalog            browsing                           0      no evidence
       product_view            browsing                           0      no evidence
            compare          confounded                           0      no evidence
               cart                none                           0      no evidence
       gift_options     optional_branch                           0      no evidence
           checkout                none                           0      no evidence
            payment                none                           0      no evidence
       order_placed                none                           0      no evidence
     reminder_email process_consequence                           0   not comparable
    order_cancelled      outcome_marker                           0   outcome marker
       confirmation      outcome_marker                           0   outcome marker
    >>> fixed = simulate_journeys(5000, seed=0, scenario="planted", fix="payment_error")
    >>> failed = lambda d: (d.groupby("case_id")["outcome"].first() == "failure").sum()
    >>> int(failed(df) - failed(fixed))  # = the row of payment_error
    262
    """
    n = _count(n_journeys, "n_journeys")
    seed_value: Any = seed
    if isinstance(seed_value, bool) or not isinstance(seed_value, numbers.Integral):
        raise InputTypeError(f"seed must be an int, got {seed!r}", field="seed", value=seed)
    e_rate = _rate(error_rate, "error_rate", high=0.99)
    l_rate = _rate(loop_rate, "loop_rate", high=0.99)
    d_rate = _rate(drop_rate, "drop_rate", high=0.99)
    o_share = _rate(open_share, "open_share")
    steps_cap = _count(max_steps, "max_steps")
    gap = check_bounds(as_float(mean_gap_s, "mean_gap_s"), "mean_gap_s", low=0.0)
    period = check_bounds(as_float(period_days, "period_days"), "period_days", low=0.0)
    persona_names, persona_p = _personas(personas)
    if _scenario(scenario, fix) == "planted":
        for field, given in (
            ("journey", journey),
            ("error_touchpoint", error_touchpoint),
            ("loop", loop),
        ):
            if given is not None:
                raise ValidationError(
                    f"{field}: the planted scenario has its own map; got {field}={given!r}",
                    field=field,
                    value=given,
                    hint="Leave it out with scenario='planted', or use scenario='shop'",
                )
        frame, planted = simulate_planted(
            n,
            seed=int(seed),
            fix=fix,
            error_rate=e_rate,
            loop_rate=l_rate,
            open_share=o_share,
            max_steps=steps_cap,
            start=start,
            period_days=period,
            mean_gap_s=gap,
            personas=persona_names,
            persona_p=persona_p,
            return_truth=return_truth,
        )
        if planted is None:
            return frame
        return frame, planted
    if journey is None:
        if error_touchpoint not in (None, "payment_error"):
            raise UnknownReferenceError(
                f"error_touchpoint: the default map's error step is 'payment_error', got "
                f"{error_touchpoint!r}",
                field="error_touchpoint",
                value=error_touchpoint,
                hint="Pass journey= to simulate your own map",
            )
        if loop not in (None, ("cart", "checkout")):
            raise ValidationError(
                f"loop: the default map's loop is ('cart', 'checkout'), got {loop!r}",
                field="loop",
                value=loop,
                hint="Set loop_rate=0 to remove it, or pass journey= for your own map",
            )
        tps, p0, p, err, loop_idx = _default_chain(e_rate, l_rate)
        no_error = _default_chain(0.0, l_rate)[1:3]
    else:
        tps, p0, p, err, loop_idx = _journey_chain(
            journey, error_touchpoint, e_rate, loop, l_rate, d_rate
        )
        no_error = None
        if err is not None:
            no_error = _journey_chain(journey, error_touchpoint, 0.0, loop, l_rate, d_rate)[1:3]

    rng = np.random.default_rng(int(seed))
    frame = _walk(rng, n, p0, p, tps, o_share, steps_cap, gap, period, start)
    if persona_names:
        who = rng.choice(len(persona_names), size=n, p=persona_p)
        case_codes = frame.pop("_case").to_numpy()
        frame["persona"] = np.asarray(persona_names, dtype=object)[who[case_codes]]
    else:
        frame = frame.drop(columns="_case")
    if not return_truth:
        return frame
    return frame, _truth(tps, p0, p, err, loop_idx, no_error)


def _walk(
    rng: np.random.Generator,
    n: int,
    p0: FloatArray,
    p: FloatArray,
    tps: list[tuple[str, str, str]],
    open_share: float,
    max_steps: int,
    gap_s: float,
    period_days: float,
    start: str,
) -> pd.DataFrame:
    m = len(tps)
    cum = np.cumsum(p, axis=1)
    cum[:, -1] = 1.0
    cum0 = np.cumsum(p0)
    cum0[-1] = 1.0
    cur = np.minimum(np.searchsorted(cum0, rng.random(n), side="right"), m - 1)
    alive = np.arange(n)
    cases = [alive]
    states = [cur]
    steps = [np.zeros(n, dtype=np.int64)]
    outcome = np.full(n, 2, dtype=np.int8)  # 0 success, 1 failure, 2 open
    for step in range(1, max_steps):
        if alive.size == 0:
            break
        u = rng.random(alive.size)
        nxt = (u[:, None] >= cum[cur]).sum(axis=1)
        nxt = np.minimum(nxt, m + 1)
        done = nxt >= m
        outcome[alive[done]] = (nxt[done] - m).astype(np.int8)
        alive = alive[~done]
        cur = nxt[~done]
        cases.append(alive)
        states.append(cur)
        steps.append(np.full(alive.size, step, dtype=np.int64))
    case = np.concatenate(cases)
    state = np.concatenate(states)
    step_of = np.concatenate(steps)
    order = np.argsort(case, kind="stable")
    case, state, step_of = case[order], state[order], step_of[order]
    # Open journeys: cut after a random number of events (at least one).
    length = np.bincount(case, minlength=n)
    is_open = rng.random(n) < open_share
    keep_n = np.where(is_open, 1 + np.floor(rng.random(n) * length).astype(np.int64), length)
    outcome[is_open] = 2
    keep = step_of < keep_n[case]
    case, state, step_of = case[keep], state[keep], step_of[keep]
    # Timestamps: uniform journey start, exponential gaps.
    t0 = pd.Timestamp(start, tz="UTC").value
    starts = t0 + np.floor(rng.random(n) * period_days * 86_400e9).astype(np.int64)
    gaps = np.floor(rng.exponential(gap_s * 1e9, size=case.size)).astype(np.int64)
    first = np.r_[True, case[1:] != case[:-1]]
    gaps[first] = 0
    total = np.cumsum(gaps)
    base = np.maximum.accumulate(np.where(first, total, 0))
    ts = starts[case] + (total - base)
    width = len(str(max(n - 1, 0)))
    ids = np.asarray([f"J{i:0{width}d}" for i in range(n)], dtype=object)
    names = np.asarray([t[0] for t in tps], dtype=object)
    stages = np.asarray([t[1] for t in tps], dtype=object)
    channels = np.asarray([t[2] for t in tps], dtype=object)
    labels = np.asarray(["success", "failure", "open"], dtype=object)
    return pd.DataFrame(
        {
            "case_id": ids[case],
            "touchpoint": names[state],
            "timestamp": pd.to_datetime(ts, utc=True).as_unit("ns"),
            "stage": stages[state],
            "channel": channels[state],
            "outcome": labels[outcome[case]],
            "_case": case,
        }
    )


def _scenario(scenario: Any, fix: Any) -> str:
    if not isinstance(scenario, str):
        raise InputTypeError(
            f"scenario must be a str, got {scenario!r}", field="scenario", value=scenario
        )
    if scenario not in SCENARIOS:
        raise UnknownReferenceError(
            f"scenario: unknown scenario {scenario!r}; choose from {list(SCENARIOS)}"
            + did_you_mean(scenario, SCENARIOS),
            field="scenario",
            value=scenario,
        )
    if fix is None:
        return scenario
    if scenario != "planted":
        raise ValidationError(
            f"fix={fix!r} needs scenario='planted': only the planted shop replays its "
            "journeys with a friction fixed",
            field="fix",
            value=fix,
            hint="Pass scenario='planted'",
        )
    if not isinstance(fix, str):
        raise InputTypeError(f"fix must be a touchpoint name, got {fix!r}", field="fix", value=fix)
    if fix not in PLANTED_TOUCHPOINTS:
        raise UnknownReferenceError(
            f"fix: {fix!r} is not a touchpoint of the planted shop; choose from "
            f"{list(PLANTED_TOUCHPOINTS)}" + did_you_mean(fix, PLANTED_TOUCHPOINTS),
            field="fix",
            value=fix,
        )
    return scenario


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{field} must be a whole number, got {value!r}", field=field)
    if value < 1:
        raise ValidationError(f"{field} must be >= 1, got {value}", field=field, value=value)
    return int(value)


def _personas(
    personas: Mapping[str, float] | Sequence[str] | None,
) -> tuple[list[str], FloatArray | None]:
    if personas is None:
        return [], None
    value: Any = personas
    if isinstance(value, Mapping):
        names = [str(k) for k in value]
        shares = np.asarray([as_float(v, f"personas[{k!r}]") for k, v in value.items()])
    elif isinstance(value, Sequence) and not isinstance(value, str):
        names = [str(k) for k in value]
        shares = np.ones(len(names))
    else:
        raise InputTypeError(
            "personas must be a mapping {name: share} or a list of names",
            field="personas",
            value=personas,
        )
    if not names or (shares < 0).any() or shares.sum() <= 0:
        raise ValidationError(
            "personas need at least one name and shares >= 0 with a positive total",
            field="personas",
            value=personas,
        )
    return names, shares / shares.sum()
