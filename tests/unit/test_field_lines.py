"""Findings point at the line of the offending field: the field path walked in the YAML node tree
of the object's file, after the analysis (topo.load.locate, topo.rules.locate)."""

from __future__ import annotations

import json
import re
import textwrap

from click.testing import CliRunner
from topo_test_support import analysis_of

from topo.api import analyze
from topo.cli import main
from topo.config import Config
from topo.load.locate import field_lines
from topo.load.locate_text import TextLines, written_key_lines

TEXT = textwrap.dedent(
    """\
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: a}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels:
        app.kubernetes.io/name: web
    spec:
      template:
        spec:
          containers:
          - name: web
            ports:
            - name: http
              containerPort: 8080
            - name: admin
    """
)


def test_a_path_is_walked_to_the_line_of_its_last_written_field():
    lines = field_lines(
        TEXT,
        [
            (5, "spec.template.spec.containers[0].ports[0].containerPort"),
            (5, "spec.template.spec.containers[0].ports[1].containerPort"),  # absent: the port's line
            (5, "metadata.labels.app.kubernetes.io/name"),  # a key with dots
            (5, "spec.template.spec.containers[3]"),  # past the end: the list's key
            (1, "data.x"),
            (99, "spec"),  # no object starts there
        ],
    )
    assert lines == {
        (5, "spec.template.spec.containers[0].ports[0].containerPort"): 18,
        (5, "spec.template.spec.containers[0].ports[1].containerPort"): 19,
        (5, "metadata.labels.app.kubernetes.io/name"): 10,
        (5, "spec.template.spec.containers[3]"): 14,
        (1, "data.x"): 1,
    }


def test_items_of_a_list_are_found_by_their_first_line_and_a_broken_document_hides_nothing():
    text = textwrap.dedent(
        """\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Pod
          metadata: {name: p}
          spec:
            containers: [{image: x}]
        ---
        key: [unclosed
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec:
          selector: {app: s}
        """
    )
    assert field_lines(text, [(4, "spec.containers[0].name"), (12, "spec.selector")]) == {
        (4, "spec.containers[0].name"): 8,
        (12, "spec.selector"): 16,
    }


def test_findings_carry_their_path_and_the_line_of_the_field():
    analysis = analysis_of(TEXT)
    [finding] = [
        f
        for f in analysis.findings().findings
        if f.rule == "manifest-invalid" and "containerPort" in f.message
    ]
    assert finding.path == "spec.template.spec.containers[0].ports[1].containerPort"
    assert (finding.source.file, finding.source.line) == ("test.yaml", 19)


