#!/usr/bin/env bash
# bench/tcp.sh [--rounds N] [--bytes B] [--seconds S] [--threads N] - TCP proxy throughput and connection rate.
#
# Issue 19's benchmark (a separate command, not a test). One origin (bench/tcp/TcpBench.java, run with `java`,
# no build) and, in front of it, each on its own port: the gateway (a TCP router HostSNI(`*`) on entry point
# 127.0.0.1:$TCP_GW_PORT), HAProxy (mode tcp) and nginx's stream module (proxy_pass), plus the origin itself as
# the ceiling. For each target, ROUNDS interleaved rounds of:
#   download   one connection receiving BYTES from the origin (MB/s)
#   upload     one connection sending BYTES to the origin (MB/s)
#   connrate   THREADS threads opening a connection, exchanging one byte each way and closing it, for SECONDS
#              (connections per second)
# Prints the medians and the ratio to nginx. Raw results in bench/run/tcp/<stamp>/. About 3 minutes with the
# defaults on 2 cores (the gateway is warmed up first).
#
# Uses distribution/target/gatehouse-*/ (build it first: mvn -B -q -DskipTests package), haproxy, nginx with its
# stream module (libnginx-mod-stream) and Java 17; what is missing is installed with apt-get when run as root.
# Loopback only; every run is bounded in bytes or seconds and by timeout; everything started is stopped at the end.
# Ports: TCP_ORIGIN_PORT (9031), TCP_GW_PORT (8101), TCP_HAPROXY_PORT (8102), TCP_NGINX_PORT (8103).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
: "${TCP_ORIGIN_PORT:=9031}" "${TCP_GW_PORT:=8101}" "${TCP_HAPROXY_PORT:=8102}" "${TCP_NGINX_PORT:=8103}"
: "${GW_JAVA_OPTS:=}"
ROUNDS=3; BYTES=$((1024 * 1024 * 1024)); SECONDS_RUN=5; THREADS=8
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2;;
    --bytes) BYTES="$2"; shift 2;;
    --seconds) SECONDS_RUN="$2"; shift 2;;
    --threads) THREADS="$2"; shift 2;;
    *) echo "bench/tcp.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done

DIST="$(ls -1td "$ROOT"/distribution/target/gatehouse-*/ 2>/dev/null | head -n 1 || true)"
DIST="${DIST%/}"
if [ -z "$DIST" ] || [ ! -x "$DIST/bin/gatehouse" ]; then
  echo "bench/tcp.sh: no built distribution; build it first (from $ROOT): mvn -B -q -DskipTests package" >&2
  exit 1
fi
STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
missing=()
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
[ -f "$STREAM_MODULE" ] || missing+=(libnginx-mod-stream)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "bench/tcp.sh: missing ${missing[*]}: apt-get install -y ${missing[*]} (as root)" >&2; exit 1
  fi
