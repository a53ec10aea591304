#!/usr/bin/env bash
# Install what the tests need on a fresh machine of this kind, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Debian packages the tests use: Chromium for the browser tests (Playwright cannot download its
# own here) and xfsprogs for the reflink tests of the local store (they skip where no loop device
# can be mounted).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v mkfs.xfs >/dev/null 2>&1 || missing+=(xfsprogs)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
fi

python3 -m ruff check src tests bench
# Type hints of the package, with the settings in pyproject.toml ([tool.mypy]).
python3 -m mypy
python3 -m pytest "$@"