def test_sarif_points_at_the_field_and_relates_the_policy_that_blocks_a_connection(tmp_path):
    (tmp_path / "apps.yaml").write_text(
        textwrap.dedent(
            """\
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: front, namespace: shop}
            spec:
              selector: {matchLabels: {app: front}}
              template:
                metadata: {labels: {app: front}}
                spec:
                  containers:
                  - name: front
                    image: nginx
                    env: [{name: API_URL, value: "http://api:8080"}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: shop}
            spec:
              selector: {matchLabels: {app: api}}
              template:
                metadata: {labels: {app: api}}
                spec: {containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: shop}
            spec: {selector: {app: api}, ports: [{port: 8080}]}
            """
        )
    )
    (tmp_path / "policy.yaml").write_text(
        textwrap.dedent(
            """\
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: shop}
            spec: {podSelector: {}, policyTypes: [Ingress]}
            """
        )
    )
    result = CliRunner().invoke(main, ["report", str(tmp_path), "-o", "sarif"], catch_exceptions=False)
    results = json.loads(result.stdout)["runs"][0]["results"]
    [blocked] = [r for r in results if r["ruleId"] == "dependency-blocked-by-policy"]
    # the env entry that holds the URL, then the objects involved
    assert blocked["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    related = {r["message"]["text"]: r for r in blocked["relatedLocations"]}
    policy = related["NetworkPolicy/shop/deny"]["physicalLocation"]
    assert policy["artifactLocation"]["uri"].endswith("policy.yaml") and policy["region"]["startLine"] == 1
    assert related["Service/shop/api"]["physicalLocation"]["region"]["startLine"] == 23


def test_a_message_that_starts_with_its_field_points_at_that_field():
    from topo.rules.fieldnames import leading_field_path

    assert (
        leading_field_path("spec.ports[1].nodePort 80 is outside the node port range")
        == "spec.ports[1].nodePort"
    )
    assert leading_field_path("spec.selector: {} selects no pods") == "spec.selector"
    assert leading_field_path("container 'web' has no livenessProbe") is None
    analysis = analysis_of(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec:
          type: NodePort
          selector: {app: s}
          ports:
          - {name: a, port: 80, nodePort: 30080}
          - {name: b, port: 81, nodePort: 80}
        """
    )
    [finding] = [f for f in analysis.findings().findings if f.rule == "nodeport-out-of-range"]
    assert (finding.path, finding.source.line) == (
        "spec.ports[1].nodePort",
        10,
    )  # the text starts with an empty line


def test_a_container_named_in_a_message_points_at_that_container():
    analysis = analysis_of(TEXT)
    findings = [f for f in analysis.findings().findings if f.rule == "readiness-probe-missing"]
    assert [(f.path, f.source.line) for f in findings] == [("spec.template.spec.containers[0]", 15)]


CONFIG_CALLS = textwrap.dedent(
    """\
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: app-config, namespace: shop}
    data:
      DB_URL: postgres://db.data.svc.cluster.local:5432/shop
      CACHE_URL: redis://cache.shop.svc.cluster.local:6379
    ---
    apiVersion: v1
    kind: Secret
    metadata: {name: search, namespace: shop}
    stringData:
      endpoint: http://search.shop.svc.cluster.local:9200
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: shop}
    spec:
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec:
          containers:
            - name: api
              image: api:1.0
              envFrom:
                - configMapRef:
                    name: app-config
              env:
                - name: PRIMARY
                  valueFrom:
                    configMapKeyRef: {name: app-config, key: DB_URL}
              volumeMounts: [{name: search, mountPath: /etc/search}]
          volumes:
            - name: search
              secret:
                secretName: search
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: db, namespace: data}
    spec: {selector: {app: db}, ports: [{port: 5432}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: db, namespace: data}
    spec:
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec: {containers: [{name: db, image: postgres:16, ports: [{containerPort: 5432}]}]}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: deny, namespace: data}
    spec: {podSelector: {}, policyTypes: [Ingress]}
    """
)


def test_a_name_found_in_a_config_key_points_at_where_the_workload_takes_that_key_in():
    # The graph's `calls` edges say `ConfigMap/shop/app-config key DB_URL`: the finding is on the
    # workload, at the configMapKeyRef that takes that key (before: the envFrom that takes every
    # key), the envFrom for a key only it takes, the Secret volume for a key of the Secret.
    findings = analysis_of(CONFIG_CALLS).findings().findings
    where = {
        (f.rule, f.message.split(" ")[1 if f.rule == "dependency-blocked-by-policy" else 0]): (
            f.path,
            f.source.line,
        )
        for f in findings
        if f.object == "Deployment/shop/api"
        and f.rule in ("dependency-blocked-by-policy", "dns-name-unresolved")
    }
    containers = "spec.template.spec.containers[0]"
    assert where == {
        ("dependency-blocked-by-policy", "db.data.svc.cluster.local"): (
            f"{containers}.env[0].valueFrom.configMapKeyRef",
            31,
        ),
        ("dns-name-unresolved", "'cache.shop.svc.cluster.local'"): (
            f"{containers}.envFrom[0].configMapRef",
            26,
        ),
        ("dns-name-unresolved", "'search.shop.svc.cluster.local'"): (
            "spec.template.spec.volumes[0].secret",
            35,
        ),
    }


def _paths(value, prefix=""):
    """Every field path of a parsed object, plus one absent key and one index past the end per level."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _paths(item, path)
        yield f"{prefix}.absent" if prefix else "absent"
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{prefix}[{index}]"
            yield from _paths(item, f"{prefix}[{index}]")
        yield f"{prefix}[{len(value)}]"


