"""Which workloads are the ingress controller: the only thing meant to receive outside traffic.

Declared in topo.yaml (`ingressController: {namespace, podLabels}`), or recognised in the input:
the workload whose args name an IngressClass's controller (`--controller-class=k8s.io/ingress-nginx`,
`--ingress-class=nginx`), or that carries the labels of a well-known controller, or Contour's Envoy
(its official install labels the proxy only `app: envoy`, but bootstraps it with `contour bootstrap`).
"""

from __future__ import annotations

from collections.abc import Iterable

from topo.config import Config
from topo.model import Model, Workload
from topo.model.objects import IngressClass

#: (label key, value) pairs that well-known ingress controllers and gateways put on their pods.
WELL_KNOWN_CONTROLLER_LABELS = (
    ("app.kubernetes.io/name", "ingress-nginx"),
    ("app.kubernetes.io/name", "nginx-ingress"),
    ("app.kubernetes.io/name", "traefik"),
    ("app.kubernetes.io/name", "haproxy-ingress"),
    ("app.kubernetes.io/name", "kubernetes-ingress"),
    ("app.kubernetes.io/name", "contour"),
    ("app.kubernetes.io/name", "envoy"),
    ("app.kubernetes.io/name", "kong"),
    ("app.kubernetes.io/name", "istio-ingressgateway"),
    ("app.kubernetes.io/name", "emissary-ingress"),
    ("app.kubernetes.io/name", "skipper-ingress"),
    ("app", "ingress-nginx"),
    ("app", "nginx-ingress"),
    ("app", "traefik"),
    ("app", "istio-ingressgateway"),
    ("istio", "ingressgateway"),
    ("k8s-app", "ingress-nginx"),
    ("k8s-app", "traefik-ingress-lb"),
)


def ingress_controllers(model: Model, config: Config) -> tuple[Workload, ...]:
    """The ingress controller workloads, in input order (empty when none can be told)."""
    declared = config.ingress_controller
    workloads = [w for w in model.workloads if w.is_long_running]
    if declared is not None:
        return tuple(
            w
            for w in workloads
            if (declared.namespace is None or w.namespace == declared.namespace)
            and all(w.template.labels.get(k) == v for k, v in declared.pod_labels.items())
        )
    by_class = [w for w in workloads if _serves_a_class(w, model.of_type(IngressClass))]
    if by_class:
        return tuple(by_class)
    return tuple(
        w for w in workloads if _has_well_known_labels(w.template.labels.items()) or _contour_envoy(w)
    )


def _serves_a_class(workload: Workload, classes: Iterable[IngressClass]) -> bool:
    words = [part for c in workload.template.spec.containers for part in (*c.args, *c.command)]
    for ingress_class in classes:
        needles = {f"--ingress-class={ingress_class.name}"}
        if ingress_class.controller:
            needles.add(f"--controller-class={ingress_class.controller}")
        if any(word in needles for word in words):
            return True
    return False


def _has_well_known_labels(labels: Iterable[tuple[str, str]]) -> bool:
    pairs = set(labels)
    return any(pair in pairs for pair in WELL_KNOWN_CONTROLLER_LABELS)


def _contour_envoy(workload: Workload) -> bool:
    """Envoy configured by Contour: a container (its init container `envoy-initconfig` in
    Contour's quickstart, https://projectcontour.io/quickstart/contour.yaml) runs
    `contour bootstrap`, which writes the Envoy bootstrap pointing at Contour's xDS server."""
    for container in workload.template.spec.all_containers():
        words = (*container.command, *container.args)
        if len(words) >= 2 and words[0].rsplit("/", 1)[-1] == "contour" and words[1] == "bootstrap":
            return True
    return False
