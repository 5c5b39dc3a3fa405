"""Objects whose substance topo does not see: GitOps objects that deploy what their source names
(an Argo CD Application, a Flux HelmRelease), and custom workloads that run pods topo does not
analyse (an Argo Rollouts Rollout, a Knative Service). A report of "No findings" over them would
read as "this application is fine", so each kind gets one info line saying what is left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from topo.load.source import LoadWarning, load_note
from topo.model.objects import K8sObject

_DEPLOYS_ITS_SOURCE = (
    "what it deploys comes from its source, which is not in the input: give that chart or folder to topo"
)
_RUNS_PODS = (
    "it runs pods from its own template, which topo does not analyse: probes, references and "
    "rollouts there are unchecked"
)

#: (API group, kind) → (how the kind is called, what topo leaves out)
ELSEWHERE: dict[tuple[str, str], tuple[str, str]] = {
    ("argoproj.io", "Application"): ("Argo CD Application", _DEPLOYS_ITS_SOURCE),
    ("argoproj.io", "ApplicationSet"): ("Argo CD ApplicationSet", _DEPLOYS_ITS_SOURCE),
    ("helm.toolkit.fluxcd.io", "HelmRelease"): ("Flux HelmRelease", _DEPLOYS_ITS_SOURCE),
    ("kustomize.toolkit.fluxcd.io", "Kustomization"): ("Flux Kustomization", _DEPLOYS_ITS_SOURCE),
    ("argoproj.io", "Rollout"): ("Argo Rollouts Rollout", _RUNS_PODS),
    ("serving.knative.dev", "Service"): ("Knative Service", _RUNS_PODS),
}


def notes_on_what_is_elsewhere(objects: Iterable[K8sObject]) -> list[LoadWarning]:
    """One info line per kind of ELSEWHERE in the input, at its first object."""
    found: dict[tuple[str, str], list[K8sObject]] = {}
    for obj in objects:
        if (obj.group, obj.kind) in ELSEWHERE:
            found.setdefault((obj.group, obj.kind), []).append(obj)
    notes = []
    for key, group in found.items():
        called, left_out = ELSEWHERE[key]
        first = group[0]
        which = (
            f"{len(group)} {called}s ({first.id}, ...), each" if len(group) > 1 else f"{called} {first.id}"
        )
        notes.append(load_note(first.source.file, first.source.line, f"{which}: {left_out}"))
    return notes
