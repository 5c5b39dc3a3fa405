"""Stage 5: rules over the whole system. Importing this package registers every rule module."""

import importlib
import pkgutil

from topo.rules.registry import ERROR, INFO, RULES, WARNING, Finding, Issue, Rule, Severity, rule

_INFRASTRUCTURE = {"registry", "engine", "context", "docs", "baseline"}

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module not in _INFRASTRUCTURE:
        importlib.import_module(f"{__name__}.{_module}")

__all__ = ["ERROR", "INFO", "RULES", "WARNING", "Finding", "Issue", "Rule", "Severity", "rule"]
