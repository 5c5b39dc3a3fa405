"""manifest-invalid: Services (ports, names, target ports, ExternalName, headless), with the edge
cases the fixtures do not show.

Upstream: k8s.io/kubernetes pkg/apis/core/validation/validation.go: ValidateService,
validateServicePort, ValidatePortNumOrName; k8s.io/apimachinery pkg/util/validation/validation.go:
IsDNS1123Subdomain, IsValidPortName.
"""

from __future__ import annotations

import pytest
from validation_support import messages, only, service

# --- Services ------------------------------------------------------------------------------------


def test_single_port_may_be_unnamed_but_several_must_all_be_named():
    # validateServicePort(requireName = len(ports) > 1)
    assert messages(service(ports=[{"port": 80}])) == []
    assert only(service(ports=[{"name": "http", "port": 80}, {"port": 443}])).startswith(
        "spec.ports[1].name: Required value"
    )


def test_same_port_number_over_two_protocols_is_fine_but_not_twice_over_one():
    # ValidateService: duplicate (protocol, port) pairs
    dns = [{"name": "tcp", "port": 53, "protocol": "TCP"}, {"name": "udp", "port": 53, "protocol": "UDP"}]
    assert messages(service(ports=dns)) == []
    dns[1]["protocol"] = "TCP"
    assert only(service(ports=dns)).startswith("spec.ports[1]: Duplicate value")


@pytest.mark.parametrize(
    "target, ok", [(8080, True), ("http", True), (0, True), ("8080", False), ("HTTP", False)]
)
def test_target_port_number_or_name(target, ok):
    # validateServicePort → ValidatePortNumOrName; 0 is defaulted to the port (SetDefaults_Service)
    assert (messages(service(ports=[{"port": 80, "targetPort": target}])) == []) == ok


def test_external_name_with_trailing_dot_is_fine_and_without_name_is_not():
    # ValidateService: TrimSuffix(externalName, ".") must be a DNS-1123 subdomain
    external = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "ns"},
        "spec": {"type": "ExternalName", "externalName": "api.example.com."},
    }
    assert messages(external) == []
    del external["spec"]["externalName"]
    assert only(external).startswith("spec.externalName: Required value")


def test_headless_service_needs_no_ports_but_a_cluster_ip_service_does():
    assert messages(service(clusterIP="None")) == []
    assert only(service()).startswith("spec.ports: Required value")