def test_the_text_walk_gives_the_composer_s_line_for_every_path_of_the_samples_and_fixtures():
    # the fast path (indentation only) must agree with walking the composed node tree, or defer
    from topo.load.locate import _object_nodes, _split_documents, _walk
    from topo.load.reader import decode_text, load_paths

    loaded = load_paths(["samples", "tests/fixtures"])
    by_file: dict[str, list] = {}
    for document in loaded.documents:
        by_file.setdefault(document.source.file, []).append(document)
    checked = 0
    for file, documents in sorted(by_file.items()):
        with open(file, "rb") as handle:
            text = decode_text(handle.read())
        nodes: dict = {}
        for offset, part in _split_documents(text):
            nodes.update(_object_nodes(part, offset))
        requests = [
            (d.source.line, path)
            for d in documents
            if d.source.line in nodes
            for path in _paths(d.data)
            if "\n" not in path
        ]
        found = field_lines(text, requests)
        for line, path in requests:
            node, offset = nodes[line]
            assert found[(line, path)] == _walk(node, path) + offset, (file, line, path)
            checked += 1
    assert checked > 20_000


def test_quoted_keys_comments_and_compact_sequences_are_walked_in_the_text():
    text = textwrap.dedent(
        """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          annotations:
            "example.com/a": x   # quoted
            'example.com/b''s': y
        spec:   # a comment after the key
          containers:
          - name: a
            args: [--flow]
            env:
            -   name: A
                value: "1"
        """
    )
    assert field_lines(
        text,
        [
            (1, "metadata.annotations.example.com/a"),
            (1, "metadata.annotations.example.com/b's"),
            (1, "spec.containers[0].env[0].value"),
            (1, "spec.containers[0].args[0]"),  # a flow sequence: the composer places it
        ],
    ) == {
        (1, "metadata.annotations.example.com/a"): 6,
        (1, "metadata.annotations.example.com/b's"): 7,
        (1, "spec.containers[0].env[0].value"): 14,
        (1, "spec.containers[0].args[0]"): 11,
    }


#: one finding of each availability rule, each about a field that is not the object's first line
AVAILABILITY = "tests/fixtures/field-lines/availability.yaml"


def test_availability_findings_point_at_the_field_they_are_about():
    # the replicas, the fencepost, the strategy type, the budget, the HPA minimum — not the
    # object's first line (a StatefulSet's maxUnavailable counts from 1.35). A single replica that
    # an HPA's minReplicas decides is about the object; a PDB without a budget points at its spec.
    analysis = analyze([AVAILABILITY], config=Config(kubernetes_version="1.35"))
    rules = {
        "single-replica",
        "rollout-unavailable",
        "rollout-recreate-downtime",
        "pdb-blocks-eviction",
        "pdb-ineffective",
        "hpa-min-below-pdb",
        "replicas-may-colocate",
    }
    found = sorted(
        (f.rule, f.object, f.path, f.source.line) for f in analysis.findings().findings if f.rule in rules
    )
    assert found == [
        ("hpa-min-below-pdb", "HorizontalPodAutoscaler/shop/web", "spec.minReplicas", 99),
        ("pdb-blocks-eviction", "PodDisruptionBudget/shop/api", "spec.minAvailable", 47),
        ("pdb-blocks-eviction", "PodDisruptionBudget/shop/queue", "spec", 124),
        ("pdb-ineffective", "PodDisruptionBudget/shop/worker", "spec.maxUnavailable", 54),
        ("replicas-may-colocate", "Deployment/shop/api", "spec.template.spec", 23),
        ("rollout-recreate-downtime", "Deployment/shop/worker", "spec.strategy.type", 33),
        ("rollout-unavailable", "Deployment/shop/api", "spec.strategy.rollingUpdate.maxUnavailable", 20),
        (
            "rollout-unavailable",
            "StatefulSet/shop/queue",
            "spec.updateStrategy.rollingUpdate.maxUnavailable",
            64,
        ),
        ("single-replica", "Deployment/shop/scaled", None, 102),
        ("single-replica", "Deployment/shop/solo", "spec.replicas", 5),
    ]


