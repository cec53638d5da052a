"""Hypothesis strategies for frictionkit objects (valid by construction)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import frictionkit as fk

# Ids: printable text without commas (workbook list separator) or surrounding spaces; includes
# characters that a spreadsheet would take for a formula, and non-ASCII letters.
_ID_CHARS = st.sampled_from(list("abcxyz_019-=+@'éñ. "))
ids = st.text(_ID_CHARS, min_size=1, max_size=8).map(str.strip).filter(bool)
texts = st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12))
fractions = st.floats(0, 1, allow_nan=False)
amounts = st.floats(0, 1e7, allow_nan=False, allow_infinity=False)


@st.composite
def estimates(draw: Any, low: float = 0.0, high: float = 1e6) -> fk.Estimate:
    kinds = ["range", "pert", "triangular"] + (["tshirt"] if high >= 1000 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "tshirt":
        return fk.Estimate.tshirt(draw(st.sampled_from(list(fk.TSHIRT_DAYS))))
    values = sorted(draw(st.lists(st.floats(low, high, allow_nan=False), min_size=3, max_size=3)))
    if kind == "range":
        return fk.Estimate.range(values[0], values[2])
    return fk.Estimate.three_point(*values, dist=kind)


def quantities(low: float = 0.0, high: float = 1e6) -> st.SearchStrategy[Any]:
    return st.one_of(st.floats(low, high, allow_nan=False), estimates(low, high))


def _unique(draw: Any, n_min: int, n_max: int) -> list[str]:
    return draw(st.lists(ids, min_size=n_min, max_size=n_max, unique=True))


@st.composite
def journeys(draw: Any, max_items: int = 5) -> fk.Journey:
    """A valid journey with every kind of entity and reference."""
    stage_ids = _unique(draw, 1, max_items)
    stages = [fk.Stage(id=s, name=draw(texts)) for s in stage_ids]
    owner_ids = _unique(draw, 1, 3)
    owners = [
        fk.Owner(id=o, name=draw(texts), capacity_days=draw(st.one_of(st.none(), amounts)))
        for o in owner_ids
    ]
    persona_ids = _unique(draw, 0, 3)
    n_p = max(len(persona_ids), 1)
    personas = [
        fk.Persona(
            id=p,
            name=draw(texts),
            share=draw(st.one_of(st.none(), st.floats(0, 1 / n_p))),
            value_per_customer=draw(st.one_of(st.none(), amounts)),
        )
        for p in persona_ids
    ]
    tp_ids = _unique(draw, 1, max_items)
    touchpoints = [
        fk.Touchpoint(
            id=t,
            stage=draw(st.sampled_from(stage_ids)),
            channel=draw(st.sampled_from(["web", "email", "phone", "store", "mobile app"])),
            owner=draw(st.one_of(st.none(), st.sampled_from(owner_ids))),
            name=draw(texts),
            online=draw(st.one_of(st.none(), st.booleans())),
        )
        for t in tp_ids
    ]
    pp_ids = _unique(draw, 0, max_items)
    pain_points = [
        fk.PainPoint(
            id=p,
            touchpoint=draw(st.sampled_from(tp_ids)),
            description=draw(st.text(max_size=20)),
            severity=draw(st.integers(1, 5)),
            reach=draw(st.one_of(st.none(), fractions)),
            personas=draw(st.lists(st.sampled_from(persona_ids), unique=True))
            if persona_ids
            else [],
            evidence=draw(
                st.lists(
                    st.text(
                        st.characters(exclude_characters=",", exclude_categories=("Cs",)),
                        min_size=1,
                        max_size=10,
                    ).filter(str.strip),
                    max_size=2,
                )
            ),
        )
        for p in pp_ids
    ]
    imp_ids = _unique(draw, 0, max_items)
    # requires only point backwards (no cycle); excludes only between items outside the
    # requires graph; mandatory only where no exclusion is involved.
    requires: dict[str, list[str]] = {}
    for i, imp in enumerate(imp_ids):
        earlier = imp_ids[:i]
        requires[imp] = (
            draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2))
            if (earlier and draw(st.booleans()))
            else []
        )
    in_graph = {i for i, r in requires.items() if r} | {r for rs in requires.values() for r in rs}
    free = [i for i in imp_ids if i not in in_graph]
    excludes: dict[str, list[str]] = {i: [] for i in imp_ids}
    if len(free) >= 2 and draw(st.booleans()):
        a, b = draw(st.lists(st.sampled_from(free), min_size=2, max_size=2, unique=True))
        excludes[a].append(b)
    excluded = {i for i, e in excludes.items() if e} | {x for e in excludes.values() for x in e}
    improvements = [
        fk.Improvement(
            id=imp,
            title=draw(
                st.text(
                    st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=15
                ).filter(str.strip)
            ),
            owner=draw(st.sampled_from(owner_ids)),
            effort_days=draw(quantities()),
            cost=draw(quantities()),
            fixes=draw(st.lists(st.sampled_from(pp_ids), unique=True, max_size=2))
            if pp_ids
            else [],
            impact=draw(st.one_of(st.none(), quantities())),
            confidence=draw(st.one_of(st.none(), quantities(0, 1))),
            fix_share=draw(st.one_of(st.none(), quantities(0, 1))),
            requires=requires[imp],
            excludes=excludes[imp],
            mandatory=draw(st.booleans()) if imp not in excluded else False,
        )
        for imp in imp_ids
    ]
    return fk.Journey(
        name=draw(texts),
        stages=stages,
        touchpoints=touchpoints,
        personas=personas,
        owners=owners,
        pain_points=pain_points,
        improvements=improvements,
    )
