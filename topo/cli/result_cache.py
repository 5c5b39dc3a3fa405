"""The whole-run result cache: a command run again on the same input answers with the last run's output.

CI runs the same `topo report` on every push, and most pushes change no manifest. Like ruff's and
mypy's caches for unchanged input, a run whose command line, working directory, relevant
environment, topo code and input bytes are all those of an earlier run writes that run's stdout
and stderr bytes and exits with its exit code, without building the model.

An entry is keyed by everything a run's output can depend on besides the input files: the
arguments as given, the working directory (paths are printed relative to it), the `TOPO_*` and
`NO_COLOR` environment variables, the encodings of stdout and stderr, and a salt over every file
of the topo package, the Python version and the installed versions of topo, click, PyYAML and
networkx (an editable install changes code without changing the version). The entry holds which
input files the run read (manifest paths, the configuration file, a baseline, values files) and a
digest of their bytes; it answers only when that digest is the same now. A file the run wrote
(`--write-baseline`, `review --out`) is kept too and written again. A run qualifies only when
nothing else can change its output: plain files and directories (no stdin, no `git:REV:PATH`, no
kustomization or Helm chart, which external tools render, no symbolic link to a folder), neither
stream a terminal (colours, progress), exit code 0, 1 or 2. Anything else runs as usual and is
not kept.

The check reads and hashes the input files (a manifest file whose stamp says it is unchanged since
a run read it only is stat()ed: topo.load.stamps) and a few hundred KB of topo's own source; it
imports neither the model nor the rules (nor networkx, nor the YAML parser). A run that records writes its
output to the entry's temporary file as it goes (topo.cli.result_entry), and at its end checks
that its inputs did not change by their file system stamps instead of reading them again
(`unchanged`). Entries share the parse cache's location, format safety (magic number, checksum,
atomic rename: topo.load.cache) and LRU size cap; `--no-cache` neither reads nor writes them.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time
from typing import Any

from topo.cli.result_entry import MAGIC, SUBDIR, Spool, decode, tee
from topo.load.cache import content_digest, default_cache_dir, input_scope, max_bytes
from topo.load.cache_files import prune_if_due, read_entry
from topo.load.plumbing import CHART_FILE, KUSTOMIZATION_FILES, MANIFEST_SUFFIXES
from topo.load.salt import PACKAGE, code_salt, package_salt
from topo.load.stamps import RACY_NS, StampIndex, stamp_of

__all__ = ["PACKAGE", "code_salt"]  # (the salt's home is topo.load.salt; tests read it here)

#: Tests that run commands in-process with topo's code patched turn this off (tests/conftest.py).
ENABLED = True

#: Commands whose output is a function of their parameters and input files.
COMMANDS = frozenset({"diff", "drain", "graph", "reach", "report", "resolve", "review", "rollout", "trace"})
#: Parameters that name manifests (files or directories).
_MANIFESTS = ("paths", "old", "new")
#: Parameters that name another file the run reads.
_INPUT_FILES = ("config_path", "baseline_path", "values_files")
#: Parameters that name a file the run writes: its bytes are kept, and written again on a hit.
_WRITES = ("write_baseline", "out")
#: Parameters whose value is all they contribute (they are in the key as part of the arguments).
_PLAIN = frozenset(
    {
        "cache_dir",
        "cluster_domain",
        "color",
        "destination",
        "disable",
        "enable",
        "explain",
        "fail_on",
        "fail_on_availability_drop",
        "fmt",
        "from_namespace",
        "kustomize_cmd",
        "matrix",
        "merge",
        "method",
        "name",
        "namespace",
        "no_cache",
        "nodes",
        "only",
        "pool",
        "port",
        "release_name",
        "request_headers",
        "set_values",
        "source",
        "steps",
        "title",
        "url",
        "verbose",
        "workload",
        "zone",
    }
)
_GIT_PREFIX = "git:"  # a `git:REV:PATH` input reads a repository: never kept


class PendingRun:
    """A qualifying run that missed: where its entry goes once the command has run."""

    def __init__(self, location: str, key: str):
        self.location = location
        self.path = os.path.join(location, SUBDIR, key[:2], key[2:])
        #: the inputs of a stale entry, their digest now and what it saw (the run reads the same
        #: inputs, most often)
        self.checked: tuple[list, bytes | None, Stamps] | None = None

    def fingerprint(self, inputs: list[tuple[str, str]]) -> tuple[bytes | None, Stamps]:
        if self.checked is not None and self.checked[0] == inputs:
            return self.checked[1], self.checked[2]
        stamps = Stamps()
        return fingerprint_of(inputs, stamps, self.location), stamps


#: Set by `replay` when a run qualifies and missed; taken by `Recording` when the command runs.
_pending: dict[str, PendingRun] = {}


def replay(arguments: list[str]) -> None:
    """Exit with an earlier run's output when it stands for this one; else note the run as
    pending, to be kept by `Recording`. Returns when there is nothing to replay."""
    _pending.clear()
    if not ENABLED:
        return
    run = _prepare(arguments)
    if run is None:
        return
    _pending["run"] = run
    payload = read_entry(run.path, MAGIC)  # None unless its whole checksum matches
    entry = None if payload is None else decode(payload)
    if entry is None:
        return
    inputs, fingerprint, code, chunks, written = entry
    stamps = Stamps()
    now, index = _fingerprint(inputs, stamps, run.location)
    if now != fingerprint:
        run.checked = (inputs, now, stamps)
        return
    if not _write_files(written):
        return
    if index is not None:
        index.save()  # the stamps of files read again because they were recent, now settled
    streams = (sys.stdout, sys.stderr)
    for number, data in chunks:
        other = streams[1 - number]
        other.flush()
        streams[number].buffer.write(data)
        streams[number].buffer.flush()
    sys.exit(code)


class Recording:
    """Around a command's run: when the run is pending (see `replay`) and qualifies, spool what it
    writes to stdout and stderr to its entry's temporary file (topo.cli.result_entry), and keep
    the entry, with the exit code and input digest, when the run ends with an answer and its
    inputs are unchanged. The temporary file is removed on every other way out."""

    def __init__(self, ctx: Any):
        self.run = _pending.pop("run", None)
        self.inputs = self.fingerprint = None
        self.stamps: Stamps | None = None
        self.outputs: list[str] = []
        self.spool: Spool | None = None
        self.saved: tuple[Any, Any] | None = None
        if self.run is not None and _same_location(ctx, self.run):
            self.inputs = inputs_of(ctx)
            if self.inputs is not None:
                self.fingerprint, self.stamps = self.run.fingerprint(self.inputs)
                self.outputs = [ctx.params[name] for name in _WRITES if ctx.params.get(name)]

    def __enter__(self) -> Recording:
        if self.fingerprint is None or self.run is None:
            return self
        try:
            self.spool = Spool(self.run.path)
        except OSError:
            return self  # the location cannot be written: no cache, the run is as usual
        out, err = sys.stdout, sys.stderr
        try:
            out.flush()
            err.flush()
        except BaseException:
            self._discard()
            raise
        self.saved = (out, err)
        sys.stdout = tee(out, 0, self.spool)
        sys.stderr = tee(err, 1, self.spool)
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if self.saved is None:
            return
        try:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            sys.stdout, sys.stderr = self.saved
            self.saved = None
            self._keep(kind, error)
        finally:
            self._discard()

    def _keep(self, kind: Any, error: Any) -> None:
        if kind is None:
            code: Any = 0
        elif issubclass(kind, SystemExit):
            code = 0 if error.code is None else error.code
        else:
            return
        if not isinstance(code, int) or isinstance(code, bool) or code not in (0, 1, 2):
            return  # a usage error, a crash, a closed pipe: not an answer to keep
        assert self.run is not None and self.inputs is not None and self.stamps is not None
        assert self.spool is not None and self.fingerprint is not None
        if not unchanged(self.inputs, self.stamps):
            return  # an input changed while the command ran: its output may mix both versions
        if self.spool.keep(self.inputs, self.fingerprint, int(code), self.outputs):
            prune_if_due(self.run.location, max_bytes())

    def _discard(self) -> None:
        """Remove the spool's temporary file, unless `keep` renamed it into place."""
        if self.spool is not None:
            self.spool.discard()
            self.spool = None


