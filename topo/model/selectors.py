"""Label selectors, parsed and matched exactly as the API server and controllers do.

Two shapes of selector exist in manifests and both end up as one `LabelSelector`:

* `metav1.LabelSelector` (`matchLabels` + `matchExpressions`), used by Deployments, NetworkPolicies,
  PodDisruptionBudgets, ...: read by `parse_label_selector`, following `LabelSelectorAsSelector`
  in k8s.io/apimachinery pkg/apis/meta/v1/helpers.go. A null selector matches nothing, an empty
  one matches everything: peers often get this backwards, and it decides whether a policy
  isolates a whole namespace or nothing at all.
* the plain `{key: value}` map of Service and ReplicationController `spec.selector`: read by
  `selector_from_map`.

Matching follows `Requirement.Matches` in k8s.io/apimachinery pkg/labels/selector.go (notably:
`NotIn` matches when the key is absent). `LabelIndex` answers "which of these N pod templates does
this selector pick?" for many selectors without comparing every selector with every template.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from topo.load.reader import type_name
from topo.model.errors import ManifestError
from topo.model.names import label_value_problems, qualified_name_problems

IN = "In"
NOT_IN = "NotIn"
EXISTS = "Exists"
DOES_NOT_EXIST = "DoesNotExist"
OPERATORS = (IN, NOT_IN, EXISTS, DOES_NOT_EXIST)

_OPERATORS_WITH_VALUES = frozenset((IN, NOT_IN))


@dataclass(frozen=True, slots=True)
class Requirement:
    """One condition on one label key; a selector is the AND of its requirements.

    A `matchLabels` entry `app: web` is `Requirement("app", "In", ("web",))`: upstream builds it
    with the Equals operator, which `Requirement.Matches` (pkg/labels/selector.go) treats exactly
    like a single-valued In, so topo keeps one operator for both.
    """

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.values, tuple):  # accept a list from hand-built selectors
            object.__setattr__(self, "values", tuple(self.values))
        if self.operator not in OPERATORS:
            raise ValueError(f"{self.operator!r} is not one of {', '.join(OPERATORS)}")
        if (self.operator in _OPERATORS_WITH_VALUES) != bool(self.values):
            raise ValueError(f"{self.operator} requirement on {self.key!r} has the wrong number of values")

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when `labels` satisfies this requirement (pkg/labels/selector.go Requirement.Matches).

        In needs the key with one of the values; NotIn is satisfied by an absent key; Exists and
        DoesNotExist look at the key only. Label values are compared as exact strings.
        """
        operator = self.operator
        if operator == IN:
            return self.key in labels and labels[self.key] in self.values
        if operator == NOT_IN:
            return self.key not in labels or labels[self.key] not in self.values
        if operator == EXISTS:
            return self.key in labels
        return self.key not in labels

    @property
    def is_equality(self) -> bool:
        """An In with exactly one value: what a `matchLabels` entry or a Service selector key is."""
        return self.operator == IN and len(self.values) == 1

    def to_text(self) -> str:
        """kubectl's notation (Requirement.String): `app=web`, `tier in (a,b)`, `x notin (y)`, `x`, `!x`.

        Values are listed sorted, as upstream does; a single-valued In is written `key=value`.
        """
        if self.operator == EXISTS:
            return self.key
        if self.operator == DOES_NOT_EXIST:
            return f"!{self.key}"
        if self.is_equality:
            return f"{self.key}={self.values[0]}"
        word = "in" if self.operator == IN else "notin"
        return f"{self.key} {word} ({','.join(sorted(self.values))})"


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """The AND of `requirements`; or, when `matches_nothing`, the selector that selects nothing.

    No requirements and not `matches_nothing` is the everything-selector (an empty `{}`
    metav1.LabelSelector). `matches_nothing` is what a null selector means (labels.Nothing()).
    """

    requirements: tuple[Requirement, ...] = ()
    matches_nothing: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.requirements, tuple):
            object.__setattr__(self, "requirements", tuple(self.requirements))
        if self.matches_nothing and self.requirements:
            raise ValueError("a selector that matches nothing has no requirements")

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when every requirement holds for `labels` (never for the nothing-selector)."""
        if self.matches_nothing:
            return False
        return all(requirement.matches(labels) for requirement in self.requirements)

    @property
    def is_everything(self) -> bool:
        """True for the selector that selects every object (`{}`), not for the null one."""
        return not self.matches_nothing and not self.requirements

    @property
    def match_labels(self) -> dict[str, str]:
        """The `key: value` equalities (single-valued In requirements), as a plain map.

        This is the part of the selector a `matchLabels` map or Service selector could express
        (compare LabelSelectorAsMap in pkg/apis/meta/v1/helpers.go). When two equalities name the
        same key with different values the selector matches nothing; the first one is kept.
        """
        equalities: dict[str, str] = {}
        for requirement in self.requirements:
            if requirement.is_equality:
                equalities.setdefault(requirement.key, requirement.values[0])
        return equalities

    def to_text(self) -> str:
        """kubectl's notation, requirements sorted by key: `app=web,tier in (a,b),!x`.

        Like upstream `Selector.String()` this is "" both for everything and for nothing; callers
        that print it tell the two apart with `is_everything` / `matches_nothing`.
        """
        ordered = sorted(self.requirements, key=lambda requirement: requirement.key)
        return ",".join(requirement.to_text() for requirement in ordered)


EVERYTHING = LabelSelector()
NOTHING = LabelSelector(matches_nothing=True)


# --- parsing ------------------------------------------------------------------------------------

_SELECTOR_FIELDS = frozenset(("matchLabels", "matchExpressions"))
_REQUIREMENT_FIELDS = frozenset(("key", "operator", "values"))


def parse_label_selector(value: Any, path: str) -> LabelSelector:
    """Read a metav1.LabelSelector (`matchLabels` + `matchExpressions`) at field `path`.

    Semantics of LabelSelectorAsSelector (k8s.io/apimachinery pkg/apis/meta/v1/helpers.go):
    null or absent matches nothing; `{}` (or both parts empty) matches everything; otherwise the
    matchLabels equalities and the matchExpressions are ANDed. Validation follows
    labels.NewRequirement (pkg/labels/selector.go): the operator is one of In, NotIn, Exists,
    DoesNotExist; In/NotIn need values; Exists/DoesNotExist take none; keys and values have label
    syntax. Values must be strings: the API server refuses `version: 1` ("cannot unmarshal number
    into ... of type string"). Unknown fields (`matchlabel:`) are refused as kubectl's strict field
    validation does: silently ignoring one would turn a typo into an everything-selector.
    """
    if value is None:
        return NOTHING
    if not isinstance(value, Mapping):
        raise ManifestError(path, f"expected a label selector mapping, got {type_name(value)}")
    _refuse_unknown_fields(value, _SELECTOR_FIELDS, path)
    requirements = [
        Requirement(key, IN, (label_value,))
        for key, label_value in sorted(
            _string_map(value.get("matchLabels"), _child(path, "matchLabels")).items()
        )
    ]
    expressions = value.get("matchExpressions")
    expressions_path = _child(path, "matchExpressions")
    if expressions is not None and not isinstance(expressions, list):
        raise ManifestError(expressions_path, f"expected a list, got {type_name(expressions)}")
    for index, expression in enumerate(expressions or ()):
        requirements.append(_parse_requirement(expression, f"{expressions_path}[{index}]"))
    requirements.sort(key=lambda requirement: requirement.key)  # stable: matchLabels first per key
    return LabelSelector(tuple(requirements))


def selector_from_map(value: Mapping[str, Any] | None, path: str) -> LabelSelector:
    """The selector of a plain `{key: value}` map (Service, ReplicationController `spec.selector`).

    Every key must equal its value. A missing or empty map selects nothing: the endpoints and
    endpointslice controllers skip a Service whose `Spec.Selector == nil` ("services without a
    selector receive no endpoints from this controller", pkg/controller/endpoint/
    endpoints_controller.go), and an empty map is stored as nil because protobuf and
    `json:"selector,omitempty"` do not keep an empty map apart from a missing one. Such Services
    get their endpoints from someone else (manual Endpoints/EndpointSlices).

    A ReplicationController with an empty selector is defaulted to its template labels first
    (SetDefaults_ReplicationController, pkg/apis/core/v1/defaults.go); that defaulting is the
    caller's job, before calling this.
    """
    labels = _string_map(value, path)
    if not labels:
        return NOTHING
    return LabelSelector(tuple(Requirement(key, IN, (labels[key],)) for key in sorted(labels)))


def _parse_requirement(expression: Any, path: str) -> Requirement:
    if not isinstance(expression, Mapping):
        raise ManifestError(path, f"expected a mapping, got {type_name(expression)}")
    _refuse_unknown_fields(expression, _REQUIREMENT_FIELDS, path)
    key = _string_field(expression, "key", path)
    _check_label_key(key, _child(path, "key"))
    operator = _string_field(expression, "operator", path)
    if operator not in OPERATORS:
        raise ManifestError(
            _child(path, "operator"),
            f'"{operator:.40}" is not a valid label selector operator (one of {", ".join(OPERATORS)})',
        )
    values = _string_list(expression.get("values"), _child(path, "values"))
    values_path = _child(path, "values")
    if operator in _OPERATORS_WITH_VALUES and not values:
        raise ManifestError(values_path, "for 'in', 'notin' operators, values set can't be empty")
    if operator not in _OPERATORS_WITH_VALUES and values:
        raise ManifestError(values_path, "values set must be empty for exists and does not exist")
    for index, label_value in enumerate(values):
        _check_label_value(label_value, f"{values_path}[{index}]")
    return Requirement(key, operator, values)


def _string_field(mapping: Mapping[str, Any], name: str, path: str) -> str:
    """A string field; null/absent reads as "" as Go's JSON decoding leaves it."""
    value = mapping.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ManifestError(_child(path, name), f"must be a string, got {type_name(value)}")
    return value


def _string_list(value: Any, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ManifestError(path, f"expected a list of strings, got {type_name(value)}")
    strings = []
    for index, item in enumerate(value):
        if item is None:  # Go decodes null into a []string element as ""
            item = ""
        if not isinstance(item, str):
            raise ManifestError(f"{path}[{index}]", f"must be a string, got {type_name(item)}")
        strings.append(item)
    return tuple(strings)


def _string_map(value: Any, path: str) -> dict[str, str]:
    """A validated label map (map[string]string): label-syntax keys, string values.

    YAML turns `version: 1` into a number and `enabled: true` into a boolean; as map values the
    API server refuses both, so they are ManifestErrors here. A null value decodes to "" in Go.
    Integer and boolean *keys* are turned into text first, as sigs.k8s.io/yaml's YAMLToJSON does.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ManifestError(path, f"expected a mapping of label keys to strings, got {type_name(value)}")
    labels: dict[str, str] = {}
    for raw_key, raw_value in value.items():
        key = _yaml_key_text(raw_key, path)
        _check_label_key(key, path)
        label_value = "" if raw_value is None else raw_value
        if not isinstance(label_value, str):
            raise ManifestError(
                path, f'value of "{key}" must be a string, got {type_name(raw_value)} (quote it in YAML)'
            )
        _check_label_value(label_value, path, key)
        labels[key] = label_value
    return labels


def _yaml_key_text(key: Any, path: str) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    raise ManifestError(path, f"label keys must be strings, got {type_name(key)}")


def _refuse_unknown_fields(mapping: Mapping[Any, Any], known: frozenset[str], path: str) -> None:
    for name in mapping:
        if name not in known:
            raise ManifestError(
                _child(path, str(name)),
                f'unknown field "{name}" (expected one of {", ".join(sorted(known))})',
            )


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# --- label syntax (one home: topo/model/names.py) -------------------------------------------------


def _check_label_key(key: str, path: str) -> None:
    """IsQualifiedName: `[prefix/]name`, name ≤ 63 alphanumerics with `-_.` inside, prefix a DNS subdomain."""
    problems = qualified_name_problems(key)
    if problems:
        raise ManifestError(path, f'invalid label key "{key:.80}": {"; ".join(problems)}')


def _check_label_value(value: str, path: str, key: str | None = None) -> None:
    """IsValidLabelValue: empty, or ≤ 63 alphanumerics with `-_.` inside."""
    problems = label_value_problems(value)
    if problems:
        where = f' of "{key}"' if key is not None else ""
        raise ManifestError(path, f'invalid label value "{value:.80}"{where}: {"; ".join(problems)}')


#: label key → the values a controller gives its pods beyond the template's labels (None: a hash
#: computed at run time, any value); see topo/model/controller_labels.py.
ControllerLabels = Mapping[str, "frozenset[str] | None"]


def matches_with_controller_labels(
    selector: LabelSelector, labels: Mapping[str, str], added: ControllerLabels
) -> bool:
    """Whether `selector` matches at least one pod with the template `labels` plus the labels the
    controller `added` (each requirement on an added key holds for some pod)."""
    if selector.matches_nothing:
        return False
    for requirement in selector.requirements:
        key = requirement.key
        if key not in added:
            if not requirement.matches(labels):
                return False
            continue
        values = added[key]
        operator = requirement.operator
        if operator == DOES_NOT_EXIST:
            return False
        if operator == IN and values is not None and not (values & set(requirement.values)):
            return False
        if operator == NOT_IN and values is not None and not (values - set(requirement.values)):
            return False
    return True


def _matches(selector: LabelSelector, labels: Mapping[str, str], added: ControllerLabels | None) -> bool:
    if added:
        return matches_with_controller_labels(selector, labels, added)
    return selector.matches(labels)


# --- matching many selectors against many label sets --------------------------------------------


Item = TypeVar("Item")


class _NamespaceEntries(Generic[Item]):
    """One namespace's items with posting lists: (key, value) -> positions, key -> positions."""

    __slots__ = ("added", "by_any_value", "by_key", "by_pair", "labels", "names")

    def __init__(self) -> None:
        self.names: list[Item] = []
        self.labels: list[Mapping[str, str]] = []
        self.added: list[ControllerLabels | None] = []
        self.by_pair: dict[tuple[str, str], list[int]] = {}
        self.by_key: dict[str, list[int]] = {}
        self.by_any_value: dict[str, list[int]] = {}  # controller labels whose value is a hash


class LabelIndex(Generic[Item]):
    """An inverted index from labels to items (pod templates, pods), one per namespace.

    `matching` starts from the smallest posting list among the selector's positive requirements
    (an In's values, or an Exists' key) and verifies each candidate with `LabelSelector.matches`,
    so linking S selectors to P templates costs about the size of the answers rather than S x P.
    Only a selector without positive requirements (everything, NotIn/DoesNotExist only) scans the
    whole namespace. Results keep insertion order.
    """

    __slots__ = ("_namespaces", "_positions")

    def __init__(self) -> None:
        self._namespaces: dict[str, _NamespaceEntries[Item]] = {}
        self._positions: dict[tuple[str, Item], int] = {}

    def add(
        self, namespace: str, item: Item, labels: Mapping[str, str], added: ControllerLabels | None = None
    ) -> None:
        """Index `item` with its `labels` in `namespace`; an item is added once per namespace.

        `added`: the labels its controller adds to each pod (an ordinal's name, a hash)."""
        if (namespace, item) in self._positions:
            raise ValueError(f"{item!r} is already indexed in namespace {namespace!r}")
        entries = self._namespaces.setdefault(namespace, _NamespaceEntries())
        position = len(entries.names)
        self._positions[(namespace, item)] = position
        entries.names.append(item)
        # the model's label maps are read-only (like the documents they come from): kept, not copied
        kept = labels if type(labels) is dict else dict(labels)
        entries.labels.append(kept)
        for key, value in kept.items():
            entries.by_pair.setdefault((key, value), []).append(position)
            entries.by_key.setdefault(key, []).append(position)
        entries.added.append(added or None)
        for key, values in (added or {}).items():
            entries.by_key.setdefault(key, []).append(position)
            if values is None:
                entries.by_any_value.setdefault(key, []).append(position)
            else:
                for value in values:
                    entries.by_pair.setdefault((key, value), []).append(position)

    def matching(self, namespace: str, selector: LabelSelector) -> list[Item]:
        """The items of `namespace` whose labels `selector` matches, in insertion order."""
        entries = self._namespaces.get(namespace)
        if entries is None or selector.matches_nothing:
            return []
        narrowest = _narrowest_candidates(entries, selector.requirements)
        candidates = range(len(entries.names)) if narrowest is None else narrowest
        labels, names, added = entries.labels, entries.names, entries.added
        return [
            names[position]
            for position in dict.fromkeys(candidates)  # an item may sit under several values
            if _matches(selector, labels[position], added[position])
        ]

    def items(self, namespace: str) -> list[Item]:
        """Every item of `namespace`, in insertion order."""
        entries = self._namespaces.get(namespace)
        return list(entries.names) if entries else []

    def labels_of(self, namespace: str, item: Item) -> Mapping[str, str]:
        """The labels `item` was added with."""
        entries = self._namespaces[namespace]
        return entries.labels[self._positions[(namespace, item)]]

    def namespaces(self) -> list[str]:
        """The namespaces that have items, in the order first seen."""
        return list(self._namespaces)

    def __len__(self) -> int:
        return len(self._positions)


def _narrowest_candidates(
    entries: _NamespaceEntries[Item], requirements: Sequence[Requirement]
) -> Iterator[int] | None:
    """Positions that can satisfy the most selective positive requirement, or None if there is none."""
    best: list[list[int]] | None = None
    best_size = 0
    for requirement in requirements:
        if requirement.operator == IN:
            postings = [
                entries.by_pair.get((requirement.key, value), []) for value in set(requirement.values)
            ] + [entries.by_any_value.get(requirement.key, [])]
        elif requirement.operator == EXISTS:
            postings = [entries.by_key.get(requirement.key, [])]
        else:
            continue
        size = sum(len(posting) for posting in postings)
        if best is None or size < best_size:
            best, best_size = postings, size
            if size == 0:
                break
    if best is None:
        return None
    if len(best) == 1:
        return iter(best[0])
    # Postings are in insertion order; merge keeps it (duplicates, from controller labels with
    # several values, are dropped by the caller).
    return heapq.merge(*best)
