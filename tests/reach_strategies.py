"""Hypothesis strategies for small random systems: namespaces, workloads, NetworkPolicies and
(optionally) admin policies, as lists of manifest dicts."""

from __future__ import annotations

from hypothesis import strategies as st

NAMESPACES = ("ns-a", "ns-b", "ns-c")
LABEL_VALUES = {"app": ("web", "db", "api"), "tier": ("front", "back")}
NAMESPACE_LABELS = {"team": ("red", "blue"), "env": ("prod", "dev")}
CONTAINER_PORTS = (
    {"containerPort": 8080, "name": "http"},
    {"containerPort": 9090, "name": "http"},
    {"containerPort": 53, "name": "dns", "protocol": "UDP"},
    {"containerPort": 443},
    {"containerPort": 5432, "name": "pg"},
)


def labels(pool=LABEL_VALUES, min_size=0):
    return st.dictionaries(
        st.sampled_from(sorted(pool)),
        st.sampled_from(("web", "db", "api", "front", "back", "red", "blue", "prod", "dev")),
        min_size=min_size,
        max_size=2,
    ).map(lambda d: {k: v for k, v in d.items() if v in pool[k]})


@st.composite
def selectors(draw, pool=LABEL_VALUES, operators=("In", "NotIn", "Exists", "DoesNotExist")):
    kind = draw(st.sampled_from(("empty", "labels", "expressions", "labels")))
    if kind == "empty":
        return {}
    if kind == "labels":
        chosen = draw(labels(pool, min_size=1))
        return {"matchLabels": chosen} if chosen else {}
    key = draw(st.sampled_from(sorted(pool)))
    operator = draw(st.sampled_from(operators))
    expression = {"key": key, "operator": operator}
    if operator in ("In", "NotIn"):
        expression["values"] = draw(st.lists(st.sampled_from(pool[key]), min_size=1, max_size=2, unique=True))
    return {"matchExpressions": [expression]}


@st.composite
def np_peers(draw, cidrs, consistent=False):
    kind = draw(st.sampled_from(("pods", "namespaces", "both", "ip")))
    if kind == "ip":
        cidr, excepts = draw(st.sampled_from(cidrs))
        block = {"cidr": cidr}
        if excepts:
            block["except"] = excepts
        return {"ipBlock": block}
    peer = {}
    if kind in ("pods", "both"):
        # network-config-analyzer 2.1.0 matches nothing with an Exists/DoesNotExist podSelector
        # next to a namespaceSelector (see tests/property/test_reach_oracle.py): only In for it.
        operators = ("In",) if consistent and kind == "both" else ("In", "NotIn", "Exists", "DoesNotExist")
        peer["podSelector"] = draw(selectors(operators=operators))
    if kind in ("namespaces", "both"):
        peer["namespaceSelector"] = draw(
            selectors(NAMESPACE_LABELS | {"kubernetes.io/metadata.name": NAMESPACES})
        )
    return peer


@st.composite
def np_ports(draw, named=True):
    choice = draw(
        st.sampled_from(
            ("none", "number", "range", "protocol", "name")
            if named
            else ("none", "number", "range", "protocol")
        )
    )
    if choice == "none":
        return None
    entries = []
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(
            st.sampled_from(
                ("number", "range", "protocol", "name") if named else ("number", "range", "protocol")
            )
        )
        protocol = draw(st.sampled_from((None, "TCP", "UDP")))
        entry = {} if protocol is None else {"protocol": protocol}
        if kind == "number":
            entry["port"] = draw(st.sampled_from((53, 443, 5432, 8080, 9090)))
        elif kind == "range":
            low = draw(st.sampled_from((50, 440, 8000)))
            entry["port"], entry["endPort"] = low, low + draw(st.sampled_from((0, 10, 1000)))
        elif kind == "name":
            entry["port"] = draw(st.sampled_from(("http", "dns", "pg")))
        entries.append(entry)
    return entries


CIDRS = (
    ("0.0.0.0/0", ["10.0.0.0/8"]),
    ("10.0.0.0/8", []),
    ("10.1.0.0/16", ["10.1.2.0/24"]),
    ("192.168.0.0/16", []),
)


@st.composite
def network_policies(draw, index, named=True, consistent=False):
    namespace = draw(st.sampled_from(NAMESPACES))
    spec = {"podSelector": draw(selectors())}
    types = draw(st.sampled_from((None, ["Ingress"], ["Egress"], ["Ingress", "Egress"])))
    if types is not None:
        spec["policyTypes"] = types
    for direction, field in (("ingress", "from"), ("egress", "to")):
        if consistent and types is not None and direction.capitalize() not in types:
            continue  # network-config-analyzer refuses rules of a direction policyTypes leaves out
        if draw(st.booleans()):
            rules = []
            for _ in range(draw(st.integers(0, 2))):
                rule = {}
                peers = draw(st.sampled_from(("missing", "empty", "some", "some")))
                if peers == "empty":
                    rule[field] = []
                elif peers == "some":
                    rule[field] = draw(st.lists(np_peers(CIDRS, consistent), min_size=1, max_size=2))
                ports = draw(np_ports(named))
                if ports is not None:
                    rule["ports"] = ports
                rules.append(rule)
            if consistent and types is None and direction == "egress" and not rules:
                continue  # network-config-analyzer reads `egress: []` as an Egress policyType
            spec[direction] = rules
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": f"np-{index}", "namespace": namespace},
        "spec": spec,
    }


