"""A subchart vendored in charts/ whose version does not satisfy its dependency's constraint is
rendered by Helm as a chart of its own (helm.sh/helm pkg/chart/v2/util/dependencies.go
processDependencyEnabled, getAliasDependency: IsCompatibleRange, Masterminds/semver v3): with an
alias, the dependency's condition, tags and values key no longer apply. topo says so at the
dependency's line (topo.load.helm_dependency_versions, topo.load.chart_semver)."""

from __future__ import annotations

import pytest
from chart_support import needs_sdk, write_chart

from topo.load import load_paths
from topo.load.chart_semver import satisfies
from topo.load.helm_dependency_versions import mismatched_version_warnings

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Chart.Version }}\n"


@pytest.mark.parametrize(
    ("constraint", "version", "expected"),
    [
        ("0.40.0", "0.40.0", True),
        ("0.40.0", "0.41.0", False),
        ("2.x.x", "2.31.1", True),
        ("2.x.x", "3.0.0", False),
        (">=1.2.0", "2.0.0", True),
        (">=1.2.0", "1.1.9", False),
        ("~1.2.0", "1.2.9", True),
        ("~1.2.0", "1.3.0", False),
        ("^0.3.1", "0.3.9", True),
        ("^0.3.1", "0.4.0", False),
        ("^2", "2.9.9", True),
        (">= 1.0, < 2.0", "1.5.0", True),
        (">= 1.0, < 2.0", "2.0.0", False),
        ("1.0 - 2.0", "2.0.1", True),  # `<= 2.0` is dirty: 2.0.x is within it
        ("1.0 - 2.0.0", "2.0.1", False),
        ("1.x || 3.x", "3.1.0", True),
        (">=1.0.0", "1.1.0-rc.1", False),  # a prerelease only where the group names one
        (">=1.0.0-0", "1.1.0-rc.1", True),
        ("1.1.0-rc.1", "1.1.0-rc.1", True),
        ("^1.2.3", "1.2.3-rc.2", False),
        ("^1.2.3-rc.1", "1.2.3-rc.2", True),
        ("*", "1.0.0", True),
        ("*", "1.0.0-rc.1", False),
        ("", "1.0.0", False),  # NewConstraint("") is an improper constraint
        ("1.2.3", "latest", False),
        ("v1.2", "1.2.7", True),
        ("!=1.0.0", "1.0.0", False),
    ],
)
def test_constraints_are_read_as_masterminds_semver_reads_them(constraint, version, expected):
    # github.com/Masterminds/semver/v3 constraints.go, through helm's IsCompatibleRange
    assert satisfies(constraint, version) is expected


def parent(tmp_path, dependency: str, vendored_version: str, values: str = "") -> str:
    app = write_chart(tmp_path / "app", "app", {"values.yaml": values})
    with open(f"{app}/Chart.yaml", "a") as handle:
        handle.write(f"dependencies:\n  - name: other\n    version: 1.0.0\n{dependency}")
    write_chart(tmp_path / "app" / "charts" / "other", "other", {})
    db = write_chart(tmp_path / "app" / "charts" / "db-folder", "db", {"templates/cm.yaml": CONFIGMAP})
    with open(f"{db}/Chart.yaml", "w") as handle:
        handle.write(f"apiVersion: v2\nname: db\nversion: {vendored_version}\n")
    # `other` is vendored at 0.1.0 (write_chart), matching 1.0.0 only when told to
    with open(f"{app}/charts/other/Chart.yaml", "w") as handle:
        handle.write("apiVersion: v2\nname: other\nversion: 1.0.0\n")
    return app


ALIASED = "  - name: db\n    alias: store\n    version: ^2.0.0\n    condition: store.enabled\n"


def test_an_aliased_dependency_with_a_mismatched_version_is_named_at_its_line(tmp_path):
    app = parent(tmp_path, ALIASED, "1.4.0")
    (warning,) = mismatched_version_warnings(app, "app")
    assert (warning.file, warning.line, warning.level) == (f"{app}/Chart.yaml", 7, "warning")
    assert warning.message == (
        "chart app: charts/db-folder holds db 1.4.0, which does not satisfy the dependency's version "
        "'^2.0.0', so Helm does not take it for the dependency aliased `store` and renders it as a "
        "chart of its own named `db`: regardless of its condition `store.enabled`, with its values "
        "read under `db`, not `store`; `helm dependency build app` vendors a version that satisfies it"
    )


def test_a_dependency_without_alias_says_its_condition_still_applies(tmp_path):
    app = parent(
        tmp_path, "  - name: db\n    version: '>=2.0.0 <3.0.0'\n    condition: db.enabled\n", "2.0.0-rc.1"
    )
    (warning,) = mismatched_version_warnings(app, "app")
    assert warning.line == 7
    assert (
        "holds db 2.0.0-rc.1, which does not satisfy the dependency's version '>=2.0.0 <3.0.0'"
        in warning.message
    )
    assert "by its name, so the dependency's condition and values still apply" in warning.message


@pytest.mark.parametrize("constraint", ["^1.2.0", "~1.4.0", ">= 1.0, < 2", "1.4.x", "1.0.0 - 1.4.0", "1.4.0"])
def test_a_vendored_version_that_satisfies_the_constraint_is_silent(tmp_path, constraint):
    app = parent(tmp_path, f"  - name: db\n    alias: store\n    version: '{constraint}'\n", "1.4.0")
    assert mismatched_version_warnings(app, "app") == []


def test_a_chart_satisfying_one_of_two_aliases_of_its_name_is_silent(tmp_path):
    # processDependencyEnabled keeps a chart out of the extra ones when any dependency of its name matches
    dependencies = ALIASED + "  - name: db\n    alias: cache\n    version: 1.x\n"
    assert mismatched_version_warnings(parent(tmp_path, dependencies, "1.4.0"), "app") == []


@needs_sdk
def test_a_disabled_aliased_dependency_of_the_wrong_version_is_rendered_and_said(tmp_path):
    app = parent(tmp_path, ALIASED, "1.4.0", "store:\n  enabled: false\n")
    result = load_paths([app])
    assert result.errors == []
    assert [d.data["metadata"]["name"] for d in result.documents] == ["db-1.4.0"]
    assert [w.line for w in result.warnings if w.level == "warning"] == [7]


@needs_sdk
def test_a_disabled_aliased_dependency_of_the_right_version_is_not_rendered(tmp_path):
    app = parent(tmp_path, ALIASED, "2.1.0", "store:\n  enabled: false\n")
    result = load_paths([app])
    assert result.documents == []
    assert [w for w in result.warnings if w.level == "warning"] == []
