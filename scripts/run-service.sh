#!/usr/bin/env bash
# Installs what is needed (Debian packages, .venv), then runs the service with its embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh runtime
exec .venv/bin/ivr serve "$@"
