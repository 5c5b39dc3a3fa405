"""Services that point at nothing: selectors that match no pod template, named target ports that
the selected pods do not declare."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

from topo.analyses.validation.common import port_name_problems
from topo.graph.relations import ROUTES_TO, SELECTS
from topo.model.objects import Service, Workload
from topo.model.selectors import LabelSelector
from topo.rules.creators import runtime_labeller
from topo.rules.operated import custom_resource_may_run_pods
from topo.rules.references import workloads_in
from topo.rules.registry import ERROR, WARNING, Issue, rule


def near_misses(selector: LabelSelector, workloads: Iterable[Workload], limit: int = 3) -> list[str]:
    """Workloads whose pod labels satisfy every requirement of `selector` but one: the likely
    intended targets of a selector with a typo (`app: cart` for `app: carts`). With a single
    requirement, only label values that look alike count; the most alike come first."""
    requirements = selector.requirements
    if not requirements or selector.matches_nothing:
        return []
    ranked = []
    for index, workload in enumerate(workloads):
        labels = workload.template.labels
        failed = [r for r in requirements if not r.matches(labels)]
        if len(failed) != 1:
            continue
        wrong = failed[0]
        actual = labels.get(wrong.key)
        likeness = (
            max((SequenceMatcher(None, v, actual).ratio() for v in wrong.values), default=0.0)
            if actual
            else 0.0
        )
        if len(requirements) == 1 and likeness < 0.6:
            continue
        text = (
            f"{workload.id} has {wrong.key}={actual}"
            if actual is not None
            else f"{workload.id} lacks {wrong.key}"
        )
        ranked.append((-likeness, index, text))
    return [text for _, _, text in sorted(ranked)[:limit]]


def selector_miss_hint(ctx, namespace: str | None, selector: LabelSelector, fallback: str) -> str:
    """`did you mean …` from the namespace's workloads, else `fallback`."""
    misses = near_misses(selector, workloads_in(ctx, namespace))
    if misses:
        return "closest pod templates: " + "; ".join(misses) + f" — {fallback}"
    return fallback


