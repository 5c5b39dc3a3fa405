"""Policy objects that point at nothing: HPAs without a target, PodDisruptionBudgets and
NetworkPolicies whose selectors match no pod template, NetworkPolicy peers that allow nobody."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from topo.graph.relations import ISOLATES, PROTECTS
from topo.model.errors import ManifestError
from topo.model.kinds import make_id
from topo.model.objects import HorizontalPodAutoscaler, NetworkPolicy, PodDisruptionBudget
from topo.model.selectors import EVERYTHING, EXISTS, IN, LabelSelector, parse_label_selector
from topo.rules.creators import runtime_pod_creator
from topo.rules.operated import custom_resource_may_run_pods
from topo.rules.registry import ERROR, INFO, WARNING, Issue, rule
from topo.rules.services import selector_miss_hint
from topo.rules.suggest import NameIndex

#: The label the control plane sets on every Namespace to its name (GA in 1.22):
#: https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
#: Namespaces every cluster has (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces).
INITIAL_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
#: Namespaces whose pods are mostly the cluster's own (CoreDNS, CNI, cloud agents): a manifest set
#: that deploys one component there does not show the rest, so their pods are never judged.
SYSTEM_NAMESPACES = frozenset({"kube-node-lease", "kube-public", "kube-system"})


@rule(
    "hpa-target-missing",
    title="HorizontalPodAutoscaler scales a workload that is not declared",
    severity=ERROR,
    kinds=("HorizontalPodAutoscaler",),
    why_severity=(
        "error: the autoscaler names a workload that does not exist, so nothing is scaled as written."
    ),
)
def hpa_target_missing(hpa: HorizontalPodAutoscaler, ctx):
    """
    What it does:
        Finds HorizontalPodAutoscalers whose `spec.scaleTargetRef` (kind and name, in the HPA's
        namespace) names an object that is neither in the input nor declared `external` in
        topo.yaml. Custom resources with a scale subresource (an Argo `Rollout`) count when they
        are in the input.

    Why it matters:
        The autoscaler cannot read the target's scale: its status shows `ScalingActive False`
        with reason `FailedGetScale` (`deployments/scale.apps "web" not found`), and the workload
        it was meant to protect under load is never scaled.

    Example:
        ```yaml
        kind: HorizontalPodAutoscaler
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: frontend-v2}   # renamed
          minReplicas: 2
          maxReplicas: 10
        ```

    Fix:
        Point `scaleTargetRef` at the workload's kind and current name in the same namespace, or
        delete the HorizontalPodAutoscaler with the workload.

    References:
        - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#how-does-a-horizontalpodautoscaler-work
        - https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
    """
    target_id = make_id(hpa.target_kind, hpa.namespace, hpa.target_name)
    if not ctx.exists(target_id):
        yield Issue(
            f"scaleTargetRef names {hpa.target_kind} {hpa.target_name!r}, which is not declared in namespace {hpa.namespace}",
            hint=f"point scaleTargetRef at an existing workload, declare {target_id}, or list it under `external:` in topo.yaml",
            related=(target_id,),
            path="spec.scaleTargetRef.name",
        )


@rule(
    "pdb-selects-nothing",
    title="PodDisruptionBudget selector matches no pod template",
    severity=WARNING,
    kinds=("PodDisruptionBudget",),
    why_severity=(
        "warning: the budget protects nothing; nothing fails as written, the risk comes with the next drain."
    ),
)
def pdb_selects_nothing(pdb: PodDisruptionBudget, ctx):
    """
    What it does:
        Finds PodDisruptionBudgets whose `spec.selector` matches the pod template labels of no
        workload in the PDB's namespace, over the whole input. A missing selector counts (it
        selects no pods; so does `selector: {}` in `policy/v1beta1`); `selector: {}` in
        `policy/v1` selects every pod of the namespace and is not flagged. A selector that could
        match the pods an operator creates from a custom resource of the namespace is not flagged.

    Why it matters:
        A budget that selects no pod protects nothing: `kubectl drain` and cluster upgrades evict
        all replicas of the workload it was written for at once. Its status shows
        `expectedPods: 0`, which nobody looks at.

    Example:
        ```yaml
        kind: PodDisruptionBudget
        spec:
          minAvailable: 2
          selector:
            matchLabels: {app: wordpres}   # the pods are labelled app: wordpress
        ```

    Fix:
        Make the selector match the pod template labels of the workload to protect.

    References:
        - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#specifying-a-poddisruptionbudget
        - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-budgets
    """
    if pdb.selector.is_everything or any(True for _ in ctx.outgoing(pdb.id, PROTECTS)):
        return
    if pdb.selector.matches_nothing:
        spec = pdb.raw.get("spec")
        given = isinstance(spec, dict) and spec.get("selector") is not None
        yield Issue(
            "spec.selector: {} selects no pods in policy/v1beta1 (policy/v1 reads it as every pod)"
            if given
            else "spec.selector is missing: a PodDisruptionBudget without a selector selects no pods",
            hint="add spec.selector.matchLabels with the pod template labels of the workload to protect",
        )
        return
    if custom_resource_may_run_pods(ctx, pdb.namespace, pdb.selector):
        return
    yield Issue(
        f"selector {pdb.selector.to_text()} matches no pod template in namespace {pdb.namespace}",
        hint=selector_miss_hint(
            ctx, pdb.namespace, pdb.selector, "make the selector match the pod template labels"
        ),
        path="spec.selector",
    )


@rule(
    "networkpolicy-selects-nothing",
    title="NetworkPolicy podSelector matches no pod template",
    severity=WARNING,
    kinds=("NetworkPolicy",),
    why_severity=(
        "warning: the policy protects nothing; nothing breaks, but the isolation it was written "
        "for does not exist. Info when a workload of the namespace may create pods there (RBAC of "
        "the input): the policy is probably for the pods it spawns at run time."
    ),
)
def networkpolicy_selects_nothing(policy: NetworkPolicy, ctx):
    """
    What it does:
        Finds NetworkPolicies whose `spec.podSelector` matches the pod template labels of no
        workload in the policy's namespace, over the whole input. `podSelector: {}` selects every
        pod of the namespace (a namespace-wide default) and is never flagged. A selector that
        could match the pods an operator creates from a custom resource of the namespace is not
        flagged either. When a workload of the namespace may create pods there (RBAC of the
        input: JupyterHub's hub spawns a pod per user, a Jenkins controller its agents), the
        finding is an info naming it: the policy is probably for those pods.

    Why it matters:
        A policy applies only to the pods its podSelector picks. With a typo the intended pods
        stay non-isolated — everything may reach them — while the manifests suggest otherwise.

    Example:
        ```yaml
        kind: NetworkPolicy
        spec:
          podSelector:
            matchLabels: {app: payment}   # the pods are labelled app: payments
          policyTypes: [Ingress]
        ```

    Fix:
        Make the podSelector match the pod template labels of the pods to isolate.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation
    """
    selector = policy.pod_selector
    if selector.is_everything or any(True for _ in ctx.outgoing(policy.id, ISOLATES)):
        return
    if custom_resource_may_run_pods(ctx, policy.namespace, selector):
        return
    populated = ctx.memo(
        "policy-refs.namespaces-with-workloads", lambda: {w.namespace for w in ctx.model.workloads}
    )
    hint = selector_miss_hint(
        ctx, policy.namespace, selector, "make the podSelector match the pod template labels"
    )
    severity = None
    # a workload of the namespace (so it is populated) that may create pods there spawns them at
    # run time: the policy is probably for those
    creator = runtime_pod_creator(ctx, policy.namespace, selector)
    if creator is not None:
        outcome = f"the policy isolates no pod of the input; probably pods created at run time by {creator}"
        hint = f"nothing to do if {creator.split()[0]} creates these pods; else {hint}"
        severity = INFO
    elif policy.namespace in populated:
        outcome = "the policy isolates no pod"
    else:
        # a namespace with no workload of the input is filled by someone else (an operator's
        # tenants, another install): the policy is ready for pods topo does not see
        outcome = (
            "the policy isolates no pod of the input (the namespace holds none: pods created there "
            "by an operator or another install are not seen)"
        )
    yield Issue(
        f"podSelector {selector.to_text() or '(nothing)'} matches no pod template in namespace {policy.namespace}: "
        f"{outcome}",
        hint=hint,
        path="spec.podSelector",
        severity=severity,
    )


# --- peers -------------------------------------------------------------------------------------


class NamespaceFacts:
    """What the input says about namespaces: their labels where a Namespace object declares them,
    the names known to exist, and which namespaces show their workloads."""

    def __init__(self, ctx):
        model, config = ctx.model, ctx.config
        self.declared: dict[str, dict[str, str]] = {
            ns.name: {**ns.labels, NAMESPACE_NAME_LABEL: ns.name} for ns in model.of_kind("Namespace")
        }
        names = set(model.namespaces()) | set(INITIAL_NAMESPACES)
        names.update(i.split("/", 1)[1] for i in config.external if i.startswith("Namespace/"))
        if config.ingress_controller is not None and config.ingress_controller.namespace:
            names.add(config.ingress_controller.namespace)
        #: Namespaces known to exist whose labels (but their name) are unknown.
        self.implicit = sorted(names - set(self.declared))
        self._implicit = frozenset(self.implicit)
        self._selected: dict[LabelSelector, tuple[list[str], bool]] = {}
        self._close: dict[str, list[str]] = {}
        self._names: NameIndex | None = None
        self.pods = model.template_index()
        #: Namespaces whose pods the input shows (for judging a podSelector there).
        self.with_workloads = set(self.pods.namespaces()) - SYSTEM_NAMESPACES

    def selected(self, selector: LabelSelector) -> tuple[list[str], bool]:
        """The known namespaces `selector` matches (or may match), and whether namespaces topo
        does not know could match too (the selector does not pin `kubernetes.io/metadata.name`
        with In; then the list is left empty: the caller cannot conclude anything)."""
        if selector not in self._selected:
            pinned = [
                set(r.values)
                for r in selector.requirements
                if r.key == NAMESPACE_NAME_LABEL and r.operator == IN
            ]
            if not pinned:
                self._selected[selector] = ([], True)
            else:
                names = sorted(set.intersection(*pinned))
                matched = [
                    name for name in names if name in self.declared and selector.matches(self.declared[name])
                ]
                # Only the name label of an implicit namespace is known: any other requirement might hold.
                matched += [
                    name
                    for name in names
                    if name in self._implicit
                    and all(
                        r.matches({NAMESPACE_NAME_LABEL: name})
                        for r in selector.requirements
                        if r.key == NAMESPACE_NAME_LABEL
                    )
                ]
                self._selected[selector] = (sorted(matched), False)
        return self._selected[selector]

    def close_names(self, name: str) -> list[str]:
        """Known namespace names that look like `name` (for a `did you mean`)."""
        if name not in self._close:
            if self._names is None:  # a bounded shortlist per query (topo.rules.suggest), built once
                self._names = NameIndex({*self.declared, *self.implicit})
            self._close[name] = self._names.close_matches(name, n=3, cutoff=0.6)
        return self._close[name]


def _namespace_hint(facts: NamespaceFacts, selector: LabelSelector) -> str:
    wanted = [
        v
        for r in selector.requirements
        if r.key == NAMESPACE_NAME_LABEL and r.operator == IN
        for v in r.values
    ]
    close = sorted({match for name in wanted for match in facts.close_names(name)})
    hint = "fix the namespace name or labels, or list a namespace created elsewhere under `external:` in topo.yaml (Namespace/NAME)"
    return f"did you mean {', '.join(close)}? {hint}" if close else hint


_PEER_HINT = "make the podSelector match the pod template labels of the pods to allow"


def namespace_facts(ctx) -> NamespaceFacts:
    return ctx.memo("namespace-facts", lambda: NamespaceFacts(ctx))


def _peers(policy: NetworkPolicy) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for direction, rules, field in (("ingress", policy.ingress, "from"), ("egress", policy.egress, "to")):
        for rule_index, allow in enumerate(rules):
            peers = allow.get(field) if isinstance(allow, Mapping) else None
            if not isinstance(peers, list):
                continue
            for peer_index, peer in enumerate(peers):
                if isinstance(peer, Mapping):
                    yield f"spec.{direction}[{rule_index}].{field}[{peer_index}]", peer


def _pods_match(ctx, facts: NamespaceFacts, namespace: str, selector: LabelSelector) -> bool:
    return (
        bool(facts.pods.matching(namespace, selector))
        or custom_resource_may_run_pods(ctx, namespace, selector) is not None
    )


def peer_problem(
    ctx, policy: NetworkPolicy, path: str, peer: Mapping[str, Any]
) -> tuple[str, str, str | None] | None:
    """Why this allow-rule peer can match no pod, a hint, and the workload that probably creates
    its pods at run time (`runtime_pod_creator`) if any; None when it can (or topo cannot tell)."""
    if "ipBlock" in peer or (peer.get("podSelector") is None and peer.get("namespaceSelector") is None):
        return None
    try:
        pods = (
            parse_label_selector(peer["podSelector"], f"{path}.podSelector")
            if peer.get("podSelector") is not None
            else EVERYTHING
        )
        spaces = (
            parse_label_selector(peer["namespaceSelector"], f"{path}.namespaceSelector")
            if peer.get("namespaceSelector") is not None
            else None
        )
    except ManifestError:
        return None  # an invalid selector is a validation problem, not a dangling one
    facts = namespace_facts(ctx)
    if spaces is None:  # pods of the policy's own namespace
        if (
            pods.is_everything
            or policy.namespace in SYSTEM_NAMESPACES
            or (policy.namespace is not None and _pods_match(ctx, facts, policy.namespace, pods))
        ):
            return None
        return (
            f"{path}: podSelector {pods.to_text()} matches no pod template in namespace {policy.namespace}",
            selector_miss_hint(ctx, policy.namespace, pods, _PEER_HINT),
            _spawner(ctx, policy.namespace, pods),
        )
    namespaces, open_ended = facts.selected(spaces)
    if open_ended:
        return None  # a namespace topo does not know may carry those labels
    if not namespaces:
        return (
            f"{path}: namespaceSelector {spaces.to_text()} matches no namespace that exists (in the input or `external`)",
            _namespace_hint(facts, spaces),
            None,
        )
    if pods.is_everything:
        return None
    for namespace in namespaces:
        if namespace not in facts.with_workloads or _pods_match(ctx, facts, namespace, pods):
            return None  # its pods are not in the input, or one matches
    return (
        f"{path}: podSelector {pods.to_text()} matches no pod template in namespace"
        f"{'s' if len(namespaces) > 1 else ''} {', '.join(namespaces)} (picked by namespaceSelector {spaces.to_text()})",
        selector_miss_hint(ctx, namespaces[0], pods, _PEER_HINT),
        next(filter(None, (_spawner(ctx, namespace, pods) for namespace in namespaces)), None),
    )


def _spawner(ctx, namespace: str | None, pods: LabelSelector) -> str | None:
    """The workload that probably creates a peer's pods at run time: one that may create pods in
    the namespace (`runtime_pod_creator`), when the input expects such pods — a NetworkPolicy of
    the input selects exactly these pods, or the peer asks only for label keys that no pod
    template of the namespace carries (Longhorn's `longhorn.io/component: share-manager`: labels
    the creator gives the pods it starts, not the input's). A peer for pods of a component the
    install leaves out (JupyterHub's `component: autohttps`, off by default: its other components
    carry `component`) stays a warning."""
    expected = ctx.memo(
        "policy-refs.selected-pods",
        lambda: {
            (p.namespace, p.pod_selector.to_text())
            for p in ctx.model.of_type(NetworkPolicy)
            if not p.pod_selector.is_everything
        },
    )
    if (namespace, pods.to_text()) not in expected and not _untemplated_keys(ctx, namespace, pods):
        return None
    return runtime_pod_creator(ctx, namespace, pods)


def _untemplated_keys(ctx, namespace: str | None, pods: LabelSelector) -> bool:
    """Every key the selector needs on a pod (In, Exists) is a key no pod template of `namespace`
    carries."""
    needed = {r.key for r in pods.requirements if r.operator in (IN, EXISTS)}
    templated = ctx.memo(
        "policy-refs.template-label-keys",
        lambda: {(w.namespace, key) for w in ctx.model.workloads for key in w.template.labels},
    )
    return bool(needed) and all((namespace, key) not in templated for key in needed)


@rule(
    "networkpolicy-peer-selects-nothing",
    title="NetworkPolicy allow rule names pods or namespaces that do not exist",
    severity=WARNING,
    kinds=("NetworkPolicy",),
    why_severity=(
        "warning: the allow rule admits nobody; the connection it was meant for is reported as an "
        "error by dependency-blocked-by-policy when topo sees the application make it. Info when a "
        "workload of the peer's namespace may create pods there (RBAC of the input) and a policy of "
        "the input selects those pods, or no pod template of the namespace carries the label keys "
        "the peer needs: the peer probably names the pods it spawns at run time."
    ),
)
def networkpolicy_peer_selects_nothing(policy: NetworkPolicy, ctx):
    """
    What it does:
        Checks every peer of every `ingress[].from` and `egress[].to` rule:
        - `podSelector` alone: pods of the policy's namespace; flagged when no pod template there
          matches.
        - `namespaceSelector` (alone or with a `podSelector`): the namespaces it picks, matched
          against the labels of Namespaces in the input plus `kubernetes.io/metadata.name`, which
          every namespace carries. Flagged when it pins namespace names (by
          `kubernetes.io/metadata.name`) and none of them exists — in the input, as a
          `Namespace/x` listed `external`, or as an initial namespace (`default`, `kube-system`,
          `kube-public`, `kube-node-lease`); with a `podSelector`, also when the named namespaces
          show their workloads in the input and none matches.

        A peer whose pods a workload of the input may create at run time (RBAC of the input) is
        an info naming it, as for `networkpolicy-selects-nothing`, when a NetworkPolicy of the
        input selects exactly those pods (the install expects them: JupyterHub's policies for
        the user pods its hub spawns), or when every label key the peer needs is one that no pod
        template of the namespace carries (labels the creator gives its pods: Longhorn's
        `longhorn.io/component: share-manager`); a peer for a component the install leaves out,
        on a key the namespace's templates use (`component: autohttps`), stays a warning.

        Empty selectors (`{}`) match everything and `ipBlock` peers are not checked. A
        namespaceSelector on other labels is never flagged (a namespace outside the input may
        carry them), nor are pods of a namespace whose workloads are not in the input, nor pods
        of `kube-system`, `kube-public` and `kube-node-lease` (the cluster's own components, such
        as CoreDNS, are rarely in the manifests even when something else is deployed there).

    Why it matters:
        Allow rules are the only way through once a pod is isolated. A peer that matches nothing
        allows nobody: the traffic the rule was written for is dropped — `app: cart` for
        `app: carts` silently cuts the shop off from its cart service.

    Example:
        ```yaml
        ingress:
          - from:
              - podSelector:
                  matchLabels: {app: frontend}       # pods are labelled app: front-end
          - from:
              - namespaceSelector:
                  matchLabels: {kubernetes.io/metadata.name: monitorng}   # typo
        ```

    Fix:
        Make each selector match the labels of the pods and namespaces that must be allowed
        (`kubectl get pods -n NS -l …`, `kubectl get ns -l …`); list namespaces created outside
        these manifests under `external:` in topo.yaml (e.g. `Namespace/monitoring`).

    References:
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name
        - https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
    """
    for path, peer in _peers(policy):
        problem = peer_problem(ctx, policy, path, peer)
        if problem is None:
            continue
        message, hint, creator = problem
        if creator is None:
            yield Issue(f"{message}: this peer allows nobody", hint=hint, path=path)
        else:
            yield Issue(
                f"{message}: this peer allows no pod of the input; probably pods created at run time by {creator}",
                hint=f"nothing to do if {creator.split()[0]} creates these pods; else {hint}",
                path=path,
                severity=INFO,
            )
