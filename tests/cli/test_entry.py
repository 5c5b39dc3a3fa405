"""The `topo` program leaves without tearing the interpreter down (topo.cli.entry), yet every
byte of its output, its exit code and the work of exit handlers are there as with a normal exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = os.path.join(ROOT, "samples")
#: Output to a pipe is block-buffered, as in CI, unless PYTHONUNBUFFERED says otherwise: a hard
#: exit without a flush would lose the buffered end, so these tests keep it buffered.
BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def _program(script: str, *args: str) -> subprocess.CompletedProcess:
    """`script` (which ends by calling topo's entry point) in a fresh Python, as the console script
    runs it."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=BUFFERED,
        timeout=120,
    )


def test_the_whole_output_and_the_exit_code_come_out():
    done = subprocess.run(
        [sys.executable, "-m", "topo", "report", SAMPLES, "-o", "json", "--fail-on", "warning", "--no-cache"],
        capture_output=True,
        text=True,
        env=BUFFERED,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"]


def test_exit_handlers_run_after_the_output():
    done = _program(
        """
        import atexit, sys
        atexit.register(lambda: print("handler ran"))  # buffered: the pipe is not a terminal
        sys.argv = ["topo", "rules"]
        from topo.cli.entry import run
        run()
        print("not reached")
        """
    )
    assert done.returncode == 0
    assert done.stdout.endswith("handler ran\n")
    assert "dns-name-unresolved" in done.stdout and "not reached" not in done.stdout


def test_a_running_thread_is_waited_for_as_usual():
    # the thread outlives the command (`topo rules` takes a fraction of it): leaving at once would
    # end it before it prints
    done = _program(
        """
        import sys, threading, time
        def late():
            time.sleep(1.5)
            print("thread finished", flush=True)
        threading.Thread(target=late).start()
        sys.argv = ["topo", "rules"]
        from topo.cli.entry import run
        run()
        """
    )
    assert done.returncode == 0, done.stderr
    assert "thread finished" in done.stdout and "dns-name-unresolved" in done.stdout


def test_an_input_problem_keeps_its_exit_code():
    done = subprocess.run(
        [sys.executable, "-m", "topo", "report", os.path.join(ROOT, "no-such-folder")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "no such file or directory" in done.stderr