@rule(
    "service-selects-nothing",
    title="Service selector matches no pod template",
    severity=ERROR,
    kinds=("Service",),
    why_severity=(
        "error: the Service has no endpoints, so every connection to it fails as written. Warning when "
        "a workload of the namespace may patch pods there (it may add the labels at run time), or when "
        "the input declares workloads, but none in the namespace (its pods are deployed apart)."
    ),
)
def service_selects_nothing(service: Service, ctx):
    """
    What it does:
        Finds Services with a `spec.selector` that matches the pod template labels of no workload
        (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Argo Rollout, bare Pod...)
        in the Service's namespace, over the whole input; labels a controller adds (an Argo
        Rollout's `rollouts-pod-template-hash` and canary/stable metadata) count. Services without a selector (their endpoints
        are managed by hand or by another controller) and ExternalName Services are not checked.
        A selector that could match the pods an operator creates from a custom resource of the
        namespace (the pods of an Argo Rollout's experiment step, a Prometheus or Elasticsearch
        resource whose name appears among the selector's values) is not flagged either. When a workload of the
        namespace may update or patch pods there (RBAC of the input) and its pod labels do not
        contradict the selector, it may add the labels at run time — longhorn-manager labels its
        own pod `longhorn.io/admission-webhook=…` once its webhook serves —: the finding is then a
        warning naming it (the one whose containers declare the Service's named targetPort first).
        So is a Service in a namespace where the input, which declares workloads elsewhere, declares
        none: its pods are deployed apart (a managed add-on such as GKE's DCGM exporter in
        `gke-managed-system`). A Service in an input without any workload stays an error. When an
        Argo Rollout's own labels complete what its pod template lacks of the selector — what
        kustomize's commonLabels do to a Rollout when the kustomization does not load Argo Rollouts'
        transformer configuration — the hint says so.

    Why it matters:
        Every selector key must equal a pod label. With no matching pod the Service has no
        endpoints: connections are refused or time out, Ingresses routing to it answer `503`, and
        nothing in the API reports an error.

    Example:
        ```yaml
        kind: Service
        metadata: {name: carts}
        spec:
          selector: {app: cart}        # the pods are labelled app: carts
          ports: [{port: 80, targetPort: 8080}]
        ```

    Fix:
        Make the selector match the pod template labels (`kubectl get pods -l app=carts` should
        list the pods); every key of the selector must be present on the pods with the same value.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
        - https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors
        - https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
    """
    if not service.has_selector or any(True for _ in ctx.outgoing(service.id, SELECTS)):
        return
    if custom_resource_may_run_pods(ctx, service.namespace, service.selector):
        return
    text = service.selector.to_text()
    if ctx.model.workloads and not workloads_in(ctx, service.namespace):
        yield Issue(
            f"selector {text} matches no pod template: the input declares workloads, but none in namespace "
            f"{service.namespace}, so its pods are deployed apart (an add-on, an operator, another chart) or missing",
            hint="check that the pods it should select run in the namespace; else make the selector match their labels",
            path="spec.selector",
            severity=WARNING,
        )
        return
    named_ports = frozenset(p.target_port for p in service.ports if isinstance(p.target_port, str))
    labeller = runtime_labeller(ctx, service.namespace, service.selector, named_ports)
    if labeller is not None:
        yield Issue(
            f"selector {text} matches no pod template in namespace {service.namespace}; probably "
            f"labelled at run time by {labeller}",
            hint="if nothing adds these labels to running pods, make every selector key equal a label of the pod template",
            path="spec.selector",
            severity=WARNING,
        )
        return
    rollout = _rollout_labelled_but_not_its_pods(ctx, service)
    yield Issue(
        f"selector {text} matches no pod template in namespace {service.namespace}",
        hint=(
            f"{rollout} carries these labels but its pod template does not: kustomize's commonLabels "
            "(or `labels:` with includeTemplates) reach a Rollout's own labels but not its template unless "
            "the kustomization loads Argo Rollouts' transformer configuration (`configurations:` "
            "rollout-transform.yaml, https://argo-rollouts.readthedocs.io/en/stable/features/kustomize/); "
            "else make every selector key equal a label of the pod template"
            if rollout
            else selector_miss_hint(
                ctx,
                service.namespace,
                service.selector,
                "make every selector key equal a label of the pod template",
            )
        ),
        path="spec.selector",
    )


def _rollout_labelled_but_not_its_pods(ctx, service: Service) -> str | None:
    """An Argo Rollout of the namespace whose own labels complete what its pod template lacks of the
    selector: what kustomize's commonLabels leave behind when it does not know the Rollout kind
    (argoproj/argo-rollouts docs/features/kustomize.md), else None."""
    for rollout in ctx.model.of_kind("Rollout"):
        if not isinstance(rollout, Workload) or rollout.namespace != service.namespace:
            continue
        pod_labels = rollout.template.labels
        if not service.selector.matches(pod_labels) and service.selector.matches(
            {**pod_labels, **rollout.labels}
        ):
            return rollout.id
    return None


