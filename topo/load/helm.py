"""Render a Helm chart directory, each object pointing at its template file.

Renderers, first available wins: the optional extra `topo[helm]` (helm-python-sdk, Helm's own Go
SDK through ctypes, offline: `lookup` returns nothing), else `helm template` from PATH, else a
clear message. Values: the chart's `values.yaml` (read by Helm itself), then each `--values`
file, then `--set`, merged the way `helm template -f ... --set ...` merges them
(topo.load.helm_values).

Lines: a rendered template is matched back to its source template file (`# Source:` comments of
`helm template`, or the SDK's template path; a subchart's folder is found by
topo.load.helm_subcharts). Inside it, each object points at its document, told by kind,
then name, then order (topo.load.template_lines). Which values key set an offending value
is found by topo.load.values_origin.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from typing import Any

from topo.load.api_table import served_group_versions, served_kind_versions
from topo.load.helm_dependency_versions import mismatched_version_warnings
from topo.load.helm_repeated_keys import RepeatedKey, repeated_key_warnings
from topo.load.helm_schema import (
    copy_without_values_schemas,
    unchecked_schema_warning,
    unloadable_schema_reference,
)
from topo.load.helm_subcharts import SubchartFolders, missing_dependencies
from topo.load.helm_values import ValuesError, merged_values
from topo.load.locate_text import TextLines
from topo.load.source import Document, LoadError, Source, load_note
from topo.load.template_lines import TemplateLines
from topo.load.units import RenderOptions, Unit

RENDER_TIMEOUT_SECONDS = 300
INSTALL_HINT = "install the optional extra (pip install 'topo[helm]') or put `helm` on PATH"
_SOURCE_COMMENT = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)
#: SplitManifests' separator `(?:^|\s*\n)---\s*` (Go's `\s` is `[\t\n\f\r ]`; `^` is the start of the text)
_HELM_SEPARATOR = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")
#: `template: chart/templates/x.yaml:12:3: executing ...` or `execution error at (chart/templates/x.yaml:14:20)`
_TEMPLATE_ERROR = re.compile(
    r"(?:template: |error at \(|^)(?P<file>[^:\s()]+/templates/[^:\s()]+):(?P<line>\d+)", re.MULTILINE
)
#: the chart's own file that Helm's loader refused (pkg/chart/v2/loader/load.go: `cannot load
#: values.yaml: ... yaml: line 3: ...`); a subchart's says `error unpacking subchart` first
_CHART_FILE_ERROR = re.compile(
    r"cannot load (?P<file>values\.yaml|Chart\.yaml|Chart\.lock|requirements\.yaml|requirements\.lock):"
    r".*?\byaml: line (?P<line>\d+):"
)


class ChartError(Exception):
    """Values or templates that the renderer refused; the message is Helm's."""


def render_chart(unit: Unit, options: RenderOptions, result: Any) -> None:
    """Add the rendered objects of one chart to `result` (a LoadResult)."""
    marker = _display(unit.marker)
    declared_in, missing = missing_dependencies(unit.directory)
    if missing:
        result.errors.append(
            LoadError(
                _display(declared_in),
                1,
                f"chart {unit.display} needs its dependencies in charts/ ({', '.join(missing)}): "
                f"run `helm dependency build {unit.display}` first",
            )
        )
        return
    result.warnings.extend(mismatched_version_warnings(unit.directory, unit.display))
    folders = SubchartFolders(unit.directory)
    try:
        values = merged_values(options.values, options.set_values)
        templates = _render_offline(unit, values, options, result)
    except ValuesError as error:
        result.errors.append(LoadError(error.file, error.line, error.message))
        return
    except ChartError as error:
        file, line = _error_location(str(error), unit, folders)
        # a chart's `fail` message is often laid out over lines (`printf "\n ** invalid ** \n %s"`):
        # one error is one line, as Helm's own output reads once the terminal wraps it
        message = " ".join(str(error).split())
        result.errors.append(LoadError(file, line, f"helm: {message}"))
        return
    except _NoRenderer:
        result.errors.append(LoadError(marker, 1, f"cannot render chart {unit.display}: {INSTALL_HINT}"))
        return
    count = _add_templates(templates, unit, folders, options, result)
    result.warnings.append(
        load_note(marker, 1, f"rendered {count} object(s) with Helm; file:line point at the templates")
    )


class _NoRenderer(Exception):
    pass


