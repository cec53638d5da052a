"""The comparison rule shared by the friction table and harm removal.

Part of :mod:`frictionkit.markov` (see its documentation, "Harm removal"). Both
estimates of a touchpoint ``t``'s attributable failures, the standardisation of
:func:`frictionkit.friction.friction` and the harm removal of
:meth:`~frictionkit.markov.MarkovModel.harm_removal_effects` (and
``EventLog.repair_effects(kind="harm_removal")``), compare ``t``'s visitors with the
journeys that were where they were (the step ``s`` just before ``t``), had not met ``t``
and made a *comparable move* from there; the visitors are given those journeys' success
share. One rule says which moves are comparable:

1. **Moves to another step.** A move from ``s`` to a touchpoint other than ``t`` is
   comparable. Where enough of them (``min_support`` journeys) go to one of ``t``'s
   **successors** (a step that takes at least :data:`MIN_SUCCESSOR_SHARE` of the moves
   out of ``t``), only those (and the endings of rule 2) count: ``s -> t -> u`` is
   compared with ``s -> u``. A step
   placed between ``s`` and ``u`` (an address check between checkout and payment) is
   thus compared with the journeys that went straight on to ``u``, not with those that
   took another branch at ``s`` (sent round a loop by a faulty cart, which fail more).
   A step that replaces the next one (an error instead of the order page, a loop back)
   has no such journeys, and every move to another step counts.
2. **Ending right at s** (success or failure right after ``s``) is a comparable move only
   where ``s`` is a step at which journeys end **both ways**: at least
   :data:`MIN_END_SHARE` of the journeys that end there succeed and at least as many
   fail (a payment step, after which a journey succeeds, fails or meets an error).
   There reaching success right after ``s`` counts as having gone on, and so does
   failing there. Where the journeys that end at ``s`` all end one way, ending is not a
   move the visitors could have made: they all failed (``t``'s visitors went on, these
   left before they could meet ``t``: window shoppers leaving at the checkout), or all
   succeeded (the outcome was decided there: those who paid on the spot in the
   road-fines log are no comparison for "Send Fine"), and those journeys are left out.
3. **Last steps.** A step ``t`` with no successor after which journeys end (at least
   :data:`MIN_LAST_SHARE` of the moves out of it end the journey, and not only by
   failing: at least :data:`MIN_END_SHARE` of those ends succeed; a delivery before the
   review) is never compared with journeys that ended right at ``s``, whichever way
   they ended: ``t``'s visitors went on one more step before their end, and those
   journeys ended one step earlier, before they could ever meet ``t`` (in the Olist
   review log the orders never delivered end at the carrier step: they are no
   comparison for a late delivery). Its comparison is narrowed to its **siblings**,
   the other last steps (``s -> t -> end`` against
   ``s -> u -> end``: a late delivery against an on-time one), where ``min_support``
   journeys made that move; otherwise every move to another step counts. A step after
   which journeys end only by failing (a support hotline after which customers leave)
   is no last step: those ends are the harm being measured; nor is a step with a
   successor (rule 1 compares it with the journeys that went straight on to it): for
   both, rules 1 and 2 apply.

The statement behind the three rules: ``t``'s comparison is the journeys that were where
its visitors were and **went on without it**, to where its visitors went on to (rule 1);
a journey that ended at ``s`` went on only where ending there is one of the ways a
journey at ``s`` goes on (rule 2) and ``t``'s visitors did not themselves end one step
later (rule 3).

Successors, last steps and where ending is a move are read from the journeys being
compared (each group's own when adjusting for case attributes). A stratum whose
comparison has fewer than ``min_support`` journeys, or makes up less than
:data:`MIN_OVERLAP` of the journeys that went on from it, leaves its visitors *not
comparable*; a touchpoint whose non-takers mostly ended right there (more than
:data:`ENDED_SHARE_MAX`, ending being no move) is *not comparable* as a whole.

The assumption behind rule 2: where ending at ``s`` goes one way it was decided before
the next step was chosen. A step shown right before such a decided end (shown as a
customer leaves) carries that end, and no log can tell it from harm. Behind rule 3:
a last step's visitors would, without it, have ended after a sibling step, not at ``s``;
where a last step truly sends customers away at ``s`` (a step inserted right before the
end), its harm is measured against the steps beside it, not against leaving.

Pure kernels: numpy in, numpy out, no validation.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Smallest share of comparable journeys among those that went on from a stratum (the
#: comparable ones plus the visitors): below it nearly everyone takes the step there (no
#: overlap, the positivity condition of causal inference), and the stratum's visitors are
#: not comparable.
MIN_OVERLAP = 0.05
#: Share of the journeys that did not take a touchpoint and ended right there (ending not
#: being a move), above which the touchpoint is not comparable: its alternative is the
#: end of the journey (e.g. paying on the spot).
ENDED_SHARE_MAX = 0.9
#: Smallest share of the moves out of a step that go to another step for it to be one of
#: the step's successors (rule 1 above).
MIN_SUCCESSOR_SHARE = 0.05
#: Smallest share of each outcome among the journeys ending at a step for ending there to
#: be a comparable move (rule 2 above).
MIN_END_SHARE = 0.05
#: Smallest share of the moves out of a step that end the journey for it to be a *last
#: step* (rule 3 above): its visitors end right after it (and not all of them by failing).
MIN_LAST_SHARE = 0.5


def ends_are_moves(
    success_ends: npt.ArrayLike, failure_ends: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """Whether ending right at each step is a comparable move (rule 2 of the module notes).

    Parameters
    ----------
    success_ends, failure_ends : array_like of float
        Journeys (weighted) whose last step it is, that succeeded / failed.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> ends_are_moves([65, 0, 40], [10, 30, 0]).tolist()
    [True, False, False]
    """
    ok = np.asarray(success_ends, dtype=np.float64)
    bad = np.asarray(failure_ends, dtype=np.float64)
    total = ok + bad
    out: npt.NDArray[np.bool_] = (
        (total > 0) & (ok >= MIN_END_SHARE * total) & (bad >= MIN_END_SHARE * total)
    )
    return out


def successor_mask(moves: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Which steps follow each step (rule 1 of the module notes), from a table of moves.

    Parameters
    ----------
    moves : array_like of float, shape (n, m), m >= n
        Moves (weighted) out of each step (rows) into each step (the first ``n``
        columns) or elsewhere (further columns: the ends of the journey).

    Returns
    -------
    ndarray of bool, shape (n, n)
        ``out[t, u]``: at least :data:`MIN_SUCCESSOR_SHARE` of the moves out of ``t`` go
        to ``u``.

    Examples
    --------
    >>> successor_mask([[0, 9, 1], [0, 0, 5]]).tolist()
    [[False, True], [False, False]]
    """
    m = np.asarray(moves, dtype=np.float64)
    n = m.shape[0]
    total = m.sum(axis=1, keepdims=True)
    out: npt.NDArray[np.bool_] = (m[:, :n] > 0) & (m[:, :n] >= MIN_SUCCESSOR_SHARE * total)
    return out


