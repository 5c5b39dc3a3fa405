"""Pod spec validation: containers, ports, probes and volumes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from topo.analyses.validation.common import (
    Problem,
    _join,
    _mapping,
    _maps,
    port_name_problems,
    port_num_or_name_problems,
    port_number_problems,
)
from topo.model.names import dns1123_label_problems
from topo.model.objects import (
    Container,
    PodSpec,
)


def container_problems(spec: PodSpec, raw_spec: Mapping[str, Any]) -> list[Problem]:
    """validateContainers / validateInitContainers / validateContainerCommon: names (DNS-1123
    labels, unique across containers and init containers), image required, and restartPolicy
    (only `Always`, and only on init containers, where it makes a sidecar)."""
    found = []
    seen: set[str] = set()
    for container in spec.containers:
        found += _container_common_problems(container)
        if container.name in seen:
            found.append(Problem(f"{container.path}.name", f'Duplicate value "{container.name}"'))
        seen.add(container.name)
        if container.restart_policy is not None:
            found.append(
                Problem(
                    f"{container.path}.restartPolicy", "Forbidden: may not be set for non-init containers"
                )
            )
    for container, raw in zip(spec.init_containers, _maps(raw_spec.get("initContainers"))):
        found += _container_common_problems(container)
        if container.name in seen:
            found.append(Problem(f"{container.path}.name", f'Duplicate value "{container.name}"'))
        seen.add(container.name)
        if container.restart_policy is not None and container.restart_policy != "Always":
            found.append(
                Problem(
                    f"{container.path}.restartPolicy",
                    f'Unsupported value "{container.restart_policy}": supported values: "Always"',
                )
            )
        if not container.is_sidecar and raw.get("lifecycle") is not None:
            found.append(
                Problem(
                    f"{container.path}.lifecycle",
                    "Forbidden: may not be set for init containers without restartPolicy=Always",
                )
            )
    return found


def _container_common_problems(container: Container) -> list[Problem]:
    found = []
    messages = dns1123_label_problems(container.name)
    if not container.name:  # validateContainers: field.Required(idxPath.Child("name"), "")
        found.append(Problem(f"{container.path}.name", "Required value: every container needs a name"))
    elif messages:
        found.append(
            Problem(f"{container.path}.name", f'Invalid value "{container.name}": {_join(messages)}')
        )
    if not container.image:
        found.append(Problem(f"{container.path}.image", "Required value: every container needs an image"))
    return found


def port_problems(spec: PodSpec, raw_spec: Mapping[str, Any]) -> list[Problem]:
    """validateContainerPorts (names, numbers), AccumulateUniqueHostPorts (host port conflicts:
    across the regular containers, and within each init container, which run one at a time) and
    validatePodHostNetworkDeps (with hostNetwork, a hostPort must equal its containerPort)."""
    found = []
    for container in spec.all_containers():
        found += _container_port_problems(container)
    raw_regular = list(_maps(raw_spec.get("containers")))
    found += _host_port_conflicts(list(zip(spec.containers, raw_regular)))
    for pair in zip(spec.init_containers, _maps(raw_spec.get("initContainers"))):
        found += _host_port_conflicts([pair])
    if spec.host_network:
        for container in spec.containers:
            for index, port in enumerate(container.ports):
                if port.host_port and port.host_port != port.container_port:
                    found.append(
                        Problem(
                            f"{container.path}.ports[{index}].hostPort",
                            f"Invalid value {port.host_port}: must match containerPort "
                            f"({port.container_port}) when hostNetwork is true",
                        )
                    )
    return found


def _container_port_problems(container: Container) -> list[Problem]:
    found = []
    names: set[str] = set()
    for index, port in enumerate(container.ports):
        path = f"{container.path}.ports[{index}]"
        if port.name:
            messages = port_name_problems(port.name)
            if messages:
                found.append(Problem(f"{path}.name", f'Invalid value "{port.name}": {_join(messages)}'))
            elif port.name in names:
                found.append(
                    Problem(
                        f"{path}.name",
                        f'Duplicate value "{port.name}": port names must be unique within a container',
                    )
                )
            else:
                names.add(port.name)
        if port.container_port == 0:
            found.append(Problem(f"{path}.containerPort", "Required value"))
        elif port_number_problems(port.container_port):
            found.append(
                Problem(
                    f"{path}.containerPort",
                    f"Invalid value {port.container_port}: must be between 1 and 65535, inclusive",
                )
            )
        if port.host_port and port_number_problems(port.host_port):
            found.append(
                Problem(
                    f"{path}.hostPort",
                    f"Invalid value {port.host_port}: must be between 1 and 65535, inclusive",
                )
            )
    return found


def _host_port_conflicts(containers: list[tuple[Container, Mapping[str, Any]]]) -> list[Problem]:
    found = []
    seen: set[str] = set()
    for container, raw in containers:
        raw_ports = list(_maps(raw.get("ports")))
        for index, port in enumerate(container.ports):
            if not port.host_port:
                continue
            host_ip = raw_ports[index].get("hostIP") if index < len(raw_ports) else None
            key = f"{port.protocol}/{host_ip or ''}/{port.host_port}"
            if key in seen:
                found.append(Problem(f"{container.path}.ports[{index}].hostPort", f'Duplicate value "{key}"'))
            seen.add(key)
    return found


_PROBE_FIELDS = (("liveness", "livenessProbe"), ("readiness", "readinessProbe"), ("startup", "startupProbe"))
_PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")  # validateHandler's order


def probe_problems(spec: PodSpec) -> list[Problem]:
    """validateContainers / validateInitContainers: probes of regular containers and sidecars are
    validated (validateLivenessProbe, validateReadinessProbe, validateStartupProbe); an init
    container without `restartPolicy: Always` may have no probe at all."""
    found = []
    for container in spec.containers + spec.sidecars:
        for kind, field_name in _PROBE_FIELDS:
            probe = container.probes.get(kind)
            if probe is not None:
                found += _probe_problems(
                    kind, probe.raw, probe.success_threshold, f"{container.path}.{field_name}"
                )
    for container in spec.init_containers:
        if container.is_sidecar:
            continue
        for kind, field_name in _PROBE_FIELDS:
            if kind in container.probes:
                found.append(
                    Problem(
                        f"{container.path}.{field_name}",
                        "Forbidden: may not be set for init containers without restartPolicy=Always",
                    )
                )
    return found


def _probe_problems(kind: str, raw: Mapping[str, Any], success_threshold: int, path: str) -> list[Problem]:
    found = []
    handlers = [name for name in _PROBE_HANDLERS if raw.get(name) is not None]
    if not handlers:
        found.append(
            Problem(path, "Required value: must specify a handler type (exec, httpGet, tcpSocket or grpc)")
        )
    for extra in handlers[1:]:
        found.append(
            Problem(
                f"{path}.{extra}",
                f"Forbidden: may not specify more than 1 handler type ({handlers[0]} is already given)",
            )
        )
    if handlers:
        found += _handler_problems(handlers[0], _mapping(raw.get(handlers[0])), f"{path}.{handlers[0]}")
    if kind in ("liveness", "startup") and success_threshold != 1:
        found.append(Problem(f"{path}.successThreshold", f"Invalid value {success_threshold}: must be 1"))
    grace = raw.get("terminationGracePeriodSeconds")
    if grace is not None:
        if kind == "readiness":
            found.append(
                Problem(
                    f"{path}.terminationGracePeriodSeconds",
                    "Invalid value: must not be set for readinessProbes",
                )
            )
        elif isinstance(grace, int) and not isinstance(grace, bool) and grace <= 0:
            found.append(
                Problem(
                    f"{path}.terminationGracePeriodSeconds", f"Invalid value {grace}: must be greater than 0"
                )
            )
    return found


def _handler_problems(handler: str, action: Mapping[str, Any], path: str) -> list[Problem]:
    """validateExecAction, validateHTTPGetAction, validateTCPSocketAction, validateGRPCAction."""
    if handler == "exec":
        command = action.get("command")
        return [] if isinstance(command, list) and command else [Problem(f"{path}.command", "Required value")]
    found = []
    port = action.get("port")
    messages = port_num_or_name_problems(port)
    if messages:
        shown = f'"{port}"' if isinstance(port, str) else ("not set" if port is None else str(port))
        found.append(Problem(f"{path}.port", f"Invalid value {shown}: {_join(messages)}"))
    scheme = action.get("scheme")
    if handler == "httpGet" and scheme not in (None, "", "HTTP", "HTTPS"):
        found.append(
            Problem(f"{path}.scheme", f'Unsupported value "{scheme}": supported values: "HTTP", "HTTPS"')
        )
    return found


#: VolumeSource fields in the order validateVolumeSource checks them.
VOLUME_SOURCES = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
)


def volume_problems(
    spec: PodSpec, raw_spec: Mapping[str, Any], extra_volumes: Iterable[str] = ()
) -> list[Problem]:
    """ValidateVolumes (names: DNS-1123 labels, unique; one source each) and ValidateVolumeMounts
    (each mount names a volume, has a mountPath, and mountPaths are unique within a container).

    `extra_volumes`: names the controller adds to the pods, i.e. a StatefulSet's
    volumeClaimTemplates.
    """
    found = []
    names: set[str] = set()
    base = f"{spec.path}.volumes"
    for index, volume in enumerate(spec.volumes):
        path = f"{base}[{index}]"
        if not volume.name:
            found.append(Problem(f"{path}.name", "Required value"))
        else:
            messages = dns1123_label_problems(volume.name)
            if messages:
                found.append(Problem(f"{path}.name", f'Invalid value "{volume.name}": {_join(messages)}'))
            if volume.name in names:
                found.append(Problem(f"{path}.name", f'Duplicate value "{volume.name}"'))
        names.add(volume.name)
        sources = [key for key in VOLUME_SOURCES if volume.raw.get(key) is not None]
        for extra in sources[1:]:
            found.append(
                Problem(
                    f"{path}.{extra}",
                    f"Forbidden: may not specify more than 1 volume type ({sources[0]} is already given)",
                )
            )
    raw_containers = list(_maps(raw_spec.get("containers"))) + list(_maps(raw_spec.get("initContainers")))
    containers = spec.containers + spec.init_containers
    known = names | set(extra_volumes)
    for container, raw in zip(containers, raw_containers):
        found += _mount_problems(container, raw, known)
    return found


def _mount_problems(container: Container, raw: Mapping[str, Any], volumes: set[str]) -> list[Problem]:
    found = []
    mount_paths: set[str] = set()
    for index, mount in enumerate(_maps(raw.get("volumeMounts"))):
        path = f"{container.path}.volumeMounts[{index}]"
        name = mount.get("name")
        if not name:
            found.append(Problem(f"{path}.name", "Required value"))
        elif name not in volumes:
            found.append(
                Problem(f"{path}.name", f'Not found: "{name}" (no volume of that name in the pod spec)')
            )
        mount_path = mount.get("mountPath")
        if not mount_path:
            found.append(Problem(f"{path}.mountPath", "Required value"))
        elif mount_path in mount_paths:
            found.append(Problem(f"{path}.mountPath", f'Invalid value "{mount_path}": must be unique'))
        else:
            mount_paths.add(mount_path)
    return found
