"""The planted shop: a journey simulator whose every friction has a known true cost.

``simulate_journeys(n, seed=..., scenario="planted")`` runs this model. It is a richer
shop than the default map, with a case attribute ``segment`` and one touchpoint for each
kind of friction (and non-friction) that an estimator must tell apart. What a step truly
costs is measured by replaying the same journeys with that step fixed: every random
decision of a journey is drawn from its own counter-based stream, keyed by the journey,
the touchpoint, the how-many-th visit of that touchpoint and the decision
(common random numbers), so the replay differs from the log only where the fix matters.

The hidden mechanics
--------------------
Each journey has a ``segment`` (``"buyer"`` 65 %, ``"browser"`` 35 %) and a hidden
intent: a *window shopper* (40 % of buyers, 85 % of browsers) never buys; it leaves with
probability 0.35 at each browsing step and at the cart, and at the checkout at the latest.
A *customer* (the others) never leaves while browsing; it leaves only through the planted
frictions below, or does not pay after a reminder. Routes do not depend on the intent,
so the only confounding is through ``segment`` (recorded in the log) and comparisons of
journeys at the same point are otherwise fair.

=================  ===================  =====================================================
touchpoint         kind                 mechanism (what "fixed" means)
=================  ===================  =====================================================
home, search,      browsing             where most sessions end: window shoppers leave
catalog,                                here; no harm (fixed: nothing changes)
product_view
compare            confounded           no effect; shown after ``product_view`` (to those
                                        who go on) to 4 % of
                                        buyers and 50 % of browsers, who buy less anyway
                                        (fixed: nothing changes)
cart, checkout,    none                 plain steps of the path (fixed: nothing changes)
payment,
order_placed
gift_options       optional_branch      shown after ``cart`` to 10 % of those who go on,
                                        no effect
                                        (fixed: nothing changes)
edit_cart          loop                 ``checkout -> edit_cart -> checkout`` with
                                        ``loop_rate``; each round raises the exit
                                        probability at ``edit_cart`` and ``checkout`` by
                                        10 points (fixed: nobody goes back)
address_check      immediate            after ``checkout`` for 40 %; 12 % of customers leave
                                        there (fixed: nobody leaves there)
payment_error      error_lasting        ``payment`` fails with ``error_rate``; 25 % leave
                                        at the error page, the others retry (``payment``
                                        60 %, ``checkout`` 40 %) but stay hurt: 15 points
                                        more exit at every later purchase step (fixed: no
                                        payment fails)
reminder_email     process_consequence  sent after ``order_placed`` to the 20 % who did not
                                        pay at once; the others confirm right away; 40 %
                                        of the reminded never pay (fixed: nothing changes,
                                        it is a consequence, not a cause)
order_cancelled    outcome_marker       the unpaid orders, after the reminder: it records
                                        a failure decided before it (fixed: nothing
                                        changes)
confirmation       outcome_marker       payment received: reaching it is success
=================  ===================  =====================================================

With the defaults ``error_rate=0.3`` and ``loop_rate=0.2`` about 30 % of the decided
journeys succeed (buyers about 40 %, browsers about 10 %).

Reading the truth
-----------------
:class:`PlantedTruth` gives one row per touchpoint. ``true_attributable_failures`` is the
estimand for *this* log: the failed journeys that succeed when the same journeys are
replayed with the step fixed (net count). ``expected_attributable_failures`` is its
expectation (``n_decided`` times the exact gain in success probability, from the absorbing
chain behind the simulator); intervals should cover it, and it carries no replay noise.

- Rows with no planted harm are 0 exactly: their fix changes nothing. An estimate for them
  should cover 0 (or be given a verdict that is not ``friction``).
- ``compare`` looks harmful unless the estimate is adjusted for ``segment`` (the only
  measured confounder); adjusted, it should be near 0.
- ``reminder_email`` has no comparable journeys: those that skip it after
  ``order_placed`` confirmed at once (the road-fines log's "Send Fine").
- ``order_cancelled`` and ``confirmation`` decide their visitors' outcome.
- Plain steps that are the harm-free branch beside a planted friction (``payment`` beside
  ``edit_cart`` and ``address_check`` after ``checkout``; ``order_placed`` beside
  ``payment_error`` after ``payment``) can come out ``helps`` when compared with their
  siblings; their expected verdict ``no evidence`` means "not friction".
- The window shoppers are not in the log, but no route depends on them, so journeys that
  were at the same point are comparable (within a segment).

Examples
--------
>>> from frictionkit.datasets import simulate_journeys
>>> df, truth = simulate_journeys(2000, seed=0, scenario="planted", return_truth=True)
>>> sorted(df.columns)
['case_id', 'channel', 'outcome', 'segment', 'stage', 'timestamp', 'touchpoint']
>>> table = truth.to_frame().set_index("touchpoint")
>>> int(table.loc["compare", "true_attributable_failures"])  # no effect: its fix changes nothing
0
>>> table.loc["payment_error", ["kind", "expected_verdict"]].tolist()
['error_lasting', 'friction']
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import Result

__all__ = ["FIXABLE", "KINDS", "PLANTED_TOUCHPOINTS", "PlantedTruth"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

#: The kinds of touchpoint in the planted shop (column ``kind`` of the truth).
KINDS: tuple[str, ...] = (
    "error_lasting",
    "immediate",
    "loop",
    "confounded",
    "optional_branch",
    "process_consequence",
    "outcome_marker",
    "browsing",
    "none",
)

# id, stage, channel, kind, expected verdict, mechanism (one line).
_SPEC: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("home", "discovery", "web", "browsing", "no evidence",
     "entry page; window shoppers leave here as anywhere while browsing; no harm"),
    ("search", "discovery", "web", "browsing", "no evidence",
     "browsing step where many sessions end (window shoppers); no harm"),
    ("catalog", "discovery", "web", "browsing", "no evidence",
     "browsing step where many sessions end (window shoppers); no harm"),
    ("product_view", "consideration", "web", "browsing", "no evidence",
     "browsing step where most sessions end (window shoppers); no harm"),
    ("compare", "consideration", "web", "confounded", "no evidence",
     "no effect; used by 50 % of browsers and 4 % of buyers, and browsers buy less anyway"),
    ("cart", "purchase", "web", "none", "no evidence",
     "plain step; window shoppers may leave here; no harm"),
    ("gift_options", "purchase", "web", "optional_branch", "no evidence",
     "optional branch after cart (10 % of cart visits); no effect"),
    ("checkout", "purchase", "web", "none", "no evidence",
     "plain step; window shoppers leave here at the latest; no harm"),
    ("edit_cart", "purchase", "web", "loop", "friction",
     "checkout <-> edit_cart back-and-forth; each round adds 10 points of exit"),
    ("address_check", "purchase", "web", "immediate", "friction",
     "address validation for 40 % after checkout; 12 % of customers leave there"),
    ("payment", "purchase", "web", "none", "no evidence",
     "plain step; where the payment error happens; no harm of its own"),
    ("payment_error", "purchase", "web", "error_lasting", "friction",
     "25 % leave at the error; retriers stay hurt: +15 points exit at later steps"),
    ("order_placed", "purchase", "web", "none", "no evidence",
     "plain step: the order is placed; 20 % do not pay at once"),
    ("reminder_email", "fulfilment", "email", "process_consequence", "not comparable",
     "sent only to those who did not pay at once (40 % never pay); a consequence"),
    ("order_cancelled", "fulfilment", "email", "outcome_marker", "outcome marker",
     "records an unpaid order after the reminder: the failure is decided before it"),
    ("confirmation", "fulfilment", "email", "outcome_marker", "outcome marker",
     "payment received: reaching it is success"),
)  # fmt: skip

#: Touchpoints of the planted shop, in map order.
PLANTED_TOUCHPOINTS: tuple[str, ...] = tuple(s[0] for s in _SPEC)
#: Touchpoints whose fix changes journeys (the others' fix changes nothing).
FIXABLE: tuple[str, ...] = ("payment_error", "address_check", "edit_cart")

_M = len(_SPEC)
_IX = {name: i for i, name in enumerate(PLANTED_TOUCHPOINTS)}
HOME, SEARCH, CATALOG, PRODUCT, COMPARE, CART, GIFT, CHECKOUT = range(8)
EDIT, ADDRESS, PAYMENT, ERROR, ORDER, REMINDER, CANCELLED, CONFIRM = range(8, 16)

_SEGMENTS = ("buyer", "browser")
_BROWSER_SHARE = 0.35
_WINDOW_SHARE = (0.40, 0.85)  # P(window shopper | segment)
_COMPARE_RATE = (0.04, 0.50)  # P(compare after product_view | segment)
_GIFT_RATE = 0.10
_ADDRESS_RATE = 0.40
_WINDOW_EXIT = 0.35
_ADDRESS_EXIT = 0.12
_ERROR_EXIT = 0.25
_EDIT_EXIT = 0.05
_HURT = 0.15
_ROUND = 0.10
_MAX_ROUNDS = 10  # exit at checkout is 1 by then

_START = {HOME: 0.5, SEARCH: 0.3, CATALOG: 0.2}
# Routes of journeys that go on (after the special decisions of checkout and payment).
_ROUTES: dict[int, dict[int, float]] = {
    HOME: {SEARCH: 0.45, CATALOG: 0.45, PRODUCT: 0.10},
    SEARCH: {PRODUCT: 0.70, SEARCH: 0.15, CATALOG: 0.15},
    CATALOG: {PRODUCT: 0.80, SEARCH: 0.10, CART: 0.10},
    PRODUCT: {CART: 0.50, PRODUCT: 0.10, SEARCH: 0.20, CATALOG: 0.20},
    CART: {CHECKOUT: 0.85, PRODUCT: 0.15},
    CHECKOUT: {PAYMENT: 1.0},
    EDIT: {CHECKOUT: 1.0},
    ADDRESS: {PAYMENT: 1.0},
    PAYMENT: {ORDER: 1.0},
    ERROR: {PAYMENT: 0.6, CHECKOUT: 0.4},
    ORDER: {CONFIRM: 0.8, REMINDER: 0.2},
    REMINDER: {CONFIRM: 0.6, CANCELLED: 0.4},
}
_BROWSE_STATES = np.zeros(_M, dtype=bool)
_BROWSE_STATES[[HOME, SEARCH, CATALOG, PRODUCT, CART]] = True
_HURT_STATES = np.zeros(_M, dtype=bool)
_HURT_STATES[[CART, CHECKOUT, EDIT, ADDRESS, PAYMENT, ERROR]] = True


def _route_cum() -> FloatArray:
    cum = np.ones((_M, _M))
    for src, row in _ROUTES.items():
        p = np.zeros(_M)
        for dst, v in row.items():
            p[dst] = v
        cum[src] = np.cumsum(p)
        cum[src, -1] = 1.0
    return cum


_CUM = _route_cum()
_CUM0 = np.cumsum([_START.get(i, 0.0) for i in range(_M)])
_CUM0[-1] = 1.0


def _exit_prob(
    state: IntArray,
    window: npt.NDArray[np.bool_],
    hurt: npt.NDArray[np.bool_],
    rounds: IntArray,
    fix: str | None,
) -> FloatArray:
    """Probability of leaving at ``state`` (vectorised; the one rule of both engines)."""
    base = np.zeros(state.shape)
    base = np.where(state == ERROR, _ERROR_EXIT, base)
    if fix != "address_check":
        base = np.where(state == ADDRESS, _ADDRESS_EXIT, base)
    base = np.where(state == EDIT, _EDIT_EXIT, base)
    loop = (state == EDIT) | (state == CHECKOUT)
    base = base + np.where(loop, _ROUND * rounds, 0.0)
    base = base + np.where(hurt & _HURT_STATES[state], _HURT, 0.0)
    win = np.where(_BROWSE_STATES[state], _WINDOW_EXIT, 0.0)
    win = np.where(state == CHECKOUT, 1.0, win)
    out: FloatArray = np.minimum(np.where(window, win, base), 1.0)
    return out


# --- counter-based uniforms: one stream per journey, keyed by (state, visit, decision) ---

_C1 = np.uint64(0x9E3779B97F4A7C15)
_C2 = np.uint64(0xBF58476D1CE4E5B9)
_C3 = np.uint64(0x94D049BB133111EB)


def _mix(x: U64) -> U64:
    """SplitMix64's finaliser: a bijective scramble of 64-bit words (wrapping products)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * _C2
        x = x ^ (x >> np.uint64(27))
        x = x * _C3
    out: U64 = x ^ (x >> np.uint64(31))
    return out


