"""The ingest options of an event log, declared once.

:meth:`EventLog.from_frame <frictionkit.events.EventLog.from_frame>`,
:func:`~frictionkit.events.read_events` and :meth:`EventLog.scan
<frictionkit.events.EventLog.scan>` take the same options besides their source and column
names. Their public signatures spell them out (for users and type checkers), then hand them
on as one :class:`IngestOptions` (:func:`options_from`); :data:`INGEST_OPTIONS` (the fields
of the class, in order, with their defaults) is the single list a test checks every entry
point against.
What each option means is documented once, in :meth:`EventLog.from_frame
<frictionkit.events.EventLog.from_frame>`.

Examples
--------
>>> from frictionkit.events._options import INGEST_OPTIONS, IngestOptions
>>> INGEST_OPTIONS["when_both"], IngestOptions(success="buy").strict
('first', True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.model import Journey

__all__ = ["INGEST_OPTIONS", "LIFECYCLE", "ON_NULL", "VALUE_AGG", "WHEN_BOTH", "IngestOptions"]

WhenBoth = Literal["first", "last", "success", "failure"]
ValueAgg = Literal["last", "first", "sum", "max"]
OnNull = Literal["raise", "drop"]
Lifecycle = Literal["complete", "start_complete", "touchpoint", "all"]

#: The accepted values of ``when_both``, ``value_agg`` and ``on_null`` (checked at ingest).
WHEN_BOTH: tuple[str, ...] = ("first", "last", "success", "failure")
VALUE_AGG: tuple[str, ...] = ("last", "first", "sum", "max")
ON_NULL: tuple[str, ...] = ("raise", "drop")
#: The accepted values of ``lifecycle`` (how a lifecycle column is used; see ``from_frame``).
LIFECYCLE: tuple[str, ...] = ("complete", "start_complete", "touchpoint", "all")


@attrs.frozen(kw_only=True)
class IngestOptions:
    """The options of building an event log, besides its source and column names.

    Each field is the keyword argument of the same name of :meth:`EventLog.from_frame
    <frictionkit.events.EventLog.from_frame>` (see there for its meaning), of
    :func:`~frictionkit.events.read_events` and of :meth:`EventLog.scan
    <frictionkit.events.EventLog.scan>`. The values are checked where the log is built
    (after the columns), so the errors are the same whichever entry point is used.
    """

    outcome_col: str | None = None
    success: Any = None
    failure: Any = None
    when_both: WhenBoth = "first"
    stage_col: str | None = None
    channel_col: str | None = None
    value_col: str | None = None
    value_agg: ValueAgg = "last"
    case_cols: Sequence[str] = ()
    journey: Journey | None = None
    strict: bool = True
    on_null: OnNull = "raise"
    pseudonymise: str | bytes | None = None
    timestamp_format: str | None = None
    dayfirst: bool | None = None
    lifecycle_col: str | None = None
    lifecycle: Lifecycle | None = None

    def as_kwargs(self) -> dict[str, Any]:
        """The options as keyword arguments (for :meth:`EventLog.from_frame`).

        Examples
        --------
        >>> IngestOptions(strict=False).as_kwargs()["strict"]
        False
        """
        return {f.name: getattr(self, f.name) for f in attrs.fields(IngestOptions)}


#: Every ingest option with its default, in the order of the signatures.
INGEST_OPTIONS: dict[str, Any] = {f.name: f.default for f in attrs.fields(IngestOptions)}


def options_from(arguments: Mapping[str, Any]) -> IngestOptions:
    """The ingest options among a function's arguments (an entry point passes ``locals()``).

    Every option must be there: an entry point whose signature lacks one fails here (and in
    the test that checks the signatures against :data:`INGEST_OPTIONS`).

    Examples
    --------
    >>> def entry(df, *, strict=False, **rest):
    ...     return options_from({**INGEST_OPTIONS, **rest, "strict": strict})
    >>> entry(None).strict
    False
    """
    return IngestOptions(**{name: arguments[name] for name in INGEST_OPTIONS})
