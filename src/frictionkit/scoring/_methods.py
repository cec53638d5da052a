"""The scoring methods, each declared once: :data:`SCORING` (private module).

An entry holds a method's name, its label in plain words, the formula text of the
module documentation's table (reStructuredText, as :mod:`frictionkit.scoring` shows it),
its source, what it reads, its direction and its per-draw kernel
(:mod:`frictionkit.scoring._kernels`). :func:`~frictionkit.scoring.prioritise`,
:func:`~frictionkit.uncertainty.rank_risk`, :func:`~frictionkit.uncertainty.smaa` and the
report's methods section read it. Adding a method means one entry here and its kernel
(and its scoring in :func:`~frictionkit.scoring.prioritise`, which also explains the
score).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from frictionkit.scoring import _kernels
from frictionkit.scoring._kernels import Kernel

#: Scores within this relative distance of the largest absolute score are tied.
_TIE_RTOL = 1e-9


@attrs.frozen(kw_only=True)
class ScoringMethod:
    """One scoring method of :func:`frictionkit.scoring.prioritise`.

    Attributes
    ----------
    name : str
        The name ``prioritise`` takes (``method=``).
    label : str
        Its name in plain words, as a Ranking shows it.
    formula : str
        The score as the table of :mod:`frictionkit.scoring` writes it
        (reStructuredText); :meth:`formula_text` gives it as plain text.
    source : str
        Where the method comes from.
    reads : tuple of str
        The improvement columns the score reads; ``("criteria",)`` for the MCDA methods,
        which read the chosen criteria with their weights.
    mcda : bool
        True when the method combines weighted criteria (``weights`` and ``criteria``
        apply).
    divides_by : str or None
        The column the score divides by (``"cost"`` or ``"effort_days"``), which must be
        positive.
    higher_is_better : bool
        Direction of the score (every method: higher is better).
    regret_breakdown : bool
        True when the ``contrib_*`` breakdown is a weighted regret (smaller is better)
        rather than a contribution (larger is better).
    kernel : callable
        The per-draw kernel: :class:`~frictionkit.scoring._kernels.Draws` in, scores
        ``(draws, n)`` out.
    """

    name: str
    label: str
    formula: str
    source: str
    reads: tuple[str, ...]
    mcda: bool = False
    divides_by: str | None = None
    higher_is_better: bool = True
    regret_breakdown: bool = False
    kernel: Kernel = attrs.field(repr=False)

    def formula_text(self) -> str:
        """The formula as plain text (reStructuredText roles and literals removed)."""
        text = re.sub(r":\w+:`~?([^`]+)`", r"\1", self.formula)
        return text.replace("``", "")


_ENTRIES = (
    ScoringMethod(
        name="value_per_cost",
        label="value per cost",
        formula="``impact / cost``",
        source="the benefit-cost ratio",
        reads=("impact", "cost"),
        divides_by="cost",
        kernel=_kernels.value_per_cost,
    ),
    ScoringMethod(
        name="roi",
        label="ROI",
        formula="``(impact - cost) / cost`` (first-year ROI when impact is per year)",
        source="return on investment",
        reads=("impact", "cost"),
        divides_by="cost",
        kernel=_kernels.roi,
    ),
    ScoringMethod(
        name="rice",
        label="RICE",
        formula="``reach * impact * confidence / effort_days``; reach from ``reach_col`` "
        "(DataFrame; 1 when not given) or, for a Journey, the sum of the fixed pain points' "
        "``reach`` (a pain point without reach counts 0)",
        source="S. McBride, 'RICE: Simple prioritization for product managers', Intercom "
        "blog (2016)",
        reads=("reach", "impact", "confidence", "effort_days"),
        divides_by="effort_days",
        kernel=_kernels.rice,
    ),
    ScoringMethod(
        name="ice",
        label="ICE",
        formula='``I * C * E`` (or their average, ``ice_variant="average"``) with '
        "``I = 10 * impact / max(impact)``, ``C = 10 * confidence``, "
        "``E = 10 * min(effort_days) / effort_days`` (all on Ellis's 0-10 scale)",
        source="S. Ellis and M. Brown, Hacking Growth (2017)",
        reads=("impact", "confidence", "effort_days"),
        divides_by="effort_days",
        kernel=_kernels.ice,
    ),
    ScoringMethod(
        name="wsjf",
        label="WSJF",
        formula="``(impact + time_criticality + risk_reduction) / effort_days``; the two "
        "middle terms from ``time_criticality_col`` / ``risk_reduction_col`` (0 when not "
        "given), job size = ``effort_days``",
        source="Scaled Agile Framework, 'WSJF'; D. Reinertsen, The Principles of Product "
        "Development Flow (2009), ch. 7",
        reads=("impact", "time_criticality", "risk_reduction", "effort_days"),
        divides_by="effort_days",
        kernel=_kernels.wsjf,
    ),
    ScoringMethod(
        name="cd3",
        label="CD3",
        formula="``(impact / 52) / duration_weeks``: impact per year as cost of delay per "
        "week; ``duration_weeks`` from ``duration_col`` or ``effort_days / 5``",
        source="J. Arnold, Black Swan Farming; D. Reinertsen (2009)",
        reads=("impact", "duration_weeks", "effort_days"),
        divides_by="effort_days",
        kernel=_kernels.cd3,
    ),
    ScoringMethod(
        name="weighted_sum",
        label="weighted sum",
        formula=":func:`frictionkit.mcda.weighted_sum` (min-max normalisation)",
        source="simple additive weighting (Fishburn, 1967; Triantaphyllou, 2000, ch. 2)",
        reads=("criteria",),
        mcda=True,
        kernel=_kernels.weighted_sum,
    ),
    ScoringMethod(
        name="weighted_product",
        label="weighted product",
        formula=":func:`frictionkit.mcda.weighted_product` (all criteria ``> 0``)",
        source="Bridgman (1922); Miller and Starr (1969); Triantaphyllou (2000), 2.2.2",
        reads=("criteria",),
        mcda=True,
        kernel=_kernels.weighted_product,
    ),
    ScoringMethod(
        name="topsis",
        label="TOPSIS closeness",
        formula=":func:`frictionkit.mcda.topsis` closeness",
        source="Hwang and Yoon (1981)",
        reads=("criteria",),
        mcda=True,
        kernel=_kernels.topsis,
    ),
    ScoringMethod(
        name="vikor",
        label="VIKOR (1 - Q)",
        formula="``1 - Q`` of :func:`frictionkit.mcda.vikor` (``v = vikor_v``)",
        source="Opricovic (1998); Opricovic and Tzeng (2004)",
        reads=("criteria",),
        mcda=True,
        regret_breakdown=True,
        kernel=_kernels.vikor,
    ),
    ScoringMethod(
        name="promethee",
        label="PROMETHEE II net flow",
        formula=":func:`frictionkit.mcda.promethee_ii` net flow (usual criterion)",
        source="Brans and Vincke (1985)",
        reads=("criteria",),
        mcda=True,
        kernel=_kernels.promethee,
    ),
)

#: Every scoring method by name, in the order of the documentation's table.
SCORING: Mapping[str, ScoringMethod] = MappingProxyType({m.name: m for m in _ENTRIES})
#: Every method :func:`prioritise` accepts.
METHODS: tuple[str, ...] = tuple(SCORING)
#: The methods that combine several criteria with weights.
MCDA_METHODS: tuple[str, ...] = tuple(m.name for m in _ENTRIES if m.mcda)
