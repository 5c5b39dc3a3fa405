"""Keys that a pod takes from a declared ConfigMap or Secret, which it does not hold."""

from __future__ import annotations

from collections.abc import Iterator

from topo.model import Workload
from topo.model.kinds import WORKLOAD_KINDS, make_id
from topo.model.objects import ConfigData
from topo.rules.registry import ERROR, Issue, rule

#: Secret types whose keys a controller fills in after the object is created (the token
#: controller writes `token`, `ca.crt` and `namespace`: pkg/controller/serviceaccount/tokens_controller.go).
_FILLED_BY_CONTROLLERS = frozenset({"kubernetes.io/service-account-token"})


@rule(
    "config-key-missing",
    title="Pod takes a key that its ConfigMap or Secret does not have",
    severity=ERROR,
    kinds=WORKLOAD_KINDS,
    why_severity="error: the kubelet cannot build the container as written (CreateContainerConfigError, "
    "or a volume that never mounts).",
)
def config_key_missing(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds `env[].valueFrom.configMapKeyRef` / `secretKeyRef` and `configMap` / `secret`
        volume (and projected source) `items[].key` that name a key the ConfigMap or Secret of
        the input does not hold (`data`, `binaryData`, `stringData`), without `optional: true`.

        Not checked: objects that are not in the input (that is config-ref-missing's), objects
        that declare no key at all (filled at run time by whoever creates them),
        service-account token Secrets, whose keys the token controller writes, and volumes that
        no container mounts (the kubelet never sets them up).

    Why it matters:
        A missing env key leaves the pod in `CreateContainerConfigError` (`couldn't find key
        password in Secret shop/db-credentials`); a missing volume item keeps it
        `ContainerCreating` (`configmap references non-existent config key`). A renamed key on
        one side only is invisible until the pod starts.

    Example:
        ```yaml
        kind: Secret
        metadata: {name: db-credentials}
        stringData: {pass: s3cret}
        ---
        env:
          - name: DB_PASSWORD
            valueFrom:
              secretKeyRef: {name: db-credentials, key: password}   # the key is `pass`
        ```

    Fix:
        Use a key the object holds, add the key, or mark the reference `optional: true` when the
        application copes without it.

    References:
        - https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#define-container-environment-variables-using-configmap-data
        - https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/volume/configmap/configmap.go (MakePayload)
    """
    for ref in workload.template.spec.config_refs:
        if ref.optional or not ref.mounted or (ref.key is None and not ref.items):
            continue
        config = ctx.get(make_id(ref.kind, workload.namespace, ref.name))
        if (
            not isinstance(config, ConfigData)
            or not config.keys
            or config.secret_type in _FILLED_BY_CONTROLLERS
        ):
            continue
        wanted = (ref.key,) if ref.key is not None else ref.items or ()
        missing = [key for key in wanted if key not in config.keys]
        if not missing:
            continue
        shown = ", ".join(repr(key) for key in missing)
        held = ", ".join(config.keys[:8]) + (" …" if len(config.keys) > 8 else "")
        yield Issue(
            f"{ref.kind} {ref.name!r} has no key {shown} (used at {ref.path}; its keys: {held})",
            hint=f"use a key that {config.id} holds, add the key, or mark the reference `optional: true`",
            related=(config.id,),
            path=ref.path,
        )
