"""Integrations (issue 13 §3): the pre-commit hook through `pre-commit try-repo`, the GitHub Action's
and the GitLab template's shell steps run locally, colour, progress and shell completion."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
import yaml
from click.testing import CliRunner
from topo_test_support import git

from topo.cli import main
from topo.cli.app import terminal_progress, use_colour

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BROKEN_SERVICE = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
    """
)
DEPLOYMENT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: nginx:1.27
            readinessProbe: {httpGet: {path: /, port: 80}}
    """
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def fixture_repository(path) -> str:
    """A repository with one Service whose selector matches nothing (an error finding)."""
    (path / "k8s").mkdir(parents=True)
    (path / "k8s" / "service.yaml").write_text(BROKEN_SERVICE)
    (path / "README.md").write_text("app\n")
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "app")
    return str(path)


# --- pre-commit --------------------------------------------------------------------------------


def _topo_checkout(tmp_path) -> str:
    """This checkout with its uncommitted hook definition, as a repository pre-commit can read."""
    copy = tmp_path / "topo-src"
    ignore = shutil.ignore_patterns(
        ".venv*", ".git", "*.egg-info", "__pycache__", ".ruff_cache", "benchmarks"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-qm", "topo")
    return str(copy)


@pytest.fixture(scope="module")
def pre_commit_run(tmp_path_factory):
    if shutil.which("pre-commit") is None and not _has_module("pre_commit"):
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    tmp = tmp_path_factory.mktemp("pre-commit")
    source = _topo_checkout(tmp)
    repository = fixture_repository(tmp / "app")
    # The hook environment sees the installed dependencies instead of downloading them again
    # (virtualenv's VIRTUALENV_SYSTEM_SITE_PACKAGES, pip's PIP_NO_DEPS); the hook itself — entry,
    # file filter, arguments — is exactly the one users get.
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp / "home"),
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this negated option's variable as "off"
    }

    def run(*args: str):
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", *args],
            cwd=repository,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    return repository, source, run


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def test_pre_commit_hook_fails_on_an_error_finding(pre_commit_run):
    _, source, run = pre_commit_run
    result = run("try-repo", source, "topo", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "topo report" in result.stdout and "Failed" in result.stdout
    assert "Service/default/web  k8s/service.yaml:5" in result.stdout  # the selector's line
    assert "service-selects-nothing" in result.stdout


def _installed_hook(repository: str, source: str) -> None:
    """The hook as a user installs it: a .pre-commit-config.yaml naming the repository and revision
    (its environment is built once and reused, where try-repo builds a new one each time)."""
    revision = git(source, "rev-parse", "HEAD").strip()
    config = {"repos": [{"repo": source, "rev": revision, "hooks": [{"id": "topo"}]}]}
    with open(os.path.join(repository, ".pre-commit-config.yaml"), "w") as handle:
        yaml.safe_dump(config, handle)


def test_pre_commit_hook_is_skipped_when_no_manifest_changes(pre_commit_run):
    repository, source, run = pre_commit_run
    _installed_hook(repository, source)
    with open(os.path.join(repository, "README.md"), "a") as handle:
        handle.write("more\n")
    git(repository, "add", "README.md")
    result = run("run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(no files to check)Skipped" in result.stdout
    git(repository, "reset", "-q", "--hard")


def test_pre_commit_hook_passes_once_the_manifests_are_fixed(pre_commit_run):
    repository, source, run = pre_commit_run
    _installed_hook(repository, source)
    with open(os.path.join(repository, "k8s", "deployment.yaml"), "w") as handle:
        handle.write(DEPLOYMENT)
    git(repository, "add", "k8s")
    result = run("run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


# --- GitHub Action and GitLab template ---------------------------------------------------------


@pytest.fixture(scope="module")
def ci_python(tmp_path_factory):
    """A Python environment to install topo into, as the CI job's Python (dependencies come from
    the installed site packages: the steps' own pip command runs, without the download)."""
    venv = tmp_path_factory.mktemp("ci") / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True
    )
    return str(venv / "bin")


@pytest.fixture(scope="module")
def action_installed(tmp_path_factory, ci_python):
    """The action's `Install topo` step, run once into ci_python."""
    folder = tmp_path_factory.mktemp("install")
    steps = run_action(str(folder), {}, ci_python, {"TOPO_PIP_ARGS": "--no-deps"})
    return ci_python, {name: completed for name, completed, _ in steps}["Install topo"]