def _prepare(arguments: list[str]) -> PendingRun | None:
    """The entry this command line would have, or None when the run does not qualify."""
    command = next((i for i, a in enumerate(arguments) if not a.startswith("-")), None)
    if command is None or arguments[command] not in COMMANDS:
        return None
    if any(a != "--debug" for a in arguments[:command]):
        return None
    if any(a in ("--no-cache", "--help", "-h") for a in arguments) or "_TOPO_COMPLETE" in os.environ:
        return None  # shell completion (click's _TOPO_COMPLETE) answers about the command line
    try:
        if sys.stdout.isatty() or sys.stderr.isatty():
            return None
        streams = [(s.encoding, s.errors, type(s.buffer).__name__) for s in (sys.stdout, sys.stderr)]
        cwd = os.getcwd()
    except (AttributeError, OSError, ValueError):
        return None
    location = _cache_dir(arguments)
    salt = package_salt()
    if not location or salt is None:
        return None
    environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("TOPO_") or k == "NO_COLOR")
    digest = hashlib.sha256(salt)
    digest.update(repr((arguments, cwd, environment, streams)).encode("utf-8", "surrogateescape"))
    return PendingRun(location, digest.hexdigest()[:40])


def _cache_dir(arguments: list[str]) -> str | None:
    """Where the run's cache is: --cache-dir as the command line gives it, else the default."""
    explicit = None
    for i, argument in enumerate(arguments):
        if argument == "--":
            break
        if argument == "--cache-dir" and i + 1 < len(arguments):
            explicit = arguments[i + 1]
        elif argument.startswith("--cache-dir="):
            explicit = argument.partition("=")[2]
    return explicit or default_cache_dir()


