"""topo.analyses.diff.defaults_{networking,autoscaling,rbac_scheduling,admission}: `topo diff`
compares the kinds of these API groups as the API server stores them too.

Every default is pinned both ways — written out (or dropped) is no change, another value is a
change — with the upstream function that sets it (k8s.io/kubernetes at master):

* NETWORKING = pkg/apis/networking/v1/defaults.go
* DISCOVERY  = pkg/apis/discovery/v1/defaults.go
* HPA2       = pkg/apis/autoscaling/v2/defaults.go
* HPA1       = pkg/apis/autoscaling/v1/defaults.go
* RBAC       = pkg/apis/rbac/v1/defaults.go (per subject: zz_generated.defaults.go)
* SCHEDULING = pkg/apis/scheduling/v1/defaults.go
* ADMISSION  = pkg/apis/admissionregistration/v1/defaults.go (per webhook and rule:
  zz_generated.defaults.go; upstream's own pins: defaults_test.go TestDefaultAdmissionWebhook)
"""

from __future__ import annotations

import pytest
from diff_defaults_support import (
    assert_no_change_either_way,
    assert_shown_as_written,
    case_id,
    changes,
    with_field,
)

from topo.analyses.diff import ABSENT
from topo.analyses.diff.defaults import defaulted


def document(kind, api, **fields):
    return {"apiVersion": api, "kind": kind, "metadata": {"name": "web", "namespace": "shop"}, **fields}


NETPOL = document(
    "NetworkPolicy",
    "networking.k8s.io/v1",
    spec={
        "podSelector": {"matchLabels": {"app": "web"}},
        "ingress": [{"ports": [{"port": 8080}]}],
        "egress": [{"ports": [{"port": 53}]}],
    },
)
INGRESS_ONLY = document(
    "NetworkPolicy",
    "networking.k8s.io/v1",
    spec={"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]},
)
INGRESS_CLASS = document(
    "IngressClass",
    "networking.k8s.io/v1",
    spec={"controller": "k8s.io/ingress-nginx", "parameters": {"kind": "Params", "name": "p"}},
)
SLICE = document(
    "EndpointSlice", "discovery.k8s.io/v1", addressType="IPv4", ports=[{"port": 80}], endpoints=[]
)
TARGET = {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"}
HPA = document(
    "HorizontalPodAutoscaler",
    "autoscaling/v2",
    spec={
        "scaleTargetRef": TARGET,
        "maxReplicas": 5,
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}},
    },
)
HPA_V1 = document(
    "HorizontalPodAutoscaler", "autoscaling/v1", spec={"scaleTargetRef": TARGET, "maxReplicas": 5}
)
BINDING = document(
    "RoleBinding",
    "rbac.authorization.k8s.io/v1",
    roleRef={"kind": "Role", "name": "reader"},
    subjects=[{"kind": "User", "name": "ana"}, {"kind": "Group", "name": "devs"}],
)
CLUSTER_BINDING = document(
    "ClusterRoleBinding",
    "rbac.authorization.k8s.io/v1",
    roleRef={"kind": "ClusterRole", "name": "reader"},
    subjects=[{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}],
)
PRIORITY = {
    "apiVersion": "scheduling.k8s.io/v1",
    "kind": "PriorityClass",
    "metadata": {"name": "high"},
    "value": 1000,
}
HOOK = {
    "name": "check.example.com",
    "clientConfig": {"service": {"name": "hooks", "namespace": "shop", "path": "/check"}},
    "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}],
    "sideEffects": "None",
    "admissionReviewVersions": ["v1"],
}
VALIDATING = {
    "apiVersion": "admissionregistration.k8s.io/v1",
    "kind": "ValidatingWebhookConfiguration",
    "metadata": {"name": "hooks"},
    "webhooks": [HOOK],
}
MUTATING = {**VALIDATING, "kind": "MutatingWebhookConfiguration"}
POLICY = {
    "apiVersion": "admissionregistration.k8s.io/v1",
    "kind": "ValidatingAdmissionPolicy",
    "metadata": {"name": "replicas"},
    "spec": {
        "matchConstraints": {
            "resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["*"]}]
        },
        "validations": [{"expression": "object.spec.replicas <= 5"}],
    },
}
POLICY_BINDING = {
    "apiVersion": "admissionregistration.k8s.io/v1",
    "kind": "ValidatingAdmissionPolicyBinding",
    "metadata": {"name": "replicas"},
    "spec": {"policyName": "replicas", "validationActions": ["Deny"], "matchResources": {}},
}
HOOK_0 = ("webhooks", 0)

