"""Exit codes of every topo command, documented in docs/cli.md."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # a query command answered; no finding reached --fail-on
    FINDINGS = 1  # findings at/above the threshold, or a regression (report, diff)
    INPUT_ERROR = 2  # some input could not be loaded; output was still produced for the rest
    USAGE = 3  # wrong command line, bad configuration or baseline, output that cannot be written
    INTERNAL = 4  # a bug in topo (a crash, or a rule that raised): never a verdict on the input
