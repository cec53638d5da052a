"""The :class:`Journey`: a journey map's entities, checked together.

The entities are in :mod:`frictionkit.model._entities`, frame conversion in
:mod:`frictionkit.model._frames`. A :class:`Journey` checks that every
reference resolves (a pain point's touchpoint, an improvement's fixes, owner, requires
and excludes), that ids are unique, that ``requires`` has no cycle and that no
improvement both needs and excludes another.

Examples
--------
>>> import frictionkit as fk
>>> j = fk.Journey(
...     stages=fk.STANDARD_STAGES,
...     touchpoints=[fk.Touchpoint(id="website", stage="discovery", channel="web")],
... )
>>> j.touchpoint("website").stage
'discovery'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from frictionkit._protocol import Result, plural
from frictionkit.estimates import Estimate
from frictionkit.exceptions import (
    CycleError,
    DuplicateIdError,
    FrictionkitError,
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.model._entities import (
    ENTITIES,
    Improvement,
    Owner,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
    _text,
)
from frictionkit.model._frames import _entities_from_frames, journey_to_frames
from frictionkit.model._graph import _find_cycle, _reach

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["PERIODS", "Journey", "journey_from_frames", "require_journey"]


def require_journey(obj: Any, what: str) -> Journey:
    """Return ``obj`` if it is a :class:`Journey`, else raise naming the caller ``what``."""
    if not isinstance(obj, Journey):
        raise InputTypeError(
            f"{what} needs a Journey, got {type(obj).__name__}",
            field="journey",
            value=type(obj).__name__,
            hint="Load one with frictionkit.load_journey(path) or build frictionkit.Journey(...)",
        )
    return obj


#: The periods that money can be counted per, with their length in days (a year is
#: 365.25 days, the mean of the Gregorian calendar's leap cycle, so that a log of four
#: calendar years spans four years).
PERIODS: Mapping[str, float] = {
    "year": 365.25,
    "quarter": 365.25 / 4,
    "month": 365.25 / 12,
    "week": 7.0,
    "day": 1.0,
}


def _period(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.strip().lower() not in PERIODS:
        text = value if isinstance(value, str) else type(value).__name__
        raise ValidationError(
            f"Journey.period must be one of {list(PERIODS)}, got {text!r}"
            + (did_you_mean(value, list(PERIODS)) if isinstance(value, str) else ""),
            field="Journey.period",
            value=value,
            hint="Values at stake are money per period, e.g. period='year'",
        )
    return value.strip().lower()


def _currency(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputTypeError(
            f"Journey.currency must be text such as 'EUR' or '€', got {type(value).__name__}",
            field="Journey.currency",
            value=value,
        )
    text = value.strip()
    if not text:
        return None
    if len(text) > 8 or any(ch.isspace() or ch.isdigit() for ch in text):
        raise ValidationError(
            f"Journey.currency must be a short code or symbol such as 'EUR' or '€', got {value!r}",
            field="Journey.currency",
            value=value,
            hint="Use an ISO 4217 code (EUR, USD, GBP) or a symbol",
        )
    return text


_T = TypeVar("_T", Stage, Touchpoint, Persona, Owner, PainPoint, Improvement)


def _entities(kind: type[_T], name: str) -> Any:
    def convert(value: Any) -> tuple[_T, ...]:
        if value is None:
            return ()
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
            raise InputTypeError(
                f"Journey.{name} must be a list of {kind.__name__} objects, got "
                f"{type(value).__name__}",
                field=f"Journey.{name}",
                value=value,
            )
        items = tuple(value)
        for i, item in enumerate(items):
            if not isinstance(item, kind):
                raise InputTypeError(
                    f"Journey.{name}[{i}] must be a {kind.__name__}, got {type(item).__name__}",
                    field=f"Journey.{name}",
                    value=item,
                    hint=f"Build it with frictionkit.{kind.__name__}(...) or load a journey "
                    "file with frictionkit.load_journey",
                )
        return items

    return attrs.field(default=(), converter=convert)


@attrs.frozen(kw_only=True, repr=False)
class Journey(Result):
    """A customer journey map with its pain points and candidate improvements.

    Parameters
    ----------
    stages : sequence of Stage
        In journey order. At least one.
    touchpoints : sequence of Touchpoint
        At least one; each refers to a stage.
    personas, owners, pain_points, improvements : sequence, optional
        The other entities.
    name : str, optional
        A title for the journey.
    currency : str, optional
        The currency of every amount of money in the journey and its results (values at
        stake, impacts, costs), as shown on tables and charts: an ISO 4217 code such as
        ``"EUR"`` or a symbol such as ``"€"``.
    period : {"year", "quarter", "month", "week", "day"}, optional
        The period that values at stake and impacts are counted per (money per period);
        analyses that take ``per=`` use it when ``per`` is not given, and ``"year"``
        when neither says.

    Raises
    ------
    UnknownReferenceError
        A reference names no known object (the message suggests the closest id).
    DuplicateIdError
        Two objects of one kind share an id.
    CycleError
        ``requires`` forms a cycle (the message shows it).
    ValidationError
        Another inconsistency, e.g. an empty journey, persona shares above 1, an
        improvement that needs one it excludes.

    When several problems are found, the first is raised and the others are listed in
    its message and in its ``problems`` attribute.

    Examples
    --------
    >>> import frictionkit as fk
    >>> j = fk.datasets.load_autoparts()
    >>> j
    Journey('Autoparts B2B supplier', 5 stages, 15 touchpoints, 3 personas, 5 owners, 8 pain points, 12 improvements)
    >>> j.stage_of("parts_website")
    'discovery'
    """  # noqa: E501

    stages: tuple[Stage, ...] = _entities(Stage, "stages")
    touchpoints: tuple[Touchpoint, ...] = _entities(Touchpoint, "touchpoints")
    personas: tuple[Persona, ...] = _entities(Persona, "personas")
    owners: tuple[Owner, ...] = _entities(Owner, "owners")
    pain_points: tuple[PainPoint, ...] = _entities(PainPoint, "pain_points")
    improvements: tuple[Improvement, ...] = _entities(Improvement, "improvements")
    name: str | None = _text("Journey", "name")
    currency: str | None = attrs.field(default=None, converter=_currency)
    period: str | None = attrs.field(default=None, converter=_period)
    _index: Mapping[str, Mapping[str, Any]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    _KINDS: ClassVar[tuple[str, ...]] = tuple(ENTITIES)
    _charts: ClassVar[Mapping[str, str]] = {"map": "journey_map", "journey_map": "journey_map"}

    def __attrs_post_init__(self) -> None:
        problems: list[FrictionkitError] = []
        if not self.stages or not self.touchpoints:
            missing = "stages" if not self.stages else "touchpoints"
            raise ValidationError(
                f"a journey needs at least one stage and one touchpoint; {missing} is empty",
                field=f"Journey.{missing}",
                hint="Start from frictionkit.STANDARD_STAGES and add the touchpoints where "
                "customers meet you",
            )
        index: dict[str, dict[str, Any]] = {}
        for kind in self._KINDS:
            seen: dict[str, Any] = {}
            for item in getattr(self, kind):
                if item.id in seen:
                    problems.append(
                        DuplicateIdError(
                            f"two {kind} share the id {item.id!r}",
                            field=f"Journey.{kind}",
                            value=item.id,
                            hint="Give each one its own id",
                        )
                    )
                seen[item.id] = item
            index[kind] = seen
        object.__setattr__(self, "_index", index)

        def check(kind: str, ref: str | None, field: str, owner_id: str) -> None:
            if ref is None or ref in index[kind]:
                return
            known = list(index[kind])
            listed = ", ".join(map(repr, known[:12])) + (" …" if len(known) > 12 else "")
            problems.append(
                UnknownReferenceError(
                    f"{field} of {owner_id!r} refers to unknown {kind[:-1].replace('_', ' ')} "
                    f"{ref!r}" + did_you_mean(ref, known),
                    field=field,
                    value=ref,
                    hint=f"Known: {listed}" if known else f"The journey has no {kind} yet",
                )
            )

        for tp in self.touchpoints:
            check("stages", tp.stage, "Touchpoint.stage", tp.id)
            check("owners", tp.owner, "Touchpoint.owner", tp.id)
        for pp in self.pain_points:
            check("touchpoints", pp.touchpoint, "PainPoint.touchpoint", pp.id)
            for persona in pp.personas:
                check("personas", persona, "PainPoint.personas", pp.id)
        for imp in self.improvements:
            check("owners", imp.owner, "Improvement.owner", imp.id)
            for pp_id in imp.fixes:
                check("pain_points", pp_id, "Improvement.fixes", imp.id)
            for other in imp.requires:
                check("improvements", other, "Improvement.requires", imp.id)
            for other in imp.excludes:
                check("improvements", other, "Improvement.excludes", imp.id)

        shares = [p.share for p in self.personas if p.share is not None]
        if shares and sum(shares) > 1 + 1e-9:
            problems.append(
                ValidationError(
                    f"persona shares add up to {sum(shares):.4g}, more than 1",
                    field="Persona.share",
                    value=sum(shares),
                    hint="Shares are fractions of all customers; make them add up to 1 or less",
                )
            )
        if not problems:
            problems.extend(self._dependency_problems())
        if problems:
            raise problems[0].with_problems(problems[1:])

    def _dependency_problems(self) -> list[FrictionkitError]:
        imps = self._index["improvements"]
        problems: list[FrictionkitError] = []
        cycle = _find_cycle({i: imps[i].requires for i in imps})
        if cycle:
            path = " -> ".join(cycle)
            return [
                CycleError(
                    f"improvements require each other in a cycle: {path}",
                    cycle=tuple(cycle),
                    field="Improvement.requires",
                    value=tuple(cycle),
                    hint="Remove one of these requirements",
                )
            ]
        excl: dict[str, set[str]] = {i: set() for i in imps}
        for imp in imps.values():
            for other in imp.excludes:
                excl[imp.id].add(other)
                excl[other].add(imp.id)
        closure = {i: _reach(i, imps) for i in imps}
        for imp_id in imps:
            needed = closure[imp_id] | {imp_id}
            for a in sorted(needed):
                clash = sorted(excl[a] & needed)
                if clash:
                    problems.append(
                        ValidationError(
                            f"improvement {imp_id!r} can never be done: it needs both "
                            f"{a!r} and {clash[0]!r}, which exclude each other",
                            field="Improvement.excludes",
                            value=(a, clash[0]),
                            hint="Drop the exclusion or one of the requirements",
                        )
                    )
                    break
        mandatory = [i for i in imps if imps[i].mandatory]
        needed_all = set(mandatory).union(*(closure[i] for i in mandatory))
        for a in sorted(needed_all):
            clash = sorted(excl[a] & needed_all)
            if clash:
                problems.append(
                    ValidationError(
                        f"mandatory improvements clash: {a!r} and {clash[0]!r} exclude each "
                        "other but both must be done",
                        field="Improvement.mandatory",
                        value=(a, clash[0]),
                        hint="Make one of them optional or drop the exclusion",
                    )
                )
                break
        return problems

    # -- lookups --------------------------------------------------------------------
    def _get(self, kind: str, id: str) -> Any:
        kind = self._kind(kind)
        try:
            return self._index[kind][id]
        except (KeyError, TypeError):
            known = list(self._index[kind])
            raise UnknownReferenceError(
                f"no {_singular(kind)} with id {id!r}" + did_you_mean(str(id), known),
                field="id",
                value=id,
                hint=f"Known ids: {', '.join(map(repr, known[:12]))}"
                + (" …" if len(known) > 12 else ""),
            ) from None

    def stage(self, id: str) -> Stage:
        """The stage with this id."""
        return self._get("stages", id)  # type: ignore[no-any-return]

    def touchpoint(self, id: str) -> Touchpoint:
        """The touchpoint with this id."""
        return self._get("touchpoints", id)  # type: ignore[no-any-return]

    def persona(self, id: str) -> Persona:
        """The persona with this id."""
        return self._get("personas", id)  # type: ignore[no-any-return]

    def owner(self, id: str) -> Owner:
        """The owner with this id."""
        return self._get("owners", id)  # type: ignore[no-any-return]

    def pain_point(self, id: str) -> PainPoint:
        """The pain point with this id."""
        return self._get("pain_points", id)  # type: ignore[no-any-return]

    def improvement(self, id: str) -> Improvement:
        """The improvement with this id."""
        return self._get("improvements", id)  # type: ignore[no-any-return]

    def ids(self, kind: str) -> tuple[str, ...]:
        """Ids of one kind of entity, in journey order.

        Parameters
        ----------
        kind : {"stages", "touchpoints", "personas", "owners", "pain_points", "improvements"}
        """
        if kind not in self._index:
            raise UnknownReferenceError(
                f"unknown entity kind {kind!r}" + did_you_mean(kind, self._KINDS),
                field="kind",
                value=kind,
                hint=f"Use one of {', '.join(self._KINDS)}",
            )
        return tuple(self._index[kind])

    def stage_position(self, stage_id: str) -> int:
        """0-based position of a stage in the journey."""
        self.stage(stage_id)
        return self.ids("stages").index(stage_id)

    def stage_of(self, touchpoint_id: str) -> str:
        """Id of the stage a touchpoint belongs to."""
        return self.touchpoint(touchpoint_id).stage

    def touchpoints_in(self, stage_id: str) -> tuple[Touchpoint, ...]:
        """The touchpoints of one stage, in journey order."""
        self.stage(stage_id)
        return tuple(tp for tp in self.touchpoints if tp.stage == stage_id)

    def pain_points_at(self, touchpoint_id: str) -> tuple[PainPoint, ...]:
        """The pain points at one touchpoint."""
        self.touchpoint(touchpoint_id)
        return tuple(pp for pp in self.pain_points if pp.touchpoint == touchpoint_id)

    def improvements_for(self, pain_point_id: str) -> tuple[Improvement, ...]:
        """The improvements that fix one pain point."""
        self.pain_point(pain_point_id)
        return tuple(imp for imp in self.improvements if pain_point_id in imp.fixes)

    def __iter__(self) -> Iterator[Touchpoint]:
        return iter(self.touchpoints)

    def __len__(self) -> int:
        return len(self.touchpoints)

    # -- editing -------------------------------------------------------------------
    def _kind(self, kind: Any) -> str:
        """``kind`` if it names an entity kind, else an error suggesting the closest."""
        if not isinstance(kind, str) or kind not in self._KINDS:
            raise UnknownReferenceError(
                f"unknown entity kind {kind!r}" + did_you_mean(str(kind), self._KINDS),
                field="kind",
                value=kind,
                hint=f"Use one of {', '.join(self._KINDS)}",
            )
        return kind

    def _entities_of(self, kind: str, items: Iterable[Any], what: str) -> tuple[Any, ...]:
        cls = ENTITIES[kind]
        out = tuple(items)
        for i, item in enumerate(out):
            if not isinstance(item, cls):
                raise InputTypeError(
                    f"Journey.{what}({kind!r}, ...) takes {cls.__name__} objects; item {i} is "
                    f"a {type(item).__name__}",
                    field=kind,
                    value=item,
                    hint=f"Build it with frictionkit.{cls.__name__}(...)",
                )
        return out

    def add(self, kind: str, *items: Any) -> Journey:
        """Return a new journey with entities added at the end of their kind (validated again).

        Parameters
        ----------
        kind : {"stages", "touchpoints", "personas", "owners", "pain_points", "improvements"}
        *items : Stage, Touchpoint, Persona, Owner, PainPoint or Improvement
            Objects of that kind, in order.

        Raises
        ------
        UnknownReferenceError
            An unknown kind (with the closest name), or a reference of a new entity that
            names nothing in the journey.
        DuplicateIdError
            A new entity has the id of one already there.
        InputTypeError
            An item is not an entity of that kind.

        Examples
        --------
        >>> import frictionkit as fk
        >>> j = fk.datasets.load_autoparts()
        >>> pp = fk.PainPoint(id="slow_invoices", touchpoint="order_delivery", severity=2)
        >>> j2 = j.add("pain_points", pp)
        >>> j2.pain_point("slow_invoices").severity, len(j2.pain_points) - len(j.pain_points)
        (2, 1)
        >>> j2.remove("pain_points", "slow_invoices") == j
        True
        """
        kind = self._kind(kind)
        new = self._entities_of(kind, items, "add")
        changed: dict[str, Any] = {kind: (*getattr(self, kind), *new)}
        return attrs.evolve(self, **changed)

    def remove(self, kind: str, *ids: str) -> Journey:
        """Return a new journey without some entities (validated again).

        An entity that another one still refers to is not removed: the error names the
        reference (a touchpoint still holding a pain point, a pain point an improvement
        fixes, an improvement another requires...). Remove or change the referring
        entities first, or in the same call when they are of the same kind.

        Parameters
        ----------
        kind : {"stages", "touchpoints", "personas", "owners", "pain_points", "improvements"}
        *ids : str
            Ids of the entities to remove.

        Raises
        ------
        UnknownReferenceError
            An unknown kind or id (with the closest name).
        ValidationError
            An entity to remove is still referred to (the message names the reference),
            or the journey would be left without stages or touchpoints.

        Examples
        --------
        >>> import frictionkit as fk
        >>> j = fk.datasets.load_autoparts()
        >>> j.remove("improvements", "crm_integration").ids("improvements")[-1]
        'consent_management'
        >>> j.remove("touchpoints", "order_delivery")
        Traceback (most recent call last):
        ...
        frictionkit.exceptions.ValidationError: cannot remove touchpoint 'order_delivery': PainPoint.touchpoint of 'late_delivery' refers to it. Remove or change 'late_delivery' first
        """  # noqa: E501
        kind = self._kind(kind)
        gone = list(dict.fromkeys(ids))
        for id_ in gone:
            self._get(kind, id_)  # an unknown id: an error with the closest one
        refs = self._referrers(kind, set(gone))
        if refs:
            id_, field, by = refs[0]
            more = f" ({plural(len(refs) - 1, 'more reference')})" if len(refs) > 1 else ""
            raise ValidationError(
                f"cannot remove {_singular(kind)} {id_!r}: {field} of {by!r} refers to it{more}",
                field=f"Journey.{kind}",
                value=id_,
                hint=f"Remove or change {by!r} first",
            )
        changed: dict[str, Any] = {
            kind: tuple(item for item in getattr(self, kind) if item.id not in set(gone))
        }
        return attrs.evolve(self, **changed)

    def _referrers(self, kind: str, ids: set[str]) -> list[tuple[str, str, str]]:
        """``(id, field, referring id)`` for every reference to ``ids`` of ``kind``."""
        out: list[tuple[str, str, str]] = []

        def refs(ref: str | None, field: str, by: str) -> None:
            if ref is not None and ref in ids:
                out.append((ref, field, by))

        if kind == "stages":
            for tp in self.touchpoints:
                refs(tp.stage, "Touchpoint.stage", tp.id)
        elif kind == "touchpoints":
            for pp in self.pain_points:
                refs(pp.touchpoint, "PainPoint.touchpoint", pp.id)
        elif kind == "personas":
            for pp in self.pain_points:
                for persona in pp.personas:
                    refs(persona, "PainPoint.personas", pp.id)
        elif kind == "owners":
            for tp in self.touchpoints:
                refs(tp.owner, "Touchpoint.owner", tp.id)
            for imp in self.improvements:
                refs(imp.owner, "Improvement.owner", imp.id)
        elif kind == "pain_points":
            for imp in self.improvements:
                for pp_id in imp.fixes:
                    refs(pp_id, "Improvement.fixes", imp.id)
        elif kind == "improvements":
            for imp in self.improvements:
                if imp.id in ids:
                    continue  # removed together
                for other in imp.requires:
                    refs(other, "Improvement.requires", imp.id)
                for other in imp.excludes:
                    refs(other, "Improvement.excludes", imp.id)
        return out

    def replace(self, kind: str, id: str, new: Any = None, /, **changes: Any) -> Journey:
        """Return a new journey with one entity replaced or changed (validated again).

        Parameters
        ----------
        kind : {"stages", "touchpoints", "personas", "owners", "pain_points", "improvements"}
        id : str
            The entity to replace; it keeps its place.
        new : entity, optional
            The entity to put in its place (an entity of that kind).
        **changes
            Fields to change (on ``new`` when given), as for :func:`attrs.evolve`.

        Raises
        ------
        UnknownReferenceError
            An unknown kind or id (with the closest name), or a reference that names
            nothing in the journey.
        InputTypeError
            ``new`` is not an entity of that kind.
        InputTypeError
            A change names a field the entity does not have (with the closest name); it
            is a :class:`TypeError`, as an unexpected keyword argument is.

        Examples
        --------
        >>> import frictionkit as fk
        >>> j = fk.datasets.load_autoparts()
        >>> j2 = j.replace("improvements", "compare_tool", cost=20_000)
        >>> j2.improvement("compare_tool").cost
        20000.0
        >>> j2.replace("improvements", "compare_tool", j.improvement("compare_tool")) == j
        True
        """
        kind = self._kind(kind)
        old = self._get(kind, id)
        base = old if new is None else self._entities_of(kind, [new], "replace")[0]
        fields = [f.name for f in attrs.fields(type(base))]
        for name in changes:
            if name not in fields:
                raise InputTypeError(
                    f"{type(base).__name__} has no field {name!r}{did_you_mean(name, fields)}",
                    field=name,
                    value=changes[name],
                    hint=f"Its fields: {', '.join(fields)}",
                )
        entity = attrs.evolve(base, **changes) if changes else base
        items = tuple(entity if item.id == id else item for item in getattr(self, kind))
        changed: dict[str, Any] = {kind: items}
        return attrs.evolve(self, **changed)

    # -- tables --------------------------------------------------------------------
    def to_frames(self) -> dict[str, pd.DataFrame]:
        """One DataFrame per entity kind (see :func:`frictionkit.model.journey_to_frames`)."""
        return journey_to_frames(self)

    @classmethod
    def from_frames(
        cls,
        frames: Mapping[str, pd.DataFrame],
        *,
        name: str | None = None,
        currency: str | None = None,
        period: str | None = None,
    ) -> Journey:
        """Build a journey from one DataFrame per entity kind (the inverse of ``to_frames``)."""
        return journey_from_frames(frames, name=name, currency=currency, period=period)

    def summary(self) -> str:
        """A plain-text overview: entities per stage, owners and improvements.

        Examples
        --------
        >>> import frictionkit as fk
        >>> print(fk.datasets.load_autoparts().summary())  # doctest: +ELLIPSIS
        Journey 'Autoparts B2B supplier' (valid)
        ...
        """
        lines = [f"Journey {self.name or '(unnamed)'!r} (valid)"]
        counts = ", ".join(_counted(len(getattr(self, k)), k) for k in self._KINDS)
        lines.append(f"  {counts}")
        lines.append("  Stages:")
        for st in self.stages:
            tps = self.touchpoints_in(st.id)
            pps = [pp for tp in tps for pp in self.pain_points_at(tp.id)]
            channels = sorted({tp.channel for tp in tps})
            lines.append(
                f"    {st.label:<16} {len(tps):>2} {_noun(len(tps), 'touchpoints')} "
                f"({', '.join(channels) or '-'}), {_counted(len(pps), 'pain_points')}"
            )
        if self.improvements:
            lines.append("  Improvements by owner:")
            for ow in self.owners:
                mine = [i for i in self.improvements if i.owner == ow.id]
                if not mine:
                    continue
                effort = sum(_mean(i.effort_days) for i in mine)
                cost = sum(_mean(i.cost) for i in mine)
                cap = "" if ow.capacity_days is None else f" of {ow.capacity_days:g} available"
                lines.append(
                    f"    {ow.label:<16} {len(mine):>2} {_noun(len(mine), 'improvements')}, "
                    f"{effort:,.0f} days{cap}, cost {cost:,.0f}"
                )
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per touchpoint, in journey order: where it sits and its pain points.

        Returns
        -------
        pandas.DataFrame
            ``stage``, ``touchpoint``, ``label``, ``channel``, ``owner`` (None when not
            set) and ``pain_points`` (how many are at the touchpoint). All entities, one
            table per kind: :meth:`to_frames`.

        Examples
        --------
        >>> import frictionkit as fk
        >>> j = fk.datasets.load_autoparts()
        >>> j.to_frame()[["stage", "touchpoint", "channel", "pain_points"]].head(2)
               stage     touchpoint channel  pain_points
        0  discovery  parts_website     web            1
        1  discovery     search_ads  search            0
        """
        import pandas as pd

        pains: dict[str, int] = {}
        for pp in self.pain_points:
            pains[pp.touchpoint] = pains.get(pp.touchpoint, 0) + 1
        order = {st.id: i for i, st in enumerate(self.stages)}
        tps = sorted(self.touchpoints, key=lambda tp: order[tp.stage])
        return pd.DataFrame(
            {
                "stage": [tp.stage for tp in tps],
                "touchpoint": [tp.id for tp in tps],
                "label": [tp.label for tp in tps],
                "channel": [tp.channel for tp in tps],
                "owner": [tp.owner for tp in tps],
                "pain_points": [pains.get(tp.id, 0) for tp in tps],
            }
        )

    def _repr_body(self) -> str:
        counts = ", ".join(_counted(len(getattr(self, k)), k) for k in self._KINDS)
        title = f"{self.name!r}, " if self.name else ""
        return f"{title}{counts}"


