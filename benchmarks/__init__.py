"""topo benchmarks: the synthetic corpus generator and the benchmark commands."""
