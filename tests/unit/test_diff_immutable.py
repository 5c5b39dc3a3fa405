"""topo.analyses.diff.immutable: updates the API server refuses, so that `kubectl apply` fails.

Each test names the upstream validation it pins (k8s.io/kubernetes at master).
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

from topo_test_support import analysis_of

from topo.analyses.diff import diff_analyses, immutable_changes, refusals

IMMUTABLE = "immutable-field-changed"


def paths(kind, before, after):
    return [r.path for r in refusals(kind, before, after)]


def workload(kind="Deployment", api="apps/v1", labels=None, selector=None, **spec):
    labels = labels if labels is not None else {"app": "web"}
    document = {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": "web:1"}]},
            },
            **spec,
        },
    }
    if selector is not False:
        document["spec"]["selector"] = {"matchLabels": selector if selector is not None else labels}
    return document


def changed(document, *path, value):
    out = copy.deepcopy(document)
    target = out
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    return out


# --- Deployment, ReplicaSet, DaemonSet ------------------------------------------------------------


def test_an_apps_v1_selector_change_is_refused_for_each_controller():
    """spec.selector: "field is immutable" for apps/v1 (pkg/registry/apps/{deployment,replicaset,
    daemonset}/strategy.go ValidateUpdate → apivalidation.ValidateImmutableField)."""
    for kind in ("Deployment", "ReplicaSet", "DaemonSet"):
        before = workload(kind)
        after = workload(kind, labels={"app": "web", "tier": "front"})
        [refusal] = refusals(kind, before, after)
        assert (refusal.path, refusal.reason) == ("spec.selector", "field is immutable")
        assert refusal.after == {"matchLabels": {"app": "web", "tier": "front"}}


def test_a_changed_template_with_the_same_selector_is_not_refused():
    """Only the selector is immutable; the template rolls out (ValidateDeploymentUpdate)."""
    before = workload(replicas=2)
    after = changed(
        before, "spec", "template", "spec", "containers", value=[{"name": "web", "image": "web:2"}]
    )
    after["spec"]["replicas"] = 5
    assert paths("Deployment", before, after) == []


def test_an_empty_match_expressions_list_is_no_change():
    """Semantic.DeepEqual treats a nil and an empty list alike (apimachinery pkg/api/equality)."""
    before = workload()
    after = changed(before, "spec", "selector", "matchExpressions", value=[])
    assert paths("Deployment", before, after) == []


def test_a_move_from_extensions_v1beta1_with_a_defaulted_selector_is_not_refused():
    """extensions/v1beta1 copied the template labels into a missing selector
    (pkg/apis/extensions/v1beta1/defaults.go SetDefaults_Deployment): the same labels written out
    in apps/v1 are the same selector."""
    before = workload(api="extensions/v1beta1", selector=False)
    assert paths("Deployment", before, workload()) == []
    assert paths("Deployment", before, workload(labels={"app": "web", "v": "2"})) == ["spec.selector"]


def test_an_update_through_extensions_v1beta1_may_change_the_selector():
    """The registry skips the check for requests to extensions/v1beta1 (and apps/v1beta1 for
    Deployments): pkg/registry/apps/deployment/strategy.go ValidateUpdate."""
    before = workload(api="extensions/v1beta1")
    after = workload(api="extensions/v1beta1", labels={"app": "shop"})
    assert paths("Deployment", before, after) == []
    assert (
        paths("DaemonSet", workload("DaemonSet"), workload("DaemonSet", api="extensions/v1beta1", labels={}))
        == []
    )


def test_a_missing_apps_v1_selector_is_not_claimed():
    """apps/v1 requires a selector; its absence fails validation for another reason."""
    assert paths("Deployment", workload(), workload(selector=False)) == []


# --- StatefulSet ---------------------------------------------------------------------------------


def test_statefulset_fields_other_than_the_mutable_ones_are_refused():
    """ "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template',
    'updateStrategy', ... and 'minReadySeconds' are forbidden" (pkg/apis/apps/validation/
    validation.go ValidateStatefulSetUpdate)."""
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}  # fmt: skip
    before = workload("StatefulSet", serviceName="db", volumeClaimTemplates=[claim])
    after = changed(before, "spec", "serviceName", value="db-headless")
    after["spec"]["podManagementPolicy"] = "Parallel"
    bigger = copy.deepcopy(claim)
    bigger["spec"]["resources"]["requests"]["storage"] = "2Gi"
    after["spec"]["volumeClaimTemplates"] = [bigger]
    refused = refusals("StatefulSet", before, after)
    assert [r.path for r in refused] == [
        "spec.serviceName",
        "spec.podManagementPolicy",
        "spec.volumeClaimTemplates",
    ]
    assert all("are forbidden" in r.reason for r in refused)


def test_statefulset_mutable_fields_and_written_defaults_are_not_refused():
    """replicas, template, updateStrategy, minReadySeconds may change; podManagementPolicy
    OrderedReady and volumeMode Filesystem are the defaults (pkg/apis/apps/v1/defaults.go,
    pkg/apis/core/v1/defaults.go); `1Gi` and `1024Mi` are one Quantity."""
    claim = {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}}}
    before = workload("StatefulSet", replicas=1, volumeClaimTemplates=[claim])
    after = workload(
        "StatefulSet",
        replicas=3,
        minReadySeconds=10,
        updateStrategy={"type": "OnDelete"},
        podManagementPolicy="OrderedReady",
        volumeClaimTemplates=[
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {"volumeMode": "Filesystem", "resources": {"requests": {"storage": "1024Mi"}}},
            }
        ],
    )
    assert paths("StatefulSet", before, after) == []


def test_a_statefulset_selector_change_is_refused():
    """Bank of Anthos v0.5.0 → v0.6.0 added labels to accounts-db's selector (ValidateStatefulSetUpdate)."""
    before = workload("StatefulSet", labels={"app": "db"})
    after = workload("StatefulSet", labels={"app": "db", "environment": "development"})
    assert paths("StatefulSet", before, after) == ["spec.selector"]


