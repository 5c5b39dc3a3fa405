"""Exposure and storage rules: the semantics the fixtures do not show."""

from __future__ import annotations

import textwrap

from topo.api import analyze
from topo.config import Config, IngressControllerConfig
from topo.rules import RULES
from topo.rules.engine import run_rules


def findings(text: str, rule_id: str, config: Config | None = None):
    analysis = analyze(text=textwrap.dedent(text), config=config or Config())
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = run_rules(analysis.rule_context, [RULES[rule_id]])
    assert not results.rule_errors, results.rule_errors
    return results.findings


def deployment(
    name: str, labels: str, extra_spec: str = "", replicas: int = 1, kind: str = "Deployment"
) -> str:
    return f"""
apiVersion: apps/v1
kind: {kind}
metadata: {{name: {name}, namespace: ns}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {labels}}}
  template:
    metadata: {{labels: {labels}}}
    spec:
      containers: [{{name: c, image: busybox:1.36}}]
      {extra_spec}
---"""


# --- service-exposed-externally -------------------------------------------------------------------

LB = """
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: ns}
spec:
  type: LoadBalancer
  selector: {tier: edge}
  ports: [{port: 443}]
"""


def test_configured_ingress_controller_is_allowed_its_load_balancer():
    # topo.yaml `ingressController: {namespace, podLabels}` names the controller explicitly.
    text = deployment("proxy", "{tier: edge, app: proxy}") + LB
    assert len(findings(text, "service-exposed-externally")) == 1  # not recognisable by itself
    config = Config(ingress_controller=IngressControllerConfig(namespace="ns", pod_labels={"app": "proxy"}))
    assert findings(text, "service-exposed-externally", config) == ()


def test_service_selecting_the_controller_and_another_workload_fires_naming_the_other():
    text = deployment("proxy", "{tier: edge, app: proxy}") + deployment("api", "{tier: edge, app: api}") + LB
    config = Config(ingress_controller=IngressControllerConfig(namespace="ns", pod_labels={"app": "proxy"}))
    (finding,) = findings(text, "service-exposed-externally", config)
    assert "Deployment/ns/api" in finding.message and "Deployment/ns/proxy" not in finding.message


def test_cluster_ip_and_headless_services_are_not_exposed():
    for spec in ("{type: ClusterIP", "{clusterIP: None", "{type: ExternalName, externalName: x.example.com"):
        text = f"""
        apiVersion: v1
        kind: Service
        metadata: {{name: s, namespace: ns}}
        spec: {spec}, ports: [{{port: 80}}]}}
        """
        assert findings(text, "service-exposed-externally") == (), spec


def test_node_port_zero_means_allocate_and_is_not_out_of_range():
    # An unset or zero nodePort is allocated from the range by the API server
    # (pkg/registry/core/service/storage: allocate when NodePort == 0).
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: s, namespace: ns}
    spec:
      type: NodePort
      ports: [{port: 80, nodePort: 0}]
    """
    assert findings(text, "nodeport-out-of-range") == ()


def test_host_network_on_a_cronjob_template():
    text = """
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: probe, namespace: ns}
    spec:
      schedule: "*/5 * * * *"
      jobTemplate:
        spec:
          template:
            spec:
              hostNetwork: true
              restartPolicy: OnFailure
              containers: [{name: c, image: busybox:1.36}]
    """
    (finding,) = findings(text, "host-network")
    assert finding.object == "CronJob/ns/probe"


# --- pvc-access-mode-conflict ---------------------------------------------------------------------

CLAIM = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ns}
spec: {accessModes: %s, resources: {requests: {storage: 1Gi}}}
---"""
MOUNT = "volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]"


