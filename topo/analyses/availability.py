"""The availability of the whole system: every workload's rollout and placement, every PDB, every
entry point — computed once per Analysis (`Analysis.rollout`) from the model and the config.

It reads the model directly — selectors are matched with the same LabelIndex the graph uses, claims
bound with the graph's binding rules (topo.graph.binding) — so that `topo rollout` does not pay for
the whole dependency graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from topo.analyses.disruption import SCALE_KINDS, CoveredWorkload, PdbStatus, pdb_status
from topo.analyses.placement import (
    NodeModel,
    Placement,
    Placer,
    PodConstraints,
    build_node_model,
    parse_node_terms,
    pod_constraints,
)
from topo.analyses.rollout import ROLLOUT_KINDS, TIMELINE_ASSUMPTION, Rollout, plan_rollout
from topo.config import Config
from topo.graph.binding import bind_claims, default_storage_class, effective_class
from topo.model import Model
from topo.model.build import ordinal_claim_names
from topo.model.kinds import make_id
from topo.model.objects import (
    HorizontalPodAutoscaler,
    Ingress,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    PodDisruptionBudget,
    Service,
    StorageClass,
    Workload,
)
from topo.model.selectors import LabelIndex

EXTERNAL_SERVICE_TYPES = ("LoadBalancer", "NodePort")


@dataclass(frozen=True)
class WorkloadState:
    """What availability knows about one workload."""

    workload: Workload
    replicas: int | None  # effective: the HPA minimum when an HPA scales it; DaemonSet: its nodes
    hpa: tuple[int, int] | None
    hpa_id: str | None
    constraints: PodConstraints
    placement: Placement | None
    rollout: Rollout | None
    pdbs: tuple[str, ...]
    services: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.workload.id


@dataclass(frozen=True)
class EntryPoint:
    """An Ingress route, a Gateway API HTTPRoute or GRPCRoute rule on a listener, or an externally
    exposed Service, and the pods behind it."""

    id: str
    route: str
    backends: tuple[str, ...]
    ready: int | None  # backend pods at full health
    min_ready_during_rollout: int | None
    min_ready_on_node_loss: int | None
    weakest_link: str | None
    service: str | None
    #: A Gateway API route: `Gateway/ns/name listener NAME` that admits it (else None).
    gateway: str | None = None
    #: Every backend Service (a route rule's weighted backendRefs); `service` is the first.
    services: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.id.split("/", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "route": self.route,
            "service": self.service,
            "services": list(self.services) or ([self.service] if self.service else []),
            "gateway": self.gateway,
            "backends": list(self.backends),
            "ready": self.ready,
            "minReadyDuringRollout": self.min_ready_during_rollout,
            "minReadyOnNodeLoss": self.min_ready_on_node_loss,
            "weakestLink": self.weakest_link,
        }


class Availability:
    """Rollouts, PDB status, placement and entry points of one analysed system."""

    def __init__(self, model: Model, config: Config):
        self.model = model
        self.config = config

    # --- indexes -----------------------------------------------------------------------------

    @cached_property
    def _templates(self) -> LabelIndex[str]:
        return self.model.template_index()

    def _selected(self, namespace: str | None, selector) -> list[str]:
        if namespace is None or selector is None:
            return []
        return self._templates.matching(namespace, selector)

    @cached_property
    def services_of(self) -> dict[str, tuple[str, ...]]:
        """Workload id → ids of the Services that select its pods."""
        found: dict[str, list[str]] = {}
        for service in self.model.of_type(Service):
            if service.has_selector:
                for workload_id in self._selected(service.namespace, service.selector):
                    found.setdefault(workload_id, []).append(service.id)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    @cached_property
    def workloads_of_service(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for workload_id, services in self.services_of.items():
            for service in services:
                found.setdefault(service, []).append(workload_id)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    @cached_property
    def pdb_covers(self) -> dict[str, tuple[str, ...]]:
        """PDB id → ids of the workloads whose pods it selects."""
        return {
            pdb.id: tuple(sorted(self._selected(pdb.namespace, pdb.selector)))
            for pdb in self.model.of_type(PodDisruptionBudget)
        }

    @cached_property
    def pdbs_of(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for pdb_id, covered in self.pdb_covers.items():
            for workload_id in covered:
                found.setdefault(workload_id, []).append(pdb_id)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    @cached_property
    def hpas(self) -> dict[str, HorizontalPodAutoscaler]:
        """Workload id → the HPA that scales it (the first by id when several do)."""
        found: dict[str, HorizontalPodAutoscaler] = {}
        for hpa in sorted(self.model.of_type(HorizontalPodAutoscaler), key=lambda h: h.id):
            target = make_id(hpa.target_kind, hpa.namespace, hpa.target_name)
            found.setdefault(target, hpa)
        return found

    # --- nodes ---------------------------------------------------------------------------------

    @cached_property
    def node_model(self) -> NodeModel | None:
        return build_node_model(self.model.of_type(Node), self.config.node_pools)

    @cached_property
    def constraints(self) -> dict[str, PodConstraints]:
        namespaces = {ns.name: dict(ns.labels) for ns in self.model.of_kind("Namespace")}
        return {w.id: pod_constraints(w, namespaces.get(w.namespace or "")) for w in self.model.workloads}

    @cached_property
    def placer(self) -> Placer | None:
        if self.node_model is None:
            return None
        return Placer(self.node_model, self.constraints.values())

    @cached_property
    def _volume_pins(self) -> tuple[dict[str, frozenset[str]], bool]:
        """Claim id → node names its bound PersistentVolume allows (only PVs with node affinity).

        The bindings are the graph's (topo.graph.binding, the PV controller's rules), computed here
        directly so that `topo rollout` does not build the whole graph.
        """
        pinned_volumes = {pv.id: pv for pv in self.model.of_type(PersistentVolume) if pv.node_affinity}
        if not pinned_volumes or self.node_model is None:
            return {}, False
        mounted = set()
        for workload in self.model.workloads:
            for volume in workload.template.spec.volumes:
                if volume.claim_name:
                    mounted.add(make_id("PersistentVolumeClaim", workload.namespace, volume.claim_name))
            for template in workload.claim_templates:
                for _, name in ordinal_claim_names(workload, template):
                    mounted.add(make_id("PersistentVolumeClaim", workload.namespace, name))
        # Only the claims that can compete for the pinned volumes: their class, a volumeName, or a
        # claimRef that names them (a claim of another class never binds a PV of this class).
        classes = {sc.name: sc for sc in self.model.of_type(StorageClass)}
        default = default_storage_class(classes.values())
        pinned_classes = {pv.storage_class_name for pv in pinned_volumes.values()}
        reserved = {
            (pv.claim_ref[0] or "", pv.claim_ref[1])
            for pv in self.model.of_type(PersistentVolume)
            if pv.claim_ref
        }
        claims = [
            c
            for c in self.model.of_type(PersistentVolumeClaim)
            if effective_class(c, default) in pinned_classes
            or c.volume_name
            or (c.namespace, c.name) in reserved
        ]
        volumes = [
            pv
            for pv in self.model.of_type(PersistentVolume)
            if pv.storage_class_name in pinned_classes or pv.claim_ref
        ]
        bindings = bind_claims(
            claims,
            volumes,
            classes,
            mounted,
            frozenset(i for i in self.config.external if i.startswith("StorageClass/")),
        )
        pins: dict[str, frozenset[str]] = {}
        for claim, binding in bindings.items():
            if binding.volume not in pinned_volumes:
                continue
            required = pinned_volumes[binding.volume].node_affinity.get("required")
            terms = (
                parse_node_terms(required.get("nodeSelectorTerms")) if isinstance(required, Mapping) else None
            )
            if terms is not None:
                pins[claim] = frozenset(
                    node.name
                    for node in self.node_model.nodes
                    if any(t.matches(node.labels, node.name) for t in terms)
                )
        return pins, bool(pins)

    def _pins_for(self, workload: Workload) -> tuple[frozenset[str] | None, list[frozenset[str] | None]]:
        pins, any_pins = self._volume_pins
        if not any_pins:
            return None, []
        common: frozenset[str] | None = None
        for volume in workload.template.spec.volumes:
            if volume.claim_name:
                pin = pins.get(make_id("PersistentVolumeClaim", workload.namespace, volume.claim_name))
                if pin is not None:
                    common = pin if common is None else common & pin
        per_ordinal: list[frozenset[str] | None] = []
        if workload.claim_templates:
            by_ordinal: dict[int, frozenset[str] | None] = {}
            for template in workload.claim_templates:
                for ordinal, name in ordinal_claim_names(workload, template):
                    pin = pins.get(make_id("PersistentVolumeClaim", workload.namespace, name))
                    current = by_ordinal.get(ordinal)
                    by_ordinal[ordinal] = (
                        pin if current is None else (current if pin is None else current & pin)
                    )
            if any(p is not None for p in by_ordinal.values()):
                per_ordinal = [by_ordinal[o] for o in sorted(by_ordinal)]
        return common, per_ordinal

    # --- per workload -----------------------------------------------------------------------------

    @cached_property
    def workloads(self) -> dict[str, WorkloadState]:
        """Every workload of the input by id (input order)."""
        states = {}
        placer = self.placer
        minor = self.config.kubernetes_minor
        for workload in self.model.workloads:
            constraints = self.constraints[workload.id]
            placement = None
            if placer is not None:
                common, per_ordinal = self._pins_for(workload)
                placement = placer.place(workload, constraints, common, per_ordinal)
            hpa = self.hpas.get(workload.id) if workload.kind in SCALE_KINDS else None
            hpa_range = (hpa.min_replicas, hpa.max_replicas) if hpa else None
            replicas = self._replicas(workload, hpa_range, placement)
            rollout = None
            if workload.kind in ROLLOUT_KINDS:
                rollout = plan_rollout(
                    workload,
                    replicas,
                    hpa_range,
                    capacity=placement.max_scheduled if placement is not None else None,
                    kubernetes_minor=minor,
                    daemon_nodes=list(placement.schedulable)
                    if placement is not None and workload.kind == "DaemonSet"
                    else None,
                )
            states[workload.id] = WorkloadState(
                workload=workload,
                replicas=replicas,
                hpa=hpa_range,
                hpa_id=hpa.id if hpa else None,
                constraints=constraints,
                placement=placement,
                rollout=rollout,
                pdbs=self.pdbs_of.get(workload.id, ()),
                services=self.services_of.get(workload.id, ()),
            )
        return states

    @cached_property
    def by_hpa(self) -> dict[str, WorkloadState]:
        """HPA id → the state of the workload it scales."""
        return {s.hpa_id: s for s in self.workloads.values() if s.hpa_id}

    @staticmethod
    def _replicas(workload: Workload, hpa: tuple[int, int] | None, placement: Placement | None) -> int | None:
        if workload.kind == "DaemonSet":
            return len(placement.schedulable) if placement is not None else None
        if hpa is not None:
            return hpa[0]
        return workload.replicas

    @property
    def rollouts(self) -> list[WorkloadState]:
        """The workloads a controller rolls out, sorted by id."""
        return sorted((s for s in self.workloads.values() if s.rollout is not None), key=lambda s: s.id)

    # --- PDBs ------------------------------------------------------------------------------------------

    def _covered(self, pdb_id: str, scale: Callable[[WorkloadState], int | None]) -> list[CoveredWorkload]:
        covered = []
        for workload_id in self.pdb_covers.get(pdb_id, ()):
            state = self.workloads[workload_id]
            pods = scale(state)
            covered.append(
                CoveredWorkload(
                    workload_id,
                    state.workload.kind,
                    pods,
                    pods if state.workload.kind in SCALE_KINDS else None,
                )
            )
        return covered

    def pdb_status_at(
        self, pdb: PodDisruptionBudget, scale: Callable[[WorkloadState], int | None]
    ) -> PdbStatus:
        return pdb_status(pdb.id, pdb.min_available, pdb.max_unavailable, self._covered(pdb.id, scale))

    @cached_property
    def pdbs(self) -> dict[str, PdbStatus]:
        """PDB id → its status with every workload at its effective replicas, all pods healthy."""
        return {
            pdb.id: self.pdb_status_at(pdb, lambda state: state.replicas)
            for pdb in sorted(self.model.of_type(PodDisruptionBudget), key=lambda p: p.id)
        }

    @cached_property
    def pdbs_at_hpa_max(self) -> dict[str, PdbStatus]:
        """The same with every HPA-scaled workload at its HPA maximum (only PDBs covering one)."""
        result = {}
        for pdb in self.model.of_type(PodDisruptionBudget):
            if any(self.workloads[w].hpa for w in self.pdb_covers.get(pdb.id, ())):
                result[pdb.id] = self.pdb_status_at(pdb, lambda s: s.hpa[1] if s.hpa else s.replicas)
        return result

    # --- entry points ----------------------------------------------------------------------------

    @cached_property
    def entry_points(self) -> list[EntryPoint]:
        from topo.analyses.entrypoints import entry_points

        return entry_points(self)

    def single_node_loss(self, state: WorkloadState) -> int | None:
        """The most pods of the workload one node failure can take (worst case), None if unknown."""
        replicas = state.replicas or 0
        if replicas == 0:
            return 0
        if self.placer is not None and state.placement is not None:
            return self.placer.worst_single_node(state.placement, state.constraints, replicas)
        c = state.constraints
        if any(t.topology_key == "kubernetes.io/hostname" for t in c.anti_affinity):
            return 1
        if c.spread or c.anti_affinity or c.self_affinity:
            return None  # spread over domains whose number only a node model tells
        return replicas  # nothing keeps the pods apart: they may all share one node

    # --- output ------------------------------------------------------------------------------------

    def to_dict(self, workload: str | None = None) -> dict[str, Any]:
        """The `topo rollout -o json` document (issue 4's contract, plus extension keys)."""
        return {
            key: value if isinstance(value, dict) else list(value)
            for key, value in self.sections(workload).items()
        }

    def sections(self, workload: str | None = None) -> dict[str, Any]:
        """The document's sections, the lists as iterators (so that a renderer can stream them)."""
        states = [s for s in self.rollouts if workload is None or s.id == workload]
        covered = {p for s in states for p in s.pdbs} if workload is not None else None
        return {
            "workloads": (self.workload_dict(s) for s in states),
            "pdbs": (
                st.to_dict() for pdb_id, st in self.pdbs.items() if covered is None or pdb_id in covered
            ),
            "entryPoints": (
                e.to_dict() for e in self.entry_points if workload is None or workload in e.backends
            ),
            "nodeModel": {
                "known": self.node_model is not None,
                "nodes": [n.to_dict() for n in self.node_model.nodes] if self.node_model else [],
                "classes": len(self.placer.classes) if self.placer else 0,
                **(
                    {
                        "summarised": [
                            {"pool": p, "declared": c, "modelled": m}
                            for p, c, m in self.node_model.summarised
                        ]
                    }
                    if self.node_model and self.node_model.summarised
                    else {}
                ),
            },
            "assumptions": iter(
                [
                    TIMELINE_ASSUMPTION,
                    *([self.node_model.summary()] if self.node_model and self.node_model.summarised else []),
                ]
            ),
        }

    def workload_dict(self, state: WorkloadState) -> dict[str, Any]:
        data: dict[str, Any] = (
            state.rollout.to_dict() if state.rollout else {"id": state.id, "kind": state.workload.kind}
        )
        placement = state.placement
        data["pdbs"] = list(state.pdbs)
        data["services"] = list(state.services)
        data["schedulableNodes"] = [f"Node/{n}" for n in placement.schedulable] if placement else None
        data["maxScheduledReplicas"] = placement.max_scheduled if placement else None
        data["placementLimitedBy"] = placement.limited_by if placement else None
        data["excludedNodes"] = placement.excluded_counts() if placement else None
        data["nodeLossWorstCase"] = self.single_node_loss(state)
        return data


def routes_of(ingress: Ingress) -> list[tuple[str, str | None]]:
    """(route text, backend Service name) for every path and the default backend of an Ingress."""
    routes = []
    for path in ingress.paths:
        routes.append((f"{path.host or '*'}{path.path or '/'}", path.backend.service))
    if ingress.default_backend is not None:
        routes.append(("(default backend)", ingress.default_backend.service))
    return routes


def external_services(model: Model) -> list[Service]:
    return sorted((s for s in model.of_type(Service) if s.type in EXTERNAL_SERVICE_TYPES), key=lambda s: s.id)
