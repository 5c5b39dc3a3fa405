"""The `topo` command line: each command is a few lines over topo.api and topo.render.

Commands live in one module per topic; importing them registers them on the `main` group.
"""

from topo.cli import availability, graph, network, report, review, serve  # noqa: F401  (registers the commands)
from topo.cli.app import main

__all__ = ["main"]
