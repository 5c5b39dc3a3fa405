"""Namespaces: a team's namespace filled with apps up to its object budget (NetworkPolicies in about
half of them), and the ``kube-system`` and ``ingress-nginx`` namespaces every cluster has."""

from __future__ import annotations

from collections import Counter

from .apps import Apps
from .objects import (
    config_map,
    namespace_obj,
    network_policy,
    pdb,
    service,
    service_account,
    workload,
)
from .state import Namespace
from .vocab import DOMAINS, ENVS, INGRESS_NS, Obj


class Namespaces(Apps):
    """Fills namespaces with apps; the last one lands exactly on the requested object count."""

    def _checkpoint(self, ns: Namespace) -> tuple:
        return (len(ns.services), len(ns.datastores), self.stats.references, Counter(self.stats.dangling))

    def _rollback(self, ns: Namespace, undo: tuple) -> None:
        del ns.services[undo[0] :]
        del ns.datastores[undo[1] :]
        self.stats.references, self.stats.dangling = undo[2], Counter(undo[3])

    def network_policies(self, ns: Namespace) -> list[Obj]:
        deny = network_policy(
            ns.name, "default-deny-all", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        )
        peers: list[Obj] = [
            {"podSelector": {}},
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": INGRESS_NS}}},
            {"namespaceSelector": {"matchLabels": {"team": ns.team}}},
        ]
        if self.chance(0.3):
            # monitoring namespace: often absent from the manifests (dangling when it is)
            mon = "monitoring" if not self.dangles("netpol-peer") else "monitoring-old"
            peers.append(
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": mon}},
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
                }
            )
        allow = network_policy(
            ns.name,
            "allow-from-namespace",
            {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": peers}],
                "egress": [
                    {"to": [{"podSelector": {}}]},
                    {"to": [{"namespaceSelector": {"matchLabels": {"team": ns.team}}}]},
                ],
            },
        )
        dns = network_policy(
            ns.name,
            "allow-dns-egress",
            {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                                },
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    }
                ],
            },
        )
        return [deny, allow, dns]

    def app_policy(self, ns: Namespace) -> list[Obj]:
        """A per-app ingress policy (in isolated namespaces) for one web app, with named ports."""
        web = [s for s in ns.services if s.name not in {d[1] for d in ns.datastores}]
        if not web:
            return []
        s = self.rng.choice(web)
        sel = {"app.kubernetes.io/name": self.ref("netpol-selector", s.name)}
        return [
            network_policy(
                ns.name,
                f"allow-{s.name}-http",
                {
                    "podSelector": {"matchLabels": sel},
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {"from": [{"namespaceSelector": {}}], "ports": [{"protocol": "TCP", "port": "http"}]}
                    ],
                },
            )
        ]

    def pick_app(self, first: bool):
        if first and self.chance(0.7):
            return self.datastore_app
        return self.rng.choices(
            (self.web_app, self.worker_app, self.cron_app, self.job_app, self.agent_app, self.datastore_app),
            weights=(50, 18, 12, 7, 4, 9),
        )[0]

    def namespace(self, index: int, budget: int, final: bool) -> Namespace:
        r = self.rng
        team = r.choice(DOMAINS)
        env = r.choice(ENVS)
        ns = Namespace(f"{team}-{env}-{index:04d}", team, env)
        ns.objects.append(
            namespace_obj(
                ns.name,
                {"team": team, "env": env, "istio-injection": "enabled" if self.chance(0.3) else "disabled"},
            )
        )
        isolated = self.chance(0.5) and budget >= 10
        if isolated:
            ns.objects.extend(self.network_policies(ns))
        first = True
        while len(ns.objects) < budget:
            undo = self._checkpoint(ns) if final else None
            objs = self.pick_app(first)(ns)
            if final and len(ns.objects) + len(objs) > budget:
                # last namespace: forget that app, try a small one, then pad with ConfigMaps to land exactly
                self._rollback(ns, undo)
                objs = self.job_app(ns)
                if len(ns.objects) + len(objs) > budget:
                    self._rollback(ns, undo)
                    break
            ns.objects.extend(objs)
            first = False
        if isolated and (not final or len(ns.objects) < budget):
            ns.objects.extend(self.app_policy(ns))
        i = 0
        while final and len(ns.objects) < budget:
            i += 1
            ns.objects.append(
                config_map(ns.name, ns.unique(f"settings-{i}"), {"team": team}, {"key": f"value-{i}"})
            )
        return ns

    def system_namespaces(self) -> list[Namespace]:
        ks = Namespace("kube-system", "platform", "prod")
        dns_labels = {"k8s-app": "kube-dns"}
        ks.objects += [
            namespace_obj("kube-system", {}),
            service_account("kube-system", "coredns", dns_labels),
            config_map(
                "kube-system",
                "coredns",
                dns_labels,
                {
                    "Corefile": (
                        ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"
                        "       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n    }\n"
                        "    forward . /etc/resolv.conf\n    cache 30\n}\n"
                    )
                },
            ),
            workload(
                "Deployment",
                "kube-system",
                "coredns",
                dns_labels,
                {
                    "replicas": 2,
                    "selector": {"matchLabels": dns_labels},
                    "template": {
                        "metadata": {"labels": dns_labels},
                        "spec": {
                            "serviceAccountName": "coredns",
                            "priorityClassName": "system-cluster-critical",
                            "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
                            "containers": [
                                {
                                    "name": "coredns",
                                    "image": "registry.k8s.io/coredns/coredns:v1.11.1",
                                    "args": ["-conf", "/etc/coredns/Corefile"],
                                    "ports": [
                                        {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                        {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"},
                                        {"name": "metrics", "containerPort": 9153},
                                    ],
                                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181}},
                                    "livenessProbe": {
                                        "httpGet": {"path": "/health", "port": 8080},
                                        "initialDelaySeconds": 60,
                                    },
                                    "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns"}],
                                }
                            ],
                            "volumes": [{"name": "config-volume", "configMap": {"name": "coredns"}}],
                        },
                    },
                },
            ),
            service(
                "kube-system",
                "kube-dns",
                dns_labels,
                dns_labels,
                [
                    {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                    {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                    {"name": "metrics", "port": 9153, "targetPort": 9153},
                ],
            ),
        ]
        ing = Namespace(INGRESS_NS, "platform", "prod")
        labels = {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}
        ing.objects += [
            namespace_obj(INGRESS_NS, {"team": "platform"}),
            service_account(INGRESS_NS, "ingress-nginx", labels),
            config_map(INGRESS_NS, "ingress-nginx-controller", labels, {"use-forwarded-headers": "true"}),
            workload(
                "Deployment",
                INGRESS_NS,
                "ingress-nginx-controller",
                labels,
                {
                    "replicas": 3,
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "serviceAccountName": "ingress-nginx",
                            "containers": [
                                {
                                    "name": "controller",
                                    "image": "registry.k8s.io/ingress-nginx/controller:v1.10.0",
                                    "args": [
                                        "/nginx-ingress-controller",
                                        "--ingress-class=nginx",
                                        "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
                                    ],
                                    "env": [
                                        {
                                            "name": "POD_NAMESPACE",
                                            "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                        }
                                    ],
                                    "ports": [
                                        {"name": "http", "containerPort": 80},
                                        {"name": "https", "containerPort": 443},
                                    ],
                                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": 10254}},
                                    "livenessProbe": {
                                        "httpGet": {"path": "/healthz", "port": 10254},
                                        "failureThreshold": 5,
                                    },
                                    "resources": {"requests": {"cpu": "100m", "memory": "90Mi"}},
                                }
                            ],
                        },
                    },
                },
            ),
            service(
                INGRESS_NS,
                "ingress-nginx-controller",
                labels,
                labels,
                [
                    {"name": "http", "port": 80, "targetPort": "http"},
                    {"name": "https", "port": 443, "targetPort": "https"},
                ],
                type_="LoadBalancer",
            ),
            pdb(INGRESS_NS, "ingress-nginx-controller", labels, labels, min_available=1),
        ]
        return [ks, ing]
