"""The scoring methods, each declared once: :data:`SCORING` (private module).

An entry holds a method's name, its label in plain words, the formula text of the
module documentation's table (reStructuredText, as :mod:`frictionkit.scoring` shows it),
its source, what it reads, its direction, what it refuses (a divisor that is 0, a
criterion that is not positive, a method-specific check) and its per-draw kernel and
breakdown (:mod:`frictionkit.scoring._kernels`). :func:`~frictionkit.scoring.prioritise`
scores and explains one draw through it; :func:`~frictionkit.uncertainty.rank_risk`,
:func:`~frictionkit.uncertainty.smaa` and the report's methods section read it too.
Adding a method means one entry here with its kernel and breakdown; nothing else names a
method.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TypeAlias

import attrs
import numpy as np

from frictionkit._protocol import plural
from frictionkit.exceptions import ValidationError, _short
from frictionkit.scoring import _kernels
from frictionkit.scoring._kernels import Breakdown, Draws, FloatArray, Kernel

#: A method-specific check of one draw before scoring: ``(draw, ids)``; raises
#: :class:`~frictionkit.exceptions.ValidationError`.
Check: TypeAlias = Callable[[Draws, Sequence[str]], None]

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
    divisor_option : str or None
        The option of ``prioritise`` that, when it names a column, gives the divisor in
        place of ``divides_by``, which the score then does not read (CD3's
        ``duration_col``). ``prioritise`` refuses a zero ``divides_by`` even then;
        :func:`~frictionkit.uncertainty.rank_risk` does not.
    higher_is_better : bool
        Direction of the score (every method: higher is better).
    regret_breakdown : bool
        True when the ``contrib_*`` breakdown is a weighted regret (smaller is better)
        rather than a contribution (larger is better).
    positive_criteria : bool
        True when every criterion must be ``> 0`` (the weighted product takes logs).
    check : callable or None
        A further check of one draw before scoring, ``check(draw, ids)``, raising
        :class:`~frictionkit.exceptions.ValidationError` (CD3's duration, VIKOR's ``v``).
    kernel : callable
        The per-draw kernel: :class:`~frictionkit.scoring._kernels.Draws` in, scores
        ``(draws, n)`` out.
    breakdown : callable
        The per-draw breakdown: :class:`~frictionkit.scoring._kernels.Draws` in, the
        ``contrib_*`` columns of a Ranking out, ``{name: (draws, n)}``.
    """

    name: str
    label: str
    formula: str
    source: str
    reads: tuple[str, ...]
    mcda: bool = False
    divides_by: str | None = None
    divisor_option: str | None = None
    higher_is_better: bool = True
    regret_breakdown: bool = False
    positive_criteria: bool = False
    check: Check | None = attrs.field(default=None, repr=False)
    kernel: Kernel = attrs.field(repr=False)
    breakdown: Breakdown = attrs.field(repr=False)

    def formula_text(self) -> str:
        """The formula as plain text (reStructuredText roles and literals removed)."""
        text = re.sub(r":\w+:`~?([^`]+)`", r"\1", self.formula)
        return text.replace("``", "")


# ---------------------------------------------------------------------------------------
# checks (shared by prioritise and the entries)


def refuse_zero(values: FloatArray, ids: Sequence[str], what: str, method: str) -> None:
    """Refuse a divisor ``<= 0``, naming the improvements (``ValidationError``)."""
    zero = np.flatnonzero(values <= 0)
    if zero.size:
        shown = ", ".join(_short(ids[int(k)]) for k in zero[:10]) + (
            " ..." if zero.size > 10 else ""
        )
        raise ValidationError(
            f"method {_short(method)} divides by {what}, which is 0 for "
            f"{plural(int(zero.size), 'improvement')}: {shown}",
            field=what,
            value=[ids[int(k)] for k in zero],
            hint=f"Give them a positive {what}, or use an MCDA method such as 'weighted_sum'",
        )


def _check_cd3_weeks(d: Draws, ids: Sequence[str]) -> None:
    # a subnormal effort can underflow to 0 weeks in effort_days / 5
    refuse_zero(_kernels.cd3_weeks(d).ravel(), ids, "duration_weeks", "cd3")


def _check_vikor_v(d: Draws, ids: Sequence[str]) -> None:
    v = d.vikor_v
    if not 0.0 <= v <= 1.0:
        raise ValidationError(
            f"v must be between 0 and 1, got {_short(v)}",
            field="v",
            value=v,
            hint="0.5 balances group utility and individual regret",
        )


# ---------------------------------------------------------------------------------------
# the registry

