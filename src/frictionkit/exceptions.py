"""One exception tree for everything frictionkit raises.

Every error raised on purpose by frictionkit derives from :class:`FrictionkitError`, so
``except frictionkit.FrictionkitError`` catches all of them. The leaves also derive from
the matching built-in (:class:`ValueError`, :class:`KeyError`, :class:`TypeError`,
:class:`ImportError`) so code written against the built-ins keeps working.

Each error says what is wrong, where (``field``), with which value (``value``), and how to
fix it (``hint``). Errors about rows of a table carry those rows in ``failure_cases``.

Examples
--------
>>> import frictionkit as fk
>>> try:
...     fk.Stage(id="")
... except fk.FrictionkitError as err:
...     print(type(err).__name__, "|", err.field)
ValidationError | Stage.id
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "AHPInconsistencyWarning",
    "CycleError",
    "DataError",
    "DroppedRowsWarning",
    "DuplicateIdError",
    "FileAccessError",
    "FrictionkitError",
    "FrictionkitWarning",
    "IdentityConflictWarning",
    "InfeasibleError",
    "InputTypeError",
    "LongJourneyWarning",
    "MemoryBudgetError",
    "MissingColumnError",
    "MissingImpactWarning",
    "MissingOwnerWarning",
    "OptionalDependencyError",
    "RepeatedTouchpointWarning",
    "SMAAAcceptanceWarning",
    "SchemaError",
    "SuspiciousScaleWarning",
    "UnknownReferenceError",
    "UnlinkedAnswersWarning",
    "UnmappedEvidenceWarning",
    "ValidationError",
    "WeightsNormalisedWarning",
    "did_you_mean",
]


#: Longest ``repr`` of a user value shown inside an error message (see :func:`_short`).
SHORT_LIMIT = 200
#: Longest message or hint rendered in full; longer ones keep their head and tail.
MESSAGE_LIMIT = 4000


def _short(value: object, limit: int = SHORT_LIMIT) -> str:
    """``repr(value)`` for an error message, cut to about ``limit`` characters.

    A value longer than that (a 1 MB id, a huge list) is shown by its beginning and its
    full length, so messages stay readable and cheap to build; the error keeps the whole
    value in its ``value`` attribute. Lists, tuples, sets and dicts are shown through a
    bounded repr (the first items, a few levels deep), so even a huge or deeply nested
    container costs little.

    Examples
    --------
    >>> _short("checkout")
    "'checkout'"
    >>> _short("x" * 1_000_000, limit=5)
    "'xxxxx'… (1,000,000 characters)"
    >>> _short(list(range(100)))
    '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...] (100 items)'
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        text = _REPR.repr(value)
        if len(text) > limit:
            text = f"{text[:limit]}…"
        return text if len(value) <= _REPR.maxlist else f"{text} ({len(value):,} items)"
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxdict = 10
_REPR.maxstring = _REPR.maxother = 60