def _same_location(ctx: Any, run: PendingRun) -> bool:
    """The command's parsed --cache-dir is the location `replay` found from the raw arguments."""
    return (ctx.params.get("cache_dir") or default_cache_dir()) == run.location


def inputs_of(ctx: Any) -> list[tuple[str, str]] | None:
    """What a command reads, as (kind, path): `manifests` paths and other input `file`s (the
    configuration file, ./topo.yaml when none is given, even when absent). None when the run does
    not qualify: a command not kept, --no-cache, or a parameter not classified here (a new option
    is never assumed harmless)."""
    params = ctx.params
    if ctx.info_name not in COMMANDS or params.get("no_cache"):
        return None
    inputs: list[tuple[str, str]] = []
    for name, value in params.items():
        if name in _MANIFESTS:
            inputs.extend(("manifests", path) for path in ([value] if isinstance(value, str) else value))
        elif name in _INPUT_FILES:
            inputs.extend(("file", path) for path in ([value] if isinstance(value, str) else value or ()))
        elif name not in _PLAIN and name not in _WRITES:
            return None
    if params.get("config_path") is None:
        from topo.config import CONFIG_FILE

        inputs.append(("file", CONFIG_FILE))
    return inputs


def fingerprint_of(
    inputs: list[tuple[str, str]], stamps: Stamps | None = None, location: str | None = None
) -> bytes | None:
    """A digest of every byte the inputs hold (with their names and the folders' shapes), or None
    when one of them does not qualify (stdin, git:, a kustomization or chart, a link to a folder,
    something that is not a regular file, a folder that cannot be read). With `stamps`, note what
    was read for `unchanged`. With the cache's `location`, manifest files unchanged since an
    earlier run read them are not read again (topo.load.stamps: the stamps the loader keeps)."""
    return _fingerprint(inputs, stamps, location)[0]