def journey_from_frames(
    frames: Mapping[str, pd.DataFrame],
    *,
    name: str | None = None,
    currency: str | None = None,
    period: str | None = None,
) -> Journey:
    """Build a :class:`~frictionkit.Journey` from one DataFrame per entity kind.

    Parameters
    ----------
    frames : mapping of str to pandas.DataFrame
        Keys among ``stages``, ``touchpoints``, ``personas``, ``owners``,
        ``pain_points``, ``improvements`` (``stages`` and ``touchpoints`` required).
        Columns as produced by :func:`journey_to_frames`; optional columns may be left
        out. Rows keep their order.
    name : str, optional
        Title of the journey.
    currency, period : str, optional
        The journey's currency and the period of its money (see :class:`Journey`).

    Returns
    -------
    Journey

    Raises
    ------
    SchemaError
        An unknown table or column (with the allowed names).
    ValidationError, UnknownReferenceError, InputTypeError
        A bad cell; the message names the table, row and id.

    Examples
    --------
    >>> import frictionkit as fk
    >>> j = fk.datasets.load_autoparts()
    >>> again = fk.Journey.from_frames(j.to_frames(), name=j.name, currency=j.currency,
    ...                                period=j.period)
    >>> again == j
    True
    """
    return Journey(**_entities_from_frames(frames), name=name, currency=currency, period=period)


def _noun(n: int, kind: str) -> str:
    """``"pain point"`` or ``"pain points"`` for ``"pain_points"``, by the count ``n``."""
    return _singular(kind) if n == 1 else kind.replace("_", " ")


def _counted(n: int, kind: str) -> str:
    """``"1 pain point"``, ``"2 pain points"``."""
    return f"{n} {_noun(n, kind)}"


def _singular(kind: str) -> str:
    """``"pain point"`` for ``"pain_points"``."""
    return kind[:-1].replace("_", " ")


def _mean(q: float | Estimate | None) -> float:
    if q is None:
        return 0.0
    return q.mean if isinstance(q, Estimate) else q
