"""Defaults of admissionregistration.k8s.io/v1, as the API server fills them in (k8s.io/kubernetes
at master, pkg/apis/admissionregistration/v1/defaults.go, called per webhook and rule by
zz_generated.defaults.go):

* SetDefaults_ValidatingWebhook, SetDefaults_MutatingWebhook — `failurePolicy: Fail`,
  `matchPolicy: Equivalent`, `namespaceSelector: {}`, `objectSelector: {}`, `timeoutSeconds: 10`;
  a mutating webhook also `reinvocationPolicy: Never`. `sideEffects` and `admissionReviewVersions`
  are required in v1 (v1beta1 defaulted them: Unknown, [v1beta1]; timeoutSeconds 30,
  failurePolicy Ignore), so they are compared as written.
* SetDefaults_ServiceReference — `clientConfig.service.port: 443`.
* SetDefaults_Rule — each rule's `scope: "*"`.
* SetDefaults_ValidatingAdmissionPolicySpec — `failurePolicy: Fail`; SetDefaults_MatchResources —
  a policy's `matchConstraints` and a binding's `matchResources`: `matchPolicy: Equivalent`,
  `namespaceSelector: {}`, `objectSelector: {}`, and their rules' `scope: "*"`.
"""

from __future__ import annotations

from collections.abc import Callable

from topo.analyses.diff.defaulting import Default, fill, items_of, sub

_MATCH: tuple[Default, ...] = (("matchPolicy", "Equivalent", None),)
_WEBHOOK: tuple[Default, ...] = (
    ("failurePolicy", "Fail", None),
    *_MATCH,
    ("timeoutSeconds", 10, None),
)
_MUTATING_WEBHOOK: tuple[Default, ...] = (*_WEBHOOK, ("reinvocationPolicy", "Never", None))


def _selectors(holder: dict) -> None:
    for key in ("namespaceSelector", "objectSelector"):
        sub(holder, key, create=True)


def _rules(holder: dict, *keys: str) -> None:
    for key in keys:
        for rule in items_of(holder, key):
            fill(rule, (("scope", "*", None),))


def _webhooks(defaults: tuple[Default, ...]) -> Callable[[dict], None]:
    def step(document: dict) -> None:
        for webhook in items_of(document, "webhooks"):
            fill(webhook, defaults)
            _selectors(webhook)
            service = sub(sub(webhook, "clientConfig"), "service")
            if service is not None:
                fill(service, (("port", 443, None),))
            _rules(webhook, "rules")

    return step


def _match_resources(holder: dict | None) -> None:
    if holder is not None:
        fill(holder, _MATCH)
        _selectors(holder)
        _rules(holder, "resourceRules", "excludeResourceRules")


def _policy(document: dict) -> None:
    spec = sub(document, "spec", create=True)
    if spec is not None:
        fill(spec, (("failurePolicy", "Fail", None),))
        _match_resources(sub(spec, "matchConstraints"))


def _binding(document: dict) -> None:
    _match_resources(sub(sub(document, "spec"), "matchResources"))


_GROUP = "admissionregistration.k8s.io/v1"
STEPS: dict[tuple[str, str], tuple[Callable[[dict], None], ...]] = {
    (_GROUP, "ValidatingWebhookConfiguration"): (_webhooks(_WEBHOOK),),
    (_GROUP, "MutatingWebhookConfiguration"): (_webhooks(_MUTATING_WEBHOOK),),
    (_GROUP, "ValidatingAdmissionPolicy"): (_policy,),
    (_GROUP, "ValidatingAdmissionPolicyBinding"): (_binding,),
}
