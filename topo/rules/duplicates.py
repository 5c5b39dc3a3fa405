"""The same object declared twice in the input."""

from __future__ import annotations

from topo.load.source import Source
from topo.model import K8sObject
from topo.rules.registry import WARNING, Issue, rule


def _earlier_declarations(ctx) -> dict[str, list[Source]]:
    """id → the places of every declaration that a later one replaced, in input order."""
    earlier: dict[str, list[Source]] = {}
    for duplicate in ctx.model.duplicates:
        earlier.setdefault(duplicate.id, []).append(duplicate.dropped)
    return earlier


@rule(
    "duplicate-object",
    title="The same object is declared more than once",
    severity=WARNING,
    why_severity="warning: the last declaration silently wins on apply; hygiene most teams want fixed.",
)
def duplicate_object(obj: K8sObject, ctx):
    """
    What it does:
        Finds objects whose id (kind, namespace and name, whatever the apiVersion) is declared
        more than once in the input. The finding is on the declaration that is kept (the last
        one, as `kubectl apply` of the whole input would leave it) and names every place. A
        custom resource that reuses a built-in kind name in its own API group (a Talos
        `talos.dev` ServiceAccount beside the core one) is another object, not a duplicate: the
        load notes say which of the two topo analyses.

    Why it matters:
        Only one of the declarations ends up in the cluster: applied together, the later one
        silently overwrites the earlier one. Two teams (or an overlay and its base) think they
        configure the same object differently, and the one applied last wins — often not the one
        being reviewed.

    Example:
        ```yaml
        # base/configmap.yaml
        kind: ConfigMap
        metadata: {name: app-config, namespace: shop}
        data: {LOG_LEVEL: info}
        ---
        # overlays/prod/extra.yaml — same id, different content
        kind: ConfigMap
        metadata: {name: app-config, namespace: shop}
        data: {LOG_LEVEL: debug}
        ```

    Fix:
        Keep one declaration: delete the copy, rename one of them, or merge them (with kustomize,
        patch the base instead of redeclaring the object).

    References:
        - https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
        - https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/
    """
    if not ctx.model.duplicates:
        return
    earlier = ctx.memo("duplicate-declarations", lambda: _earlier_declarations(ctx)).get(obj.id)
    if not earlier or obj.generated_by:
        return
    places = ", ".join(str(source) for source in earlier)
    yield Issue(
        f"{obj.id} is declared {len(earlier) + 1} times (at {places} and {obj.source}): the last one, at {obj.source}, "
        "overwrites the others",
        hint="keep one declaration of the object: delete or rename the other",
    )
