"""Issue 14 §5 on the dashboard's server side: the page title is escaped, a Secret's payload never
reaches the YAML panel, and `topo serve` answers only requests addressed to it (DNS rebinding)
and refuses posts from other sites' pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import topo
from dashboard.app import create_app
from dashboard.details import object_yaml
from dashboard.guard import HostPolicy, protect

PAYLOAD = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hostile", "payload.yaml")
SECRETS = ("c3VwZXItc2VjcmV0", "plain-text-token")
TINY = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"


def test_dashboard_title_is_escaped():
    app = create_app(topo.analyze(text=TINY), title="</title><script>alert(1)</script>")
    page = app.server.test_client().get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_secret_payload_is_redacted_in_the_yaml_panel_and_its_last_applied_annotation():
    text = object_yaml(topo.analyze([PAYLOAD]), "Secret/shop/db-password")
    assert not any(secret in text for secret in SECRETS)
    assert "password: <redacted>" in text and "token: <redacted>" in text
    assert '"password":"<redacted>"' in text  # the annotation's JSON copy, keys kept


@pytest.fixture(scope="module")
def guarded():
    app = create_app(topo.analyze(text=TINY))
    protect(app.server, "127.0.0.1")
    return app.server.test_client()


@pytest.mark.parametrize("host", ["127.0.0.1:8050", "localhost:8050", "[::1]:8050", "LOCALHOST", "127.0.0.2"])
def test_loopback_hosts_are_served(guarded, host):
    assert guarded.get("/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example.com", "evil.example.com:8050", "127.0.0.1.nip.io", ""])
def test_other_host_names_are_refused(guarded, host):
    response = guarded.get("/", headers={"Host": host})
    assert response.status_code == 403
    assert "DNS-rebinding" in response.get_data(as_text=True)


def test_cross_origin_posts_are_refused_and_same_origin_posts_pass(guarded):
    url = "/_dash-update-component"
    local = {"Host": "127.0.0.1:8050"}
    foreign = guarded.post(url, json={}, headers={**local, "Origin": "http://evil.example.com"})
    assert foreign.status_code == 403 and "cross-origin" in foreign.get_data(as_text=True)
    assert guarded.post(url, json={}, headers={**local, "Origin": "null"}).status_code == 403
    same = guarded.post(url, json={}, headers={**local, "Origin": "http://127.0.0.1:8050"})
    assert same.status_code != 403


def test_the_host_it_was_started_with_is_served():
    policy = HostPolicy("dash.internal.example")
    assert policy.allows_host("dash.internal.example:8050")
    assert policy.allows_host("localhost")
    assert not policy.allows_host("other.example")
    assert not policy.allows_host("192.168.1.5")  # not the address it listens on
    everywhere = HostPolicy("0.0.0.0")
    assert everywhere.allows_host("192.168.1.5:8050")  # an address is never a rebinding
    assert not everywhere.allows_host("evil.example.com")


# --- bounded work per request (issue 14 §3) ---------------------------------------------------

HUGE_UPLOAD = Path(PAYLOAD).with_name("huge-replicas.yaml").read_text(encoding="utf-8")


def _payload(text: str, name: str = "huge.yaml") -> dict:
    import base64

    encoded = base64.b64encode(text.encode()).decode()
    return {"contents": [f"data:application/x-yaml;base64,{encoded}"], "names": [name]}


def test_a_twelve_line_upload_with_huge_replicas_is_answered_and_bounded():
    from dashboard.callbacks import _analyse_upload

    app = create_app(topo.analyze(text=TINY))
    registry = app.topo_registry
    token, _status = _analyse_upload(registry, _payload(HUGE_UPLOAD), 1024 * 1024, "")
    assert isinstance(token, str) and token
    entry = registry.get(token)
    pods = [n for n, kind in entry.analysis.graph.nodes(data="kind") if kind == "Pod"]
    assert len(pods) == 1000  # MAX_ORDINALS, not 100,000,000


def test_a_what_if_with_huge_replicas_is_answered():
    from dashboard import analyses

    analysis = topo.analyze(text=HUGE_UPLOAD.replace("100000000", "3"))
    result = analyses.what_if(analysis, "StatefulSet/data/db", analyses.WhatIf(replicas=10**12))
    assert result["after"]["replicas"] == 10**12
    assert len(result["after"]["steps"]) < 50


def test_work_over_the_budget_is_answered_with_a_message_and_the_server_goes_on():
    import threading

    from dashboard.budget import OverBudget, within_budget

    release = threading.Event()
    with pytest.raises(OverBudget, match="took longer than"):
        within_budget(release.wait, 5, seconds=0.05)
    release.set()
    assert within_budget(lambda: 42) == 42
