"""Issue 14 §5: every output escapes what it prints, and no Secret payload is echoed.

`tests/fixtures/hostile/payload.yaml` carries HTML, Markdown, Mermaid and control-character
payloads in names, labels, annotations, hosts, paths, images and data, and a Secret dumped from a
live cluster (its password also in `kubectl.kubernetes.io/last-applied-configuration`). The
browser tests (tests/dashboard/test_hostile_browser.py) render the same outputs in Chromium."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

from click.testing import CliRunner

import topo
from topo.cli import main
from topo.render.escape import mermaid_label, xml_safe
from topo.render.report_markdown import cell, code

PAYLOAD = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hostile", "payload.yaml")
SECRETS = ("c3VwZXItc2VjcmV0", "plain-text-token", "super-secret")


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1, 2), result.stderr
    return result.stdout


def markdown_outputs(tmp_path) -> dict[str, str]:
    before = tmp_path / "before"
    before.mkdir()
    (before / "empty.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    review = tmp_path / "review.md"
    run("review", PAYLOAD, "--out", str(review), "--title", "t<img src=x onerror=alert(1)>")
    return {
        "report": run("report", PAYLOAD, "-o", "markdown"),
        "review": review.read_text(),
        "diff": run("diff", str(before), PAYLOAD, "-o", "markdown"),
        "reach": run("reach", PAYLOAD, "-o", "md"),
        "matrix": run("reach", PAYLOAD, "--matrix", "-o", "md"),
    }


def test_markdown_outputs_carry_no_live_html_or_link(tmp_path):
    for name, text in markdown_outputs(tmp_path).items():
        outside_code = re.sub(r"^```[a-z]*\n.*?^```$", "", text, flags=re.S | re.M)  # fences are literal
        outside_code = re.sub(r"(`+)(?:(?!\1).)*?\1", "", outside_code)  # and so are code spans
        assert not re.search(r"(?<!\\)<(img|script|svg|b )", outside_code, re.I), name
        assert "](javascript:" not in outside_code, name
        assert "onerror" in text or name == "matrix", name  # the payload is shown, as text


def test_markdown_escapes():
    assert cell("a<b>|[x](javascript:y)\n*z*") == r"a\<b\>\|\[x\](javascript:y) \*z\*"
    assert code("x`y|z\n") == "`` x`y\\|z ``"
    assert code("plain") == "`plain`"


def test_junit_and_graphml_are_well_formed_xml():
    for text in (run("report", PAYLOAD, "-o", "junit"), run("graph", PAYLOAD, "-o", "graphml")):
        root = ET.fromstring(text.encode("utf-8"))
        assert root is not None
        assert "\\x1b" in text and "\x1b" not in text  # the ESC is shown, encoded
    assert xml_safe("a\x00b\x1bc\td") == "a\\x00b\\x1bc\td"


def test_mermaid_labels_cannot_inject_statements():
    for text in (run("graph", PAYLOAD, "-o", "mermaid"),):
        for line in text.splitlines():
            assert not line.strip().startswith("click"), line
            assert "<img" not in line and "<script" not in line
    assert mermaid_label('a"\nclick n0 call alert()<b>') == "a#quot; click n0 call alert()#lt;b#gt;"


def test_review_markdown_mermaid_block_has_no_injected_statement(tmp_path):
    review = markdown_outputs(tmp_path)["review"]
    block = review.split("```mermaid", 1)[1].split("```", 1)[0]
    assert not any(line.strip().startswith("click") for line in block.splitlines())


def test_review_html_figures_escape_names(tmp_path):
    out = tmp_path / "r.html"
    run("review", PAYLOAD, "--out", str(out))
    text = out.read_text()
    figures = "".join(re.findall(r"Plotly\.newPlot\((.*?)\);", text, re.S))
    assert "<img" not in figures.replace("<\\/", "")
    assert "&lt;img src=x onerror" in figures


def test_secret_payload_is_redacted_in_diff_and_never_in_any_output(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    (old / "s.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db-password, namespace: shop}\n"
        "data: {password: b2xkLXNlY3JldA==}\nstringData: {token: old-token}\n"
    )
    outputs = [run("diff", str(old), PAYLOAD, "-o", fmt) for fmt in ("json", "text", "markdown")]
    outputs += [run("graph", PAYLOAD, "-o", fmt) for fmt in ("json", "dot", "mermaid", "graphml")]
    outputs += [run("report", PAYLOAD, "-o", fmt) for fmt in ("json", "text", "markdown", "sarif", "junit")]
    review = tmp_path / "r.html"
    run("review", PAYLOAD, "--out", str(review))
    outputs.append(review.read_text())
    for text in outputs:
        for secret in (*SECRETS, "b2xkLXNlY3JldA==", "old-token"):
            assert secret not in text
    changes = json.loads(outputs[0])
    fields = [
        f for o in changes["objects"] for f in o.get("fields", []) if o["id"] == "Secret/shop/db-password"
    ]
    assert {"path": "data.password", "before": "<redacted>", "after": "<redacted>"} in fields


def test_redact_secret_keeps_keys_and_other_kinds():
    secret = {"kind": "Secret", "data": {"a": "x"}, "metadata": {"name": "s"}}
    assert topo.redact_secret(secret)["data"] == {"a": "<redacted>"}
    assert topo.redact_secret({"kind": "ConfigMap", "data": {"a": "x"}})["data"] == {"a": "x"}


def test_diagnostics_on_stderr_are_one_line_and_control_codes_are_shown_escaped(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('apiVersion: v1\nkind: "Evil\\nfake.yaml:1: error: \\u001b[2J"\nmetadata: {name: 5}\n')
    result = CliRunner().invoke(main, ["graph", str(bad)], catch_exceptions=False)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "\x1b" not in line and "\\x1b[2J" in line and "Evil\\nfake.yaml" in line
