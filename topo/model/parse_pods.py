"""Pod templates: containers, probes, volumes and the ConfigMap/Secret references they make.

Defaults: k8s.io/kubernetes pkg/apis/core/v1/defaults.go (SetDefaults_Probe, SetDefaults_Pod,
SetDefaults_PodSpec, SetDefaults_ContainerPort).
"""

from __future__ import annotations

from collections.abc import Iterator

from topo.model.errors import ManifestError
from topo.model.fields import Fields
from topo.model.objects import (
    ConfigRef,
    Container,
    ContainerPort,
    EnvVar,
    PodSpec,
    PodTemplate,
    Probe,
    Volume,
)
from topo.model.quantity import parse_quantity

PROBE_FIELDS = {"startup": "startupProbe", "liveness": "livenessProbe", "readiness": "readinessProbe"}
_PROBE_HANDLERS = ("httpGet", "tcpSocket", "grpc", "exec")
_PROTOCOLS = ("TCP", "UDP", "SCTP")


def parse_pod_template(template: Fields) -> PodTemplate:
    metadata = template.map("metadata")
    return PodTemplate(
        labels=metadata.str_map("labels"),
        annotations=metadata.str_map("annotations"),
        spec=parse_pod_spec(template.map("spec")),
    )


def parse_pod_spec(spec: Fields) -> PodSpec:
    containers = tuple(_parse_container(c) for c in spec.maps("containers"))
    if not containers:
        # validateContainers: Required (pkg/apis/core/validation/validation.go); the pod is kept
        # for its labels (reachability, selectors) and has no container to check.
        spec.required("containers", "a pod needs at least one container")
    init_containers = tuple(_parse_container(c) for c in spec.maps("initContainers"))
    volumes = tuple(_parse_volume(v) for v in spec.maps("volumes"))
    account = spec.str("serviceAccountName") or spec.str("serviceAccount")
    restart_policy = spec.str("restartPolicy")
    return PodSpec(
        containers=containers,
        init_containers=init_containers,
        volumes=volumes,
        config_refs=tuple(_config_refs(spec, _mounted_volume_names(containers + init_containers))),
        service_account_name=account or "default",
        service_account_explicit=account is not None,
        node_selector=spec.str_map("nodeSelector"),
        affinity=spec.map("affinity").data,
        tolerations=tuple(t.data for t in spec.maps("tolerations")),
        topology_spread_constraints=tuple(t.data for t in spec.maps("topologySpreadConstraints")),
        host_network=bool(spec.bool("hostNetwork", False)),
        hostname=spec.str("hostname"),
        subdomain=spec.str("subdomain"),
        restart_policy=restart_policy or "Always",
        restart_policy_explicit=restart_policy is not None,
        termination_grace_period_seconds=spec.int("terminationGracePeriodSeconds", 30, minimum=0),
        priority_class_name=spec.str("priorityClassName"),
        path=spec.path,
    )


def _parse_container(container: Fields) -> Container:
    # an absent name reads as "" (Go's zero value); manifest-invalid reports it (validateContainers)
    name = container.text("name") or ""
    probes = {}
    for kind, key in PROBE_FIELDS.items():
        probe = container.optional_map(key)
        if probe is not None:
            probes[kind] = _parse_probe(probe)
    return Container(
        name=name,
        image=container.text("image"),
        ports=tuple(_parse_container_port(p) for p in container.maps("ports")),
        env=tuple(_parse_env(e) for e in container.maps("env")),
        command=container.texts("command"),
        args=container.texts("args"),
        probes=probes,
        restart_policy=container.str("restartPolicy"),
        volume_mounts=tuple(_volume_mount_name(m) for m in container.maps("volumeMounts")),
        resources=_checked_resources(container.map("resources")),
        path=container.path,
    )


def _parse_container_port(port: Fields) -> ContainerPort:
    # an absent containerPort reads as 0 (Go's zero value); manifest-invalid reports it
    return ContainerPort(
        name=port.str("name"),
        container_port=port.int("containerPort", 0),
        protocol=_protocol(port),
        host_port=port.int("hostPort"),
    )


def _protocol(fields: Fields) -> str:
    protocol = fields.str("protocol", "TCP")
    if protocol not in _PROTOCOLS:
        raise ManifestError(fields.at("protocol"), f'unsupported value "{protocol}": TCP, UDP or SCTP')
    return protocol


def _parse_env(env: Fields) -> EnvVar:
    name = env.text("name")
    if not name:
        env.required("name", "validateEnv: every variable needs a name")  # kept as ""
    return EnvVar(name=name or "", value=env.text("value"), path=env.path, field_path=_field_path(env))


def _field_path(env: Fields) -> str | None:
    """`valueFrom.fieldRef.fieldPath`, read leniently: a malformed one is the validation's to report."""
    source = env.data.get("valueFrom")
    ref = source.get("fieldRef") if isinstance(source, dict) else None
    path = ref.get("fieldPath") if isinstance(ref, dict) else None
    return path if isinstance(path, str) else None


