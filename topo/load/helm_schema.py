"""Render a chart whose values schema refers to a schema topo cannot fetch.

Before rendering, Helm checks the values against the chart's `values.schema.json` and every
subchart's (helm.sh/helm pkg/chart/common/util/jsonschema.go ValidateAgainstSchema). A `$ref` to
an `http(s)://` address is fetched then and there (its HTTPURLLoader, a 15 s client): ZITADEL's
chart points its `affinity`, `resources`, `tolerations`... at
`https://raw.githubusercontent.com/yannh/kubernetes-json-schema/...`. Offline the fetch fails,
the jsonschema compiler reports `failing loading "<url>": ...`, and Helm renders nothing. Online
the same values would render.

topo reads manifests offline, so when the only complaint is a schema it could not fetch, it
renders as `helm template --skip-schema-validation` does (install.go: no schema check at all)
and says so with a warning at the reference. Values that break the schema itself stay a load
error, with Helm's message.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from topo.load.source import LoadWarning

SCHEMA_FILE = "values.schema.json"
#: santhosh-tekuri/jsonschema v6 LoadURLError: `failing loading %q: %v`
_UNLOADABLE = re.compile(r'failing loading "(?P<url>https?://[^"]+)"')


def unloadable_schema_reference(message: str) -> str | None:
    """The address of a remote schema Helm could not load, when that is why it refused to render."""
    match = _UNLOADABLE.search(message)
    return match.group("url") if match else None


@contextmanager
def copy_without_values_schemas(directory: str) -> Iterator[str]:
    """A copy of the chart folder with no values.schema.json anywhere in it (subchart folders
    included), so that the renderer validates nothing; removed on exit."""
    with tempfile.TemporaryDirectory(prefix="topo-chart-") as scratch:
        copy = os.path.join(scratch, os.path.basename(os.path.normpath(directory)) or "chart")
        shutil.copytree(directory, copy, ignore=shutil.ignore_patterns(SCHEMA_FILE))
        yield copy


def unchecked_schema_warning(directory: str, display: str, url: str, reason: str) -> LoadWarning:
    """Where the chart refers to `url` (its first mention in a values.schema.json, else the first
    line of the first values.schema.json of the chart or its subcharts), and what was not checked."""
    file, line = _first_mention(directory, url)
    # the innermost cause (`no such host`, `... returned status 404 (Not Found)`), not the chain
    detail = " ".join(reason.split(f'"{url}":', 1)[-1].split()).rsplit(": ", 1)[-1]
    return LoadWarning(
        os.path.normpath(file).replace(os.sep, "/"),
        line,
        f"chart {display}: values not checked against values.schema.json: its reference {url} "
        f"could not be fetched ({detail}); rendered as `helm template --skip-schema-validation`",
    )


def _first_mention(directory: str, url: str) -> tuple[str, int]:
    address = url.split("#", 1)[0]
    schemas = []
    for folder, subfolders, files in os.walk(directory):
        subfolders.sort()
        if SCHEMA_FILE in files:
            schemas.append(os.path.join(folder, SCHEMA_FILE))
    for schema in schemas:
        try:
            with open(schema, encoding="utf-8", errors="replace") as handle:
                for number, text in enumerate(handle, start=1):
                    if address in text:
                        return schema, number
        except OSError:
            continue
    # the address is not written as such (a relative `$ref` resolved against the schema's `$id`,
    # as Immich's library chart writes `schemas/pod.json`): the first schema there is, else the chart
    return (schemas[0] if schemas else os.path.join(directory, "Chart.yaml")), 1