def _cap(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Keep the head and tail of an over-long message (values not cut by :func:`_short`)."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 3 // 4], text[-(limit // 4) :]
    return f"{head}… [{len(text) - len(head) - len(tail):,} characters cut] …{tail}"


def did_you_mean(name: object, candidates: Iterable[object], *, n: int = 1) -> str:
    """Suggest the closest candidate to ``name``, as text for an error message.

    Parameters
    ----------
    name : object
        The unknown name the user gave.
    candidates : iterable
        The names that are allowed.
    n : int, default 1
        How many suggestions at most.

    Returns
    -------
    str
        ``" (did you mean 'x'?)"`` when a close match exists, else ``""``.

    Examples
    --------
    >>> did_you_mean("chekout", ["checkout", "cart"])
    " (did you mean 'checkout'?)"
    >>> did_you_mean("zzz", ["checkout"])
    ''
    """
    text = str(name)
    pool = [str(c) for c in candidates]
    matches = difflib.get_close_matches(text, pool, n=n, cutoff=0.6)
    if not matches:
        lowered = {p.lower(): p for p in pool}
        if text.lower() in lowered:
            matches = [lowered[text.lower()]]
    if not matches:
        return ""
    quoted = " or ".join(_short(m) for m in matches)
    return f" (did you mean {quoted}?)"


class FrictionkitError(Exception):
    """Root of every error frictionkit raises on purpose.

    Parameters
    ----------
    message : str
        What is wrong, in a sentence a user can act on.
    field : str, optional
        The argument, column or attribute at fault (``"Touchpoint.stage"``).
    value : object, optional
        The offending value.
    hint : str, optional
        How to fix it; appended to the message.
    line, column : int, optional
        Where in a file the problem is, 1-based (a journey file read by
        :func:`frictionkit.load_journey`); None when unknown or not about a file.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = None,
        hint: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.field = field
        self.value = value
        self.hint = hint
        self.line = line
        self.column = column
        #: Further problems found in the same validation pass (each a FrictionkitError).
        self.problems: tuple[FrictionkitError, ...] = ()
        super().__init__(self._render())

    def _render(self) -> str:
        text = _cap(self.message)
        if self.hint:
            hint = _cap(self.hint)
            text = f"{text}. {hint}" if not text.endswith(".") else f"{text} {hint}"
        if self.problems:
            more = "\n".join(f"  - {_cap(p.message)}" for p in self.problems)
            text = f"{text}\n{len(self.problems)} more problem(s) found:\n{more}"
        return text

    def with_problems(self, problems: Iterable[FrictionkitError]) -> FrictionkitError:
        """Attach further problems found in the same pass and return ``self``."""
        self.problems = tuple(problems)
        self.args = (self._render(),)
        return self

    def __str__(self) -> str:
        # KeyError quotes its message; every class in the tree shows plain text instead.
        return str(self.args[0]) if self.args else ""


class ValidationError(FrictionkitError, ValueError):
    """A value is not allowed: out of range, not finite, empty, inconsistent."""


class DuplicateIdError(ValidationError):
    """Two objects of the same kind share an id."""


class CycleError(ValidationError):
    """Dependencies (``requires``) form a cycle; ``cycle`` lists it in order."""

    def __init__(self, message: str, *, cycle: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.cycle = cycle
        super().__init__(message, **kwargs)


class SchemaError(ValidationError):
    """A journey file or table does not follow the documented schema."""


class DataError(ValidationError):
    """Rows of an input table are invalid; ``failure_cases`` holds those rows."""

    def __init__(
        self, message: str, *, failure_cases: pd.DataFrame | None = None, **kwargs: Any
    ) -> None:
        self.failure_cases = failure_cases
        super().__init__(message, **kwargs)


class InfeasibleError(ValidationError):
    """Constraints cannot all hold at once; ``conflicts`` names the ones at odds."""

    def __init__(self, message: str, *, conflicts: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.conflicts = conflicts
        super().__init__(message, **kwargs)


class MemoryBudgetError(ValidationError):
    """An analysis would need more memory than the budget allows.

    ``needed_mb`` is the estimate for the requested analysis, ``budget_mb`` the budget
    (see :func:`frictionkit._resources.set_options`). Ask for less (fewer draws, a sample
    of the log) or raise the budget.
    """

    def __init__(
        self, message: str, *, needed_mb: float = 0.0, budget_mb: float = 0.0, **kwargs: Any
    ) -> None:
        self.needed_mb = needed_mb
        self.budget_mb = budget_mb
        super().__init__(message, **kwargs)


class UnknownReferenceError(FrictionkitError, KeyError):
    """A name refers to nothing known: an id, a column, a method, an option."""


class MissingColumnError(UnknownReferenceError):
    """A column named in a ``*_col`` argument is not in the table."""


class InputTypeError(FrictionkitError, TypeError):
    """An argument has the wrong type."""


class FileAccessError(FrictionkitError, OSError):
    """A file could not be read or written (missing folder, permissions, a full disk).

    When writing, the previous file is left as it was.
    """


class OptionalDependencyError(FrictionkitError, ImportError):
    """An optional extra is needed for this feature; the message names the install line."""


class FrictionkitWarning(UserWarning):
    """Base class of the warnings frictionkit issues (documented where they arise)."""


# Every warning frictionkit issues, one class per kind, filterable by class.


class AHPInconsistencyWarning(FrictionkitWarning):
    """An AHP pairwise matrix has a consistency ratio above the threshold (0.10).

    Saaty (1980) recommends revising the judgements when ``CR > 0.10``: the weights are
    still returned, but they rest on contradictory comparisons.
    """


class DroppedRowsWarning(FrictionkitWarning):
    """Rows were dropped because a case id, touchpoint or timestamp was missing."""


class IdentityConflictWarning(FrictionkitWarning):
    """A channel id points at several master ids: the persons were merged (or dropped)."""


class LongJourneyWarning(FrictionkitWarning):
    """One journey holds more events than any customer journey plausibly does.

    Issued at ingest (:meth:`EventLog.from_frame <frictionkit.events.EventLog.from_frame>`,
    :func:`~frictionkit.events.read_events`), naming the longest journey and its number of
    events, when it holds more than ``frictionkit.events.LONG_JOURNEY_EVENTS`` (100,000).
    The usual cause is a wrong ``case_col`` (a column shared by every event, such as a
    channel or a date). The analyses still run; those that walk a journey event by event
    (routes, the Markov chain) take time in proportion to its length.
    """


class MissingImpactWarning(FrictionkitWarning):
    """Improvements have neither a measured value at stake nor a declared impact.

    They are scored with impact 0 and ``impact_source="missing"``. Give them an
    ``impact`` (or pass ``value_at_stake`` for the pain points they fix) to silence it.
    """


class MissingOwnerWarning(FrictionkitWarning):
    """Improvements in a table have no owner; they are listed as ``"unowned"``.

    Every action needs a named owner: fill the owner column to silence it.
    """


class RepeatedTouchpointWarning(FrictionkitWarning):
    """Most journeys that reach a touchpoint repeat it immediately.

    The usual cause is lifecycle events left in the log (``schedule``, ``start`` and
    ``complete`` of one activity instance, read as three visits): issued at ingest, naming
    the touchpoint. Pass ``lifecycle_col=`` (see :meth:`EventLog.from_frame
    <frictionkit.events.EventLog.from_frame>`) to keep one event per activity instance.
    """


class SMAAAcceptanceWarning(FrictionkitWarning):
    """Weight bounds leave a tiny share of the simplex: rejection sampling is slow.

    Issued by :func:`sample_weights` and :func:`smaa` when fewer than 1 in 1,000 proposed
    weight vectors satisfy the bounds. Widen the bounds, or give fixed weights.
    """


class SuspiciousScaleWarning(FrictionkitWarning):
    """Scores look like they were given on another scale (NPS answers all within 1-5)."""


class UnlinkedAnswersWarning(FrictionkitWarning):
    """Some survey answers name a case id that matches no journey of the event log."""


class UnmappedEvidenceWarning(FrictionkitWarning):
    """Evidence about touchpoints the journey map does not have (left out of the table)."""


class WeightsNormalisedWarning(FrictionkitWarning):
    """Weights did not sum to 1 and were divided by their sum.

    Issued by :func:`normalise_weights` and by the :mod:`frictionkit.mcda` functions when
    ``abs(sum(weights) - 1) > 1e-9``. Pass weights that sum to 1 to silence it.
    """
