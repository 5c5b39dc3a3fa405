"""A worker that dies while topo is still handing out chunks breaks the pool for every later
`submit` (concurrent.futures raises BrokenProcessPool there): the chunks never handed out are
parsed in this process, and no exception escapes (topo.load.parallel._parse_in_parallel)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from topo.load import parallel


def test_chunks_not_handed_out_when_the_pool_breaks_are_parsed_here(tmp_path, monkeypatch):
    misses = []
    for number in range(6):
        path = tmp_path / f"file{number}.yaml"
        path.write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{number}}}\n" + "# pad\n" * 20_000
        )
        misses.append(parallel._Miss(number, str(path), path.name, path.stat().st_size))
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 1)  # one file per chunk
    real_submit = ProcessPoolExecutor.submit
    calls = []

    def submit_until_broken(self, *args, **kwargs):
        calls.append(args)
        if len(calls) > 2:
            raise BrokenProcessPool("A child process terminated abruptly")
        return real_submit(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit_until_broken)
    results = parallel._parse_in_parallel(misses, 1, None)
    assert sorted(results) == list(range(6))
    assert [results[n][0][0][0]["metadata"]["name"] for n in range(6)] == [f"c{n}" for n in range(6)]
