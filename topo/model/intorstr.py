"""IntOrString fields (`maxSurge`, `maxUnavailable`, `minAvailable`, `targetPort`...) and their scaling.

`maxUnavailable: 25%` of 3 replicas is 0 and `maxSurge: 25%` of 3 is 1: the rounding direction
decides whether a rollout can make progress or a PodDisruptionBudget blocks every eviction, so it
is done here once, as k8s.io/apimachinery pkg/util/intstr/intstr.go GetScaledValueFromIntOrPercent
does it, in exact integer arithmetic.
"""

from __future__ import annotations

import re
from typing import Any

from topo.load.reader import type_name
from topo.model.errors import ManifestError

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_ATOI = re.compile(r"[+-]?[0-9]+")  # Go strconv.Atoi: optional sign, ASCII digits, nothing else


def parse_int_or_percent(value: Any, path: str) -> int | str:
    """Read an IntOrString field as the API server decodes it: an int32, or a string kept as given.

    YAML booleans are not integers (Python's `True == 1` must not leak through). A float with no
    fractional part is accepted as that integer, because kubectl's YAML-to-JSON conversion writes
    `1.0` as `1`; any other float is refused, as decoding a JSON `1.5` into an int32 is. Whether
    the string is a valid percentage is checked where it is used (`scaled_value`), as upstream.
    """
    if isinstance(value, bool) or value is None:
        raise ManifestError(path, f"expected an integer or a string, got {type_name(value)}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ManifestError(path, f"expected an integer or a string, got {type_name(value)}")
        value = int(value)
    if isinstance(value, int):
        if not _INT32_MIN <= value <= _INT32_MAX:
            raise ManifestError(path, f"integer {value} does not fit in 32 bits")
        return value
    if isinstance(value, str):
        return value
    raise ManifestError(path, f"expected an integer or a string, got {type_name(value)}")


def is_percent(value: int | str) -> bool:
    """True for a string ending in `%`: the test upstream uses to treat a value as a percentage."""
    return isinstance(value, str) and value.endswith("%")


def scaled_value(value: int | str, total: int, round_up: bool, path: str = "") -> int:
    """The absolute value of an int-or-percent against `total`, as GetScaledValueFromIntOrPercent.

    An int is returned unchanged (not capped by `total`). A string must be `N%` with N an integer
    (strconv.Atoi: optional sign, ASCII digits); then the result is N*total/100 rounded up
    (`round_up`) or down. A string without `%` (`"2"`) is an error, unlike the deprecated
    GetValueFromIntOrPercent that read it as a percentage. Upstream computes in float64; the exact
    integer ceiling/floor used here agrees with it for every realistic size and never drifts.
    """
    if isinstance(value, bool):
        raise ManifestError(path, "invalid value for IntOrString: invalid type: neither int nor percentage")
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        raise ManifestError(path, "invalid value for IntOrString: invalid type: neither int nor percentage")
    if not value.endswith("%"):
        raise ManifestError(path, "invalid value for IntOrString: invalid type: string is not a percentage")
    digits = value[:-1]
    if not _ATOI.fullmatch(digits):
        raise ManifestError(
            path,
            f'invalid value for IntOrString: invalid value "{value}": '
            f'strconv.Atoi: parsing "{digits}": invalid syntax',
        )
    percent = int(digits)
    if not _INT64_MIN <= percent <= _INT64_MAX:
        raise ManifestError(
            path,
            f'invalid value for IntOrString: invalid value "{value}": '
            f'strconv.Atoi: parsing "{digits}": value out of range',
        )
    scaled = percent * total
    return -((-scaled) // 100) if round_up else scaled // 100
