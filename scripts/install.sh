#!/usr/bin/env bash
# Installs what standardiste needs on Debian 12, as root: the Debian packages listed in
# scripts/apt-runtime.txt (and scripts/apt-test.txt with the argument "test"), then a Python
# virtual environment in .venv with the project installed in editable mode.
# Idempotent: a second run with nothing new to install takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-runtime}

lists=(scripts/apt-runtime.txt)
[ "$profile" = test ] && lists+=(scripts/apt-test.txt)
mapfile -t wanted < <(grep -hvE '^\s*(#|$)' "${lists[@]}" | awk '{print $1}')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install.sh: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  echo "install.sh: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

extras=""
[ "$profile" = test ] && extras="[test]"
# The stamp names what was installed for this pyproject.toml: a test install serves both
# profiles, so switching between the two commands does not reinstall each time.
stamp=".venv/.installed-$(cat pyproject.toml scripts/install.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || { [ "$profile" = test ] && [ "$(cat "$stamp")" != test ]; }; then
  [ -x .venv/bin/python ] || /usr/bin/python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".$extras"
  rm -f .venv/.installed-*
  echo "$profile" > "$stamp"
fi