def test_a_rollout_blocked_by_anti_affinity_points_at_its_rolling_update():
    analysis = analyze(["tests/fixtures/rules/rollout-blocked-by-anti-affinity/bad.yaml"])
    lines = {
        f.object: (f.path, f.source.line)
        for f in analysis.findings().findings
        if f.rule == "rollout-blocked-by-anti-affinity"
    }
    assert lines["Deployment/es/fire-coord"] == ("spec.strategy.rollingUpdate", 23)
    assert lines["Deployment/es/fire-defaults"][0] == "spec.strategy.rollingUpdate"  # absent: its spec's line


def test_reference_warnings_point_at_the_reference_like_their_errors():
    # a Secret probably created at run time, and names that are unrendered placeholders, are
    # warnings about the same field as the error they replace
    found = {
        (f.severity.value, f.rule, f.object): (f.path, f.source.line)
        for folder in ("runtime-secrets", "unrendered-placeholders")
        for f in analyze([f"tests/fixtures/precision/{folder}/manifests.yaml"]).findings().findings
        if f.rule in ("config-ref-missing", "serviceaccount-missing", "pvc-missing")
    }
    env = "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef"
    assert found == {
        ("warning", "config-ref-missing", "Deployment/shop/dont-fire-generated-password"): (env, 62),
        ("error", "config-ref-missing", "Deployment/billing/fire-missing"): (env, 89),
        ("warning", "serviceaccount-missing", "Deployment/default/dont-fire-template"): (
            "spec.template.spec.serviceAccountName",
            16,
        ),
        ("warning", "config-ref-missing", "Deployment/default/dont-fire-template"): (env, 20),
        ("warning", "pvc-missing", "Deployment/default/dont-fire-template"): (
            "spec.template.spec.volumes[0].persistentVolumeClaim.claimName",
            21,
        ),
        ("error", "serviceaccount-missing", "Deployment/default/fire-typo"): (
            "spec.template.spec.serviceAccountName",
            35,
        ),
    }


