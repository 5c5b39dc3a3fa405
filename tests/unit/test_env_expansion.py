"""`$(VAR)` references in env values, command and args, expanded as the kubelet does.

Upstream: https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
and k8s.io/kubernetes third_party/forked/golang/expansion (expand.go, expand_test.go);
pkg/kubelet/kubelet_pods.go makeEnvironmentVariables (env in order, each `value` expanded against
the variables before it); pkg/kubelet/container/helpers.go ExpandContainerCommandAndArgs.
"""

from __future__ import annotations

import pytest
from topo_test_support import analysis_of

from topo.model.env_expansion import container_variables, expand, known_pod_fields
from topo.model.objects import EnvVar

VARIABLES = {"VAR_A": "A", "VAR_B": "B", "VAR_REF": "$(VAR_A)", "VAR_EMPTY": ""}


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("$(VAR_A)", "A"),
        ("___$(VAR_B)___", "___B___"),
        ("$(VAR_A)-$(VAR_A)", "A-A"),
        ("$(VAR_EMPTY)", ""),
        ("$(VAR_REF)", "$(VAR_A)"),  # a value is not expanded again
        ("$(VAR_DNE)", "$(VAR_DNE)"),  # undefined: unchanged
        ("$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"),  # escaped: never expanded
        ("$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"),
        ("$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"),  # the name runs to the first `)`
        ("$(VAR_A", "$(VAR_A"),  # unclosed
        ("$VAR_A", "$VAR_A"),
        ("f000-$$VAR_A", "f000-$VAR_A"),
        ("$()", "$()"),
        ("$", "$"),
        ("$$", "$"),
        ("plain", "plain"),
    ],
)
def test_references_expand_as_the_kubelet_expands_them(text, expanded):
    assert expand(text, VARIABLES) == expanded


def _env(name: str, value: str | None = None, field_path: str | None = None) -> EnvVar:
    return EnvVar(name=name, value=value, path="", field_path=field_path)


def test_an_env_value_sees_only_the_variables_defined_before_it():
    # the task page's example: UNCHANGED_REFERENCE uses PROTOCOL before it is defined
    env = [
        _env("SERVICE_PORT", "80"),
        _env("SERVICE_IP", "172.17.0.1"),
        _env("UNCHANGED_REFERENCE", "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"),
        _env("PROTOCOL", "https"),
        _env("SERVICE_ADDRESS", "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"),
        _env("ESCAPED_REFERENCE", "$$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"),
    ]
    values, variables = container_variables(env, {})
    assert {variable.name: value for variable, value in values} == {
        "SERVICE_PORT": "80",
        "SERVICE_IP": "172.17.0.1",
        "UNCHANGED_REFERENCE": "$(PROTOCOL)://172.17.0.1:80",
        "PROTOCOL": "https",
        "SERVICE_ADDRESS": "https://172.17.0.1:80",
        "ESCAPED_REFERENCE": "$(PROTOCOL)://172.17.0.1:80",
    }
    # the command and args see the whole environment
    assert expand("--peer=$(PROTOCOL)://x", variables) == "--peer=https://x"


def test_pod_fields_are_known_and_other_sources_are_not():
    env = [
        _env("POD_NAME", field_path="metadata.name"),
        _env("POD_IP", field_path="status.podIP"),
        _env("HOST", "db"),
        _env("HOST", field_path="spec.nodeName"),  # redefined from a source topo cannot know
        _env("ADDR", "$(POD_NAME).peers $(POD_IP) $(HOST)"),
    ]
    values, _ = container_variables(env, {"metadata.name": "kv-0"})
    assert values[-1][1] == "kv-0.peers $(POD_IP) $(HOST)"


def test_the_pod_name_is_known_for_statefulsets_and_bare_pods():
    model = analysis_of(
        """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kv, namespace: vault}
spec:
  serviceName: kv-internal
  replicas: 3
  ordinals: {start: 1}
  selector: {matchLabels: {app: kv}}
  template: {metadata: {labels: {app: kv}}, spec: {containers: [{name: kv, image: vault}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: idle, namespace: vault}
spec:
  serviceName: idle
  replicas: 0
  selector: {matchLabels: {app: idle}}
  template: {metadata: {labels: {app: idle}}, spec: {containers: [{name: idle, image: vault}]}}
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: vault}
spec: {containers: [{name: debug, image: busybox}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: vault}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}
"""
    ).model
    fields = {w.id: known_pod_fields(w) for w in model.workloads}
    # pods of a StatefulSet are <name>-<ordinal> from spec.ordinals.start: the first stands for all
    assert fields["StatefulSet/vault/kv"] == {"metadata.namespace": "vault", "metadata.name": "kv-1"}
    assert fields["StatefulSet/vault/idle"] == {"metadata.namespace": "vault"}  # runs no pod
    assert fields["Pod/vault/debug"] == {"metadata.namespace": "vault", "metadata.name": "debug"}
    assert fields["Deployment/vault/web"] == {"metadata.namespace": "vault"}  # generated names
