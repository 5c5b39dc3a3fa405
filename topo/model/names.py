"""Name and label syntax, as k8s.io/apimachinery pkg/util/validation/validation.go checks it.

One home for the model (selectors refuse bad label keys and values at load) and for the
`manifest-invalid` rule (object names, label and annotation keys). Each function returns the
upstream messages, empty when the value is valid.
"""

from __future__ import annotations

import re
from functools import lru_cache

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
LABEL_VALUE_MAX = 63

_LABEL_TEXT = "must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"


def dns1123_label_problems(value: str) -> list[str]:
    """IsDNS1123Label: at most 63 characters, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`."""
    return _length_and_format(
        value, DNS1123_LABEL_MAX, _DNS1123_LABEL, f"a lowercase RFC 1123 label {_LABEL_TEXT}"
    )


def dns1123_subdomain_problems(value: str) -> list[str]:
    """IsDNS1123Subdomain: at most 253 characters, dot-separated RFC 1123 labels."""
    return _length_and_format(
        value,
        DNS1123_SUBDOMAIN_MAX,
        _DNS1123_SUBDOMAIN,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
        "and must start and end with an alphanumeric character",
    )


def dns1035_label_problems(value: str) -> list[str]:
    """IsDNS1035Label: like an RFC 1123 label, but must start with a letter."""
    return _length_and_format(
        value,
        DNS1123_LABEL_MAX,
        _DNS1035_LABEL,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
        "alphabetic character, and end with an alphanumeric character",
    )


def _length_and_format(value: str, max_length: int, pattern: re.Pattern[str], format_text: str) -> list[str]:
    """Upstream's two checks of a name, both reported: its length, then its format."""
    found = []
    if len(value) > max_length:
        found.append(f"must be no more than {max_length} characters")
    if not pattern.fullmatch(value):
        found.append(format_text)
    return found


@lru_cache(maxsize=8192)
def qualified_name_problems(value: str) -> tuple[str, ...]:
    """IsQualifiedName (label and annotation keys): `[prefix/]name`, prefix a DNS subdomain."""
    parts = value.split("/")
    if len(parts) > 2:
        return (
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional "
            "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        )
    found = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            found.append("prefix part must be non-empty")
        else:
            found.extend(f"prefix part {message}" for message in dns1123_subdomain_problems(prefix))
    if not name:
        found.append("name part must be non-empty")
    elif len(name) > LABEL_VALUE_MAX:
        found.append(f"name part must be no more than {LABEL_VALUE_MAX} characters")
    if name and not _QUALIFIED_NAME.fullmatch(name):
        found.append(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character"
        )
    return tuple(found)


@lru_cache(maxsize=8192)
def label_value_problems(value: str) -> tuple[str, ...]:
    """IsValidLabelValue: empty, or at most 63 alphanumerics with '-', '_', '.' inside."""
    found = []
    if len(value) > LABEL_VALUE_MAX:
        found.append(f"must be no more than {LABEL_VALUE_MAX} characters")
    if value and not _QUALIFIED_NAME.fullmatch(value):
        found.append(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
            "and must start and end with an alphanumeric character"
        )
    return tuple(found)