@rule(
    "service-target-port-missing",
    title="Service targets a named port that the selected pods do not declare",
    severity=ERROR,
    kinds=("Service",),
    why_severity=(
        "error: the named targetPort resolves to no port of the selected pods, so the Service has "
        "no endpoints for it as written. Warning when other selected pods declare it: the port still "
        "has endpoints, these pods only get no traffic on it. Warning on a headless Service: nothing "
        "proxies its ports, so clients reach the pods at the addresses DNS still gives them; only "
        "the port's SRV record and EndpointSlice port leave them out."
    ),
)
def service_target_port_missing(service: Service, ctx):
    """
    What it does:
        For each workload a Service selects, finds Service ports whose `targetPort` is a name
        (`targetPort: http`) that no container of the pod template (nor a sidecar, an init
        container with `restartPolicy: Always`) declares in `ports[].name` with the same protocol.
        Numeric targetPorts are not checked: a container port need not be declared to be reached.
        Jobs and CronJobs that share the Service's labels are not checked either (their pods run
        to completion and are not meant to serve), nor is a targetPort that is no valid port name
        (`$MINIO_CONSOLE_PORT` left for `envsubst`): the API server rejects that Service, which
        `manifest-invalid` reports.

        On a headless Service (`clusterIP: None`) the finding is a warning: kube-proxy does not
        handle it and DNS answers with the pods' own addresses, which a pod without the port
        keeps (the EndpointSlice controller leaves out only the port, not the pod); a client
        that connects to `<pod>.<service>:<port>` still reaches it. What goes missing is the
        port's SRV record (`_<port-name>._tcp.<service>`) and its port in the EndpointSlices,
        which clients that discover ports that way read. Bitnami's ZooKeeper chart writes its
        quorum ports into the headless Service always and into the pods only with more than
        one replica: a standalone server opens none. A port an Ingress routes to stays an error:
        the Ingress controller sends traffic to the EndpointSlices' ports.

    Why it matters:
        The endpoints controller resolves a named targetPort per pod; a pod without that port
        name is left out of the Service's endpoints. Traffic to that port reaches none of the
        workload's pods even though the selector matches them.

    Example:
        ```yaml
        # Service
        ports: [{name: web, port: 80, targetPort: http}]
        # Deployment pod template
        containers:
          - name: app
            ports: [{name: web, containerPort: 8080}]   # no port named `http`
        ```

    Fix:
        Name the container port as the Service's targetPort says (`ports: [{name: http,
        containerPort: 8080}]`), or give the targetPort as a number.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/api/v1/pod/util.go
        - https://kubernetes.io/docs/concepts/services-networking/service/#headless-services
        - https://github.com/kubernetes/endpointslice/blob/master/utils.go (getEndpointPorts)
        - https://github.com/kubernetes/dns/blob/master/docs/specification.md (SRV records)
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
          (validateServicePort: a string targetPort must be an IANA_SVC_NAME)
    """
    ports = {port.key: port for port in service.ports}
    # An Ingress controller sends traffic to the EndpointSlices' ports, headless or not.
    routed = {data.get("port") for _, data in ctx.incoming(service.id, ROUTES_TO)} - {None}
    selected = []
    for workload_id, data in ctx.outgoing(service.id, SELECTS):
        workload = ctx.get(workload_id)
        if isinstance(workload, Workload) and not workload.is_long_running:
            continue  # a Job's pods run to completion: leaving them out of the endpoints is harmless
        selected.append((workload_id, data.get("targetPorts") or {}))
    # A port that some selected workload resolves still has endpoints: the others are only left out.
    served = {key for _, resolved in selected for key, port in resolved.items() if port is not None}
    for workload_id, resolved_ports in selected:
        for key, resolved in sorted(resolved_ports.items()):
            port = ports.get(key)
            if resolved is not None or port is None:
                continue
            if isinstance(port.target_port, str) and port_name_problems(port.target_port):
                continue  # the API server rejects the Service: manifest-invalid's finding, not endpoints'
            partial = key in served
            headless = service.headless and not {port.port, port.name} & routed
            if partial:
                consequence = "; other selected pods declare it, so the port still has endpoints"
            elif headless:
                consequence = (
                    "; the Service is headless: its DNS names still give the pods' addresses, so a client "
                    "that connects to them is not affected, only the port's SRV record"
                )
            else:
                consequence = ""
            yield Issue(
                f"port {key} targets the named port {port.target_port!r} ({port.protocol}), which {workload_id} "
                "does not declare: its pods are left out of the endpoints for this port" + consequence,
                hint=f"add `name: {port.target_port}` to the container port of {workload_id}, or use a numeric targetPort",
                related=(workload_id,),
                severity=WARNING if partial or headless else None,
                path=f"spec.ports[{service.ports.index(port)}].targetPort",
            )