# --- Job -----------------------------------------------------------------------------------------


def test_a_job_template_is_immutable_unless_the_job_is_suspended():
    """spec.template: ValidateImmutableField (pkg/apis/batch/validation/validation.go
    validatePodTemplateUpdate); a suspended Job may change its scheduling directives, which topo
    does not separate: it does not check a Job suspended in OLD."""
    before = workload("Job", api="batch/v1", selector=False)
    after = changed(
        before, "spec", "template", "spec", "containers", value=[{"name": "web", "image": "web:2"}]
    )
    assert paths("Job", before, after) == ["spec.template"]
    suspended = changed(before, "spec", "suspend", value=True)
    assert paths("Job", suspended, changed(after, "spec", "suspend", value=True)) == []


def test_a_job_selector_is_checked_only_when_both_sides_write_one():
    """spec.selector: ValidateImmutableField (ValidateJobSpecUpdate); a missing one is generated."""
    before = workload("Job", api="batch/v1", manualSelector=True)
    after = changed(before, "spec", "selector", value={"matchLabels": {"app": "other"}})
    assert paths("Job", before, after) == ["spec.selector"]
    assert paths("Job", workload("Job", api="batch/v1", selector=False), before) == []


def test_a_job_completion_mode_is_immutable():
    """spec.completionMode (default NonIndexed): ValidateJobSpecUpdate."""
    before = workload("Job", api="batch/v1", selector=False)
    assert paths("Job", before, changed(before, "spec", "completionMode", value="NonIndexed")) == []
    assert paths("Job", before, changed(before, "spec", "completionMode", value="Indexed")) == [
        "spec.completionMode"
    ]


def test_a_job_template_is_compared_as_stored():
    """spec.template: validatePodTemplateUpdate compares the defaulted templates (the request is
    defaulted before validation; pkg/apis/core/v1/defaults.go SetDefaults_PodSpec, _Container):
    written-out defaults are no update, and a real change is named without them."""
    before = workload("Job", api="batch/v1", selector=False)
    pod = ("spec", "template", "spec")
    dumped = changed(before, *pod, "dnsPolicy", value="ClusterFirst")
    dumped = changed(dumped, *pod, "securityContext", value={})
    dumped["spec"]["template"]["spec"]["containers"][0].update(
        imagePullPolicy="IfNotPresent", terminationMessagePath="/dev/termination-log", resources={}
    )
    assert paths("Job", before, dumped) == []
    moved = copy.deepcopy(dumped)
    moved["spec"]["template"]["spec"]["containers"][0]["image"] = "web:2"
    [refusal] = refusals("Job", before, moved)
    assert refusal.path == "spec.template"
    [highlight] = immutable_changes(model(before), model(moved))
    assert "spec.containers[name=web].image: web:1 → web:2;" in highlight.text
    assert "dnsPolicy" not in highlight.text and "imagePullPolicy" not in highlight.text


def model(document):
    obj = SimpleNamespace(generated_by=None, raw=document, kind=document["kind"])
    return SimpleNamespace(objects={"Job/shop/web": obj})


# --- Service -------------------------------------------------------------------------------------


def service(**spec):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"}, "spec": spec}


