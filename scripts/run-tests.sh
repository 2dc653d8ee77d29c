#!/usr/bin/env bash
# Installs what is needed (Debian packages, .venv), then runs the whole test suite:
# ruff, mypy (strict) and pytest. Extra arguments go to pytest.
#
# pytest runs in two parts: every test not marked `serial` on IVR_TEST_WORKERS processes
# (pytest-xdist, default 2, whole files per process), then the `serial` ones alone (they
# measure pacing or real-time audio, which another test's CPU would disturb; the list is
# SERIAL in tests/conftest.py). IVR_TEST_WORKERS=0 runs everything in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
.venv/bin/ruff check .
.venv/bin/mypy
workers="${IVR_TEST_WORKERS:-2}"
run() {
    set +e
    .venv/bin/python -m pytest "$@"
    local status=$?
    set -e
    [ "$status" -eq 5 ] && return 0  # this part selected no test (a file given is in the other)
    return "$status"
}
if [ "$workers" = "0" ]; then
    run "$@"
    exit $?
fi
status=0
run -n "$workers" --dist loadfile -m "not serial" "$@" || status=$?
run -m serial "$@" || status=$?
exit $status
