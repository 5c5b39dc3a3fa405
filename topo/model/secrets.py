"""A Secret's payload is never echoed: what every output shows instead of it.

The payload is `data`, `stringData` and `binaryData`, and the copy of the whole object that
`kubectl apply` keeps in the `kubectl.kubernetes.io/last-applied-configuration` annotation (a
Secret dumped from a live cluster carries its password there, in clear JSON).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

REDACTED = "<redacted>"
PAYLOAD_KEYS = ("data", "stringData", "binaryData")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def is_secret(document: Any) -> bool:
    return isinstance(document, Mapping) and document.get("kind") == "Secret"


def redact_secret(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a Secret document with every payload value replaced by `<redacted>` (keys kept,
    so one still sees which keys it has); other documents are returned as a shallow copy."""
    result = dict(document)
    if not is_secret(document):
        return result
    for key in PAYLOAD_KEYS:
        if key in result:
            result[key] = redact_value(result[key])
    metadata = result.get("metadata")
    if isinstance(metadata, Mapping) and isinstance(metadata.get("annotations"), Mapping):
        annotations = dict(metadata["annotations"])
        if LAST_APPLIED in annotations:
            annotations[LAST_APPLIED] = _redacted_last_applied(annotations[LAST_APPLIED])
            result["metadata"] = {**metadata, "annotations": annotations}
    return result


def redact_value(value: Any) -> Any:
    """A payload mapping with its values redacted, or `<redacted>` for anything else."""
    if isinstance(value, Mapping):
        return dict.fromkeys(value, REDACTED)
    return REDACTED


def _redacted_last_applied(text: Any) -> str:
    try:
        applied = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        applied = None
    if not isinstance(applied, dict):
        return REDACTED
    return json.dumps(redact_secret({**applied, "kind": "Secret"}), sort_keys=True, separators=(",", ":"))