def _render_offline(
    unit: Unit, values: dict[str, Any], options: RenderOptions, result: Any
) -> dict[str, str]:
    """Render; when Helm refused only because a remote schema of values.schema.json could not be
    fetched, render again without the schemas and warn (topo.load.helm_schema)."""
    try:
        return _render(unit.directory, values, options)
    except ChartError as error:
        url = unloadable_schema_reference(str(error))
        if url is None:
            raise
        reason = str(error)
    with copy_without_values_schemas(unit.directory) as copy:
        templates = _render(copy, values, options)
    result.warnings.append(unchecked_schema_warning(unit.directory, unit.display, url, reason))
    return templates


def _render(directory: str, values: dict[str, Any], options: RenderOptions) -> dict[str, str]:
    """{template path as Helm names it (`chart/templates/x.yaml`): rendered text}."""
    try:
        import helm_python  # noqa: F401  (the optional extra topo[helm])
    except ImportError:
        helm = shutil.which("helm")
        if helm is None:
            raise _NoRenderer from None
        return _render_with_binary(helm, directory, values, options)
    return _render_in_process(directory, values, options)


def _render_in_process(directory: str, values: dict[str, Any], options: RenderOptions) -> dict[str, str]:
    import helm_python
    from helm_python import _native

    render_options: dict[str, Any] = {"name": options.release_name, "is_install": True}
    if options.namespace:
        render_options["namespace"] = options.namespace
    if options.kube_version:
        render_options["kube_version"] = _kube_version(options.kube_version)
        render_options["api_versions"] = served_api_versions(options.kube_version)
    try:
        with helm_python.Chart.load(directory) as chart:
            # Chart.render() has no kube_version; the native call it wraps takes it (helm-c-sdk
            # pkg/wrapper: name, namespace, is_install, kube_version, api_versions ...).
            rendered = _native.call_string(
                "helm_render", chart._raw(), json.dumps(values), json.dumps(render_options)
            )
    except helm_python.HelmError as error:
        raise ChartError(getattr(error, "detail", None) or str(error)) from error
    except OSError as error:  # the native library could not be loaded or called
        raise ChartError(f"helm-python-sdk failed: {error}") from error
    return dict(json.loads(rendered))


def _render_with_binary(
    helm: str, directory: str, values: dict[str, Any], options: RenderOptions
) -> dict[str, str]:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="topo-values-", delete=False) as handle:
        json.dump(values, handle)
        values_file = handle.name
    command = [helm, "template", options.release_name, directory, "--values", values_file]
    if options.namespace:
        command += ["--namespace", options.namespace]
    if options.kube_version:
        command += ["--kube-version", _kube_version(options.kube_version)]
        for api_version in served_api_versions(options.kube_version):
            command += ["--api-versions", api_version]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=RENDER_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ChartError(str(error)) from error
    finally:
        os.unlink(values_file)
    if completed.returncode != 0:
        raise ChartError(
            completed.stderr.strip().removeprefix("Error: ") or f"exit code {completed.returncode}"
        )
    return split_by_source(completed.stdout)


def split_by_source(text: str) -> dict[str, str]:
    """`helm template` output grouped by its `# Source: chart/templates/x.yaml` comments."""
    templates: dict[str, str] = {}
    current = None
    for document in re.split(r"^---[ \t]*$", text, flags=re.MULTILINE):
        match = _SOURCE_COMMENT.search(document)
        if match:
            current = match.group(1)
        if current is None or not document.strip():
            continue
        templates[current] = templates.get(current, "") + "---\n" + document.lstrip("\n")
    return templates


def split_manifests(text: str) -> list[tuple[int, str]]:
    """The documents Helm cuts a rendered template into, each with the line it starts on in `text`
    (helm.sh/helm v4 pkg/releaseutil/manifest.go SplitManifests: the text and each document
    trimmed of surrounding whitespace, empty ones dropped). Helm cuts at every `---` that starts a
    line, also when a trim marker glued the next line to it (`---\\n{{- if ... -}}\\n# text`
    renders `---# text`), which YAML does not take for a document marker; `helm template` then
    prints clean documents, while the SDK returns each template's text as it was rendered."""
    offset = len(text) - len(text.lstrip())
    trimmed = text.strip()
    cuts = [0]
    for match in _HELM_SEPARATOR.finditer(trimmed):
        cuts.extend((match.start(), match.end()))
    cuts.append(len(trimmed))
    documents = []
    line, counted = 1, 0
    for start, end in zip(cuts[::2], cuts[1::2]):
        piece = trimmed[start:end]
        document = piece.strip()
        if not document:
            continue
        first = offset + start + len(piece) - len(piece.lstrip())
        line += text.count("\n", counted, first)
        counted = first
        documents.append((line, document))
    return documents


