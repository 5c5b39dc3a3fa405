"""manifest-invalid: object names by kind, label and annotation keys, with the edge cases the fixtures
do not show.

Upstream: k8s.io/kubernetes pkg/apis/core/validation/validation.go: ValidateServiceName;
pkg/apis/apps/validation/validation.go: ValidateDeploymentName, ValidateStatefulSetName;
pkg/apis/batch/validation/validation.go: ValidateCronJobCreate (52 characters);
k8s.io/apimachinery pkg/api/validation/objectmeta.go: ValidateAnnotations;
pkg/apis/meta/v1/validation/validation.go: ValidateLabels; pkg/util/validation/validation.go:
IsDNS1123Label, IsDNS1035Label, IsDNS1123Subdomain, IsQualifiedName.
"""

from __future__ import annotations

import pytest
from validation_support import CONTAINER, messages, only, service, workload

# --- names, labels, annotations ------------------------------------------------------------------


def test_service_names_are_dns_1035_labels_while_deployments_are_subdomains():
    # ValidateServiceName = NameIsDNS1035Label (must start with a letter); ValidateDeploymentName =
    # NameIsDNSSubdomain (digits first and dots are fine)
    assert messages(workload(name="1st.web")) == []
    assert only(service(name="1st-web", ports=[{"port": 80}])).startswith(
        'metadata.name: Invalid value "1st-web"'
    )


def test_statefulset_names_are_labels():
    # ValidateStatefulSetName = NameIsDNSLabel (pod hostnames are <name>-<ordinal>)
    assert only(workload("StatefulSet", name="db.v2")).startswith('metadata.name: Invalid value "db.v2"')


def test_a_name_too_long_because_of_the_default_release_name_says_so():
    """A chart rendered without --release-name names its objects after `release-name`; installed
    as its README says, the same Service name can fit (aws/eks-charts' sigv4 admission controller)."""
    name = "release-name-aws-sigv4-proxy-admission-controller-webhook-service"
    assert only(service(name=name, ports=[{"port": 443}])).endswith(
        "must be no more than 63 characters (the name holds Helm's default release name 'release-name': "
        "`--release-name` gives the one you install with)"
    )


@pytest.mark.parametrize("length, ok", [(52, True), (53, False)])
def test_cronjob_name_limit_is_52(length, ok):
    # ValidateCronJobCreate: DNS1035LabelMaxLength - 11
    name = "c" * length
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {
            "schedule": "@daily",
            "jobTemplate": {
                "spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [CONTAINER]}}}
            },
        },
    }
    assert (messages(cronjob) == []) == ok


def test_names_of_kinds_without_a_known_name_rule_are_not_checked():
    # PodDisruptionBudget and custom resources only get the registry's path-segment check
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "Web_PDB", "namespace": "ns"},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}},
    }
    custom = {
        "apiVersion": "example.com/v1",
        "kind": "Deployment",
        "metadata": {"name": "Not_A_DNS_Name", "namespace": "ns"},
    }
    assert messages(pdb, custom) == []


@pytest.mark.parametrize(
    "key, ok",
    [
        ("app", True),
        ("app.kubernetes.io/name", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("Example.com/x", False),
        ("a/b/c", False),
        ("/x", False),
        ("-x", False),
    ],
)
def test_label_keys_are_qualified_names(key, ok):
    # ValidateLabels → IsQualifiedName; the prefix is a lowercase DNS subdomain
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "ns", "labels": {key: "v"}},
    }
    assert (messages(config_map) == []) == ok


def test_annotation_keys_are_checked_lower_cased():
    # ValidateAnnotations: IsQualifiedName(strings.ToLower(k)), so an uppercase prefix is fine
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "ns", "annotations": {"Example.com/Owner": "x"}},
    }
    assert messages(config_map) == []


def test_annotations_over_256_kib_are_rejected():
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "ns", "annotations": {"blob": "x" * (256 * 1024)}},
    }
    assert only(config_map).startswith("metadata.annotations: Too long")