#: (document, path, default, another value, upstream)
DEFAULTS = [
    (
        NETPOL,
        ("spec", "ingress", 0, "ports", 0, "protocol"),
        "TCP",
        "UDP",
        "NETWORKING SetDefaults_NetworkPolicyPort",
    ),
    (
        NETPOL,
        ("spec", "egress", 0, "ports", 0, "protocol"),
        "TCP",
        "SCTP",
        "NETWORKING SetDefaults_NetworkPolicyPort",
    ),
    (
        NETPOL,
        ("spec", "policyTypes"),
        ["Ingress", "Egress"],
        ["Egress"],
        "NETWORKING SetDefaults_NetworkPolicy",
    ),
    (
        INGRESS_ONLY,
        ("spec", "policyTypes"),
        ["Ingress"],
        ["Ingress", "Egress"],
        "NETWORKING SetDefaults_NetworkPolicy",
    ),
    (
        INGRESS_CLASS,
        ("spec", "parameters", "scope"),
        "Cluster",
        "Namespace",
        "NETWORKING SetDefaults_IngressClass",
    ),
    (SLICE, ("ports", 0, "protocol"), "TCP", "UDP", "DISCOVERY SetDefaults_EndpointPort"),
    (SLICE, ("ports", 0, "name"), "", "http", "DISCOVERY SetDefaults_EndpointPort"),
    (HPA, ("spec", "minReplicas"), 1, 2, "HPA2 SetDefaults_HorizontalPodAutoscaler"),
    (
        HPA,
        ("spec", "metrics"),
        [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
            }
        ],
        [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
            }
        ],
        "HPA2 SetDefaults_HorizontalPodAutoscaler: autoscaling.DefaultCPUUtilization",
    ),
    (
        HPA,
        ("spec", "behavior", "scaleUp", "stabilizationWindowSeconds"),
        0,
        30,
        "HPA2 defaultHPAScaleUpRules",
    ),
    (HPA, ("spec", "behavior", "scaleUp", "selectPolicy"), "Max", "Min", "HPA2 defaultHPAScaleUpRules"),
    (
        HPA,
        ("spec", "behavior", "scaleUp", "policies"),
        [
            {"type": "Pods", "value": 4, "periodSeconds": 15},
            {"type": "Percent", "value": 100, "periodSeconds": 15},
        ],
        [{"type": "Pods", "value": 2, "periodSeconds": 60}],
        "HPA2 defaultHPAScaleUpRules",
    ),
    (
        HPA,
        ("spec", "behavior", "scaleDown", "selectPolicy"),
        "Max",
        "Disabled",
        "HPA2 defaultHPAScaleDownRules",
    ),
    (
        HPA,
        ("spec", "behavior", "scaleDown", "policies"),
        [{"type": "Percent", "value": 100, "periodSeconds": 15}],
        [{"type": "Percent", "value": 10, "periodSeconds": 60}],
        "HPA2 defaultHPAScaleDownRules",
    ),
    (HPA_V1, ("spec", "minReplicas"), 1, 3, "HPA1 SetDefaults_HorizontalPodAutoscaler"),
    (
        BINDING,
        ("roleRef", "apiGroup"),
        "rbac.authorization.k8s.io",
        "example.com",
        "RBAC SetDefaults_RoleBinding",
    ),
    (
        CLUSTER_BINDING,
        ("roleRef", "apiGroup"),
        "rbac.authorization.k8s.io",
        "example.com",
        "RBAC SetDefaults_ClusterRoleBinding",
    ),
    (
        BINDING,
        ("subjects", 0, "apiGroup"),
        "rbac.authorization.k8s.io",
        "example.com",
        "RBAC SetDefaults_Subject",
    ),
    (
        BINDING,
        ("subjects", 1, "apiGroup"),
        "rbac.authorization.k8s.io",
        "example.com",
        "RBAC SetDefaults_Subject",
    ),
    (CLUSTER_BINDING, ("subjects", 0, "apiGroup"), "", "example.com", "RBAC SetDefaults_Subject"),
    (
        PRIORITY,
        ("preemptionPolicy",),
        "PreemptLowerPriority",
        "Never",
        "SCHEDULING SetDefaults_PriorityClass",
    ),
    (PRIORITY, ("globalDefault",), False, True, "scheduling/v1 types.go: bool, omitempty"),
    (VALIDATING, (*HOOK_0, "failurePolicy"), "Fail", "Ignore", "ADMISSION SetDefaults_ValidatingWebhook"),
    (VALIDATING, (*HOOK_0, "matchPolicy"), "Equivalent", "Exact", "ADMISSION SetDefaults_ValidatingWebhook"),
    (VALIDATING, (*HOOK_0, "timeoutSeconds"), 10, 30, "ADMISSION SetDefaults_ValidatingWebhook"),
    (
        VALIDATING,
        (*HOOK_0, "namespaceSelector"),
        {},
        {"matchLabels": {"team": "a"}},
        "ADMISSION SetDefaults_ValidatingWebhook",
    ),
    (
        VALIDATING,
        (*HOOK_0, "objectSelector"),
        {},
        {"matchLabels": {"team": "a"}},
        "ADMISSION SetDefaults_ValidatingWebhook",
    ),
    (
        VALIDATING,
        (*HOOK_0, "clientConfig", "service", "port"),
        443,
        8443,
        "ADMISSION SetDefaults_ServiceReference",
    ),
    (VALIDATING, (*HOOK_0, "rules", 0, "scope"), "*", "Namespaced", "ADMISSION SetDefaults_Rule"),
    (MUTATING, (*HOOK_0, "failurePolicy"), "Fail", "Ignore", "ADMISSION SetDefaults_MutatingWebhook"),
    (MUTATING, (*HOOK_0, "timeoutSeconds"), 10, 5, "ADMISSION SetDefaults_MutatingWebhook"),
    (MUTATING, (*HOOK_0, "reinvocationPolicy"), "Never", "IfNeeded", "ADMISSION SetDefaults_MutatingWebhook"),
    (
        POLICY,
        ("spec", "failurePolicy"),
        "Fail",
        "Ignore",
        "ADMISSION SetDefaults_ValidatingAdmissionPolicySpec",
    ),
    (
        POLICY,
        ("spec", "matchConstraints", "matchPolicy"),
        "Equivalent",
        "Exact",
        "ADMISSION SetDefaults_MatchResources",
    ),
    (
        POLICY,
        ("spec", "matchConstraints", "resourceRules", 0, "scope"),
        "*",
        "Cluster",
        "ADMISSION SetDefaults_Rule",
    ),
    (
        POLICY_BINDING,
        ("spec", "matchResources", "objectSelector"),
        {},
        {"matchLabels": {"a": "b"}},
        "ADMISSION SetDefaults_MatchResources",
    ),
]


