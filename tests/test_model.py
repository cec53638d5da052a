"""The journey model: construction, validation, lookups, editing."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import frictionkit as fk
from tests.strategies import journeys


def small(**changes):  # type: ignore[no-untyped-def]
    """A tiny valid journey; keyword arguments replace whole entity lists."""
    base = {
        "stages": [fk.Stage(id="browse"), fk.Stage(id="buy")],
        "owners": [fk.Owner(id="web"), fk.Owner(id="service")],
        "personas": [fk.Persona(id="new", share=0.6), fk.Persona(id="loyal", share=0.4)],
        "touchpoints": [
            fk.Touchpoint(id="search", stage="browse", channel="web", owner="web"),
            fk.Touchpoint(id="checkout", stage="buy", channel="web", owner="web"),
            fk.Touchpoint(id="hotline", stage="buy", channel="phone", owner="service"),
        ],
        "pain_points": [
            fk.PainPoint(id="slow_search", touchpoint="search", severity=2, personas=["new"]),
            fk.PainPoint(id="card_declined", touchpoint="checkout", severity=5, reach=0.1),
        ],
        "improvements": [
            fk.Improvement(
                id="fast_search",
                title="Faster search",
                owner="web",
                fixes=["slow_search"],
                effort_days=5,
                cost=1000,
            ),
            fk.Improvement(
                id="wallets",
                title="Add wallets",
                owner="web",
                fixes=["card_declined"],
                effort_days=10,
                cost=5000,
                requires=["fast_search"],
            ),
        ],
    }
    base.update(changes)
    return fk.Journey(**base)


# -- construction ----------------------------------------------------------------------


def test_standard_stages_are_the_five_common_ones():
    assert [s.id for s in fk.STANDARD_STAGES] == [
        "discovery",
        "consideration",
        "purchase",
        "retention",
        "recommendation",
    ]


def test_objects_are_frozen_and_keyword_only():
    stage = fk.Stage(id="a")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        stage.id = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        fk.Stage("a")  # type: ignore[misc]


def test_lookups_and_navigation():
    j = small()
    assert j.touchpoint("checkout").channel == "web"
    assert j.stage_of("hotline") == "buy"
    assert j.stage_position("buy") == 1
    assert [t.id for t in j.touchpoints_in("buy")] == ["checkout", "hotline"]
    assert [p.id for p in j.pain_points_at("checkout")] == ["card_declined"]
    assert [i.id for i in j.improvements_for("slow_search")] == ["fast_search"]
    assert j.ids("owners") == ("web", "service")
    assert len(j) == 3
    assert [t.id for t in j] == ["search", "checkout", "hotline"]


def test_lookup_of_unknown_id_suggests_the_closest():
    with pytest.raises(fk.UnknownReferenceError, match="did you mean 'checkout'"):
        small().touchpoint("chekout")
    with pytest.raises(fk.UnknownReferenceError, match="unknown entity kind"):
        small().ids("painpoints")


def test_point_estimates_are_stored_as_numbers():
    imp = fk.Improvement(id="a", title="A", owner="o", effort_days=fk.Estimate.point(3), cost=2)
    assert imp.effort_days == 3.0
    assert isinstance(imp.effort_days, float)
    assert isinstance(imp.cost, float)


def test_single_string_is_a_one_item_list():
    imp = fk.Improvement(id="a", title="A", owner="o", effort_days=1, cost=1, fixes="p")
    assert imp.fixes == ("p",)


def test_repr_is_cheap_and_html_is_escaped():
    j = small(name="<b>shop</b>")
    assert repr(j) == (
        "Journey('<b>shop</b>', 2 stages, 3 touchpoints, 2 personas, 2 owners, "
        "2 pain points, 2 improvements)"
    )
    html = j._repr_html_()
    assert "<b>shop</b>" not in html
    assert "&lt;b&gt;shop&lt;/b&gt;" in html


def test_summary_names_every_stage_and_owner():
    text = small(name="Shop").summary()
    assert text.startswith("Journey 'Shop' (valid)")
    for word in ("browse", "buy", "web", "2 improvements"):
        assert word in text


# -- bad input: every case names the field and the value -------------------------------


@pytest.mark.parametrize(
    ("changes", "error", "pattern"),
    [
        (
            {"touchpoints": [fk.Touchpoint(id="t", stage="bye", channel="web")]},
            fk.UnknownReferenceError,
            r"Touchpoint.stage of 't' refers to unknown stage 'bye' "
            r"\(did you mean 'buy'\?\)",
        ),
        (
            {"touchpoints": [fk.Touchpoint(id="t", stage="buy", channel="web", owner="webb")]},
            fk.UnknownReferenceError,
            r"unknown owner 'webb' \(did you mean 'web'\?\)",
        ),
        (
            {"pain_points": [fk.PainPoint(id="p", touchpoint="serch")]},
            fk.UnknownReferenceError,
            r"unknown touchpoint 'serch' \(did you mean 'search'\?\)",
        ),
        (
            {"pain_points": [fk.PainPoint(id="p", touchpoint="search", personas=["nw"])]},
            fk.UnknownReferenceError,
            r"unknown persona 'nw'",
        ),
        (
            {
                "improvements": [
                    fk.Improvement(
                        id="i", title="I", owner="web", effort_days=1, cost=1, fixes=["slow_serch"]
                    )
                ]
            },
            fk.UnknownReferenceError,
            r"unknown pain point 'slow_serch' \(did you mean "
            r"'slow_search'\?\)",
        ),
        (
            {
                "improvements": [
                    fk.Improvement(id="i", title="I", owner="it", effort_days=1, cost=1)
                ]
            },
            fk.UnknownReferenceError,
            r"Improvement.owner of 'i' refers to unknown owner 'it'",
        ),
        (
            {
                "improvements": [
                    fk.Improvement(
                        id="i", title="I", owner="web", effort_days=1, cost=1, requires=["j"]
                    )
                ]
            },
            fk.UnknownReferenceError,
            r"unknown improvement 'j'",
        ),
        (
            {"stages": [fk.Stage(id="browse"), fk.Stage(id="browse"), fk.Stage(id="buy")]},
            fk.DuplicateIdError,
            r"two stages share the id 'browse'",
        ),
        (
            {"personas": [fk.Persona(id="new", share=0.7), fk.Persona(id="loyal", share=0.6)]},
            fk.ValidationError,
            r"persona shares add up to 1.3",
        ),
        ({"stages": []}, fk.ValidationError, r"stages is empty"),
        ({"touchpoints": []}, fk.ValidationError, r"touchpoints is empty"),
    ],
)
def test_journey_validation_errors(changes, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        small(**changes)
    assert info.value.field is not None


def test_all_problems_are_reported_at_once():
    with pytest.raises(fk.UnknownReferenceError) as info:
        small(
            touchpoints=[
                fk.Touchpoint(id="a", stage="nope", channel="web"),
                fk.Touchpoint(id="b", stage="buy", channel="web", owner="ghost"),
            ],
            pain_points=[],
            improvements=[],
        )
    err = info.value
    assert len(err.problems) == 1
    assert "ghost" in str(err)
    assert "1 more problem(s) found" in str(err)


def test_requires_cycle_is_shown():
    imps = [
        fk.Improvement(id=i, title=i, owner="web", effort_days=1, cost=1, requires=[r])
        for i, r in [("a", "b"), ("b", "c"), ("c", "a")]
    ]
    with pytest.raises(fk.CycleError, match=r"a -> b -> c -> a") as info:
        small(improvements=imps)
    assert info.value.cycle == ("a", "b", "c", "a")


def test_needing_two_exclusive_improvements_is_refused():
    imps = [
        fk.Improvement(id="a", title="A", owner="web", effort_days=1, cost=1, requires=["b", "c"]),
        fk.Improvement(id="b", title="B", owner="web", effort_days=1, cost=1, excludes=["c"]),
        fk.Improvement(id="c", title="C", owner="web", effort_days=1, cost=1),
    ]
    with pytest.raises(fk.ValidationError, match="'a' can never be done"):
        small(improvements=imps)


def test_transitive_requires_against_an_exclusion_is_refused():
    imps = [
        fk.Improvement(
            id="a", title="A", owner="web", effort_days=1, cost=1, requires=["b"], excludes=["c"]
        ),
        fk.Improvement(id="b", title="B", owner="web", effort_days=1, cost=1, requires=["c"]),
        fk.Improvement(id="c", title="C", owner="web", effort_days=1, cost=1),
    ]
    with pytest.raises(fk.ValidationError, match="'a' can never be done"):
        small(improvements=imps)


def test_mandatory_improvements_that_exclude_each_other_are_refused():
    imps = [
        fk.Improvement(
            id="a", title="A", owner="web", effort_days=1, cost=1, mandatory=True, excludes=["b"]
        ),
        fk.Improvement(id="b", title="B", owner="web", effort_days=1, cost=1, mandatory=True),
    ]
    with pytest.raises(fk.ValidationError, match="mandatory improvements clash"):
        small(improvements=imps)


def test_requiring_and_excluding_the_same_is_refused():
    with pytest.raises(fk.ValidationError, match="both requires and excludes 'b'"):
        fk.Improvement(
            id="a", title="A", owner="o", effort_days=1, cost=1, requires=["b"], excludes=["b"]
        )
    with pytest.raises(fk.ValidationError, match="lists itself in requires"):
        fk.Improvement(id="a", title="A", owner="o", effort_days=1, cost=1, requires=["a"])


@pytest.mark.parametrize(
    ("make", "error", "pattern"),
    [
        (
            lambda: fk.PainPoint(id="p", touchpoint="t", severity=0),
            fk.ValidationError,
            r"PainPoint.severity must be between 1 and 5, got 0",
        ),
        (
            lambda: fk.PainPoint(id="p", touchpoint="t", severity=6),
            fk.ValidationError,
            r"between 1 and 5, got 6",
        ),
        (
            lambda: fk.PainPoint(id="p", touchpoint="t", severity=2.5),
            fk.ValidationError,
            r"whole number",
        ),
        (
            lambda: fk.PainPoint(id="p", touchpoint="t", severity=math.nan),
            fk.ValidationError,
            r"whole number",
        ),
        (
            lambda: fk.PainPoint(id="p", touchpoint="t", severity=True),
            fk.ValidationError,
            r"whole number",
        ),
        (
            lambda: fk.PainPoint(id="p", touchpoint="t", reach=1.2),
            fk.ValidationError,
            r"PainPoint.reach must be between 0 and 1, got 1.2",
        ),
        (
            lambda: fk.PainPoint(id="p", touchpoint="t", reach=-0.1),
            fk.ValidationError,
            r"reach must be between 0 and 1",
        ),
        (
            lambda: fk.PainPoint(id="p", touchpoint="t", reach=math.nan),
            fk.ValidationError,
            r"PainPoint.reach must be finite",
        ),
        (
            lambda: fk.Improvement(id="i", title="I", owner="o", effort_days=-1, cost=0),
            fk.ValidationError,
            r"Improvement.effort_days must be >= 0, got -1",
        ),
        (
            lambda: fk.Improvement(id="i", title="I", owner="o", effort_days=1, cost=-5),
            fk.ValidationError,
            r"Improvement.cost must be >= 0",
        ),
        (
            lambda: fk.Improvement(id="i", title="I", owner="o", effort_days=math.inf, cost=1),
            fk.ValidationError,
            r"effort_days must be finite",
        ),
        (
            lambda: fk.Improvement(id="i", title="I", owner="o", effort_days=1, cost=math.nan),
            fk.ValidationError,
            r"cost must be finite",
        ),
        (
            lambda: fk.Improvement(id="i", title="I", owner="o", effort_days=1, cost=1, impact=-3),
            fk.ValidationError,
            r"impact must be >= 0",
        ),
        (
            lambda: fk.Improvement(
                id="i", title="I", owner="o", effort_days=1, cost=1, confidence=1.5
            ),
            fk.ValidationError,
            r"confidence must be between 0 and 1",
        ),
        (
            lambda: fk.Improvement(
                id="i", title="I", owner="o", effort_days=fk.Estimate.range(-2, 4), cost=1
            ),
            fk.ValidationError,
            r"effort_days must be >= 0, got -2..4",
        ),
        (
            lambda: fk.Improvement(id="i", title="I", owner="o", effort_days="5", cost=1),
            fk.InputTypeError,
            r"effort_days must be a number, got '5'",
        ),
        (
            lambda: fk.Improvement(id="i", title="I", owner="o", effort_days=None, cost=1),
            fk.ValidationError,
            r"effort_days is required",
        ),
        (
            lambda: fk.Improvement(id="i", title=" ", owner="o", effort_days=1, cost=1),
            fk.ValidationError,
            r"title must be a non-empty text",
        ),
        (
            lambda: fk.Improvement(
                id="i", title="I", owner="o", effort_days=1, cost=1, mandatory="yes"
            ),
            fk.InputTypeError,
            r"mandatory must be true",
        ),
        (lambda: fk.Persona(id="p", share=2), fk.ValidationError, r"share must be between"),
        (lambda: fk.Persona(id="p", value_per_customer=-1), fk.ValidationError, r">= 0"),
        (
            lambda: fk.Owner(id="o", capacity_days=-1),
            fk.ValidationError,
            r"capacity_days must be >= 0",
        ),
        (lambda: fk.Owner(id="o", capacity_days=math.inf), fk.ValidationError, r"finite"),
        (lambda: fk.Stage(id=""), fk.ValidationError, r"non-empty id"),
        (lambda: fk.Stage(id=" a"), fk.ValidationError, r"surrounding spaces"),
        (lambda: fk.Stage(id=3), fk.InputTypeError, r"Stage.id must be a string id"),
        (lambda: fk.Stage(id="a\nb"), fk.ValidationError, r"control characters"),
        (
            lambda: fk.Touchpoint(id="t", stage="s", channel="web", online="yes"),
            fk.InputTypeError,
            r"online must be true, false or empty",
        ),
        (
            lambda: fk.PainPoint(id="p", touchpoint="t", personas=["a", "a"]),
            fk.ValidationError,
            r"lists 'a' twice",
        ),
        (
            lambda: fk.Journey(stages=fk.STANDARD_STAGES, touchpoints="web"),
            fk.InputTypeError,
            r"Journey.touchpoints must be a list of Touchpoint",
        ),
        (
            lambda: fk.Journey(stages=fk.STANDARD_STAGES, touchpoints=[{"id": "x"}]),
            fk.InputTypeError,
            r"Journey.touchpoints\[0\] must be a Touchpoint",
        ),
    ],
)
def test_entity_validation_errors(make, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        make()
    assert isinstance(info.value, fk.FrictionkitError)
    assert info.value.field


# -- editing ---------------------------------------------------------------------------


def test_replace_returns_a_new_validated_journey():
    j = small()
    j2 = j.replace("improvements", "wallets", cost=7000)
    assert j2.improvement("wallets").cost == 7000
    assert j.improvement("wallets").cost == 5000
    with pytest.raises(fk.UnknownReferenceError, match="did you mean 'slow_search'"):
        j.replace("improvements", "wallets", fixes=["slow_serch"])
    with pytest.raises(fk.CycleError):
        j.replace("improvements", "fast_search", requires=["wallets"])


def test_evolve_revalidates_every_object():
    with pytest.raises(fk.ValidationError):
        attrs.evolve(fk.PainPoint(id="p", touchpoint="t"), severity=9)
    j = small()
    with pytest.raises(fk.UnknownReferenceError):
        attrs.evolve(j, owners=[fk.Owner(id="web")])


@given(journeys())
def test_generated_journeys_are_valid_and_equal_to_their_rebuild(j):
    rebuilt = attrs.evolve(j)
    assert rebuilt == j
    assert hash(rebuilt) == hash(j)


@given(journeys(), st.data())
def test_evolve_with_a_broken_reference_always_fails(j, data):
    tp = data.draw(st.sampled_from(j.touchpoints))
    with pytest.raises(fk.UnknownReferenceError):
        j.replace("touchpoints", tp.id, stage=tp.stage + "§")


# ---------------------------------------------------------------------------------------
# editing a journey: add, replace, remove (issue 19)


@st.composite
def _journey_and_new_entity(draw):
    """A journey and a new entity of some kind whose references resolve in it."""
    j = draw(journeys())
    kind = draw(st.sampled_from(["stages", "touchpoints", "owners", "pain_points", "improvements"]))
    new_id = draw(st.text("abcxyz_", min_size=1, max_size=8).filter(str.strip))
    new_id = "new_" + new_id
    tp_ids = list(j.ids("touchpoints"))
    owner_ids = list(j.ids("owners"))
    pp_ids = list(j.ids("pain_points"))
    if kind == "stages":
        item = fk.Stage(id=new_id)
    elif kind == "touchpoints":
        item = fk.Touchpoint(id=new_id, stage=draw(st.sampled_from(j.ids("stages"))), channel="web")
    elif kind == "owners":
        item = fk.Owner(id=new_id, capacity_days=draw(st.one_of(st.none(), st.floats(0, 100))))
    elif kind == "pain_points":
        item = fk.PainPoint(
            id=new_id, touchpoint=draw(st.sampled_from(tp_ids)), severity=draw(st.integers(1, 5))
        )
    else:
        fixes = draw(st.lists(st.sampled_from(pp_ids), unique=True, max_size=2)) if pp_ids else []
        item = fk.Improvement(
            id=new_id,
            title="new",
            owner=draw(st.sampled_from(owner_ids)),
            effort_days=draw(st.floats(0, 50)),
            cost=draw(st.floats(0, 1e5)),
            fixes=fixes,
        )
    return j, kind, item


@given(_journey_and_new_entity())
def test_add_then_remove_gives_back_an_equal_journey(case):
    j, kind, item = case
    j2 = j.add(kind, item)
    assert getattr(j2, kind)[-1] == item
    assert j2.ids(kind)[-1] == item.id
    assert j2.remove(kind, item.id) == j


@given(_journey_and_new_entity())
def test_replace_with_itself_and_back(case):
    j, kind, item = case
    j2 = j.add(kind, item)
    old = getattr(j2, kind)[0]
    # replacing an entity by itself changes nothing; replacing and restoring round-trips
    assert j2.replace(kind, old.id, old) == j2
    if kind == "pain_points":
        changed = j2.replace(kind, item.id, severity=6 - item.severity)
        assert changed.pain_point(item.id).severity == 6 - item.severity
        assert changed.replace(kind, item.id, item) == j2


def test_add_refuses_duplicates_wrong_types_and_unknown_references():
    j = fk.datasets.load_autoparts()
    with pytest.raises(fk.DuplicateIdError, match="late_delivery"):
        j.add("pain_points", j.pain_point("late_delivery"))
    with pytest.raises(fk.InputTypeError, match="PainPoint"):
        j.add("pain_points", j.improvement("compare_tool"))
    with pytest.raises(fk.UnknownReferenceError, match="did you mean 'order_delivery'"):
        j.add("pain_points", fk.PainPoint(id="x", touchpoint="order_delivry"))


def test_misspelled_kind_suggests_the_closest():
    j = fk.datasets.load_autoparts()
    for call in (
        lambda: j.add("pain_point", fk.PainPoint(id="x", touchpoint="order_delivery")),
        lambda: j.remove("pain_point", "late_delivery"),
        lambda: j.replace("pain_point", "late_delivery", severity=2),
        lambda: j.pain_point("late_delivry"),
    ):
        with pytest.raises(fk.UnknownReferenceError, match="did you mean"):
            call()


def test_remove_refuses_what_is_still_referenced_naming_the_reference():
    j = fk.datasets.load_autoparts()
    with pytest.raises(fk.ValidationError) as err:
        j.remove("touchpoints", "order_delivery")
    assert "PainPoint.touchpoint of 'late_delivery'" in str(err.value)
    fixer = j.improvements_for("late_delivery")[0].id
    with pytest.raises(fk.ValidationError, match=f"Improvement.fixes of '{fixer}'"):
        j.remove("pain_points", "late_delivery")
    with pytest.raises(fk.ValidationError, match=r"(Touchpoint|Improvement)\.owner of"):
        j.remove("owners", j.improvements[0].owner)
    with pytest.raises(fk.UnknownReferenceError, match="did you mean 'late_delivery'"):
        j.remove("pain_points", "late_delivry")


def test_remove_an_improvement_with_what_requires_it_in_one_call():
    j = fk.datasets.load_autoparts()
    needed = next((i for i in j.improvements if i.requires), None)
    if needed is None:
        pytest.skip("the sample journey has no requires")
    base = needed.requires[0]
    with pytest.raises(fk.ValidationError, match=f"Improvement.requires of '{needed.id}'"):
        j.remove("improvements", base)
    dependents = [i.id for i in j.improvements if base in i.requires or base in i.excludes]
    j2 = j.remove("improvements", base, *dependents)
    assert base not in j2.ids("improvements")
