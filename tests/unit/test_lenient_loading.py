"""Lenient loading: an invalid field is reported (`manifest-invalid`) and the object is analysed.

An object is dropped (a load error) only when a field the analysis needs has a type it cannot
use. Zero values follow Go's decoding of an absent field (k8s.io/api core/v1 types.go: `Name
string`, `ContainerPort int32`); the API server then refuses them
(pkg/apis/core/validation/validation.go validateContainers: `field.Required(idxPath.Child("name"))`,
validateContainerPorts: `field.Required(idxPath.Child("containerPort"))`, validateEnv).
Non-string map keys: sigs.k8s.io/yaml YAMLToJSON writes `1` and `true` keys as the JSON strings
"1" and "true"; labels/data are map[string]string, so a key must be written as a string.
Live dumps are grouped as np-guard's netpol-analyzer does (pkg/netpol/eval/internal/k8s/peer.go
WorkloadPeer.Name/Kind: the owner's name, and `Pod` when the owner reference has no kind).
"""

from __future__ import annotations

from reach_support import lines_of
from topo_test_support import analysis_of, targets


def invalid(analysis, object_id: str) -> list[str]:
    return sorted(
        f.message
        for f in analysis.findings().findings
        if f.rule == "manifest-invalid" and f.object == object_id
    )


NAMELESS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - image: nginx
        ports: [{name: http, containerPort: 8080}, {name: admin}]
        env: [{value: "1"}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
"""


def test_a_container_without_a_name_keeps_its_workload_and_is_reported_at_the_field():
    analysis = analysis_of(NAMELESS)
    assert analysis.load_errors == ()
    assert targets(analysis.graph, "Service/shop/web", "selects") == {"Deployment/shop/web"}
    messages = invalid(analysis, "Deployment/shop/web")
    assert "spec.template.spec.containers[0].name: Required value: every container needs a name" in messages
    assert "spec.template.spec.containers[0].ports[1].containerPort: Required value" in messages
    assert any(m.startswith("spec.template.spec.containers[0].env[0].name: Required value") for m in messages)


def test_a_port_without_container_port_reads_as_zero_and_the_named_ports_still_resolve():
    workload = analysis_of(NAMELESS).model.get("Deployment/shop/web")
    [container] = workload.template.spec.containers
    assert [(p.name, p.container_port) for p in container.ports] == [("http", 8080), ("admin", 0)]
    assert container.name == ""


def test_non_string_keys_are_reported_at_the_key_and_read_as_their_text():
    analysis = analysis_of(
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c, labels: {1: y}}
        data: {5: x, port: 8080}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        data: {5: eA==, true: eA==}
        """
    )
    assert analysis.load_errors == ()
    config = analysis.model.get("ConfigMap/default/c")
    assert dict(config.labels) == {"1": "y"}
    assert config.keys == ("5", "port") and dict(config.data) == {"5": "x", "port": "8080"}
    assert analysis.model.get("Secret/default/s").keys == ("5", "true")
    assert invalid(analysis, "ConfigMap/default/c") == [
        'data.5: keys must be strings, got number 5 (read as "5"; quote it)',
        'data.port: expected a string, got number 8080 (read as "8080"; quote it)',
        'metadata.labels.1: keys must be strings, got number 1 (read as "1"; quote it)',
    ]
    assert invalid(analysis, "Secret/default/s") == [
        'data.5: keys must be strings, got number 5 (read as "5"; quote it)',
        'data.true: keys must be strings, got boolean true (read as "true"; quote it)',
    ]


def test_scalars_where_strings_are_required_read_as_their_text():
    analysis = analysis_of(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: main
            image: 5
            command: [run, 1]
            env: [{name: RETRIES, value: 3}]
            resources: {requests: {cpu: lots}}
        """
    )
    assert analysis.load_errors == ()
    [container] = analysis.model.get("Pod/default/p").template.spec.containers
    assert (container.image, container.command, container.env[0].value) == ("5", ("run", "1"), "3")
    messages = invalid(analysis, "Pod/default/p")
    assert any(m.startswith("spec.containers[0].resources.requests.cpu: invalid quantity") for m in messages)
    assert (
        'spec.containers[0].env[0].value: expected a string, got number 3 (read as "3"; quote it)' in messages
    )


def test_a_field_the_analysis_needs_with_an_unusable_type_still_drops_the_object():
    analysis = analysis_of(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: three
          selector: {matchLabels: {app: web}}
          template: {metadata: {labels: {app: web}}, spec: {containers: [{name: a, image: b}]}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec: {containers: {name: a}}
        """
    )
    assert sorted(error.message.split(":")[0] for error in analysis.load_errors) == [
        "Deployment/default/web",
        "Pod/default/p",
    ]
    assert "Deployment/default/web" not in analysis.model


def test_a_pod_without_containers_is_kept_for_its_labels():
    analysis = analysis_of("apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: p}}\nspec: {}\n")
    assert "Pod/default/p" in analysis.model
    assert invalid(analysis, "Pod/default/p") == [
        "spec.containers: Required value: a pod needs at least one container"
    ]


# --- live dumps: pods stand for their owner -------------------------------------------------------


def live_pod(name: str, owner: str, labels: str, container: str = "{ports: []}", kind: str = "") -> str:
    kind_text = f"kind: {kind}, " if kind else ""
    return f"""
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: default
  labels: {{{labels}}}
  ownerReferences: [{{{kind_text}name: {owner}, controller: true}}]
spec:
  containers: [{container}]
"""


