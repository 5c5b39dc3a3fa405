"""References that point at nothing: claims, ConfigMaps, Secrets, ServiceAccounts...

Also the lookups the other reference modules share (ingress, services, storage_refs,
policy_refs): objects that exist without being declared (the control plane's
`kube-root-ca.crt`, Secrets that controllers create from objects of the input). What operators
create from custom resources is in topo.rules.operated.
"""

from __future__ import annotations

from collections.abc import Mapping

from topo.model import K8sObject, Workload
from topo.model.kinds import WORKLOAD_KINDS, make_id
from topo.model.names import dns1123_subdomain_problems
from topo.model.objects import Ingress
from topo.rules.creators import runtime_creator
from topo.rules.operated import custom_resource_may_create_config
from topo.rules.registry import ERROR, WARNING, Issue, rule


@rule(
    "pvc-missing",
    title="Volume names a PersistentVolumeClaim that is not declared",
    severity=ERROR,
    kinds=WORKLOAD_KINDS,
    why_severity=(
        "error: the pod cannot start as written: the claim does not exist. Warning when the name is "
        "not a valid object name at all (an unrendered template placeholder such as `${CLAIM}`)."
    ),
)
def pvc_missing(workload: Workload, ctx):
    """
    What it does:
        Finds pod volumes whose `persistentVolumeClaim.claimName` names a claim that is neither in
        the input nor declared `external` in topo.yaml.

    Why it matters:
        The pod cannot start: the kubelet waits for the claim forever and the pod stays
        `ContainerCreating` (event `persistentvolumeclaim "data" not found`).

    Example:
        ```yaml
        volumes:
          - name: data
            persistentVolumeClaim:
              claimName: data-typo   # no such PersistentVolumeClaim
        ```

    Fix:
        Declare the PersistentVolumeClaim in the same namespace, fix the name, or list it under
        `external:` in topo.yaml when it is created outside these manifests.

    References:
        - https://kubernetes.io/docs/concepts/storage/persistent-volumes/#claims-as-volumes
    """
    for index, volume in enumerate(workload.template.spec.volumes):
        if volume.claim_name is None:
            continue
        claim_id = make_id("PersistentVolumeClaim", workload.namespace, volume.claim_name)
        path = f"{workload.template.spec.path}.volumes[{index}].persistentVolumeClaim.claimName"
        placeholder = placeholder_issue(
            "PersistentVolumeClaim", volume.claim_name, f"volume {volume.name!r}", path
        )
        if placeholder:
            yield placeholder
        elif not ctx.exists(claim_id):
            yield Issue(
                f"volume {volume.name!r} names PersistentVolumeClaim {volume.claim_name!r}, which is not declared "
                f"in namespace {workload.namespace}",
                hint=f"declare {claim_id}, fix the claim name, or list it under `external:` in topo.yaml",
                related=(claim_id,),
                path=path,
            )


# --- lookups shared by the reference rules (ingress, services, storage, policy modules) ----------


def placeholder_issue(kind: str, name: str, where: str, path: str | None = None) -> Issue | None:
    """A warning when a referenced name cannot be an object name at all — an unrendered template
    placeholder (`${KSA_NAME}`, `$SA`, `KSA_NAME`) —, else None. No object can have such a name, so
    "not declared" would be the wrong fact: the manifest is a template to render first."""
    if not dns1123_subdomain_problems(name):
        return None
    return Issue(
        f"{kind} name {name!r} ({where}) is not a valid object name: an unrendered placeholder?",
        hint="render the template first (envsubst, helm template, kustomize build) and analyse its output",
        severity=WARNING,
        path=path,
    )


#: ConfigMaps the control plane publishes into every namespace: the root CA bundle that every
#: projected service-account volume mounts (k8s.io/kubernetes pkg/controller/certificates/
#: rootcacertpublisher, RootCACertConfigMapName; GA since 1.21).
ALWAYS_PRESENT_CONFIGMAPS = frozenset({"kube-root-ca.crt"})