def _fingerprint(
    inputs: list[tuple[str, str]], stamps: Stamps | None, location: str | None
) -> tuple[bytes | None, StampIndex | None]:
    """`fingerprint_of`, and the stamps it read the manifest files through (to keep on a hit: a
    run that goes on to load the files keeps the loader's)."""
    hasher = _Hasher(stamps)
    if not _walk(inputs, hasher):
        return None, None
    return hasher.finish(location)


def unchanged(inputs: list[tuple[str, str]], stamps: Stamps) -> bool:
    """Whether the inputs are as `fingerprint_of` saw them when it filled `stamps`: the same walk,
    comparing each file's stamp instead of reading it (and reading again the files whose stamp
    cannot tell, see Stamps). Any difference or error is False."""
    checker = _Checker(stamps)
    return _walk(inputs, checker) and checker.done()


#: A file whose mtime or ctime is less than this before the moment its digest was taken (or
#: later) is read again by `unchanged` instead of trusting its stamp (see Stamps).
_RACY_NS = RACY_NS
#: A file's stamp (size, mtime_ns, ctime_ns, inode, device): the loader's (topo.load.stamps).
_stamp = stamp_of


class Stamps:
    """What `fingerprint_of` saw, in walk order: the shape (each input, folder and file name, as
    hashed) and, for each file read, its stamp (size, mtime_ns, ctime_ns, inode, device) with the
    digest of its bytes when the stamp cannot be trusted to change.

    A stamp is a safe stand-in for the bytes only if every later write changes it. A write changes
    the size or sets mtime and ctime to the file system's clock (which the owner cannot set back:
    `touch` to an old mtime sets ctime to now; a file renamed into place is another inode), but
    that clock is coarse (a kernel tick, ~4 ms; seconds on some file systems) and need not be this
    process's: a write in the same tick as the one before it leaves the same size, mtime and ctime.
    This is git's racily clean index entry, and the answer is git's: a file whose mtime or ctime
    is not clearly older than the moment its digest was taken — within `_RACY_NS` (2 s: several
    ticks, and some clock skew between a network file system and this machine) or later — is read
    and hashed again at the end instead of trusted. Files written just before the run (a checkout,
    an edit) are therefore read twice; every other file is only stat()ed at the end."""

    def __init__(self) -> None:
        #: a stamp taken from here on is racy (see above)
        self.racy_from = time.time_ns() - _RACY_NS
        self.seen: list[Any] = []


def _regular(path: str) -> os.stat_result | None:
    """The stat of `path` when it is a regular file (never open a FIFO or a device), else None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def _file_digest(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return content_digest(handle.read())
    except OSError:
        return None


class _Hasher:
    """`fingerprint_of`'s side of the walk: the shape and every file's stamp, in walk order; then
    (`finish`) a hash of the shape and of the digest of every file's bytes — read, or recalled by
    the file's stamp for a manifest file unchanged since an earlier run read it (topo.load.stamps:
    the stamps of the loader, for the input the manifest files make up)."""

    def __init__(self, stamps: Stamps | None):
        self.stamps = stamps
        self.manifests = False  # whether the input being walked names manifests (set by `_walk`)
        self.walked: list[Any] = []  # shape tokens, and (path, stat, is a manifest) for each file

    def shape(self, token: bytes) -> None:
        self.walked.append(token)

    def file(self, path: str) -> bool:
        # The stamp is taken before the bytes are read: a write in between leaves a newer stamp
        # at the end, or a racy one (then the bytes are compared), and the run is not kept.
        info = _regular(path)
        if info is None:
            return False
        self.walked.append((path, info, self.manifests))
        return True

    def finish(self, location: str | None) -> tuple[bytes | None, StampIndex | None]:
        manifests = [item[0] for item in self.walked if type(item) is tuple and item[2]]
        index = StampIndex(location, input_scope(manifests)) if location is not None and manifests else None
        digest = hashlib.sha256()  # with the CPU's SHA instructions, twice as fast as blake2b here
        seen = self.stamps.seen if self.stamps is not None else None
        for item in self.walked:
            if type(item) is bytes:
                digest.update(item)
                if seen is not None:
                    seen.append(item)
                continue
            path, info, manifest = item
            content = _content(path, info, index if manifest else None)
            if content is None:
                return None, index
            digest.update(content)
            if seen is not None and self.stamps is not None:
                racy = max(info.st_mtime_ns, info.st_ctime_ns) >= self.stamps.racy_from
                seen.append((_stamp(info), content if racy else None))
        return digest.digest(), index


def _content(path: str, info: os.stat_result, index: StampIndex | None) -> bytes | None:
    """The digest of a file's bytes: recalled by its stamp, else read (and its stamp noted)."""
    if index is None:
        return _file_digest(path)
    content = index.digest(path, info)
    if content is None:
        read = index.read(path)
        content = None if read is None else read[1]
    return content if content is not None else _file_digest(path)


