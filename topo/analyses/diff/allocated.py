"""Values the cluster allocates, compared between the two sides of a diff.

A `kubectl get -o yaml` dump of a Service carries the `clusterIP`, `clusterIPs`, `ipFamilies`,
`ipFamilyPolicy`, node ports and `healthCheckNodePort` the cluster allocated; a dump of a Job its
generated selector and the `controller-uid` / `job-name` labels of its pod template
(pkg/registry/core/service/storage, ipallocator and portallocator; pkg/registry/batch/job/strategy.go
generateSelector). They are not defaults: no function of the manifest gives them. But the
manifest that left them out gets them when it is applied, and `kubectl diff` (a server-side dry
run against the live object) shows them on both sides — so a value allocated on one side and
absent on the other is no change. Two values written on both sides that differ are a change
(`clusterIP: 10.96.0.10 → 10.96.0.11`, a pinned `nodePort` moved), and so is anything the cluster
would not have chosen by itself: `clusterIP: None` (headless), two `ipFamilies`, an
`ipFamilyPolicy` other than SingleStack (its value when none is written), a selector or label
that is not a generated one.

`as_stored(before, after)` is the pair `topo diff` compares: both documents defaulted
(topo.analyses.diff.defaults), then each allocated value that one side lacks copied from the other.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from topo.analyses.diff.defaulting import items_of, sub
from topo.analyses.diff.defaults import defaulted

#: Labels the Job registry adds to a Job's pod template (and selects by) when the selector is
#: generated; job-name's value is the Job's name, controller-uid's the Job's uid.
_JOB_LABELS = (
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
)
_JOB_SELECTOR_LABELS = frozenset(_JOB_LABELS[:2])


def as_stored(before: Any, after: Any) -> tuple[Any, Any]:
    """`before` and `after` as the API server would store them, for comparison only: defaulted,
    and a value the cluster allocates that only one side has given to the other."""
    old, new = defaulted(before), defaulted(after)
    share = _SHARED.get(_kind_of(old)) if _kind_of(old) == _kind_of(new) else None
    if share is None:
        return old, new
    old, new = copy.deepcopy(old), copy.deepcopy(new)
    share(old, new)
    share(new, old)
    return old, new


def _kind_of(document: Any) -> str | None:
    return document.get("kind") if isinstance(document, dict) else None


def _service(have: dict, lack: dict) -> None:
    """Copies into `lack`'s spec what the cluster allocated in `have`'s that `lack` leaves out."""
    have_spec, lack_spec = sub(have, "spec"), sub(lack, "spec", create=True)
    if have_spec is None or lack_spec is None:
        return
    for spec in (have_spec, lack_spec):
        if spec.get("clusterIP") == "":
            del spec["clusterIP"]  # "" asks for an allocation, as absent does
    ip = have_spec.get("clusterIP")
    if isinstance(ip, str) and ip != "None" and "clusterIP" not in lack_spec:
        lack_spec["clusterIP"] = ip
    ips = have_spec.get("clusterIPs")
    # clusterIPs[0] is clusterIP: allocated, or the copy of a `None` both sides write
    headless_copy = isinstance(ips, list) and ips == [lack_spec.get("clusterIP")]
    if (
        isinstance(ips, list)
        and ips
        and "clusterIPs" not in lack_spec
        and ("None" not in ips or headless_copy)
    ):
        lack_spec["clusterIPs"] = list(ips)
    families = have_spec.get("ipFamilies")
    dual_stack = lack_spec.get("ipFamilyPolicy") in ("PreferDualStack", "RequireDualStack")
    if isinstance(families, list) and (len(families) == 1 or dual_stack) and "ipFamilies" not in lack_spec:
        lack_spec["ipFamilies"] = list(families)
    if have_spec.get("ipFamilyPolicy") == "SingleStack" and "ipFamilyPolicy" not in lack_spec:
        lack_spec["ipFamilyPolicy"] = "SingleStack"
    if "healthCheckNodePort" in have_spec and "healthCheckNodePort" not in lack_spec:
        lack_spec["healthCheckNodePort"] = have_spec["healthCheckNodePort"]
    lack_ports = _ports_by_key(lack_spec)
    for key, port in _ports_by_key(have_spec).items():
        other = lack_ports.get(key)
        if other is not None and "nodePort" in port and "nodePort" not in other:
            other["nodePort"] = port["nodePort"]


def _ports_by_key(spec: dict) -> dict[Any, dict]:
    """A Service's ports by name when every port has one (names are unique then), else by number
    and protocol."""
    ports = items_of(spec, "ports")
    if ports and all(isinstance(port.get("name"), str) and port["name"] for port in ports):
        return {port["name"]: port for port in ports}
    return {(port.get("port"), port.get("protocol")): port for port in ports}


def _job(have: dict, lack: dict) -> None:
    """Copies into `lack` the generated selector and template labels of `have` it leaves out."""
    have_spec, lack_spec = sub(have, "spec"), sub(lack, "spec", create=True)
    if have_spec is None or lack_spec is None:
        return
    selector = sub(have_spec, "selector")
    match_labels = sub(selector, "matchLabels")
    if (
        selector is not None
        and set(selector) == {"matchLabels"}
        and match_labels
        and set(match_labels) <= _JOB_SELECTOR_LABELS
        and "selector" not in lack_spec
        and lack_spec.get("manualSelector") is not True
    ):
        lack_spec["selector"] = copy.deepcopy(selector)
    have_labels = sub(sub(sub(have_spec, "template"), "metadata"), "labels")
    template_metadata = sub(sub(lack_spec, "template", create=True), "metadata", create=True)
    lack_labels = sub(template_metadata, "labels", create=bool(have_labels))
    if have_labels is None or lack_labels is None:
        return
    for label in _JOB_LABELS:
        if label in have_labels and label not in lack_labels:
            lack_labels[label] = have_labels[label]


_SHARED: dict[str | None, Callable[[dict, dict], None]] = {"Service": _service, "Job": _job}