fi

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$HERE/run/tcp/$STAMP"
mkdir -p "$OUT/gateway" "$OUT/nginx/logs"
log() { printf '[tcp %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
BENCH=(java -Xmx256m "$HERE/tcp/TcpBench.java")

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

wait_port() { # port -> waits (bounded) until something listens there
  for _ in $(seq 1 300); do
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
    sleep 0.1
  done
  echo "bench/tcp.sh: nothing listens on 127.0.0.1:$1 after 30 s (see $OUT)" >&2; exit 1
}

# ---- origin ----------------------------------------------------------------------------------------------------
"${BENCH[@]}" origin "$TCP_ORIGIN_PORT" > "$OUT/origin.log" 2>&1 &
PIDS+=($!)

# ---- gateway ---------------------------------------------------------------------------------------------------
cat > "$OUT/gateway/gatehouse.yml" <<YAML
entryPoints:
  tcp:
    address: "127.0.0.1:$TCP_GW_PORT"
providers:
  file:
    filename: dynamic.yml
    watch: false
log:
  level: WARN
YAML
cat > "$OUT/gateway/dynamic.yml" <<YAML
tcp:
  routers:
    origin:
      rule: HostSNI(\`*\`)
      service: origin
  services:
    origin:
      loadBalancer:
        servers:
          - address: 127.0.0.1:$TCP_ORIGIN_PORT
YAML
env -u GATEHOUSE_OPTS JAVA_OPTS="$GW_JAVA_OPTS" "$DIST/bin/gatehouse" --configFile="$OUT/gateway/gatehouse.yml" \
  > "$OUT/gateway/gatehouse.log" 2>&1 &
PIDS+=($!)

# ---- HAProxy ---------------------------------------------------------------------------------------------------
cat > "$OUT/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen tcp
  bind 127.0.0.1:$TCP_HAPROXY_PORT
  server origin 127.0.0.1:$TCP_ORIGIN_PORT
CFG
haproxy -db -f "$OUT/haproxy.cfg" > "$OUT/haproxy.log" 2>&1 &
PIDS+=($!)

# ---- nginx stream ----------------------------------------------------------------------------------------------
cat > "$OUT/nginx.conf" <<CONF
load_module $STREAM_MODULE;
worker_processes auto;
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/logs/error.log warn;
events { worker_connections 4096; }
stream {
  server {
    listen 127.0.0.1:$TCP_NGINX_PORT;
    proxy_pass 127.0.0.1:$TCP_ORIGIN_PORT;
    proxy_half_close on;   # as the gateway and HAProxy: the upload's end reaches the origin, which then answers
  }
}
CONF
nginx -p "$OUT/nginx/" -c "$OUT/nginx.conf" -e "$OUT/nginx/logs/error.log" > "$OUT/nginx.log" 2>&1 &
PIDS+=($!)

for port in "$TCP_ORIGIN_PORT" "$TCP_GW_PORT" "$TCP_HAPROXY_PORT" "$TCP_NGINX_PORT"; do wait_port "$port"; done

declare -A PORT=([origin]=$TCP_ORIGIN_PORT [gatehouse]=$TCP_GW_PORT [haproxy]=$TCP_HAPROXY_PORT [nginx]=$TCP_NGINX_PORT)
TARGETS=(origin nginx haproxy gatehouse)

log "warming the gateway up (JIT): 30 s of downloads and connections"
timeout 120 "${BENCH[@]}" download 127.0.0.1 "$TCP_GW_PORT" $((BYTES / 4)) > /dev/null
timeout 120 "${BENCH[@]}" connrate 127.0.0.1 "$TCP_GW_PORT" 20 "$THREADS" > /dev/null
timeout 120 "${BENCH[@]}" upload 127.0.0.1 "$TCP_GW_PORT" $((BYTES / 4)) > /dev/null

for round in $(seq 1 "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    port=${PORT[$target]}
    d=$(timeout 300 "${BENCH[@]}" download 127.0.0.1 "$port" "$BYTES")
    u=$(timeout 300 "${BENCH[@]}" upload 127.0.0.1 "$port" "$BYTES")
    c=$(timeout $((SECONDS_RUN + 60)) "${BENCH[@]}" connrate 127.0.0.1 "$port" "$SECONDS_RUN" "$THREADS")
    printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$target" "$d" "$u" "$c" | tee -a "$OUT/results.tsv" >&2
  done
done

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
printf '\nTCP proxy, %s bytes per transfer, %s threads for %s s of connections, medians of %s rounds\n' \
  "$BYTES" "$THREADS" "$SECONDS_RUN" "$ROUNDS"
printf '%-10s %14s %14s %14s %14s %14s\n' target "download MB/s" "upload MB/s" "conn/s" "download/nginx" "conn/s/nginx"
for target in "${TARGETS[@]}"; do
  d=$(awk -F'\t' -v t="$target" '$2==t {print $3}' "$OUT/results.tsv" | median)
  u=$(awk -F'\t' -v t="$target" '$2==t {print $4}' "$OUT/results.tsv" | median)
  c=$(awk -F'\t' -v t="$target" '$2==t {split($5, a, " "); print a[1]}' "$OUT/results.tsv" | median)
  nd=$(awk -F'\t' '$2=="nginx" {print $3}' "$OUT/results.tsv" | median)
  nc=$(awk -F'\t' '$2=="nginx" {split($5, a, " "); print a[1]}' "$OUT/results.tsv" | median)
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", (b > 0 ? a / b : 0)}'; }
  printf '%-10s %14s %14s %14s %14s %14s\n' "$target" "$d" "$u" "$c" "$(ratio "$d" "$nd")" "$(ratio "$c" "$nc")"
done
log "raw results: $OUT"
