"""What the API server's validation would reject: pure functions returning (field path, message).

Each function mirrors one upstream validation function and cites it. They take the typed model
(defaults already applied, as upstream validates after defaulting) and read `raw` only for fields
the model does not carry. The loader has already refused values of the wrong type, so these
functions see well-typed objects; they still read raw fields defensively.

Upstream (k8s.io/kubernetes unless noted):
- names, labels, annotations: k8s.io/apimachinery pkg/api/validation/objectmeta.go ValidateObjectMeta,
  pkg/api/validation/generic.go (NameIsDNSSubdomain, NameIsDNSLabel, NameIsDNS1035Label) and
  pkg/util/validation/validation.go (IsDNS1123Label, IsQualifiedName, IsValidLabelValue,
  IsValidPortName, IsValidPortNum, IsValidPercent); the per-kind name validator passed to
  ValidateObjectMeta in each API group's validation.go;
- workloads: pkg/apis/apps/validation/validation.go (ValidateDeploymentSpec,
  ValidateDeploymentStrategy, ValidateRollingUpdateDeployment, ValidateDaemonSetSpec,
  ValidateRollingUpdateDaemonSet, ValidateStatefulSetSpec, ValidateReplicaSetSpec,
  ValidatePodTemplateSpecForReplicaSet, ValidatePositiveIntOrPercent, IsNotMoreThan100Percent,
  getIntOrPercentValue) and pkg/apis/batch/validation/validation.go (validateJobSpec,
  validateGeneratedSelector, ValidateJobTemplateSpec, ValidateCronJobCreate);
- pods: pkg/apis/core/validation/validation.go (ValidatePodSpec, validateContainers,
  validateInitContainers, validateContainerCommon, validateContainerPorts,
  AccumulateUniqueHostPorts, validatePodHostNetworkDeps, validateLivenessProbe,
  validateStartupProbe, validateReadinessProbe, validateProbe, validateHandler,
  ValidatePortNumOrName, ValidateVolumes, validateVolumeSource, ValidateVolumeMounts,
  validateRestartPolicy, ValidateReplicationControllerSpec);
- Services: ValidateService, validateServicePort (same file);
- PodDisruptionBudgets: pkg/apis/policy/validation/validation.go ValidatePodDisruptionBudgetSpec;
- HorizontalPodAutoscalers: pkg/apis/autoscaling/validation/validation.go
  validateHorizontalPodAutoscalerSpec.
"""

from __future__ import annotations

from topo.analyses.validation.budgets import hpa_problems, pdb_problems
from topo.analyses.validation.common import (
    ANNOTATIONS_MAX_BYTES,
    CRONJOB_NAME_MAX,
    Problem,
    int_or_percent_value,
    not_more_than_100_percent_problems,
    percent_value,
    port_name_problems,
    port_num_or_name_problems,
    port_number_problems,
    positive_int_or_percent_problems,
)
from topo.analyses.validation.metadata import (
    NAME_FORMATS,
    annotation_problems,
    label_problems,
    metadata_problems,
    name_problems,
    namespace_problems,
)
from topo.analyses.validation.pods import (
    VOLUME_SOURCES,
    container_problems,
    port_problems,
    probe_problems,
    volume_problems,
)
from topo.analyses.validation.services import ingress_problems, service_port_problems, service_problems
from topo.analyses.validation.workloads import (
    JOB_KINDS,
    LONG_RUNNING_KINDS,
    has_own_spec,
    pod_spec_path,
    raw_pod_spec,
    restart_policy_problems,
    selector_problems,
    strategy_problems,
    template_metadata_path,
)

__all__ = [
    "ANNOTATIONS_MAX_BYTES",
    "CRONJOB_NAME_MAX",
    "JOB_KINDS",
    "LONG_RUNNING_KINDS",
    "NAME_FORMATS",
    "VOLUME_SOURCES",
    "Problem",
    "annotation_problems",
    "container_problems",
    "has_own_spec",
    "hpa_problems",
    "ingress_problems",
    "int_or_percent_value",
    "label_problems",
    "metadata_problems",
    "name_problems",
    "namespace_problems",
    "not_more_than_100_percent_problems",
    "pdb_problems",
    "percent_value",
    "pod_spec_path",
    "port_name_problems",
    "port_num_or_name_problems",
    "port_number_problems",
    "port_problems",
    "positive_int_or_percent_problems",
    "probe_problems",
    "raw_pod_spec",
    "restart_policy_problems",
    "selector_problems",
    "service_port_problems",
    "service_problems",
    "strategy_problems",
    "template_metadata_path",
    "volume_problems",
]
