"""The command line: ``python benchmarks/generate_corpus.py --objects N --out DIR [...]``."""

from __future__ import annotations

import argparse
import os
import sys

from .writing import verify, write_corpus

DESCRIPTION = "Deterministic synthetic Kubernetes manifest corpus for topo's benchmarks."


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--objects", type=int, required=True, help="total number of objects (documents) to generate"
    )
    p.add_argument("--out", required=True, help="output directory (created; must be empty unless --force)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--files-per-namespace",
        type=int,
        default=1,
        metavar="K",
        help="split each namespace's documents over K files (default 1)",
    )
    p.add_argument(
        "--nodes",
        type=int,
        default=None,
        metavar="M",
        help="number of Node objects (default: objects/200, at least 3, at most 400); "
        "they count towards --objects",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty directory (only a previous corpus: one with .corpus-info)",
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="parse every file back with yaml.CSafeLoader and compare with the generated objects",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the summary")
    args = p.parse_args(argv)
    if args.objects < 1 or args.files_per_namespace < 1 or (args.nodes is not None and args.nodes < 0):
        p.error("--objects and --files-per-namespace must be >= 1, --nodes >= 0")

    if os.path.isdir(args.out) and os.listdir(args.out):
        if not args.force or not os.path.exists(os.path.join(args.out, ".corpus-info")):
            p.error(f"{args.out} is not empty (use --force to overwrite a previous corpus)")
        import shutil

        shutil.rmtree(args.out)
    stats = write_corpus(
        args.out, args.objects, args.seed, nodes=args.nodes, files_per_namespace=args.files_per_namespace
    )
    if args.verify:
        verify(
            args.out, args.objects, args.seed, nodes=args.nodes, files_per_namespace=args.files_per_namespace
        )
    if not args.quiet:
        s = stats.as_dict()
        print(
            f"{s['objects']} objects in {s['files']} files, {s['namespaces']} namespaces, "
            f"{s['bytes'] / 1e6:.1f} MB; {s['dangling']}/{s['references']} references dangle "
            f"({100 * s['dangling'] / max(1, s['references']):.1f}%)",
            file=sys.stderr,
        )
        for kind, n in s["kinds"].items():
            print(f"  {kind:<26}{n:>8}", file=sys.stderr)
    return 0
