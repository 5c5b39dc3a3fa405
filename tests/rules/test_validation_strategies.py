"""manifest-invalid: update strategies, with the edge cases the fixtures do not show.

Upstream: k8s.io/kubernetes pkg/apis/apps/validation/validation.go: ValidateDeploymentSpec,
ValidateDeploymentStrategy, ValidateRollingUpdateDeployment, ValidateRollingUpdateDaemonSet,
ValidateDaemonSetUpdateStrategy, ValidateStatefulSetSpec, ValidatePositiveIntOrPercent,
getIntOrPercentValue, IsNotMoreThan100Percent; k8s.io/apimachinery pkg/util/validation/validation.go:
IsValidPercent; validateRollingUpdateStatefulSet (pkg/registry/apps/statefulset/strategy.go
dropStatefulSetDisabledFields and pkg/features/kube_features.go MaxUnavailableStatefulSet for when
it applies).
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


@pytest.mark.parametrize("kind", ["DaemonSet", "Deployment"])
@pytest.mark.parametrize("surge, unavailable", [(0, 0), ("0%", "0%"), (0, "0%")])
def test_daemonset_and_deployment_reject_both_fenceposts_zero_written_either_way(kind, surge, unavailable):
    # ValidateRollingUpdateDaemonSet: "cannot be 0 when maxSurge is 0";
    # ValidateRollingUpdateDeployment: "may not be 0 when maxSurge is 0" (getIntOrPercentValue
    # reads "0%" as 0)
    field = "strategy" if kind == "Deployment" else "updateStrategy"
    strategy = {"rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    found = only(workload(kind, spec={field: strategy}))
    assert found.startswith(f"spec.{field}.rollingUpdate.maxUnavailable: ")
    assert "0 when maxSurge is 0" in found


STS_135 = {"kubernetes_version": "1.35"}


def statefulset_max_unavailable(value) -> dict:
    return workload("StatefulSet", spec={"updateStrategy": {"rollingUpdate": {"maxUnavailable": value}}})


@pytest.mark.parametrize("value", [0, "0%"])
def test_statefulset_max_unavailable_zero_is_rejected_from_1_35(value):
    # validateRollingUpdateStatefulSet (pkg/apis/apps/validation/validation.go): "cannot be 0",
    # on getIntOrPercentValue, so "0%" too. The field reaches validation only with the
    # MaxUnavailableStatefulSet gate on, by default from 1.35 (pkg/features/kube_features.go: beta,
    # default true, 1.35)
    found = only(statefulset_max_unavailable(value), **STS_135)
    shown = f'"{value}"' if isinstance(value, str) else value
    assert found == f"spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value {shown}: cannot be 0"


@pytest.mark.parametrize("value", [0, "0%", "150%", -1])
def test_statefulset_max_unavailable_is_dropped_not_rejected_before_1_35(value):
    # pkg/registry/apps/statefulset/strategy.go dropStatefulSetDisabledFields: with the gate off
    # (alpha, 1.24-1.34) maxUnavailable is cleared on create before validation runs
    assert messages(statefulset_max_unavailable(value), kubernetes_version="1.34") == []


@pytest.mark.parametrize(
    "value, problems",
    [
        (1, []),
        (
            "1%",
            [],
        ),  # 1% of few pods rounds down to 0; the controller then uses 1 (getStatefulSetMaxUnavailable)
        ("100%", []),
        ("101%", ["must not be greater than 100%"]),  # IsNotMoreThan100Percent
        (-1, ["must be greater than or equal to 0"]),  # ValidatePositiveIntOrPercent
        ("2", ["a valid percent string"]),  # "2" is not a percentage, but Atoi reads it as 2, not 0
        ("abc", ["a valid percent string", "cannot be 0"]),  # Atoi fails: 0
    ],
)
def test_statefulset_max_unavailable_bounds_from_1_35(value, problems):
    # validateRollingUpdateStatefulSet: ValidatePositiveIntOrPercent, not 0, IsNotMoreThan100Percent
    found = messages(statefulset_max_unavailable(value), **STS_135)
    assert len(found) == len(problems), found
    for message, problem in zip(found, problems):
        assert message.startswith("spec.updateStrategy.rollingUpdate.maxUnavailable: ")
        assert problem in message


def test_statefulset_max_unavailable_on_delete_is_the_rolling_update_problem_only():
    # ValidateStatefulSetSpec checks rollingUpdate's fields only for type RollingUpdate
    sts = workload(
        "StatefulSet", spec={"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"maxUnavailable": 0}}}
    )
    assert only(sts, **STS_135).startswith("spec.updateStrategy.rollingUpdate: Invalid value")
