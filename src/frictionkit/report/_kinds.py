"""The kinds of outcome in the report: per-kind columns, counts and friction per kind.

A log built with ``failure={"declined": [...], "cancelled": [...]}`` (or kinds of
success) gets, in the routes section, the journeys of each kind and a "Failed: <kind>"
column in the routes, stage-route and funnel tables; in the friction section, the friction
of each kind (:func:`frictionkit.friction.friction_by_kind`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from frictionkit.events import FAILURE, SUCCESS, EventLog
from frictionkit.exceptions import ValidationError
from frictionkit.friction import friction_by_kind, hide_small_comparisons
from frictionkit.report._format import _af_intervals, _h3, _note, _p, _table, _tbl


def _kind_spec(table: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The per-kind count columns of a table, headed "Succeeded: <kind>" / "Failed: <kind>"."""
    out: list[tuple[str, str, str]] = []
    for col in table.columns:
        if col.startswith("successes_"):
            out.append((col, f"Succeeded: {col[len('successes_') :]}", "int"))
        elif col.startswith("failures_"):
            out.append((col, f"Failed: {col[len('failures_') :]}", "int"))
    return out


def _with_kinds(
    spec: list[tuple[str, str, str]], table: pd.DataFrame, after: str = "failures"
) -> list[tuple[str, str, str]]:
    """``spec`` with the per-kind columns of ``table`` right after the column ``after``."""
    kinds = _kind_spec(table)
    if not kinds:
        return spec
    at = next((i + 1 for i, (col, _, _) in enumerate(spec) if col == after), len(spec))
    return [*spec[:at], *kinds, *spec[at:]]


def _kind_sentence(log: EventLog, min_group_size: int) -> str | None:
    """The journeys of each kind of outcome, a kind of fewer than ``min_group_size`` hidden.

    When only one kind of an outcome is small, the next smallest of that outcome is hidden
    with it (its count would follow from the outcome's total).
    """
    if not log.has_kinds:
        return None
    counts = log.kind_counts
    outcome = log.kind_outcome.tolist()
    parts = []
    for oc, word in ((SUCCESS, "succeeded"), (FAILURE, "failed")):
        names = [n for n, o in zip(counts, outcome, strict=True) if o == oc]
        if len(names) < 2:
            continue
        small = {n for n in names if 0 < counts[n] < min_group_size}
        if len(small) == 1:
            rest = sorted((counts[n], n) for n in names if n not in small and counts[n] > 0)
            if rest:
                small.add(rest[0][1])
        shown = [
            f"{n} {'fewer than ' + str(min_group_size) if n in small else f'{counts[n]:,}'}"
            for n in names
        ]
        parts.append(f"{word}: {', '.join(shown)}")
    if not parts:
        return None
    return "By kind of outcome, journeys that " + "; ".join(parts) + "."


def _friction_by_kind_block(
    log: EventLog,
    names: dict[str, str],
    min_group_size: int,
    *,
    outcome_markers: tuple[str, ...] = (),
    adjust_for: tuple[str, ...] = (),
    stage_names: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], pd.DataFrame] | None:
    """With several failure kinds: the friction and helps rows of each kind, with intervals.

    Each kind is measured among the journeys that succeeded or failed in that kind (the
    other kinds censored); touchpoints visited by fewer than ``min_group_size`` decided
    journeys, and figures resting on a smaller group, are not shown.
    """
    if log.kind_outcome.tolist().count(FAILURE) < 2:
        return None
    try:
        table = friction_by_kind(log, outcome_markers=outcome_markers, adjust_for=adjust_for)
    except ValidationError as err:  # the data of one kind, not the caller's arguments
        return [_note(f"Friction per kind of failure was not measured: {err}")], pd.DataFrame()
    table = hide_small_comparisons(table, min_group_size=min_group_size)
    keep = (
        table["verdict"].isin(["friction", "helps"]).to_numpy(dtype=bool)
        & table["attributable_failures_low"].notna().to_numpy(dtype=bool)
        & table["attributable_failures_high"].notna().to_numpy(dtype=bool)
        & (table["journeys"].to_numpy(dtype=np.float64) >= min_group_size)
        & ~table["outcome_step"].astype(bool).to_numpy(dtype=bool)
    )
    rows = table[keep].reset_index(drop=True)
    cols = [
        "failure_kind",
        "touchpoint",
        "stage",
        "journeys",
        "attributable_failures",
        "attributable_failures_low",
        "attributable_failures_high",
        "af_q_value",
        "verdict",
    ]
    rows = rows[cols]
    kinds = list(table.attrs.get("failure_kinds", ()))
    blocks: list[dict[str, Any]] = [
        _h3("Friction per kind of failure"),
        _p(
            "Each kind of failure ("
            + ", ".join(kinds)
            + ") is measured on its own: among the journeys that succeeded or failed in "
            "that kind, the journeys that failed in another kind being censored (left out, "
            "as open journeys are)."
        ),
    ]
    stages = stage_names or {}
    shown = rows.assign(
        name=[names.get(t, t) for t in rows["touchpoint"]],
        stage_name=[stages.get(st, st) if isinstance(st, str) else st for st in rows["stage"]],
        af_ci=_af_intervals(rows),
    )
    blocks.append(
        _tbl(
            _table(
                shown,
                [
                    ("failure_kind", "Kind of failure", "text"),
                    ("name", "Touchpoint", "text"),
                    ("stage_name", "Stage", "text"),
                    ("journeys", "Journeys visiting", "int"),
                    ("attributable_failures", "Attributable failures", "num1"),
                    ("af_ci", "95 % interval", "text"),
                    ("af_q_value", "q-value", "p"),
                    ("verdict", "Verdict", "text"),
                ],
                key="friction-by-kind",
                caption="Touchpoints with the verdict friction or helps, per kind of failure",
                note=f"Only rows with an interval; touchpoints visited by fewer than "
                f"{min_group_size} decided journeys are not shown.",
            )
        )
    )
    return blocks, rows
