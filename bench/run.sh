#!/usr/bin/env bash
# bench/run.sh [bench.sh options] - Gatehouse side by side with nginx, HAProxy, Caddy and a bare Jetty proxy.
#
# Uses the already built distribution (distribution/target/gatehouse-*/); builds nothing of Gatehouse.
# Writes a gateway bench configuration into bench/run/gateway/ (entry point 127.0.0.1:8085, log level
# WARN, router Host(`app.local`) -> round robin over 127.0.0.1:9001 and :9002, the harness's nginx
# origin), then runs
#   bench.sh --targets nginx,haproxy,caddy,jetty gatehouse=8085=<dist>/bin/gatehouse --configFile=...
# The gateway runs with bin/gatehouse's default JVM options (JAVA_OPTS/GATEHOUSE_OPTS from your shell are
# not passed on); set GW_JAVA_OPTS to try others (given to it as JAVA_OPTS).
# Prints one table: req/s, p50/p99, CPU per request, RSS, ratios to nginx. Takes ~10 minutes on 2 cores.
# Extra arguments go to bench.sh after the defaults (so they win), e.g.
#   bench/run.sh --bodies small --rounds 1        # ~4 minutes
#   bench/run.sh --targets nginx                  # only nginx and the gateway
# Loopback only. Installs missing tools with apt-get when run as root.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
: "${GW_PORT:=8085}" "${ORIGIN_PORT1:=9001}" "${ORIGIN_PORT2:=9002}" "${VHOST:=app.local}"
: "${GW_JAVA_OPTS:=}"
export ORIGIN_PORT1 ORIGIN_PORT2 VHOST

# ---- the distribution -------------------------------------------------------------------------------
# DIST: another unpacked distribution to measure (as bench/config-scale.sh takes it).
: "${DIST:=$(ls -1td "$ROOT"/distribution/target/gatehouse-*/ 2>/dev/null | head -n 1 || true)}"
DIST="${DIST%/}"
if [ -z "$DIST" ] || [ ! -x "$DIST/bin/gatehouse" ]; then
  echo "bench/run.sh: no built distribution in distribution/target/gatehouse-*/." >&2
  echo "Build it first (from $ROOT):  mvn -B -q -DskipTests package" >&2
  exit 1
fi

# ---- tools --------------------------------------------------------------------------------------------
# command:package (Debian)
TOOLS=(nginx:nginx haproxy:haproxy caddy:caddy wrk:wrk h2load:nghttp2-client curl:curl openssl:openssl
       ss:iproute2 pgrep:procps taskset:util-linux java:openjdk-17-jdk-headless mvn:maven)
missing=()
for t in "${TOOLS[@]}"; do command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench/run.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "bench/run.sh: missing ${missing[*]}: apt-get install -y ${missing[*]} (as root)" >&2
    exit 1
  fi
fi

# ---- gateway bench configuration ------------------------------------------------------------------------
# GW_TLS=1: the gateway is measured over https, as gatehouse-tls on GW_TLS_PORT (8445), next to nginx-tls and
# haproxy-tls, with the harness's certificate (bench/run/tls/, made by bench.sh before the targets start). Add
# --new-conns for TLS handshakes per second (a new connection per request) instead of keep-alive throughput.
: "${GW_TLS:=0}" "${GW_TLS_PORT:=8445}"
TLS_DIR="$HERE/run/tls"

# GW_ROUTERS: how many routers each gateway target has loaded, comma separated (default 1). With more than
# one value, one gateway per value runs in the same session (gatehouse-r1, gatehouse-r10000, ... on ports
# GW_PORT, GW_PORT+1, ...): the routing table's cost shows as the ratio between them. The extra routers are
# what a large installation has: Host rules for other hosts (90 %), Host && PathPrefix (5 %), PathPrefix
# alone (5 %), all to the same service; the request's own router is still Host(`$VHOST`). They are written to a
# folder, in files of 50,000 routers (a file is limited to 4 MB), so 100,000 and more load too.
: "${GW_ROUTERS:=1}"
IFS=',' read -r -a ROUTER_COUNTS <<< "$GW_ROUTERS"
GW_TARGETS=()
i=0
for count in "${ROUTER_COUNTS[@]}"; do
  name=gatehouse
  [ ${#ROUTER_COUNTS[@]} -gt 1 ] && name="gatehouse-r$count"
  port=$((GW_PORT + i))
  CONF_DIR="$HERE/run/gateway-$name"
  mkdir -p "$CONF_DIR"
  tls_port=$((GW_TLS_PORT + i))
  cat > "$CONF_DIR/gatehouse-bench.yml" <<YAML
# written by bench/run.sh
entryPoints:
  web:
    address: "127.0.0.1:$port"
$([ "$GW_TLS" = 1 ] && printf '  websecure:\n    address: "127.0.0.1:%s"\n' "$tls_port")
providers:
  file:
    directory: dynamic
    watch: false
log:
  level: WARN
YAML
  # The routers (bench/routers.sh, shared with bench/config-scale.sh) in a folder: a file holds at most 4 MB
  # (about 55,000 of these routers), so they are written in files of 50,000; the certificate for TLS in its own.
  rm -rf "$CONF_DIR/dynamic" "$CONF_DIR/dynamic.yml"
  mkdir -p "$CONF_DIR/dynamic"
  "$HERE/routers.sh" "$((count < 50000 ? count : 50000))" "$VHOST" "127.0.0.1:$ORIGIN_PORT1" \
      "127.0.0.1:$ORIGIN_PORT2" "$GW_TLS" > "$CONF_DIR/dynamic/routers-0.yml"
  for ((first = 50000; first < count; first += 50000)); do
    "$HERE/routers.sh" "$((first + 50000 < count ? first + 50000 : count))" "$VHOST" "127.0.0.1:$ORIGIN_PORT1" \
        "127.0.0.1:$ORIGIN_PORT2" "$GW_TLS" "$first" > "$CONF_DIR/dynamic/routers-$((first / 50000)).yml"
  done
  if [ "$GW_TLS" = 1 ]; then
    printf 'tls:\n  certificates:\n    - certFile: %s\n      keyFile: %s\n' "$TLS_DIR/cert.pem" "$TLS_DIR/key.pem" \
        > "$CONF_DIR/dynamic/tls.yml"
  fi
  cmd="env -u GATEHOUSE_OPTS JAVA_OPTS=$(printf '%q' "$GW_JAVA_OPTS") $(printf '%q' "$DIST/bin/gatehouse") --configFile=$(printf '%q' "$CONF_DIR/gatehouse-bench.yml")"
  if [ "$GW_TLS" = 1 ]; then GW_TARGETS+=("$name-tls=$tls_port=$cmd"); else GW_TARGETS+=("$name=$port=$cmd"); fi
  echo "bench/run.sh: $name ($count routers) = $cmd" >&2
  i=$((i + 1))
done
echo "bench/run.sh: JVM options = bin/gatehouse defaults${GW_JAVA_OPTS:+ + JAVA_OPTS=$GW_JAVA_OPTS}" >&2
PEERS_DEFAULT=nginx,haproxy,caddy,jetty
[ "$GW_TLS" = 1 ] && PEERS_DEFAULT=nginx-tls,haproxy-tls
exec "$HERE/bench.sh" --targets "$PEERS_DEFAULT" "$@" "${GW_TARGETS[@]}"
