#!/usr/bin/env bash
# Install what the tests need on a fresh machine of this kind, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Browser tests drive Debian's Chromium through Playwright (it cannot download its own here).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
fi

python3 -m ruff check src tests bench
# Type hints of the package, with the settings in pyproject.toml ([tool.mypy]).
python3 -m mypy
python3 -m pytest "$@"
