"""Outcome codes and state names: the one home of both (re-exported by :mod:`frictionkit.events`).

A journey's *outcome* is a small integer code, stored per event and per journey in an
:class:`~frictionkit.events.EventLog`; :data:`OUTCOMES` gives its label, indexed by the
code. The *state names* are the text states of transitions and of the Markov chain
(:mod:`frictionkit.markov`): every journey enters at :data:`START_STATE` and ends in
:data:`SUCCESS_STATE`, :data:`FAILURE_STATE` or :data:`OPEN_STATE`. No touchpoint may take a
name of :data:`RESERVED_STATES`.

Examples
--------
>>> from frictionkit.events import OUTCOMES, SUCCESS, SUCCESS_STATE
>>> OUTCOMES[SUCCESS], SUCCESS_STATE
('success', 'SUCCESS')
"""

from __future__ import annotations

__all__ = [
    "FAILURE",
    "FAILURE_STATE",
    "OPEN",
    "OPEN_STATE",
    "OUTCOMES",
    "RESERVED_STATES",
    "START_STATE",
    "SUCCESS",
    "SUCCESS_STATE",
]

#: Outcome codes of a journey (and of the event that decides it; 0 on other events).
OPEN = 0
SUCCESS = 1
FAILURE = 2
#: Journey outcome labels, indexed by the outcome codes: ``OUTCOMES[SUCCESS] == "success"``.
OUTCOMES: tuple[str, ...] = ("open", "success", "failure")

#: The state every journey enters first.
START_STATE = "START"
#: The absorbing state of journeys that ended in success.
SUCCESS_STATE = "SUCCESS"
#: The absorbing state of journeys that ended in failure (the "null" state of
#: attribution tools).
FAILURE_STATE = "FAILURE"
#: The state of a journey without an outcome yet; transitions into it are left out of the
#: Markov chain.
OPEN_STATE = "OPEN"
#: State names used by transitions and the Markov chain; no touchpoint may use them.
RESERVED_STATES: tuple[str, ...] = (START_STATE, SUCCESS_STATE, FAILURE_STATE, OPEN_STATE)
