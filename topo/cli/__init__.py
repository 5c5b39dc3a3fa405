"""The `topo` command line: each command is a few lines over topo.api and topo.render.

Commands live in one module per topic, imported when a command runs (topo.cli.app.COMMAND_MODULES),
so that a run answered from the result cache (topo.cli.result_cache) never imports the model.
"""

from topo.cli.app import main

__all__ = ["main"]
