#!/usr/bin/env bash
# bench/docker.sh [options] - the Docker provider's benchmark (issue 5): how soon a started container is routed,
# and what 500 labelled containers cost the gateway.
#
# Uses the built distribution (distribution/target/gatehouse-*/; build it with `mvn -B -q -DskipTests package`).
# Starts a Docker engine of its own exactly as ./test.sh does (scripts/docker-engine.sh: own socket and data root
# under a temp folder, no bridge, no iptables, a busybox httpd image made with `docker import`), and a gateway
# whose docker provider follows it. Every container runs busybox httpd with host networking bound to 127.0.0.1:
# nothing is reachable from anywhere but loopback. At the end everything is removed: the gateway, every
# container, the daemon, the temp folder.
#
# Measures, and prints as a table (also saved under bench/run/):
#   1. start to routed, after a quiet period: --containers N times (default 20), a labelled container is created,
#      the gateway left alone for the throttle duration, then `docker start`; the time from calling `docker
#      start` to the first 200 through the gateway for that container's Host. Median and p90.
#   2. start to routed, back to back: the same for N more containers started one right after another has been
#      routed, so each change lands inside the throttle window of the previous one (the worst case the goal
#      "throttle + 500 ms" is about).
#   3. --many M labelled running containers (default 500): the gateway's CPU while they were started, its RSS
#      and CPU when idle with them, start to routed for --changes K more containers (default 10, quiet), start to
#      404 after `docker stop`, and two full rebuilds: the gateway restarted with M containers running, then the
#      engine restarted under it (the provider's own log lines give its read and build times).
#
# Options: --containers N  --many M  --changes K  --throttle DURATION (providersThrottleDuration, default 2s)
# Takes about 15 minutes on 2 cores with the defaults (most of it creating 500 containers on vfs storage).
# Needs root (dockerd). Installs docker.io, busybox-static, curl and openssl with apt-get when missing.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CONTAINERS=20 MANY=500 CHANGES=10 THROTTLE=2s
while [ $# -gt 0 ]; do
  case "$1" in
    --containers) CONTAINERS="$2"; shift 2 ;;
    --many) MANY="$2"; shift 2 ;;
    --changes) CHANGES="$2"; shift 2 ;;
    --throttle) THROTTLE="$2"; shift 2 ;;
    *) echo "bench/docker.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
for n in "$CONTAINERS" "$MANY" "$CHANGES"; do
  case "$n" in ''|*[!0-9]*) echo "bench/docker.sh: counts must be whole numbers, not '$n'" >&2; exit 2 ;; esac
done
[ "$CONTAINERS" -le 200 ] && [ "$MANY" -le 2000 ] && [ "$CHANGES" -le 100 ] \
  || { echo "bench/docker.sh: at most --containers 200, --many 2000, --changes 100" >&2; exit 2; }
case "$THROTTLE" in *ms) THROTTLE_S="$(awk -v v="${THROTTLE%ms}" 'BEGIN{print v/1000}')" ;;
                    *s) THROTTLE_S="${THROTTLE%s}" ;;
                    *) echo "bench/docker.sh: --throttle takes ms or s, as 2s or 500ms" >&2; exit 2 ;; esac

DIST="$(ls -1td "$ROOT"/distribution/target/gatehouse-*/ 2>/dev/null | head -n 1 || true)"
DIST="${DIST%/}"
if [ -z "$DIST" ] || [ ! -x "$DIST/bin/gatehouse" ]; then
  echo "bench/docker.sh: no built distribution in distribution/target/gatehouse-*/; build it first (from $ROOT):" >&2
  echo "  mvn -B -q -DskipTests package" >&2
  exit 1
fi
[ "$(id -u)" = 0 ] || { echo "bench/docker.sh: run as root (it starts its own dockerd)" >&2; exit 1; }
missing=()
for t in dockerd:docker.io busybox:busybox-static curl:curl openssl:openssl; do
  command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/docker.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null || exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench-docker.XXXXXX")"
