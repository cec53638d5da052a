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
from frictionkit._compat import __version__
from frictionkit._resources import get_options, set_options
from frictionkit.estimates import TSHIRT_DAYS, Estimate
from frictionkit.events import EventLog, read_events
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
