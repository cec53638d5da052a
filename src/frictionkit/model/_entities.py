"""The entities of a journey map: stages, touchpoints, personas, owners, pain points, improvements.

All classes are frozen, keyword-only and validated at construction. Change one with
:func:`attrs.evolve`, which validates again. They are re-exported by
:mod:`frictionkit.model`; the :class:`~frictionkit.model.Journey` that holds them is in
:mod:`frictionkit.model._journey`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from frictionkit._validate import (
    as_float,
    as_id,
    as_id_tuple,
    as_optional_text,
    check_bounds,
)
from frictionkit.estimates import Estimate, as_quantity
from frictionkit.exceptions import (
    InputTypeError,
    ValidationError,
)

__all__ = [
    "ENTITIES",
    "STANDARD_STAGES",
    "Improvement",
    "Owner",
    "PainPoint",
    "Persona",
    "Stage",
    "Touchpoint",
]


def _id_field(cls_name: str) -> Any:
    def convert(v: Any) -> str:
        return as_id(v, f"{cls_name}.id")

    return attrs.field(converter=convert)


def _text(cls_name: str, name: str) -> Any:
    # An empty display name means "no name": stored as None so tables round-trip.
    def convert(v: Any) -> str | None:
        return as_optional_text(v, f"{cls_name}.{name}") or None

    return attrs.field(default=None, converter=convert)


def _ref(cls_name: str, name: str, *, optional: bool = False) -> Any:
    def convert(v: Any) -> str:
        return as_id(v, f"{cls_name}.{name}")

    def convert_optional(v: Any) -> str | None:
        return None if v is None else as_id(v, f"{cls_name}.{name}")

    if optional:
        return attrs.field(default=None, converter=convert_optional)
    return attrs.field(converter=convert)


def _refs(cls_name: str, name: str) -> Any:
    def convert(v: Any) -> tuple[str, ...]:
        return as_id_tuple(v, f"{cls_name}.{name}")

    return attrs.field(default=(), converter=convert)


def _optional_number(
    cls_name: str, name: str, *, low: float | None = 0.0, high: float | None = None
) -> Any:
    def convert(v: Any) -> float | None:
        if v is None:
            return None
        return check_bounds(
            as_float(v, f"{cls_name}.{name}"), f"{cls_name}.{name}", low=low, high=high
        )

    return attrs.field(default=None, converter=convert)


class _Labelled:
    """Display label shared by the named entities: the name, or the id without one."""

    __slots__ = ()
    id: str
    name: str | None

    @property
    def label(self) -> str:
        """The name, or the id when there is no name."""
        return self.name or self.id


@attrs.frozen(kw_only=True)
class Stage(_Labelled):
    """A stage of the journey (discovery, consideration, purchase, …).

    Stages are ordered by their position in :attr:`Journey.stages`.

    Parameters
    ----------
    id : str
        Unique id, used by touchpoints to refer to the stage.
    name : str, optional
        Display name; defaults to the id.
    """

    id: str = _id_field("Stage")
    name: str | None = _text("Stage", "name")


#: The five stages most companies start from. Define your own when they differ.
STANDARD_STAGES: tuple[Stage, ...] = (
    Stage(id="discovery", name="Discovery"),
    Stage(id="consideration", name="Consideration"),
    Stage(id="purchase", name="Purchase"),
    Stage(id="retention", name="Retention"),
    Stage(id="recommendation", name="Recommendation"),
)


@attrs.frozen(kw_only=True)
class Touchpoint(_Labelled):
    """A place of contact between the customer and the company.

    Parameters
    ----------
    id : str
        Unique id; event logs name touchpoints by it.
    stage : str
        Id of the :class:`Stage` it belongs to.
    channel : str
        Free text: web, email, social, mobile, store, phone, sales, delivery, support…
    owner : str, optional
        Id of the :class:`Owner` (team or person) responsible for it.
    name : str, optional
        Display name.
    online : bool, optional
        Whether the contact happens online; ``None`` when not stated.
    """

    id: str = _id_field("Touchpoint")
    stage: str = _ref("Touchpoint", "stage")
    channel: str = _ref("Touchpoint", "channel")
    owner: str | None = _ref("Touchpoint", "owner", optional=True)
    name: str | None = _text("Touchpoint", "name")
    online: bool | None = attrs.field(default=None)

    @online.validator
    def _check_online(self, _: Any, value: Any) -> None:
        if value is not None and not isinstance(value, bool):
            raise InputTypeError(
                f"Touchpoint.online must be true, false or empty, got {value!r}",
                field="Touchpoint.online",
                value=value,
            )


@attrs.frozen(kw_only=True)
class Persona(_Labelled):
    """A customer profile (segment) built from data.

    Parameters
    ----------
    id : str
        Unique id.
    name : str, optional
        Display name.
    share : float, optional
        Share of customers (0–1). The shares of a journey's personas add up to at most 1.
    value_per_customer : float, optional
        Value one customer of this profile brings (currency units, >= 0).
    """

    id: str = _id_field("Persona")
    name: str | None = _text("Persona", "name")
    share: float | None = _optional_number("Persona", "share", low=0.0, high=1.0)
    value_per_customer: float | None = _optional_number("Persona", "value_per_customer")


@attrs.frozen(kw_only=True)
class Owner(_Labelled):
    """The team or person responsible for touchpoints and improvements.

    Parameters
    ----------
    id : str
        Unique id.
    name : str, optional
        Display name.
    capacity_days : float, optional
        Person-days this owner can give to improvements in the planning period (>= 0).
    """

    id: str = _id_field("Owner")
    name: str | None = _text("Owner", "name")
    capacity_days: float | None = _optional_number("Owner", "capacity_days")


def _severity(value: Any) -> int:
    field = "PainPoint.severity"
    hint = "1 is a minor annoyance, 5 stops the customer"
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or (isinstance(value, numbers.Integral) and abs(int(value)) > 10**9)  # no overflow
        or not math.isfinite(float(value))
        or float(value) != int(float(value))
    ):
        raise ValidationError(
            f"{field} must be a whole number from 1 to 5, got {value!r}",
            field=field,
            value=value,
            hint=hint,
        )
    return int(check_bounds(int(float(value)), field, low=1, high=5, hint=hint))


def _evidence(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InputTypeError(
            f"PainPoint.evidence must be a list of texts, got {value!r}",
            field="PainPoint.evidence",
            value=value,
        )
    out = []
    for i, item in enumerate(value):
        text = (as_optional_text(item, f"PainPoint.evidence[{i}]") or "").strip()
        if not text:
            raise ValidationError(
                f"PainPoint.evidence[{i}] is empty", field="PainPoint.evidence", value=item
            )
        out.append(text)
    return tuple(out)


def _description(value: Any) -> str:
    return as_optional_text(value, "PainPoint.description") or ""


@attrs.frozen(kw_only=True)
class PainPoint:
    """Friction at a touchpoint: what makes that step hard or unpleasant.

    Parameters
    ----------
    id : str
        Unique id.
    touchpoint : str
        Id of the :class:`Touchpoint` where the friction happens.
    description : str, default ""
        What the customer meets.
    severity : int, default 1
        1 (minor annoyance) to 5 (stops the customer).
    reach : float, optional
        Share (0–1) of journeys through the touchpoint that hit this friction.
    personas : tuple of str, default ()
        Ids of the personas affected (empty: all).
    evidence : tuple of str, default ()
        Where the pain point was seen (survey, log analysis, interviews…), as short texts;
        surrounding spaces are removed.
    """

    id: str = _id_field("PainPoint")
    touchpoint: str = _ref("PainPoint", "touchpoint")
    description: str = attrs.field(default="", converter=_description)
    severity: int = attrs.field(default=1, converter=_severity)
    reach: float | None = _optional_number("PainPoint", "reach", low=0.0, high=1.0)
    personas: tuple[str, ...] = _refs("PainPoint", "personas")
    evidence: tuple[str, ...] = attrs.field(default=(), converter=_evidence)


def _quantity(name: str, *, optional: bool, high: float | None = None) -> Any:
    field = f"Improvement.{name}"

    def convert(v: Any) -> float | Estimate | None:
        if v is None:
            if optional:
                return None
            raise ValidationError(
                f"{field} is required", field=field, hint="Give a number or an Estimate"
            )
        return as_quantity(v, field, low=0.0, high=high)

    if optional:
        return attrs.field(default=None, converter=convert)
    return attrs.field(converter=convert)


def _mandatory(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputTypeError(
            f"Improvement.mandatory must be true or false, got {value!r}",
            field="Improvement.mandatory",
            value=value,
        )
    return value


def _title(value: Any) -> str:
    text = as_optional_text(value, "Improvement.title")
    if not text or not text.strip():
        raise ValidationError(
            f"Improvement.title must be a non-empty text, got {value!r}",
            field="Improvement.title",
            value=value,
            hint="Say in a few words what will be done",
        )
    return text


@attrs.frozen(kw_only=True)
class Improvement:
    """A candidate action that fixes one or more pain points.

    Numbers may be plain or an :class:`~frictionkit.Estimate`; a point estimate is
    stored as its plain number.

    Parameters
    ----------
    id : str
        Unique id.
    title : str
        What will be done, in a few words.
    owner : str
        Id of the :class:`Owner` who will carry it out. Every action has an owner.
    effort_days : float or Estimate
        Person-days of work (>= 0).
    cost : float or Estimate
        Money spent besides staff time (currency units, >= 0).
    fixes : tuple of str, default ()
        Ids of the :class:`PainPoint` objects it addresses.
    impact : float or Estimate, optional
        Declared impact (>= 0) in the unit the team scores in; used when no measured
        value at stake is available for the pain points it fixes.
    confidence : float or Estimate, optional
        Confidence in the impact figure, 0–1.
    fix_share : float or Estimate, optional
        Expected share (0–1) of the fixed pain points' measured value at stake that this
        improvement recovers. Scoring uses it when evidence puts a value on those pain
        points; when it is not given, scoring documents the default it assumes.
    requires : tuple of str, default ()
        Ids of improvements that must be done for this one to be done.
    excludes : tuple of str, default ()
        Ids of alternative improvements: at most one of each pair is done.
    mandatory : bool, default False
        Must be in every plan (legal, safety, contractual).
    """

    id: str = _id_field("Improvement")
    title: str = attrs.field(converter=_title)
    owner: str = _ref("Improvement", "owner")
    effort_days: float | Estimate = _quantity("effort_days", optional=False)
    cost: float | Estimate = _quantity("cost", optional=False)
    fixes: tuple[str, ...] = _refs("Improvement", "fixes")
    impact: float | Estimate | None = _quantity("impact", optional=True)
    confidence: float | Estimate | None = _quantity("confidence", optional=True, high=1.0)
    fix_share: float | Estimate | None = _quantity("fix_share", optional=True, high=1.0)
    requires: tuple[str, ...] = _refs("Improvement", "requires")
    excludes: tuple[str, ...] = _refs("Improvement", "excludes")
    mandatory: bool = attrs.field(default=False, converter=_mandatory)

    def __attrs_post_init__(self) -> None:
        for name in ("requires", "excludes"):
            if self.id in getattr(self, name):
                raise ValidationError(
                    f"Improvement {self.id!r} lists itself in {name}",
                    field=f"Improvement.{name}",
                    value=self.id,
                )
        both = sorted(set(self.requires) & set(self.excludes))
        if both:
            raise ValidationError(
                f"Improvement {self.id!r} both requires and excludes {both[0]!r}",
                field="Improvement.excludes",
                value=both[0],
                hint="Keep it in one list only",
            )


#: Entity kinds of a journey, in file order, with their class.
ENTITIES: Mapping[str, type[Any]] = {
    "stages": Stage,
    "touchpoints": Touchpoint,
    "personas": Persona,
    "owners": Owner,
    "pain_points": PainPoint,
    "improvements": Improvement,
}
