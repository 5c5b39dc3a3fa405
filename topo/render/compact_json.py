"""`json.dumps` of one item of a streamed document, with one reusable C encoder.

The JSON outputs of large inputs are written one item per line (a finding, a node, an edge, a
connection): `json.dumps` makes a new encoder for each call, a fifth of the encoding time for
20,000 findings (docs/performance.md). The encoders here are made once; the text is the same as
`json.dumps(value)` (and `json.dumps(value, default=str)`), and where the C accelerator is missing
they are `json.dumps` itself.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any


def compact_encoder(default: Callable[[Any], Any] | None = None) -> Callable[[Any], str]:
    """A function that returns `json.dumps(value, default=default)` with its other settings at
    their defaults (ASCII, ", " and ": " separators, no indent)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.dumps if default is None else functools.partial(json.dumps, default=default)
    encode = make(None, default, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encode(value, 0))


#: `json.dumps(value)`
dumps = compact_encoder()

#: `json.dumps(value, default=str)`: values JSON has no type for (sets of ports...) as their text.
dumps_or_str = compact_encoder(default=str)
