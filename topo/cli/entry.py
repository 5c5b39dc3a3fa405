"""The `topo` program (the console script and `python -m topo`): run the command line, then leave
without tearing the interpreter down."""

from __future__ import annotations

import atexit
import os
import sys
import threading

from topo.cli.app import main


def run() -> None:
    """`main`, then exit at once with its exit code.

    A finished run holds the whole model, graph and findings, and Python's own exit frees them
    object by object before the process ends: 0.07 s of a 10,000-object report, several tenths
    of a second at 50,000 (docs/performance.md, "eighth stop"). Nothing is lost by skipping that: the exit
    handlers still run (the parse cache waits for its forked writer there) and the output streams
    are flushed first. mypy leaves the same way. Anything unusual — an exit message instead of a
    code, an output that cannot be flushed, a thread still running — leaves the usual way, so
    Python reports and waits as it always does.
    """
    code: str | int | None = 0
    try:
        main(prog_name="topo")
    except SystemExit as leaving:
        code = leaving.code
    if not isinstance(code, int) or threading.active_count() > 1 or not _flushed():
        raise SystemExit(code)
    atexit._run_exitfuncs()
    if not _flushed():  # an exit handler wrote and the output went away meanwhile
        raise SystemExit(code)
    os._exit(code)


def _flushed() -> bool:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        return False
    return True
