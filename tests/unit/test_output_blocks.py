"""Streamed output leaves in blocks (topo.cli.app.finish): one write per ~64 KiB, not one per
line, whatever the stream's buffering — click's stdout is line-buffered."""

from __future__ import annotations

import io

import click
import pytest

import topo.cli.app as app
from topo.cli.app import OUTPUT_BLOCK, _blocks, finish


class CountingStream(io.StringIO):
    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, text):
        self.writes += 1
        return super().write(text)


def test_blocks_keep_every_character_in_order():
    chunks = [f'\n  {{"finding": {i}, "message": "{"x" * (i % 700)}"}},' for i in range(5_000)]
    blocks = list(_blocks(iter(chunks)))
    assert "".join(blocks) == "".join(chunks)
    assert all(len(block) >= OUTPUT_BLOCK for block in blocks[:-1])
    assert all(len(block) < OUTPUT_BLOCK + 800 for block in blocks)
    assert len(blocks) < len(chunks) / 50


def test_nothing_and_one_small_chunk():
    assert list(_blocks(iter([]))) == []
    assert list(_blocks(iter(["{}\n"]))) == ["{}\n"]


def test_a_streamed_document_is_written_a_block_at_a_time(monkeypatch):
    stream = CountingStream()
    monkeypatch.setattr(click, "get_text_stream", lambda name: stream)
    monkeypatch.setattr(app, "report_load_problems", lambda analysis: 0)
    lines = [f"line {i}\n" for i in range(40_000)]
    with pytest.raises(SystemExit) as leaving:
        finish(None, iter(lines))
    assert leaving.value.code == 0
    assert stream.getvalue() == "".join(lines)
    assert stream.writes <= len(stream.getvalue()) // OUTPUT_BLOCK + 1
