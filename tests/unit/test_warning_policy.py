"""The suite's warning policy (pyproject.toml, docs/development.md): a DeprecationWarning attributed
to topo's own modules is an error, one from elsewhere stays a warning."""

from __future__ import annotations

import warnings

import pytest


def _deprecated_from(module: str) -> None:
    # warn_explicit attributes the warning to `module`, as warnings.warn does for its caller
    warnings.warn_explicit("old API", DeprecationWarning, f"{module.replace('.', '/')}.py", 1, module=module)


@pytest.mark.parametrize("module", ["topo", "topo.cli.app", "dashboard.layout"])
def test_a_deprecation_in_our_modules_fails_the_suite(module, request):
    if request.config.getoption("pythonwarnings"):
        pytest.skip("-W on the command line overrides the configured filterwarnings")
    with pytest.raises(DeprecationWarning, match="old API"):
        _deprecated_from(module)


@pytest.mark.parametrize("module", ["topological", "dashboards", "click.core", "dash.development"])
def test_a_deprecation_elsewhere_stays_a_warning(module):
    with pytest.warns(DeprecationWarning, match="old API"):
        _deprecated_from(module)
