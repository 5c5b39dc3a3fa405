"""Which of several classes marked default an admission plugin picks (StorageClass, IngressClass).

Both plugins sort the classes annotated as default by creationTimestamp, newest first, and break
ties by name, ascending (k8s.io/kubernetes pkg/volume/util/storageclass.go GetDefaultClass;
plugin/pkg/admission/network/defaultingressclass/admission.go getDefaultClass). Manifests rarely
carry a creationTimestamp, so the tie-break by name is the common case, not declaration order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Protocol, TypeVar


class _Class(Protocol):
    # read-only properties, so that frozen dataclasses match
    @property
    def name(self) -> str: ...
    @property
    def is_default(self) -> bool: ...
    @property
    def created(self) -> str | None: ...


C = TypeVar("C", bound=_Class)


def newest_default(classes: Iterable[C]) -> C | None:
    """The default class: newest creationTimestamp, then the first name; None when none is default."""
    defaults = sorted((c for c in classes if c.is_default), key=lambda c: c.name)
    return max(defaults, key=lambda c: created_instant(c.created), default=None)


def created_instant(created: str | None) -> float:
    """A creationTimestamp as seconds since the epoch; missing or unreadable sorts as oldest."""
    if not created:
        return float("-inf")
    try:
        moment = datetime.fromisoformat(created.strip())
    except ValueError:
        return float("-inf")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
