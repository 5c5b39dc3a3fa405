"""docs/cli.md is generated from the commands' help and must not drift (run `python -m topo.cli.docs`)."""

import os

from topo.cli.docs import CLI_DOC, cli_markdown

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_cli_docs_are_current():
    with open(os.path.join(ROOT, CLI_DOC), encoding="utf-8") as handle:
        assert handle.read() == cli_markdown(), "docs/cli.md is out of date: run `python -m topo.cli.docs`"


def test_every_command_has_help_text():
    text = cli_markdown()
    for command in ("graph", "resolve", "report", "rules"):
        assert f"## topo {command}" in text
