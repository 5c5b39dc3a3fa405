"""What the synthetic corpus draws from: team and app names, datastores, node pools, zones, and the
share of references that dangle on purpose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
