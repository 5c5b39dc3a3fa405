"""The façade: `analyze(paths | text, config) -> Analysis`. Front ends call only this."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from topo.config import Config
from topo.load import LoadError, LoadResult, LoadWarning, load_paths, load_text
from topo.load.cache import ParseCache
from topo.model import Model, build_model

if TYPE_CHECKING:  # networkx takes ~0.1 s and ~14 MiB to import: only users of `graph` pay it
    import networkx as nx

    from topo.graph.store import DependencyGraph


@contextmanager
def bulk_allocation():
    """Build many long-lived objects without cyclic-GC passes over them.

    Loading a large manifest set allocates millions of objects that all live until exit; the
    cyclic collector would traverse them again and again (a third of the run time at 10k
    objects). They are frozen afterwards so later collections skip them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class Analysis:
    """One analysed system. Each analysis runs on first use, so a command pays only for what it shows."""

    def __init__(self, loaded: LoadResult, config: Config, cache: ParseCache | None = None):
        self.config = config
        self._loaded = loaded
        self._cache = cache  # where the files' parse results went: field lines are kept there too

    @cached_property
    def model(self) -> Model:
        loaded = self._loaded
        with bulk_allocation():
            return build_model(
                loaded.documents,
                loaded.errors,
                loaded.warnings,
                namespace=self.config.namespace,
                cluster_domain=self.config.cluster_domain,
            )

    @cached_property
    def dependency_graph(self) -> DependencyGraph:
        """The dependency graph as topo's own stages read it (topo.graph.store): no networkx."""
        from topo.graph import build_graph
        from topo.graph.link_calls import valid_scan

        model = self.model
        kept_scans = self.kept_answers("calls-scan", valid_scan)
        with bulk_allocation():
            return build_graph(model, self.config.external, kept_scans=kept_scans)

    def kept_answers(self, topic: str, valid=lambda _answer: True):
        """The answers an earlier run on this input kept for `topic` (topo.load.answers), or None
        without a cache."""
        if self._cache is None:
            return None
        from topo.load.answers import KeptAnswers, input_scope

        scope = self.__dict__.get("_answers_scope")
        if scope is None:
            files = {document.source.file for document in self._loaded.documents}
            scope = self.__dict__["_answers_scope"] = input_scope(files)
        return KeptAnswers(self._cache, topic, scope, valid)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The dependency graph as a networkx MultiDiGraph, made on first use (same data dicts)."""
        from topo.graph.store import to_networkx

        return to_networkx(self.dependency_graph)

    @cached_property
    def rollout(self):
        """Availability: rollouts, PDB status, placement on the node model, entry points (topo.analyses.availability)."""
        from topo.analyses.availability import Availability

        with bulk_allocation():
            return Availability(self.model, self.config)

    def drain(self, nodes=(), zone: str | None = None, pool: str | None = None):
        """What-if `kubectl drain` of nodes (by name, zone or pool); raises DrainError without a node model."""
        from topo.analyses.drain import drain, select_nodes

        return drain(self.rollout, select_nodes(self.rollout, nodes, zone, pool))

    @cached_property
    def reach(self):
        """Network reachability: allowed connections, isolation, verdicts (topo.analyses.reach)."""
        from topo.analyses.reach import compute_reachability

        with bulk_allocation():
            return compute_reachability(self.model, self.config)

    @cached_property
    def rule_context(self):
        from topo.rules.context import RuleContext

        return RuleContext(self.model, self.dependency_graph, self.config, self)

    def findings(self, baseline: set | None = None, disabled=(), enabled=(), severity=None):
        """Run the rules (config settings plus the given ones); cached per argument set."""
        from topo.load.field_memory import FieldLineMemory
        from topo.rules.engine import active_rules, run_rules
        from topo.rules.locate import locate_findings

        key = (
            frozenset(baseline or ()),
            frozenset(disabled),
            frozenset(enabled),
            tuple(sorted((severity or {}).items())),
        )
        cache = self.__dict__.setdefault("_findings_cache", {})
        if key not in cache:
            rules = active_rules(
                self.config.disabled_rules | set(disabled), self.config.enabled_rules | set(enabled)
            )
            overrides = {**self.config.severity_overrides, **(severity or {})}
            context = self.rule_context
            with bulk_allocation():
                results = run_rules(context, rules, overrides, baseline)
            # after the analysis, only for the files that have findings: the line of each field
            # value origins are keyed by the object's source: find them before moving to field lines
            memory = FieldLineMemory(self._loaded, self._cache)
            cache[key] = locate_findings(with_value_origins(results, self._loaded), memory)
            if self._cache is not None:
                self._cache.prune()
        return cache[key]

    @property
    def load_errors(self) -> tuple[LoadError, ...]:
        return tuple(sorted(self.model.errors))

    @property
    def load_warnings(self) -> tuple[LoadWarning, ...]:
        return tuple(sorted(self.model.warnings))

    def node(self, object_id: str) -> dict[str, Any] | None:
        """The public attributes of one node (what `topo graph -o json` prints for it)."""
        graph = self.dependency_graph
        return dict(graph.nodes[object_id]) if object_id in graph else None


def with_value_origins(results, loaded: LoadResult):
    """Findings on rendered objects name the values key (or patch) that set the value they quote."""
    if not loaded.provenance:
        return results
    from dataclasses import replace

    from topo.load.values_origin import origins_in_message

    def annotate(finding):
        origins = loaded.provenance.get(finding.source) if finding.source else None
        found = origins_in_message(origins, finding.message, finding.path) if origins else ()
        return replace(finding, value_from=found) if found else finding

    return replace(results, findings=tuple(annotate(f) for f in results.findings))


def analyze(
    paths: Iterable[str] | None = None,
    *,
    text: str | None = None,
    config: Config | None = None,
    stdin: Any = None,
    name: str = "<stdin>",
    progress: Any = None,
    render: Any = None,
    cache: bool | str = True,
) -> Analysis:
    """Load manifests from paths (files, directories, `-`) or from `text`, and analyse them.

    Kustomize and Helm directories are rendered with `render` (topo.load.units.RenderOptions).
    `cache`: True keeps parsed files in the default cache directory (topo.load.cache), a string
    names the directory, False reads everything afresh. The results are the same either way.
    """
    config = config or Config()
    files = parse_cache(cache) if text is None else None
    with bulk_allocation():
        if text is not None:
            loaded = load_text(text, name)
        else:
            loaded = load_paths(list(paths or []), stdin=stdin, progress=progress, render=render, cache=files)
    return Analysis(loaded, config, files)


def analyze_systems(
    paths: Iterable[str],
    *,
    config: Config | None = None,
    stdin: Any = None,
    progress: Any = None,
    render: Any = None,
    merge: bool = False,
    cache: bool | str = True,
) -> list[tuple[str, Analysis]]:
    """Like `analyze`, but several kustomize overlays or charts are separate systems unless `merge`.

    Returns [(system name, Analysis)]; a single system is named "".
    """
    from topo.load.systems import load_systems

    config = config or Config()
    files = parse_cache(cache)
    with bulk_allocation():
        systems = load_systems(
            list(paths), stdin=stdin, progress=progress, render=render, merge=merge, cache=files
        )
    return [(system, Analysis(loaded, config, files)) for system, loaded in systems]


def parse_cache(cache: bool | str | None):
    """The ParseCache for `analyze`'s `cache` argument (None: no cache, or no place to keep one)."""
    from topo.load.cache import default_cache_dir, open_cache

    if cache is True:
        return open_cache(default_cache_dir())
    return open_cache(cache) if isinstance(cache, str) else None
