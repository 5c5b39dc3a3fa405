"""Defaults of rbac.authorization.k8s.io/v1 and scheduling.k8s.io/v1, as the API server fills them
in (k8s.io/kubernetes at master):

* pkg/apis/rbac/v1/defaults.go — SetDefaults_RoleBinding, SetDefaults_ClusterRoleBinding
  (`roleRef.apiGroup: rbac.authorization.k8s.io` when empty), SetDefaults_Subject (an empty
  `apiGroup` of a User or Group subject is rbac.authorization.k8s.io; a ServiceAccount's stays "").
  Roles and ClusterRoles have no defaults.
* pkg/apis/scheduling/v1/defaults.go SetDefaults_PriorityClass — `preemptionPolicy:
  PreemptLowerPriority`; `globalDefault` is a bool with omitempty, so `false` is never written back.

policy/v1 has no defaulting at all (there is no pkg/apis/policy/v1/defaults.go): a
PodDisruptionBudget's `unhealthyPodEvictionPolicy` behaves as IfHealthyBudget when unset but is
stored unset, so writing it out is a change, as `kubectl diff` shows it.
"""

from __future__ import annotations

from collections.abc import Callable

from topo.analyses.diff.defaulting import fill, items_of, sub

_RBAC = "rbac.authorization.k8s.io"
#: SetDefaults_Subject: the API group of each kind of subject, when none is written.
_SUBJECT_GROUPS = {"ServiceAccount": "", "User": _RBAC, "Group": _RBAC}


def _binding(document: dict) -> None:
    role_ref = sub(document, "roleRef", create=True)  # a struct, not a pointer
    if role_ref is not None:
        fill(role_ref, (("apiGroup", _RBAC, ""),))
    for subject in items_of(document, "subjects"):
        group = _SUBJECT_GROUPS.get(subject.get("kind"))  # type: ignore[arg-type]
        if group is not None:
            fill(subject, (("apiGroup", group, ""),))


def _priority_class(document: dict) -> None:
    fill(document, (("preemptionPolicy", "PreemptLowerPriority", None), ("globalDefault", False, None)))


STEPS: dict[tuple[str, str], tuple[Callable[[dict], None], ...]] = {
    (f"{_RBAC}/v1", "RoleBinding"): (_binding,),
    (f"{_RBAC}/v1", "ClusterRoleBinding"): (_binding,),
    ("scheduling.k8s.io/v1", "PriorityClass"): (_priority_class,),
}