@pytest.mark.parametrize(
    ("document", "path", "default", "other", "upstream"), DEFAULTS, ids=map(case_id, DEFAULTS)
)
def test_each_default_is_no_change_written_out_and_another_value_is(document, path, default, other, upstream):
    assert_no_change_either_way(document, path, default, upstream)
    assert_shown_as_written(document, path, default, other, upstream)


def test_network_policy_types_default_only_when_none_are_written():
    """NETWORKING SetDefaults_NetworkPolicy: Egress joins Ingress only when egress rules exist;
    `policyTypes: []` is as unset; an empty rule list is as absent (omitempty)."""
    written = with_field(INGRESS_ONLY, ("spec", "policyTypes"), [])
    assert changes(INGRESS_ONLY, written) == []
    assert defaulted(written)["spec"]["policyTypes"] == ["Ingress"]
    assert changes(INGRESS_ONLY, with_field(INGRESS_ONLY, ("spec", "egress"), [])) == []
    with_egress = with_field(INGRESS_ONLY, ("spec", "egress"), [{}])
    assert defaulted(with_egress)["spec"]["policyTypes"] == ["Ingress", "Egress"]
    # a dump of the ingress-only policy says [Ingress]: adding an egress rule to it is two lines
    dumped = with_field(INGRESS_ONLY, ("spec", "policyTypes"), ["Ingress"])
    assert [c[0] for c in changes(dumped, with_egress)] == ["spec.policyTypes", "spec.egress"]


