"""Service and Ingress validation: types, ports, external names and HTTP paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topo.analyses.validation.common import (
    Problem,
    _join,
    _mapping,
    _maps,
    port_num_or_name_problems,
    port_number_problems,
)
from topo.model.names import (
    dns1123_label_problems,
    dns1123_subdomain_problems,
)
from topo.model.objects import (
    Ingress,
    Service,
)

# --- Services ------------------------------------------------------------------------------------

_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
_PROTOCOLS = ("TCP", "UDP", "SCTP")


def service_problems(service: Service) -> list[Problem]:
    """ValidateService: type, ports required, headless vs type, ExternalName, per-port checks,
    nodePort only outside ClusterIP, and no two ports with the same port and protocol."""
    spec = _mapping(service.raw.get("spec"))
    service_type = service.type or "ClusterIP"
    found = []
    if service_type not in _SERVICE_TYPES:
        found.append(
            Problem(
                "spec.type",
                f'Unsupported value "{service_type}": supported values: '
                '"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
            )
        )
    if not service.ports and not service.headless and service_type != "ExternalName":
        found.append(
            Problem(
                "spec.ports",
                "Required value: a Service needs at least one port (unless headless or ExternalName)",
            )
        )
    if service.headless and service_type in ("LoadBalancer", "NodePort"):
        path = "spec.clusterIP" if spec.get("clusterIP") is not None else "spec.clusterIPs[0]"
        found.append(
            Problem(path, f"Invalid value \"None\": may not be set to 'None' for {service_type} services")
        )
    if service_type == "ExternalName":
        found += _external_name_problems(service, spec)
    found += service_port_problems(service)
    return found


def _external_name_problems(service: Service, spec: Mapping[str, Any]) -> list[Problem]:
    found = []
    if spec.get("clusterIP") not in (None, "") or spec.get("clusterIPs"):
        found.append(Problem("spec.clusterIPs", "Forbidden: may not be set for ExternalName services"))
    name = (service.external_name or "").removesuffix(".")
    if not name:
        found.append(
            Problem("spec.externalName", "Required value: an ExternalName Service needs externalName")
        )
    else:
        messages = dns1123_subdomain_problems(name)
        if messages:
            found.append(
                Problem("spec.externalName", f'Invalid value "{service.external_name}": {_join(messages)}')
            )
    return found


def service_port_problems(service: Service) -> list[Problem]:
    """validateServicePort for each port, plus ValidateService's duplicate (port, protocol) and
    (nodePort, protocol) checks. With more than one port every port must be named."""
    found = []
    names: set[str] = set()
    ports_seen: set[tuple[int, str]] = set()
    node_ports_seen: set[tuple[int, str]] = set()
    require_name = len(service.ports) > 1
    service_type = service.type or "ClusterIP"
    for index, port in enumerate(service.ports):
        path = f"spec.ports[{index}]"
        if port.name:
            messages = dns1123_label_problems(port.name)
            if messages:
                found.append(Problem(f"{path}.name", f'Invalid value "{port.name}": {_join(messages)}'))
            if port.name in names:
                found.append(Problem(f"{path}.name", f'Duplicate value "{port.name}"'))
            names.add(port.name)
        elif require_name:
            found.append(
                Problem(
                    f"{path}.name",
                    "Required value: every port must be named when a Service has more than one",
                )
            )
        if port_number_problems(port.port):
            found.append(
                Problem(f"{path}.port", f"Invalid value {port.port}: must be between 1 and 65535, inclusive")
            )
        if port.protocol not in _PROTOCOLS:
            found.append(
                Problem(
                    f"{path}.protocol",
                    f'Unsupported value "{port.protocol}": supported values: "SCTP", "TCP", "UDP"',
                )
            )
        if port.target_port != "":  # "" is defaulted to the port (SetDefaults_Service)
            messages = port_num_or_name_problems(port.target_port)
            if messages:
                shown = (
                    f'"{port.target_port}"' if isinstance(port.target_port, str) else str(port.target_port)
                )
                found.append(Problem(f"{path}.targetPort", f"Invalid value {shown}: {_join(messages)}"))
        if port.node_port and service_type == "ClusterIP":
            found.append(Problem(f"{path}.nodePort", "Forbidden: may not be used when type is 'ClusterIP'"))
        if port.node_port:
            if (port.node_port, port.protocol) in node_ports_seen:
                found.append(Problem(f"{path}.nodePort", f"Duplicate value {port.node_port}"))
            node_ports_seen.add((port.node_port, port.protocol))
        if (port.port, port.protocol) in ports_seen:
            found.append(
                Problem(path, f"Duplicate value: port {port.port}/{port.protocol} is already declared")
            )
        ports_seen.add((port.port, port.protocol))
    return found


_PATH_TYPES = ("Exact", "Prefix", "ImplementationSpecific")
_INVALID_PATH_PARTS = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")


def ingress_problems(ingress: Ingress) -> list[Problem]:
    """networking.k8s.io/v1 paths: pathType required and known; Exact/Prefix paths absolute and clean.

    pkg/apis/networking/validation/validation.go validateHTTPIngressPath: "pathType must be
    specified" (v1 has no default), "must be an absolute path", and the invalid sequences
    (`//`, `/./`, `/../`, `%2f`) for Exact and Prefix paths.
    """
    if ingress.api_version != "networking.k8s.io/v1":
        return []
    problems: list[Problem] = []
    rules = _mapping(ingress.raw.get("spec")).get("rules")
    for rule_index, rule in enumerate(_maps(rules)):
        paths = _mapping(rule.get("http")).get("paths")
        for path_index, entry in enumerate(_maps(paths)):
            where = f"spec.rules[{rule_index}].http.paths[{path_index}]"
            path_type = entry.get("pathType")
            path = entry.get("path")
            if path_type is None:
                problems.append(Problem(f"{where}.pathType", "Required value: pathType must be specified"))
                continue
            if path_type not in _PATH_TYPES:
                problems.append(
                    Problem(
                        f"{where}.pathType",
                        f'Unsupported value: "{path_type}": supported values: {", ".join(_PATH_TYPES)}',
                    )
                )
                continue
            needs_absolute_path = path_type in ("Exact", "Prefix") or path
            if needs_absolute_path and (not isinstance(path, str) or not path.startswith("/")):
                problems.append(Problem(f"{where}.path", "Invalid value: must be an absolute path"))
                continue
            if (
                path_type in ("Exact", "Prefix")
                and isinstance(path, str)  # (checked just above)
                and (
                    any(part in path for part in _INVALID_PATH_PARTS) or path.endswith(_INVALID_PATH_SUFFIXES)
                )
            ):
                problems.append(
                    Problem(
                        f"{where}.path",
                        f"Invalid value: {path!r}: must not contain //, /./, /../ or %2f, nor end in /. or /..",
                    )
                )
    return problems
