"""Only what changes on the map goes to the browser.

At 20,000 objects a collapsed map holds ~1,700 elements; expanding one namespace changes a few
hundred of them. Sending the whole list again made the browser parse it, Dash store it and the
Cytoscape component compare it element by element; here the server sends a delta instead: the ids
to remove and the elements to add or update, computed against the list it sent for the key the
page says it shows (`ids.MAP_SHOWN`). The browser applies it by id (assets/map_view.js,
`applyMapDelta`) and asks for the whole list (`ids.MAP_REFRESH`) when the delta was made for
another list than the one it shows.

Why by id and not a Dash `Patch` of the `elements` property: dash-cytoscape writes its own list
back into that property 100 ms after elements are added or removed (every element as `{data,
position}`, in Cytoscape's order, without classes), so the list in the browser is not the list
the server sent; a `Patch` addresses list items by index or by equal value and would change the
wrong elements or none. Pure, except the per-analysis memory of the lists sent (`remember`).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

#: Lists kept per analysis to diff against (the last few views of each open page).
LISTS_KEPT = 8

_SERIALS = itertools.count(1)
_LOCK = threading.Lock()


def shown_key(entry, style: str, state) -> str:
    """The key of the map `entry` draws for `state` with the stylesheet `style`: which analysis
    (a serial per entry, so that two analyses never share a key), the stylesheet, the state."""
    with _LOCK:
        serial = entry.__dict__.setdefault("map_serial", next(_SERIALS))
    return json.dumps({"e": serial, "s": style, "m": asdict(state)}, sort_keys=True, separators=(",", ":"))


def style_key(entry, large: bool) -> str:
    """Which stylesheet the map of `entry` uses: labels of large maps, compare mode's painting."""
    return ("large" if large else "small") + ("+compare" if entry.side is not None else "")


def style_of(key: str | None) -> str | None:
    """The stylesheet the map of `key` was drawn with (None: unknown)."""
    try:
        return json.loads(key)["s"] if key else None
    except (ValueError, TypeError, KeyError):
        return None


def remember(entry, key: str, elements: list[dict]) -> None:
    """Keep the list sent for `key` (the next delta is computed against it)."""
    with _LOCK:
        lists = entry.__dict__.setdefault("map_lists", OrderedDict())
        lists[key] = elements
        lists.move_to_end(key)
        while len(lists) > LISTS_KEPT:
            lists.popitem(last=False)


def delta(entry, shown: str | None, key: str, elements: list[dict], full: bool = False) -> dict[str, Any]:
    """What the browser needs to go from the map of `shown` to `elements` (the map of `key`):
    `{"key", "base", "remove": [ids], "upsert": [elements], "count"}`, or `{"key", "full":
    elements}` when the server does not know that list (another analysis, forgotten, or `full`)."""
    with _LOCK:
        previous = None if full or not shown else entry.__dict__.get("map_lists", {}).get(shown)
    remember(entry, key, elements)
    if previous is None:
        return {"key": key, "full": elements}
    before = {element["data"]["id"]: element for element in previous}
    after_ids = {element["data"]["id"] for element in elements}
    return {
        "key": key,
        "base": shown,
        "remove": [element_id for element_id in before if element_id not in after_ids],
        "upsert": [e for e in elements if before.get(e["data"]["id"]) != e],
        "count": len(elements),
    }
