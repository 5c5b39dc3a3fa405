"""What the loader's tests share: small manifests and files written for one test."""

from __future__ import annotations

import textwrap

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
data:
  key: value
"""


def configmap(name: str) -> str:
    return CONFIGMAP.format(name=name)


def write(directory, relative: str, text: str | bytes) -> str:
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text))
    return str(path)


def names(result) -> list[str]:
    return [document.data["metadata"]["name"] for document in result.documents]


def lines(result) -> list[int]:
    return [document.source.line for document in result.documents]
