"""`topo reach --from SRC --to DST [--port P] [--explain]`: verdicts with their reasons."""

from __future__ import annotations

import json
from typing import Any

from topo.analyses.reach import Verdict
from topo.analyses.reach.explain import Side

VERDICT_FORMATS = ("text", "json")


def verdict_document(verdicts: list[Verdict], source: str, destination: str) -> dict[str, Any]:
    """One verdict as its JSON; several (a Service stands for several workloads) under `verdicts`,
    `allowed` being true when every one is, and `egress`/`ingress` those of the first denied one."""
    if len(verdicts) == 1:
        return verdicts[0].to_dict()
    first = next((v for v in verdicts if v.state == "denied"), None) or next(
        (v for v in verdicts if not v.allowed), verdicts[0]
    )
    document = first.to_dict()
    document.update({"allowed": all(v.allowed for v in verdicts), "src": source, "dst": destination})
    document["verdict"] = first.state if not document["allowed"] else "allowed"
    document["verdicts"] = [v.to_dict() for v in verdicts]
    return document


def render_verdicts(verdicts: list[Verdict], source: str, destination: str, fmt: str, explain: bool) -> str:
    if fmt == "json":
        return json.dumps(verdict_document(verdicts, source, destination), indent=2) + "\n"
    lines = []
    for verdict in verdicts:
        on = f" on {verdict.query.short_text()}" if verdict.query is not None else ""
        ports = (
            f" (allowed: {verdict.ports.short_text()})" if verdict.query is None or verdict.any_port else ""
        )
        lines.append(f"{verdict.source} => {verdict.destination}{on}: {verdict.state}{ports}")
        if verdict.uncertain:
            lines.append(f"  denied by the policies as written, but not for certain: {verdict.uncertain}")
        if explain:
            lines.extend(_side_lines(verdict.egress, "egress of the source"))
            lines.extend(_side_lines(verdict.ingress, "ingress of the destination"))
    return "\n".join(lines) + "\n"


def _side_lines(side: Side, title: str) -> list[str]:
    lines = [f"  {title} {side.endpoint} allows: {side.allowed.short_text()}"]
    if not side.governed:
        lines.append("    outside the cluster: no policy applies")
        return lines
    for match in side.admin:
        lines.append(f"    {match.action.lower()} by {match.text()}")
    if side.isolated:
        lines.append(f"    isolated by {', '.join(side.selected_by)}")
        for match in side.allowed_by:
            lines.append(f"    allowed by {match.text()}")
        if not side.allowed_by:
            lines.append(f"    no {side.direction} rule of these policies admits the peer")
        for miss in side.near_misses[:5]:
            lines.append(f"    near miss: {miss}")
    elif not side.admin:
        lines.append(
            f"    not isolated: no NetworkPolicy with {side.direction.capitalize()} in its policyTypes selects it"
        )
    return lines
