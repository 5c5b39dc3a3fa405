"""The fuzz harness of issue 14: mutate real manifests (the samples and the rule fixtures) the way
a hostile or unlucky user would, run every stage and every renderer on the result, and check the
three promises — no crash, no hang, nothing dropped in silence.

Used by tests/fuzz/test_fuzz.py (a bounded number of cases in the normal suite) and runnable for
longer on its own (docs/hardening.md):

    python -m tests.fuzz.harness --cases 5000 --seed 7      # random, reproducible by seed
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
import traceback
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS_DIRS = (
    ROOT / "samples",
    ROOT / "tests" / "fixtures" / "rules",
    ROOT / "tests" / "fixtures" / "hostile",
)

#: Values that broke topo once (issue 14): YAML 1.1 oddities, huge numbers, payloads, bytes.
HOSTILE_SCALARS = (
    "0b_",
    "0x_",
    "!!int x",
    "!!float y",
    "!!bool maybe",
    "2001-13-40",
    "!!timestamp x",
    "=",
    "100000000",
    "1000000000",
    "-1",
    "1e309",
    ".nan",
    "~",
    "''",
    "[]",
    "{}",
    "!!binary aGk=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    '"\\x00\\x1b[31m"',
    '"<img src=x onerror=alert(1)>"',
    '"a\\nclick n0 call alert(1)"',
    '"`]]|*_#"',
    "*undefined",
    "&a [*a]",
    "!Ref x",
    "!!python/object:os.system x",
    "{1: a, true: b}",
    "{? [a]: b}",
    '"' + "x" * 300 + '"',
    "0o17",
    "1_000",
    "190:20:30",
    "-.inf",
)
HOSTILE_KEYS = ("1", "true", "null", "[a]", "? {a: 1}", "<<", '"a\\nb"', "0x_")


def corpus() -> list[tuple[str, str]]:
    """(name, text) of every manifest file of the samples and the fixtures, sorted."""
    files = []
    for directory in CORPUS_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
                files.append(
                    (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8", errors="replace"))
                )
    return files


def mutate(text: str, rng: random.Random, rounds: int) -> str:
    """Apply `rounds` random mutations, each a thing users or tools really do to manifests."""
    for _ in range(rounds):
        text = rng.choice(MUTATIONS)(text, rng)
    return text


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _replace_value(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    candidates = [i for i, line in enumerate(lines) if ": " in line and not line.rstrip().endswith(":")]
    if not candidates:
        return text
    index = rng.choice(candidates)
    key, _, _ = lines[index].partition(": ")
    lines[index] = f"{key}: {rng.choice(HOSTILE_SCALARS)}"
    return "\n".join(lines)


def _replace_key(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    candidates = [
        i for i, line in enumerate(lines) if ":" in line and line.strip() and not line.strip().startswith("-")
    ]
    if not candidates:
        return text
    index = rng.choice(candidates)
    line = lines[index]
    indent = line[: len(line) - len(line.lstrip())]
    _, _, value = line.partition(":")
    lines[index] = f"{indent}{rng.choice(HOSTILE_KEYS)}:{value}"
    return "\n".join(lines)


def _delete_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    if len(lines) > 1:
        del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def _duplicate_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines.insert(index, lines[index])
    return "\n".join(lines)


def _reindent(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines[index] = rng.choice(("", " ", "    ", "\t")) + lines[index].lstrip()
    return "\n".join(lines)


def _truncate(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _flip_byte(text: str, rng: random.Random) -> str:
    if not text:
        return text
    index = rng.randrange(len(text))
    return text[:index] + rng.choice("\x00\x1b\r\t\"'{}[]:,&*!|>%@`#-\u2028\ufeff\x85") + text[index + 1 :]


def _line_ends(text: str, rng: random.Random) -> str:
    return text.replace("\n", rng.choice(("\r", "\r\n")))


def _directive(text: str, rng: random.Random) -> str:
    return (
        rng.choice(("%YAML 1.1\n---\n", "%YAML 1.2\n%TAG ! tag:x,2000:\n---\n", "--- !!map\n", "...\n"))
        + text
    )


def _split_document(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    lines.insert(rng.randrange(len(lines) + 1), rng.choice(("---", "--- |", "...", "--- # c")))
    return "\n".join(lines)


def _deep_nesting(text: str, rng: random.Random) -> str:
    depth = rng.choice((50, 500, 5000))
    return text + "\n---\n" + "a: " + "[" * depth + "]" * depth + "\n"


def _as_list(text: str, rng: random.Random) -> str:
    body = "\n".join("  " + line for line in text.split("\n"))
    return "apiVersion: v1\nkind: List\nitems:\n- " + body.lstrip() if rng.random() < 0.5 else text


MUTATIONS = (
    _replace_value,
    _replace_value,
    _replace_value,
    _replace_key,
    _delete_line,
    _duplicate_line,
    _reindent,
    _truncate,
    _flip_byte,
    _flip_byte,
    _line_ends,
    _directive,
    _split_document,
    _deep_nesting,
    _as_list,
)


class SilentDrop(AssertionError):
    pass


def reference_objects(text: str) -> int | None:
    """How many objects PyYAML's SafeLoader sees in `text` (None when it cannot read it all)."""
    try:
        documents = list(yaml.load_all(text, Loader=yaml.SafeLoader))
    except Exception:
        return None
    count = 0
    for document in documents:
        if isinstance(document, dict) and isinstance(document.get("kind"), str):
            items = document.get("items")
            if document["kind"].endswith("List") and isinstance(items, list):
                count += sum(1 for item in items if isinstance(item, dict))
            else:
                count += 1
    return count


