"""`git:REV:path` inputs: manifests as they are in a revision of the current git repository.

Nothing is checked out and the working tree is never touched: the file list comes from
`git ls-tree -r -z REV -- path` and the contents from the object database by object id
(`git cat-file --batch`, the bulk form of `git show REV:file`). Each file is then read by the same loader as a file on disk,
under the name the user would give it in the working tree (relative to the working directory, as
`git ls-tree` prints it), so `file:line` of both sides of `topo diff` look alike.

    git:HEAD~1:k8s        the k8s folder one commit ago
    git:main:deploy/app.yaml
    git:v1.2.0            the working directory as of tag v1.2.0 (path defaults to `.`)

The revision ends at the first `:` after `git:` (revisions that contain `:` need another name).
Paths are relative to the working directory, as on the command line, and may use `..`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterable
from typing import Any

from topo.load.cache import ParseCache
from topo.load.git_render import load_rendered_revision, needs_rendering
from topo.load.reader import MANIFEST_SUFFIXES, LoadResult, load_bytes, load_paths
from topo.load.source import LoadError, LoadWarning

GIT_PREFIX = "git:"
_TIMEOUT = 120  # seconds; a git command that hangs (a lock, a prompt) must not hang topo


class GitSourceError(ValueError):
    """A `git:` input that cannot be read at all (no repository, unknown revision): a usage error."""


def is_git_spec(path: str) -> bool:
    return path.startswith(GIT_PREFIX)


def parse_git_spec(spec: str) -> tuple[str, str]:
    """`git:REV:path` → (REV, path); `git:REV` → (REV, "."). An empty REV is an error."""
    rest = spec[len(GIT_PREFIX) :]
    revision, _, path = rest.partition(":")
    if not revision:
        raise GitSourceError(f"{spec}: expected git:REV:PATH (for example git:HEAD~1:k8s)")
    return revision, path or "."


def load_inputs(
    paths: Iterable[str],
    stdin: Any = None,
    progress: Callable[[int, int], None] | None = None,
    cwd: str | None = None,
    render: Any = None,
    cache: ParseCache | None = None,
) -> LoadResult:
    """Like `load_paths`, where any path may also be a `git:REV:path` spec (read from the repository
    of `cwd`, default the working directory)."""
    paths = list(paths)
    plain = [p for p in paths if not is_git_spec(p)]
    result = (
        load_paths(plain, stdin=stdin, progress=progress, render=render, cache=cache)
        if plain
        else LoadResult()
    )
    for spec in paths:
        if is_git_spec(spec):
            revision, path = parse_git_spec(spec)
            found = load_git(revision, path, cwd=cwd, render=render, cache=cache)
            result.documents.extend(found.documents)
            result.errors.extend(found.errors)
            result.warnings.extend(found.warnings)
            result.provenance.update(found.provenance)
            result.texts.update(found.texts)  # the revision's text, not the working tree's file
    return result


def load_git(
    revision: str,
    path: str = ".",
    cwd: str | None = None,
    render: Any = None,
    cache: ParseCache | None = None,
) -> LoadResult:
    """The manifests under `path` (a folder or a file, relative to `cwd`) at `revision`.

    Raises GitSourceError when `cwd` is not inside a git work tree, git is missing, or the revision
    is unknown; a path that does not exist in that revision is a LoadError (like a missing file).
    """
    cwd = cwd or os.getcwd()
    spec = f"{GIT_PREFIX}{revision}:{path}"
    _git(["rev-parse", "--show-toplevel"], cwd, spec, "not inside a git repository")
    commit = (
        _git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
            cwd,
            spec,
            f"unknown revision {revision!r} in this repository",
            detail=False,
        )
        .decode()
        .strip()
    )
    result = LoadResult()
    # -z and object ids: a file name with a newline (or any byte) cannot desynchronise the reader.
    listing = _git(["ls-tree", "-r", "-z", commit, "--", path], cwd, spec, "cannot list files")
    entries = [_tree_entry(record) for record in listing.split(b"\0") if record]
    display = os.path.normpath(path).replace(os.sep, "/")
    if not entries:
        result.errors.append(LoadError(f"{spec}", 1, f"no such file or directory in revision {revision}"))
        return result
    if needs_rendering([name for _, _, name in entries]):  # a kustomization or a chart: rendered
        archive = _git(["archive", "--format=tar", commit], cwd, spec, "cannot read files")
        prefix = (
            _git(["rev-parse", "--show-prefix"], cwd, spec, "not inside a git repository").decode().strip()
        )
        return load_rendered_revision(archive, prefix, path, render)
    entries.sort(key=lambda entry: entry[2].split("/"))
    single_file = len(entries) == 1 and os.path.normpath(entries[0][2]) == os.path.normpath(path)
    wanted = []
    for mode, object_id, name in entries:
        if not (single_file or _is_manifest(name, display)):
            continue
        shown = os.path.normpath(name).replace(os.sep, "/")
        if mode == "120000":
            result.warnings.append(
                LoadWarning(shown, 1, f"a symbolic link in revision {revision}: not followed")
            )
        elif mode == "160000":
            result.warnings.append(LoadWarning(shown, 1, f"a submodule in revision {revision}: not read"))
        else:
            wanted.append((shown, object_id))
    if not wanted and not result.warnings:
        result.errors.append(LoadError(spec, 1, "directory contains no manifests (.yaml, .yml, .json)"))
        return result
    for (name, _), data in zip(wanted, _read_blobs([object_id for _, object_id in wanted], cwd, spec)):
        if data is None:
            result.errors.append(LoadError(name, 1, f"cannot read the file from revision {revision}"))
        else:
            load_bytes(data, name, into=result, cache=cache)
    return result


def _tree_entry(record: bytes) -> tuple[str, str, str]:
    """`<mode> <type> <object>\t<name>` of `git ls-tree -z` → (mode, object id, name)."""
    meta, _, name = record.partition(b"\t")
    mode, _, rest = meta.partition(b" ")
    object_id = rest.rpartition(b" ")[2]
    return mode.decode("ascii"), object_id.decode("ascii"), name.decode("utf-8", "surrogateescape")


def _is_manifest(name: str, directory: str) -> bool:
    """What `load_paths` would read in a folder: manifest suffixes, no hidden file or folder below it."""
    relative = (
        os.path.relpath(os.path.normpath(name), directory) if directory != "." else os.path.normpath(name)
    )
    parts = [part for part in relative.replace(os.sep, "/").split("/") if part not in ("", "..")]
    if any(part.startswith(".") for part in parts):
        return False
    return name.lower().endswith(MANIFEST_SUFFIXES)


def _read_blobs(object_ids: list[str], cwd: str, spec: str) -> list[bytes | None]:
    """The contents of each object id (hex, never a name: no newline can split a request), with one
    git process; None for an object git does not have."""
    request = "".join(f"{object_id}\n" for object_id in object_ids).encode("ascii")
    output = _git(["cat-file", "--batch"], cwd, spec, "cannot read files", stdin=request)
    blobs: list[bytes | None] = []
    position = 0
    for _ in object_ids:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        position = end + 1
        if len(header) < 3 or header[1] != b"blob":
            blobs.append(None)
            continue
        size = int(header[2])
        blobs.append(output[position : position + size])
        position += size + 1  # the content is followed by a newline
    return blobs


def _git(
    args: list[str], cwd: str, spec: str, problem: str, stdin: bytes | None = None, detail: bool = True
) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=_TIMEOUT,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError as error:
        raise GitSourceError(f"{spec}: git is not installed (needed to read a revision)") from error
    except subprocess.TimeoutExpired as error:
        raise GitSourceError(f"{spec}: git did not answer within {_TIMEOUT} s") from error
    if completed.returncode != 0:
        said = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = f" ({said[-1]})" if detail and said else ""
        raise GitSourceError(f"{spec}: {problem}{reason}")
    return completed.stdout