@st.composite
def admin_peer(draw, egress):
    kind = draw(st.sampled_from(("namespaces", "pods", "networks") if egress else ("namespaces", "pods")))
    if kind == "namespaces":
        return {"namespaces": draw(selectors(NAMESPACE_LABELS))}
    if kind == "pods":
        return {
            "pods": {"namespaceSelector": draw(selectors(NAMESPACE_LABELS)), "podSelector": draw(selectors())}
        }
    return {"networks": [draw(st.sampled_from(("10.0.0.0/8", "192.168.0.0/16")))]}


@st.composite
def admin_ports(draw):
    if draw(st.booleans()):
        return None
    kind = draw(st.sampled_from(("portNumber", "namedPort", "portRange")))
    if kind == "portNumber":
        return [
            {
                "portNumber": {
                    "protocol": draw(st.sampled_from(("TCP", "UDP"))),
                    "port": draw(st.sampled_from((53, 8080, 9090))),
                }
            }
        ]
    if kind == "namedPort":
        return [{"namedPort": draw(st.sampled_from(("http", "dns")))}]
    return [{"portRange": {"protocol": "TCP", "start": 1000, "end": 9000}}]


@st.composite
def admin_policies(draw, index, baseline=False):
    actions = ("Allow", "Deny") if baseline else ("Allow", "Deny", "Pass")
    spec = {
        "subject": {"namespaces": draw(selectors(NAMESPACE_LABELS))}
        if draw(st.booleans())
        else {
            "pods": {"namespaceSelector": draw(selectors(NAMESPACE_LABELS)), "podSelector": draw(selectors())}
        }
    }
    if not baseline:
        spec["priority"] = draw(st.integers(0, 3))
    for direction, field in (("ingress", "from"), ("egress", "to")):
        rules = []
        for _ in range(draw(st.integers(0, 2))):
            rule = {
                "action": draw(st.sampled_from(actions)),
                field: draw(st.lists(admin_peer(direction == "egress"), min_size=1, max_size=2)),
            }
            ports = draw(admin_ports())
            if ports is not None:
                rule["ports"] = ports
            rules.append(rule)
        if rules:
            spec[direction] = rules
    kind = "BaselineAdminNetworkPolicy" if baseline else "AdminNetworkPolicy"
    name = "default" if baseline else f"anp-{index}"
    return {
        "apiVersion": "policy.networking.k8s.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": spec,
    }


@st.composite
def systems(draw, admin=True, named=True, max_policies=4, consistent=False, min_policies=0, min_namespaces=1):
    """A list of manifests: Namespaces (some), Deployments, policies."""
    documents = []
    namespaces = draw(st.lists(st.sampled_from(NAMESPACES), min_size=min_namespaces, max_size=3, unique=True))
    for namespace in namespaces:
        if draw(st.booleans()):
            documents.append(
                {
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {"name": namespace, "labels": draw(labels(NAMESPACE_LABELS))},
                }
            )
    count = 0
    for namespace in namespaces:
        for _ in range(draw(st.integers(1, 3))):
            count += 1
            pod_labels = draw(labels(min_size=1)) or {"app": "web"}
            ports = draw(st.lists(st.sampled_from(range(len(CONTAINER_PORTS))), max_size=2, unique=True))
            container_ports = [CONTAINER_PORTS[i] for i in ports]
            names = [p.get("name") for p in container_ports if p.get("name")]
            if len(names) != len(set(names)):
                container_ports = container_ports[:1]
            container = {"name": "main", "image": "nginx"}
            if container_ports:
                container["ports"] = container_ports
            documents.append(
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": f"w{count}", "namespace": namespace},
                    "spec": {
                        "selector": {"matchLabels": pod_labels},
                        "template": {"metadata": {"labels": pod_labels}, "spec": {"containers": [container]}},
                    },
                }
            )
    for index in range(draw(st.integers(min_policies, max_policies))):
        documents.append(draw(network_policies(index, named, consistent)))
    if admin:
        for index in range(draw(st.integers(0, 2))):
            documents.append(draw(admin_policies(index)))
        if draw(st.booleans()):
            documents.append(draw(admin_policies(0, baseline=True)))
    return documents