def exercise(text: str, name: str = "fuzz.yaml") -> None:
    """Every stage and renderer over `text`; raises on a crash or a silent drop."""
    import topo
    from topo.render.review_data import review_document
    from topo.render.review_html import render_review_html
    from topo.render.review_markdown import render_review_markdown

    analysis = topo.analyze(text=text, name=name)
    results = analysis.findings()
    if results.rule_errors:
        raise AssertionError(f"rules raised: {results.rule_errors[:3]}")
    for render in topo.GRAPH_FORMATS.values():
        render(analysis)
    for render in topo.REPORT_FORMATS.values():
        render(analysis, results)
    analysis.rollout.to_dict()
    analysis.reach.connections()
    document = review_document(analysis, name)
    render_review_markdown(document)
    render_review_html(document, script="")
    expected = reference_objects(text)
    kept = len(analysis.model.objects)
    reported = len(analysis.load_errors) + len(analysis.load_warnings)
    if expected and not kept and not reported:
        raise SilentDrop(f"{expected} object(s) per SafeLoader, none kept and nothing reported")


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"no answer within {CASE_SECONDS} s")


#: A case that takes longer than this is a hang (the inputs are a few kB).
CASE_SECONDS = 30


def run(cases: int, seed: int, budget: float | None = None, out=sys.stdout) -> list[str]:
    """Run `cases` random mutations (reproducible by seed); return the failures found."""
    rng = random.Random(seed)
    files = corpus()
    failures = []
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for case in range(cases):
            name, text = rng.choice(files)
            mutated = mutate(text, rng, rng.randint(1, 4))
            failure = _one_case(mutated, name, f"case {case} (seed {seed}) from {name}", out)
            if failure:
                failures.append(failure)
            if budget is not None and time.monotonic() - started > budget:
                break
    finally:
        signal.signal(signal.SIGALRM, previous)
    return failures


def _one_case(text: str, name: str, label: str, out) -> str | None:
    signal.alarm(CASE_SECONDS)
    try:
        exercise(text, name)
    except Exception as error:
        failure = f"{label}: {type(error).__name__}: {error}"
        print(failure, file=out)
        traceback.print_exc(file=out)
        return failure
    finally:
        signal.alarm(0)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--minutes", type=float, default=None, help="stop after this long")
    args = parser.parse_args(argv)
    failures = run(args.cases, args.seed, args.minutes * 60 if args.minutes else None)
    print(f"{len(failures)} failure(s) in seed {args.seed}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
