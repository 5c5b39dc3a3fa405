"""What every parser reads the same way: metadata (id, labels, annotations), creationTimestamp, an
optional label selector."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topo.load.source import Source
from topo.model.errors import FieldProblem
from topo.model.fields import Fields
from topo.model.kinds import make_id
from topo.model.selectors import parse_label_selector


def common_fields(
    doc: Mapping[str, Any], source: Source, namespace: str | None, problems: list[FieldProblem] | None = None
) -> dict[str, Any]:
    metadata = Fields(doc.get("metadata"), "metadata", problems)
    kind, name = doc["kind"], metadata.str("name", "")  # the reader checked it is a non-empty string
    return {
        "id": make_id(kind, namespace, name),
        "kind": kind,
        "api_version": doc["apiVersion"],
        "namespace": namespace,
        "name": name,
        "labels": metadata.str_map("labels"),
        "annotations": metadata.str_map("annotations"),
        "source": source,
        "raw": doc,
    }


def created(doc: Fields) -> str | None:
    value = doc.map("metadata").raw("creationTimestamp")
    return str(value) if value is not None else None


def optional_selector(spec: Fields):
    if spec.data.get("selector") is None:
        return None
    return parse_label_selector(spec.map("selector").data, spec.at("selector"))
