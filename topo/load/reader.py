"""Find manifest files, read them as text, and turn their documents into Kubernetes objects.

Nothing here knows about kinds beyond what a document must have to be an object at all
(`apiVersion`, `kind`, `metadata.name`) and how lists (`kind: List`, `PodList`, JSON arrays) wrap
their items. Everything that goes wrong becomes a LoadError or LoadWarning with file and line.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from topo.load.cache import FileResult, ParseCache, encode_payload
from topo.load.construct import FastLoader, YamlKey
from topo.load.plumbing import MANIFEST_SUFFIXES, plumbing_by_name, plumbing_document
from topo.load.source import Document, LoadError, LoadWarning, Source, ValueOrigin, load_note, note_where
from topo.load.yamldocs import ParseFailure, parse_documents

STDIN = "-"
STDIN_NAME = "<stdin>"

_HELM_TEMPLATE = re.compile(
    r"\{\{-?\s*(?:\.|\$|-|if\b|range\b|end\b|include\b|template\b|with\b|define\b|toYaml\b|/\*)"
)
_HELM_HINT = "unrendered Helm template (`{{ ... }}`): render it with `helm template` first"


@dataclass
class LoadResult:
    """Every object document found, plus what could not be read (errors) or was skipped (warnings)."""

    documents: list[Document] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    #: where values of rendered objects came from (Helm values keys, kustomize patches), by object source
    provenance: dict[Source, list[ValueOrigin]] = field(default_factory=dict)
    #: the text of sources that cannot be read again (stdin, a string, a git revision)
    texts: dict[str, str] = field(default_factory=dict)

    def text_of(self, name: str) -> str | None:
        """The text a source was read from (files are read again from disk), or None."""
        if name in self.texts:
            return self.texts[name]
        try:
            with open(name, "rb") as handle:
                return decode_text(handle.read())
        except (OSError, UnicodeDecodeError):
            return None


def load_paths(
    paths: Iterable[str],
    stdin: Any = None,
    progress: Callable[..., None] | None = None,
    render: Any = None,
    cache: ParseCache | None = None,
) -> LoadResult:
    """Read files, directories (recursively) and `-` (stdin) in a deterministic order.

    A directory that holds a kustomization or a `Chart.yaml` is rendered as one unit with the
    options in `render` (topo.load.units.RenderOptions); its files are not read one by one.
    `progress(done, total)` is called after each file (the CLI shows it on a terminal). With a
    `cache`, files whose bytes were read before are not parsed again (topo.load.cache); large
    inputs are parsed in parallel where there is more than one CPU (topo.load.parallel).
    """
    from topo.load.units import note_unused_values, render_units

    paths = list(paths)
    result = LoadResult()
    files, units = collect_inputs(paths, result)
    note_unused_values(units, render, result)
    load_files(files, result, stdin, progress, cache)
    render_units(units, render, result, progress)
    FastLoader.forget_resolved()
    note_nothing_to_analyse(result, paths)
    return result


def note_nothing_to_analyse(result: LoadResult, paths: list[str]) -> None:
    """A warning (at the first input) when the input holds no object and nothing was said about it
    (no error, no skipped document): an empty file, only comments, a render that produced nothing.
    `kubectl apply -f` refuses it ("no objects passed to apply"); a report of it would pass in
    silence."""
    if result.documents or result.errors or result.warnings or not paths:
        return
    name = STDIN_NAME if paths[0] == STDIN else display_name(paths[0])
    result.warnings.append(LoadWarning(name, 1, "no Kubernetes objects in the input: nothing to analyse"))


def collect_inputs(paths: Iterable[str], result: LoadResult) -> tuple[list[str], list[Any]]:
    """The files to read one by one, and the directories to render (topo.load.units.Unit)."""
    from topo.load.units import drop_nested_units, unit_of

    files: list[str] = []
    units: list[Any] = []
    for path in paths:
        if path != STDIN and (unit := unit_of(path)) is not None:
            units.append(unit)
            continue
        if path == STDIN or not os.path.isdir(path):
            files.append(path)
            continue
        units_before = len(units)
        errors_before = len(result.errors)
        found = list(_manifest_files(path, result, units))
        if not found and len(units) == units_before and len(result.errors) == errors_before:
            result.errors.append(
                LoadError(display_name(path), 1, "directory contains no manifests (.yaml, .yml, .json)")
            )
        files.extend(found)
    return files, drop_nested_units(units, result)


def load_files(
    files: list[str],
    result: LoadResult,
    stdin: Any = None,
    progress: Callable[..., None] | None = None,
    cache: ParseCache | None = None,
) -> None:
    """Read each file (or `-`) into `result`: through the cache, in parallel when it pays."""
    from topo.load.parallel import read_files

    if cache is not None:
        cache.use_stamps(files)  # files unchanged since an earlier run read them are not read again
    read_files(files, result, stdin=stdin, cache=cache, progress=progress)
    if cache is not None:
        cache.keep_stamps()
        if not cache.writing_in_background:  # (a background writer prunes itself)
            cache.prune()


def read_input(
    path: str, stdin: Any = None, stamps: Any = None
) -> tuple[str, bytes | None, LoadError | LoadWarning | None]:
    """(display name, bytes, None), or (name, None, why not): the LoadError when the input cannot be
    read, the note when it is a file of a renderer's plumbing skipped by name. With `stamps`
    (topo.load.stamps.StampIndex), the file's stamp and digest are noted as it is read."""
    if path == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read()
        return STDIN_NAME, data if isinstance(data, bytes) else data.encode(), None
    name = display_name(path)
    if (what := plumbing_by_name(path)) is not None:
        return name, None, load_note(name, 1, f"{what}: not a manifest, skipped")
    if not os.path.exists(path):
        return name, None, LoadError(name, 1, "no such file or directory")
    try:
        noted = stamps.read(path) if stamps is not None else None
        if noted is not None:
            return name, noted[0], None
        with open(path, "rb") as handle:
            return name, handle.read(), None
    except OSError as error:
        return name, None, LoadError(name, 1, f"cannot read file: {error.strerror or error}")


