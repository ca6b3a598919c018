#!/usr/bin/env bash
# Installs the headless browser the report tests use: Debian's chromium (driven by playwright-core, which downloads
# no browser of its own). Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (CI runs as
# root) and Debian's package archive. Prints the browser's path and version.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
echo "chromium: $(command -v chromium) ($(chromium --version 2>/dev/null | head -1))"
