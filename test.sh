#!/usr/bin/env bash
# ./test.sh - the project's test command: every test level, with the real components they need.
#
# Installs (apt-get, only what is missing, only when root) and starts the real components the tests
# use, runs `mvn -B verify` (unit tests, in-process integration tests, distribution tests), stops what
# it started, and exits with Maven's status. Extra arguments go to Maven (e.g. ./test.sh -pl distribution -am).
#
# Real components so far: none beyond the JDK and Maven. To add one (Docker, Pebble, etcd, Redis; see
# ENVIRONMENT.md): list its packages in PACKAGES, start it in start_components (record the PID with
# track_pid, and any cleanup command with on_cleanup), and export what the tests need to find it.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

# Debian packages the tests need: "command:package" pairs (installed when the command is missing).
PACKAGES=(
  "java:openjdk-17-jdk-headless"
  "mvn:maven"
  "chromium:chromium"   # the dashboard's browser test (DashboardBrowserTest); playwright-core comes from npm ci
  "node:nodejs"
  "npm:npm"
)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-test.XXXXXX")"
PIDS=()
CLEANUPS=()
track_pid() { PIDS+=("$1"); }
on_cleanup() { CLEANUPS+=("$1"); }
log() { printf '[test.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

cleanup() {
  local p i
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null; done
  for i in $(seq 1 50); do
    local alive=0
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -0 "$p" 2>/dev/null && { log "pid $p still alive, SIGKILL"; kill -KILL "$p" 2>/dev/null; }; done
  for c in "${CLEANUPS[@]+"${CLEANUPS[@]}"}"; do eval "$c" || log "cleanup failed: $c"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

install_missing() {
  local missing=() pair
  for pair in "${PACKAGES[@]}"; do command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}"); done
  [ ${#missing[@]} = 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then log "missing: ${missing[*]} (run as root to install them with apt-get)"; return 1; fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null
}

start_components() {
  :   # nothing yet; e.g. dockerd ... & track_pid $!; on_cleanup "ip link delete docker0 2>/dev/null || true"
}

install_missing || exit 1
start_components || { log "could not start the test components"; exit 1; }

export GATEHOUSE_BROWSER_TESTS=required   # DashboardBrowserTest fails, not skips, without node or chromium
log "mvn -B verify $*"
mvn -B verify "$@"
status=$?
log "maven exited with $status"
exit "$status"