def test_pods_of_an_owner_without_kind_are_one_workload_named_after_the_owner():
    # np-guard peer.go: Name() is the owner's name, Kind() is "Pod" when the owner has no kind
    analysis = analysis_of(
        live_pod("pod-1", "internal-security", "security: internal, tier: agent")
        + "---"
        + live_pod("pod-2", "internal-security", "security: internal, tier: analyzer")
    )
    assert list(analysis.model.objects) == ["Pod/default/internal-security"]
    workload = analysis.model.get("Pod/default/internal-security")
    assert workload.folded_pods == ("pod-1", "pod-2") and workload.replicas == 2
    # the keys both pods carry, with the first pod's values; a warning says they differ
    assert dict(workload.pod_labels) == {"security": "internal", "tier": "agent"}
    assert any("its pods differ (pod-2 from pod-1)" in w.message for w in analysis.model.warnings)
    assert lines_of(
        live_pod("pod-1", "internal-security", "app: a")
        + "---"
        + live_pod("pod-2", "internal-security", "app: b")
    ) == [
        "0.0.0.0-255.255.255.255[External] => default/internal-security[Pod] : All Connections",
        "default/internal-security[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections",
    ]


def test_invalid_fields_of_folded_pods_stay_reported_on_the_workload_they_stand_in_for():
    # a trimmed `kubectl get pods` list: containers without names (never a reason to lose the pods)
    analysis = analysis_of(
        live_pod("agents-a", "agents", "app: agents", kind="DaemonSet")
        + "---"
        + live_pod("agents-b", "agents", "app: agents", kind="DaemonSet")
    )
    assert analysis.load_errors == ()
    assert list(analysis.model.objects) == ["DaemonSet/default/agents"]
    assert invalid(analysis, "DaemonSet/default/agents") == [
        "spec.containers[0].image: Required value: every container needs an image (pod agents-a, agents-b)",
        "spec.containers[0].name: Required value: every container needs a name (pod agents-a, agents-b)",
    ]


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
"""


def test_a_pod_that_names_a_deployment_folds_only_when_it_is_a_replica_of_its_template():
    # issue: a hand-made Pod with an ownerReference to a Deployment of the input was folded away
    # with its own findings; a replica carries the template's labels and containers
    replica = live_pod(
        "web-1", "web", "app: web, pod-template-hash: abc", '{name: web, image: "nginx:1.27"}', "Deployment"
    )
    stranger = live_pod("debug", "web", "app: web", "{name: shell, image: busybox}", "Deployment")
    analysis = analysis_of(DEPLOYMENT + "---" + replica + "---" + stranger)
    assert sorted(analysis.model.objects) == ["Deployment/default/web", "Pod/default/debug"]
    assert analysis.model.get("Deployment/default/web").folded_pods == ("web-1",)


def test_a_pod_with_invalid_fields_is_never_folded_into_an_owner_of_the_input():
    broken = live_pod("web-1", "web", "app: web", '{image: "nginx:1.27"}', "Deployment")
    analysis = analysis_of(DEPLOYMENT + "---" + broken)
    assert "Pod/default/web-1" in analysis.model
    assert invalid(analysis, "Pod/default/web-1") == [
        "spec.containers[0].name: Required value: every container needs a name"
    ]


def test_a_label_key_every_pod_of_the_owner_carries_is_kept_whatever_its_values():
    # np-guard resources.go checkConsistentLabelsForPodsOfSameOwner: a selector that only asks
    # whether the key exists cannot tell the pods apart, so the owner is one workload for it
    exists = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-apps, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchExpressions: [{key: app, operator: Exists}]}}]
    ports: [{port: 90, protocol: TCP}]
"""
    lines = lines_of(
        live_pod("pod-1", "security", "app: command") + "---" + live_pod("pod-2", "security", "app: query"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: pod-3, labels: {app: pod3}}\nspec: {containers: [{name: c, image: i}]}",
        exists,
    )
    assert "default/security[Pod] => default/pod-3[Pod] : TCP 90" in lines
    assert "default/pod-3[Pod] => default/security[Pod] : TCP 90" in lines


def test_a_claim_template_without_a_name_is_left_out_and_its_statefulset_kept():
    analysis = analysis_of(
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          serviceName: db
          selector: {matchLabels: {app: db}}
          template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: postgres}]}}
          volumeClaimTemplates: [{metadata: {}, spec: {accessModes: [ReadWriteOnce]}}]
        """
    )
    assert analysis.model.get("StatefulSet/default/db").claim_templates == ()
    assert "spec.volumeClaimTemplates[0].metadata.name: Required value: the claim template's name" in invalid(
        analysis, "StatefulSet/default/db"
    )


def test_a_replica_with_an_injected_sidecar_still_folds_into_its_owner():
    # admission webhooks (Istio's sidecar injector) add containers and labels to every replica
    replica = live_pod(
        "web-1",
        "web",
        "app: web, security.istio.io/tlsMode: istio",
        '{name: web, image: "nginx:1.27"}, {name: istio-proxy, image: proxyv2}',
        "Deployment",
    )
    analysis = analysis_of(DEPLOYMENT + "---" + replica)
    assert list(analysis.model.objects) == ["Deployment/default/web"]
