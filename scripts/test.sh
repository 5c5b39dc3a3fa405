#!/usr/bin/env bash
# Install everything the test suite needs on a fresh machine, then run the whole suite.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k report`).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test,helm]'
# kustomize directories are rendered with `kubectl kustomize` (or `kustomize build`): the machines
# have kubectl (v1.32, kustomize v5.5). Without one the kustomize tests are skipped and say so.
command -v kubectl || command -v kustomize || echo "no kubectl or kustomize on PATH: kustomize input tests will be skipped"
# The dashboard's browser tests drive Debian's Chromium (playwright downloads no browser here).
command -v chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

# The reachability oracle (network-config-analyzer) pins old networkx/PyYAML: keep it in its own
# virtual environment so that topo's tests run against topo's own dependency versions.
if [ ! -x .venv-oracle/bin/nca ]; then
  python3 -m venv .venv-oracle
  .venv-oracle/bin/pip install --quiet --disable-pip-version-check 'network-config-analyzer==2.1.0'
fi
export TOPO_NCA="$PWD/.venv-oracle/bin/nca"

# Our own habits: lint, formatting and type checks are part of the suite (config in pyproject.toml).
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m mypy topo dashboard

python3 -m pytest "$@"