def test_ingress_path_type_has_no_default_in_v1():
    """NETWORKING has no SetDefaults_Ingress: `pathType` is required in v1 (ImplementationSpecific
    was v1beta1's default), so it is compared as written."""
    ingress = document(
        "Ingress",
        "networking.k8s.io/v1",
        spec={"rules": [{"http": {"paths": [{"path": "/", "backend": {"service": {"name": "web"}}}]}}]},
    )
    path = ("spec", "rules", 0, "http", "paths", 0, "pathType")
    assert changes(ingress, with_field(ingress, path, "ImplementationSpecific")) == [
        ("spec.rules[0].http.paths[0].pathType", ABSENT, "ImplementationSpecific")
    ]


def test_hpa_behavior_is_filled_in_only_when_written():
    """HPA2 SetDefaults_HorizontalPodAutoscalerBehavior: without `behavior` nothing is filled in;
    `behavior: {}` gets both rules; scale-down gets no stabilization window (the controller's flag)."""
    without = document(
        "HorizontalPodAutoscaler", "autoscaling/v2", spec={"scaleTargetRef": TARGET, "maxReplicas": 5}
    )
    assert "behavior" not in defaulted(without)["spec"]
    empty = defaulted(with_field(without, ("spec", "behavior"), {}))["spec"]["behavior"]
    assert empty["scaleUp"]["stabilizationWindowSeconds"] == 0
    assert "stabilizationWindowSeconds" not in empty["scaleDown"]
    assert changes(without, with_field(without, ("spec", "behavior"), {})) == [("spec.behavior", ABSENT, {})]
    written = with_field(without, ("spec", "behavior", "scaleDown", "stabilizationWindowSeconds"), 300)
    assert (
        changes(written, with_field(written, ("spec", "behavior", "scaleDown", "selectPolicy"), "Max")) == []
    )


def test_hpa_metric_targets_compare_by_value():
    metric = {
        "type": "Pods",
        "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "1"}},
    }
    hpa = with_field(HPA, ("spec", "metrics"), [metric])
    assert (
        changes(hpa, with_field(hpa, ("spec", "metrics", 0, "pods", "target", "averageValue"), "1000m")) == []
    )
    assert changes(hpa, with_field(hpa, ("spec", "metrics", 0, "pods", "target", "averageValue"), "2")) != []


def test_a_webhooks_required_fields_have_no_default_in_v1():
    """ADMISSION: v1 defaults neither `sideEffects` nor `admissionReviewVersions` (v1beta1 did)."""
    without = with_field(VALIDATING, HOOK_0, {k: v for k, v in HOOK.items() if k != "sideEffects"})
    assert [c[0] for c in changes(VALIDATING, without)] == ["webhooks[name=check.example.com].sideEffects"]


def test_a_pod_disruption_budget_has_no_defaults():
    """policy/v1 has no defaulting (no pkg/apis/policy/v1/defaults.go): `unhealthyPodEvictionPolicy`
    acts as IfHealthyBudget when unset but is stored unset, so writing it is a change."""
    pdb = document(
        "PodDisruptionBudget",
        "policy/v1",
        spec={"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
    )
    assert defaulted(pdb) is pdb
    assert changes(pdb, with_field(pdb, ("spec", "unhealthyPodEvictionPolicy"), "IfHealthyBudget")) == [
        ("spec.unhealthyPodEvictionPolicy", ABSENT, "IfHealthyBudget")
    ]
