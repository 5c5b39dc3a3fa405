"""A Secret's payload is never echoed: what every output shows instead of it.

The payload is `data`, `stringData` and `binaryData`, and the copy of the whole object that
`kubectl apply` keeps in the `kubectl.kubernetes.io/last-applied-configuration` annotation (a
Secret dumped from a live cluster carries its password there, in clear JSON).

The `calls` linker reads the text of the Secrets a workload receives for host names
(`secret_text_data`); what it shows is the name found and the Secret and key, never the value.
"""

from __future__ import annotations

import base64
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


#: Secret types whose payload is no configuration a program reads addresses from: credentials,
#: keys, certificates and tokens (the built-in types, https://kubernetes.io/docs/concepts/configuration/secret/#secret-types;
#: k8s.io/api core/v1 types.go SecretType*), and Helm's release records (gzip, base64 twice).
#: `Opaque` (the default when `type` is empty, pkg/apis/core/v1/defaults.go SetDefaults_Secret)
#: and any other user-defined type are read.
NO_CONFIGURATION_TYPES = frozenset(
    {
        "kubernetes.io/service-account-token",
        "kubernetes.io/dockercfg",
        "kubernetes.io/dockerconfigjson",
        "kubernetes.io/basic-auth",
        "kubernetes.io/ssh-auth",
        "kubernetes.io/tls",
        "bootstrap.kubernetes.io/token",
        "helm.sh/release.v1",
    }
)


def secret_text_data(document: Mapping[str, Any]) -> dict[str, str]:
    """The values of a Secret a pod receives, as text: `data` base64-decoded (RFC 4648 §4, the
    standard alphabet; line breaks ignored as Go's decoder does), then `stringData` over it —
    "All keys and values are merged into the data field on write, overwriting any existing
    values" (k8s.io/api core/v1 types.go, Secret.StringData). A value that does not decode, or
    whose bytes are not UTF-8 text, is left out; so is every value of a type in
    `NO_CONFIGURATION_TYPES`. The result is for reading names only: never echo it."""
    secret_type = document.get("type") or "Opaque"
    if secret_type in NO_CONFIGURATION_TYPES:
        return {}
    texts: dict[str, str] = {}
    data = document.get("data")
    if isinstance(data, Mapping):
        for key, value in data.items():
            text = _decoded_text(value)
            if isinstance(key, str) and text is not None:
                texts[key] = text
    string_data = document.get("stringData")
    if isinstance(string_data, Mapping):
        for key, value in string_data.items():
            if isinstance(key, str) and isinstance(value, str):
                texts[key] = value
    return texts


def _decoded_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True)
        text = raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        return None
    return None if "\x00" in text else text
