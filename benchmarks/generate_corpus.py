"""Deterministic synthetic Kubernetes manifest corpus for topo's benchmarks.

    python benchmarks/generate_corpus.py --objects 10000 --out /tmp/corpus-10k
    python benchmarks/generate_corpus.py --objects 1000 --out DIR --seed 7 --files-per-namespace 3 --nodes 40

The corpus looks like a real multi-team cluster: namespaces of roughly 40-80 objects, each holding a
few "apps" (a web/API Deployment with its Service, Ingress, ConfigMap, Secret, HPA, PDB; a database
StatefulSet with a headless Service and volumeClaimTemplates; workers with PVCs; CronJobs, Jobs,
the odd DaemonSet), NetworkPolicies (default deny + allow from namespace + DNS egress) in about half
of the namespaces, plus cluster-scoped StorageClasses, an IngressClass, PersistentVolumes and Nodes,
a ``kube-system`` namespace with kube-dns and an ``ingress-nginx`` controller namespace.

Pod templates reference each other the way applications do: env DNS names (``DB_HOST=postgres``,
``http://orders:8080``, ``svc.other-ns``, ``es-0.es-headless,...``), ``envFrom`` ConfigMaps,
``secretKeyRef``, volumes from ConfigMaps, Secrets and PVCs, named ports used by Services, Ingress
backends and probes.

About 5% of references dangle on purpose (a ConfigMap/Secret/PVC/ServiceAccount that is not
declared, an Ingress backend Service that does not exist, a Service/PDB/NetworkPolicy selector that
matches nothing, a DNS name or StatefulSet ordinal that resolves to nothing, an undeclared
StorageClass), so rules and "missing" graph nodes have realistic work to do.

Determinism: everything is drawn from one ``random.Random(seed)`` in a fixed order, no wall clock,
no hash-ordered iteration, and the YAML is rendered by a small hand-written block-style emitter
(much faster than ``yaml.dump``; every scalar that a YAML 1.1 resolver would not read back as the
same string is double-quoted). The same arguments give the same bytes, on any machine.

In-process use (tests, benchmarks)::

    from benchmarks.generate_corpus import generate
    for relpath, text in generate(10_000, seed=0):
        ...

``--objects N`` is the total number of documents (Kubernetes objects), cluster-scoped ones and
Nodes included; the total is exact unless N is smaller than the fixed skeleton (~20 objects).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["GENERATOR_VERSION", "Corpus", "CorpusStats", "generate", "render_documents", "write_corpus"]

GENERATOR_VERSION = 1

DANGLE = 0.05  # probability that a reference points at nothing
NS_MIN, NS_MAX = 40, 80  # objects per namespace
CLUSTER_DOMAIN = "cluster.local"
INGRESS_NS = "ingress-nginx"
ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")

DOMAINS = (
    "payments",
    "checkout",
    "catalog",
    "search",
    "identity",
    "billing",
    "shipping",
    "inventory",
    "analytics",
    "notifications",
    "media",
    "reporting",
    "ledger",
    "pricing",
    "reviews",
    "recommend",
    "gateway",
    "accounts",
    "fraud",
    "loyalty",
    "orders",
    "support",
    "tracking",
    "warehouse",
    "marketing",
    "auth",
    "crm",
    "data",
    "ml",
    "observability",
)
ENVS = ("prod", "staging", "dev")
WEB_APPS = (
    "api",
    "web",
    "frontend",
    "gateway",
    "orders",
    "cart",
    "catalog",
    "checkout",
    "users",
    "auth",
    "search",
    "pricing",
    "reviews",
    "notify",
    "admin",
    "graphql",
    "upload",
    "render",
    "profile",
    "session",
)
WORKER_APPS = ("worker", "consumer", "indexer", "mailer", "thumbnailer", "scheduler", "exporter")
CRON_APPS = ("backup", "report", "cleanup", "etl", "sync", "rotate-keys")
JOB_APPS = ("migrate", "seed-data", "reindex")
AGENT_APPS = ("log-agent", "node-exporter", "fluent-bit", "csi-node")


@dataclass(frozen=True)
class Datastore:
    name: str
    image: str
    ports: tuple[tuple[str, int], ...]
    data_path: str
    clustered: bool  # replicas > 1 and peers found through ordinal DNS names
    scheme: str = ""


DATASTORES = (
    Datastore(
        "postgres", "postgres:16.2", (("postgres", 5432),), "/var/lib/postgresql/data", False, "postgres"
    ),
    Datastore("mysql", "mysql:8.0.36", (("mysql", 3306),), "/var/lib/mysql", False, "mysql"),
    Datastore("mariadb", "mariadb:11.2", (("mysql", 3306),), "/var/lib/mysql", False, "mysql"),
    Datastore("redis", "redis:7.2", (("redis", 6379),), "/data", False, "redis"),
    Datastore("mongodb", "mongo:7.0", (("mongodb", 27017),), "/data/db", False, "mongodb"),
    Datastore(
        "rabbitmq",
        "rabbitmq:3.13",
        (("amqp", 5672), ("management", 15672)),
        "/var/lib/rabbitmq",
        False,
        "amqp",
    ),
    Datastore("kafka", "bitnami/kafka:3.6", (("kafka", 9092), ("controller", 9093)), "/bitnami/kafka", True),
    Datastore(
        "zookeeper", "zookeeper:3.9", (("client", 2181), ("peer", 2888), ("election", 3888)), "/data", True
    ),
    Datastore(
        "elasticsearch",
        "elasticsearch:8.12.0",
        (("http", 9200), ("transport", 9300)),
        "/usr/share/elasticsearch/data",
        True,
    ),
    Datastore(
        "etcd", "quay.io/coreos/etcd:v3.5.12", (("client", 2379), ("peer", 2380)), "/var/lib/etcd", True
    ),
    Datastore("cassandra", "cassandra:4.1", (("cql", 9042), ("intra", 7000)), "/var/lib/cassandra", True),
    Datastore("nats", "nats:2.10", (("client", 4222), ("cluster", 6222)), "/data", True),
)

Obj = dict[str, Any]


# --------------------------------------------------------------------------------------------------
# Statistics


@dataclass
class CorpusStats:
    kinds: Counter = field(default_factory=Counter)
    references: int = 0
    dangling: Counter = field(default_factory=Counter)  # by reference family
    namespaces: int = 0
    files: int = 0
    bytes: int = 0

    @property
    def objects(self) -> int:
        return sum(self.kinds.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "objects": self.objects,
            "namespaces": self.namespaces,
            "files": self.files,
            "bytes": self.bytes,
            "references": self.references,
            "dangling": sum(self.dangling.values()),
            "danglingByFamily": dict(sorted(self.dangling.items())),
            "kinds": dict(sorted(self.kinds.items())),
        }


# --------------------------------------------------------------------------------------------------
# YAML rendering (block style, like kubectl; deterministic; reads back identically with CSafeLoader)

_RESOLVER = yaml.resolver.Resolver()
_PLAIN_CANDIDATE = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./=+@:-]*(?<!:)\Z")
_LITERAL_OK = re.compile(r"[^\n\s][\x20-\x7e\n]*\n?\Z")
_plain_cache: dict[str, str] = {}


def _str(s: str) -> str:
    """A string scalar: plain when it reads back as the same string, else double-quoted (JSON)."""
    out = _plain_cache.get(s)
    if out is None:
        plain = (
            _PLAIN_CANDIDATE.match(s) is not None
            and _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) == "tag:yaml.org,2002:str"
        )
        out = s if plain else json.dumps(s)
        if len(_plain_cache) < 200_000:
            _plain_cache[s] = out
    return out


def _scalar(v: Any) -> str:
    if isinstance(v, str):
        return _str(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if v == {}:
        return "{}"
    if v == []:
        return "[]"
    raise TypeError(f"cannot render {type(v).__name__}")


def _literal(s: str, indent: str, out: list[str]) -> bool:
    """Emit a multi-line string as a literal block (``|`` / ``|-``) when that is exact."""
    if "\n" not in s or s.endswith("\n\n") or not _LITERAL_OK.match(s):
        return False
    body = s[:-1] if s.endswith("\n") else s
    if any(line != line.rstrip() for line in body.split("\n")):
        return False
    out.append("|\n" if s.endswith("\n") else "|-\n")
    for line in body.split("\n"):
        out.append(f"{indent}{line}\n" if line else "\n")
    return True


def _emit_map(d: Obj, indent: str, out: list[str]) -> None:
    for k, v in d.items():
        key = _str(k)
        if isinstance(v, dict) and v:
            out.append(f"{indent}{key}:\n")
            _emit_map(v, indent + "  ", out)
        elif isinstance(v, list) and v:
            out.append(f"{indent}{key}:\n")
            _emit_seq(v, indent, out)
        elif isinstance(v, str) and "\n" in v:
            out.append(f"{indent}{key}: ")
            if not _literal(v, indent + "  ", out):
                out.append(json.dumps(v) + "\n")
        else:
            out.append(f"{indent}{key}: {_scalar(v)}\n")


def _emit_seq(items: list[Any], indent: str, out: list[str]) -> None:
    for item in items:
        if isinstance(item, dict) and item:
            start = len(out)
            _emit_map(item, indent + "  ", out)
            out[start] = f"{indent}- {out[start][len(indent) + 2 :]}"
        elif isinstance(item, list) and item:
            out.append(f"{indent}-\n")
            _emit_seq(item, indent + "  ", out)
        elif isinstance(item, str) and "\n" in item:
            out.append(f"{indent}- {json.dumps(item)}\n")
        else:
            out.append(f"{indent}- {_scalar(item)}\n")


def render_documents(docs: list[Obj]) -> str:
    """Multi-document YAML text, one ``---`` before every document."""
    out: list[str] = []
    for doc in docs:
        out.append("---\n")
        _emit_map(doc, "", out)
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# Small object builders (one per kind); pure functions of their arguments


def meta(
    name: str, namespace: str | None = None, labels: dict | None = None, annotations: dict | None = None
) -> Obj:
    m: Obj = {"name": name}
    if namespace is not None:
        m["namespace"] = namespace
    if labels:
        m["labels"] = labels
    if annotations:
        m["annotations"] = annotations
    return m


def app_labels(app: str, tier: str, part_of: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": part_of,
        "app": app,
        "tier": tier,
    }


def selector_labels(app: str, tier: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": app, "tier": tier}


def namespace_obj(name: str, labels: dict[str, str]) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, labels=labels)}


def service_account(ns: str, name: str, labels: dict) -> Obj:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, ns, labels)}


def config_map(ns: str, name: str, labels: dict, data: dict[str, str]) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(name, ns, labels), "data": data}


def secret(ns: str, name: str, labels: dict, data: dict[str, str], type_: str = "Opaque") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta(name, ns, labels),
        "type": type_,
        "data": data,
    }


def pvc(
    ns: str, name: str, labels: dict, storage_class: str | None, size: str, access: str = "ReadWriteOnce"
) -> Obj:
    spec: Obj = {"accessModes": [access]}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    spec["resources"] = {"requests": {"storage": size}}
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta(name, ns, labels),
        "spec": spec,
    }


def service(
    ns: str,
    name: str,
    labels: dict,
    selector: dict,
    ports: list[Obj],
    *,
    type_: str | None = None,
    headless: bool = False,
    publish_not_ready: bool = False,
) -> Obj:
    spec: Obj = {}
    if type_:
        spec["type"] = type_
    if headless:
        spec["clusterIP"] = "None"
    if publish_not_ready:
        spec["publishNotReadyAddresses"] = True
    spec["selector"] = selector
    spec["ports"] = ports
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, ns, labels), "spec": spec}


def ingress(
    ns: str,
    name: str,
    labels: dict,
    host: str,
    paths: list[tuple[str, str, Any]],
    tls_secret: str | None,
    class_name: str | None,
    legacy_class: bool,
) -> Obj:
    annotations = {"nginx.ingress.kubernetes.io/proxy-body-size": "8m"}
    if legacy_class:
        annotations["kubernetes.io/ingress.class"] = class_name or "nginx"
    spec: Obj = {}
    if class_name and not legacy_class:
        spec["ingressClassName"] = class_name
    if tls_secret:
        spec["tls"] = [{"hosts": [host], "secretName": tls_secret}]
    http_paths = []
    for path, svc_name, port in paths:
        port_ref = {"name": port} if isinstance(port, str) else {"number": port}
        http_paths.append(
            {
                "path": path,
                "pathType": "Prefix",
                "backend": {"service": {"name": svc_name, "port": port_ref}},
            }
        )
    spec["rules"] = [{"host": host, "http": {"paths": http_paths}}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta(name, ns, labels, annotations),
        "spec": spec,
    }


def pdb(
    ns: str, name: str, labels: dict, selector: dict, min_available: Any = None, max_unavailable: Any = None
) -> Obj:
    spec: Obj = {}
    if min_available is not None:
        spec["minAvailable"] = min_available
    if max_unavailable is not None:
        spec["maxUnavailable"] = max_unavailable
    spec["selector"] = {"matchLabels": selector}
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(name, ns, labels),
        "spec": spec,
    }


def hpa(ns: str, name: str, labels: dict, target_kind: str, target: str, lo: int, hi: int, cpu: int) -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta(name, ns, labels),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": target_kind, "name": target},
            "minReplicas": lo,
            "maxReplicas": hi,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu}},
                }
            ],
        },
    }


def workload(kind: str, ns: str, name: str, labels: dict, spec: Obj) -> Obj:
    return {
        "apiVersion": "batch/v1" if kind in ("Job", "CronJob") else "apps/v1",
        "kind": kind,
        "metadata": meta(name, ns, labels),
        "spec": spec,
    }


def network_policy(ns: str, name: str, spec: Obj) -> Obj:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(name, ns),
        "spec": spec,
    }


def storage_class(
    name: str, provisioner: str, *, default: bool = False, wait: bool = False, params: dict | None = None
) -> Obj:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else None
    obj: Obj = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": meta(name, annotations=annotations),
        "provisioner": provisioner,
    }
    if params:
        obj["parameters"] = params
    obj["reclaimPolicy"] = "Retain" if wait else "Delete"
    obj["volumeBindingMode"] = "WaitForFirstConsumer" if wait else "Immediate"
    if not wait:
        obj["allowVolumeExpansion"] = True
    return obj


def ingress_class(name: str, controller: str, default: bool) -> Obj:
    annotations = {"ingressclass.kubernetes.io/is-default-class": "true"} if default else None
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": meta(name, labels={"app.kubernetes.io/name": "ingress-nginx"}, annotations=annotations),
        "spec": {"controller": controller},
    }


def persistent_volume(name: str, storage_class_name: str, size: str, node: str, path: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": meta(name, labels={"type": "local"}),
        "spec": {
            "capacity": {"storage": size},
            "volumeMode": "Filesystem",
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": storage_class_name,
            "local": {"path": path},
            "nodeAffinity": {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
                            ]
                        }
                    ]
                }
            },
        },
    }


NODE_POOLS = (
    # pool, weight, instance type, cpu, memory, taint
    ("general", 6, "m6i.2xlarge", "8", "32Gi", None),
    ("highmem", 2, "r6i.4xlarge", "16", "128Gi", None),
    (
        "system",
        1,
        "m6i.large",
        "2",
        "8Gi",
        {"key": "CriticalAddonsOnly", "value": "true", "effect": "NoSchedule"},
    ),
    (
        "gpu",
        1,
        "g5.2xlarge",
        "8",
        "32Gi",
        {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
    ),
)


def node(name: str, pool: str, zone: str, instance: str, cpu: str, memory: str, taint: dict | None) -> Obj:
    mem_alloc = f"{int(memory[:-2]) * 1024 - 1536}Mi"
    alloc_cpu = f"{int(cpu) * 1000 - 190}m"
    spec: Obj = {"providerID": f"aws:///{zone}/i-{abs(hash_name(name)):016x}"}
    if taint:
        spec["taints"] = [taint]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(
            name,
            labels={
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/zone": zone,
                "topology.kubernetes.io/region": zone[:-1],
                "node.kubernetes.io/instance-type": instance,
                "pool": pool,
            },
        ),
        "spec": spec,
        "status": {
            "capacity": {"cpu": cpu, "memory": memory, "pods": "110", "ephemeral-storage": "100Gi"},
            "allocatable": {
                "cpu": alloc_cpu,
                "memory": mem_alloc,
                "pods": "110",
                "ephemeral-storage": "95Gi",
            },
        },
    }


def hash_name(s: str) -> int:
    """A stable (not PYTHONHASHSEED-dependent) 64-bit hash, FNV-1a."""
    h = 0xCBF29CE484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


# --------------------------------------------------------------------------------------------------
# The generator


@dataclass(frozen=True)
class ServiceRef:
    namespace: str
    name: str
    port: int


class Namespace:
    """Objects and names of one namespace under construction."""

    def __init__(self, name: str, team: str, env: str) -> None:
        self.name = name
        self.team = team
        self.env = env
        self.objects: list[Obj] = []
        self.names: set[str] = set()  # membership only, never iterated
        self.services: list[ServiceRef] = []
        self.datastores: list[tuple[Datastore, str]] = []  # (kind of store, its client Service name)
        self.apps: list[str] = []

    def unique(self, base: str) -> str:
        name, i = base, 2
        while name in self.names:
            name, i = f"{base}-{i}", i + 1
        self.names.add(name)
        return name


class Corpus:
    """One synthetic corpus; ``files()`` yields ``(relative path, YAML text)`` deterministically."""

    def __init__(
        self, objects: int, seed: int = 0, *, nodes: int | None = None, files_per_namespace: int = 1
    ) -> None:
        if objects < 1:
            raise ValueError("objects must be >= 1")
        if files_per_namespace < 1:
            raise ValueError("files_per_namespace must be >= 1")
        self.target = objects
        self.seed = seed
        self.rng = random.Random(seed)
        self.node_count = nodes if nodes is not None else max(3, min(400, objects // 200))
        self.pv_count = max(2, objects // 400)
        self.files_per_namespace = files_per_namespace
        self.stats = CorpusStats()
        self.registry: list[ServiceRef] = []  # Services of finished namespaces, for cross-namespace DNS
        self.node_names: list[str] = []
        self.nodeport = 30000
        self.last_docs: list[Obj] = []

    # ---- references ------------------------------------------------------------------------------

    def dangles(self, family: str) -> bool:
        """Count one reference; True when this one should point at nothing."""
        self.stats.references += 1
        if self.rng.random() < DANGLE:
            self.stats.dangling[family] += 1
            return True
        return False

    def ref(self, family: str, name: str) -> str:
        """A name to reference: ``name`` itself, or (5%) a name that no object has."""
        if self.dangles(family):
            return f"{name}-{self.rng.choice(('old', 'legacy', 'v0', 'tmp'))}"
        return name

    def ref_selector(self, family: str, selector: dict[str, str]) -> dict[str, str]:
        if self.dangles(family):
            key = self.rng.choice(list(selector))
            return {**selector, key: f"{selector[key]}-{self.rng.choice(('old', 'legacy', 'v0'))}"}
        return dict(selector)

    # ---- small random helpers --------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def token(self, n: int = 18) -> str:
        return base64.b64encode(self.rng.getrandbits(8 * n).to_bytes(n, "big")).decode()

    def version(self) -> str:
        r = self.rng
        return f"{r.randint(1, 4)}.{r.randint(0, 30)}.{r.randint(0, 9)}"

    def resources(self, heavy: bool = False) -> Obj:
        r = self.rng
        cpu = r.choice((50, 100, 250, 500)) * (4 if heavy else 1)
        mem = r.choice((64, 128, 256, 512)) * (8 if heavy else 1)
        out: Obj = {"requests": {"cpu": f"{cpu}m", "memory": f"{mem}Mi"}}
        if self.chance(0.7):
            out["limits"] = (
                {"memory": f"{mem * 2}Mi"}
                if self.chance(0.5)
                else {"cpu": f"{cpu * 2}m", "memory": f"{mem * 2}Mi"}
            )
        return out

    def next_nodeport(self) -> int:
        self.nodeport = 30000 + (self.nodeport - 30000 + 1 + self.rng.randint(0, 40)) % 2768
        return self.nodeport

    # ---- pod template pieces ---------------------------------------------------------------------

    def probe(self, port: Any, path: str | None, *, liveness: bool) -> Obj:
        r = self.rng
        if path is None:
            p: Obj = {"tcpSocket": {"port": port}}
        else:
            p = {"httpGet": {"path": path, "port": port}}
        if liveness:
            p["initialDelaySeconds"] = r.choice((10, 15, 30, 60))
            p["periodSeconds"] = r.choice((10, 20))
            p["failureThreshold"] = r.choice((3, 5))
        else:
            p["periodSeconds"] = r.choice((5, 10))
            if self.chance(0.3):
                p["timeoutSeconds"] = 2
        return p

    def affinity(self, sel: dict[str, str]) -> Obj:
        r = self.rng
        out: Obj = {}
        if self.chance(0.7):
            term = {
                "labelSelector": {"matchLabels": sel},
                "topologyKey": r.choice(("kubernetes.io/hostname", "topology.kubernetes.io/zone")),
            }
            if self.chance(0.5):
                out["podAntiAffinity"] = {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 100, "podAffinityTerm": term}
                    ]
                }
            else:
                out["podAntiAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
        if not out or self.chance(0.4):
            out["nodeAffinity"] = {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": "pool",
                                    "operator": "In",
                                    "values": [r.choice(("general", "highmem"))],
                                }
                            ]
                        }
                    ]
                }
            }
        return out

    def dns_env(self, ns: Namespace, name_hint: str) -> list[Obj]:
        """Env vars naming other Services by DNS, in the forms applications use."""
        r = self.rng
        env: list[Obj] = []
        # same-namespace datastores
        for store, svc in ns.datastores[:2]:
            port = store.ports[0][1]
            host = self.dns_target(ns, svc, port, same_ns=True)
            var = store.name.upper().replace("-", "_")
            if store.scheme and self.chance(0.5):
                env.append({"name": f"{var}_URL", "value": f"{store.scheme}://app@{host}:{port}/{name_hint}"})
            else:
                env.append({"name": f"{var}_HOST", "value": host})
                env.append({"name": f"{var}_PORT", "value": str(port)})
        # a same-namespace HTTP dependency
        stores = {svc for _, svc in ns.datastores}
        peers = [s for s in ns.services if s.name != name_hint and s.name not in stores]
        if peers and self.chance(0.6):
            s = r.choice(peers)
            host = self.dns_target(ns, s.name, s.port, same_ns=True)
            env.append(
                {
                    "name": f"{s.name.upper().replace('-', '_')}_SERVICE_URL",
                    "value": f"http://{host}:{s.port}/api",
                }
            )
        # cross-namespace dependencies
        for _ in range(r.choice((0, 1, 1, 2))):
            if not self.registry:
                break
            s = r.choice(self.registry)
            host = self.dns_target(ns, s.name, s.port, same_ns=False, other_ns=s.namespace)
            var = f"{s.name.upper().replace('-', '_')}_{s.namespace.split('-')[0].upper()}"
            form = r.randrange(3)
            if form == 0:
                env.append({"name": f"{var}_HOST", "value": host})
            elif form == 1:
                env.append({"name": f"{var}_URL", "value": f"http://{host}.svc.{CLUSTER_DOMAIN}:{s.port}/"})
            else:
                env.append({"name": f"{var}_ADDR", "value": f"{host}:{s.port}"})
        return env

    def dns_target(
        self, ns: Namespace, svc: str, port: int, *, same_ns: bool, other_ns: str | None = None
    ) -> str:
        """``svc`` / ``svc.ns`` for a Service, or (5%) a name that resolves to nothing."""
        if same_ns:
            host = self.ref("dns", svc)
            return host if self.chance(0.7) else f"{host}.{ns.name}"
        if self.dangles("dns"):
            return self.rng.choice((f"{svc}-legacy.{other_ns}", f"{svc}.{other_ns}-old"))
        return f"{svc}.{other_ns}"

    def container(
        self,
        ns: Namespace,
        app: str,
        image: str,
        ports: list[tuple[str | None, int]],
        *,
        config: str | None,
        secret_name: str | None,
        probes: bool,
        heavy: bool = False,
        extra_env: list[Obj] | None = None,
        mounts: list[Obj] | None = None,
        dns: bool = True,
        command: list[str] | None = None,
    ) -> Obj:
        r = self.rng
        c: Obj = {"name": app if len(app) <= 63 else app[:63], "image": image}
        if command:
            c["command"] = command
        if ports:
            c["ports"] = [
                ({"name": n, "containerPort": p} if n else {"containerPort": p})
                | ({"protocol": "TCP"} if self.chance(0.3) else {})
                for n, p in ports
            ]
        env: list[Obj] = [{"name": "LOG_LEVEL", "value": r.choice(("info", "debug", "warn"))}]
        if self.chance(0.4):
            env.append({"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})
        if dns:
            env.extend(self.dns_env(ns, app))
        if secret_name:
            env.append(
                {
                    "name": "API_TOKEN",
                    "valueFrom": {"secretKeyRef": {"name": self.ref("secret", secret_name), "key": "token"}},
                }
            )
        if config and self.chance(0.3):
            env.append(
                {
                    "name": "FEATURE_FLAGS",
                    "valueFrom": {
                        "configMapKeyRef": {"name": self.ref("configmap", config), "key": "FEATURE_FLAGS"}
                    },
                }
            )
        env.extend(extra_env or [])
        c["env"] = env
        if config and self.chance(0.6):
            c["envFrom"] = [{"configMapRef": {"name": self.ref("configmap", config)}}]
        c["resources"] = self.resources(heavy)
        if probes and ports:
            pname, pnum = ports[0]
            port: Any = pname if pname and self.chance(0.7) else pnum
            path = "/healthz" if self.chance(0.7) else None
            c["readinessProbe"] = self.probe(port, "/ready" if path else None, liveness=False)
            if self.chance(0.8):
                c["livenessProbe"] = self.probe(port, path, liveness=True)
        if mounts:
            c["volumeMounts"] = mounts
        if self.chance(0.5):
            c["securityContext"] = {
                "runAsNonRoot": True,
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": self.chance(0.5),
            }
        return c

    def pod_template(
        self,
        labels: dict,
        containers: list[Obj],
        volumes: list[Obj],
        *,
        sa: str | None,
        affinity_sel: dict | None,
        restart: str | None = None,
        tolerate: bool = False,
        init: list[Obj] | None = None,
    ) -> Obj:
        r = self.rng
        spec: Obj = {}
        if sa:
            spec["serviceAccountName"] = sa
        if restart:
            spec["restartPolicy"] = restart
        if init:
            spec["initContainers"] = init
        spec["containers"] = containers
        if volumes:
            spec["volumes"] = volumes
        if affinity_sel is not None:
            spec["affinity"] = self.affinity(affinity_sel)
        elif self.chance(0.15):
            spec["nodeSelector"] = {"pool": r.choice(("general", "highmem"))}
        if tolerate:
            spec["tolerations"] = [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
            ]
        if self.chance(0.3):
            spec["terminationGracePeriodSeconds"] = r.choice((10, 30, 60))
        annotations = (
            {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"} if self.chance(0.4) else None
        )
        tmeta: Obj = {"labels": labels}
        if annotations:
            tmeta["annotations"] = annotations
        return {"metadata": tmeta, "spec": spec}

    def config_volume(self, name: str, cm: str) -> tuple[Obj, Obj]:
        return (
            {"name": name, "configMap": {"name": self.ref("configmap", cm)}},
            {"name": name, "mountPath": f"/etc/{name}", "readOnly": True},
        )

    def secret_volume(self, name: str, sec: str) -> tuple[Obj, Obj]:
        return (
            {"name": name, "secret": {"secretName": self.ref("secret", sec)}},
            {"name": name, "mountPath": f"/var/run/secrets/{name}", "readOnly": True},
        )

    def app_config_data(self, ns: Namespace, app: str) -> dict[str, str]:
        r = self.rng
        data = {
            "LOG_FORMAT": "json",
            "FEATURE_FLAGS": ",".join(
                r.sample(("search-v2", "new-cart", "dark-mode", "beta-api", "fast-path"), 2)
            ),
            "CACHE_TTL_SECONDS": str(r.choice((30, 60, 300))),
        }
        if self.chance(0.5):
            lines = [f"server:\n  port: 8080\n  name: {app}\n"]
            if ns.datastores:
                store, svc = ns.datastores[0]
                lines.append(
                    f"storage:\n  host: {self.dns_target(ns, svc, store.ports[0][1], same_ns=True)}\n"
                    f"  port: {store.ports[0][1]}\n"
                )
            lines.append(f"timeouts:\n  read: {r.choice((5, 10, 30))}s\n  write: 10s\n")
            data["application.yaml"] = "".join(lines)
        return data

    def secret_data(self, keys: tuple[str, ...]) -> dict[str, str]:
        return {k: self.token() for k in keys}

    # ---- apps: each returns a list of objects and the Services it publishes ----------------------

    def web_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(WEB_APPS))
        tier = r.choice(("frontend", "backend", "backend"))
        labels = app_labels(app, tier, ns.team)
        sel = selector_labels(app, tier)
        objs: list[Obj] = []
        http_port = r.choice((8080, 8080, 3000, 5000, 8000))
        named = self.chance(0.75)
        ports: list[tuple[str | None, int]] = [("http" if named else None, http_port)]
        if self.chance(0.5):
            ports.append(("metrics", 9090))
        if self.chance(0.15):
            ports.append(("grpc", 9000))

        cm = f"{app}-config"
        objs.append(config_map(ns.name, cm, labels, self.app_config_data(ns, app)))
        sec = f"{app}-secrets" if self.chance(0.6) else None
        if sec:
            objs.append(secret(ns.name, sec, labels, self.secret_data(("token", "db-password"))))
        sa = None
        if self.chance(0.5):
            sa = f"{app}"
            objs.append(service_account(ns.name, sa, labels))
            sa = self.ref("serviceaccount", sa)

        volumes, mounts = [], []
        if self.chance(0.5):
            v, m = self.config_volume("config", cm)
            volumes.append(v)
            mounts.append(m)
        if sec and self.chance(0.4):
            v, m = self.secret_volume("credentials", sec)
            volumes.append(v)
            mounts.append(m)
        if self.chance(0.3):
            volumes.append({"name": "tmp", "emptyDir": {}})
            mounts.append({"name": "tmp", "mountPath": "/tmp"})
        image = f"registry.example.com/{ns.team}/{app}:{self.version()}"
        containers = [
            self.container(
                ns, app, image, ports, config=cm, secret_name=sec, probes=self.chance(0.8), mounts=mounts
            )
        ]
        if self.chance(0.15):
            containers.append(
                {
                    "name": "envoy",
                    "image": "envoyproxy/envoy:v1.29.1",
                    "ports": [{"name": "admin", "containerPort": 9901}],
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
                }
            )
        init = None
        if ns.datastores and self.chance(0.3):
            store, svc = ns.datastores[0]
            host = self.dns_target(ns, svc, store.ports[0][1], same_ns=True)
            init = [
                {
                    "name": "wait-for-db",
                    "image": "busybox:1.36",
                    "command": ["sh", "-c", f"until nc -z {host} {store.ports[0][1]}; do sleep 2; done"],
                }
            ]
        replicas = r.choice((1, 2, 2, 3, 3, 4, 6))
        spec: Obj = {"replicas": replicas, "selector": {"matchLabels": sel}}
        if self.chance(0.5):
            spec["strategy"] = {
                "type": "RollingUpdate",
                "rollingUpdate": {
                    "maxSurge": r.choice((1, "25%", "50%")),
                    "maxUnavailable": r.choice((0, 1, "25%")),
                },
            }
        if self.chance(0.2):
            spec["revisionHistoryLimit"] = 5
        spec["template"] = self.pod_template(
            labels, containers, volumes, sa=sa, affinity_sel=sel if self.chance(0.4) else None, init=init
        )
        objs.append(workload("Deployment", ns.name, app, labels, spec))

        # Service
        svc_ports = []
        for n, p in ports:
            if n == "grpc":
                continue
            port = 80 if p == http_port else p
            target: Any = self.ref("targetport", n) if n else p
            sp: Obj = {"name": n or "http", "port": port, "targetPort": target}
            if self.chance(0.2):
                sp["protocol"] = "TCP"
            svc_ports.append(sp)
        nodeport = self.chance(0.05)
        if nodeport:
            svc_ports[0]["nodePort"] = self.next_nodeport()
        objs.append(
            service(
                ns.name,
                app,
                labels,
                self.ref_selector("service-selector", sel),
                svc_ports,
                type_="NodePort" if nodeport else None,
            )
        )
        ns.services.append(ServiceRef(ns.name, app, 80))

        if self.chance(0.4):
            host = f"{app}.{ns.name}.example.com"
            paths = [("/", self.ref("ingress-backend", app), "http" if self.chance(0.5) else 80)]
            if self.chance(0.2):
                paths.append(("/metrics", app, "metrics" if len(svc_ports) > 1 else 80))
            tls = None
            if self.chance(0.5):
                tls = f"{app}-tls"
                objs.append(
                    secret(
                        ns.name,
                        tls,
                        labels,
                        {"tls.crt": self.token(48), "tls.key": self.token(32)},
                        "kubernetes.io/tls",
                    )
                )
                tls = self.ref("tls-secret", tls)
            objs.append(
                ingress(ns.name, app, labels, host, paths, tls, "nginx", legacy_class=self.chance(0.1))
            )
        if self.chance(0.4):
            objs.append(
                hpa(
                    ns.name,
                    app,
                    labels,
                    "Deployment",
                    self.ref("hpa-target", app),
                    max(2, replicas),
                    max(2, replicas) * r.choice((2, 3, 5)),
                    r.choice((60, 70, 80)),
                )
            )
        if self.chance(0.5):
            objs.append(
                pdb(
                    ns.name,
                    app,
                    labels,
                    self.ref_selector("pdb-selector", sel),
                    **(
                        {"min_available": 1}
                        if self.chance(0.5)
                        else {"max_unavailable": r.choice((1, "25%"))}
                    ),
                )
            )
        return objs

    def datastore_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        store = r.choice(DATASTORES)
        app = ns.unique(store.name)
        labels = app_labels(app, "data", ns.team)
        sel = selector_labels(app, "data")
        headless = f"{app}-headless"
        ns.names.add(headless)
        replicas = 3 if store.clustered else r.choice((1, 1, 2))
        objs: list[Obj] = []
        cm = f"{app}-config"
        objs.append(
            config_map(
                ns.name,
                cm,
                labels,
                {
                    "settings.conf": f"# {store.name} settings\nmax_connections = {r.choice((100, 200, 500))}\n"
                },
            )
        )
        sec = f"{app}-credentials"
        objs.append(secret(ns.name, sec, labels, self.secret_data(("username", "password"))))

        extra_env = []
        if store.clustered:
            ordinals = list(range(replicas))
            if self.dangles("ordinal-dns"):
                ordinals.append(replicas)  # es-3 with 3 replicas: resolves to nothing
            fq = self.chance(0.4)
            peer_port = store.ports[-1][1]
            hosts = [
                f"{app}-{i}.{headless}" + (f".{ns.name}.svc.{CLUSTER_DOMAIN}:{peer_port}" if fq else "")
                for i in ordinals
            ]
            extra_env.append({"name": "SEED_HOSTS", "value": ",".join(hosts)})
        extra_env.append(
            {
                "name": "PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": self.ref("secret", sec), "key": "password"}},
            }
        )
        mounts = [{"name": "data", "mountPath": store.data_path}]
        v, m = self.config_volume("config", cm)
        volumes = [v]
        mounts.append(m)
        container = self.container(
            ns,
            store.name,
            store.image,
            list(store.ports),
            config=None,
            secret_name=None,
            probes=self.chance(0.7),
            heavy=True,
            extra_env=extra_env,
            mounts=mounts,
            dns=False,
        )
        sclass = self.rng.choice(("fast-ssd", "fast-ssd", "standard", "local-storage"))
        spec: Obj = {
            "serviceName": self.ref("governing-service", headless),
            "replicas": replicas,
            "selector": {"matchLabels": sel},
        }
        if self.chance(0.3):
            spec["podManagementPolicy"] = "Parallel"
        spec["template"] = self.pod_template(labels, [container], volumes, sa=None, affinity_sel=sel)
        claim = {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{r.choice((10, 20, 50, 100))}Gi"}},
            },
        }
        if self.chance(0.9):
            claim["spec"]["storageClassName"] = self.ref("storageclass", sclass)
        spec["volumeClaimTemplates"] = [claim]
        objs.append(workload("StatefulSet", ns.name, app, labels, spec))

        ports = [{"name": n, "port": p, "targetPort": n} for n, p in store.ports]
        objs.append(
            service(
                ns.name,
                headless,
                labels,
                self.ref_selector("service-selector", sel),
                ports,
                headless=True,
                publish_not_ready=store.clustered,
            )
        )
        objs.append(service(ns.name, app, labels, dict(sel), [ports[0]]))
        ns.services.append(ServiceRef(ns.name, app, store.ports[0][1]))
        ns.datastores.append((store, app))
        if self.chance(0.8):
            objs.append(pdb(ns.name, app, labels, self.ref_selector("pdb-selector", sel), max_unavailable=1))
        return objs

    def worker_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(WORKER_APPS))
        labels = app_labels(app, "worker", ns.team)
        sel = selector_labels(app, "worker")
        objs: list[Obj] = []
        cm = f"{app}-config"
        objs.append(config_map(ns.name, cm, labels, self.app_config_data(ns, app)))
        volumes, mounts = [], []
        if self.chance(0.6):
            claim = f"{app}-data"
            sclass = r.choice(("standard", "standard", "fast-ssd", "local-storage", None))
            objs.append(
                pvc(
                    ns.name,
                    claim,
                    labels,
                    None if sclass is None else self.ref("storageclass", sclass),
                    f"{r.choice((1, 5, 10, 20))}Gi",
                )
            )
            volumes.append({"name": "data", "persistentVolumeClaim": {"claimName": self.ref("pvc", claim)}})
            mounts.append({"name": "data", "mountPath": "/var/lib/data"})
        image = f"registry.example.com/{ns.team}/{app}:{self.version()}"
        ports = [("metrics", 9090)] if self.chance(0.5) else []
        containers = [
            self.container(
                ns, app, image, ports, config=cm, secret_name=None, probes=self.chance(0.5), mounts=mounts
            )
        ]
        spec = {
            "replicas": r.choice((1, 1, 2, 3)),
            "selector": {"matchLabels": sel},
            "template": self.pod_template(labels, containers, volumes, sa=None, affinity_sel=None),
        }
        objs.append(workload("Deployment", ns.name, app, labels, spec))
        if self.chance(0.3):
            objs.append(pdb(ns.name, app, labels, self.ref_selector("pdb-selector", sel), min_available=1))
        return objs

    def agent_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(AGENT_APPS))
        labels = app_labels(app, "agent", ns.team)
        sel = selector_labels(app, "agent")
        cm = f"{app}-config"
        objs: list[Obj] = [
            config_map(
                ns.name,
                cm,
                labels,
                {"agent.conf": f"[OUTPUT]\n    Name forward\n    Host collector.{ns.name}\n"},
            ),
            service_account(ns.name, app, labels),
        ]
        v, m = self.config_volume("config", cm)
        volumes = [v, {"name": "varlog", "hostPath": {"path": "/var/log"}}]
        mounts = [m, {"name": "varlog", "mountPath": "/var/log", "readOnly": True}]
        containers = [
            self.container(
                ns,
                app,
                f"registry.example.com/platform/{app}:{self.version()}",
                [("metrics", 2020)],
                config=None,
                secret_name=None,
                probes=self.chance(0.6),
                mounts=mounts,
                dns=False,
            )
        ]
        spec = {
            "selector": {"matchLabels": sel},
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": r.choice((1, "10%"))},
            },
            "template": self.pod_template(
                labels,
                containers,
                volumes,
                sa=self.ref("serviceaccount", app),
                affinity_sel=None,
                tolerate=True,
            ),
        }
        objs.append(workload("DaemonSet", ns.name, app, labels, spec))
        return objs

    def batch_container(self, ns: Namespace, app: str, cm: str | None) -> Obj:
        image = f"registry.example.com/{ns.team}/{app}:{self.version()}"
        c = self.container(
            ns, app, image, [], config=cm, secret_name=None, probes=False, command=["/bin/run", app, "--once"]
        )
        if ns.datastores and self.chance(0.6):
            store, svc = ns.datastores[0]
            c["args"] = [
                f"--target={self.dns_target(ns, svc, store.ports[0][1], same_ns=True)}:{store.ports[0][1]}"
            ]
        return c

    def cron_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(CRON_APPS))
        labels = app_labels(app, "batch", ns.team)
        objs: list[Obj] = []
        cm = None
        if self.chance(0.5):
            cm = f"{app}-config"
            objs.append(
                config_map(
                    ns.name,
                    cm,
                    labels,
                    {"SCHEDULE_NOTE": "nightly", "RETENTION_DAYS": str(r.choice((7, 14, 30)))},
                )
            )
        job_spec: Obj = {"backoffLimit": r.choice((0, 2, 6))}
        if self.chance(0.5):
            job_spec["activeDeadlineSeconds"] = r.choice((600, 3600))
        job_spec["template"] = self.pod_template(
            labels,
            [self.batch_container(ns, app, cm)],
            [],
            sa=None,
            affinity_sel=None,
            restart=r.choice(("OnFailure", "Never")),
        )
        spec: Obj = {
            "schedule": r.choice(("0 2 * * *", "*/15 * * * *", "30 3 * * 0", "@hourly", "0 */6 * * *")),
            "jobTemplate": {"spec": job_spec},
        }
        if self.chance(0.6):
            spec["concurrencyPolicy"] = r.choice(("Forbid", "Replace"))
        if self.chance(0.3):
            spec["timeZone"] = "Europe/Paris"
        if self.chance(0.5):
            spec["startingDeadlineSeconds"] = 300
        spec["successfulJobsHistoryLimit"] = 3
        objs.append(workload("CronJob", ns.name, app, labels, spec))
        return objs

    def job_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(JOB_APPS))
        labels = app_labels(app, "batch", ns.team)
        spec: Obj = {"backoffLimit": r.choice((1, 4)), "ttlSecondsAfterFinished": 86400}
        if self.chance(0.5):
            spec["activeDeadlineSeconds"] = 1800
        spec["template"] = self.pod_template(
            labels, [self.batch_container(ns, app, None)], [], sa=None, affinity_sel=None, restart="Never"
        )
        return [workload("Job", ns.name, app, labels, spec)]

    # ---- namespaces ------------------------------------------------------------------------------

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

    # ---- cluster-scoped --------------------------------------------------------------------------

    def storage_objects(self) -> list[Obj]:
        objs = [
            storage_class("standard", "ebs.csi.aws.com", default=True, params={"type": "gp3"}),
            storage_class("fast-ssd", "ebs.csi.aws.com", params={"type": "io2", "iopsPerGB": "50"}),
            storage_class("local-storage", "kubernetes.io/no-provisioner", wait=True),
            storage_class(
                "nfs", "nfs.csi.k8s.io", params={"server": "nfs.storage.example.com", "share": "/exports"}
            ),
            ingress_class("nginx", "k8s.io/ingress-nginx", default=True),
        ]
        for i in range(self.pv_count):
            node_name = self.node_names[i % len(self.node_names)] if self.node_names else f"node-{i}"
            objs.append(
                persistent_volume(
                    f"local-pv-{i:04d}",
                    "local-storage",
                    f"{self.rng.choice((10, 20, 50, 100, 200))}Gi",
                    node_name,
                    f"/mnt/disks/ssd{i % 4}",
                )
            )
        return objs

    def node_objects(self) -> list[Obj]:
        weights = [p[1] for p in NODE_POOLS]
        objs = []
        for i in range(self.node_count):
            pool, _, instance, cpu, memory, taint = self.rng.choices(NODE_POOLS, weights=weights)[0]
            zone = ZONES[i % len(ZONES)]
            name = f"ip-10-{i // 250 % 256}-{i % 250}-{hash_name(str(i)) % 200 + 10}.{zone[:-1]}.compute.internal"
            self.node_names.append(name)
            objs.append(node(name, pool, zone, instance, cpu, memory, taint))
        return objs

    # ---- output ----------------------------------------------------------------------------------

    def _emit(self, path: str, docs: list[Obj]) -> tuple[str, str]:
        for d in docs:
            self.stats.kinds[d["kind"]] += 1
        text = render_documents(docs)
        self.last_docs = docs
        self.stats.files += 1
        self.stats.bytes += len(text.encode())
        return path, text

    def _emit_namespace(self, index: int, ns: Namespace) -> Iterator[tuple[str, str]]:
        self.stats.namespaces += 1
        k = min(self.files_per_namespace, len(ns.objects))
        if k <= 1:
            yield self._emit(f"namespaces/{index:04d}-{ns.name}.yaml", ns.objects)
            return
        n = len(ns.objects)
        for part in range(k):
            chunk = ns.objects[part * n // k : (part + 1) * n // k]
            yield self._emit(f"namespaces/{index:04d}-{ns.name}/part-{part + 1}.yaml", chunk)

    def files(self) -> Iterator[tuple[str, str]]:
        """Yield ``(relative path, YAML text)``; paths sort in generation order."""
        nodes = self.node_objects()
        storage = self.storage_objects()
        system = self.system_namespaces()
        if nodes:
            yield self._emit("cluster/nodes.yaml", nodes)
        yield self._emit("cluster/storage.yaml", storage)
        for i, ns in enumerate(system):
            yield from self._emit_namespace(i, ns)
        remaining = self.target - len(nodes) - len(storage) - sum(len(ns.objects) for ns in system)
        index = len(system)
        while remaining > 0:
            budget = min(self.rng.randint(NS_MIN, NS_MAX), remaining)
            final = remaining - budget < NS_MIN
            if final:
                budget = remaining
            ns = self.namespace(index, budget, final)
            self.registry.extend(ns.services)
            remaining -= len(ns.objects)
            yield from self._emit_namespace(index, ns)
            index += 1


def generate(
    objects: int, seed: int = 0, *, nodes: int | None = None, files_per_namespace: int = 1
) -> Iterator[tuple[str, str]]:
    """Yield ``(relative file name, YAML text)`` for a corpus of about ``objects`` objects.

    Deterministic: the same arguments always give the same names and bytes.

    >>> files = list(generate(200, seed=1))
    >>> files[0][0]
    'cluster/nodes.yaml'
    """
    return Corpus(objects, seed, nodes=nodes, files_per_namespace=files_per_namespace).files()


def source_digest() -> str:
    """sha256 of this file: a cached corpus is stale when the generator changed."""
    import hashlib

    with open(__file__, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def write_corpus(
    out: str, objects: int, seed: int = 0, *, nodes: int | None = None, files_per_namespace: int = 1
) -> CorpusStats:
    """Write the corpus under ``out`` and return its statistics (also written to ``out/.corpus-info``)."""
    corpus = Corpus(objects, seed, nodes=nodes, files_per_namespace=files_per_namespace)
    for rel, text in corpus.files():
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    info = {
        "generator": GENERATOR_VERSION,
        "generatorDigest": source_digest(),
        "objects": objects,
        "seed": seed,
        "nodes": nodes,
        "filesPerNamespace": files_per_namespace,
        **corpus.stats.as_dict(),
    }
    # no .json/.yaml extension, so topo never reads it as a manifest
    with open(os.path.join(out, ".corpus-info"), "w", encoding="utf-8") as fh:
        json.dump(info, fh, indent=2, sort_keys=True)
        fh.write("\n")
    return corpus.stats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--objects", type=int, required=True, help="total number of objects (documents) to generate"
    )
    p.add_argument("--out", required=True, help="output directory (created; must be empty unless --force)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--files-per-namespace",
        type=int,
        default=1,
        metavar="K",
        help="split each namespace's documents over K files (default 1)",
    )
    p.add_argument(
        "--nodes",
        type=int,
        default=None,
        metavar="M",
        help="number of Node objects (default: objects/200, at least 3, at most 400); "
        "they count towards --objects",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty directory (only a previous corpus: one with .corpus-info)",
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="parse every file back with yaml.CSafeLoader and compare with the generated objects",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the summary")
    args = p.parse_args(argv)
    if args.objects < 1 or args.files_per_namespace < 1 or (args.nodes is not None and args.nodes < 0):
        p.error("--objects and --files-per-namespace must be >= 1, --nodes >= 0")

    if os.path.isdir(args.out) and os.listdir(args.out):
        if not args.force or not os.path.exists(os.path.join(args.out, ".corpus-info")):
            p.error(f"{args.out} is not empty (use --force to overwrite a previous corpus)")
        import shutil

        shutil.rmtree(args.out)
    stats = write_corpus(
        args.out, args.objects, args.seed, nodes=args.nodes, files_per_namespace=args.files_per_namespace
    )
    if args.verify:
        verify(
            args.out, args.objects, args.seed, nodes=args.nodes, files_per_namespace=args.files_per_namespace
        )
    if not args.quiet:
        s = stats.as_dict()
        print(
            f"{s['objects']} objects in {s['files']} files, {s['namespaces']} namespaces, "
            f"{s['bytes'] / 1e6:.1f} MB; {s['dangling']}/{s['references']} references dangle "
            f"({100 * s['dangling'] / max(1, s['references']):.1f}%)",
            file=sys.stderr,
        )
        for kind, n in s["kinds"].items():
            print(f"  {kind:<26}{n:>8}", file=sys.stderr)
    return 0


def verify(out: str, objects: int, seed: int, **kw: Any) -> None:
    """Re-generate the objects and check every written file parses back to exactly them."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    corpus = Corpus(objects, seed, **kw)
    for rel, text in corpus.files():
        with open(os.path.join(out, rel), encoding="utf-8") as fh:
            on_disk = fh.read()
        if on_disk != text:
            raise SystemExit(f"verify: {rel} differs from a fresh generation (not deterministic?)")
        if list(yaml.load_all(on_disk, Loader=loader)) != corpus.last_docs:
            raise SystemExit(f"verify: {rel} does not parse back to the generated objects")
    print(f"verify: {corpus.stats.files} files parse back identically", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