def yaml_texts(documents: list[tuple[int, str]]) -> Iterator[str]:
    """YAML streams that hold Helm's documents each at the line it starts on, so that the reader's
    lines (an invalid document, a repeated key) are the rendered template's: documents follow one
    another with a `---` line of their own; one that starts on its separator's line (`---# text`)
    opens a new stream, padded with blank lines down to its line."""
    parts: list[str] = []
    next_line = 1  # the line the next character of the stream is on
    for line, body in documents:
        if not body.strip():
            continue
        ends_line = not parts or parts[-1].endswith("\n")
        marker_line = next_line if ends_line else next_line + 1
        if parts and line > marker_line:
            gap = "---" + "\n" * (line - marker_line)
            parts.append(gap if ends_line else "\n" + gap)
        else:
            if parts:
                yield "".join(parts)
            parts = ["\n" * (line - 1)]
        parts.append(body)
        next_line = line + body.count("\n")
    if parts:
        yield "".join(parts)


def served_api_versions(version: str) -> list[str]:
    """What the target Kubernetes version serves of the APIs that changed over releases, as
    `helm template --api-versions` takes it (added to Helm's offline set): each group/version
    (`Has "apiregistration.k8s.io/v1"`), then each `apiVersion/Kind` (`Has
    "policy/v1/PodDisruptionBudget"`). Without them `helm template` answers from its offline set,
    which knows no kinds and no apiregistration.k8s.io, and a chart renders the old apiVersion that
    `helm install` against that cluster would not (topo.load.api_table)."""
    major, _, rest = version.lstrip("v").partition(".")
    minor = rest.split(".")[0]
    try:
        target = (int(major), int(minor))
    except ValueError:
        return []
    return served_group_versions(target) + served_kind_versions(target)


def _kube_version(version: str) -> str:
    """topo.yaml's `1.32` as `helm template --kube-version` reports it to templates: `v1.32.0`."""
    version = version.lstrip("v")
    if version.count(".") == 1:
        version += ".0"
    return f"v{version}"


def _display(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


def _error_location(message: str, unit: Unit, folders: SubchartFolders) -> tuple[str, int]:
    match = _TEMPLATE_ERROR.search(message)
    if match and "/" in match.group("file"):
        return _display(folders.template_file(match.group("file"))), int(match.group("line"))
    match = _CHART_FILE_ERROR.match(message)
    if match:
        return _display(os.path.join(unit.directory, match.group("file"))), int(match.group("line"))
    return _display(unit.marker), 1


def _add_templates(
    templates: Mapping[str, str], unit: Unit, folders: SubchartFolders, options: RenderOptions, result: Any
) -> int:
    from topo.load.reader import load_text
    from topo.load.values_origin import ValuesIndex

    count = skipped_tests = 0
    values_index = ValuesIndex(unit, options)
    for template, text in sorted(templates.items()):
        if template.endswith("NOTES.txt") or not text.strip():
            continue
        path = folders.template_file(template)
        subchart = folders.subchart(template)
        display = _display(path)
        lines = TemplateLines(path)
        template_text = None  # read when a rendered key is given twice
        for yaml_text in yaml_texts(split_manifests(text)):
            repeated: list[RepeatedKey] = []
            rendered = load_text(yaml_text, display, repeated)
            result.errors.extend(rendered.errors)
            result.warnings.extend(rendered.warnings)
            placed = {}  # the rendered line of each document → its template line, the object
            for document in rendered.documents:
                line = lines.line_for(str(document.data.get("kind", "")), _name_of(document.data))
                placed[document.source.line] = (line, document.data)
                if is_test_hook(document.data):
                    skipped_tests += 1
                    continue
                result.documents.append(Document(document.data, Source(display, line)))
                values_index.record(Source(display, line), path, document.data, subchart)
                count += 1
            if repeated:
                if template_text is None:
                    template_text = TextLines(lines.lines)
                result.warnings.extend(
                    repeated_key_warnings(display, yaml_text, repeated, placed, template_text)
                )
    result.provenance.update(values_index.origins)
    if skipped_tests:
        result.warnings.append(
            load_note(
                _display(unit.marker),
                1,
                f"{skipped_tests} Helm test hook object(s) (`helm.sh/hook: test`) skipped: they run only under `helm test`",
            )
        )
    return count


def is_test_hook(data: Mapping[str, Any]) -> bool:
    """An object that `helm test` creates, never `helm install` (helm.sh/helm pkg/release/hook.go:
    hook events `test`, and the older `test-success`/`test-failure`)."""
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    hooks = annotations.get("helm.sh/hook") if isinstance(annotations, Mapping) else None
    if not isinstance(hooks, str):
        return False
    return any(hook.strip() in ("test", "test-success", "test-failure") for hook in hooks.split(","))


def _name_of(data: Mapping[str, Any]) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else ""
