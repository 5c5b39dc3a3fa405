"""Gateway API rules beyond their fixtures: which finding is an error and which a warning, and
what the message says. Semantics: kubernetes-sigs/gateway-api apis/v1/shared_types.go (route
conditions Accepted: NotAllowedByListeners, NoMatchingListenerHostname, NoMatchingParent;
ResolvedRefs: BackendNotFound, RefNotPermitted), apis/v1/gateway_types.go (AllowedRoutes)."""

from __future__ import annotations

import os

from rules.test_rule_catalogue import findings_of


def by_object(rule_id: str) -> dict[str, list]:
    _, findings = findings_of(rule_id, "bad.yaml")
    found: dict[str, list] = {}
    for finding in findings:
        found.setdefault(finding.object.rsplit("/", 1)[1], []).append(finding)
    return found


def test_a_gateway_absent_from_the_input_is_a_warning_and_a_detached_route_an_error():
    found = by_object("route-parent-missing")
    assert [f.severity.value for f in found["fire-gateway-absent"]] == ["warning"]
    detached = [name for name, fs in found.items() if name != "fire-gateway-absent"]
    assert all(f.severity.value == "error" for name in detached for f in found[name])
    assert (
        "allowedRoutes.namespaces.from is Same (only routes of namespace infra)"
        in found["fire-from-same"][0].message
    )
    assert (
        "no listener has sectionName admin (its listeners: http:80, https:443"
        in found["fire-section-name"][0].message
    )
    assert "does not select namespace shop" in found["fire-selector"][0].message
    assert "allowedRoutes.kinds does not list GRPCRoute" in found["fire-kind"][0].message
    assert "protocol HTTPS does not carry TCPRoutes" in found["fire-protocol"][0].message
    assert "hostname *.example.com matches none of the route's hostnames" in found["fire-hostname"][0].message


def test_a_backend_in_a_namespace_the_input_lacks_is_a_warning():
    found = by_object("route-backend-missing")
    assert [f.severity.value for f in found["fire-other-namespace"]] == ["warning"]
    assert [f.severity.value for f in found["fire-typo"]] == ["error"]
    assert found["fire-mirror"][0].message == (
        "backend Service 'shadow' (rule 0, its RequestMirror filter) is not declared in namespace shop"
    )


def test_not_granted_says_whether_the_namespace_has_any_grant():
    found = by_object("route-backend-not-granted")
    assert "namespace payments has no ReferenceGrant from TCPRoutes" in found["fire-no-grant"][0].message
    assert (
        "has no ReferenceGrant that permits it from HTTPRoutes of namespace web"
        in found["fire-other-name"][0].message
    )


def test_a_missing_port_names_the_api_servers_refusal():
    found = by_object("route-backend-port-missing")
    messages = sorted(f.message for f in found["fire-no-port"])
    assert messages == [
        "backendRef to Service 'gone' (rule 1) has no port: the API server refuses the route (a Service backendRef must have a port)",
        "backendRef to Service 'web' (rule 0) has no port: the API server refuses the route (a Service backendRef must have a port)",
    ]
    assert os.path.basename(found["fire-target-port"][0].source.file) == "bad.yaml"
    assert found["fire-target-port"][0].path == "spec.rules[0].backendRefs[0].port"