def read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _expression(text: str, context: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: context[m.group(1)], text)


def run_action(
    repository: str,
    inputs: dict[str, str],
    bin_dir: str,
    extra_env: dict[str, str],
    skip: tuple[str, ...] = (),
):
    """Run action.yml's shell steps in order as the runner does (bash -eo pipefail, env from the
    step's `env:` with expressions substituted, step outputs through $GITHUB_OUTPUT)."""
    with open(os.path.join(ROOT, "action.yml"), encoding="utf-8") as handle:
        action = yaml.safe_load(handle)
    context = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    context.update({f"inputs.{k}": v for k, v in inputs.items()})
    context.update(
        {
            "github.action_path": ROOT,
            "github.token": "token",
            "github.base_ref": "main",
            "github.event.pull_request.number": "7",
        }
    )
    ran = []
    for step in action["runs"]["steps"]:
        if "run" not in step or step["name"] in skip:
            ran.append((step.get("uses", step.get("name")), None, step.get("with", {})))
            continue
        output_file = os.path.join(repository, ".github-output")
        open(output_file, "w").close()
        env = {
            **os.environ,
            **extra_env,
            "GITHUB_OUTPUT": output_file,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
        }
        env.update({key: _expression(str(value), context) for key, value in step.get("env", {}).items()})
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=repository,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        ran.append((step["name"], completed, step))
        with open(output_file) as handle:
            for line in handle:
                key, _, value = line.strip().partition("=")
                context[f"steps.{step.get('id')}.outputs.{key}"] = value
    return ran


def _fake_gh(bin_dir: str, log: str) -> None:
    path = os.path.join(bin_dir, "gh")
    with open(path, "w") as handle:
        handle.write(f'#!/bin/sh\necho "$@" >> {log}\n')
    os.chmod(path, 0o755)


def test_github_action_steps_report_upload_and_comment(tmp_path, action_installed):
    ci_python, install = action_installed
    origin = fixture_repository(tmp_path / "origin")
    repository = str(tmp_path / "clone")
    git(tmp_path, "clone", "-q", origin, repository)
    with open(os.path.join(repository, "k8s", "deployment.yaml"), "w") as handle:
        handle.write(DEPLOYMENT.replace("replicas: 2", "replicas: 1"))
    gh_log = str(tmp_path / "gh.log")
    _fake_gh(ci_python, gh_log)
    steps = run_action(
        repository, {"paths": "k8s", "pr-comment": "true"}, ci_python, {}, skip=("Install topo",)
    )
    names = [name for name, _, _ in steps]
    assert names == [
        "actions/setup-python@v5",
        "Install topo",
        "topo report",
        "github/codeql-action/upload-sarif@v3",
        "Comment the change on the pull request",
        "Fail on findings",
    ]
    by_name = {name: (completed, step) for name, completed, step in steps}
    report = by_name["topo report"][0]
    assert install.returncode == 0, install.stderr
    assert os.path.exists(os.path.join(ci_python, "topo"))
    assert report.returncode == 0, report.stderr
    assert "service-selects-nothing" not in report.stdout  # the Deployment fixed it
    assert "single-replica" in report.stdout
    sarif = json.loads(read(os.path.join(repository, "topo.sarif")))
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"single-replica"}
    upload = by_name["github/codeql-action/upload-sarif@v3"][1]
    assert upload == {"sarif_file": "${{ inputs.sarif-file }}", "category": "topo"}
    comment = by_name["Comment the change on the pull request"][0]
    assert comment.returncode == 0, comment.stderr
    diff = read(os.path.join(repository, "topo-diff.md"))
    assert diff.startswith("## topo diff: `git:origin/main:k8s` → `k8s`")
    assert "Service/default/web" in diff  # its selects-nothing error is resolved by the PR
    assert read(gh_log).split()[:4] == ["pr", "comment", "7", "--body-file"]
    # no finding at error: the job passes; the exit code comes from the report step
    assert by_name["Fail on findings"][0].returncode == 0