GW_PID=""
CLEANUPS=()
on_cleanup() { CLEANUPS+=("$1"); }
log() { printf '[docker.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
stop_gateway() {
  [ -n "$GW_PID" ] || return 0
  kill -TERM "$GW_PID" 2>/dev/null
  local i
  for i in $(seq 1 100); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$GW_PID" 2>/dev/null
  wait "$GW_PID" 2>/dev/null
  GW_PID=""
}
cleanup() {
  stop_gateway
  log "removing the containers and stopping dockerd"
  local c
  for c in "${CLEANUPS[@]+"${CLEANUPS[@]}"}"; do eval "$c" || log "cleanup failed: $c"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

source "$ROOT/scripts/docker-engine.sh"
docker_engine_start "$WORK/docker" || exit 1
D() { docker -H "$IT_DOCKER_HOST" "$@"; }

# ---- ports: the gateway's, and one per container (host networking: each httpd binds its own 127.0.0.1 port) ----
free_port GW_PORT
PORTS=()
need=$(( 2 * CONTAINERS + MANY + CHANGES + 2 ))
for ((p = 31000; p < 60000 && ${#PORTS[@]} < need; p++)); do
  [ "$p" = "$GW_PORT" ] && continue
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || PORTS+=("$p")
done
[ ${#PORTS[@]} -ge "$need" ] || { log "not enough free ports above 31000"; exit 1; }
next_port=0
port() { echo "${PORTS[$next_port]}"; }

# ---- the gateway ----
cat >"$WORK/gatehouse.yml" <<YAML
# written by bench/docker.sh
entryPoints:
  web:
    address: "127.0.0.1:$GW_PORT"
ping:
  entryPoint: web
providers:
  providersThrottleDuration: $THROTTLE
  docker:
    endpoint: "$IT_DOCKER_HOST"
log:
  level: INFO
  filePath: $WORK/gateway.log
YAML

start_gateway() {
  env -u GATEHOUSE_OPTS -u JAVA_OPTS "$DIST/bin/gatehouse" --configFile="$WORK/gatehouse.yml" >>"$WORK/gateway.out" 2>&1 &
  GW_PID=$!
  local i
  for i in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$GW_PORT/ping")" = 200 ] && return 0
    kill -0 "$GW_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "the gateway did not answer /ping within 60 s: $(tail -5 "$WORK/gateway.out" "$WORK/gateway.log" 2>/dev/null)"
  return 1
}
ticks_per_s="$(getconf CLK_TCK)"
gw_cpu_ticks() { sed 's/.*) //' "/proc/$GW_PID/stat" | awk '{print $12+$13}'; }   # utime+stime
gw_rss_mib() { awk '$1=="VmRSS:"{printf "%d", $2/1024}' "/proc/$GW_PID/status"; }
cpu_s() { awk -v t="$1" -v hz="$ticks_per_s" 'BEGIN{printf "%.1f", t/hz}'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ---- containers ----
# A labelled container serving on 127.0.0.1:PORT, routed by Host(`NAME.bench`); created, not started.
create() {
  local name="$1" p="$2"
  D create --name "$name" --network host --stop-timeout 1 \
    -l "traefik.http.routers.$name.rule=Host(\`$name.bench\`)" \
    -l "traefik.http.services.$name.loadbalancer.server.port=$p" \
    "$IT_DOCKER_IMAGE" httpd -f -p "127.0.0.1:$p" -h /www >/dev/null
}
# Waits (at most 30 s) until a request for NAME.bench gets STATUS; prints the ms since T0, or "timeout".
await_status() {
  local name="$1" status="$2" t0="$3" deadline=$(( $(now_ms) + 30000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Host: $name.bench" "http://127.0.0.1:$GW_PORT/")" = "$status" ]; then
      echo $(( $(now_ms) - t0 )); return 0
    fi
    sleep 0.01
  done
  echo timeout; return 1
}
# docker start NAME, then the ms until it is routed; and in a second column how long `docker start` itself took
# (the engine's share: the command returns once the container runs).
start_to_routed() {
  local t0 started; t0="$(now_ms)"
  D start "$1" >/dev/null || { echo failed; return 1; }
  started=$(( $(now_ms) - t0 ))
  echo "$(await_status "$1" 200 "$t0") $started"
}
# median and p90 (nearest rank) of the first column of FILE ("timeout" rows count as failures); with a second
# column (start_to_routed's), its median too
stats() {
  local engine
  engine="$(awk '$2 ~ /^[0-9]+$/{print $2}' "$1" | sort -n | awk '{v[n++]=$1} END{if (n) printf "; docker start itself: median %d ms", v[int((n + 1) / 2) - 1]}')"
  awk '{print $1}' "$1" | sort -n | awk '/^[0-9]+$/{v[n++]=$1} !/^[0-9]+$/{bad++}
    END{ if (n == 0) { print "no sample"; exit }
         p50 = v[int((n + 1) / 2) - 1]; i = int(n * 0.9 + 0.999) - 1; p90 = v[i < 0 ? 0 : i];
         printf "median %d ms, p90 %d ms, min %d, max %d (n=%d%s)", p50, p90, v[0], v[n-1], n, bad ? ", " bad " failed" : "" }'
  printf '%s' "$engine"
}

log "gateway: $DIST/bin/gatehouse on 127.0.0.1:$GW_PORT, providersThrottleDuration $THROTTLE"
start_gateway || exit 1
RESULTS="$WORK/results.txt"
: >"$RESULTS"
result() { printf '%-58s %s\n' "$1" "$2" | tee -a "$RESULTS"; }

# The first container after the gateway's start pays for loading and compiling the code that handles events: shown
# on its own, not counted in the medians.
create warm-up "$(port)" || exit 1; next_port=$((next_port + 1))
sleep "$THROTTLE_S"; sleep 0.3
result "start -> routed, the first container after the gateway started" "$(start_to_routed warm-up | awk '{print $1 " ms; docker start itself: " $2 " ms"}')"

# 1. after a quiet period
log "1/3: $CONTAINERS containers, each started after ${THROTTLE} of quiet"
: >"$WORK/quiet.txt"
for ((i = 1; i <= CONTAINERS; i++)); do
  name="quiet-$i"; create "$name" "$(port)" || exit 1; next_port=$((next_port + 1))
  sleep "$THROTTLE_S"; sleep 0.3
  start_to_routed "$name" >>"$WORK/quiet.txt"
done
# 2. back to back
log "2/3: $CONTAINERS containers started back to back"
for ((i = 1; i <= CONTAINERS; i++)); do create "burst-$i" "$(port)" || exit 1; next_port=$((next_port + 1)); done
sleep "$THROTTLE_S"; sleep 0.3
: >"$WORK/burst.txt"
for ((i = 1; i <= CONTAINERS; i++)); do start_to_routed "burst-$i" >>"$WORK/burst.txt"; done
result "start -> routed, after ${THROTTLE} of quiet" "$(stats "$WORK/quiet.txt")"
result "start -> routed, back to back (inside the throttle window)" "$(stats "$WORK/burst.txt")"

# 3. many containers
result "gateway RSS with $((2 * CONTAINERS + 1)) containers" "$(gw_rss_mib) MiB"
log "3/3: starting $MANY more labelled containers (4 at a time)"
cpu0="$(gw_cpu_ticks)"; t0="$(now_ms)"
for ((i = 1; i <= MANY; i++)); do echo "many-$i $(port)"; next_port=$((next_port + 1)); done >"$WORK/many.txt"
# shellcheck disable=SC2016
# bash -c: $0 is the engine, $1 the image, then xargs adds the container's name ($2) and port ($3).
xargs -P 4 -L 1 bash -c 'docker -H "$0" run -d --name "$2" --network host --stop-timeout 1 \
    -l "traefik.http.routers.$2.rule=Host(\`$2.bench\`)" -l "traefik.http.services.$2.loadbalancer.server.port=$3" \
    "$1" httpd -f -p "127.0.0.1:$3" -h /www >/dev/null || echo "docker run $2 failed" >&2' \
    "$IT_DOCKER_HOST" "$IT_DOCKER_IMAGE" <"$WORK/many.txt"
# The 4 last started are the last ones in the file, give or take the parallelism: wait until all 4 are routed.
for name in $(tail -4 "$WORK/many.txt" | cut -d' ' -f1); do await_status "$name" 200 "$t0" >/dev/null; done
started_ms=$(( $(now_ms) - t0 )); cpu1="$(gw_cpu_ticks)"
running="$(D ps -q | wc -l)"
result "containers running" "$running ($((2 * CONTAINERS + 1)) from 1-2, $MANY started in $((started_ms / 1000)) s)"
result "gateway CPU while $MANY containers were started" "$(cpu_s $((cpu1 - cpu0))) s ($(awk -v c=$((cpu1 - cpu0)) -v hz="$ticks_per_s" -v n="$MANY" 'BEGIN{printf "%.0f", c * 1000 / hz / n}') ms per container)"
sleep "$THROTTLE_S"; sleep 2
cpu0="$(gw_cpu_ticks)"; sleep 10; cpu1="$(gw_cpu_ticks)"
result "gateway RSS, idle with $running containers" "$(gw_rss_mib) MiB"
result "gateway CPU over 10 s idle with $running containers" "$(cpu_s $((cpu1 - cpu0))) s"

: >"$WORK/changes.txt"; : >"$WORK/stops.txt"
cpu0="$(gw_cpu_ticks)"
for ((i = 1; i <= CHANGES; i++)); do
  name="change-$i"; create "$name" "$(port)" || exit 1; next_port=$((next_port + 1))
  sleep "$THROTTLE_S"; sleep 0.3
  start_to_routed "$name" >>"$WORK/changes.txt"
done
cpu1="$(gw_cpu_ticks)"
for ((i = 1; i <= CHANGES; i++)); do
  sleep "$THROTTLE_S"; sleep 0.3
  t0="$(now_ms)"; D stop -t 1 "change-$i" >/dev/null; stopped=$(( $(now_ms) - t0 ))
  echo "$(await_status "change-$i" 404 "$t0") $stopped" >>"$WORK/stops.txt"
done
result "start -> routed with $running running, after quiet" "$(stats "$WORK/changes.txt")"
result "stop -> 404 with $running running, after quiet" "$(stats "$WORK/stops.txt" | sed 's/docker start itself/docker stop -t 1 itself/')"
result "gateway CPU per start with $running running" "$(awk -v c=$((cpu1 - cpu0)) -v hz="$ticks_per_s" -v n="$CHANGES" 'BEGIN{printf "%.0f ms", c * 1000 / hz / n}') (the polling curl not counted)"
result "gateway RSS after the changes" "$(gw_rss_mib) MiB"

log "restarting the gateway with $running containers running (full rebuild)"
stop_gateway
: >"$WORK/gateway.log"
t0="$(now_ms)"
start_gateway || exit 1
ready_ms=$(( $(now_ms) - t0 ))
# The gateway may be ready before the provider has read every container (it waits for providers a bounded time).
for i in $(seq 1 600); do grep -q 'Connected to the Docker engine' "$WORK/gateway.log" && break; sleep 0.1; done
connected="$(grep -o 'Connected to the Docker engine.*' "$WORK/gateway.log" | head -1 | sed 's/.*): //; s/; following.*//')"
result "full rebuild at gateway start (provider's own log)" "$connected"
result "gateway spawn -> /ping 200 with $running containers" "$ready_ms ms"
await_status "many-$MANY" 200 "$(now_ms)" >/dev/null
sleep "$THROTTLE_S"; sleep 2
result "gateway RSS after a fresh start with $running containers" "$(gw_rss_mib) MiB"
result "gateway CPU from spawn to idle" "$(cpu_s "$(gw_cpu_ticks)") s"
log "restarting dockerd with $running containers (--live-restore: they keep running); the provider resynchronises"
if "$IT_DOCKERD_CTL" restart; then
  for i in $(seq 1 1200); do grep -q 'is reachable again' "$WORK/gateway.log" && break; sleep 0.1; done
  resync="$(grep -o 'is reachable again.*' "$WORK/gateway.log" | head -1 | sed 's/.*resynchronised, //')"
  result "full rebuild after the engine restarted (provider's own log)" "${resync:-not logged within 120 s}"
else
  result "full rebuild after the engine restarted" "n/a: dockerd did not come back within 30 s"
fi
# A reference from the same run: the engine answering the same inspections to its own command line (one after
# another over one connection), which is what the provider's full read is made of.
t0="$(now_ms)"; D inspect $(D ps -q) >/dev/null; t1="$(now_ms)"
result "reference: docker inspect of the $running containers (CLI)" "$((t1 - t0)) ms"
errors="$(grep -c 'ERROR' "$WORK/gateway.log" "$WORK/gateway.out" | awk -F: '{s+=$2} END{print s+0}')"
result "errors in the gateway's log" "$errors"

mkdir -p "$HERE/run"
out="$HERE/run/docker-$(date -u +%Y%m%dT%H%M%SZ).txt"
{ echo "# bench/docker.sh $(date -u +%FT%TZ), $(nproc) cpu, load $(cut -d' ' -f1-3 /proc/loadavg), throttle $THROTTLE"
  cat "$RESULTS"; } >"$out"
cp "$WORK/gateway.log" "${out%.txt}-gateway.log"
log "results saved to $out (the restarted gateway's log beside it)"
