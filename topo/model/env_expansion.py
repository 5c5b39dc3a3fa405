"""Variable references in a container's env values, command and args: `$(VAR_NAME)`.

The kubelet replaces `$(VAR_NAME)` with the value of a variable defined before it in the same
container (env values) or anywhere in the container's environment (command and args); a
reference to a variable it does not know stays as written, and `$$` is a literal `$` (so
`$$(VAR)` is never expanded).
https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
and the API reference of `EnvVar.value` / `Container.args`; the code is
k8s.io/kubernetes third_party/forked/golang/expansion/expand.go (`Expand`, `MappingFuncFor`),
pkg/kubelet/kubelet_pods.go (`makeEnvironmentVariables`: envFrom, then each env in order, a
`value` expanded against the variables so far) and pkg/kubelet/container/helpers.go
(`ExpandContainerCommandAndArgs`: against the whole environment).

topo knows a variable's value when it is a literal `value` (expanded in turn) or one of the pod
fields the input fixes (`known_pod_fields`). Any other variable (envFrom, a Secret or ConfigMap
key, the pod IP, the Service links) has a value topo cannot know: a reference to it is left as
written, as to an undefined one, and `REFERENCE` tells the scanner that it names no host.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from topo.model.build import statefulset_ordinals
from topo.model.objects import EnvVar, Workload

#: A reference to a variable whose name is valid by the classic rule, `[-._a-zA-Z][-._a-zA-Z0-9]*`
#: (k8s.io/apimachinery pkg/util/validation IsEnvVarName). Whatever it stands for, it is never a
#: host name as written.
REFERENCE = re.compile(r"\$\([-._a-zA-Z][-._a-zA-Z0-9]*\)")


def expand(text: str, variables: Mapping[str, str]) -> str:
    """`text` as the kubelet expands it against `variables` (expansion.Expand): `$(NAME)` of a
    known variable → its value, of another one → unchanged; `$$` → `$`; any other `$` and an
    unclosed `$(` → unchanged.

    >>> expand("$(PROTOCOL)://$(HOST):$(PORT) $$(HOST) $x", {"PROTOCOL": "https", "HOST": "web"})
    'https://web:$(PORT) $(HOST) $x'
    """
    if "$" not in text:
        return text
    parts: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(text) - 1:  # a `$` that ends the text is itself
        if text[cursor] == "$":
            parts.append(text[checkpoint:cursor])
            following = text[cursor + 1]
            close = text.find(")", cursor + 2) if following == "(" else -1
            if close != -1:
                name = text[cursor + 2 : close]
                parts.append(variables.get(name, f"$({name})"))
                cursor = close
            else:
                parts.append("$" if following == "$" else "$" + following)
                cursor += 1
            checkpoint = cursor + 1
        cursor += 1
    return "".join(parts) + text[checkpoint:]


def container_variables(
    env: Iterable[EnvVar], pod_fields: Mapping[str, str]
) -> tuple[list[tuple[EnvVar, str]], dict[str, str]]:
    """(each variable with a literal `value`, expanded against the variables defined before it;
    every variable whose final value topo knows, to expand the command and args with)."""
    known: dict[str, str] = {}
    values: list[tuple[EnvVar, str]] = []
    for variable in env:
        if variable.value:
            value = expand(variable.value, known) if "$" in variable.value else variable.value
            values.append((variable, value))
            known[variable.name] = value
        elif variable.field_path is not None and variable.field_path in pod_fields:
            known[variable.name] = pod_fields[variable.field_path]
        else:
            known.pop(variable.name, None)  # a value topo cannot know replaces the earlier one
    return values, known


def known_pod_fields(workload: Workload) -> dict[str, str]:
    """The downward-API fields (`fieldRef.fieldPath`) the input fixes for the workload's pods:
    `metadata.namespace`, and `metadata.name` for a bare Pod and a StatefulSet. A StatefulSet's
    pods are `<name>-<ordinal>` and differ only in the ordinal, so the first one stands for all
    (`$(POD_NAME).<governing Service>` is each pod's own per-pod name); a StatefulSet without
    replicas runs no pod. Other controllers' pods get generated names."""
    fields: dict[str, str] = {}
    if workload.namespace is not None:
        fields["metadata.namespace"] = workload.namespace
    if workload.kind == "Pod" and not workload.folded_pods:
        fields["metadata.name"] = workload.name
    elif workload.kind == "StatefulSet":
        ordinals = statefulset_ordinals(workload)
        if ordinals:
            fields["metadata.name"] = f"{workload.name}-{ordinals[0]}"
    return fields
