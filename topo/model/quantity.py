"""resource.Quantity values (`cpu: 500m`, `memory: 1.5Gi`, `storage: 10G`) as exact fractions.

Requests, limits and volume sizes are compared and summed by placement and storage analyses; a
float would make `0.1 + 0.2` CPUs unequal to `300m`, so every value is a `fractions.Fraction`.
Parsing follows ParseQuantity in k8s.io/apimachinery pkg/api/resource/quantity.go (grammar,
suffixes in suffix.go, rounding of sub-nano values, the cap on binary values) rather than a
plausible-looking regex: `1GB`, `1gi` and `1 Gi` are refused there and here.
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction
from typing import Any

from topo.load.reader import type_name
from topo.model.errors import ManifestError

_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}

# The shape ParseQuantity's scanner (parseQuantityString) accepts: a sign, digits with an optional
# '.', then a run of suffix letters, an optional sign and digits. The suffix is checked afterwards.
_QUANTITY_SHAPE = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[+-]?[0-9]*)")
_EXPONENT = re.compile(r"[+-]?[0-9]+")  # strconv.ParseInt(s, 10, 64)

_NANO = Fraction(1, 10**9)
_MILLI = Fraction(1, 1000)
_BINARY_MAX = 2**63 - 1  # maxAllowed: binary quantities are capped here
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
# Not upstream limits: they keep a hostile `1e999999999` from building a billion-digit integer.
_MAX_DIGITS = 4000
_MAX_EXPONENT = 4000

_SUFFIX_HELP = "a number with an optional suffix: n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or e<N>"


def parse_quantity(value: Any, path: str) -> Fraction:
    """The exact value of a resource.Quantity given as a string or a YAML number.

    Strings are trimmed (Quantity.UnmarshalJSON does) and must follow the Quantity grammar:
    `<sign><digits>[.<digits>]<suffix>` with a decimal SI suffix (n u m "" k M G T P E), a binary
    one (Ki Mi Gi Ti Pi Ei) or a decimal exponent (`e3`, `E-2`). Numbers are read from their
    decimal text as JSON would carry them. Booleans and other types are refused.

    Like upstream, a non-zero value smaller than 1n in magnitude is rounded away from zero to the
    next nano (`0.1n` is `1n`), a binary value is capped at 2^63-1, and the scanner's corner
    cases are kept (`1.` and `.5` are valid; an empty number reads as 0).
    """
    if isinstance(value, bool) or value is None:
        raise ManifestError(path, f"expected a quantity (string or number), got {type_name(value)}")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ManifestError(path, f"expected a quantity, got {type_name(value)}")
        text = repr(value)  # the shortest decimal text, as Go's JSON encoder writes a float64
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ManifestError(path, f"expected a quantity (string or number), got {type_name(value)}")
    return _parse_quantity_text(text, path)


def _parse_quantity_text(text: str, path: str) -> Fraction:
    value = _quantity_of(text)
    if isinstance(value, str):
        raise ManifestError(path, value)
    return value


@functools.lru_cache(maxsize=8192)
def _quantity_of(text: str) -> Fraction | str:
    """The value of a Quantity's text, or why it is invalid. Memoised: manifests repeat the same few
    quantities (`100m`, `128Mi`) thousands of times, and exact fractions are slow to build."""
    try:
        return _exact_quantity(text)
    except _Invalid as invalid:
        return str(invalid)


class _Invalid(ValueError):
    pass


def _exact_quantity(text: str) -> Fraction:
    shape = _QUANTITY_SHAPE.fullmatch(text) if text else None
    if shape is None:
        raise _Invalid(f'invalid quantity "{text:.40}": expected {_SUFFIX_HELP}')
    sign, whole, fraction, suffix = shape.group(1), shape.group(2), shape.group(3) or "", shape.group(4)
    base, exponent = _interpret_suffix(suffix, text)
    if len(whole) + len(fraction) > _MAX_DIGITS:
        raise _Invalid(f'quantity "{text:.40}..." has too many digits')
    mantissa = int(whole + fraction or "0")
    if mantissa == 0:
        return Fraction(0)
    if base == 2:
        magnitude = Fraction(mantissa * 2**exponent, 10 ** len(fraction))
    else:
        scale = exponent - len(fraction)
        if scale + len(str(mantissa)) <= -9:
            magnitude = _NANO  # below one nano: ParseQuantity rounds it up to 1n
        elif scale > _MAX_EXPONENT:
            raise _Invalid(f'quantity "{text:.40}" is too large to analyse')
        else:
            magnitude = Fraction(mantissa) * Fraction(10) ** scale
    magnitude = _round_up(magnitude, _NANO)
    if base == 2 and magnitude > _BINARY_MAX:
        magnitude = Fraction(_BINARY_MAX)
    return -magnitude if sign == "-" else magnitude


def _interpret_suffix(suffix: str, text: str) -> tuple[int, int]:
    """(base, exponent) of a suffix, as quantitySuffixer.interpret in suffix.go (case-sensitive)."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix]
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix]
    if len(suffix) > 1 and suffix[0] in "eE" and _EXPONENT.fullmatch(suffix[1:]):
        exponent = int(suffix[1:])
        if _INT64_MIN <= exponent <= _INT64_MAX:
            # upstream keeps the exponent as int32(parsed): it wraps around, it is not refused
            return 10, (exponent + 2**31) % 2**32 - 2**31
    raise _Invalid(f'invalid quantity "{text:.40}": unknown suffix "{suffix:.20}" (expected {_SUFFIX_HELP})')


