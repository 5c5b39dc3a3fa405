"""Objects the input may create (or label) at run time, which no manifest declares.

A Job that generates a password into a Secret (argo-cd's `argocd-redis-secret-init`), a webhook
certificate generator (ingress-nginx's `kube-webhook-certgen`), an operator: their pods are in the
input, and RBAC of the input lets their ServiceAccount `create` Secrets (or ConfigMaps) in a
namespace. A reference to an undeclared object there is then not certainly broken: topo says who
probably creates it, as a warning, instead of an error.

RBAC as the authorizer evaluates it (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go,
pkg/apis/rbac/v1/evaluation_helpers.go): a RoleBinding grants its Role (same namespace) or
ClusterRole in the binding's namespace; a ClusterRoleBinding grants its ClusterRole everywhere; a
rule matches when its apiGroups hold "" or "*", its resources "secrets" or "*", its verbs "create"
or "*". `resourceNames` cannot restrict `create` (the name is not known at authorization time),
so it is ignored. ClusterRole aggregation is not followed.

Pod labels work alike: a process that may `update` or `patch` pods can add labels to its own pod
once it is ready (longhorn-manager labels its pod `longhorn.io/admission-webhook=…` when its
webhook serves, and the webhook Service selects that label only). A Service whose selector matches
no pod template in such a namespace is then not certainly broken (`runtime_labeller`).

Pods themselves too: a process that may `create` pods spawns them at run time with labels of its
choosing (JupyterHub's hub starts a `component=singleuser-server` pod per user, a Jenkins
controller its agents, a workflow engine its steps). A NetworkPolicy written for those pods
selects no pod template of the input, by design (`runtime_pod_creator`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping

from topo.model import K8sObject, LabelSelector, Workload
from topo.model.kinds import make_id

_RESOURCES = {"Secret": "secrets", "ConfigMap": "configmaps"}
_CREATE = frozenset({"create", "*"})
_RELABEL = frozenset({"update", "patch", "*"})
#: where a shell script given as one argument (`sh -c "kubectl create secret generic x ..."`)
#: splits into words: blanks, quotes and the shell's operators
_SHELL_WORD_BREAK = re.compile(r"[\s'\"`;|&()<>]+")


def _grants(role: K8sObject | None, resource: str, verbs: frozenset[str]) -> bool:
    if role is None:
        return False
    rules = role.raw.get("rules")
    for rule in rules if isinstance(rules, list) else ():
        if not isinstance(rule, Mapping):
            continue
        groups = _strings(rule.get("apiGroups"))
        resources = _strings(rule.get("resources"))
        rule_verbs = _strings(rule.get("verbs"))
        if ({"", "*"} & groups) and ({resource, "*"} & resources) and (verbs & rule_verbs):
            return True
    return False


def _strings(value) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def _account_grants(
    ctx, resource: str, verbs: frozenset[str] = _CREATE
) -> dict[tuple[str, str], list[tuple[str | None, str]]]:
    """(account namespace, account name) → [(namespace it may act in or None for all, role id)]."""
    model = ctx.model
    grants: dict[tuple[str, str], list[tuple[str | None, str]]] = {}
    for binding in (*model.of_kind("RoleBinding"), *model.of_kind("ClusterRoleBinding")):
        ref = binding.raw.get("roleRef")
        if not isinstance(ref, Mapping) or not isinstance(ref.get("name"), str):
            continue
        cluster_wide = binding.kind == "ClusterRoleBinding"
        if ref.get("kind") == "Role" and not cluster_wide:
            role_id = make_id("Role", binding.namespace, ref["name"])
        elif ref.get("kind") == "ClusterRole":
            role_id = make_id("ClusterRole", None, ref["name"])
        else:
            continue
        if not _grants(model.get(role_id), resource, verbs):
            continue
        scope = None if cluster_wide else binding.namespace
        subjects = binding.raw.get("subjects")
        for subject in subjects if isinstance(subjects, list) else ():
            if not isinstance(subject, Mapping) or subject.get("kind") != "ServiceAccount":
                continue
            namespace = subject.get("namespace") or binding.namespace
            if isinstance(namespace, str) and isinstance(subject.get("name"), str):
                grants.setdefault((namespace, subject["name"]), []).append((scope, role_id))
    return grants


def runtime_creator(ctx, kind: str, namespace: str | None, name: str, user: str) -> str | None:
    """'Job/ns/x (ServiceAccount ns/sa may create secrets in ns: Role/ns/r)' for the workload of the
    input whose ServiceAccount may create `kind` objects in `namespace`, else None.

    When several may, the likeliest: one whose command or arguments name the object
    (`--secret-name=x`, or a word of a shell script: ZITADEL's setup Job runs `sh -c "kubectl
    create secret generic login-client ..."`, its cleanup Job of the same account deletes), then the workload `user` that needs the object itself when it has init
    containers (they run first: argo-cd's redis generates its own password Secret), a Job or
    CronJob (a one-shot generator), then any other; among equals one whose arguments say `create`
    (ingress-nginx's admission `create` Job makes the Secret its `patch` Job then reads), then the
    name closest to the object's.

    Never a Helm hook of the delete or test phases only (`helm.sh/hook: post-delete`: it runs when
    the release goes away). Never a workload whose pods mount the object as a volume that is not `optional`: the kubelet
    mounts every volume of a pod before it starts any of its containers, init containers included
    (pkg/kubelet/kubelet.go SyncPod waits on volumemanager WaitForAttachAndMount), so such a pod
    waits for the object and cannot be the one that creates it (Consul's server-acl-init Job mounts
    the CA Secret that its tls-init Job creates)."""
    resource = _RESOURCES.get(kind)
    if resource is None or namespace is None:
        return None
    grants = ctx.memo(f"create-grants-{resource}", lambda: _account_grants(ctx, resource))
    if not grants:
        return None
    candidates = []
    for workload in ctx.model.workloads:
        itself = workload.id == user
        if workload.namespace is None or (itself and not workload.template.spec.init_containers):
            continue
        if _mounts(workload, kind, name) or _runs_only_after_removal(workload):
            continue
        account = workload.template.spec.service_account_name
        role_id = next(
            (
                role
                for scope, role in grants.get((workload.namespace, account), ())
                if scope in (None, namespace)
            ),
            None,
        )
        if role_id is not None:
            rank = 0 if itself else 1 if workload.kind in ("Job", "CronJob") else 2
            words = _words(workload)
            names_it = any(word == name or word.endswith(f"={name}") for word in words)
            likeness = difflib.SequenceMatcher(None, workload.name, name).ratio()
            candidates.append(
                (not names_it, rank, "create" not in words, -likeness, workload.id, account, role_id)
            )
    if not candidates:
        return None
    *_, workload_id, account, role_id = min(candidates)
    account_namespace = workload_id.split("/")[1]
    return f"{workload_id} (ServiceAccount {account_namespace}/{account} may create {resource} in {namespace}: {role_id})"


#: Helm hook phases in which a release's objects are installed or replaced: a hook that runs in
#: none of them (pre-delete, post-delete, test) runs when the release goes away or on `helm test`,
#: never before what the install needs (helm.sh/docs/topics/charts_hooks).
_INSTALL_HOOKS = frozenset(
    {"pre-install", "post-install", "pre-upgrade", "post-upgrade", "pre-rollback", "post-rollback"}
)


def _runs_only_after_removal(workload: Workload) -> bool:
    """A Helm hook of the delete or test phases only (ZITADEL's cleanup Job is `post-delete`)."""
    hook = (workload.annotations or {}).get("helm.sh/hook")
    if not hook:
        return False
    phases = {phase.strip() for phase in hook.split(",") if phase.strip()}
    return bool(phases) and not phases & _INSTALL_HOOKS


def _words(workload: Workload) -> set[str]:
    """Every argument of every container, and every word of each (a script is one argument)."""
    arguments = [text for c in workload.template.spec.all_containers() for text in (*c.command, *c.args)]
    return {*arguments, *(word for text in arguments for word in _SHELL_WORD_BREAK.split(text) if word)}


def _mounts(workload: Workload, kind: str, name: str) -> bool:
    """The workload's pods mount `kind`/`name` as a volume (or a projected source) they need."""
    return any(
        ref.kind == kind
        and ref.name == name
        and ref.via in ("volume", "projected")
        and not ref.optional
        and ref.mounted
        for ref in workload.template.spec.config_refs
    )


def runtime_labeller(
    ctx, namespace: str | None, selector: LabelSelector, target_ports: frozenset[str] = frozenset()
) -> str | None:
    """'DaemonSet/ns/x (ServiceAccount ns/sa may patch pods in ns: Role/ns/r)' for a workload of
    `namespace` whose ServiceAccount may update or patch pods there and whose pod template labels
    do not contradict `selector` (no key with another value), else None.

    When several may, the likeliest: one whose containers declare a named `target_ports` of the
    Service (the pod serves that port once labelled), then the name closest to the selector's."""
    if namespace is None:
        return None
    grants = ctx.memo("relabel-grants-pods", lambda: _account_grants(ctx, "pods", _RELABEL))
    if not grants:
        return None
    wanted = dict(selector.match_labels)
    candidates = []
    for workload, account, role_id in _granted_workloads(ctx, namespace, grants):
        if _contradicts(workload, wanted):
            continue
        declared = {port.name for c in workload.template.spec.containers for port in c.ports if port.name}
        likeness = difflib.SequenceMatcher(None, workload.name, " ".join(sorted(wanted.values()))).ratio()
        candidates.append((not (declared & target_ports), -likeness, workload.id, account, role_id))
    if not candidates:
        return None
    _, _, workload_id, account, role_id = min(candidates)
    return f"{workload_id} (ServiceAccount {namespace}/{account} may patch pods in {namespace}: {role_id})"


def runtime_pod_creator(ctx, namespace: str | None, selector: LabelSelector) -> str | None:
    """'Deployment/ns/x (ServiceAccount ns/sa may create pods in ns: Role/ns/r)' for a workload of
    `namespace` whose ServiceAccount may create pods there, else None; when several may, the name
    closest to the selector's values. Only the namespace's own workloads: a controller elsewhere
    with cluster-wide rights (a workflow engine) would otherwise excuse every policy of every
    namespace, typos included."""
    if namespace is None:
        return None
    grants = ctx.memo("create-grants-pods", lambda: _account_grants(ctx, "pods"))
    if not grants:
        return None
    wanted = " ".join(sorted(r for requirement in selector.requirements for r in requirement.values))
    candidates = [
        (-difflib.SequenceMatcher(None, workload.name, wanted).ratio(), workload.id, account, role_id)
        for workload, account, role_id in _granted_workloads(ctx, namespace, grants)
    ]
    if not candidates:
        return None
    _, workload_id, account, role_id = min(candidates)
    return f"{workload_id} (ServiceAccount {namespace}/{account} may create pods in {namespace}: {role_id})"


def _granted_workloads(ctx, namespace: str, grants) -> Iterator[tuple[Workload, str, str]]:
    """(workload, its ServiceAccount, the role granting it) for each workload of `namespace` whose
    ServiceAccount `grants` let act there."""
    for workload in ctx.model.workloads:
        if workload.namespace != namespace:
            continue
        account = workload.template.spec.service_account_name
        role_id = next(
            (role for scope, role in grants.get((namespace, account), ()) if scope in (None, namespace)),
            None,
        )
        if role_id is not None:
            yield workload, account, role_id


def _contradicts(workload: Workload, wanted: Mapping[str, str]) -> bool:
    labels = workload.template.labels
    return any(key in labels and labels[key] != value for key, value in wanted.items())
