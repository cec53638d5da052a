"""frictionkit: turn a customer journey into a ranked, budgeted list of fixes.

Map the journey (stages, touchpoints, channels, personas, pain points, owners), measure
it from evidence, and prioritise improvements on impact, effort and cost with objective
criteria, inside budget and staff.

Examples
--------
>>> import frictionkit as fk
>>> journey = fk.datasets.load_autoparts()
>>> len(journey.improvements)
12
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from frictionkit._compat import __version__
from frictionkit._resources import get_options, set_options
from frictionkit.exceptions import (
    AHPInconsistencyWarning,
    CycleError,
    DataError,
    DroppedRowsWarning,
    DuplicateIdError,
    FileAccessError,
    FrictionkitError,
    FrictionkitWarning,
    IdentityConflictWarning,
    InfeasibleError,
    InputTypeError,
    LongJourneyWarning,
    MemoryBudgetError,
    MissingColumnError,
    MissingImpactWarning,
    MissingOwnerWarning,
    OptionalDependencyError,
    RepeatedTouchpointWarning,
    SchemaError,
    SMAAAcceptanceWarning,
    SuspiciousScaleWarning,
    UnknownReferenceError,
    UnlinkedAnswersWarning,
    UnmappedEvidenceWarning,
    ValidationError,
    WeightsNormalisedWarning,
)

if _typing.TYPE_CHECKING:
    from frictionkit import (
        datasets,
        feedback,
        frameworks,
        friction,
        io,
        journey_map,
        mcda,
        omnichannel,
        plot,
        portfolio,
        privacy,
        ranking,
        report,
        roadmap,
        scoring,
        uncertainty,
        weights,
    )
    from frictionkit.estimates import TSHIRT_DAYS, Estimate
    from frictionkit.events import EventLog, read_events
    from frictionkit.feedback import Feedback, MetricResult
    from frictionkit.io import (
        load_journey,
        read_workbook,
        save_journey,
        write_workbook,
    )
    from frictionkit.journey_map import accept_pain_points, derive_pain_points
    from frictionkit.markov import MarkovModel, RepairEffect
    from frictionkit.model import (
        STANDARD_STAGES,
        Improvement,
        Journey,
        Owner,
        PainPoint,
        Persona,
        Stage,
        Touchpoint,
    )
    from frictionkit.portfolio import (
        BudgetStep,
        Plan,
        RobustPlan,
        frontier,
        optimise_portfolio,
        robust_portfolio,
    )
    from frictionkit.privacy import pseudonymise
    from frictionkit.ranking import MethodComparison, Ranking
    from frictionkit.report import Report
    from frictionkit.scoring import compare_methods, prioritise
    from frictionkit.uncertainty import RankRisk, SMAAResult, rank_risk, smaa

__all__ = [
    "STANDARD_STAGES",
    "TSHIRT_DAYS",
    "AHPInconsistencyWarning",
    "BudgetStep",
    "CycleError",
    "DataError",
    "DroppedRowsWarning",
    "DuplicateIdError",
    "Estimate",
    "EventLog",
    "Feedback",
    "FileAccessError",
    "FrictionkitError",
    "FrictionkitWarning",
    "IdentityConflictWarning",
    "Improvement",
    "InfeasibleError",
    "InputTypeError",
    "Journey",
    "LongJourneyWarning",
    "MarkovModel",
    "MemoryBudgetError",
    "MethodComparison",
    "MetricResult",
    "MissingColumnError",
    "MissingImpactWarning",
    "MissingOwnerWarning",
    "OptionalDependencyError",
    "Owner",
    "PainPoint",
    "Persona",
    "Plan",
    "RankRisk",
    "Ranking",
    "RepairEffect",
    "RepeatedTouchpointWarning",
    "Report",
    "RobustPlan",
    "SMAAAcceptanceWarning",
    "SMAAResult",
    "SchemaError",
    "Stage",
    "SuspiciousScaleWarning",
    "Touchpoint",
    "UnknownReferenceError",
    "UnlinkedAnswersWarning",
    "UnmappedEvidenceWarning",
    "ValidationError",
    "WeightsNormalisedWarning",
    "__version__",
    "accept_pain_points",
    "compare_methods",
    "datasets",
    "derive_pain_points",
    "feedback",
    "frameworks",
    "friction",
    "frontier",
    "get_options",
    "io",
    "journey_map",
    "load_journey",
    "mcda",
    "omnichannel",
    "optimise_portfolio",
    "plot",
    "portfolio",
    "prioritise",
    "privacy",
    "pseudonymise",
    "rank_risk",
    "ranking",
    "read_events",
    "read_workbook",
    "report",
    "roadmap",
    "robust_portfolio",
    "save_journey",
    "scoring",
    "set_options",
    "smaa",
    "uncertainty",
    "weights",
    "write_workbook",
]

# What a bare ``import frictionkit`` loads is kept small (the version, the options and the
# error tree): every other public name is imported from the module below on first use
# (PEP 562), so scipy, matplotlib, Jinja2, the engines and the simulator load only when
# a name that needs them is used. A name added to the public API goes in ``__all__``, in
# the ``TYPE_CHECKING`` block above and here; a public submodule maps to itself.
_LAZY: dict[str, str] = {
    "accept_pain_points": "frictionkit.journey_map",
    "BudgetStep": "frictionkit.portfolio",
    "compare_methods": "frictionkit.scoring",
    "datasets": "frictionkit.datasets",
    "derive_pain_points": "frictionkit.journey_map",
    "Estimate": "frictionkit.estimates",
    "EventLog": "frictionkit.events",
    "feedback": "frictionkit.feedback",
    "Feedback": "frictionkit.feedback",
    "frameworks": "frictionkit.frameworks",
    "friction": "frictionkit.friction",
    "frontier": "frictionkit.portfolio",
    "Improvement": "frictionkit.model",
    "io": "frictionkit.io",
    "Journey": "frictionkit.model",
    "journey_map": "frictionkit.journey_map",
    "load_journey": "frictionkit.io",
    "MarkovModel": "frictionkit.markov",
    "mcda": "frictionkit.mcda",
    "MethodComparison": "frictionkit.ranking",
    "MetricResult": "frictionkit.feedback",
    "omnichannel": "frictionkit.omnichannel",
    "optimise_portfolio": "frictionkit.portfolio",
    "Owner": "frictionkit.model",
    "PainPoint": "frictionkit.model",
    "Persona": "frictionkit.model",
    "Plan": "frictionkit.portfolio",
    "plot": "frictionkit.plot",
    "portfolio": "frictionkit.portfolio",
    "prioritise": "frictionkit.scoring",
    "privacy": "frictionkit.privacy",
    "pseudonymise": "frictionkit.privacy",
    "rank_risk": "frictionkit.uncertainty",
    "ranking": "frictionkit.ranking",
    "Ranking": "frictionkit.ranking",
    "RankRisk": "frictionkit.uncertainty",
    "read_events": "frictionkit.events",
    "read_workbook": "frictionkit.io",
    "RepairEffect": "frictionkit.markov",
    "report": "frictionkit.report",
    "Report": "frictionkit.report",
    "roadmap": "frictionkit.roadmap",
    "robust_portfolio": "frictionkit.portfolio",
    "RobustPlan": "frictionkit.portfolio",
    "save_journey": "frictionkit.io",
    "scoring": "frictionkit.scoring",
    "smaa": "frictionkit.uncertainty",
    "SMAAResult": "frictionkit.uncertainty",
    "Stage": "frictionkit.model",
    "STANDARD_STAGES": "frictionkit.model",
    "Touchpoint": "frictionkit.model",
    "TSHIRT_DAYS": "frictionkit.estimates",
    "uncertainty": "frictionkit.uncertainty",
    "weights": "frictionkit.weights",
    "write_workbook": "frictionkit.io",
}
# Submodules that are not in ``__all__`` but were reachable as attributes (``fk.markov``)
# because the eager imports bound them; they stay reachable.
_LAZY.update(
    {name: f"frictionkit.{name}" for name in ("estimates", "events", "markov", "model", "routes")}
)


def __getattr__(name: str) -> _typing.Any:
    """Import a public name (or public submodule) on first use, then keep it."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'frictionkit' has no attribute {name!r}")
    module = _importlib.import_module(module_name)
    value = module if module_name == f"frictionkit.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
