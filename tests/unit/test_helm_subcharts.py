"""A chart's dependencies are checked against charts/ as Helm checks them (helm.sh/helm
pkg/action/install.go CheckDependencies: every Chart.yaml dependency, matched by name against the
name in each loaded subchart's Chart.yaml), and the templates of subcharts are found in their
folders whatever the folders are called (topo.load.helm_subcharts)."""

from __future__ import annotations

import io
import os
import shutil
import tarfile

from chart_support import chart, needs_sdk
from click.testing import CliRunner

from topo.cli import main
from topo.load import load_paths
from topo.load.helm_subcharts import SubchartFolders, declared_dependencies, missing_dependencies


def build_hint(directory: str, missing: str) -> str:
    return (
        f"error: chart {directory} needs its dependencies in charts/ ({missing}): "
        f"run `helm dependency build {directory}` first"
    )


def test_a_file_dependency_not_in_charts_says_to_build_the_dependencies():
    """`repository: file://../lib` is no exception: `helm template` refuses the chart ("found in
    Chart.yaml, but missing in charts/ directory: lib") until `helm dependency build` copies the
    local chart in; topo used to skip it and report a template error instead (linkerd's
    control-plane chart and its `partials`)."""
    app = chart("deps-file-repo", "chart")
    result = CliRunner().invoke(main, ["report", app, "--no-cache"])
    assert result.exit_code == 2
    assert f"{app}/Chart.yaml:1: {build_hint(app, 'lib')}" in result.stderr
    assert "no template" not in result.stderr


