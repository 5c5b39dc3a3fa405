"""egress-blocks-dns: egress-isolated pods that cannot reach the cluster DNS, and whether the pods
look up names at all.

A pod that names nothing does not need DNS. An in-cluster Kubernetes client reaches the API
server at `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` (k8s.io/client-go
rest/config.go, InClusterConfig), and the kubelet always sets those two variables to the cluster
IP and port of Service `default/kubernetes`, even with `enableServiceLinks: false`
(k8s.io/kubernetes pkg/kubelet/kubelet_pods.go, getServiceEnvVarMap; pkg/kubelet/envvars). So a
controller whose policy admits only a few listed addresses (Sealed Secrets' `kubeapiCidr`), and
that is given no host name, works with DNS blocked. One whose policy admits a port to anywhere
(Reloader's TCP 443) may too, but so is written one that calls its providers by name (External
Secrets): that stays an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from topo.analyses.reach.classes import workload_label
from topo.analyses.reach.ipblocks import IPSet
from topo.analyses.reach.policy import EGRESS
from topo.graph.call_names import names_in
from topo.graph.link_calls import texts_of
from topo.graph.relations import CALLS
from topo.model import Workload
from topo.model.kinds import WORKLOAD_KINDS, make_id
from topo.model.objects import ConfigData
from topo.rules.registry import ERROR, WARNING, Issue, rule

DNS_POLICIES_USING_CLUSTER_DNS = ("ClusterFirst", "ClusterFirstWithHostNet")
#: The CA bundle the root-ca-cert-publisher controller writes into every namespace
#: (https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#serviceaccount-token-volume-projection):
#: a certificate, never a host name, and never in the input.
_ROOT_CA_CONFIGMAP = "kube-root-ca.crt"


def _uses_cluster_dns(workload: Workload) -> bool:
    """dnsPolicy ClusterFirst (the default) or ClusterFirstWithHostNet sends lookups to kube-dns;
    a hostNetwork pod with ClusterFirst falls back to the node's resolver
    (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy)."""
    spec = workload.raw.get("spec") if workload.kind == "Pod" else _template_spec(workload.raw)
    policy = spec.get("dnsPolicy") if isinstance(spec, Mapping) else None
    policy = policy or "ClusterFirst"
    if policy not in DNS_POLICIES_USING_CLUSTER_DNS:
        return False
    return not workload.template.spec.host_network or policy == "ClusterFirstWithHostNet"


def _template_spec(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    spec = raw.get("spec")
    if not isinstance(spec, Mapping):
        return None
    if raw.get("kind") == "CronJob":
        spec = (
            spec.get("jobTemplate", {}).get("spec") if isinstance(spec.get("jobTemplate"), Mapping) else None
        )
        if not isinstance(spec, Mapping):
            return None
    template = spec.get("template")
    return template.get("spec") if isinstance(template, Mapping) else None


def name_use_evidence(workload: Workload, ctx) -> str | None:
    """Why the pods may look up a name (the first reason found), or None when topo sees none:
    a `calls` edge; a host name in an env value, an argument or a ConfigMap or Secret the pods
    read (texts_of, credential keys aside); or configuration missing from the input, which may
    hold one."""
    for target_id, data in sorted(ctx.outgoing(workload.id, CALLS), key=lambda item: item[0]):
        return f"they call {data.get('name') or target_id} by name ({data.get('found')})"
    for variable, text, found in texts_of(ctx.model, workload):
        is_file = found.startswith(("ConfigMap/", "Secret/"))
        for name, port, explicit, _ in names_in(text, variable, is_file):
            # A bare single label (`json`, `info`) is a word unless it stands where a host does;
            # dotted names count even when they resolve to nothing in the cluster (`api.slack.com`,
            # `kubernetes.default.svc`: the calls linker leaves both out, the resolver does not).
            if "." in name or explicit or port is not None:
                return f"{found} names the host {name}"
    for ref in workload.template.spec.config_refs:
        if (
            ref.via == "imagePullSecrets"
            or not ref.mounted
            or (ref.kind == "ConfigMap" and ref.name == _ROOT_CA_CONFIGMAP)
        ):
            continue
        if ref.kind == "Secret":
            # A Secret of the input was scanned above (texts_of: its text values, credential keys
            # and types aside); one that is not in the input may hold an address.
            if ctx.get(make_id("Secret", workload.namespace, ref.name)) is None:
                return f"they read Secret {ref.name} ({ref.path}), which is not in the input"
            continue
        if not isinstance(ctx.get(make_id("ConfigMap", workload.namespace, ref.name)), ConfigData):
            return f"they read ConfigMap {ref.name} ({ref.path}), which is not in the input"
    return None


#: The most addresses one `ipBlock` may hold for its rule to count as a list of addresses (a /24):
#: the API server's address (`kubeapiCidr: 10.0.0.1/32`) is one; `0.0.0.0/0` or a whole private
#: range is a way out to whatever the pods name, and so is a rule without `to` (every destination).
MAX_LISTED_ADDRESSES = 256


def _egress_admits_only_addresses(reach, policy_ids: list[str], ctx) -> bool:
    """Every egress rule of the selecting policies admits only a few listed addresses (ipBlocks
    of at most MAX_LISTED_ADDRESSES each), and at least one rule admits something: the author
    listed where the pods go, by address. A rule to every destination does not count, even on
    one port: TCP 443 to anywhere is how a controller reaches the API server, and just as much
    how External Secrets reaches `secretsmanager.<region>.amazonaws.com`, by name."""
    by_id = ctx.memo("network.policies-by-id", lambda: {p.id: p for p in reach.policies})
    rules = [r for policy_id in policy_ids for r in (getattr(by_id.get(policy_id), "egress", None) or ())]
    return bool(rules) and all(
        bool(r.peers)
        and all(peer.ip is not None and _address_count(peer.ip) <= MAX_LISTED_ADDRESSES for peer in r.peers)
        for r in rules
    )


def _address_count(addresses: IPSet) -> int:
    return sum(high - low + 1 for low, high in addresses.intervals)


@rule(
    "egress-blocks-dns",
    title="Egress-isolated pods cannot reach kube-dns on port 53",
    severity=ERROR,
    kinds=WORKLOAD_KINDS,
    why_severity=(
        "error: every name lookup of the isolated pods fails as written, in every cluster that "
        "enforces NetworkPolicy. A warning when the pods appear to use only IP addresses (their "
        "egress admits only a few listed IP addresses, and topo sees no host name they use): "
        "nothing breaks as configured, but any name lookup added later fails."
    ),
)
def egress_blocks_dns(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        For every workload whose egress is restricted (a NetworkPolicy with `Egress` in its
        policyTypes selects it, or an admin policy decides its egress), checks that its egress
        admits the cluster DNS — pods labelled `k8s-app: kube-dns` in `kube-system` — on UDP
        port 53. The kube-dns pods of the input are used when it has them; otherwise topo assumes
        the CoreDNS that kubeadm installs (labels `k8s-app: kube-dns`, ports `dns` UDP 53 and
        `dns-tcp` TCP 53) in a `kube-system` namespace whose labels, besides
        `kubernetes.io/metadata.name`, are not known and so are assumed to match. Pods that do not
        use the cluster DNS (`dnsPolicy: Default` or `None`, or hostNetwork without
        `ClusterFirstWithHostNet`) and the DNS pods themselves are skipped. Only the source's
        egress is judged here; kube-dns's own ingress is another policy's business.

        The finding is a warning, not an error, when the pods appear to use only IP addresses:
        every egress rule of the NetworkPolicies that isolate them admits only a few listed
        addresses (`ipBlock`s of at most 256 addresses, a /24, each: Sealed Secrets'
        `kubeapiCidr`, the API server's address), and topo sees no name the pods use — no `calls` edge, no host name in their env values, arguments or the
        ConfigMaps and Secrets they read (a Secret's keys that name credentials are not read),
        and no ConfigMap or Secret missing from the input that could hold one. A
        Kubernetes client in the pod reaches the API server at `$KUBERNETES_SERVICE_HOST`, an IP
        address the kubelet always sets (k8s.io/client-go rest/config.go `InClusterConfig`;
        k8s.io/kubernetes pkg/kubelet/kubelet_pods.go `getServiceEnvVarMap`). A name built into
        the image stays invisible: the message says what topo looked at. A rule to every
        destination, or a wide ipBlock (`0.0.0.0/0`, a whole private range), keeps the error even
        on one port: TCP 443 to anywhere is how Reloader reaches the API server by address, and
        also how External Secrets reaches its providers by name — topo cannot tell them apart.

    Why it matters:
        Every Service name the application resolves goes through kube-dns first. A default-deny
        egress policy without a DNS exception breaks every in-cluster and external name lookup:
        the pod's calls fail with "temporary failure in name resolution" even though the rule
        for the real destination is right.

    Example:
        ```yaml
        kind: NetworkPolicy
        spec:
          podSelector: {}
          policyTypes: [Egress]
          egress:
            - to: [{podSelector: {matchLabels: {app: postgres}}}]   # no rule for DNS
        ```

    Fix:
        Allow DNS next to the default deny:
        ```yaml
        egress:
          - to:
              - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                podSelector: {matchLabels: {k8s-app: kube-dns}}
            ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
        ```
        For pods that only ever use IP addresses, leaving DNS out is a valid hardening; suppress
        the warning with `topo.dev/ignore: "egress-blocks-dns: reason"`.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name
        - https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/#directly-accessing-the-rest-api
    """
    reach = ctx.analysis.reach
    source = reach.universe.class_of(workload.id)
    if (
        source is None
        or workload.id in {w.id for w in reach.dns_workloads}
        or not _uses_cluster_dns(workload)
    ):
        return
    dns = reach.dns_class(workload)
    if dns is None:
        return
    side = reach.judge_side(EGRESS, source, dns, workload_label(workload))
    if not side.isolated and not side.admin:
        return
    if side.allowed.contains("UDP", 53):
        return
    tcp = "TCP 53 is allowed" if side.allowed.contains("TCP", 53) else "TCP 53 neither"
    if side.isolated:
        why = f"egress is isolated by {', '.join(side.selected_by)} and no egress rule admits kube-system/kube-dns on UDP 53 ({tcp})"
    else:
        why = f"{side.reason()} ({tcp})"
    related = tuple(side.selected_by) + tuple(m.policy for m in side.admin)
    hint = "add an egress rule to pods `k8s-app: kube-dns` in namespace kube-system on UDP and TCP 53"
    only_addresses = (
        side.isolated and not side.admin and _egress_admits_only_addresses(reach, side.selected_by, ctx)
    )
    evidence = name_use_evidence(workload, ctx) if only_addresses else None
    if only_addresses and evidence is None:
        yield Issue(
            f"{why}: any name lookup fails, but the pods appear to use only IP addresses (their egress "
            "admits only a few listed addresses, and topo sees no host name in their env, args, ConfigMaps or Secrets; "
            "a Kubernetes client reaches the API server at $KUBERNETES_SERVICE_HOST, an IP)",
            hint=f"if the pods look up any name (one built into the image, a webhook URL added later), {hint}",
            related=related,
            severity=WARNING,
        )
        return
    # Where the egress admits only addresses, say what shows that the pods use names after all.
    because = f" ({evidence})" if evidence else ""
    yield Issue(f"{why}: name lookups fail{because}", hint=hint, related=related)
