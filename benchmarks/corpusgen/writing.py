"""Writing a corpus to disk (with its ``.corpus-info``), checking it, and the digest of the generator's
source that tells a cached corpus is stale."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Any

import yaml

from .corpus import Corpus
from .state import CorpusStats

GENERATOR_VERSION = 1


def source_files() -> list[str]:
    """The generator's source files: benchmarks/generate_corpus.py and every module of this package."""
    here = os.path.dirname(os.path.abspath(__file__))
    modules = sorted(os.path.join(here, f) for f in os.listdir(here) if f.endswith(".py"))
    return [os.path.join(os.path.dirname(here), "generate_corpus.py"), *modules]


def source_digest() -> str:
    """sha256 over the generator's source files: a cached corpus is stale when any of them changed."""
    digest = hashlib.sha256()
    for path in source_files():
        with open(path, "rb") as fh:
            data = fh.read()
        digest.update(f"{os.path.basename(path)}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def write_corpus(
    out: str, objects: int, seed: int = 0, *, nodes: int | None = None, files_per_namespace: int = 1
) -> CorpusStats:
    """Write the corpus under ``out`` and return its statistics (also written to ``out/.corpus-info``)."""
    corpus = Corpus(objects, seed, nodes=nodes, files_per_namespace=files_per_namespace)
    for rel, text in corpus.files():
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    info = {
        "generator": GENERATOR_VERSION,
        "generatorDigest": source_digest(),
        "objects": objects,
        "seed": seed,
        "nodes": nodes,
        "filesPerNamespace": files_per_namespace,
        **corpus.stats.as_dict(),
    }
    # no .json/.yaml extension, so topo never reads it as a manifest
    with open(os.path.join(out, ".corpus-info"), "w", encoding="utf-8") as fh:
        json.dump(info, fh, indent=2, sort_keys=True)
        fh.write("\n")
    return corpus.stats


def verify(out: str, objects: int, seed: int, **kw: Any) -> None:
    """Re-generate the objects and check every written file parses back to exactly them."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    corpus = Corpus(objects, seed, **kw)
    for rel, text in corpus.files():
        with open(os.path.join(out, rel), encoding="utf-8") as fh:
            on_disk = fh.read()
        if on_disk != text:
            raise SystemExit(f"verify: {rel} differs from a fresh generation (not deterministic?)")
        if list(yaml.load_all(on_disk, Loader=loader)) != corpus.last_docs:
            raise SystemExit(f"verify: {rel} does not parse back to the generated objects")
    print(f"verify: {corpus.stats.files} files parse back identically", file=sys.stderr)
