"""Delete-then-recreate timelines in batches (StatefulSet ordinals, DaemonSet nodes) and the
DaemonSet surge timeline, bounded whatever the number of pods."""

from __future__ import annotations

from collections.abc import Sequence

from topo.analyses.rollout.timelines import Step, Timeline, start_step

#: Replacement timelines longer than this many batches show the first and last ones in full and
#: the identical batches between them as one step.
DETAILED_BATCHES = 4


def _batches(names: list[str], batch: int) -> list[list[str]]:
    size = max(1, batch)
    return [names[start : start + size] for start in range(0, len(names), size)]


def _skip_step(old: int, new: int, skipped: list[list[str]], unit: str) -> Step:
    names = [name for group in skipped for name in group]
    return Step(
        old, new, old + new, old + new, f"the same for {len(skipped)} more batch(es): {_names(names, unit)}"
    )


class OrdinalNames(Sequence):
    """`<name>-<ordinal>` for a range of ordinals, never materialised (a StatefulSet may declare
    100,000,000 replicas): slicing gives another OrdinalNames; `list()` only when it is small."""

    def __init__(self, name: str, ordinals: range):
        self.name = name
        self.ordinals = ordinals

    def __len__(self) -> int:
        return len(self.ordinals)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return OrdinalNames(self.name, self.ordinals[index])
        return f"{self.name}-{self.ordinals[index]}"

    def __reversed__(self):
        return iter(OrdinalNames(self.name, self.ordinals[::-1]))

    def reversed(self) -> OrdinalNames:
        return OrdinalNames(self.name, self.ordinals[::-1])


def replacement_timeline(
    total: int,
    to_update: Sequence[str],
    batch: int,
    unit: str,
    capacity: int | None = None,
    one_by_one: bool = False,
) -> Timeline:
    """Delete-then-recreate in batches of `batch` (StatefulSet ordinals, highest first; DaemonSet
    nodes): terminate, create at the new revision (next sync), available (after readiness).

    `to_update` names the pods in the order they are replaced. `capacity` bounds how many pods can
    run. `one_by_one`: the pods of a batch are recreated one at a time, lowest ordinal first, each
    waiting for the previous to be Running and Ready (StatefulSet OrderedReady: the monotonic
    creation loop of stateful_set_control.go). With more than DETAILED_BATCHES batches the middle
    ones (identical in shape) are one step; so are the middle pods of a batch recreated one by one.
    The work is bounded whatever `total` is: batches are sliced, never listed.
    """
    if capacity is not None and capacity >= total:
        capacity = None  # room for every pod: the same as no limit
    steps = [start_step(total)]
    old, new, available = total, 0, total
    size = max(1, batch)
    batch_count = -(-len(to_update) // size)
    skipping = batch_count > DETAILED_BATCHES and capacity is None
    index = 0
    while index < batch_count:
        if skipping and index == 2:
            middle = to_update[2 * size : (batch_count - 1) * size]
            old -= len(middle)
            new += len(middle)
            steps.append(
                Step(
                    old,
                    new,
                    old + new,
                    old + new,
                    f"the same for {batch_count - 3} more batch(es): {_names(middle, unit)}",
                )
            )
            index = batch_count - 1
            continue
        names = to_update[index * size : (index + 1) * size]
        index += 1
        count = len(names)
        old -= count
        available -= count
        steps.append(Step(old, new, available, old + new, f"terminate {_names(names, unit)}"))
        if one_by_one and count > 1 and capacity is None:
            order: list[str | None] = list(reversed(names))
            if count > DETAILED_BATCHES:  # the first two and the last; the ones between as one step
                order = [names[-1], names[-2], None, names[0]]
            for name in order:  # lowest ordinal first
                if name is None:
                    between = count - 3
                    new += between
                    available += between
                    steps.append(
                        Step(old, new, available, old + new, f"the same, one by one, for {between} more pods")
                    )
                    continue
                new += 1
                steps.append(Step(old, new, available, old + new, f"create {name} with the new template"))
                available += 1
                steps.append(Step(old, new, available, old + new, f"{name} available"))
            continue
        new += count
        steps.append(
            Step(old, new, available, old + new, f"create {_names(names, unit)} with the new template")
        )
        runnable = count if capacity is None else max(0, min(count, capacity - (available)))
        available += runnable
        steps.append(Step(old, new, available, old + new, f"{_names(names, unit)} available"))
        if runnable < count:
            return Timeline(tuple(steps), False, f"{count - runnable} replaced pod(s) cannot be scheduled")
    return Timeline(tuple(steps), True)


def surge_timeline(total: int, nodes: list[str], batch: int) -> Timeline:
    """DaemonSet with maxSurge: a new pod starts beside the old one, the old one goes once it is ready."""
    steps = [start_step(total)]
    old, new, available = total, 0, total
    batches = _batches(nodes, batch)
    skip = batches[2:-1] if len(batches) > DETAILED_BATCHES else []
    for index, names in enumerate(batches):
        count = len(names)
        if skip and 2 <= index < len(batches) - 1:
            old -= count
            new += count
            if index == len(batches) - 2:
                steps.append(_skip_step(old, new, skip, "node"))
            continue
        new += count
        steps.append(
            Step(
                old,
                new,
                available,
                old + new,
                f"create new pods beside the old ones on {_names(names, 'node')}",
            )
        )
        available += count
        steps.append(Step(old, new, available, old + new, f"new pods available on {_names(names, 'node')}"))
        old -= count
        available -= count
        steps.append(
            Step(old, new, available, old + new, f"terminate the old pods on {_names(names, 'node')}")
        )
    return Timeline(tuple(steps), True)


def _names(names: Sequence[str], unit: str) -> str:
    if len(names) <= 3:
        return ", ".join(names)
    return f"{len(names)} {unit}s ({names[0]} … {names[-1]})"