#: Annotations that make cert-manager's ingress-shim create the Ingress's TLS Secrets
#: (https://cert-manager.io/docs/usage/ingress/).
CERT_MANAGER_INGRESS_ANNOTATIONS = ("cert-manager.io/issuer", "cert-manager.io/cluster-issuer")
TLS_ACME_ANNOTATION = "kubernetes.io/tls-acme"


def cert_manager_issues_tls(ingress: Ingress) -> bool:
    annotations = ingress.annotations
    return (
        any(a in annotations for a in CERT_MANAGER_INGRESS_ANNOTATIONS)
        or annotations.get(TLS_ACME_ANNOTATION) == "true"
    )


def workloads_in(ctx, namespace: str | None) -> tuple[Workload, ...]:
    """The workloads of one namespace, in input order (indexed once per run)."""

    def compute() -> dict[str | None, tuple[Workload, ...]]:
        by_namespace: dict[str | None, list[Workload]] = {}
        for workload in ctx.model.workloads:
            by_namespace.setdefault(workload.namespace, []).append(workload)
        return {namespace: tuple(items) for namespace, items in by_namespace.items()}

    return ctx.memo("workloads-by-namespace", compute).get(namespace, ())


def _produced_secrets(ctx) -> dict[tuple[str, str], str]:
    """Secrets that a controller creates from an object of the input: (namespace, name) → id."""
    produced: dict[tuple[str, str], str] = {}
    model = ctx.model

    def spec_of(obj: K8sObject) -> Mapping:
        spec = obj.raw.get("spec")
        return spec if isinstance(spec, Mapping) else {}

    for obj in model.of_kind("Certificate"):
        # cert-manager writes the issued certificate to spec.secretName.
        name = spec_of(obj).get("secretName")
        if obj.group == "cert-manager.io" and obj.namespace and isinstance(name, str):
            produced[(obj.namespace, name)] = obj.id
    for obj in model.of_kind("SealedSecret"):
        # The sealed-secrets controller unseals into a Secret of the same name.
        if obj.namespace:
            produced[(obj.namespace, obj.name)] = obj.id
    for obj in model.of_kind("ExternalSecret"):
        # external-secrets: spec.target.name, defaulting to the ExternalSecret's name.
        target = spec_of(obj).get("target")
        target_name = target.get("name") if isinstance(target, Mapping) else None
        name = target_name if isinstance(target_name, str) else obj.name
        if obj.namespace:
            produced[(obj.namespace, name)] = obj.id
    for ingress in model.of_type(Ingress):
        # cert-manager's ingress-shim creates a Certificate per TLS entry, named after secretName.
        if ingress.namespace and cert_manager_issues_tls(ingress):
            for _, secret in ingress.tls:
                if secret:
                    produced.setdefault((ingress.namespace, secret), ingress.id)
    return produced


def secret_producer(ctx, namespace: str | None, name: str) -> str | None:
    """The id of the object whose controller creates Secret `namespace/name`, else None."""
    if namespace is None:
        return None
    return ctx.memo("produced-secrets", lambda: _produced_secrets(ctx)).get((namespace, name))


#: Istio's CA bundle, which istiod publishes into every namespace; injected pods (a live dump)
#: mount it (CACertNamespaceConfigMap, istio/istio pilot/pkg/serviceregistry/kube/controller/namespacecontroller.go).
ISTIO_ROOT_CERT_CONFIGMAP = "istio-ca-root-cert"
ISTIO_INJECTED_ANNOTATION = "sidecar.istio.io/status"


def config_exists(
    ctx, kind: str, namespace: str | None, name: str, pod_annotations: Mapping[str, str] | None = None
) -> bool:
    """A ConfigMap/Secret is in the input, `external`, published by the control plane (or by
    istiod, for a pod its injector has processed), or made by a controller from an object of the
    input."""
    if ctx.exists(make_id(kind, namespace, name)):
        return True
    if kind == "ConfigMap":
        if name == ISTIO_ROOT_CERT_CONFIGMAP and ISTIO_INJECTED_ANNOTATION in (pod_annotations or {}):
            return True
        return name in ALWAYS_PRESENT_CONFIGMAPS
    return secret_producer(ctx, namespace, name) is not None