def file_result(data: bytes, name: str) -> FileResult:
    """What one file's bytes read to, as plain data without the file's name (what the cache keeps).

    Only the name's last part matters (a values file or a kustomization is told by its name), so
    it is part of the cache key (topo.load.cache.entry_key)."""
    scratch = LoadResult()
    try:
        _load_bytes(data, name, scratch)
    except Exception as error:
        note_where(error, f"reading {name}")
        raise
    return (
        [(document.data, document.source.line) for document in scratch.documents],
        [_fields_after_file(error) for error in scratch.errors],
        [_fields_after_file(warning) for warning in scratch.warnings],
    )


def _fields_after_file(diagnostic: LoadError | LoadWarning) -> tuple:
    return tuple(getattr(diagnostic, f.name) for f in dataclasses.fields(diagnostic) if f.name != "file")


def parse_and_store(data: bytes, name: str, cache: ParseCache | None) -> FileResult:
    """Parse one file's bytes; keep the result in the cache when there is one and it can be kept."""
    read = file_result(data, name)
    if cache is not None:
        payload = encode_payload(read)
        if payload is not None:
            cache.put(cache.key(data, name), payload)
    return read


def add_file_result(result: LoadResult, name: str, read: FileResult) -> None:
    """Append one file's documents, errors and warnings under its name."""
    documents, errors, warnings = read
    result.documents.extend(Document(data, Source(name, line)) for data, line in documents)
    result.errors.extend(LoadError(name, *fields) for fields in errors)
    result.warnings.extend(LoadWarning(name, *fields) for fields in warnings)


def load_text(
    text: str, name: str = STDIN_NAME, repeated_keys: list[tuple[int, int, str, int]] | None = None
) -> LoadResult:
    """Load manifests given as a string (tests, the dashboard's upload, a rendered template).

    With `repeated_keys`, a key given twice in one mapping is added there as (first line of its
    document, line of the later key, the key, line of the first) instead of becoming a warning:
    the caller knows lines that `text` does not (a rendered template's source)."""
    result = LoadResult()
    result.texts[name] = text
    _load_text(text, name, result, repeated_keys)
    return result


def load_bytes(
    data: bytes, name: str, into: LoadResult | None = None, cache: ParseCache | None = None
) -> LoadResult:
    """Load one file's raw bytes read from elsewhere (a git revision), decoded as files on disk are."""
    result = into if into is not None else LoadResult()
    if cache is None:
        _load_bytes(data, name, result, keep=True)
        return result
    read = cache.get(cache.key(data, name))
    if read is None:
        read = parse_and_store(data, name, cache)
    add_file_result(result, name, read)
    result.texts[name] = kept_text(data, name)
    return result


