"""The synthetic corpus generator behind benchmarks/generate_corpus.py (see its docstring), by topic.

* ``vocab``: what the corpus draws from (teams, apps, datastores, node pools, the dangling share);
* ``objects`` / ``cluster_objects``: one pure builder per kind, namespaced and cluster-scoped;
* ``yaml_emit``: the deterministic block-style YAML emitter;
* ``state``: statistics and the namespace under construction;
* ``base`` → ``pods`` → ``apps`` → ``namespaces`` → ``corpus``: the generator, one layer per module
  (random draws and references, pod templates, apps, namespaces, cluster objects and file layout);
* ``writing``: writing a corpus with its ``.corpus-info``, ``verify``, ``source_digest``;
* ``cli``: ``main``, the command line of benchmarks/generate_corpus.py.

Every name is re-exported here and from ``benchmarks.generate_corpus``.
"""

from .cli import DESCRIPTION, main
from .cluster_objects import hash_name, ingress_class, node, persistent_volume, storage_class
from .corpus import Corpus, generate
from .objects import (
    app_labels,
    config_map,
    hpa,
    ingress,
    meta,
    namespace_obj,
    network_policy,
    pdb,
    pvc,
    secret,
    selector_labels,
    service,
    service_account,
    workload,
)
from .state import CorpusStats, Namespace, ServiceRef
from .vocab import (
    AGENT_APPS,
    CLUSTER_DOMAIN,
    CRON_APPS,
    DANGLE,
    DATASTORES,
    DOMAINS,
    ENVS,
    INGRESS_NS,
    JOB_APPS,
    NODE_POOLS,
    NS_MAX,
    NS_MIN,
    WEB_APPS,
    WORKER_APPS,
    ZONES,
    Datastore,
    Obj,
)
from .writing import GENERATOR_VERSION, source_digest, source_files, verify, write_corpus
from .yaml_emit import render_documents

__all__ = [
    "AGENT_APPS",
    "CLUSTER_DOMAIN",
    "CRON_APPS",
    "DANGLE",
    "DATASTORES",
    "DESCRIPTION",
    "DOMAINS",
    "ENVS",
    "GENERATOR_VERSION",
    "INGRESS_NS",
    "JOB_APPS",
    "NODE_POOLS",
    "NS_MAX",
    "NS_MIN",
    "WEB_APPS",
    "WORKER_APPS",
    "ZONES",
    "Corpus",
    "CorpusStats",
    "Datastore",
    "Namespace",
    "Obj",
    "ServiceRef",
    "app_labels",
    "config_map",
    "generate",
    "hash_name",
    "hpa",
    "ingress",
    "ingress_class",
    "main",
    "meta",
    "namespace_obj",
    "network_policy",
    "node",
    "pdb",
    "persistent_volume",
    "pvc",
    "render_documents",
    "secret",
    "selector_labels",
    "service",
    "service_account",
    "source_digest",
    "source_files",
    "storage_class",
    "verify",
    "workload",
    "write_corpus",
]
