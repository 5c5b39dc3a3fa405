"""Labels that controllers add to the pods they create, beyond the pod template's own.

A selector on one of them matches the controller's pods (a per-ordinal Service of a StatefulSet
selects `statefulset.kubernetes.io/pod-name: web-0`). Where the value is known (an ordinal, a Job's
name) it is enumerated; where it is a hash computed at run time, any value may match (None).

Upstream (k8s.io/api apps/v1 and batch/v1 types.go hold the label keys):
- StatefulSet: `statefulset.kubernetes.io/pod-name` = `<set>-<ordinal>` and
  `apps.kubernetes.io/pod-index` = `<ordinal>` (pkg/controller/statefulset/stateful_set_utils.go
  initIdentity/updateIdentity; pod-index GA in 1.32), `controller-revision-hash`
  (stateful_set_utils.go newVersionedStatefulSetPod → setPodRevision).
- Deployment: `pod-template-hash` on its ReplicaSets' pods
  (pkg/controller/deployment/sync.go getNewReplicaSet, DefaultDeploymentUniqueLabelKey).
- DaemonSet: `controller-revision-hash` and the deprecated `pod-template-generation`
  (pkg/controller/daemon/util/daemonset_util.go CreatePodTemplate).
- Job (and a CronJob's Jobs): `batch.kubernetes.io/job-name` / `job-name` = the Job's name, and
  `batch.kubernetes.io/controller-uid` / `controller-uid` (pkg/controller/job, batch/v1
  JobNameLabel, ControllerUidLabel); `batch.kubernetes.io/job-completion-index` for Indexed Jobs.
- Argo Rollouts `Rollout`: `rollouts-pod-template-hash` on its ReplicaSets' pods
  (argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1/types.go DefaultRolloutUniqueLabelKey), and
  the labels of `canaryMetadata`/`stableMetadata` (canary) or `activeMetadata`/`previewMetadata`
  (blueGreen), which the controller puts on the pods of that side (docs/features/canary.md,
  bluegreen.md "ephemeral metadata").
"""

from __future__ import annotations

POD_NAME = "statefulset.kubernetes.io/pod-name"
POD_INDEX = "apps.kubernetes.io/pod-index"
REVISION_HASH = "controller-revision-hash"
TEMPLATE_HASH = "pod-template-hash"
TEMPLATE_GENERATION = "pod-template-generation"
ROLLOUT_TEMPLATE_HASH = "rollouts-pod-template-hash"
_JOB_KEYS = (
    "batch.kubernetes.io/controller-uid",
    "controller-uid",
    "batch.kubernetes.io/job-completion-index",
)
_JOB_NAME_KEYS = ("batch.kubernetes.io/job-name", "job-name")


def controller_pod_labels(workload) -> dict[str, frozenset[str] | None]:
    """The labels the workload's controller adds to its pods (not already in the template)."""
    kind = workload.kind
    labels: dict[str, frozenset[str] | None] = {}
    if kind == "StatefulSet":
        from topo.model.build import MAX_ORDINALS

        start = workload.ordinals_start
        ordinals = range(start, start + (workload.replicas or 0))
        if len(ordinals) > MAX_ORDINALS:  # never listed (docs/hardening.md): any value may match
            labels[POD_NAME] = None
            labels[POD_INDEX] = None
        else:
            labels[POD_NAME] = frozenset(f"{workload.name}-{i}" for i in ordinals)
            labels[POD_INDEX] = frozenset(str(i) for i in ordinals)
        labels[REVISION_HASH] = None
    elif kind == "Deployment":
        labels[TEMPLATE_HASH] = None
    elif kind == "Rollout" and workload.rollout is not None:
        labels[ROLLOUT_TEMPLATE_HASH] = None
        for key, values in workload.rollout.ephemeral_labels:
            labels[key] = values
    elif kind == "DaemonSet":
        labels[REVISION_HASH] = None
        labels[TEMPLATE_GENERATION] = None
    elif kind in ("Job", "CronJob"):
        for key in _JOB_KEYS:
            labels[key] = None
        for key in _JOB_NAME_KEYS:
            labels[key] = frozenset({workload.name}) if kind == "Job" else None
    template = workload.template.labels
    return {key: values for key, values in labels.items() if key not in template}