def last_steps(moves: npt.ArrayLike, success_ends: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Which steps are last steps (rule 3 of the module notes), from a table of moves.

    Parameters
    ----------
    moves : array_like of float, shape (n, m), m >= n
        As in :func:`successor_mask`.
    success_ends : array_like of float, shape (n,)
        Journeys (weighted) whose last step it is, that succeeded.

    Returns
    -------
    ndarray of bool, shape (n,)
        The step has no successor (:func:`successor_mask`), at least
        :data:`MIN_LAST_SHARE` of the moves out of it end the journey, and at least
        :data:`MIN_END_SHARE` of those ends are successes (journeys end there, not
        only leave).

    Examples
    --------
    Step 1 is a last step; step 2 is not (all its ends fail: customers leaving after
    it), nor step 3 (a third of its moves go on to step 0: a successor):

    >>> moves = [[0, 9, 0, 0, 1], [0, 0, 0, 0, 5], [0, 0, 0, 0, 4], [3, 0, 0, 0, 6]]
    >>> last_steps(moves, [1, 2, 0, 6]).tolist()
    [False, True, False, False]
    """
    m = np.asarray(moves, dtype=np.float64)
    ok = np.asarray(success_ends, dtype=np.float64)
    n = m.shape[0]
    total = m.sum(axis=1)
    ends = m[:, n:].sum(axis=1)
    no_successor = ~successor_mask(m).any(axis=1)
    out: npt.NDArray[np.bool_] = (
        no_successor & (ends > 0) & (ends >= MIN_LAST_SHARE * total) & (ok >= MIN_END_SHARE * ends)
    )
    return out


def narrowing_mask(moves: npt.ArrayLike, success_ends: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """The moves that narrow each step's comparison (rules 1 and 3 of the module notes).

    Parameters
    ----------
    moves : array_like of float, shape (n, m), m >= n
        As in :func:`successor_mask`.
    success_ends : array_like of float, shape (n,)
        As in :func:`last_steps`.

    Returns
    -------
    ndarray of bool, shape (n, n)
        ``out[t, u]``: a move to ``u`` is in ``t``'s narrower comparison: ``u`` is one of
        ``t``'s successors, or, for a last step ``t``, ``u`` is another last step.

    Examples
    --------
    Step 0 goes on to 1; steps 1 and 2 are last steps, each the other's sibling:

    >>> narrowing_mask([[0, 9, 0, 1], [0, 0, 0, 5], [0, 0, 0, 4]], [1, 2, 3]).tolist()
    [[False, True, False], [False, False, True], [False, True, False]]
    """
    m = np.asarray(moves, dtype=np.float64)
    last = last_steps(m, success_ends)
    sibling = last[:, None] & last[None, :] & ~np.eye(len(last), dtype=bool)
    out: npt.NDArray[np.bool_] = np.where(last[:, None], sibling, successor_mask(m))
    return out
