"""Issue 14 §2: a topo.yaml with wrong scalars, UTF-16 or garbage bytes is a usage error (exit 3)
that names the key or the line — never a traceback, never a crash later in an analysis."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topo.api import analyze
from topo.cli import main
from topo.config import ConfigError, load_config, parse_config

KEYS = ["namespace", "clusterDomain", "kubernetesVersion", "external", "ingressController", "rules", "failOn"]
POOL_KEYS = ["name", "count", "labels", "taints", "zone", "zones", "allocatable", "unschedulable"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.sampled_from(["", "x", "1.32", "error", "3", "-1", "1e9", "100Gi", "NoSchedule", "Secret/a/b"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["key", "value", "effect", "cpu", "a"]), inner, max_size=3),
    ),
    max_leaves=8,
)
POOLS = st.lists(st.dictionaries(st.sampled_from(POOL_KEYS), VALUES, max_size=5), max_size=2)
WORKLOAD = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n"
    "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
    "    spec: {containers: [{name: web, image: nginx:1.27, resources: {requests: {cpu: 100m}}}]}\n"
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4), POOLS)
def test_any_config_is_read_or_refused_and_never_crashes_an_analysis(data, pools):
    data = {**data, "nodePools": pools}
    try:
        config = parse_config(data, "topo.yaml")
    except ConfigError as error:
        assert str(error).startswith("topo.yaml:")
        return
    analysis = analyze(text=WORKLOAD, config=config)
    assert analysis.rollout.rollouts  # placement over the node pools
    analysis.findings()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("namespace: 5\n".encode("utf-16"), "namespace: expected a string"),
        (b"\x80\x81garbage: 1\n", "topo.yaml:1: not UTF-8 text (invalid byte 0x80)"),
        (b"failOn: error\nnamespace: caf\xe9\n", "topo.yaml:2: not UTF-8 text (invalid byte 0xe9)"),
        (b"rules:\n  severity: {[a]: error}\n", "topo.yaml:2: invalid YAML"),
        (b"nodePools:\n- name: a\n  count: 0x_\n", "topo.yaml:3: invalid YAML: cannot read !!int '0x_'"),
        (b"failOn: !!bool maybe\n", "topo.yaml:1: invalid YAML"),
        (b"nodePools:\n- {name: a, count: 1.5}\n", "nodePools[0].count: expected a whole number"),
        (b"kubernetesVersion: {a: 1}\n", "kubernetesVersion: expected MAJOR.MINOR"),
        (b"a: 1\n---\nb: 2\n", "topo.yaml:3: expected one YAML document"),
    ],
)
def test_bad_config_file_is_a_usage_error_naming_key_or_line(tmp_path, monkeypatch, content, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "topo.yaml").write_bytes(content)
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert expected in str(raised.value)
    (tmp_path / "app.yaml").write_text(WORKLOAD)
    result = CliRunner().invoke(main, ["report", "app.yaml"], catch_exceptions=False)
    assert result.exit_code == 3
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_utf16_config_with_bom_is_read(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes("namespace: shop\n".encode("utf-16"))
    assert load_config(str(path)).namespace == "shop"
