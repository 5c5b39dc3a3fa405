"""Which Helm values key set a value of a rendered object (best effort).

Method: every values source in Helm's order (the chart's `values.yaml`, each `--values` file,
each `--set`) is flattened to dotted keys with the line each key is on; the last source to set a
key wins, as in `helm template`. For a rendered object, the keys its template file reads
(`.Values.a.b`, also through `$.Values` and `index .Values "a"` is not followed) whose merged
value is a scalar that appears as a field value of the object are recorded as the object's value
origins — except a key under a mapping whose `enabled` is false, which the chart does not read
(`oidc.clientId` beside `oidc.enabled: false`), and a key whose value the object has no more
often than the template's own text writes it (`type: Directory`). A finding names such an origin
when the origin's value appears in the finding's message (topo.api: Analysis.findings). Values
passed through helpers (`include`) or computed (`printf`, `default`) are found only when the
final value still equals the values entry.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from topo.load.helm_values import ValuesError, parse_set
from topo.load.nesting import refuse_deep_nesting
from topo.load.reader import display_name
from topo.load.source import Source, ValueOrigin
from topo.load.units import RenderOptions, Unit
from topo.load.yamldocs_base import SafeLoader

_VALUES_REFERENCE = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)")
_ACTIONS = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_COMMENT = re.compile(r"(?:^|(?<=\s))#.*$", re.MULTILINE)


def _literal_pattern(value: str) -> re.Pattern[str]:
    """The value as a whole YAML scalar of a template's text (`type: Directory`, `- "Directory"`),
    not a part of a longer one (`DirectoryOrCreate`)."""
    return re.compile(rf"(?<![^\s:\[{{,\"']){re.escape(value)}(?![^\s,\]}}\"'])")


class ValuesIndex:
    def __init__(self, unit: Unit, options: RenderOptions):
        self.keys: dict[str, ValueOrigin] = {}
        chart_values = os.path.join(unit.directory, "values.yaml")
        for path in (chart_values, *options.values):
            for key, value, line in _flattened_file(path):
                self.keys[key] = ValueOrigin(value, f"values key {key}", display_name(path), line)
        for expression in options.set_values:
            try:
                parsed = parse_set(expression)
            except ValuesError:  # reported by the renderer
                continue
            for key, value in _flatten(parsed, ""):
                self.keys[key] = ValueOrigin(_text(value), f"--set {key}", None, 0)
        self.origins: dict[Source, list[ValueOrigin]] = {}
        self._references: dict[str, list[str]] = {}
        self._subchart_keys: dict[str, dict[str, ValueOrigin]] = {}  # a subchart's own values.yaml
        self._texts: dict[str, str] = {}
        self._literals: dict[str, dict[str, int]] = {}  # template → value → times written as is

    def record(
        self, source: Source, template_path: str, data: Mapping[str, Any], subchart: tuple[str, str] | None
    ) -> None:
        """Note the values keys of `template_path` whose value appears in the rendered object.
        `subchart`: for a subchart's template, the prefix of its values in the parent's (`a.b.`)
        and its folder (topo.load.helm_subcharts.SubchartFolders.subchart)."""
        rendered = [_text(value) for value in _leaf_values(data)]
        leaves = set(rendered)
        found = []
        for key in self._referenced(template_path):
            origin = self._origin(key, subchart)
            if origin is None or origin in found or not _appears(origin.value, leaves):
                continue
            if self._switched_off(key, subchart) or self._written_out(origin.value, rendered, template_path):
                continue
            found.append(origin)
        if found:
            known = self.origins.setdefault(source, [])
            known.extend(o for o in found if o not in known)

    def _written_out(self, value: str, rendered: list[str], template_path: str) -> bool:
        """The template writes the value itself as often as the object has it (`type: Directory`
        on five hostPath volumes, and `type: {{ .Values.iscsiDirHostPathType }}` under an `if`
        that did not render: democratic-csi's node template): the object's values may all be the
        template's own text, so the key is not named. A key whose value the object has more often
        than the template writes it is still named (it set at least one of them)."""
        if value not in rendered:
            return False  # part of a field (`image: repo:tag`): not a value the template writes
        counts = self._literals.setdefault(template_path, {})
        if value not in counts:
            counts[value] = len(_literal_pattern(value).findall(self._literal_text(template_path)))
        return counts[value] > 0 and rendered.count(value) <= counts[value]

    def _literal_text(self, template_path: str) -> str:
        """The template's text without its actions and comments: what it writes as it stands."""
        key = "\x00literal:" + template_path
        if key not in self._texts:
            text = _ACTIONS.sub("\x00", self._template_text(template_path))
            self._texts[key] = _COMMENT.sub("", text)
        return self._texts[key]

    def _switched_off(self, key: str, subchart: tuple[str, str] | None) -> bool:
        """A mapping that holds the key says `enabled: false` (`oidc.enabled` for `oidc.clientId`):
        charts read such a block only under `{{ if .Values.oidc.enabled }}`, so the key sets
        nothing, whatever its value equals (as topo.graph reads `enabled: false` blocks of
        configuration files)."""
        segments = key.split(".")
        for end in range(1, len(segments)):
            switch = self._origin(".".join(segments[:end]) + ".enabled", subchart)
            if switch is not None and switch.value == "false":
                return True
        return False

    def _origin(self, key: str, subchart: tuple[str, str] | None) -> ValueOrigin | None:
        """Where `.Values.<key>` of a template comes from. A subchart sees the parent's values under
        its name, over its own values.yaml, and the parent's `global` as its own (Helm's
        coalesceValues): `child.replicaCount`, not the parent's `replicaCount`."""
        if subchart is None or key.startswith("global."):
            return self.keys.get(key)
        prefix, directory = subchart
        if prefix + key in self.keys:
            return self.keys[prefix + key]
        if directory not in self._subchart_keys:
            path = os.path.join(directory, "values.yaml")
            self._subchart_keys[directory] = {
                k: ValueOrigin(value, f"values key {k}", display_name(path), line)
                for k, value, line in _flattened_file(path)
            }
        return self._subchart_keys[directory].get(key)

    def _template_text(self, template_path: str) -> str:
        if template_path not in self._texts:
            try:
                with open(template_path, encoding="utf-8-sig") as handle:
                    self._texts[template_path] = handle.read()
            except (OSError, UnicodeDecodeError):
                self._texts[template_path] = ""
        return self._texts[template_path]

    def _referenced(self, template_path: str) -> list[str]:
        if template_path not in self._references:
            text = self._template_text(template_path)
            keys = sorted({match.group(1)[1:] for match in _VALUES_REFERENCE.finditer(text)})
            self._references[template_path] = keys
        return self._references[template_path]


def origins_in_message(
    origins: list[ValueOrigin], message: str, path: str | None = None
) -> tuple[ValueOrigin, ...]:
    """The origins whose value the message quotes (not as part of an object id). Small numbers
    and booleans are everywhere, so
    one counts only right beside the word its key is named after (`replicaCount` = 1 in "1 replica",
    "maxUnavailable resolves to 1 of 1 replica"; not `minReadySeconds` = 0 in "minAvailable 0").
    `path`: the field the finding is about, which tells a kustomize patch's value from the same
    text elsewhere in the object (_quoted_from_the_patched_field)."""
    chosen = []
    for origin in origins:
        value = origin.value
        if origin.rendered_field is not None and not _quoted_from_the_patched_field(origin, message, path):
            continue
        # a part of an object id (`Deployment/shop/web`) is not a quoted value: the kind, namespace
        # or name of an object the message names, which a values key may merely equal
        if not value or not re.search(rf"(?<![\w./-]){re.escape(value)}(?![\w/-])", message):
            continue
        if re.fullmatch(r"-?\d+(\.\d+)?|true|false", value) and not _beside_its_key(origin, message):
            continue
        if _only_as_a_prose_word(value, message) and not _beside_its_key(origin, message):
            continue  # `labelName = pod` is not what "a pod that is only not ready" quotes
        if _only_as_the_namespace(value, message) and not _names_a_namespace(origin):
            continue  # "namespace otel" is the release's namespace, not `image.registry = otel`
        chosen.append(origin)
    return _named_in_the_message(chosen, message)


def _quoted_from_the_patched_field(origin: ValueOrigin, message: str, path: str | None) -> bool:
    """A patch's value is what the message quotes when the finding is about the field the patch
    set (its `path` is that field or holds it) or the message names that field beside the value
    ("6 replicas"), and no other field there holds the same value; when topo cannot tell which
    field the message quotes, only when no other field of the object holds it (a container named
    like the volumeClaimTemplate a patch renamed, a label a patch set to a container's name)."""
    field = origin.rendered_field or ""
    if path and (field == path or field.startswith((path + ".", path + "["))):
        inside = [p for p in origin.written_elsewhere if p == path or p.startswith((path + ".", path + "["))]
        return not inside
    return _beside_its_key(origin, message) or not origin.written_elsewhere


def _only_as_a_prose_word(value: str, message: str) -> bool:
    """A plain lowercase word that the message holds only between spaces (or closing a
    parenthesis: "(the default)"), as its own prose."""
    if not re.fullmatch(r"[a-z]+", value):
        return False
    padded = f" {message} "
    return all(
        padded[m.start() - 1].isspace() and (padded[m.end()].isspace() or padded[m.end()] in ",.;)")
        for m in re.finditer(rf"(?<![\w./-]){value}(?![\w/-])", padded)
    )


def _only_as_the_namespace(value: str, message: str) -> bool:
    """The message holds the value only as a namespace it names (`namespace otel`)."""
    found = list(re.finditer(rf"(?<![\w./-]){re.escape(value)}(?![\w/-])", message))
    return bool(found) and all(re.search(r"namespace '?$", message[: m.start()]) for m in found)


def _names_a_namespace(origin: ValueOrigin) -> bool:
    return any("namespace" in segment.lower() for segment in _key_segments(origin))


def _named_in_the_message(chosen: list[ValueOrigin], message: str) -> tuple[ValueOrigin, ...]:
    """Of the keys that set one value under one field name (`livenessProbe.failureThreshold` and
    `readinessProbe.failureThreshold`, both 5), the ones whose other segments the message names
    (it is about the livenessProbe), when it names any."""
    lowered = message.lower()

    def leaf(origin: ValueOrigin) -> tuple[str, str]:
        return origin.value, _key_segments(origin)[-1] if _key_segments(origin) else ""

    def named(origin: ValueOrigin) -> int:
        return sum(1 for segment in _key_segments(origin)[:-1] if segment.lower() in lowered)

    groups: dict[tuple[str, str], list[ValueOrigin]] = {}
    for origin in chosen:
        groups.setdefault(leaf(origin), []).append(origin)
    kept = []
    for origin in chosen:
        rivals = groups[leaf(origin)]
        best = max(named(rival) for rival in rivals)
        if len(rivals) == 1 or best == 0 or named(origin) == best:
            kept.append(origin)
    return tuple(kept)


def _key_segments(origin: ValueOrigin) -> list[str]:
    """The segments of a values key origin (`values key a.b[0].c` → a, b, c)."""
    key = origin.origin.split()[-1]
    return [segment for segment in re.split(r"[.\[\]]+", key) if segment and not segment.isdigit()]


def _beside_its_key(origin: ValueOrigin, message: str) -> bool:
    segment = origin.origin.split()[-1].split(".")[-1].split("[")[0]
    words = re.sub(r"([A-Z])", r" \1", segment).lower().split()
    if not words:
        return False
    head = words[0] if len(words[0]) >= 4 else "".join(words)
    stem, value = re.escape(head.rstrip("s")), re.escape(origin.value)
    # one word may stand between ("1 ready replica"), not an operator ("30 + failureThreshold 3")
    near = rf"(?<![\w.-]){value}\s+(?:[A-Za-z]\S*\s+)?{stem}|{stem}\w*\s+(?:[A-Za-z]\S*\s+)?{value}(?![\w-])"
    return re.search(near, message, re.IGNORECASE) is not None


def _appears(value: str, leaves: set[str]) -> bool:
    """The value is a field value, or part of one (`{{ .Values.image.repository }}:{{ .Values.image.tag }}`)."""
    if value in leaves:
        return True
    if len(value) < 3 or re.fullmatch(r"-?\d+(\.\d+)?|true|false", value):
        return False
    return any(value in leaf for leaf in leaves)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _leaf_values(data: Any) -> Iterator[Any]:
    if isinstance(data, Mapping):
        for value in data.values():
            yield from _leaf_values(value)
    elif isinstance(data, list):
        for item in data:
            yield from _leaf_values(item)
    elif data is not None:
        yield data


def _flatten(data: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif not isinstance(data, list) and data is not None and prefix:
        yield prefix, data


def _flattened_file(path: str) -> Iterator[tuple[str, str, int]]:
    """(dotted key, scalar value as text, line) of every scalar in a values file, document after
    document (Helm merges the documents of a values file, the later ones winning)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
        refuse_deep_nesting(text)
        nodes = list(yaml.compose_all(text, Loader=SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return
    for node in nodes:
        yield from _walk(node, "")


def _walk(node: Any, prefix: str) -> Iterator[tuple[str, str, int]]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            if isinstance(value_node, yaml.ScalarNode):
                if value_node.tag.endswith(":null"):
                    continue
                yield key, value_node.value, key_node.start_mark.line + 1
            else:
                yield from _walk(value_node, key)
