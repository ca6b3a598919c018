#!/usr/bin/env bash
# Builds the image registry the pull tests run on loopback (test/integration/image-pull.test.ts): go-containerregistry's
# in-memory `registry` server, from the Go module proxy with the Go toolchain on PATH, into the tools cache
# ($FAULTLINE_CACHE/tools, default ~/.cache/faultline/tools). Idempotent: nothing is built when the binary exists.
# It listens on localhost only (`registry -port 0` picks a free port and logs "serving on port N").
# Prints the binary's path. Exit 3 when it cannot be built (no Go toolchain, no module proxy).
set -euo pipefail
version=v0.22.1
tools="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}/tools"
dir="$tools/registry-$version"
bin="$dir/registry"
if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || { echo "registry: no go on PATH (needed to build the test registry)" >&2; exit 3; }
  mkdir -p "$dir"
  staging=$(mktemp -d "$dir/.build.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  GOBIN="$staging" GOFLAGS=-mod=mod go install "github.com/google/go-containerregistry/cmd/registry@$version" ||
    { echo "registry: go install github.com/google/go-containerregistry/cmd/registry@$version failed" >&2; exit 3; }
  mv "$staging/registry" "$bin"
fi
echo "registry: $bin ($version)"
