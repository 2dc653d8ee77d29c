#!/usr/bin/env bash
# Installs what is needed (Debian packages, .venv), then runs the whole test suite:
# ruff, mypy (strict) and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
.venv/bin/ruff check .
.venv/bin/mypy
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
exit $status