def kept_text(data: bytes, name: str) -> str:
    """The text `_load_bytes(..., keep=True)` keeps for a source that cannot be read again."""
    try:
        return decode_text(data)
    except UnicodeDecodeError:
        return _decode_document_by_document(data, name, LoadResult())


def load_kept(data: bytes, name: str, result: LoadResult) -> None:
    """Load bytes that cannot be read again (stdin), keeping their text (never cached)."""
    before = len(result.documents), len(result.errors)
    try:
        _load_bytes(data, name, result, keep=True)
    except Exception as error:
        note_where(error, f"reading {name}")
        raise
    if name == STDIN_NAME and (len(result.documents), len(result.errors)) == before:
        # `helm template broken | topo report -`: the command before the pipe failed, or printed
        # nothing. Saying "no findings" would pass a CI job that checked nothing.
        shown = "empty input" if not data.strip() else "no Kubernetes object in it"
        result.errors.append(
            LoadError(name, 1, f"no object was read from stdin ({shown}): did the command before `|` fail?")
        )


def _manifest_files(directory: str, result: LoadResult, units: list[Any] | None = None) -> Iterator[str]:
    """Manifest files under `directory`, sorted; hidden files and folders are left out, and so
    are the folders rendered as one unit (kustomizations, charts: appended to `units`).

    Symbolic links to folders are followed, each real folder read once (a link back to an
    ancestor is a loop, not an endless walk); what cannot be listed or read is a LoadError; what
    is not a regular file (a FIFO, socket or device named `*.yaml`: reading it could block
    forever) is a LoadWarning. Nothing is skipped in silence.
    """
    from topo.load.units import unit_of

    found = []
    visited: dict[tuple[int, int], str] = {}

    def unreadable(error: OSError) -> None:
        where = display_name(error.filename or directory)
        result.errors.append(LoadError(where, 1, f"cannot read directory: {error.strerror or error}"))

    for root, dirs, files in os.walk(directory, onerror=unreadable, followlinks=True):
        try:
            status = os.stat(root)
        except OSError as error:
            result.errors.append(LoadError(display_name(root), 1, f"cannot read directory: {error.strerror}"))
            dirs[:] = []
            continue
        key = (status.st_dev, status.st_ino)
        if key in visited:
            message = f"a symbolic link to {visited[key]}, which is read already: not read twice"
            result.warnings.append(LoadWarning(display_name(root), 1, message))
            dirs[:] = []
            continue
        visited[key] = display_name(root)
        if units is not None and (unit := unit_of(root)) is not None:
            units.append(unit)  # rendered as one unit: its files are not manifests on their own
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.lower().endswith(MANIFEST_SUFFIXES) and not name.startswith("."):
                path = os.path.join(root, name)
                problem = _not_a_regular_file(path)
                if problem is None:
                    found.append(path)
                elif problem.startswith("cannot"):
                    result.errors.append(LoadError(display_name(path), 1, problem))
                else:
                    result.warnings.append(LoadWarning(display_name(path), 1, problem))
    yield from sorted(found, key=lambda p: p.split(os.sep))


def display_path(path: str) -> str:
    """A path as messages show it: normalised, with forward slashes."""
    return display_name(path)


