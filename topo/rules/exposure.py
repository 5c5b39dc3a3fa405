"""Exposure: what is reachable from outside the cluster, and what bypasses the cluster network."""

from __future__ import annotations

from collections.abc import Iterator

from topo.graph.relations import SELECTS
from topo.model import Workload
from topo.model.kinds import WORKLOAD_KINDS
from topo.model.objects import Service
from topo.rules.registry import ERROR, WARNING, Issue, rule

EXTERNAL_TYPES = ("NodePort", "LoadBalancer")

#: The kube-apiserver's default `--service-node-port-range`.
NODE_PORT_RANGE = (30000, 32767)


@rule(
    "service-exposed-externally",
    title="NodePort or LoadBalancer Service that is not the ingress controller's",
    severity=WARNING,
    kinds=("Service",),
    why_severity="warning: an exposure risk most teams want to review, not a failure.",
)
def service_exposed_externally(service: Service, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds Services of type `NodePort` or `LoadBalancer` unless every workload they select is
        the ingress controller. The ingress controller is the one declared in topo.yaml
        (`ingressController: {namespace, podLabels}`) or, without it, recognised in the input: the
        workload whose args name an IngressClass's controller (`--controller-class=...`,
        `--ingress-class=...`) or that carries the labels of a well-known controller
        (ingress-nginx, Traefik, HAProxy, Contour, Kong, Istio ingress gateway, ...). A Service
        that selects no workload of the input is reported too: its node port is open anyway.

    Why it matters:
        In a design where only the ingress controller is reachable from outside, every other
        NodePort or LoadBalancer Service is a second front door: it opens a port on every node
        (and, for a LoadBalancer, a cloud load balancer with a public address by default) that
        bypasses the Ingress's TLS, authentication, rate limits and logging. Internal load
        balancers (cloud annotations such as `networking.gke.io/load-balancer-type: Internal`)
        are still reachable from outside the cluster, through the VPC, and every LoadBalancer
        Service also allocates node ports unless `allocateLoadBalancerNodePorts: false`.

    Example:
        ```yaml
        kind: Service
        metadata: {name: frontend-debug, namespace: shop}
        spec:
          type: NodePort              # reachable on <any node>:30080 from outside
          selector: {app: frontend}
          ports: [{port: 80, nodePort: 30080}]
        ```

    Fix:
        Make the Service `ClusterIP` and route outside traffic through an Ingress (or Gateway).
        When the exposure is intended, suppress it on the Service with
        `topo.dev/ignore: "service-exposed-externally: why"`; when this is the ingress controller
        and topo did not recognise it, declare it under `ingressController:` in topo.yaml.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
        - https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
        - https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer
        - https://kubernetes.io/docs/concepts/services-networking/ingress-controllers/
    """
    if service.type not in EXTERNAL_TYPES:
        return
    selected = [
        w for w in (ctx.get(i) for i, _ in ctx.outgoing(service.id, SELECTS)) if isinstance(w, Workload)
    ]
    if selected and all(ctx.is_ingress_controller(w) for w in selected):
        return
    node_ports = [str(p.node_port) for p in service.ports if p.node_port]
    where = f"node port {', '.join(node_ports)}" if node_ports else "an allocated node port"
    if service.type == "LoadBalancer":
        where = f"a cloud load balancer and {where}"
    others = [w for w in selected if not ctx.is_ingress_controller(w)]
    if others:
        message = f"type {service.type} exposes {', '.join(w.id for w in others)} outside the cluster through {where}"
    else:
        message = (
            f"type {service.type} opens {where} to the outside, though it selects no workload of the input"
        )
    hint = "make it ClusterIP and route through the Ingress, or suppress it with topo.dev/ignore when the exposure is intended"
    if not ctx.ingress_controller_ids:
        hint += "; if this is the ingress controller, declare it under `ingressController:` in topo.yaml"
    yield Issue(message, hint=hint, related=tuple(w.id for w in others), path="spec.type")


@rule(
    "nodeport-out-of-range",
    title="nodePort outside the node port range 30000-32767",
    severity=ERROR,
    kinds=("Service",),
    why_severity=(
        "error: the API server rejects the Service as written (unless the cluster widened the "
        "range: then lower the severity in topo.yaml)."
    ),
)
def nodeport_out_of_range(service: Service, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds Service ports with an explicit `nodePort` outside 30000–32767, the default
        `--service-node-port-range` of kube-apiserver. (`nodePort: 0` or no nodePort lets the API
        server allocate one: not reported.)

        Clusters can change the range with the kube-apiserver flag `--service-node-port-range`;
        if yours does, disable this rule or lower its severity in topo.yaml
        (`rules: {disable: [nodeport-out-of-range]}`).

    Why it matters:
        The API server rejects the Service (`spec.ports[0].nodePort: Invalid value: 8080: provided
        port is not in the valid range. The range of valid ports is 30000-32767`), so the apply
        fails and, in a pipeline that applies many objects, everything depending on the Service
        stays unreachable.

    Example:
        ```yaml
        kind: Service
        spec:
          type: NodePort
          ports: [{port: 80, nodePort: 8080}]   # outside 30000-32767
        ```

    Fix:
        Pick a nodePort inside the cluster's range (30000–32767 by default), leave it out to let
        the API server allocate one, or use a LoadBalancer/Ingress for a well-known port.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
        - https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/service/portallocator/allocator.go
    """
    low, high = NODE_PORT_RANGE
    for index, port in enumerate(service.ports):
        if port.node_port is None or port.node_port == 0 or low <= port.node_port <= high:
            continue
        yield Issue(
            f"spec.ports[{index}].nodePort {port.node_port} is outside the node port range {low}-{high}: the API "
            "server rejects the Service",
            hint=f"choose a nodePort between {low} and {high} or omit it to have one allocated "
            "(if the cluster's --service-node-port-range differs, disable this rule in topo.yaml)",
        )


