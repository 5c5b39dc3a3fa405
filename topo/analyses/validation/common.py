"""Shared pieces of the validation checks: the Problem type, syntax checks, int-or-percent, helpers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from topo.model.names import DNS1123_LABEL_MAX
from topo.model.objects import (
    K8sObject,
    Workload,
)

_EMPTY: Mapping[str, Any] = {}


class Problem(NamedTuple):
    """One validation error: the field path and what is wrong with it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# --- syntax (k8s.io/apimachinery pkg/util/validation/validation.go) ----------------------------

_PORT_NAME_CHARSET = re.compile(r"[-a-z0-9]+")
_PORT_NAME_LETTER = re.compile(r"[a-z]")
_PERCENT = re.compile(r"[0-9]+%")
_ATOI = re.compile(r"[+-]?[0-9]+")

#: ValidateAnnotations: the total size of keys and values (TotalAnnotationSizeLimitB).
ANNOTATIONS_MAX_BYTES = 256 * 1024
#: ValidateCronJobCreate: the controller names each Job `<cronjob>-<minutes since epoch>`, an
#: 11-character suffix, and a Job name must fit a 63-character label value.
CRONJOB_NAME_MAX = DNS1123_LABEL_MAX - 11


def port_name_problems(value: str) -> list[str]:
    """IsValidPortName (IANA_SVC_NAME): 1-15 of [-a-z0-9], a letter, no leading/trailing/double '-'."""
    found = []
    if len(value) > 15:
        found.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARSET.fullmatch(value):
        found.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(value):
        found.append("must contain at least one letter (a-z)")
    if "--" in value:
        found.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        found.append("must not begin or end with a hyphen")
    return found


def port_number_problems(value: int) -> list[str]:
    """IsValidPortNum: 1..65535."""
    return [] if 1 <= value <= 65535 else ["must be between 1 and 65535, inclusive"]


def port_num_or_name_problems(value: Any) -> list[str]:
    """ValidatePortNumOrName: an int is a port number, a string a port name (IANA_SVC_NAME).

    An absent port decodes to the IntOrString zero value, the number 0, which is out of range.
    A quoted number (`port: "8080"`) is a string, so it must be a *name*, and fails.
    """
    if value is None:
        return port_number_problems(0)
    if isinstance(value, str):
        return port_name_problems(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return port_number_problems(value)
    return ["must be a port number or a port name"]


def _join(messages: Iterable[str]) -> str:
    return "; ".join(messages)


# --- int-or-percent (pkg/apis/apps/validation/validation.go) ------------------------------------


def percent_value(value: int | str) -> int | None:
    """getPercentValue: the N of a valid `N%` string (IsValidPercent: `^[0-9]+%$`), else None."""
    if isinstance(value, str) and _PERCENT.fullmatch(value):
        return int(value[:-1])
    return None


def int_or_percent_value(value: int | str) -> int:
    """getIntOrPercentValue: N for `N%`, the int itself, or strconv.Atoi of any other string (0 on error).

    This is the *written* value, not the value scaled by replicas: `10%` of 3 replicas rounds down
    to 0 pods, yet counts as 10 here, so `maxSurge: 0` with `maxUnavailable: 10%` is valid.
    """
    percent = percent_value(value)
    if percent is not None:
        return percent
    if isinstance(value, int):
        return value
    return int(value) if _ATOI.fullmatch(value) else 0


def positive_int_or_percent_problems(value: int | str | None, path: str) -> list[Problem]:
    """ValidatePositiveIntOrPercent: a string must be `N%`; an int must not be negative."""
    if value is None:
        return []
    if isinstance(value, str):
        if not _PERCENT.fullmatch(value):
            return [
                Problem(
                    path,
                    f'Invalid value "{value}": a valid percent string must be a numeric string '
                    f"followed by an ending '%' (e.g. '1%' or '93%')",
                )
            ]
        return []
    if value < 0:
        return [Problem(path, f"Invalid value {value}: must be greater than or equal to 0")]
    return []


def not_more_than_100_percent_problems(value: int | str | None, path: str) -> list[Problem]:
    """IsNotMoreThan100Percent: only valid percentages are checked; ints are not capped."""
    percent = percent_value(value) if value is not None else None
    if percent is not None and percent > 100:
        return [Problem(path, f'Invalid value "{value}": must not be greater than 100%')]
    return []


# --- object metadata -----------------------------------------------------------------------------


# --- small helpers --------------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    if type(value) is dict:  # what the YAML loader builds; the abstract check below is slow
        return value
    return value if value is not None and isinstance(value, Mapping) else _EMPTY


def _maps(value: Any) -> Iterable[Mapping[str, Any]]:
    return [_mapping(item) for item in value] if isinstance(value, list) else []


def _yaml_key_text(key: Any) -> str:
    """A YAML map key as sigs.k8s.io/yaml turns it into JSON text (`true`, `1`)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _job_spec(workload: Workload) -> Mapping[str, Any]:
    spec = _mapping(workload.raw.get("spec"))
    return _mapping(_mapping(spec.get("jobTemplate")).get("spec")) if workload.kind == "CronJob" else spec


def _manual_selector(obj: K8sObject) -> bool:
    return _mapping(obj.raw.get("spec")).get("manualSelector") is True


# --- Ingress ------------------------------------------------------------------------------------
