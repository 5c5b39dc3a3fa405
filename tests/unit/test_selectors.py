"""Label selectors: parsing, matching, text, and the inverted index.

Upstream: k8s.io/apimachinery pkg/apis/meta/v1/helpers.go (LabelSelectorAsSelector),
pkg/labels/selector.go (NewRequirement, Requirement.Matches, Requirement.String),
pkg/util/validation/validation.go (label key/value syntax), and for map selectors
k8s.io/kubernetes pkg/controller/endpoint/endpoints_controller.go.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topo.model.errors import ManifestError
from topo.model.selectors import (
    EVERYTHING,
    NOTHING,
    LabelIndex,
    LabelSelector,
    Requirement,
    parse_label_selector,
    selector_from_map,
)

WEB = {"app": "web", "tier": "frontend"}


def sel(value):
    return parse_label_selector(value, "spec.selector")


# --- Requirement.matches: pkg/labels/selector.go Requirement.Matches ---


def test_in_needs_the_key_with_one_of_the_values():
    # selector.go: In matches when the key is present and its value is in the set
    requirement = Requirement("tier", "In", ("frontend", "backend"))
    assert requirement.matches({"tier": "backend"})
    assert not requirement.matches({"tier": "cache"})
    assert not requirement.matches({})


def test_not_in_matches_when_the_key_is_absent():
    # selector.go: "The operator is DoesNotExist or NotIn and Labels does not have the Requirement's key"
    requirement = Requirement("env", "NotIn", ("prod",))
    assert requirement.matches({})
    assert requirement.matches({"env": "dev"})
    assert not requirement.matches({"env": "prod"})


def test_exists_looks_at_the_key_only():
    # selector.go: Exists is ls.Has(key), even for an empty value
    assert Requirement("canary", "Exists").matches({"canary": ""})
    assert not Requirement("canary", "Exists").matches({"app": "web"})


def test_does_not_exist_matches_only_without_the_key():
    # selector.go: DoesNotExist is !ls.Has(key)
    assert Requirement("canary", "DoesNotExist").matches({"app": "web"})
    assert not Requirement("canary", "DoesNotExist").matches({"canary": "true"})


def test_values_compare_as_exact_strings():
    # selector.go hasValue: plain string equality, no case folding
    assert not Requirement("app", "In", ("Web",)).matches({"app": "web"})


def test_hand_built_requirement_with_wrong_values_is_a_programming_error():
    # selector.go NewRequirement rules 2 and 4
    with pytest.raises(ValueError):
        Requirement("app", "In", ())
    with pytest.raises(ValueError):
        Requirement("app", "Exists", ("x",))
    with pytest.raises(ValueError):
        Requirement("app", "Equals", ("x",))


# --- parse_label_selector: pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector ---


def test_null_selector_matches_nothing():
    # helpers.go: `if ps == nil { return labels.Nothing() }`
    selector = sel(None)
    assert selector.matches_nothing
    assert not selector.is_everything
    assert not selector.matches({})
    assert not selector.matches(WEB)


def test_empty_selector_matches_everything():
    # helpers.go: `len(MatchLabels)+len(MatchExpressions) == 0` is labels.Everything()
    for value in ({}, {"matchLabels": {}}, {"matchLabels": None, "matchExpressions": []}):
        selector = sel(value)
        assert selector.is_everything
        assert selector.matches({})
        assert selector.matches(WEB)


def test_match_labels_and_match_expressions_are_anded():
    # helpers.go: both become requirements of one selector, and Selector.Matches ANDs them
    selector = sel(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend"]}],
        }
    )
    assert selector.matches(WEB)
    assert not selector.matches({"app": "web", "tier": "backend"})
    assert not selector.matches({"tier": "frontend"})


def test_match_labels_are_equalities():
    # helpers.go: each matchLabels entry is NewRequirement(k, selection.Equals, []string{v})
    selector = sel({"matchLabels": {"app": "web", "tier": "frontend"}})
    assert selector.requirements == (
        Requirement("app", "In", ("web",)),
        Requirement("tier", "In", ("frontend",)),
    )
    assert selector.match_labels == {"app": "web", "tier": "frontend"}


def test_not_in_expression_selects_objects_without_the_key():
    # selector.go Requirement.Matches: NotIn on an absent key matches
    selector = sel({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]})
    assert selector.matches({"app": "web"})
    assert not selector.matches({"env": "prod"})


def test_does_not_exist_expression():
    # selector.go: DoesNotExist takes no values and matches when the key is missing
    selector = sel({"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]})
    assert selector.matches(WEB)
    assert not selector.matches({"canary": "yes"})


def test_conflicting_requirements_match_nothing_but_are_not_the_null_selector():
    # selector.go MatchesNothing only detects labels.Nothing(), not a=a,a!=a conflicts
    selector = sel(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}],
        }
    )
    assert not selector.matches({"app": "web"})
    assert not selector.matches({"app": "api"})
    assert not selector.matches_nothing


@pytest.mark.parametrize("operator", ["in", "Equals", "NotEquals", "Gt", "", None])
def test_unknown_operator_is_refused(operator):
    # helpers.go: `default: return nil, fmt.Errorf("%q is not a valid pod selector operator")`
    with pytest.raises(ManifestError) as error:
        sel({"matchExpressions": [{"key": "a", "operator": operator, "values": ["x"]}]})
    assert error.value.path == "spec.selector.matchExpressions[0].operator"


@pytest.mark.parametrize("operator", ["In", "NotIn"])
def test_in_and_not_in_need_values(operator):
    # selector.go NewRequirement: "for 'in', 'notin' operators, values set can't be empty"
    for expression in ({"key": "a", "operator": operator}, {"key": "a", "operator": operator, "values": []}):
        with pytest.raises(ManifestError) as error:
            sel({"matchExpressions": [expression]})
        assert error.value.path == "spec.selector.matchExpressions[0].values"


@pytest.mark.parametrize("operator", ["Exists", "DoesNotExist"])
def test_exists_and_does_not_exist_take_no_values(operator):
    # selector.go NewRequirement: "values set must be empty for exists and does not exist"
    with pytest.raises(ManifestError, match="must be empty"):
        sel({"matchExpressions": [{"key": "a", "operator": operator, "values": ["x"]}]})
    assert sel({"matchExpressions": [{"key": "a", "operator": operator, "values": []}]}).matches(
        {"a": "1"} if operator == "Exists" else {}
    )


def test_numeric_match_label_value_must_be_a_string():
    # LabelSelector.MatchLabels is map[string]string: `version: 1` fails to decode upstream
    with pytest.raises(ManifestError, match="must be a string") as error:
        sel({"matchLabels": {"version": 1}})
    assert error.value.path == "spec.selector.matchLabels"
    with pytest.raises(ManifestError, match="must be a string"):
        sel({"matchLabels": {"enabled": True}})


def test_expression_values_must_be_strings():
    # LabelSelectorRequirement.Values is []string: `values: [1, 2]` fails to decode upstream
    with pytest.raises(ManifestError, match="must be a string") as error:
        sel({"matchExpressions": [{"key": "v", "operator": "In", "values": ["1", 2]}]})
    assert error.value.path == "spec.selector.matchExpressions[0].values[1]"


@pytest.mark.parametrize(
    "value, path",
    [
        ([{"app": "web"}], "spec.selector"),
        ("app=web", "spec.selector"),
        ({"matchLabels": [{"app": "web"}]}, "spec.selector.matchLabels"),
        ({"matchExpressions": {"key": "a", "operator": "Exists"}}, "spec.selector.matchExpressions"),
        ({"matchExpressions": ["a"]}, "spec.selector.matchExpressions[0]"),
        (
            {"matchExpressions": [{"key": "a", "operator": "In", "values": "x"}]},
            "spec.selector.matchExpressions[0].values",
        ),
    ],
)
def test_wrong_container_types_are_refused(value, path):
    # helpers.go operates on the typed LabelSelector; JSON of the wrong shape does not decode
    with pytest.raises(ManifestError) as error:
        sel(value)
    assert error.value.path == path


def test_unknown_selector_field_is_refused():
    # kubectl's strict field validation refuses unknown fields; ignoring `matchlabels` would
    # silently turn the selector into "everything"
    with pytest.raises(ManifestError) as error:
        sel({"matchlabels": {"app": "web"}})
    assert error.value.path == "spec.selector.matchlabels"


@pytest.mark.parametrize(
    "key", ["", "-app", "app-", "a b", "example.com/", "/app", "a/b/c", "Example.com/app", "x" * 64]
)
def test_invalid_label_keys_are_refused(key):
    # pkg/util/validation/validation.go IsQualifiedName, called by labels.NewRequirement
    with pytest.raises(ManifestError, match="invalid label key"):
        sel({"matchLabels": {key: "web"}})


@pytest.mark.parametrize("key", ["app", "app.kubernetes.io/name", "a", "A_b-c.d", "x" * 63])
def test_valid_label_keys_are_accepted(key):
    # validation.go IsQualifiedName: optional DNS-subdomain prefix, 63-character name
    assert sel({"matchExpressions": [{"key": key, "operator": "Exists"}]}).matches({key: ""})


@pytest.mark.parametrize("value", ["-web", "web-", "a b", "x" * 64, "web/1"])
def test_invalid_label_values_are_refused(value):
    # validation.go IsValidLabelValue
    with pytest.raises(ManifestError, match="invalid label value"):
        sel({"matchExpressions": [{"key": "app", "operator": "In", "values": [value]}]})


def test_empty_label_value_is_valid():
    # validation.go IsValidLabelValue: the empty string is allowed
    assert sel({"matchLabels": {"app": ""}}).matches({"app": ""})


def test_null_map_value_decodes_as_empty_string():
    # encoding/json: null into a map[string]string element leaves the zero value ""
    assert sel({"matchLabels": {"app": None}}).match_labels == {"app": ""}


# --- text: pkg/labels/selector.go Requirement.String / internalSelector.String ---


def test_to_text_in_kubectl_style_sorted_by_key():
    # selector.go: requirements sorted ByKey, joined by ","; In/NotIn values sorted; "!" for DoesNotExist
    selector = sel(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "x", "operator": "DoesNotExist"},
                {"key": "tier", "operator": "In", "values": ["b", "a"]},
                {"key": "env", "operator": "NotIn", "values": ["prod"]},
                {"key": "canary", "operator": "Exists"},
            ],
        }
    )
    assert selector.to_text() == "app=web,canary,env notin (prod),tier in (a,b),!x"


def test_to_text_of_everything_and_nothing_is_empty_like_upstream():
    # selector.go: internalSelector{}.String() and nothingSelector.String() are both ""
    assert EVERYTHING.to_text() == ""
    assert NOTHING.to_text() == ""


# --- selector_from_map: Service / ReplicationController spec.selector ---


def test_map_selector_requires_every_key():
    # endpoints_controller.go: labels.Set(service.Spec.Selector).AsSelectorPreValidated()
    selector = selector_from_map({"app": "web", "tier": "frontend"}, "spec.selector")
    assert selector.matches({"app": "web", "tier": "frontend", "extra": "x"})
    assert not selector.matches({"app": "web"})
    assert selector.to_text() == "app=web,tier=frontend"


def test_service_without_selector_selects_no_pods():
    # endpoints_controller.go: "services without a selector receive no endpoints from this controller"
    for value in (None, {}):
        selector = selector_from_map(value, "spec.selector")
        assert selector.matches_nothing
        assert not selector.matches(WEB)
        assert not selector.matches({})


def test_map_selector_values_must_be_strings():
    # ServiceSpec.Selector is map[string]string
    with pytest.raises(ManifestError, match="must be a string"):
        selector_from_map({"version": 2}, "spec.selector")
    with pytest.raises(ManifestError):
        selector_from_map(["app"], "spec.selector")  # type: ignore[arg-type]


# --- LabelIndex ---


def test_index_matches_within_one_namespace_in_insertion_order():
    index = LabelIndex()
    index.add("shop", "Deployment/shop/web-b", {"app": "web", "track": "canary"})
    index.add("shop", "Deployment/shop/api", {"app": "api"})
    index.add("shop", "Deployment/shop/web-a", {"app": "web"})
    index.add("other", "Deployment/other/web", {"app": "web"})
    web = selector_from_map({"app": "web"}, "spec.selector")
    assert index.matching("shop", web) == ["Deployment/shop/web-b", "Deployment/shop/web-a"]
    assert index.matching("other", web) == ["Deployment/other/web"]
    assert index.matching("missing", web) == []
    assert index.matching("shop", NOTHING) == []
    assert index.matching("shop", EVERYTHING) == index.items("shop")
    assert index.items("shop") == ["Deployment/shop/web-b", "Deployment/shop/api", "Deployment/shop/web-a"]


def test_index_negative_only_selector_scans_the_namespace():
    # selector.go: NotIn/DoesNotExist match objects without the key, so no posting list bounds them
    index = LabelIndex()
    index.add("ns", "a", {"app": "web"})
    index.add("ns", "b", {"env": "prod"})
    index.add("ns", "c", {})
    not_prod = sel({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]})
    assert index.matching("ns", not_prod) == ["a", "c"]


def test_index_multi_value_in_keeps_insertion_order():
    index = LabelIndex()
    for name, tier in [("1", "b"), ("2", "a"), ("3", "c"), ("4", "b")]:
        index.add("ns", name, {"tier": tier})
    tiers = sel({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]})
    assert index.matching("ns", tiers) == ["1", "2", "4"]


def test_index_refuses_the_same_item_twice():
    index = LabelIndex()
    index.add("ns", "a", {})
    with pytest.raises(ValueError):
        index.add("ns", "a", {"app": "web"})
    index.add("other", "a", {})  # the same name in another namespace is another object


_KEYS = st.sampled_from(["app", "tier", "env", "track"])
_VALUES = st.sampled_from(["a", "b", "c", ""])
_LABELS = st.dictionaries(_KEYS, _VALUES, max_size=4)
_REQUIREMENTS = st.one_of(
    st.builds(
        Requirement,
        _KEYS,
        st.sampled_from(["In", "NotIn"]),
        st.lists(_VALUES, min_size=1, max_size=3).map(tuple),
    ),
    st.builds(Requirement, _KEYS, st.sampled_from(["Exists", "DoesNotExist"])),
)
_SELECTORS = st.one_of(
    st.just(NOTHING),
    st.lists(_REQUIREMENTS, max_size=4).map(lambda requirements: LabelSelector(tuple(requirements))),
)


@settings(max_examples=300)
@given(
    objects=st.lists(st.tuples(st.sampled_from(["ns1", "ns2"]), _LABELS), max_size=25),
    selectors=st.lists(_SELECTORS, min_size=1, max_size=5),
)
def test_index_agrees_with_brute_force(objects, selectors):
    # the index is an optimisation only: the answer must be what Selector.Matches over every
    # object of the namespace gives (pkg/labels/selector.go)
    index = LabelIndex()
    for position, (namespace, labels) in enumerate(objects):
        index.add(namespace, f"item-{position}", labels)
    for selector in selectors:
        for namespace in ("ns1", "ns2", "ns3"):
            expected = [
                f"item-{position}"
                for position, (ns, labels) in enumerate(objects)
                if ns == namespace and selector.matches(labels)
            ]
            assert index.matching(namespace, selector) == expected
