"""The field a finding is about, for rules that do not give `Issue.path`: read from the message.

Messages name their field in a few fixed ways; each is mapped to a path inside the subject:
- a message that starts with a field path (`spec.ports[1].nodePort 80 is outside ...`);
- a DNS name found in a container's env, command or args (`(env DB_URL of container api)`,
  the `found` text of the graph's `calls` edges): that env entry, or the command or args; found
  in a ConfigMap or Secret key (`ConfigMap/shop/app key DB_URL`): the env entry, envFrom or
  volume through which the workload takes that key;
- a container named in quotes (`container 'web' has no readinessProbe`): that container.
Nothing found: None, and the finding stays at its object's first line.
"""

from __future__ import annotations

import re

from topo.model import K8sObject, Workload

_LEADING_FIELD = re.compile(
    r"(?:spec|metadata|data|stringData|apiVersion)(?:\.[A-Za-z0-9_-]+|\[\d+\])*(?=[: ]|$)"
)
_ENV = re.compile(r"\benv (\S+) of container (\S+?)(?:[);,]|$)")
_COMMAND = re.compile(r"\b(command|args) of container (\S+?)(?:[);,]|$)")
_CONTAINER = re.compile(r"\bcontainers? '([^']*)'")
_CONFIG_KEY = re.compile(r"\b(ConfigMap|Secret)/[^/\s]+/([^\s;)]+) key ([-._A-Za-z0-9]+)")


def leading_field_path(message: str) -> str | None:
    """The field path a message starts with, when it starts with one."""
    match = _LEADING_FIELD.match(message)
    return match.group(0) if match else None


def field_named_in(subject: K8sObject, message: str) -> str | None:
    """The path of the field `message` names inside `subject`, or None."""
    path = leading_field_path(message)
    if path is not None or not isinstance(subject, Workload):
        return path
    path = found_field(subject, message)
    if path is not None:
        return path
    match = _CONTAINER.search(message) if "container" in message else None
    container = _container(subject, match.group(1)) if match else None
    return container.path if container is not None else None


def found_field(workload: Workload, found: str | None) -> str | None:
    """The env entry, command or args that a `calls` edge's `found` text names; for a name found
    in a ConfigMap or Secret key, where the workload takes that key in."""
    if not found:
        return None
    # (substring tests are ~20x cheaper than the searches)
    path = _container_field(workload, found) if " of container " in found else None
    if path is None and " key " in found and ("ConfigMap/" in found or "Secret/" in found):
        path = _config_ref_taking(workload, found)
    return path


def _container_field(workload: Workload, found: str) -> str | None:
    match = _ENV.search(found)
    container = _container(workload, match.group(2)) if match else None
    if match and container is not None:
        for env in container.env:
            if env.name == match.group(1):
                return env.path
    match = _COMMAND.search(found)
    container = _container(workload, match.group(2)) if match else None
    if match and container is not None:
        return f"{container.path}.{match.group(1)}"
    return None


def _config_ref_taking(workload: Workload, found: str) -> str | None:
    """The path of the reference through which the workload receives `Kind/namespace/name key K`:
    a configMapKeyRef/secretKeyRef of that key first, then a volume whose `items` list it, then
    an envFrom or a volume that takes every key."""
    match = _CONFIG_KEY.search(found)
    if match is None:
        return None
    kind, name, key = match.groups()
    refs = [ref for ref in workload.template.spec.config_refs if ref.kind == kind and ref.name == name]
    for takes in (
        lambda ref: ref.key == key,
        lambda ref: ref.key is None and ref.items is not None and key in ref.items,
        lambda ref: ref.key is None and ref.items is None,
    ):
        for ref in refs:
            if takes(ref):
                return ref.path
    return None


def _container(workload: Workload, name: str):
    """The workload's container (init and sidecar containers included) named `name`, or None;
    the last one of that name, should a manifest repeat it."""
    found = None
    for container in workload.template.spec.all_containers():
        if container.name == name:
            found = container
    return found
