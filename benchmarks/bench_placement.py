"""Benchmark placement: 1,000 nodes × 5,000 workloads (issue 4: "in seconds, not minutes").

    python benchmarks/bench_placement.py                      # 1000 nodes, 5000 workloads, seed 0
    python benchmarks/bench_placement.py --nodes 2000 --workloads 10000 --repeat 3
    python benchmarks/bench_placement.py --hostname-selectors 50   # some workloads pin hostnames

The synthetic system is deterministic (one random.Random(seed)): node pools of different machine
sizes in three zones, some tainted (dedicated pools, GPU), a few nodes cordoned; workloads with
nodeSelectors, required node affinity (In/NotIn/Gt), tolerations, CPU/memory requests, required
anti-affinity on the hostname or the zone, topology spread constraints (nodeTaintsPolicy Honor and
Ignore), HPAs and PDBs. It is built as manifests and loaded through `topo.analyze`, so the timing
covers the real code path; the parse and model time is reported separately from the analysis
(`Analysis.rollout`: node classes, placement of every workload, rollouts, PDB status, entry points).

Placement is linear in workloads × node classes (nodes with identical labels, taints, cordon and
allocatable are grouped), not in workloads × nodes; the printed class count shows the grouping.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
#: (pool, share of the nodes, cpu, memory GiB, taint)
POOLS = (
    ("general", 0.55, 8, 32, None),
    ("compute", 0.15, 16, 32, None),
    ("highmem", 0.12, 16, 128, {"key": "dedicated", "value": "highmem", "effect": "NoSchedule"}),
    ("search", 0.10, 8, 64, {"key": "dedicated", "value": "search", "effect": "NoSchedule"}),
    ("gpu", 0.05, 8, 64, {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}),
    ("system", 0.03, 4, 16, {"key": "CriticalAddonsOnly", "value": "true", "effect": "NoSchedule"}),
)


def nodes(count: int, rng: random.Random) -> list[dict]:
    result = []
    index = 0
    for pool, share, cpu, memory, taint in POOLS:
        for i in range(max(1, round(count * share))):
            if index >= count:
                break
            name = f"{pool}-{i:04d}"
            zone = ZONES[i % len(ZONES)]
            spec: dict = {}
            if taint:
                spec["taints"] = [taint]
            if rng.random() < 0.01:
                spec["unschedulable"] = True
            result.append(
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {
                        "name": name,
                        "labels": {
                            "kubernetes.io/hostname": name,
                            "topology.kubernetes.io/zone": zone,
                            "pool": pool,
                            "node.kubernetes.io/instance-type": f"{pool}.{cpu}x",
                            "cpu-generation": str(3 + i % 3),
                        },
                    },
                    "spec": spec,
                    "status": {
                        "allocatable": {
                            "cpu": f"{cpu * 1000 - 190}m",
                            "memory": f"{memory * 1024 - 1536}Mi",
                            "pods": "110",
                        }
                    },
                }
            )
            index += 1
    return result


def workload(i: int, rng: random.Random, hostnames: list[str], pin_hostname: bool) -> list[dict]:
    ns = f"team-{i % 200:03d}"
    name = f"app-{i:05d}"
    labels = {"app": name}
    spec: dict = {
        "containers": [
            {
                "name": "main",
                "image": "app:1",
                "resources": {
                    "requests": {
                        "cpu": rng.choice(("100m", "250m", "500m", "1", "2")),
                        "memory": rng.choice(("128Mi", "512Mi", "1Gi", "4Gi")),
                    }
                },
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
            }
        ]
    }
    pool = rng.choices(("general", "compute", "highmem", "search", "gpu", None), (40, 15, 10, 10, 3, 22))[0]
    if pool:
        spec["nodeSelector"] = {"pool": pool}
        if pool in ("highmem", "search"):
            spec["tolerations"] = [
                {"key": "dedicated", "operator": "Equal", "value": pool, "effect": "NoSchedule"}
            ]
        if pool == "gpu":
            spec["tolerations"] = [{"key": "nvidia.com/gpu", "operator": "Exists"}]
    elif rng.random() < 0.3:
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "pool", "operator": "NotIn", "values": ["gpu", "system"]},
                                {"key": "cpu-generation", "operator": "Gt", "values": ["3"]},
                            ]
                        }
                    ]
                }
            }
        }
    if pin_hostname:
        spec["nodeSelector"] = {"kubernetes.io/hostname": rng.choice(hostnames)}
    shape = rng.random()
    if shape < 0.3:
        spec.setdefault("affinity", {})["podAntiAffinity"] = {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "topologyKey": rng.choice(
                        ("kubernetes.io/hostname", "kubernetes.io/hostname", "topology.kubernetes.io/zone")
                    ),
                    "labelSelector": {"matchLabels": labels},
                }
            ]
        }
    elif shape < 0.6:
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "DoNotSchedule",
                "nodeTaintsPolicy": rng.choice(("Honor", "Ignore")),
                "labelSelector": {"matchLabels": labels},
            },
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": labels},
            },
        ]
    replicas = rng.choice((1, 2, 3, 3, 4, 6, 12))
    kind = "StatefulSet" if rng.random() < 0.2 else "Deployment"
    body: dict = {
        "replicas": replicas,
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels}, "spec": spec},
    }
    if kind == "StatefulSet":
        body["serviceName"] = name
    else:
        body["strategy"] = {
            "rollingUpdate": {"maxSurge": rng.choice((1, "25%")), "maxUnavailable": rng.choice((0, 1, "25%"))}
        }
    docs = [
        {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": body}
    ]
    if rng.random() < 0.5:
        docs.append(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels}},
            }
        )
    if kind == "Deployment" and rng.random() < 0.2:
        docs.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": name, "namespace": ns},
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": 2,
                    "maxReplicas": 20,
                },
            }
        )
    return docs


def corpus(node_count: int, workload_count: int, seed: int, hostname_selectors: int) -> str:
    rng = random.Random(seed)
    documents = nodes(node_count, rng)
    hostnames = [d["metadata"]["name"] for d in documents]
    for i in range(workload_count):
        documents += workload(i, rng, hostnames, pin_hostname=i < hostname_selectors)
    return "\n---\n".join(json.dumps(d) for d in documents)  # JSON is YAML: one document each


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--workloads", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--hostname-selectors",
        type=int,
        default=0,
        help="workloads that pin a hostname in their nodeSelector (forces one node class per node)",
    )
    parser.add_argument(
        "--limit", type=float, default=60.0, help="fail (exit 1) when the analysis takes longer (seconds)"
    )
    args = parser.parse_args(argv)

    import topo

    text = corpus(args.nodes, args.workloads, args.seed, args.hostname_selectors)
    best_load = best_analysis = float("inf")
    summary = {}
    for _ in range(args.repeat):
        start = time.perf_counter()
        analysis = topo.analyze(text=text, name="bench-placement.yaml")
        model = analysis.model
        loaded = time.perf_counter()
        availability = analysis.rollout
        states = availability.workloads
        _ = availability.pdbs, availability.entry_points  # computed lazily: touch to time them
        done = time.perf_counter()
        best_load = min(best_load, loaded - start)
        best_analysis = min(best_analysis, done - loaded)
        placed = [
            s
            for s in states.values()
            if s.placement is not None and s.workload.kind in ("Deployment", "StatefulSet")
        ]
        summary = {
            "nodes": len(availability.node_model.nodes),
            "nodeClasses": len(availability.placer.classes),
            "workloads": len(placed),
            "objects": len(model.objects),
            "withoutEligibleNode": sum(1 for s in placed if not s.placement.schedulable),
            "replicasThatDoNotFit": sum(1 for s in placed if (s.replicas or 0) > s.placement.max_scheduled),
            "stuckRollouts": sum(1 for s in placed if s.rollout and s.rollout.stuck),
        }
    print(
        f"placement benchmark: {summary['nodes']} nodes ({summary['nodeClasses']} classes) × {summary['workloads']} workloads "
        f"({summary['objects']} objects)"
    )
    print(f"  load + model : {best_load:7.2f} s")
    print(f"  availability : {best_analysis:7.2f} s   (node model, placement, rollouts, PDBs, entry points)")
    print(
        f"  workloads without an eligible node: {summary['withoutEligibleNode']}, replicas that do not fit: "
        f"{summary['replicasThatDoNotFit']}, stuck rollouts: {summary['stuckRollouts']}"
    )
    if best_analysis > args.limit:
        print(f"FAIL: availability took {best_analysis:.1f} s > {args.limit:.0f} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
