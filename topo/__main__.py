from topo.cli.entry import run

run()