def _round_up(magnitude: Fraction, step: Fraction) -> Fraction:
    """The smallest multiple of `step` that is >= `magnitude` (magnitude >= 0)."""
    return math.ceil(magnitude / step) * step


def round_up_to_milli(value: Fraction) -> Fraction:
    """`value` rounded away from zero to a multiple of 1m, as container resources are defaulted.

    SetDefaults_ResourceList (pkg/apis/core/v1/defaults.go) calls Quantity.RoundUp(-3) on every
    request and limit, so `cpu: 0.1m` is stored as `1m`. Volume sizes are not rounded this way.
    """
    magnitude = _round_up(abs(value), _MILLI)
    return -magnitude if value < 0 else magnitude


# --- formatting for messages --------------------------------------------------------------------

_DECIMAL_TEXT = {exponent: suffix for suffix, exponent in _DECIMAL_SUFFIXES.items()}
_BINARY_TEXT = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def format_decimal(value: Fraction) -> str:
    """The canonical decimal SI text of `value`, as Quantity.String for DecimalSI: `1500m`, `2G`.

    The largest suffix that keeps the number whole is used; a value that is not a whole number
    of nanos is first rounded away from zero to one (as ParseQuantity would have).
    """
    if value == 0:
        return "0"
    nanos = math.ceil(abs(value) / _NANO)
    exponent = -9
    while nanos % 1000 == 0 and exponent < 18:
        nanos //= 1000
        exponent += 3
    return f"{'-' if value < 0 else ''}{nanos}{_DECIMAL_TEXT[exponent]}"


def format_bytes(value: Fraction) -> str:
    """A byte count for messages: `10Gi`, `1536Mi`, `512Ki`, or decimal (`2G`, `1500`, `500m`).

    Binary suffixes are used when the value is a whole number of KiB and that writes it with no
    more digits than decimal does, so `2G` (which is also 1953125Ki) stays `2G`.
    """
    decimal = format_decimal(value)
    if value == 0 or value.denominator != 1 or value % 1024 != 0:
        return decimal
    number, power = abs(value.numerator), 0
    while number % 1024 == 0 and power < len(_BINARY_TEXT) - 1:
        number //= 1024
        power += 1
    digits_decimal = len(decimal.lstrip("-").rstrip("numkMGTPE"))
    if len(str(number)) > digits_decimal:
        return decimal
    return f"{'-' if value < 0 else ''}{number}{_BINARY_TEXT[power]}"
