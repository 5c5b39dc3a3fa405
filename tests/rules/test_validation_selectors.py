"""manifest-invalid: selectors of workloads, Jobs and CronJob templates, with the edge cases the
fixtures do not show; objects the input does not really declare are not validated.

Upstream: k8s.io/kubernetes pkg/apis/apps/validation/validation.go: ValidateDeploymentSpec,
ValidatePodTemplateSpecForReplicaSet; pkg/apis/batch/validation/validation.go: validateJobSpec,
validateGeneratedSelector, ValidateJobTemplateSpec.
"""

from __future__ import annotations

import copy

import pytest
from validation_support import CONTAINER, messages, only, workload

# --- selectors -----------------------------------------------------------------------------------


def test_apps_v1_requires_a_selector_but_extensions_defaults_it():
    # apps/v1 has no selector defaulting; extensions/v1beta1 SetDefaults_Deployment copied the
    # template labels (the loader applies that default)
    deployment = workload()
    del deployment["spec"]["selector"]
    assert only(deployment).startswith("spec.selector: Required value")
    legacy = copy.deepcopy(deployment)
    legacy["apiVersion"] = "extensions/v1beta1"
    assert messages(legacy) == []


@pytest.mark.parametrize("selector", [{}, {"matchLabels": {}}, {"matchLabels": {}, "matchExpressions": []}])
def test_empty_selector_is_invalid(selector):
    # ValidateDeploymentSpec: len(MatchLabels)+len(MatchExpressions) == 0
    assert "empty selector is invalid for deployment" in only(workload(spec={"selector": selector}))


def test_selector_must_match_template_labels_including_match_expressions():
    # ValidatePodTemplateSpecForReplicaSet: the whole selector (matchLabels AND matchExpressions)
    selector = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "track", "operator": "In", "values": ["stable"]}],
    }
    mismatch = workload(spec={"selector": selector}, labels={"app": "web"})
    assert "`selector` does not match template `labels`" in only(mismatch)
    mismatch["spec"]["template"]["metadata"]["labels"]["track"] = "stable"
    assert messages(mismatch) == []


def test_job_hand_written_selector_needs_manual_selector():
    # validateGeneratedSelector: "`selector` not auto-generated"; ValidateJobSpec with manualSelector
    job = workload("Job", api_version="batch/v1", labels={"app": "migrate"})
    job["spec"]["selector"] = {"matchLabels": {"app": "migrate"}}
    assert "`selector` not auto-generated" in only(job)
    job["spec"]["manualSelector"] = True
    assert messages(job) == []


def test_job_as_printed_by_kubectl_keeps_its_generated_selector():
    uid = "0b7c3e7a-0000-4000-8000-000000000001"
    job = workload(
        "Job",
        name="live",
        api_version="batch/v1",
        labels={
            "controller-uid": uid,
            "job-name": "live",
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": "live",
        },
    )
    job["metadata"]["uid"] = uid
    job["spec"]["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert messages(job) == []


def test_cronjob_job_template_may_not_carry_a_selector():
    # ValidateJobTemplateSpec: "`selector` will be auto-generated"
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "report", "namespace": "ns"},
        "spec": {
            "schedule": "0 1 * * *",
            "jobTemplate": {
                "spec": {
                    "selector": {"matchLabels": {"app": "x"}},
                    "template": {
                        "metadata": {"labels": {"app": "x"}},
                        "spec": {"restartPolicy": "OnFailure", "containers": [CONTAINER]},
                    },
                }
            },
        },
    }
    assert only(cronjob).startswith("spec.jobTemplate.spec.selector:")


# --- objects the input does not really declare -----------------------------------------------------


def test_stand_in_owner_of_live_pods_is_not_validated():
    # a live Pod whose ReplicaSet is not in the input folds into a stand-in with no spec/selector
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-abc12",
            "namespace": "ns",
            "labels": {"app": "web"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "web-5d9",
                    "controller": True,
                    "uid": "u",
                }
            ],
        },
        "spec": {"containers": [CONTAINER]},
    }
    assert messages(pod) == []