def test_a_set_cluster_ip_is_immutable():
    """spec.clusterIP once set, for every type but ExternalName (pkg/apis/core/validation
    ValidateServiceUpdate)."""
    assert paths("Service", service(clusterIP="10.0.0.10"), service(clusterIP="10.0.0.11")) == [
        "spec.clusterIP"
    ]
    assert paths("Service", service(clusterIP="None"), service(clusterIP="10.0.0.11")) == ["spec.clusterIP"]
    [refusal] = refusals("Service", service(), service(clusterIP="None"))
    assert (refusal.before, refusal.after) == ("(allocated)", "None")


def test_a_cluster_ip_left_out_or_an_external_name_is_not_refused():
    """An empty clusterIP keeps the allocated one (pkg/registry/core/service/storage
    patchAllocatedValues); ExternalName has none, to or from (ValidateServiceUpdate)."""
    assert paths("Service", service(clusterIP="None"), service()) == []
    assert paths("Service", service(), service(clusterIP="10.0.0.11")) == []  # may be the allocated one
    external = service(type="ExternalName", externalName="db.example.com")
    assert paths("Service", service(clusterIP="10.0.0.10"), external) == []
    assert paths("Service", external, service(clusterIP="None")) == []


def test_a_service_type_change_is_not_refused():
    """spec.type is mutable (ValidateServiceUpdate checks clusterIP, not type)."""
    assert paths("Service", service(type="ClusterIP"), service(type="NodePort")) == []
    assert paths("Service", service(type="NodePort"), service(type="LoadBalancer")) == []


# --- ConfigMap, Secret ---------------------------------------------------------------------------


def test_an_immutable_configmap_refuses_data_changes_and_unsetting_immutable():
    """ "field is immutable when `immutable` is set" (ValidateConfigMapUpdate)."""
    before = {"kind": "ConfigMap", "immutable": True, "data": {"a": "1"}}
    assert paths("ConfigMap", before, {**before, "data": {"a": "2"}}) == ["data"]
    assert paths("ConfigMap", before, {**before, "binaryData": {"b": "AA=="}}) == ["binaryData"]
    assert paths("ConfigMap", before, {"kind": "ConfigMap", "data": {"a": "1"}}) == ["immutable"]
    assert paths("ConfigMap", {"kind": "ConfigMap", "data": {"a": "1"}}, {**before, "data": {"a": "2"}}) == []


def test_an_immutable_secret_compares_stored_data_and_hides_values():
    """stringData is merged into data before validation (ValidateSecretUpdate: "We don't validate
    StringData, as it was already converted back to Data")."""
    before = {"kind": "Secret", "immutable": True, "data": {"token": "czNjcjN0"}}  # s3cr3t
    same = {"kind": "Secret", "immutable": True, "stringData": {"token": "s3cr3t"}}
    assert paths("Secret", before, same) == []
    other = {"kind": "Secret", "immutable": True, "stringData": {"token": "0ther"}}
    assert paths("Secret", before, other) == ["data"]
    old = analysis_of(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\nimmutable: true\ndata: {token: czNjcjN0}\n"
    )
    new = analysis_of(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\nimmutable: true\nstringData: {token: 0ther}\n"
    )
    [highlight] = [h for h in diff_analyses(old, new).highlights if h.kind == IMMUTABLE]
    assert "keys token (values not shown)" in highlight.text and "0ther" not in highlight.text


def test_a_secret_type_is_immutable():
    """type: ValidateImmutableField (ValidateSecretUpdate)."""
    opaque = {"kind": "Secret", "type": "Opaque"}
    assert paths("Secret", opaque, {"kind": "Secret", "type": "kubernetes.io/tls"}) == ["type"]
    assert paths("Secret", opaque, {"kind": "Secret"}) == []


# --- RBAC, storage -------------------------------------------------------------------------------


def test_a_role_binding_role_ref_cannot_change():
    """ "cannot change roleRef" (pkg/apis/rbac/validation ValidateRoleBindingUpdate)."""
    ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}
    for kind in ("RoleBinding", "ClusterRoleBinding"):
        before = {"kind": kind, "roleRef": ref, "subjects": [{"kind": "User", "name": "a"}]}
        assert paths(kind, before, {**before, "subjects": []}) == []
        [refusal] = refusals(kind, before, {**before, "roleRef": {**ref, "name": "edit"}})
        assert (refusal.path, refusal.reason) == ("roleRef", "cannot change roleRef")


