"""The YAML loader class topo builds on: PyYAML's C loader when present (safe loading only)."""

import yaml

try:  # the C loader is ~10x faster; the pure-Python one is a correct fallback
    SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    SafeLoader = yaml.SafeLoader