@needs_sdk
def test_a_file_dependency_copied_into_charts_renders(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(chart("deps-file-repo", "chart"), app)
    shutil.copytree(
        chart("deps-file-repo", "lib"), app / "charts" / "lib"
    )  # what `helm dependency build` does
    result = load_paths([str(app)])
    assert result.errors == []
    (configmap,) = result.documents
    assert configmap.data["metadata"]["annotations"] == {"example.org/created-by": "app"}


def test_dependencies_in_requirements_yaml_are_checked():
    """apiVersion v1 charts list dependencies in requirements.yaml, which Helm's loader reads into
    the chart's dependencies (helm.sh/helm pkg/chart/v2/loader/load.go); topo used to report a
    nil pointer in a template (grafana's loki-stack chart)."""
    umbrella = chart("deps-requirements")
    result = CliRunner().invoke(main, ["report", umbrella, "--no-cache"])
    assert result.exit_code == 2
    assert f"{umbrella}/requirements.yaml:1: {build_hint(umbrella, 'backend')}" in result.stderr
    assert "nil pointer" not in result.stderr


def test_requirements_yaml_replaces_the_dependencies_of_chart_yaml(tmp_path):
    # load.go unmarshals requirements.yaml into the metadata read from Chart.yaml: its
    # `dependencies` key, when present, is the list
    (tmp_path / "Chart.yaml").write_text(
        "apiVersion: v1\nname: a\nversion: 1.0.0\ndependencies: [{name: x}]\n"
    )
    assert [d["name"] for d in declared_dependencies(str(tmp_path))[1]] == ["x"]
    (tmp_path / "requirements.yaml").write_text("dependencies:\n- {name: y}\n- {name: z}\n")
    declared_in, dependencies = declared_dependencies(str(tmp_path))
    assert (declared_in, [d["name"] for d in dependencies]) == (
        str(tmp_path / "requirements.yaml"),
        ["y", "z"],
    )


@needs_sdk
def test_a_subchart_is_matched_by_its_chart_name_not_its_folder():
    """charts/lib-0.1.0/ holds chart `lib`: Helm loads it and CheckDependencies compares the
    dependency's name with the loaded chart's name."""
    result = CliRunner().invoke(main, ["report", chart("deps-renamed-folder"), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    assert "needs its dependencies" not in result.stderr
    (configmap,) = load_paths([chart("deps-renamed-folder")]).documents
    assert configmap.data["data"] == {"owner": "team-a"}


def packaged(path, top: str, chart_yaml: str) -> None:
    """A chart archive as `helm package` writes it: `<top>/Chart.yaml` inside a gzipped tar."""
    data = chart_yaml.encode()
    with tarfile.open(path, "w:gz") as archive:
        member = tarfile.TarInfo(f"{top}/Chart.yaml")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))


def test_packaged_and_unpacked_subcharts_are_known_by_their_chart_yaml_name(tmp_path):
    (tmp_path / "charts" / "vendored-lib").mkdir(parents=True)
    (tmp_path / "Chart.yaml").write_text(
        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n"
        "- {name: lib, version: 1.0.0, repository: 'file://../lib'}\n"
        "- {name: db, version: 2.0.0, repository: https://charts.example.com}\n"
        "- {name: cache, version: 3.0.0, repository: https://charts.example.com}\n"
        "- {name: hidden, version: 1.0.0, repository: https://charts.example.com}\n"
    )
    (tmp_path / "charts" / "vendored-lib" / "Chart.yaml").write_text(
        "apiVersion: v2\nname: lib\nversion: 1.0.0\n"
    )
    packaged(tmp_path / "charts" / "database.tgz", "db", "apiVersion: v2\nname: db\nversion: 2.0.0\n")
    # an archive named as `helm dependency build` names it, but holding another chart
    packaged(
        tmp_path / "charts" / "cache-3.0.0.tgz", "redis", "apiVersion: v2\nname: redis\nversion: 3.0.0\n"
    )
    # Helm loads no entry of charts/ whose name starts with `_` or `.` (loader/load.go)
    (tmp_path / "charts" / "_hidden").mkdir()
    (tmp_path / "charts" / "_hidden" / "Chart.yaml").write_text(
        "apiVersion: v2\nname: hidden\nversion: 1.0.0\n"
    )
    assert missing_dependencies(str(tmp_path)) == (str(tmp_path / "Chart.yaml"), ["cache", "hidden"])


def test_an_aliased_subchart_in_a_renamed_folder_is_found_by_its_alias(tmp_path):
    """After the check, a dependency with an `alias` is its chart renamed (helm.sh/helm
    pkg/chart/v2/util/dependencies.go getAliasDependency): Helm names its templates
    `app/charts/<alias>/templates/...`, and its values are the parent's `<alias>.*`."""
    (tmp_path / "charts" / "postgresql-12.1.0").mkdir(parents=True)
    (tmp_path / "Chart.yaml").write_text(
        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n"
        "- {name: postgresql, alias: db, version: 12.1.0, repository: https://charts.example.com}\n"
    )
    (tmp_path / "charts" / "postgresql-12.1.0" / "Chart.yaml").write_text(
        "apiVersion: v2\nname: postgresql\nversion: 12.1.0\n"
    )
    folders = SubchartFolders(str(tmp_path))
    folder = str(tmp_path / "charts" / "postgresql-12.1.0")
    assert folders.template_file("app/charts/db/templates/sts.yaml") == os.path.join(
        folder, "templates", "sts.yaml"
    )
    assert folders.subchart("app/charts/db/templates/sts.yaml") == ("db.", folder)
    assert folders.template_file("app/templates/cm.yaml") == str(tmp_path / "templates" / "cm.yaml")


@needs_sdk
def test_objects_of_subcharts_in_renamed_folders_point_at_their_files(tmp_path):
    app = tmp_path / "app"
    for folder, name in (("postgresql-12.1.0", "postgresql"), ("lib-0.1.0", "lib")):
        (app / "charts" / folder / "templates").mkdir(parents=True)
        (app / "charts" / folder / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
        (app / "charts" / folder / "templates" / "cm.yaml").write_text(
            f"# {name}\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n"
        )
    (app / "Chart.yaml").write_text(
        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n"
        "- {name: postgresql, alias: db, version: 0.1.0, repository: https://charts.example.com}\n"
        "- {name: lib, version: 0.1.0, repository: https://charts.example.com}\n"
    )
    result = load_paths([str(app)])
    assert result.errors == []
    assert sorted((d.data["metadata"]["name"], d.source.file, d.source.line) for d in result.documents) == [
        ("lib", f"{app}/charts/lib-0.1.0/templates/cm.yaml", 2),
        ("postgresql", f"{app}/charts/postgresql-12.1.0/templates/cm.yaml", 2),
    ]