def test_github_action_fails_the_job_on_error_findings(tmp_path, action_installed):
    repository = fixture_repository(tmp_path / "app")
    steps = run_action(repository, {"paths": "k8s"}, action_installed[0], {}, skip=("Install topo",))
    final = {name: completed for name, completed, _ in steps}["Fail on findings"]
    assert final.returncode == 1


def _gitlab_template() -> dict:
    with open(os.path.join(ROOT, "docs", "ci.md"), encoding="utf-8") as handle:
        text = handle.read()
    block = text.split("<!-- gitlab-template:start -->")[1].split("<!-- gitlab-template:end -->")[0]
    return yaml.safe_load(block.strip().removeprefix("```yaml").removesuffix("```"))["topo"]


def test_gitlab_template_script_runs_as_a_runner_would(tmp_path, ci_python):
    origin = fixture_repository(tmp_path / "origin")
    repository = str(tmp_path / "clone")
    git(tmp_path, "clone", "-q", origin, repository)
    job = _gitlab_template()
    env = {
        **os.environ,
        **{key: str(value) for key, value in job["variables"].items()},
        "TOPO_INSTALL": ROOT,
        "TOPO_PIP_ARGS": "--no-deps",
        "TOPO_PATHS": "k8s",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "PATH": f"{ci_python}:{os.environ['PATH']}",
    }
    script = "\n".join(job["script"])
    completed = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script], cwd=repository, env=env, capture_output=True, text=True
    )
    assert completed.returncode == 1  # the Service selects nothing: an error finding fails the job
    assert "service-selects-nothing" in completed.stdout
    assert "\x1b[" not in completed.stdout
    from xml.etree import ElementTree

    junit = ElementTree.parse(os.path.join(repository, "topo-junit.xml")).getroot()
    assert junit.get("failures") == "1"
    assert read(os.path.join(repository, "topo-diff.md")).startswith("## topo diff")
    assert set(job["artifacts"]["paths"]) == {"topo-junit.xml", "topo-diff.md"}
    assert job["artifacts"]["reports"]["junit"] == "topo-junit.xml"


# --- colour, progress, completion --------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_follows_the_flag_the_terminal_and_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour("auto", _Terminal()) is True
    assert use_colour("auto", io.StringIO()) is False
    assert use_colour("always", io.StringIO()) is True
    assert use_colour("never", _Terminal()) is False
    monkeypatch.setenv("NO_COLOR", "1")  # https://no-color.org: any non-empty value
    assert use_colour("auto", _Terminal()) is False
    assert use_colour("always", io.StringIO()) is True  # an explicit flag wins
    monkeypatch.setenv("NO_COLOR", "")
    assert use_colour("auto", _Terminal()) is True


def test_report_is_coloured_by_severity_only_when_asked(tmp_path):
    (tmp_path / "svc.yaml").write_text(BROKEN_SERVICE)
    runner = CliRunner()
    coloured = runner.invoke(main, ["report", str(tmp_path), "--color", "always"]).stdout
    assert "\x1b[31m\x1b[1mERRORS (1)" in coloured and "\x1b[31mservice-selects-nothing" in coloured
    plain = runner.invoke(main, ["report", str(tmp_path)]).stdout  # not a terminal: auto is off
    assert "\x1b[" not in plain and "ERRORS (1)" in plain


def test_progress_appears_only_on_a_terminal_after_two_seconds():
    now = [0.0]
    terminal = _Terminal()
    show = terminal_progress(terminal, clock=lambda: now[0])
    show(1, 10)
    now[0] = 1.9
    show(2, 10)
    assert terminal.getvalue() == ""
    now[0] = 2.1
    show(3, 10)
    show(10, 10)
    show(1, 2, "rendering")
    assert terminal.getvalue().startswith("reading files 3/10\r")
    assert terminal.getvalue().endswith("rendering 1/2\r")
    assert terminal_progress(io.StringIO()) is None


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_are_clicks(shell):
    result = CliRunner().invoke(main, ["completion", shell])
    assert result.exit_code == 0
    assert "_TOPO_COMPLETE" in result.stdout


def test_completion_answers_command_and_option_names():
    env = {
        **os.environ,
        "_TOPO_COMPLETE": "bash_complete",
        "COMP_WORDS": "topo report --co",
        "COMP_CWORD": "2",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "topo"], env=env, capture_output=True, text=True, check=False
    )
    assert completed.stdout.split() == ["plain,--config", "plain,--color"]