def _parse_probe(probe: Fields) -> Probe:
    handler = "none"
    port: int | str | None = None
    for candidate in _PROBE_HANDLERS:
        action = probe.optional_map(candidate)
        if action is not None:
            handler = candidate
            _check_probe_action(action)
            raw_port = action.raw("port")
            if candidate == "grpc":
                port = action.int("port")
            elif raw_port is not None:
                if isinstance(raw_port, bool) or not isinstance(raw_port, (int, str)):
                    raise ManifestError(action.at("port"), "expected a port number or name")
                port = raw_port
            break
    return Probe(
        handler=handler,
        port=port,
        initial_delay_seconds=probe.int("initialDelaySeconds", 0, minimum=0),
        # SetDefaults_Probe (pkg/apis/core/v1/defaults.go): 0 means "unset" for these four.
        period_seconds=probe.int("periodSeconds", 0, minimum=0) or 10,
        timeout_seconds=probe.int("timeoutSeconds", 0, minimum=0) or 1,
        success_threshold=probe.int("successThreshold", 0, minimum=0) or 1,
        failure_threshold=probe.int("failureThreshold", 0, minimum=0) or 3,
        raw=probe.data,
    )


def _volume_mount_name(mount: Fields) -> str:
    mount.text("mountPath")
    mount.text("subPath")
    mount.bool("readOnly")
    return mount.text("name") or ""


def _checked_resources(resources: Fields):
    """requests/limits must be maps of quantities ("500m", "1Gi"), as the API server parses them."""
    for key in ("requests", "limits"):
        amounts = resources.map(key)
        for name, value in amounts.data.items():
            try:
                parse_quantity(value, amounts.at(str(name)))
            except ManifestError as error:  # placement reads an invalid quantity as absent
                resources.invalid(error.path, error.detail)
    return resources.data


def _check_probe_action(action: Fields) -> None:
    """Type-check a probe handler's fields (rules compare them; the kubelet would reject them)."""
    action.texts("command")
    for key in ("path", "host", "scheme", "service"):
        action.text(key)
    for header in action.maps("httpHeaders"):
        header.text("name")
        header.text("value")


def _parse_volume(volume: Fields) -> Volume:
    name = volume.text("name") or ""
    for key, value in volume.data.items():
        if key == "name" or value is None:
            continue
        source = volume.map(key)
        if key == "persistentVolumeClaim":
            claim = source.str("claimName")
            if not claim:
                source.required("claimName", "the claim to mount")
                claim = None
            return Volume(
                name, key, claim_name=claim, read_only=bool(source.bool("readOnly", False)), raw=volume.data
            )
        return Volume(name, key, raw=volume.data)
    return Volume(name, "emptyDir", raw=volume.data)  # no source given: the API defaults to emptyDir


def _mounted_volume_names(containers: tuple[Container, ...]) -> frozenset[str]:
    """The volumes some container mounts. ConfigMap, Secret and projected volumes can only be
    mounted (`volumeDevices` take claims alone: validateVolumeDevices), and the kubelet sets up
    only the volumes a container mounts or maps (k8s.io/kubernetes
    pkg/kubelet/volumemanager/populator/desired_state_of_world_populator.go, processPodVolumes)."""
    return frozenset(name for container in containers for name in container.volume_mounts)


def _config_refs(spec: Fields, mounted: frozenset[str]) -> Iterator[ConfigRef]:
    for container_fields in list(spec.maps("initContainers")) + list(spec.maps("containers")):
        for env in container_fields.maps("env"):
            source = env.map("valueFrom")
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = source.optional_map(key)
                if ref is not None:
                    yield from _ref(ref, kind, "env", "name", ref.text("key"), env.text("name"))
        for env_from in container_fields.maps("envFrom"):
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                ref = env_from.optional_map(key)
                if ref is not None:
                    yield from _ref(ref, kind, "envFrom", "name")
    for volume in spec.maps("volumes"):
        used = str(volume.data.get("name") or "") in mounted
        config_map = volume.optional_map("configMap")
        if config_map is not None:
            yield from _ref(
                config_map, "ConfigMap", "volume", "name", items=_item_keys(config_map), mounted=used
            )
        secret = volume.optional_map("secret")
        if secret is not None:
            yield from _ref(secret, "Secret", "volume", "secretName", items=_item_keys(secret), mounted=used)
        projected = volume.optional_map("projected")
        if projected is not None:
            for source in projected.maps("sources"):
                for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                    ref = source.optional_map(key)
                    if ref is not None:
                        yield from _ref(ref, kind, "projected", "name", items=_item_keys(ref), mounted=used)
    for pull_secret in spec.maps("imagePullSecrets"):
        if pull_secret.str("name"):
            yield from _ref(pull_secret, "Secret", "imagePullSecrets", "name")


def _item_keys(source: Fields) -> tuple[str, ...] | None:
    """`items[].key` of a configMap/secret volume source: only these keys become files (all keys
    when `items` is absent) — k8s.io/kubernetes pkg/volume/configmap MakePayload. Read leniently:
    a malformed `items` is the validation's to report, never a reason to drop the pod template."""
    items = source.data.get("items")
    if not isinstance(items, list):
        return None
    return tuple(item["key"] for item in items if isinstance(item, dict) and isinstance(item.get("key"), str))


def _ref(
    ref: Fields,
    kind: str,
    via: str,
    name_key: str,
    key: str | None = None,
    variable: str | None = None,
    items: tuple[str, ...] | None = None,
    mounted: bool = True,
) -> Iterator[ConfigRef]:
    name = ref.str(name_key)
    if not name:
        ref.required(name_key, f"the {kind} to use")  # no reference to follow
        return
    yield ConfigRef(
        kind=kind,
        name=name,
        optional=bool(ref.bool("optional", False)),
        via=via,
        path=ref.path,
        key=key,
        variable=variable,
        items=items,
        mounted=mounted,
    )