# --- ConfigMaps, Secrets, ServiceAccounts -----------------------------------------------------------


@rule(
    "config-ref-missing",
    title="Pod uses a ConfigMap or Secret that is not declared",
    severity=ERROR,
    kinds=WORKLOAD_KINDS,
    why_severity=(
        "error: a ConfigMap or Secret that is not optional and does not exist keeps the pod from "
        "starting as written. Warning when an object of the input probably creates it at run time "
        "(a workload whose ServiceAccount may create Secrets there): the message names the likely "
        "creator, or a custom resource of that namespace named like it (an operator's output). "
        "Warning when the name is not a valid object name at all "
        "(an unrendered template placeholder such as `${SA_NAME}`)."
    ),
)
def config_ref_missing(workload: Workload, ctx):
    """
    What it does:
        Finds ConfigMaps and Secrets that the pod template uses through `env[].valueFrom`
        (`configMapKeyRef`, `secretKeyRef`), `envFrom`, a `configMap`/`secret` volume or a
        `projected` volume source, without `optional: true`, and that are neither in the input nor
        declared `external` in topo.yaml.

        Not flagged: `imagePullSecrets` (a missing pull secret only matters for private images),
        the `kube-root-ca.crt` ConfigMap the control plane publishes into every namespace, a
        `configMap`, `secret` or `projected` volume that no container mounts (the kubelet sets up
        only the volumes a container uses, so the object is never read), and
        Secrets that a controller creates from an object of the input (a cert-manager
        `Certificate`'s `secretName`, an Ingress annotated for cert-manager, a `SealedSecret`,
        an `ExternalSecret`).

        A warning instead of an error when the object is probably created at run time by a
        workload of the input: its ServiceAccount is granted `create` on Secrets (ConfigMaps) in
        that namespace by a Role or ClusterRole of the input (a password generator Job, a webhook
        certificate generator; never a Helm hook that runs only at `pre-delete`, `post-delete` or
        `test`). The message names that workload. Else a warning too when a
        custom resource of that namespace (one that may run pods) is named like it — its name, or
        its name and a suffix or prefix after `-` — as operators name what they write: Rook's
        operator writes `rook-ceph-mon` and `rook-ceph-mon-endpoints` for the CephCluster
        `rook-ceph` of the rook-ceph-cluster chart, whose operator is another chart. The message
        names the resource.

    Why it matters:
        The kubelet cannot build the container: a missing env source leaves the pod in
        `CreateContainerConfigError` (`configmap "app-config" not found`), a missing volume source
        keeps it `ContainerCreating` (`MountVolume.SetUp failed`). Nothing retries until the object
        appears.

    Example:
        ```yaml
        containers:
          - name: api
            envFrom:
              - configMapRef:
                  name: api-config     # not declared anywhere
            env:
              - name: DB_PASSWORD
                valueFrom:
                  secretKeyRef: {name: db-credentials, key: password}   # not declared
        ```

    Fix:
        Declare the ConfigMap or Secret in the pod's namespace, fix the name, mark the reference
        `optional: true` when the application copes without it, or list it under `external:` in
        topo.yaml (e.g. `Secret/shop/db-credentials`) when it is created outside these manifests.

    References:
        - https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#optional-configmaps
        - https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
        - https://kubernetes.io/docs/concepts/storage/projected-volumes/
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/volumemanager/populator/desired_state_of_world_populator.go
          (processPodVolumes: "Skipping unused volume")
    """
    missing: dict[tuple[str, str], list[str]] = {}
    for ref in workload.template.spec.config_refs:
        if ref.via == "imagePullSecrets" or ref.optional or not ref.mounted:
            continue
        if config_exists(ctx, ref.kind, workload.namespace, ref.name, workload.template.annotations):
            continue
        missing.setdefault((ref.kind, ref.name), []).append(ref.path)
    for kind, name in list(missing):
        first = missing[(kind, name)][0]
        placeholder = placeholder_issue(kind, name, f"used at {first}", first)
        if placeholder:
            del missing[(kind, name)]
            yield placeholder
    for (kind, name), paths in missing.items():
        object_id = make_id(kind, workload.namespace, name)
        where = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        message = f"{kind} {name!r} is not declared in namespace {workload.namespace} (used at {where})"
        creator = runtime_creator(ctx, kind, workload.namespace, name, workload.id)
        if creator:
            yield Issue(
                f"{message}; probably created at run time by {creator}",
                hint=f"list {object_id} under `external:` in topo.yaml once you know who creates it",
                related=(object_id, creator.split(" ", 1)[0]),
                severity=WARNING,
                path=paths[0],
            )
            continue
        operated = custom_resource_may_create_config(ctx, workload.namespace, name)
        if operated:  # the operator that reconciles it is not in the input (another chart)
            yield Issue(
                f"{message}; probably created at run time by the operator of {operated}, "
                "a custom resource of that namespace named like it",
                hint=f"list {object_id} under `external:` in topo.yaml once you know the operator creates it",
                related=(object_id, operated),
                severity=WARNING,
                path=paths[0],
            )
            continue
        yield Issue(
            message,
            hint=f"declare {object_id}, fix the name, mark the reference `optional: true`, "
            "or list it under `external:` in topo.yaml",
            related=(object_id,),
            path=paths[0],
        )