@rule(
    "host-network",
    title="Pods use the node's network namespace (hostNetwork)",
    severity=WARNING,
    kinds=WORKLOAD_KINDS,
    why_severity=(
        "warning: a hygiene and isolation risk (node ports, no NetworkPolicy isolation), not a failure."
    ),
)
def host_network(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds workloads whose pod template sets `hostNetwork: true`.

    Why it matters:
        The pods share the node's network stack: their ports are bound on the node's addresses
        (reachable by anything that reaches the node, and two replicas cannot share a node when
        they bind the same port), they can see the node's loopback services and all host
        traffic, and NetworkPolicies do not apply to them — upstream leaves the behaviour for
        hostNetwork pods undefined and most network plugins cannot tell their traffic from the
        node's. The Pod Security Standards' Baseline profile forbids host namespaces.
        Networking agents (CNI, kube-proxy, node exporters) need it; application workloads do not.

    Example:
        ```yaml
        kind: Deployment
        spec:
          template:
            spec:
              hostNetwork: true
              containers: [{name: api, image: api:1.0, ports: [{containerPort: 8080}]}]
        ```

    Fix:
        Remove `hostNetwork` and expose the port through a Service (and an Ingress for outside
        traffic). For node agents that need it, suppress the finding on the workload with
        `topo.dev/ignore: "host-network: why"`.

    References:
        - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods
        - https://kubernetes.io/docs/concepts/configuration/overview/#services
    """
    if not workload.template.spec.host_network:
        return
    ports = sorted(
        {p.container_port for c in workload.template.spec.long_running_containers() for p in c.ports}
    )
    plural = len(ports) > 1
    bound = (
        f"; container port{'s' if plural else ''} {', '.join(map(str, ports))} {'are' if plural else 'is'} bound on the "
        "node's own addresses"
        if ports
        else ""
    )
    yield Issue(
        f"pods run in the node's network namespace (hostNetwork: true): NetworkPolicies do not isolate them{bound}",
        hint="remove hostNetwork and publish the port through a Service, or suppress this on node agents that need it",
        path=f"{workload.template.spec.path}.hostNetwork",
    )