def _journey_keys(seed: int, n: int) -> U64:
    s = _mix(np.asarray([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))
    return _mix(s + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * _C1)


def _uniform(keys: U64, state: IntArray | int, visit: IntArray | int, slot: int) -> FloatArray:
    """Uniform in [0, 1) for each journey key, touchpoint, visit number and decision."""
    tag = (
        (np.asarray(state, dtype=np.uint64) << np.uint64(40))
        | (np.asarray(visit, dtype=np.uint64) << np.uint64(8))
        | np.uint64(slot)
    )
    h = _mix(keys ^ _mix(tag + _C1))
    out: FloatArray = (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
    return out


# Decision slots and pseudo-states of the per-journey draws.
_EXIT, _ROUTE, _LOOP, _ADDR, _ERR, _ASIDE = range(6)
_JOURNEY = 63  # pseudo-state for draws made once per journey
_GAP = 62  # pseudo-state for the gap before the k-th event


@attrs.frozen(kw_only=True)
class _Walk:
    case: IntArray
    state: IntArray
    outcome: npt.NDArray[np.int8]  # 0 success, 1 failure, 2 open (per journey)
    segment: IntArray
    is_open: npt.NDArray[np.bool_]


def _walk(
    keys: U64,
    fix: str | None,
    error_rate: float,
    loop_rate: float,
    open_share: float,
    max_steps: int,
) -> _Walk:
    n = keys.size
    segment = (_uniform(keys, _JOURNEY, 0, 0) < _BROWSER_SHARE).astype(np.int64)
    window = _uniform(keys, _JOURNEY, 0, 1) < np.asarray(_WINDOW_SHARE)[segment]
    idx = np.arange(n)
    cur = np.searchsorted(_CUM0, _uniform(keys, _JOURNEY, 0, 2), side="right").astype(np.int64)
    visits = np.zeros((n, _M), dtype=np.int64)
    hurt = np.zeros(n, dtype=bool)
    rounds = np.zeros(n, dtype=np.int64)
    outcome = np.full(n, 2, dtype=np.int8)
    cases: list[IntArray] = [idx]
    states: list[IntArray] = [cur]
    length = np.ones(n, dtype=np.int64)
    for _ in range(1, max_steps):
        if idx.size == 0:
            break
        k = visits[idx, cur] = visits[idx, cur] + 1
        kk = keys[idx]
        # terminal steps
        done_ok = cur == CONFIRM
        done_bad = cur == CANCELLED
        leave = _uniform(kk, cur, k, _EXIT) < _exit_prob(
            cur, window[idx], hurt[idx], rounds[idx], fix
        )
        leave &= ~(done_ok | done_bad)
        nxt = (_uniform(kk, cur, k, _ROUTE)[:, None] >= _CUM[cur]).sum(axis=1)
        at_checkout = cur == CHECKOUT
        if fix != "edit_cart":
            looped = at_checkout & (_uniform(kk, cur, k, _LOOP) < loop_rate)
        else:
            looped = np.zeros(idx.size, dtype=bool)
        addr = at_checkout & ~looped & (_uniform(kk, cur, k, _ADDR) < _ADDRESS_RATE)
        nxt = np.where(looped, EDIT, np.where(addr, ADDRESS, nxt))
        if fix != "payment_error":
            err = (cur == PAYMENT) & (_uniform(kk, cur, k, _ERR) < error_rate)
            nxt = np.where(err, ERROR, nxt)
        # asides: shown after a step to journeys that go on (an optional branch is taken
        # by those who carry on; one shown as a customer leaves would carry the exit
        # decided before it, and no log could tell it from harm)
        aside_p = np.where(cur == PRODUCT, np.asarray(_COMPARE_RATE)[segment[idx]], 0.0)
        aside_p = np.where(cur == CART, _GIFT_RATE, aside_p)
        aside = (_uniform(kk, cur, k, _ASIDE) < aside_p) & ~leave
        aside_state = np.where(cur == PRODUCT, COMPARE, GIFT)
        if aside.any():
            cases.append(idx[aside])
            states.append(aside_state[aside])
            length[idx[aside]] += 1
        outcome[idx[done_ok]] = 0
        outcome[idx[done_bad | leave]] = 1
        go = ~(done_ok | done_bad | leave)
        hurt[idx[go & (cur == ERROR)]] = True
        rounds[idx[go & (nxt == EDIT)]] = np.minimum(
            rounds[idx[go & (nxt == EDIT)]] + 1, _MAX_ROUNDS
        )
        idx, cur = idx[go], nxt[go]
        cases.append(idx)
        states.append(cur)
        length[idx] += 1
    # journeys still under way after max_steps stay open (outcome 2)
    case = np.concatenate(cases)
    state = np.concatenate(states)
    order = np.argsort(case, kind="stable")
    case, state = case[order], state[order]
    is_open = _uniform(keys, _JOURNEY, 0, 3) < open_share
    keep_n = np.where(
        is_open, 1 + np.floor(_uniform(keys, _JOURNEY, 0, 4) * length).astype(np.int64), length
    )
    outcome = np.where(is_open, 2, outcome).astype(np.int8)
    first = np.r_[True, case[1:] != case[:-1]] if case.size else np.zeros(0, dtype=bool)
    pos = np.arange(case.size) - np.maximum.accumulate(np.where(first, np.arange(case.size), 0))
    keep = pos < keep_n[case]
    return _Walk(
        case=case[keep], state=state[keep], outcome=outcome, segment=segment, is_open=is_open
    )


# --- the exact chain: (touchpoint, window shopper, hurt, rounds) ---


def _success_probability(fix: str | None, error_rate: float, loop_rate: float) -> float:
    """Exact probability that a journey succeeds (no step cap), by absorbing chains."""
    total = 0.0
    for seg, seg_share in enumerate((1.0 - _BROWSER_SHARE, _BROWSER_SHARE)):
        window_share = _WINDOW_SHARE[seg]
        # window shoppers never succeed; customers do with probability q
        total += seg_share * (1.0 - window_share) * _customer_success(fix, error_rate, loop_rate)
    return total


def _customer_success(fix: str | None, error_rate: float, loop_rate: float) -> float:
    def key(s: int, h: int, r: int) -> int:
        return (s * 2 + h) * (_MAX_ROUNDS + 1) + r

    size = _M * 2 * (_MAX_ROUNDS + 1)
    q = np.zeros((size, size))
    win = np.zeros(size)
    no = np.zeros(1, dtype=bool)
    for s in range(_M):
        for h in (0, 1):
            for r in range(_MAX_ROUNDS + 1):
                i = key(s, h, r)
                if s == CONFIRM:
                    win[i] = 1.0
                    continue
                if s in (CANCELLED, COMPARE, GIFT):  # asides change nothing: left out
                    continue
                ex = float(
                    _exit_prob(np.asarray([s]), no, np.asarray([bool(h)]), np.asarray([r]), fix)[0]
                )
                go = 1.0 - ex
                moves: dict[int, float] = {}
                if s == CHECKOUT:
                    p_loop = 0.0 if fix == "edit_cart" else loop_rate
                    moves[EDIT] = p_loop
                    moves[ADDRESS] = (1 - p_loop) * _ADDRESS_RATE
                    moves[PAYMENT] = (1 - p_loop) * (1 - _ADDRESS_RATE)
                elif s == PAYMENT:
                    p_err = 0.0 if fix == "payment_error" else error_rate
                    moves = {ERROR: p_err, ORDER: 1 - p_err}
                else:
                    moves = dict(_ROUTES[s])
                h2 = 1 if (h or s == ERROR) else 0
                for dst, p in moves.items():
                    r2 = min(r + 1, _MAX_ROUNDS) if dst == EDIT else r
                    q[i, key(dst, h2, r2)] += go * p
    x = np.linalg.solve(np.eye(size) - q, win)
    return float(sum(p * x[key(s, 0, 0)] for s, p in _START.items()))


@attrs.frozen(kw_only=True, repr=False)
class PlantedTruth(Result):
    """The truth behind a log of the planted shop: what each touchpoint truly costs.

    Attributes
    ----------
    touchpoints : pandas.DataFrame
        One row per touchpoint (see :meth:`to_frame`).
    n_journeys : int
        Journeys simulated.
    n_decided : int
        Journeys with a known outcome (not open).
    failures : int
        Failed journeys in the log.
    success_probability : float
        Exact probability that a journey succeeds (open journeys aside, no step cap).
    seed : int
        The seed of the log.
    """

    touchpoints: pd.DataFrame
    n_journeys: int
    n_decided: int
    failures: int
    success_probability: float
    seed: int

    def to_frame(self) -> pd.DataFrame:
        """One row per touchpoint, the costliest first.

        Columns: ``touchpoint``, ``stage``, ``kind`` (one of :data:`KINDS`),
        ``expected_verdict`` (``friction``, ``no evidence``, ``not comparable``,
        ``outcome marker``), ``visitors`` and ``failed_visitors`` (journeys of the log
        that visit it; of them, failed), ``true_attributable_failures`` (failed journeys
        of the log minus failed journeys of the replay with the step fixed, over the same
        journeys), ``expected_attributable_failures`` (its expectation given the decided
        journeys: ``n_decided`` times the exact gain in success probability) and
        ``mechanism`` (one line).
        """
        return self.touchpoints.copy()

    def _repr_body(self) -> str:
        planted = int((self.touchpoints["true_attributable_failures"] != 0).sum())
        return (
            f"{self.n_journeys:,} journeys, {self.failures:,} failures, "
            f"{planted} with a cost, seed={self.seed}"
        )


def simulate_planted(
    n: int,
    *,
    seed: int,
    fix: str | None,
    error_rate: float,
    loop_rate: float,
    open_share: float,
    max_steps: int,
    start: str,
    period_days: float,
    mean_gap_s: float,
    personas: Sequence[str],
    persona_p: FloatArray | None,
    return_truth: bool,
) -> tuple[pd.DataFrame, PlantedTruth | None]:
    """Kernel of ``simulate_journeys(scenario="planted")``; arguments already checked."""
    keys = _journey_keys(seed, n)
    walk = _walk(keys, fix, error_rate, loop_rate, open_share, max_steps)
    frame = _frame(keys, walk, start, period_days, mean_gap_s, personas, persona_p)
    if not return_truth:
        return frame, None
    log = walk if fix is None else _walk(keys, None, error_rate, loop_rate, open_share, max_steps)
    return frame, _truth(keys, log, seed, error_rate, loop_rate, open_share, max_steps)


def _frame(
    keys: U64,
    walk: _Walk,
    start: str,
    period_days: float,
    mean_gap_s: float,
    personas: Sequence[str],
    persona_p: FloatArray | None,
) -> pd.DataFrame:
    n = keys.size
    case, state = walk.case, walk.state
    first = np.r_[True, case[1:] != case[:-1]] if case.size else np.zeros(0, dtype=bool)
    pos = np.arange(case.size) - np.maximum.accumulate(np.where(first, np.arange(case.size), 0))
    t0 = pd.Timestamp(start, tz="UTC").value
    starts = t0 + np.floor(_uniform(keys, _JOURNEY, 0, 5) * period_days * 86_400e9).astype(np.int64)
    u = _uniform(keys[case], _GAP, pos, 0)
    gaps = np.floor(-np.log1p(-u) * mean_gap_s * 1e9).astype(np.int64)
    gaps[first] = 0
    total = np.cumsum(gaps)
    base = np.maximum.accumulate(np.where(first, total, 0))
    ts = starts[case] + (total - base)
    width = len(str(max(n - 1, 0)))
    ids = np.asarray([f"J{i:0{width}d}" for i in range(n)], dtype=object)
    spec = np.asarray(_SPEC, dtype=object)
    labels = np.asarray(["success", "failure", "open"], dtype=object)
    frame = pd.DataFrame(
        {
            "case_id": ids[case],
            "touchpoint": spec[state, 0],
            "timestamp": pd.to_datetime(ts, utc=True).as_unit("ns"),
            "stage": spec[state, 1],
            "channel": spec[state, 2],
            "outcome": labels[walk.outcome[case]],
            "segment": np.asarray(_SEGMENTS, dtype=object)[walk.segment[case]],
        }
    )
    if personas:
        assert persona_p is not None
        cum = np.cumsum(persona_p)
        cum[-1] = 1.0
        who = np.searchsorted(cum, _uniform(keys, _JOURNEY, 0, 6), side="right")
        frame["persona"] = np.asarray(list(personas), dtype=object)[who[case]]
    return frame


def _truth(
    keys: U64,
    log: _Walk,
    seed: int,
    error_rate: float,
    loop_rate: float,
    open_share: float,
    max_steps: int,
) -> PlantedTruth:
    n = keys.size
    decided = ~log.is_open
    failures = int((log.outcome == 1).sum())
    n_decided = int(decided.sum())
    base = _success_probability(None, error_rate, loop_rate)
    seen = np.zeros((n, _M), dtype=bool)
    seen[log.case, log.state] = True
    failed = log.outcome == 1
    true_af = np.zeros(_M, dtype=np.int64)
    expected = np.zeros(_M)
    for name in FIXABLE:
        i = _IX[name]
        replay = _walk(keys, name, error_rate, loop_rate, open_share, max_steps)
        true_af[i] = failures - int((replay.outcome == 1).sum())
        expected[i] = n_decided * (_success_probability(name, error_rate, loop_rate) - base)
    table = pd.DataFrame(
        {
            "touchpoint": list(PLANTED_TOUCHPOINTS),
            "stage": [s[1] for s in _SPEC],
            "kind": [s[3] for s in _SPEC],
            "expected_verdict": [s[4] for s in _SPEC],
            "visitors": seen.sum(axis=0).astype(np.int64),
            "failed_visitors": (seen & failed[:, None]).sum(axis=0).astype(np.int64),
            "true_attributable_failures": true_af,
            "expected_attributable_failures": expected,
            "mechanism": [s[5] for s in _SPEC],
        }
    )
    table = table.sort_values(
        "expected_attributable_failures", ascending=False, kind="stable"
    ).reset_index(drop=True)
    return PlantedTruth(
        touchpoints=table,
        n_journeys=n,
        n_decided=n_decided,
        failures=failures,
        success_probability=base,
        seed=seed,
    )