_ENTRIES = (
    ScoringMethod(
        name="value_per_cost",
        label="value per cost",
        formula="``impact / cost``",
        source="the benefit-cost ratio",
        reads=("impact", "cost"),
        divides_by="cost",
        kernel=_kernels.value_per_cost,
        breakdown=_kernels.per_cost_breakdown,
    ),
    ScoringMethod(
        name="roi",
        label="ROI",
        formula="``(impact - cost) / cost`` (first-year ROI when impact is per year)",
        source="return on investment",
        reads=("impact", "cost"),
        divides_by="cost",
        kernel=_kernels.roi,
        breakdown=_kernels.per_cost_breakdown,
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
        breakdown=_kernels.rice_breakdown,
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
        breakdown=_kernels.ice_breakdown,
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
        breakdown=_kernels.wsjf_breakdown,
    ),
    ScoringMethod(
        name="cd3",
        label="CD3",
        formula="``(impact / 52) / duration_weeks``: impact per year as cost of delay per "
        "week; ``duration_weeks`` from ``duration_col`` or ``effort_days / 5``",
        source="J. Arnold, Black Swan Farming; D. Reinertsen (2009)",
        reads=("impact", "duration_weeks", "effort_days"),
        divides_by="effort_days",
        divisor_option="duration_col",
        check=_check_cd3_weeks,
        kernel=_kernels.cd3,
        breakdown=_kernels.cd3_breakdown,
    ),
    ScoringMethod(
        name="weighted_sum",
        label="weighted sum",
        formula=":func:`frictionkit.mcda.weighted_sum` (min-max normalisation)",
        source="simple additive weighting (Fishburn, 1967; Triantaphyllou, 2000, ch. 2)",
        reads=("criteria",),
        mcda=True,
        kernel=_kernels.weighted_sum,
        breakdown=_kernels.weighted_sum_breakdown,
    ),
    ScoringMethod(
        name="weighted_product",
        label="weighted product",
        formula=":func:`frictionkit.mcda.weighted_product` (all criteria ``> 0``)",
        source="Bridgman (1922); Miller and Starr (1969); Triantaphyllou (2000), 2.2.2",
        reads=("criteria",),
        mcda=True,
        positive_criteria=True,
        kernel=_kernels.weighted_product,
        breakdown=_kernels.weighted_product_breakdown,
    ),
    ScoringMethod(
        name="topsis",
        label="TOPSIS closeness",
        formula=":func:`frictionkit.mcda.topsis` closeness",
        source="Hwang and Yoon (1981)",
        reads=("criteria",),
        mcda=True,
        kernel=_kernels.topsis,
        breakdown=_kernels.topsis_breakdown,
    ),
    ScoringMethod(
        name="vikor",
        label="VIKOR (1 - Q)",
        formula="``1 - Q`` of :func:`frictionkit.mcda.vikor` (``v = vikor_v``)",
        source="Opricovic (1998); Opricovic and Tzeng (2004)",
        reads=("criteria",),
        mcda=True,
        regret_breakdown=True,
        check=_check_vikor_v,
        kernel=_kernels.vikor,
        breakdown=_kernels.vikor_breakdown,
    ),
    ScoringMethod(
        name="promethee",
        label="PROMETHEE II net flow",
        formula=":func:`frictionkit.mcda.promethee_ii` net flow (usual criterion)",
        source="Brans and Vincke (1985)",
        reads=("criteria",),
        mcda=True,
        kernel=_kernels.promethee,
        breakdown=_kernels.promethee_breakdown,
    ),
)

_BY_NAME: dict[str, ScoringMethod] = {m.name: m for m in _ENTRIES}
#: Every scoring method by name, in the order of the documentation's table. A read-only
#: view: the library looks methods up here at call time, never in a copy.
SCORING: Mapping[str, ScoringMethod] = MappingProxyType(_BY_NAME)
#: Every method :func:`prioritise` accepts.
METHODS: tuple[str, ...] = tuple(SCORING)
#: The methods that combine several criteria with weights.
MCDA_METHODS: tuple[str, ...] = tuple(m.name for m in _ENTRIES if m.mcda)


def lookup(name: object) -> ScoringMethod | None:
    """The entry of ``name`` in :data:`SCORING`, None when there is none (any type)."""
    return SCORING.get(name) if isinstance(name, str) else None


def mcda_methods() -> list[str]:
    """The methods of :data:`SCORING` that combine weighted criteria, as they stand now."""
    return [name for name, spec in SCORING.items() if spec.mcda]