def test_statefulset_sharing_one_claim_through_volumes_conflicts_but_claim_templates_do_not():
    shared = CLAIM % "[ReadWriteOnce]" + deployment("db", "{app: db}", MOUNT, replicas=2, kind="StatefulSet")
    (finding,) = findings(shared, "pvc-access-mode-conflict")
    assert finding.object == "PersistentVolumeClaim/ns/data" and "2 replicas" in finding.message
    templated = """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: ns}
    spec:
      replicas: 3
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec:
          containers: [{name: c, image: busybox:1.36}]
      volumeClaimTemplates:
        - metadata: {name: data}
          spec: {accessModes: [ReadWriteOncePod], resources: {requests: {storage: 1Gi}}}
    """
    assert findings(templated, "pvc-access-mode-conflict") == ()


def test_daemonset_and_parallel_job_run_several_pods():
    daemonset = CLAIM % "[ReadWriteOnce]" + deployment(
        "agent", "{app: agent}", MOUNT, kind="DaemonSet"
    ).replace("  replicas: 1\n", "")
    (finding,) = findings(daemonset, "pvc-access-mode-conflict")
    assert "one pod per node" in finding.message
    job = (
        CLAIM % "[ReadWriteOnce]"
        + """
apiVersion: batch/v1
kind: Job
metadata: {name: import, namespace: ns}
spec:
  parallelism: 4
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox:1.36}]
      volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
"""
    )
    (finding,) = findings(job, "pvc-access-mode-conflict")
    assert "parallelism 4" in finding.message


def test_a_multi_node_mode_next_to_read_write_once_allows_sharing():
    text = CLAIM % "[ReadWriteOnce, ReadOnlyMany]" + deployment("web", "{app: web}", MOUNT, replicas=3)
    assert findings(text, "pvc-access-mode-conflict") == ()


def test_bound_volume_offering_read_write_many_allows_multi_attach():
    # IsMultiAttachAllowed (k8s.io/kubernetes pkg/volume/util/util.go) looks at the *PV's* access
    # modes: a ReadWriteOnce claim bound to a PV that also offers ReadWriteMany may attach anywhere.
    text = textwrap.dedent("""
    apiVersion: v1
    kind: PersistentVolume
    metadata: {name: shared}
    spec:
      capacity: {storage: 10Gi}
      accessModes: [ReadWriteOnce, ReadWriteMany]
      storageClassName: ""
      csi: {driver: efs.csi.aws.com, volumeHandle: fs-123}
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data, namespace: ns}
    spec: {accessModes: [ReadWriteOnce], storageClassName: "", volumeName: shared, resources: {requests: {storage: 1Gi}}}
    ---""") + deployment("web", "{app: web}", MOUNT, replicas=3)
    assert findings(text, "pvc-access-mode-conflict") == ()


def test_read_write_once_pod_claim_with_a_single_pod_is_fine():
    text = CLAIM % "[ReadWriteOncePod]" + deployment("web", "{app: web}", MOUNT)
    assert findings(text, "pvc-access-mode-conflict") == ()


def test_zero_replicas_do_not_mount_anything():
    text = CLAIM % "[ReadWriteOnce]" + deployment("web", "{app: web}", MOUNT, replicas=0)
    assert findings(text, "pvc-access-mode-conflict") == ()


# --- host-path-volume ------------------------------------------------------------------------------


def test_host_path_message_lists_every_host_path_volume():
    text = deployment(
        "agent",
        "{app: agent}",
        "volumes: [{name: logs, hostPath: {path: /var/log}}, {name: sock, hostPath: {path: /run/containerd/containerd.sock}}]",
        kind="DaemonSet",
    ).replace("  replicas: 1\n", "")
    (finding,) = findings(text, "host-path-volume")
    assert "'logs' (/var/log)" in finding.message and "containerd.sock" in finding.message


def test_a_port_a_policy_lists_twice_is_said_once():
    """Bitnami's MariaDB policy lists the primary's and the secondary's port, both 3306."""
    text = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: db, namespace: shop}
    spec:
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec: {containers: [{name: db, image: mariadb:11}]}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: db, namespace: shop}
    spec:
      podSelector: {matchLabels: {app: db}}
      ingress:
        - ports: [{port: 3306}, {port: 3306}]
    """
    [finding] = findings(text, "policy-allows-all-ingress")
    assert "on TCP 3306, to Deployment/shop/db" in finding.message
