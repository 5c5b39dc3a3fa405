"""The dependency graph from workloads to what they read: uses (ConfigMaps, Secrets, ServiceAccounts),
mounts (PersistentVolumeClaims), and claims' binds / provisioned-by."""

from __future__ import annotations

from topo_test_support import edge, edges, graph_of, targets

# --- uses: ConfigMaps, Secrets, ServiceAccounts --------------------------------------------------

USES = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      serviceAccountName: app-sa
      imagePullSecrets: [{name: registry}]
      initContainers:
      - name: init
        image: busybox
        envFrom: [{configMapRef: {name: init-env}}]
      containers:
      - name: app
        image: app
        env:
        - {name: A, valueFrom: {configMapKeyRef: {name: settings, key: a}}}
        - {name: B, valueFrom: {secretKeyRef: {name: creds, key: b, optional: true}}}
        envFrom: [{secretRef: {name: env-secret}}]
      volumes:
      - {name: cfg, configMap: {name: files}}
      - {name: sec, secret: {secretName: certs}}
      - name: bundle
        projected:
          sources:
          - configMap: {name: proj-cm}
          - secret: {name: proj-secret}
          - serviceAccountToken: {path: token}
"""


def test_workload_uses_every_config_map_and_secret_it_references():
    # core/v1 EnvVarSource, EnvFromSource, ConfigMapVolumeSource, SecretVolumeSource,
    # ProjectedVolumeSource, PodSpec.imagePullSecrets
    graph = graph_of(USES)
    via = {target: data["via"] for _, target, data in edges(graph, "uses", "Deployment/shop/app")}
    assert via == {
        "ConfigMap/shop/settings": ["env"],
        "Secret/shop/creds": ["env"],
        "ConfigMap/shop/init-env": ["envFrom"],
        "Secret/shop/env-secret": ["envFrom"],
        "ConfigMap/shop/files": ["volume"],
        "Secret/shop/certs": ["volume"],
        "ConfigMap/shop/proj-cm": ["projected"],
        "Secret/shop/proj-secret": ["projected"],
        "Secret/shop/registry": ["imagePullSecrets"],
        "ServiceAccount/shop/app-sa": "serviceAccountName",
    }
    assert edge(graph, "Deployment/shop/app", "Secret/shop/creds", "uses")["optional"] is True
    assert edge(graph, "Deployment/shop/app", "ConfigMap/shop/settings", "uses")["optional"] is False
    assert all(graph.nodes[t]["missing"] for t in via)


def test_default_service_account_is_not_an_edge():
    # every namespace has the `default` ServiceAccount (ServiceAccount admission plugin)
    graph = graph_of(USES.replace("serviceAccountName: app-sa", "serviceAccountName: default"))
    assert "ServiceAccount/shop/default" not in targets(graph, "Deployment/shop/app", "uses")


def test_declared_config_map_is_not_missing():
    graph = graph_of(
        USES
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: '1'}\n"
    )
    assert graph.nodes["ConfigMap/shop/settings"]["missing"] is False
    assert graph.nodes["ConfigMap/shop/settings"]["keys"] == ["a"]


# --- storage edges on the graph ------------------------------------------------------------------


def test_workload_mounts_claims_named_in_its_volumes_and_claims_bind_or_provision():
    text = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: app}
    spec:
      selector: {matchLabels: {app: a}}
      template:
        metadata: {labels: {app: a}}
        spec:
          containers: [{name: c, image: busybox}]
          volumes:
          - {name: a, persistentVolumeClaim: {claimName: bound}}
          - {name: b, persistentVolumeClaim: {claimName: dynamic}}
          - {name: c, persistentVolumeClaim: {claimName: absent}}
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: bound}
    spec: {accessModes: [ReadWriteOnce], storageClassName: "", resources: {requests: {storage: 1Gi}}}
    ---
    apiVersion: v1
    kind: PersistentVolume
    metadata: {name: pv1}
    spec: {accessModes: [ReadWriteOnce], capacity: {storage: 1Gi}}
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: dynamic}
    spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}
    ---
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata: {name: fast}
    provisioner: pd.csi.storage.gke.io
    """
    graph = graph_of(text)
    assert (
        edge(graph, "Deployment/default/app", "PersistentVolumeClaim/default/bound", "mounts")["volume"]
        == "a"
    )
    assert graph.nodes["PersistentVolumeClaim/default/absent"]["missing"] is True
    assert targets(graph, "PersistentVolumeClaim/default/bound", "binds") == {"PersistentVolume/pv1"}
    assert targets(graph, "PersistentVolumeClaim/default/dynamic", "provisioned-by") == {"StorageClass/fast"}
    assert graph.nodes["PersistentVolumeClaim/default/bound"]["binding"] == "PersistentVolume/pv1"
    assert graph.nodes["PersistentVolumeClaim/default/dynamic"]["binding"] == "dynamic:StorageClass/fast"
