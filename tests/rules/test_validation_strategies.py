"""manifest-invalid: update strategies, with the edge cases the fixtures do not show.

Upstream: k8s.io/kubernetes pkg/apis/apps/validation/validation.go: ValidateDeploymentSpec,
ValidateDeploymentStrategy, ValidateRollingUpdateDeployment, ValidateRollingUpdateDaemonSet,
ValidateDaemonSetUpdateStrategy, ValidateStatefulSetSpec, ValidatePositiveIntOrPercent,
getIntOrPercentValue, IsNotMoreThan100Percent; k8s.io/apimachinery pkg/util/validation/validation.go:
IsValidPercent.
"""

from __future__ import annotations

import pytest
from validation_support import messages, only, workload

from topo.analyses import validation as v

# --- int-or-percent: getIntOrPercentValue reads the written value, not the scaled one ------------


@pytest.mark.parametrize(
    "value, expected", [("10%", 10), ("0%", 0), (0, 0), (3, 3), ("2", 2), ("abc", 0), ("+5", 5)]
)
def test_int_or_percent_value_is_the_written_number(value, expected):
    # apps validation.go getIntOrPercentValue: a valid "N%" gives N, otherwise IntValue(), which for
    # a string is strconv.Atoi with the error ignored (0)
    assert v.int_or_percent_value(value) == expected


def test_max_surge_zero_with_percent_that_rounds_to_zero_is_valid():
    # ValidateRollingUpdateDeployment: 10% of 3 replicas rounds down to 0 pods, but validation
    # compares getIntOrPercentValue("10%") = 10 with 0; the controller then rounds maxUnavailable up
    # to 1 when both resolve to 0 (deployment/util ResolveFenceposts)
    assert (
        messages(
            workload(
                spec={"replicas": 3, "strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"}}}
            )
        )
        == []
    )


@pytest.mark.parametrize("surge, unavailable", [(0, 0), ("0%", 0), (0, "0%"), ("0%", "0%")])
def test_both_fenceposts_zero_is_rejected(surge, unavailable):
    # ValidateRollingUpdateDeployment: "may not be 0 when `maxSurge` is 0"
    found = only(
        workload(spec={"strategy": {"rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}})
    )
    assert found == "spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when maxSurge is 0"


def test_fencepost_string_without_percent_is_rejected_but_not_read_as_zero():
    # ValidatePositiveIntOrPercent: IsValidPercent ^[0-9]+%$; getIntOrPercentValue("2") = Atoi = 2,
    # so "2" with maxUnavailable 0 is one problem (the syntax), not two
    found = only(workload(spec={"strategy": {"rollingUpdate": {"maxSurge": "2", "maxUnavailable": 0}}}))
    assert found.startswith('spec.strategy.rollingUpdate.maxSurge: Invalid value "2": a valid percent string')


def test_max_unavailable_over_100_percent_rejected_but_max_surge_is_not_capped():
    # ValidateRollingUpdateDeployment applies IsNotMoreThan100Percent to maxUnavailable only
    assert (
        messages(
            workload(spec={"strategy": {"rollingUpdate": {"maxSurge": "200%", "maxUnavailable": "100%"}}})
        )
        == []
    )
    found = only(workload(spec={"strategy": {"rollingUpdate": {"maxUnavailable": "101%"}}}))
    assert "maxUnavailable" in found and "must not be greater than 100%" in found


def test_rolling_update_with_recreate_is_forbidden_but_recreate_alone_is_fine():
    # ValidateDeploymentStrategy: "may not be specified when strategy `type` is 'Recreate'"
    assert messages(workload(spec={"strategy": {"type": "Recreate"}})) == []
    found = only(workload(spec={"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}}))
    assert found.startswith("spec.strategy.rollingUpdate: Forbidden")


def test_progress_deadline_must_exceed_min_ready_seconds_including_its_default():
    # ValidateDeploymentSpec: progressDeadlineSeconds <= minReadySeconds is invalid; apps/v1
    # defaults progressDeadlineSeconds to 600 (SetDefaults_Deployment)
    assert messages(workload(spec={"minReadySeconds": 599})) == []
    assert "(its default)" in only(workload(spec={"minReadySeconds": 600}))
    assert messages(workload(spec={"minReadySeconds": 600, "progressDeadlineSeconds": 601})) == []


# --- DaemonSet and StatefulSet strategies --------------------------------------------------------


def test_daemonset_surge_needs_max_unavailable_zero():
    # ValidateRollingUpdateDaemonSet: exactly one of maxSurge/maxUnavailable non-zero; maxUnavailable
    # defaults to 1 (apps/v1 SetDefaults_DaemonSet)
    found = only(workload("DaemonSet", spec={"updateStrategy": {"rollingUpdate": {"maxSurge": "10%"}}}))
    assert found.startswith("spec.updateStrategy.rollingUpdate.maxSurge:")
    assert (
        messages(
            workload(
                "DaemonSet", spec={"updateStrategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}}
            )
        )
        == []
    )


def test_daemonset_on_delete_ignores_rolling_update():
    # ValidateDaemonSetUpdateStrategy: OnDelete does not look at rollingUpdate (unlike Deployment)
    ds = workload(
        "DaemonSet", spec={"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"maxUnavailable": 0}}}
    )
    assert messages(ds) == []


def test_statefulset_rolling_update_only_with_type_rolling_update():
    # ValidateStatefulSetSpec: "only allowed for updateStrategy 'RollingUpdate'"
    assert (
        messages(
            workload(
                "StatefulSet",
                spec={"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}},
            )
        )
        == []
    )
    found = only(
        workload(
            "StatefulSet", spec={"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"partition": 0}}}
        )
    )
    assert found.startswith("spec.updateStrategy.rollingUpdate:")
