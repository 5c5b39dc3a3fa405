"""Manifests the API server would refuse: `manifest-invalid`.

The rule is thin: one focused check per concern, each turning the (field path, message) pairs of
topo.analyses.validation (where the upstream semantics live, cited) into findings with a hint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from topo.analyses import validation as v
from topo.model import HorizontalPodAutoscaler, Ingress, K8sObject, PodDisruptionBudget, Service, Workload
from topo.model.errors import FieldProblem
from topo.rules.registry import ERROR, Issue, rule

Check = Callable[[K8sObject, object], Iterator[Issue]]


def _issues(problems: Iterable[v.Problem | FieldProblem], hint: str) -> Iterator[Issue]:
    for problem in problems:
        yield Issue(str(problem), hint=hint, path=problem.path)


def _workload_with_spec(obj: K8sObject) -> Workload | None:
    """The workload, unless it is a stand-in for an owner that is not in the input (no spec)."""
    if isinstance(obj, Workload) and v.has_own_spec(obj):
        return obj
    return None


def check_metadata(obj: K8sObject, ctx) -> Iterator[Issue]:
    yield from _issues(
        v.metadata_problems(obj),
        "names, namespaces, label keys/values and annotation keys must have the syntax the API server accepts "
        "(lowercase DNS names for object names; see the message for the exact format)",
    )


def check_restart_policy(obj: K8sObject, ctx) -> Iterator[Issue]:
    workload = _workload_with_spec(obj)
    if workload is not None:
        yield from _issues(
            v.restart_policy_problems(workload),
            "Jobs and CronJobs run to completion: use restartPolicy OnFailure or Never; Deployments, StatefulSets, "
            "DaemonSets and ReplicaSets keep pods running: use Always (the default)",
        )


def check_selector(obj: K8sObject, ctx) -> Iterator[Issue]:
    workload = _workload_with_spec(obj)
    if workload is not None:
        yield from _issues(
            v.selector_problems(workload),
            "give spec.selector.matchLabels that are a subset of spec.template.metadata.labels (Jobs and CronJobs: "
            "leave the selector out, the API server generates it)",
        )


def check_rollout_strategy(obj: K8sObject, ctx) -> Iterator[Issue]:
    workload = _workload_with_spec(obj)
    if workload is not None:
        yield from _issues(
            v.strategy_problems(workload, ctx.config.kubernetes_minor),
            "fenceposts are non-negative integers or 'N%' strings (at most 100% for maxUnavailable); a rolling "
            "update needs maxSurge or maxUnavailable above 0 (a StatefulSet's maxUnavailable at least 1 or 1%); "
            "drop rollingUpdate when the type is Recreate/OnDelete",
        )


def check_containers(obj: K8sObject, ctx) -> Iterator[Issue]:
    workload = _workload_with_spec(obj)
    if workload is not None:
        yield from _issues(
            v.container_problems(workload.template.spec, v.raw_pod_spec(workload)),
            "container names are unique DNS-1123 labels, every container has an image, and restartPolicy on a "
            "container is only `Always`, on an init container (a sidecar)",
        )


def check_ports(obj: K8sObject, ctx) -> Iterator[Issue]:
    workload = _workload_with_spec(obj)
    if workload is not None:
        yield from _issues(
            v.port_problems(workload.template.spec, v.raw_pod_spec(workload)),
            "containerPort is 1-65535; port names are unique per container, at most 15 characters of a-z, 0-9 "
            "and '-', with at least one letter",
        )


def check_probes(obj: K8sObject, ctx) -> Iterator[Issue]:
    workload = _workload_with_spec(obj)
    if workload is not None:
        yield from _issues(
            v.probe_problems(workload.template.spec),
            "each probe has exactly one handler with a valid port; liveness and startup probes need "
            "successThreshold 1; init containers may have probes only as sidecars (restartPolicy: Always)",
        )


def check_volumes(obj: K8sObject, ctx) -> Iterator[Issue]:
    workload = _workload_with_spec(obj)
    if workload is not None:
        claim_templates = (claim.name for claim in workload.claim_templates)
        yield from _issues(
            v.volume_problems(workload.template.spec, v.raw_pod_spec(workload), claim_templates),
            "every volumeMount names a volume of the pod (or a volumeClaimTemplate of the StatefulSet) and has a "
            "unique mountPath; volume names are unique DNS-1123 labels with one source each",
        )


def check_service(obj: K8sObject, ctx) -> Iterator[Issue]:
    if isinstance(obj, Service):
        yield from _issues(
            v.service_problems(obj),
            "Service ports are 1-65535 with unique (port, protocol); name every port when there are several; "
            "a named targetPort is a port name (a quoted number is not a number); ExternalName needs externalName",
        )


def check_pdb(obj: K8sObject, ctx) -> Iterator[Issue]:
    if isinstance(obj, PodDisruptionBudget):
        yield from _issues(
            v.pdb_problems(obj),
            "set either minAvailable or maxUnavailable (not both), as a non-negative integer or a percentage up "
            "to 100%",
        )


def check_hpa(obj: K8sObject, ctx) -> Iterator[Issue]:
    if isinstance(obj, HorizontalPodAutoscaler):
        yield from _issues(v.hpa_problems(obj), "use 1 <= minReplicas <= maxReplicas")


def check_ingress(obj: K8sObject, ctx) -> Iterator[Issue]:
    if isinstance(obj, Ingress):
        yield from _issues(
            v.ingress_problems(obj),
            "give every networking.k8s.io/v1 path a pathType (Exact, Prefix or ImplementationSpecific) and an "
            "absolute, normalised path",
        )


def check_field_types(obj: K8sObject, ctx) -> Iterator[Issue]:
    yield from _issues(
        obj.invalid_fields,
        "give the field the type and value the API server expects (quote numbers and booleans used as "
        "names, keys or values); topo analysed the object with the reading the message gives",
    )


def check_folded_pods(obj: K8sObject, ctx) -> Iterator[Issue]:
    """A stand-in for an owner that is not in the input has no spec of its own: check the live
    pods it stands for, one finding per problem naming the pods that have it."""
    if not isinstance(obj, Workload) or not obj.folded_from or v.has_own_spec(obj):
        return
    found: dict[str, tuple[Issue, list[str]]] = {}
    for pod in obj.folded_from:
        for check in CHECKS:
            for issue in check(pod, ctx):
                found.setdefault(issue.message, (issue, []))[1].append(pod.name)
    for issue, names in found.values():
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        yield Issue(f"{issue.message} (pod {shown})", hint=issue.hint, path=issue.path)


CHECKS: tuple[Check, ...] = (
    check_field_types,
    check_metadata,
    check_restart_policy,
    check_selector,
    check_rollout_strategy,
    check_containers,
    check_ports,
    check_probes,
    check_volumes,
    check_service,
    check_pdb,
    check_hpa,
    check_ingress,
)


@rule(
    "manifest-invalid",
    title="The API server would reject this manifest",
    severity=ERROR,
    why_severity="error: the API server rejects the object as written.",
)
def manifest_invalid(obj: K8sObject, ctx):
    """
    What it does:
        Applies the API server's own validation to each object and reports every field it would
        reject, each message starting with the field path.

        For example `spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when maxSurge is 0`.
        It covers: Job/CronJob pods with restartPolicy Always or unset, and long-running workloads with
        anything but Always; a missing, empty or mismatching workload selector (and a hand-written
        selector on a Job or CronJob); rollout fenceposts that are both 0, over 100%, or a string
        that is not a percentage ("2"); `rollingUpdate` with type Recreate/OnDelete; a DaemonSet
        with both maxSurge and maxUnavailable non-zero; a StatefulSet's
        `rollingUpdate.maxUnavailable` of 0 or "0%" (from kubernetesVersion 1.35, where the
        MaxUnavailableStatefulSet feature is on by default; before, the API server drops the
        field); progressDeadlineSeconds not above
        minReadySeconds; a PodDisruptionBudget with both minAvailable and maxUnavailable; liveness
        or startup successThreshold other than 1; probes without exactly one handler or with a bad
        port; probes on init containers that are not sidecars; duplicate container names, port
        names, volume names and mountPaths; container, Service and target ports out of range or
        badly named; volumeMounts naming no volume; Services with several unnamed ports,
        duplicate ports, no ports, or ExternalName without externalName; HPA minReplicas above
        maxReplicas; object names that are not the DNS name their kind requires, CronJob names
        over 52 characters, and invalid label keys and values.

        Fields of the wrong type or missing that the analysis can do without are reported here
        too, and the object is still analysed with the reading the message gives: a container
        without `name`, a port without `containerPort`, an env entry without `name`, a number
        or boolean where a string belongs (`value: 5`, `labels: {1: y}`, `data: {5: x}`), a
        quantity that does not parse. On a workload that stands for live pods whose owner is not
        in the input, each pod is checked and the finding names the pods.

        Values that merely round to 0 are valid: `maxSurge: 0` with `maxUnavailable: 10%` on 3
        replicas passes validation (the controller then rounds maxUnavailable up to 1 pod).
        Init containers with `restartPolicy: Always` are sidecars and may have probes. A
        StatefulSet's volumeMounts may name its volumeClaimTemplates.

    Why it matters:
        `kubectl apply`, Helm or Argo CD fail on the first such object, often only in the
        production pipeline, and the whole release stops there. A StatefulSet is accepted even
        when its pod template is invalid, but every pod it creates is then refused
        ("create Pod es-0 in StatefulSet es failed error: Pod "es-0" is invalid"), so it never
        starts.

    Example:
        ```yaml
        apiVersion: apps/v1
        kind: Deployment
        spec:
          strategy:
            rollingUpdate: {maxSurge: 0, maxUnavailable: 0}   # rejected: no pod could ever be replaced
        ---
        apiVersion: batch/v1
        kind: Job
        spec:
          template:
            spec:
              containers: [{name: migrate, image: app:1.2}]
              # restartPolicy missing: defaults to Always, which a Job may not use
        ```

    Fix:
        Change the field named at the start of the message as it says: for example
        `restartPolicy: OnFailure` on Job pods, `maxSurge: 1` (or `maxUnavailable: 1`), names in
        lowercase letters, digits and '-', selector labels that appear in the template labels.

    References:
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/apps/validation/validation.go
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/batch/validation/validation.go
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/policy/validation/validation.go
        - https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go
        - https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
        - https://kubernetes.io/docs/concepts/workloads/controllers/job/#writing-a-job-spec
        - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#maximum-unavailable-pods
    """
    if obj.generated_by is not None:  # e.g. claims derived from volumeClaimTemplates: not in the input
        return
    for check in CHECKS:
        yield from check(obj, ctx)
    yield from check_folded_pods(obj, ctx)