def _not_a_regular_file(path: str) -> str | None:
    """Why `path` is not read as a manifest (None: a regular file, or a link to one)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "cannot read file: a symbolic link to nothing (broken link)"
    except OSError as error:
        return f"cannot read file: {error.strerror or error}"
    if stat.S_ISREG(mode):
        return None
    what = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    return f"{what}, not a regular file: skipped (name it on the command line to read it)"


def display_name(path: str) -> str:
    """How a file is named in messages: its path as given, normalised, with forward slashes."""
    return os.path.normpath(path).replace(os.sep, "/")


def _load_bytes(data: bytes, name: str, result: LoadResult, keep: bool = False) -> None:
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        text = _decode_document_by_document(data, name, result)
    if keep:
        result.texts[name] = text
    _load_text(text, name, result)


_BYTES_DOCUMENT_START = re.compile(rb"^---(?=[ \t\r\n]|$)", re.MULTILINE)


def _decode_document_by_document(data: bytes, name: str, result: LoadResult) -> str:
    """Decode each `---` part on its own: a part with a bad byte becomes a LoadError at that
    byte's line and is replaced by as many empty lines, so the other documents keep their lines."""
    starts = [0] + [m.start() for m in _BYTES_DOCUMENT_START.finditer(data) if m.start() > 0] + [len(data)]
    parts = []
    lines_before = 0  # counted part by part: linear however many parts are broken
    for start, end in itertools.pairwise(starts):
        part = data[start:end]
        try:
            parts.append(part.decode("utf-8-sig" if start == 0 else "utf-8"))
        except UnicodeDecodeError as error:
            offset = start + error.start
            line = lines_before + data.count(b"\n", start, offset) + 1
            result.errors.append(
                LoadError(name, line, f"not UTF-8 text: invalid byte 0x{data[offset]:02x} at offset {offset}")
            )
            parts.append("\n" * part.count(b"\n"))
        lines_before += part.count(b"\n")
    return "".join(parts)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), or UTF-16 when a BOM says so, as YAML allows."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def _load_text(
    text: str, name: str, result: LoadResult, repeated_keys: list[tuple[int, int, str, int]] | None = None
) -> None:
    helm = _HELM_TEMPLATE.search(text)
    found_any = False
    plumbing_noted = False
    lines: list[str] | None = None
    for parsed in parse_documents(text):
        if isinstance(parsed, ParseFailure):
            message = parsed.message
            if helm is not None and lines is None:
                lines = text.splitlines()  # once per file, not once per broken document
            if lines is not None and _near_template(lines, parsed.line):
                message = _HELM_HINT
            result.errors.append(LoadError(name, parsed.line, message))
            continue
        for line, key, first in parsed.repeated_keys:
            if repeated_keys is not None:
                repeated_keys.append((parsed.line, line, key, first))
                continue
            result.warnings.append(
                LoadWarning(
                    name,
                    line,
                    f"key {key!r} is given twice in one mapping (first on line {first}): {LATER_KEY_WINS}",
                )
            )
        if parsed.value is None:
            continue  # an empty document
        found_any = True
        what = plumbing_document(parsed.value, name)
        if what is not None:
            if not plumbing_noted:
                result.warnings.append(load_note(name, parsed.line, f"{what}: not a manifest, skipped"))
                plumbing_noted = True
            continue
        _add_value(parsed.value, Source(name, parsed.line), parsed.item_lines, result)
    if not found_any and helm is not None and not any(e.file == name for e in result.errors):
        line = text.count("\n", 0, helm.start()) + 1
        result.errors.append(LoadError(name, line, _HELM_HINT))


#: what a key given twice in one mapping does to the object
LATER_KEY_WINS = (
    "the later value is used, as `kubectl apply -f` does, and the earlier one is lost "
    "(kustomize refuses the file)"
)


def _near_template(lines: list[str], line: int) -> bool:
    """Whether a parse failure at `line` is explained by template braces on or just before it."""
    window = lines[max(0, line - 4) : line + 1]
    return any(_HELM_TEMPLATE.search(candidate) for candidate in window)


def _add_value(value: Any, source: Source, item_lines: tuple[int, ...], result: LoadResult) -> None:
    if isinstance(value, list):
        if not any(_looks_like_object(item) for item in value):
            # A JSON report or a list of plain values: one warning for the document, not one per item.
            message = "not a Kubernetes manifest (a list without objects): skipped"
            result.warnings.append(LoadWarning(source.file, source.line, message))
            return
        _add_items(value, source, item_lines, None, result)
        return
    if not isinstance(value, dict):
        result.warnings.append(
            LoadWarning(source.file, source.line, "not a Kubernetes manifest (a plain value): skipped")
        )
        return
    kind, api_version = value.get("kind"), value.get("apiVersion")
    if kind is None and api_version is None:
        result.warnings.append(
            LoadWarning(
                source.file, source.line, "not a Kubernetes manifest (no apiVersion or kind): skipped"
            )
        )
        return
    if _is_list(value):
        _add_items(value["items"], source, item_lines, value, result)
        return
    _add_object(value, source, result)


def _looks_like_object(item: Any) -> bool:
    return isinstance(item, dict) and ("kind" in item or "apiVersion" in item)


def _is_list(value: Mapping[str, Any]) -> bool:
    kind = value.get("kind")
    return (
        isinstance(kind, str)
        and kind.endswith("List")
        and isinstance(value.get("items"), list)
        and "spec" not in value
    )