def test_object_level_rules_point_at_the_field_they_name():
    # apiVersion, the ConfigMap key reference, the hostPath and emptyDir volumes, the StatefulSet's
    # serviceName: each finding's line is the line of the last written key of its path
    rules = (
        "deprecated-api",
        "config-key-missing",
        "host-path-volume",
        "statefulset-ephemeral-storage",
        "statefulset-service-not-headless",
        "statefulset-service-selector-mismatch",
    )
    for rule in rules:
        fixture = f"tests/fixtures/rules/{rule}/bad.yaml"
        with open(fixture, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        findings = [f for f in analyze([fixture]).findings().findings if f.rule == rule]
        assert findings, rule
        for finding in findings:
            assert finding.path, (rule, finding.object)
            key = re.split(r"[.\[]", finding.path)[-1].rstrip("]")
            line = lines[finding.source.line - 1]
            assert key in line or (key.isdigit() and line.lstrip().startswith("-")), (
                rule,
                finding.path,
                line,
            )


def test_suppressed_findings_point_at_their_field_like_the_ones_kept():
    """Findings kept, suppressed by the baseline and suppressed by annotation are all moved to
    their field's line, and every finding the results hold is the one object per finding."""
    text = textwrap.dedent(
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
          annotations:
            topo.dev/ignore: "readiness-probe-missing: later"
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: nginx:1.27
        """
    )
    plain = analyze(text=text).findings()
    lines = {f.rule: f.source.line for f in plain.all_findings}
    assert lines["single-replica"] == 9 and lines["readiness-probe-missing"] == 15
    baseline = {f.fingerprint for f in plain.findings if f.rule == "single-replica"}
    results = analyze(text=text).findings(baseline=baseline)
    suppressed = {s.finding.rule: s for s in results.suppressed}
    assert suppressed["single-replica"].reason == "baseline"
    assert suppressed["readiness-probe-missing"].reason.startswith("annotation")
    assert {rule: s.finding.source.line for rule, s in suppressed.items()} == {
        "single-replica": 9,
        "readiness-probe-missing": 15,
    }
    assert {f.rule: f.source.line for f in results.all_findings} == lines
    everything = {id(f) for f in results.all_findings}
    assert {id(f) for f in results.findings} <= everything
    assert {id(s.finding) for s in results.suppressed} <= everything


def test_a_helm_template_is_walked_past_its_action_lines():
    """`{{- if .Values.x }}` and `{{- end }}` lines are gone from the rendered object (Helm removes
    them with the whitespace `{{-` trims), whatever their indentation: they count as blank, so a
    field after one is still found in the template."""
    template = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n"
        "    spec:\n    {{- if .Values.dnsConfig }}\n      dnsConfig: {{ toYaml .Values.dnsConfig | nindent 8 }}\n"
        "    {{- end }}\n      containers:\n      - name: shop\n        image: shop:1\n"
        "      volumes:\n      - name: certs\n        secret:\n          secretName: {{ .Values.certSecret }}\n"
    )
    requests = [(1, "spec.template.spec.volumes[0].secret"), (1, "spec.template.spec.containers[0]")]
    assert field_lines(template, requests) == {requests[0]: 16, requests[1]: 12}


def test_a_helm_template_is_walked_past_a_comment_over_several_lines():
    """A `{{/* ... */}}` comment spanning lines (a licence header, a note inside the spec) renders
    to nothing: its lines are blank to the walk, whatever text and indentation they hold."""
    template = (
        "{{- /*\nCopyright Example Corp.\n*/}}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n"
        "spec:\n  template:\n    spec:\n      {{- /*\nthe containers follow\n      */}}\n"
        "      containers:\n      - name: shop\n        image: shop:1\n"
    )
    requests = [(4, "spec.template.spec.containers[0]")]
    assert field_lines(template, requests) == {requests[0]: 15}


def test_a_helm_template_line_of_actions_then_text_is_read_as_that_text():
    """`{{ if eq .type "Recreate" }}rollingUpdate: null{{ end }}` renders `rollingUpdate: null` at
    the line's indentation, or nothing (Go text/template prints only the text an action yields):
    a walk to `spec.strategy.type` stops at `strategy:`, not at the object's first line
    (prometheus-community/helm-charts prometheus templates/deploy.yaml)."""
    template = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: server\nspec:\n  replicas: 2\n"
        "  {{- with .Values.strategy }}\n  strategy:\n    {{- toYaml . | nindent 4 }}\n"
        '    {{ if eq .type "Recreate" }}rollingUpdate: null{{ end }}\n  {{- end }}\n'
        "  {{ if .Values.paused }}paused: true{{ end }}\n"
        "  {{ if true }}selector:{{ end }}\n    matchLabels: {app: server}\n"
    )
    requests = [
        (1, "spec.strategy.type"),
        (1, "spec.strategy.rollingUpdate"),
        (1, "spec.paused"),
        (1, "spec.selector.matchLabels"),
    ]
    assert field_lines(template, requests) == {
        requests[0]: 8,
        requests[1]: 10,
        requests[2]: 12,
        requests[3]: 14,
    }


def test_every_line_that_writes_a_key_of_a_mapping_is_found_in_the_text():
    """What a repeated key in a rendered chart is told by (topo.load.helm_repeated_keys): every
    entry of the key in the mapping at a path, in order; none for a mapping written but without
    the key; None for a mapping not written in plain block style."""
    template = (
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 2\n  {{- if .Values.replicas }}\n"
        "  replicas: {{ .Values.replicas }}\n  {{- end }}\n  template:\n    spec:\n"
        "      containers:\n      - name: a\n        image: a\n      - name: b\n        image: b\n"
        "        image: c\n  strategy: {type: Recreate}\n"
    )
    text = TextLines(template.splitlines())
    assert written_key_lines(text, 0, "spec", "replicas") == [4, 6]
    assert written_key_lines(text, 0, "spec.template.spec.containers[1]", "image") == [14, 15]
    assert written_key_lines(text, 0, "", "kind") == [2]
    assert written_key_lines(text, 0, "spec.template", "replicas") == []
    assert written_key_lines(text, 0, "spec.strategy", "type") is None
    assert written_key_lines(text, 0, "spec.selector", "matchLabels") is None
