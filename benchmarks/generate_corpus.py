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

The code lives in the package ``benchmarks/corpusgen/``, one module per topic (see its docstring);
every name is importable from here as well.

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

import sys

if __package__:  # imported as benchmarks.generate_corpus
    from .corpusgen import *  # noqa: F403
    from .corpusgen import __all__
else:  # run as a script, or imported as generate_corpus with benchmarks/ on sys.path (bench_graph.py)
    from corpusgen import *  # noqa: F403
    from corpusgen import __all__  # noqa: F401

if __name__ == "__main__":
    sys.exit(main())  # noqa: F405