def _add_items(
    items: list, source: Source, item_lines: tuple[int, ...], wrapper: Mapping | None, result: LoadResult
) -> None:
    item_kind = None
    item_api_version = None
    if wrapper is not None:
        wrapper_kind = wrapper["kind"]
        item_kind = wrapper_kind[: -len("List")] or None  # `List` itself gives no kind
        item_api_version = wrapper.get("apiVersion")
    for index, item in enumerate(items):
        line = item_lines[index] if index < len(item_lines) else source.line
        item_source = Source(source.file, line)
        if not isinstance(item, dict):
            result.errors.append(
                LoadError(source.file, line, f"items[{index}]: expected an object, got {type_name(item)}")
            )
            continue
        if wrapper is not None and (
            ("kind" not in item and item_kind) or ("apiVersion" not in item and item_api_version)
        ):
            item = dict(item)
            if "kind" not in item and item_kind:
                item["kind"] = item_kind
            if "apiVersion" not in item and item_api_version and item_kind:
                item["apiVersion"] = item_api_version
        if wrapper is None and "kind" not in item and "apiVersion" not in item:
            result.warnings.append(
                LoadWarning(source.file, line, "not a Kubernetes manifest (no apiVersion or kind): skipped")
            )
            continue
        _add_object(item, item_source, result)


#: The API server names a generateName object `<generateName, cut to 58 characters><5 random
#: characters>` (k8s.io/apiserver pkg/storage/names/generate.go, SimpleNameGenerator); topo stands
#: for the random part with this.
GENERATED_SUFFIX = "xxxxx"
_GENERATED_BASE_MAX = 58


def _add_object(value: Mapping[str, Any], source: Source, result: LoadResult) -> None:
    metadata = value.get("metadata")
    if isinstance(metadata, dict) and metadata.get("name") is None and metadata.get("generateName"):
        value = _with_generated_name(value, metadata, source, result)
    problem = object_problem(value)
    if problem:
        if "{{" in problem:
            problem = _HELM_HINT
        result.errors.append(LoadError(source.file, source.line, problem))
        return
    result.documents.append(Document(value, source))


def _with_generated_name(
    value: Mapping[str, Any], metadata: dict, source: Source, result: LoadResult
) -> Mapping[str, Any]:
    """A generateName object (Argo CD's and Helm's hooks that run on every sync) under the kind
    of name the API server gives it, so that it is analysed like any other; a note says so."""
    base = metadata["generateName"]
    if not isinstance(base, str):
        return value  # object_problem says what is wrong with it
    name = base[:_GENERATED_BASE_MAX] + GENERATED_SUFFIX
    kind = value.get("kind") if isinstance(value.get("kind"), str) else "object"
    result.warnings.append(
        load_note(
            source.file,
            source.line,
            f"{kind} with generateName {base!r}: the API server names it {base!r} + 5 random characters "
            f"(`kubectl create`, Argo CD and Helm hooks; `kubectl apply` refuses it); analysed as {name!r}",
        )
    )
    return {**value, "metadata": {**metadata, "name": name}}


def object_problem(value: Mapping[str, Any]) -> str | None:
    """Why a mapping with apiVersion or kind is not a usable object, or None when it is."""
    kind = value.get("kind")
    api_version = value.get("apiVersion")
    if not isinstance(kind, str) or not kind:
        return f"kind: expected a non-empty string, got {type_name(kind)}"
    if not isinstance(api_version, str) or not api_version:
        return f"{kind}: apiVersion: expected a non-empty string, got {type_name(api_version)}"
    metadata = value.get("metadata")
    if not isinstance(metadata, dict):
        return f"{kind}: metadata: expected a mapping with a name, got {type_name(metadata)}"
    name = metadata.get("name")
    if name is None and metadata.get("generateName") is not None:
        return f"{kind}: metadata.generateName: expected a string, got {type_name(metadata['generateName'])}"
    if not isinstance(name, str) or not name:
        return f"{kind}: metadata.name: expected a non-empty string, got {type_name(name)}"
    if "{{" in name:
        return "{{"
    namespace = metadata.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        # "" is allowed: it is ObjectMeta's zero value, so kubectl uses the context's namespace.
        return f"{kind}/{name}: metadata.namespace: expected a string, got {type_name(namespace)}"
    return None


def type_name(value: Any) -> str:
    """How a YAML value is described in messages: `string "three"`, `mapping`, `null`..."""
    if isinstance(value, YamlKey):  # a key kept apart from an equal one of another type
        return type_name(value.value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'string "{shown}"'
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return type(value).__name__
