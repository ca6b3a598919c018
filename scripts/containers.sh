#!/usr/bin/env bash
# Makes a container runtime answer on this machine, for `provider: docker`, `faultline images build` and the
# container tests. Run as root; idempotent (every step is skipped when already done):
#   1. installs docker.io, debootstrap and docker-compose from Debian when missing (apt-get, noninteractive);
#   2. starts dockerd when no daemon answers: no iptables, no bridge (containers use host networking), its own
#      data root and log under $FAULTLINE_CACHE/docker (default ~/.cache/faultline/docker);
#   3. waits (bounded) until the daemon answers on its socket.
# Prints one line per step with its time. Exit 0: a daemon answers; exit 3: it could not be made to.
set -euo pipefail

state="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}/docker"
start_timeout_s="${FAULTLINE_DOCKERD_TIMEOUT_S:-60}"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "containers: $*"; }
fail() { echo "containers: $*" >&2; exit 3; }
answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

[ "$(id -u)" = 0 ] || fail "run as root (installs packages and starts dockerd)"

# 1. Debian packages.
t=$(now)
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # No init system here: keep the packages' maintainer scripts from trying to start services.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1; fi
  trap '[ "$own_policy" = 1 ] && rm -f "$policy"' EXIT
  apt-get update -qq >/dev/null || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]} failed"
  say "installed ${missing[*]} in $(since "$t") s"
else
  say "docker.io, debootstrap and docker-compose present"
fi
command -v docker >/dev/null 2>&1 || fail "no docker client on PATH after installing docker.io"

# 2. The daemon.
t=$(now)
if answers; then
  say "a container runtime answers ($(docker version --format 'dockerd {{.Server.Version}}' 2>/dev/null))"
  exit 0
fi
mkdir -p "$state/data"
log="$state/dockerd.log"
# setsid: the daemon outlives this script and the CI step that ran it.
setsid dockerd --iptables=false --ip6tables=false --bridge=none \
  --data-root "$state/data" --pidfile "$state/dockerd.pid" >>"$log" 2>&1 </dev/null &
pid=$!

# 3. Wait, bounded, until it answers (or dies).
deadline=$(( $(date +%s) + start_timeout_s ))
until answers; do
  kill -0 "$pid" 2>/dev/null || fail "dockerd exited during start-up: $(tail -n 3 "$log" | tr '\n' ' ') (log: $log)"
  [ "$(date +%s)" -lt "$deadline" ] || fail "dockerd did not answer within ${start_timeout_s} s (log: $log)"
  sleep 0.2
done
say "started dockerd (pid $pid, data root $state/data, log $log) in $(since "$t") s"