@rule(
    "serviceaccount-missing",
    title="Pod runs as a ServiceAccount that is not declared",
    severity=ERROR,
    kinds=WORKLOAD_KINDS,
    why_severity=(
        "error: the ServiceAccount admission plugin rejects the pods as written: the workload "
        "never gets a pod. "
        "Warning when the name is not a valid object name at all "
        "(an unrendered template placeholder such as `${SA_NAME}`)."
    ),
)
def serviceaccount_missing(workload: Workload, ctx):
    """
    What it does:
        Finds pod templates whose `serviceAccountName` (or the deprecated `serviceAccount`) names
        an account other than `default` that is neither in the input nor declared `external` in
        topo.yaml. Every namespace has its `default` ServiceAccount, so that one is never flagged.

    Why it matters:
        The ServiceAccount admission plugin rejects the pod (`error looking up service account
        shop/api: serviceaccount "api" not found`): the Deployment's ReplicaSet keeps failing to
        create pods and the rollout never progresses. The RBAC granted to the intended account is
        never used either.

    Example:
        ```yaml
        spec:
          template:
            spec:
              serviceAccountName: orders-api   # no ServiceAccount orders-api in the namespace
        ```

    Fix:
        Declare the ServiceAccount in the pod's namespace, fix the name, or list it under
        `external:` in topo.yaml (e.g. `ServiceAccount/shop/orders-api`) when it is created
        outside these manifests.

    References:
        - https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts
        - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
        - https://github.com/kubernetes/kubernetes/blob/master/plugin/pkg/admission/serviceaccount/admission.go
    """
    account = workload.template.spec.service_account_name
    if account == "default":
        return
    account_id = make_id("ServiceAccount", workload.namespace, account)
    path = f"{workload.template.spec.path}.serviceAccountName"
    placeholder = placeholder_issue("ServiceAccount", account, "serviceAccountName", path)
    if placeholder:
        yield placeholder
    elif not ctx.exists(account_id):
        yield Issue(
            f"serviceAccountName {account!r} names a ServiceAccount that is not declared in namespace {workload.namespace}",
            hint=f"declare {account_id}, fix the name, or list it under `external:` in topo.yaml",
            related=(account_id,),
            path=path,
        )