def test_storage_class_parameters_provisioner_and_policies_are_immutable():
    """parameters, provisioner, reclaimPolicy (default Delete), volumeBindingMode (default
    Immediate): pkg/apis/storage/validation ValidateStorageClassUpdate."""
    before = {"kind": "StorageClass", "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3"}}
    after = {
        "kind": "StorageClass",
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp2"},
        "reclaimPolicy": "Retain",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }
    assert paths("StorageClass", before, after) == ["parameters", "reclaimPolicy", "volumeBindingMode"]
    defaults = {
        **before,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
        "allowVolumeExpansion": True,
    }
    assert paths("StorageClass", before, defaults) == []


def claim(**spec):
    return {"kind": "PersistentVolumeClaim", "spec": {"accessModes": ["ReadWriteOnce"], **spec}}


def test_a_claim_spec_is_immutable_but_its_storage_request_may_grow():
    """ "spec is immutable after creation except resources.requests and volumeAttributesClassName
    for bound claims"; a smaller request: "field can not be less than previous value"
    (pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate)."""
    small = claim(resources={"requests": {"storage": "1Gi"}})
    assert paths("PersistentVolumeClaim", small, claim(resources={"requests": {"storage": "2Gi"}})) == []
    assert paths("PersistentVolumeClaim", small, claim(resources={"requests": {"storage": "1024Mi"}})) == []
    shrunk = refusals("PersistentVolumeClaim", small, claim(resources={"requests": {"storage": "500Mi"}}))
    assert [(r.path, r.reason) for r in shrunk] == [
        ("spec.resources.requests.storage", "field can not be less than previous value")
    ]
    wider = {**small, "spec": {**small["spec"], "accessModes": ["ReadWriteMany"]}}
    assert paths("PersistentVolumeClaim", small, wider) == ["spec.accessModes"]
    fast = claim(storageClassName="fast")
    assert paths("PersistentVolumeClaim", fast, claim(storageClassName="slow")) == ["spec.storageClassName"]


def test_claim_fields_the_api_fills_are_not_claimed():
    """volumeName may be set once and a missing storageClassName gets the default class
    (validateStorageClassUpgradeFromNil); volumeMode defaults to Filesystem."""
    assert paths("PersistentVolumeClaim", claim(), claim(storageClassName="fast", volumeName="pv-1")) == []
    assert paths("PersistentVolumeClaim", claim(), claim(volumeMode="Filesystem")) == []
    assert paths("PersistentVolumeClaim", claim(), claim(volumeMode="Block")) == ["spec.volumeMode"]


# --- whole analyses: no false highlight ------------------------------------------------------------

DEPLOYMENT = """
apiVersion: {api}
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: 2
  {selector}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers: [{{name: web, image: "web:{tag}"}}]
"""
SELECTOR = "selector: {matchLabels: {app: web}}"


def immutable_highlights(before: str, after: str):
    change = diff_analyses(analysis_of(before), analysis_of(after))
    return [(h.subject, h.text) for h in change.highlights if h.kind == IMMUTABLE]


def test_a_new_image_under_the_same_selector_has_no_highlight():
    before = DEPLOYMENT.format(api="apps/v1", selector=SELECTOR, tag="1")
    after = DEPLOYMENT.format(api="apps/v1", selector=SELECTOR, tag="2")
    assert immutable_highlights(before, after) == []


def test_a_move_from_extensions_v1beta1_to_apps_v1_with_the_same_labels_has_no_highlight():
    before = DEPLOYMENT.format(api="extensions/v1beta1", selector="", tag="1")
    after = DEPLOYMENT.format(api="apps/v1", selector=SELECTOR, tag="1")
    assert immutable_highlights(before, after) == []


def test_a_service_whose_type_changes_has_no_highlight():
    service_text = "apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: shop}}\nspec:\n  type: {}\n  selector: {{app: web}}\n  ports: [{{port: 80}}]\n"  # fmt: skip
    assert immutable_highlights(service_text.format("ClusterIP"), service_text.format("LoadBalancer")) == []


def test_a_changed_selector_is_one_highlight_naming_the_field_and_the_fix():
    before = DEPLOYMENT.format(api="apps/v1", selector=SELECTOR, tag="1")
    after = DEPLOYMENT.format(
        api="apps/v1", selector="selector: {matchLabels: {app: web, tier: front}}", tag="1"
    )
    after = after.replace("labels: {app: web}", "labels: {app: web, tier: front}")
    [(subject, text)] = immutable_highlights(before, after)
    assert subject == "Deployment/shop/web"
    assert text == (
        "Deployment/shop/web: `kubectl apply` will be refused — spec.selector cannot change on an existing "
        'Deployment ("field is immutable"): matchLabels.tier: (absent) → front; delete and recreate it '
        "(`kubectl replace --force`; its pods are replaced) or give it a new name"
    )
