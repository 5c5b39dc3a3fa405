"""Baselines: accept today's findings, report only new ones (`--write-baseline`, `--baseline`).

A finding is known by rule + object + message — never by line number, so edits that move a
document do not make old findings look new.
"""

from __future__ import annotations

import json
from typing import Any

from topo.rules.engine import RuleResults

BASELINE_VERSION = 1


class BaselineError(ValueError):
    pass


def baseline_document(results: RuleResults) -> dict[str, Any]:
    entries = sorted({finding.fingerprint for finding in results.all_findings})
    return {
        "schemaVersion": BASELINE_VERSION,
        "findings": [{"rule": r, "object": o, "message": m} for r, o, m in entries],
    }


def read_baseline(path: str) -> set[tuple[str, str, str]]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as error:
        raise BaselineError(f"{path}: cannot read baseline: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise BaselineError(f"{path}: not a topo baseline (not UTF-8 text: {error.reason})") from error
    except (json.JSONDecodeError, RecursionError) as error:
        raise BaselineError(f"{path}: not a topo baseline (invalid JSON: {error})") from error
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f'{path}: not a topo baseline (expected {{"findings": [...]}})')
    known = set()
    for entry in data["findings"]:
        if isinstance(entry, dict) and all(
            isinstance(entry.get(k), str) for k in ("rule", "object", "message")
        ):
            known.add((entry["rule"], entry["object"], entry["message"]))
    return known
