"""Where a pod keeps its data: which volume mounts of its main containers hold data and which are
scratch space (temporary files, sockets, logs, configuration). Shared by the rules that ask
whether a workload has data to lose (statefulset-ephemeral-storage) or to recover after a restart
(startup-probe-missing); no rules here.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from topo.model import Workload

#: Volume sources whose content dies with the pod (or that only carry configuration).
EPHEMERAL_SOURCES = frozenset(
    {"emptyDir", "configMap", "secret", "projected", "downwardAPI", "ephemeral", "image", "gitRepo"}
)

#: Mount locations that hold scratch space, runtime files, logs or configuration: not the data.
SCRATCH_DIRECTORIES = ("/tmp", "/var/tmp", "/dev/shm", "/run", "/var/run", "/var/cache", "/var/log", "/etc")
SCRATCH_NAMES = frozenset(
    {
        "tmp",
        "temp",
        "cache",
        "caches",
        "log",
        "logs",
        "run",
        "shm",
        "etc",
        "conf",
        "config",
        "certs",
        "tls",
        "socket",
        "sockets",
        "csi",
        "plugins",
        "scratch",
        "lock",
        "locks",
    }
)
#: Words in a volume's name that say what it is for (`socket-dir`, `tmp-volume`, `nginx-cache`).
SCRATCH_VOLUME_WORDS = frozenset(
    {
        "tmp",
        "temp",
        "cache",
        "socket",
        "sockets",
        "sock",
        "shm",
        "scratch",
        "log",
        "logs",
        "run",
        "config",
        "conf",
        "certs",
        "tls",
        "plugins",
        "csi",
        "lock",
    }
)


def is_scratch_path(path: str) -> bool:
    """A mount location for temporary files, runtime sockets, logs or configuration (not data)."""
    normalised = posixpath.normpath(path or "/")
    for directory in SCRATCH_DIRECTORIES:
        if normalised == directory or normalised.startswith(directory + "/"):
            return True
    return posixpath.basename(normalised).lower() in SCRATCH_NAMES


def is_scratch_volume(name: str) -> bool:
    """A volume whose name says it holds sockets, temporary files, caches, logs or configuration."""
    return any(word in SCRATCH_VOLUME_WORDS for word in re.split(r"[-_.]", name.lower()))


def main_container_mounts(workload: Workload) -> Iterator[tuple[str, str, str, bool]]:
    """(container, volume, mountPath, readOnly) for the main containers and sidecars."""
    pod_spec = _mapping(_mapping(_mapping(workload.raw.get("spec")).get("template")).get("spec"))
    sidecars = [
        c
        for c in pod_spec.get("initContainers") or ()
        if isinstance(c, dict) and c.get("restartPolicy") == "Always"
    ]
    for container in [*(pod_spec.get("containers") or ()), *sidecars]:
        if not isinstance(container, dict):
            continue
        for mount in container.get("volumeMounts") or ():
            if isinstance(mount, dict) and isinstance(mount.get("name"), str):
                yield (
                    str(container.get("name")),
                    mount["name"],
                    str(mount.get("mountPath") or ""),
                    mount.get("readOnly") is True,
                )


def empty_dir_medium(volume_raw: Any) -> str:
    source = _mapping(_mapping(volume_raw).get("emptyDir"))
    medium = source.get("medium")
    return medium if isinstance(medium, str) else ""


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def data_mounts_of(workload: Workload) -> list[tuple[str, str, str]]:
    """(container, volume, mountPath) of the main containers' and sidecars' mounts that may hold
    data: read-write, not at a scratch location, of a volume not named for scratch use."""
    return [
        (container, name, path)
        for container, name, path, read_only in main_container_mounts(workload)
        if not read_only and not is_scratch_path(path) and not is_scratch_volume(name)
    ]
