"""The corpus: cluster-scoped objects, then namespaces, laid out as files in generation order."""

from __future__ import annotations

from collections.abc import Iterator

from .cluster_objects import hash_name, ingress_class, node, persistent_volume, storage_class
from .namespaces import Namespaces
from .state import Namespace
from .vocab import NODE_POOLS, NS_MAX, NS_MIN, ZONES, Obj
from .yaml_emit import render_documents


class Corpus(Namespaces):
    """One synthetic corpus; ``files()`` yields ``(relative path, YAML text)`` deterministically.

    Built up in layers, one module each: ``CorpusBase`` (state, random draws, dangling references),
    ``PodParts`` (containers, pod templates), ``Apps`` (one builder per kind of app), ``Namespaces``
    (filling namespaces, system namespaces), and here the cluster-scoped objects and the file layout.
    """

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
