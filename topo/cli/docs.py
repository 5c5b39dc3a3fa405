"""docs/cli.md generated from the commands' own help (`python -m topo.cli.docs`; a test checks it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from topo.cli import main

CLI_DOC = os.path.join("docs", "cli.md")

_INTRO = """# Command line

Generated from `topo --help` and each command's help (`python -m topo.cli.docs`); do not edit
by hand.

## Exit codes

| code | meaning |
|---:|---|
| 0 | ok: the command answered (query commands answer 0 whatever the verdict); no finding reached `--fail-on` |
| 1 | findings at or above `--fail-on` (report), or a regression (diff) |
| 2 | some input could not be loaded; the output is still produced for the rest |
| 3 | usage error (unknown option, bad configuration file or baseline, unknown rule id), or the output cannot be written (an unwritable `--out`/`--write-baseline`, a full disk, a closed pipe) |
| 4 | internal error: a bug in topo (a crash, or a rule that raised) — never a verdict on the input. One line on stderr says what failed and on which file or object; `topo --debug ...` (or `TOPO_DEBUG=1`) adds the traceback. Please report it |

The highest code that applies wins (4 over 3 over 2 over 1). Diagnostics (load errors, warnings)
go to stderr as `file:line: error: message`; stdout carries only the requested output. A rule that
raises does not stop the others: their output is printed, then the failure, and the exit code is 4.
"""


def cli_markdown() -> str:
    sections = [_INTRO]
    # The group's context settings (`-h` as well as `--help`), as when the CLI runs: click keeps the
    # help option it first builds for a command, so the help must not depend on what ran before.
    context = click.Context(
        main, info_name="topo", terminal_width=100, max_content_width=100, **main.context_settings
    )
    sections.append("## topo\n\n```text\n" + main.get_help(context) + "\n```\n")
    for name in sorted(main.list_commands(context)):
        command = main.get_command(context, name)
        assert command is not None  # a name list_commands gave
        sub = click.Context(
            command, info_name=name, parent=context, terminal_width=100, max_content_width=100
        )
        sections.append(f"## topo {name}\n\n```text\n{command.get_help(sub)}\n```\n")
    return "\n".join(sections)


def main_entry(argv: list[str]) -> int:
    text = cli_markdown()
    current = Path(CLI_DOC).read_text(encoding="utf-8") if os.path.exists(CLI_DOC) else None
    if "--check" in argv:
        if current != text:
            print(f"{CLI_DOC} is out of date (run `python -m topo.cli.docs`)", file=sys.stderr)
            return 1
        return 0
    if current != text:
        with open(CLI_DOC, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main_entry(sys.argv[1:]))
