"""The field a finding is about, for rules that do not give `Issue.path`: read from the message.

Messages name their field in a few fixed ways; each is mapped to a path inside the subject:
- a message that starts with a field path (`spec.ports[1].nodePort 80 is outside ...`);
- a DNS name found in a container's env, command or args (`(env DB_URL of container api)`,
  the `found` text of the graph's `calls` edges): that env entry, or the command or args;
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
    """The env entry, command or args that a `calls` edge's `found` text names."""
    if not found or " of container " not in found:  # (a substring test is ~20x cheaper than the search)
        return None
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


def _container(workload: Workload, name: str):
    """The workload's container (init and sidecar containers included) named `name`, or None;
    the last one of that name, should a manifest repeat it."""
    found = None
    for container in workload.template.spec.all_containers():
        if container.name == name:
            found = container
    return found
