"""topo.analyses.diff.allocated: values the cluster allocates (a Service's clusterIP, node ports; a
Job's generated selector and labels) are no change when only one side has them — `kubectl diff`
shows them on both sides, the live object's — and a change when both sides write different ones.

Upstream: pkg/registry/core/service/storage/alloc.go (clusterIPs, ipFamilies, ipFamilyPolicy
SingleStack when none is written, nodePorts, healthCheckNodePort), pkg/registry/batch/job/strategy.go
generateSelector (`batch.kubernetes.io/controller-uid` selector; `controller-uid`, `job-name` labels).
"""

from __future__ import annotations

import pytest
from diff_defaults_support import changes, with_field

from topo.analyses.diff import ABSENT

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
}
DUMPED_SPEC = {
    "clusterIP": "10.96.12.7",
    "clusterIPs": ["10.96.12.7"],
    "ipFamilies": ["IPv4"],
    "ipFamilyPolicy": "SingleStack",
}


def dumped(service, **extra):
    out = with_field(service, ("spec", "ports", 0, "nodePort"), 31080)
    for key, value in {**DUMPED_SPEC, **extra}.items():
        out = with_field(out, ("spec", key), value)
    return out


def test_a_service_dump_meets_its_manifest_without_a_change():
    assert changes(SERVICE, dumped(SERVICE)) == []
    assert changes(dumped(SERVICE), SERVICE) == []


def test_a_load_balancers_health_check_node_port_is_allocated():
    balancer = with_field(SERVICE, ("spec", "type"), "LoadBalancer")
    balancer = with_field(balancer, ("spec", "externalTrafficPolicy"), "Local")
    assert changes(balancer, dumped(balancer, healthCheckNodePort=32000)) == []


def test_an_empty_cluster_ip_asks_for_an_allocation():
    assert changes(with_field(SERVICE, ("spec", "clusterIP"), ""), dumped(SERVICE)) == []


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        (("spec", "clusterIP"), "10.96.0.10", "10.96.0.11"),
        (("spec", "ports", 0, "nodePort"), 30080, 30081),
        (("spec", "ipFamilyPolicy"), "SingleStack", "PreferDualStack"),
    ],
)
def test_two_written_values_that_differ_are_a_change(path, before, after):
    assert changes(with_field(SERVICE, path, before), with_field(SERVICE, path, after)) != []


def test_what_the_cluster_would_not_choose_itself_is_a_change():
    headless = with_field(SERVICE, ("spec", "clusterIP"), "None")
    assert changes(SERVICE, headless) == [("spec.clusterIP", ABSENT, "None")]
    # a dump of the headless Service: its clusterIPs is the copy of the written None
    assert changes(headless, with_field(headless, ("spec", "clusterIPs"), ["None"])) == []
    assert changes(SERVICE, with_field(SERVICE, ("spec", "ipFamilyPolicy"), "PreferDualStack")) == [
        ("spec.ipFamilyPolicy", ABSENT, "PreferDualStack")
    ]
    dual = with_field(SERVICE, ("spec", "ipFamilies"), ["IPv4", "IPv6"])
    assert changes(SERVICE, dual) == [("spec.ipFamilies", ABSENT, ["IPv4", "IPv6"])]


def test_a_dual_stack_dump_meets_a_manifest_that_asks_for_dual_stack():
    asked = with_field(SERVICE, ("spec", "ipFamilyPolicy"), "PreferDualStack")
    dump = dumped(asked, ipFamilyPolicy="PreferDualStack", ipFamilies=["IPv4", "IPv6"])
    dump = with_field(dump, ("spec", "clusterIPs"), ["10.96.12.7", "fd00::7"])
    assert changes(asked, dump) == []


def test_node_ports_follow_their_port_by_name():
    named = with_field(
        SERVICE, ("spec", "ports"), [{"name": "http", "port": 80}, {"name": "https", "port": 443}]
    )
    dump = with_field(named, ("spec", "ports", 0, "nodePort"), 31080)
    dump = with_field(dump, ("spec", "ports", 1, "nodePort"), 31443)
    assert changes(named, dump) == []
    moved = with_field(dump, ("spec", "ports", 1, "nodePort"), 31444)
    assert changes(dump, moved) == [("spec.ports[name=https].nodePort", 31443, 31444)]


JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "migrate", "namespace": "shop"},
    "spec": {
        "template": {
            "metadata": {"labels": {"app": "migrate"}},
            "spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "m:1"}]},
        }
    },
}
UID = "5f1c2a4e-8d0b-4e4e-9b1a-2c3d4e5f6a7b"


def dumped_job(job, uid=UID):
    out = with_field(job, ("spec", "selector"), {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}})
    labels = {
        **job["spec"]["template"]["metadata"]["labels"],
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": "migrate",
        "controller-uid": uid,
        "job-name": "migrate",
    }
    return with_field(out, ("spec", "template", "metadata", "labels"), labels)


def test_a_jobs_generated_selector_and_labels_are_no_change():
    assert changes(JOB, dumped_job(JOB)) == []
    assert changes(dumped_job(JOB), JOB) == []


def test_two_dumps_of_two_runs_differ_in_their_uid():
    """Both sides have the labels: two different values, shown (a Job re-created)."""
    found = changes(dumped_job(JOB), dumped_job(JOB, uid="other"))
    assert found and all("controller-uid" in path for path, *_ in found)


def test_a_written_selector_is_not_an_allocated_one():
    manual = with_field(JOB, ("spec", "selector"), {"matchLabels": {"app": "migrate"}})
    manual = with_field(manual, ("spec", "manualSelector"), True)
    assert changes(JOB, manual) != []
    assert changes(with_field(JOB, ("spec", "manualSelector"), True), dumped_job(JOB)) != []
