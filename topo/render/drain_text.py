"""`topo drain` for people: what is evicted, what blocks, what stays up."""

from __future__ import annotations

import json

from topo.analyses.drain import Drain
from topo.render.rollout_text import table


def render_drain_text(result: Drain) -> str:
    nodes = ", ".join(result.drained)
    lines = [f"Drain of {nodes}: " + ("completes" if result.completes else "does not complete"), ""]
    if result.evicted:
        lines.append("Pods on the drained nodes (worst case where replicas may share a node)")
        lines.append("")
        lines += table(
            ["WORKLOAD", "PODS", "EVICTED", "RESCHEDULED", "READY BEFORE", "DURING", "AFTER", "NOTE"],
            [
                [
                    e.workload,
                    e.pods,
                    e.evicted,
                    e.rescheduled,
                    e.ready_before,
                    e.min_ready_during,
                    e.ready_after,
                    e.reason or "-",
                ]
                for e in result.evicted
            ],
        )
    else:
        lines.append("No pod of the input can be running on these nodes.")
    if result.ignored:
        lines += ["", "DaemonSet pods stay (kubectl drain --ignore-daemonsets): " + ", ".join(result.ignored)]
    if result.blocked_by:
        lines += ["", "Blocked by"]
        for block in result.blocked_by:
            when = "forever" if block.forever else "until pods can run elsewhere"
            lines.append(
                f"  {block.pdb} (disruptionsAllowed {block.disruptions_allowed}): {block.pods} pod(s) of "
                f"{', '.join(block.workloads)} cannot be evicted — the drain hangs {when}; {block.reason}"
            )
    if result.entry_points:
        lines += ["", "Entry points (ready backend pods)", ""]
        lines += table(
            ["ENTRY POINT", "ROUTE", "BEFORE", "DURING", "AFTER"],
            [[i, route, before, during, after] for i, route, before, after, during in result.entry_points],
        )
    zero = [
        f"{i} ({route})" for i, route, before, after, during in result.entry_points if before and during == 0
    ]
    zero += [i for i, before, after, during in result.services if before and during == 0]
    if zero:
        lines += ["", "Drop to zero ready pods while the drain runs: " + ", ".join(sorted(set(zero)))]
    gone = [i for i, before, after, during in result.services if before and after == 0]
    if gone:
        lines += ["", "Left with no ready pod after the drain: " + ", ".join(gone)]
    floor = [e for e in result.evicted if e.at_pdb_floor]
    if floor:
        lines += [
            "",
            "Left at their PDB's floor (no disruption to spare: the next drain of their nodes hangs): "
            + ", ".join(
                f"{e.workload} {e.ready_after}/{e.ready_before} ready, desiredHealthy {e.pdb_desired_healthy}"
                for e in floor
            ),
        ]
    below = [e for e in result.evicted if e.ready_after < e.ready_before and not e.at_pdb_floor]
    if below:
        lines += [
            "",
            "Left below full strength after the drain: "
            + ", ".join(f"{e.workload} {e.ready_after}/{e.ready_before}" for e in below),
        ]
    return "\n".join(lines) + "\n"


def render_drain_json(result: Drain) -> str:
    return json.dumps(result.to_dict(), indent=2) + "\n"
