"""Build the HTML report: collect the sections, render the Jinja2 template."""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from frictionkit._atomic import write_text
from frictionkit._compat import __version__, require
from frictionkit._protocol import Result
from frictionkit.events import EventLog
from frictionkit.exceptions import FileAccessError, InputTypeError, ValidationError
from frictionkit.feedback import Feedback
from frictionkit.model import Journey
from frictionkit.portfolio import Plan
from frictionkit.privacy import DEFAULT_MIN_GROUP_SIZE, check_min_group_size
from frictionkit.ranking import QUICK_WIN, Ranking
from frictionkit.report._format import (
    _cell,
    _Figures,
)
from frictionkit.report._friction import _friction_section
from frictionkit.report._methods import _methods_section
from frictionkit.report._planning import _plan_section, _ranking_section
from frictionkit.report._sections import (
    _check_type,
    _feedback_section,
    _journey_section,
    _routes_section,
)

__all__ = ["Report", "report"]


# the public objects
# ---------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True, repr=False, eq=False)
class Report(Result):
    """A rendered HTML report: one self-contained page.

    Build it with :func:`report`. The page embeds its CSS and figures (inline SVG), loads
    nothing from the network and runs no scripts.

    Attributes
    ----------
    title : str
        The page title.
    html : str
        The whole HTML document.
    sections : tuple of (str, str)
        ``(id, title)`` of each section, in page order.
    tables : mapping of str to pandas.DataFrame
        The data behind the tables shown (after small-group suppression), by name:
        ``journey``, ``routes``, ``funnel``, ``segments``, ``friction``,
        ``repair_effects``, ``feedback``, ``ranking``, ``quick_wins``, ``by_owner``,
        ``plan``, ``constraints``, ``frontier``, ``roadmap`` (those that apply).
    figures : tuple of str
        Names of the :mod:`frictionkit.plot` functions that drew a figure.
    notes : tuple of str
        Remarks printed in the report's notes (figures left out, ...).
    min_group_size : int
        The small-group threshold applied.
    """

    title: str
    html: str
    sections: tuple[tuple[str, str], ...]
    tables: Mapping[str, pd.DataFrame]
    figures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page as UTF-8 and return its path (parent folders are created).

        The page is written to a temporary file in the same folder and moved into place,
        so a failed write (a full disk, an interruption) leaves the previous file as it
        was; an existing file keeps its permission bits and a symbolic link is followed.

        Raises
        ------
        FileAccessError
            ``path`` is a folder, a parent folder cannot be created, or the system
            refused the write (permissions, a full disk).

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit.report import report
        >>> out = report(fk.datasets.load_autoparts(), figures=False).save("r.html")
        >>> out.name, out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        ('r.html', True)
        """
        p = Path(path)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise FileAccessError(
                f"cannot create the folder {str(p.parent)!r} for the report: "
                f"{err.strerror or type(err).__name__}",
                field="path",
                value=str(p),
                hint="check that no file of that name is in the way and the permissions",
            ) from None
        write_text(p, self.html, field="path")
        return p

    def to_frame(self) -> pd.DataFrame:
        """One row per section: ``id``, ``title``.

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit.report import report
        >>> report(fk.datasets.load_autoparts(), figures=False).to_frame()["id"].tolist()
        ['journey', 'ranking', 'methods']
        """
        return pd.DataFrame(list(self.sections), columns=["id", "title"])

    def _repr_body(self) -> str:
        size = len(self.html.encode("utf-8")) / 1024
        return (
            f"{self.title!r}, {len(self.sections)} sections, {len(self.tables)} "
            f"tables, {len(self.figures)} figures, {size:,.0f} KiB"
        )

    def _repr_html_(self) -> str:
        # The one result shown as itself rather than by result_html: the report is a page.
        # A sandboxed frame keeps the report's CSS out of the notebook; srcdoc is escaped.
        return (
            f'<iframe title="{html.escape(self.title)}" sandbox '
            f'style="width:100%;height:640px;border:1px solid #ccc" '
            f'srcdoc="{html.escape(self.html, quote=True)}"></iframe>'
        )


def _env() -> Any:
    jinja2 = require("jinja2", extra="report", feature="The HTML report")
    loader = jinja2.FunctionLoader(_template_source)
    return jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "j2"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def _template_source(name: str) -> str:
    return (
        resources.files("frictionkit.report")
        .joinpath("templates", name)
        .read_text(encoding="utf-8")
    )


def report(
    journey: Journey | Ranking,
    evidence: EventLog | None = None,
    feedback: Feedback | None = None,
    ranking: Ranking | None = None,
    plan: Plan | None = None,
    *,
    title: str | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    roadmap: pd.DataFrame | None = None,
    figures: bool = True,
    show_comments: bool = False,
    outcome_markers: Iterable[str] | str | None = None,
    adjust_for: Iterable[str] | str | None = None,
    branch_threshold: float | None = 0.5,
) -> Report:
    """Build the HTML report of a journey: map, routes, friction, ranking, plan, methods.

    Sections appear for what is given: the journey map always; success and failure
    routes, the funnel and the friction points with ``evidence``; survey scores with
    ``feedback``; the ranked improvements (in rank order, the quick wins listed first with
    their owners and why each is one) when the journey has improvements; the plan and its
    roadmap with ``plan``; and a methods section stating every formula, convention and
    data source used.

    Parameters
    ----------
    journey : Journey or Ranking
        The journey map, or the ranking of a journey (then its journey, and the ranking).
    evidence : EventLog, optional
        The event log (for example read with :func:`frictionkit.read_events`).
    feedback : Feedback, optional
        Survey answers (:meth:`frictionkit.Feedback.from_frame`).
    ranking : Ranking, optional
        From :func:`frictionkit.prioritise`; by default the journey's improvements are
        ranked by value per cost. Make the plan from it
        (``optimise_portfolio(ranking, budget=...)``) so that the plan, the frontier and
        the roadmap use its impact; the report notes a plan valued otherwise.
    plan : Plan, optional
        From :func:`frictionkit.optimise_portfolio`; the plan section is left out without it.
    title : str, optional
        Page title; default ``"<journey name>: journey report"``.
    min_group_size : int, default 10
        Routes, personas, touchpoints and survey groups backed by fewer journeys (or
        answers) are folded into one ``"other (suppressed)"`` row
        (:func:`frictionkit.privacy.suppress_small_groups`).
    roadmap : pandas.DataFrame, optional
        A table from :func:`frictionkit.roadmap.roadmap`; by default the plan is scheduled
        in waves of 20 working days.
    figures : bool, default True
        Embed the figures of :mod:`frictionkit.plot` (inline SVG) when it is available;
        ``False`` gives tables only.
    show_comments : bool, default False
        Free-text survey comments are never shown unless this is ``True``. Then the
        lowest-scored comments (at most five per touchpoint, only for touchpoints with at
        least ``min_group_size`` answers) are shown with emails, phone and card-like
        numbers masked (:func:`frictionkit.privacy.mask_personal_data`).
    outcome_markers : str or iterable of str, optional
        Touchpoints of ``evidence`` that record the outcome rather than cause it (a
        confirmation page, a cancellation notice): passed to
        :meth:`EventLog.friction`, where they get the verdict ``"outcome marker"``; the
        methods section lists them.
    adjust_for : str or iterable of str, optional
        Case attributes of ``evidence`` (kept with ``case_cols=``) to adjust the friction
        verdicts and attributable failures for (:meth:`EventLog.friction`); the
        friction section, the journey map's colours and the methods section say so.
    branch_threshold : float or None, default 0.5
        The funnel's branch threshold (:meth:`EventLog.funnel`): a stage passed by fewer
        than this share of the journeys going further is shown as a branch.

    Returns
    -------
    Report
        ``.save(path)`` writes the page; ``.html`` is the text; ``.tables`` the data.

    Raises
    ------
    InputTypeError
        An argument of the wrong type.
    ValidationError
        A bad ``min_group_size``; ``outcome_markers`` or ``adjust_for`` without
        ``evidence``, or an ``adjust_for`` attribute that cannot be adjusted for (see
        :meth:`EventLog.friction`).
    UnknownReferenceError
        ``outcome_markers`` naming a touchpoint the log does not have, or ``adjust_for``
        naming a column that is not a case attribute of it.
    OptionalDependencyError
        Jinja2 (the ``report`` extra) is not installed.

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.report import report
    >>> journey = fk.datasets.load_autoparts()
    >>> plan = fk.optimise_portfolio(journey, budget=60_000)
    >>> r = report(journey, plan=plan, figures=False)
    >>> r  # doctest: +ELLIPSIS
    Report('Autoparts B2B supplier: journey report', 4 sections, 7 tables, 0 figures, ... KiB)
    >>> [s for s, _ in r.sections]
    ['journey', 'ranking', 'plan', 'methods']
    >>> "Guided selling with at most three options per need" in r.html
    True
    """
    if isinstance(journey, Ranking) and isinstance(journey.source, Journey):
        # a ranking of a journey stands for both (given twice, they must agree)
        if ranking is not None and ranking is not journey:
            raise ValidationError(
                "two different rankings were given: as journey and as ranking=",
                field="ranking",
                hint="Pass report(journey, ranking=ranking, ...) or report(ranking, ...)",
            )
        ranking = journey
        journey = ranking.source
    if not isinstance(journey, Journey):
        raise InputTypeError(
            f"journey must be a Journey, got {type(journey).__name__}",
            field="journey",
            value=type(journey).__name__,
            hint="Load one with frictionkit.load_journey(path)",
        )
    _check_type(evidence, EventLog, "evidence", "Read one with frictionkit.read_events(...)")
    _check_type(feedback, Feedback, "feedback", "Build one with frictionkit.Feedback.from_frame")
    _check_type(ranking, Ranking, "ranking", "Build one with frictionkit.prioritise(journey)")
    _check_type(plan, Plan, "plan", "Build one with frictionkit.optimise_portfolio(journey)")
    _check_type(roadmap, pd.DataFrame, "roadmap", "Build one with frictionkit.roadmap.roadmap")
    if title is not None and not isinstance(title, str):
        raise InputTypeError(
            f"title must be text, got {type(title).__name__}", field="title", value=title
        )
    if roadmap is not None and plan is None:
        raise ValidationError(
            "a roadmap needs its plan", field="roadmap", hint="Pass plan= as well"
        )
    size = check_min_group_size(min_group_size)
    markers = _names(outcome_markers, "outcome_markers", evidence)
    adjusted = _names(adjust_for, "adjust_for", evidence)
    env = _env()  # fails early, with the install line, when Jinja2 is missing
    from markupsafe import Markup

    figs = _Figures(bool(figures), size)
    notes: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    sections: list[dict[str, Any]] = []

    friction_full: pd.DataFrame | None = None
    evidence_sections: list[dict[str, Any]] = []
    if evidence is not None:
        sec, tabs = _routes_section(
            evidence, journey, size, figs, branch_threshold=branch_threshold
        )
        evidence_sections.append(sec)
        tables.update(tabs)
        try:
            sec, tabs, friction_full = _friction_section(
                evidence, journey, size, figs, outcome_markers=markers, adjust_for=adjusted
            )
        except ValidationError as err:
            if err.field in ("outcome_markers", "adjust_for"):
                raise  # the caller's argument, not the data
            notes.append(f"Friction was not measured: {err}")
        else:
            evidence_sections.append(sec)
            tables.update(tabs)
    sec, frame = _journey_section(
        journey,
        evidence,
        feedback,
        friction_full,
        figs,
        outcome_markers=markers,
        adjust_for=adjusted,
    )
    sections.append(sec)
    tables["journey"] = frame
    sections.extend(evidence_sections)
    if feedback is not None:
        sec, tabs = _feedback_section(feedback, journey, size, comments=bool(show_comments))
        sections.append(sec)
        tables.update(tabs)
    ranking_given = ranking is not None
    if ranking is None and journey.improvements:
        from frictionkit.scoring import prioritise

        ranking = prioritise(journey)
    if ranking is not None:
        sec, tabs = _ranking_section(ranking, journey, figs)
        sections.append(sec)
        tables.update(tabs)
    if plan is not None:
        sec, tabs = _plan_section(plan, journey, roadmap, figs, notes, ranking)
        sections.append(sec)
        tables.update(tabs)
    sections.append(
        _methods_section(
            journey=journey,
            log=evidence,
            feedback=feedback,
            ranking=ranking,
            ranking_given=ranking_given,
            plan=plan,
            roadmap_given=roadmap is not None,
            min_group_size=size,
            figs=figs,
            notes=notes,
            show_comments=bool(show_comments),
            outcome_markers=markers,
            adjust_for=adjusted,
            branch_threshold=branch_threshold,
        )
    )
    cards = _cards(journey, evidence, ranking, plan)
    page_title = title if title is not None else f"{journey.name or 'Journey'}: journey report"
    css = _template_source("report.css")
    html_text = env.get_template("report.html.j2").render(
        title=page_title,
        subtitle=_subtitle(journey, evidence, feedback),
        version=__version__,
        css=Markup(css),
        cards=cards,
        sections=sections,
    )
    return Report(
        title=page_title,
        html=html_text,
        sections=tuple((s["id"], s["title"]) for s in sections),
        tables=tables,
        figures=tuple(figs.drawn),
        notes=tuple(notes),
        min_group_size=size,
    )


def _names(value: Iterable[str] | str | None, field: str, evidence: Any) -> tuple[str, ...]:
    """The names given to ``outcome_markers`` / ``adjust_for``, refused without a log.

    The friction table checks the names themselves (did-you-mean).
    """
    if value is None:
        return ()
    names = (value,) if isinstance(value, str) else tuple(value)
    if names and evidence is None:
        raise ValidationError(
            f"{field} applies to the friction of an event log, and no evidence was given",
            field=field,
            value=list(names),
            hint="Pass the event log as evidence=, or leave it out",
        )
    return names


def _subtitle(journey: Journey, log: EventLog | None, feedback: Feedback | None) -> str:
    parts = [f"Journey map “{journey.name or '(unnamed)'}”"]
    if log is not None:
        parts.append(f"{log.n_journeys:,} journeys of evidence")
    if feedback is not None:
        parts.append(f"{feedback.n_answers:,} survey answers")
    return " · ".join(parts)


def _cards(
    journey: Journey, log: EventLog | None, ranking: Ranking | None, plan: Plan | None
) -> list[dict[str, str]]:
    cards = [
        {
            "value": f"{len(journey.touchpoints)}",
            "label": f"touchpoints in {len(journey.stages)} stages",
        },
        {"value": f"{len(journey.pain_points)}", "label": "pain points"},
    ]
    if log is not None:
        oc = log.outcome_counts
        decided = oc["success"] + oc["failure"]
        cards.append({"value": f"{log.n_journeys:,}", "label": "journeys observed"})
        cards.append(
            {
                "value": _cell(oc["success"] / decided if decided else math.nan, "pct"),
                "label": "of decided journeys succeed",
            }
        )
    if ranking is not None:
        wins = int((ranking.table["quadrant"] == QUICK_WIN).sum())
        cards.append(
            {
                "value": f"{wins}",
                "label": f"quick win{'' if wins == 1 else 's'} of {len(ranking)}",
            }
        )
    if plan is not None:
        cards.append({"value": f"{plan.value:,.0f}", "label": "value of the plan per year"})
        cards.append(
            {
                "value": f"{plan.cost:,.0f}",
                "label": "cost of the plan"
                + ("" if plan.budget is None else f" (budget {plan.budget:,.0f})"),
            }
        )
    return cards