class _Checker:
    """`unchanged`'s side of the walk: the same shape, and each file's stamp (its bytes when racy)."""

    def __init__(self, stamps: Stamps):
        self.expected = iter(stamps.seen)
        self.same = True

    def shape(self, token: bytes) -> None:
        if next(self.expected, None) != token:
            self.same = False

    def file(self, path: str) -> bool:
        seen = next(self.expected, None)
        info = _regular(path)
        if not self.same or type(seen) is not tuple or info is None or _stamp(info) != seen[0]:
            return False
        return seen[1] is None or _file_digest(path) == seen[1]

    def done(self) -> bool:
        return self.same and next(self.expected, None) is None


def _walk(inputs: list[tuple[str, str]], sink: Any) -> bool:
    """Give `sink` every input's shape and files, as the loader reads them; False when one of
    them does not qualify (or the sink says so)."""
    for kind, path in inputs:
        if type(kind) is not str or type(path) is not str:
            return False
        sink.shape(f"{kind}\0{path}\0".encode("utf-8", "surrogateescape"))
        sink.manifests = kind == "manifests"
        if kind == "file":
            ok = _walk_path(sink, path, manifests=False)
        elif kind == "manifests" and path != "-" and not path.startswith(_GIT_PREFIX):
            ok = _walk_path(sink, path, manifests=True)
        else:
            ok = False
        if not ok:
            return False
    return True


_UNIT_FILES = frozenset({*KUSTOMIZATION_FILES, CHART_FILE})


def _walk_path(sink: Any, path: str, manifests: bool) -> bool:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        sink.shape(b"absent\0")
        return True
    except OSError:
        return False
    if manifests and stat.S_ISDIR(mode):
        return _walk_tree(sink, path)
    if manifests and os.path.basename(path) in _UNIT_FILES:
        return False
    return sink.file(path)


def _walk_tree(sink: Any, top: str) -> bool:
    """The folders and manifest files a directory walk of the loader reads (topo.load.reader)."""
    failed: list[OSError] = []
    for root, dirs, files in os.walk(top, onerror=failed.append):
        if _UNIT_FILES.intersection(files):
            return False  # a kustomization or chart: rendered by an external tool
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if any(os.path.islink(os.path.join(root, d)) for d in dirs):
            return False
        sink.shape(b"dir\0" + os.path.relpath(root, top).encode("utf-8", "surrogateescape") + b"\0")
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(MANIFEST_SUFFIXES):
                continue
            sink.shape(name.encode("utf-8", "surrogateescape") + b"\0")
            if not sink.file(os.path.join(root, name)):
                return False
    return not failed


def _write_files(written: list[tuple[str, bytes]]) -> bool:
    """Write a hit's files again as the run wrote them; False when one cannot be written (the
    command then runs, and says why)."""
    for path, data in written:
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError:
            return False
    return True
