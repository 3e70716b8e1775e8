#!/usr/bin/env bash
# ./test.sh - the project's test command: every test level, with the real components they need.
#
# Installs (apt-get, only what is missing, only when root) and starts the real components the tests
# use, runs `mvn -B verify` (unit tests, in-process integration tests, distribution tests), stops what
# it started, and exits with Maven's status. Extra arguments go to Maven (e.g. ./test.sh -pl distribution -am).
#
# Real components so far: a Docker engine (dockerd from Debian's docker.io, on its own socket and data root under
# the test's temp folder, with a TLS tcp:// endpoint too; see start_docker), etcd and Redis (installed here, started
# by each test on its own ports: test-support's EtcdServer and RedisServer), Pebble (Let's Encrypt's test CA) with pebble-challtestsrv, for
# the ACME tests (start_pebble), and BIND with a second Pebble for the DNS-01 tests (start_dns). To add one (as a Debian
# package): list its packages in PACKAGES, start it in start_components (record the PID with
# track_pid, and any cleanup command with on_cleanup), and export what the tests need to find it.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

# Debian packages the tests need: "command:package" pairs (installed when the command is missing; a "command" that
# is an absolute path, for packages without one, is a file the package installs).
PACKAGES=(
  "java:openjdk-17-jdk-headless"
  "mvn:maven"
  "openssl:openssl"
  "pebble:pebble"
  "dockerd:docker.io"
  "busybox:busybox-static"
  "chromium:chromium"   # the dashboard's browser test (DashboardBrowserTest); playwright-core comes from npm ci
  "node:nodejs"
  "npm:npm"
  # MetricsTest has the Prometheus project's own parser read the scrape (prometheus_client.parser)
  "/usr/lib/python3/dist-packages/prometheus_client/parser.py:python3-prometheus-client"
  # TlsScanTest scans a TLS entry point with both (sslscan for protocols and suites, testssl.sh for compression)
  "sslscan:sslscan"
  "testssl:testssl.sh"
  # ACME DNS-01 tests: BIND as the authoritative server (start_dns), nsupdate in their exec/httpreq script
  "named:bind9"
  "nsupdate:bind9-dnsutils"
  # UdpDnsTest serves dnsmasq behind a UDP entry point and queries it with dig (bind9-dnsutils)
  "dnsmasq:dnsmasq"
  # ProxyProtocolTest puts HAProxy in front of an entry point (send-proxy, send-proxy-v2)
  "/usr/sbin/haproxy:haproxy"
  # ComposeExampleIT runs examples/compose/ with it against the tests' Docker engine
  "docker-compose:docker-compose"
  # The etcd and Redis tests start their own servers from these (test-support EtcdServer, RedisServer)
  "etcd:etcd-server"
  "etcdctl:etcd-client"
  "redis-server:redis-server"
  "redis-sentinel:redis-sentinel"
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
  for pair in "${PACKAGES[@]}"; do
    local need="${pair%%:*}"
    if [ "${need#/}" != "$need" ]; then [ -e "$need" ] || missing+=("${pair#*:}")
    else command -v "$need" >/dev/null 2>&1 || missing+=("${pair#*:}"); fi
  done
  [ ${#missing[@]} = 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then log "missing: ${missing[*]} (run as root to install them with apt-get)"; return 1; fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null
}

# The tests' own Docker engine (scripts/docker-engine.sh, shared with bench/docker.sh): its own socket, data root
# and exec root under $WORK, no networking of its own, a TLS tcp:// endpoint on 127.0.0.1 with certificates made
# here, and a busybox httpd image. The tests find it through the IT_DOCKER_* variables that script exports, and
# stop and start it through IT_DOCKERD_CTL. It is stopped and the host put back as it was at exit.
source "$HERE/scripts/docker-engine.sh"   # sources scripts/ports.sh: free_port
source "$HERE/scripts/dns-server.sh"      # dns_server_start: BIND for the DNS-01 tests
start_docker() {
  docker_engine_start "$WORK/docker"
}

start_components() {
  start_docker && start_pebble && start_dns
}

# waits until something listens on 127.0.0.1:$1 (at most $2 seconds)
wait_port() {
  local i
  for i in $(seq 1 $(( $2 * 5 ))); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  return 1
}

# Pebble (Debian package pebble; its documentation: https://github.com/letsencrypt/pebble): a CA made here for Pebble's own HTTPS, challtestsrv answering every name with
# 127.0.0.1, validation for real (no PEBBLE_VA_ALWAYS_VALID). Certificates live 150 s, so that a test sees a
# renewal (at a third of the lifetime left) within a bounded wait. PEBBLE_ALTERNATE_ROOTS=1 (in run_pebble) makes
# it offer a second chain to another root, as Let's Encrypt does, for preferredChain (AcmeOptionsPebbleTest). The
# ACME tests read IT_PEBBLE_* and are skipped without them.
start_pebble() {
  local dns challtest
  free_port dns; free_port challtest
  pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 '' -dns01 "127.0.0.1:$dns" -http01 '' -https01 '' \
    -tlsalpn01 '' -management "127.0.0.1:$challtest" >"$WORK/challtestsrv.log" 2>&1 &
  track_pid $!
  run_pebble "$WORK/pebble" "127.0.0.1:$dns" IT_PEBBLE
}

# The DNS-01 tests' own authoritative server (BIND, scripts/dns-server.sh: zone example.test, TSIG-signed updates)
# and a second Pebble that validates against it, so DNS-01 is checked against records that really were published.
# They read IT_DNS_* and IT_DNS_PEBBLE_*; IT_DNS_TESTS=required makes them fail rather than skip without them.
start_dns() {
  dns_server_start "$WORK/dns" && run_pebble "$WORK/pebble-dns" "$IT_DNS_SERVER" IT_DNS_PEBBLE
}

# run_pebble DIR DNS_SERVER PREFIX: a Pebble in DIR that resolves names (and looks up DNS-01 records) at DNS_SERVER;
# exports PREFIX_DIRECTORY, _MANAGEMENT, _CA, _TRUSTSTORE(_PASSWORD), _HTTP_PORT, _TLS_PORT, _PID and _LOG.
run_pebble() {
  local d="$1" dnsserver="$2" prefix="$3"
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Gatehouse test Pebble CA" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null || return 1
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$d/key.pem" -out "$d/cert.csr" 2>/dev/null || return 1
  openssl x509 -req -in "$d/cert.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -copy_extensions copy -out "$d/cert.pem" 2>/dev/null || return 1
  keytool -importcert -noprompt -alias pebble-ca -file "$d/ca.pem" -keystore "$d/truststore.p12" \
    -storetype PKCS12 -storepass changeit >/dev/null 2>&1 || return 1
  local acme management http tls
  free_port acme; free_port management; free_port http; free_port tls
  cat >"$d/pebble-config.json" <<JSON
{"pebble":{"listenAddress":"127.0.0.1:$acme","managementListenAddress":"127.0.0.1:$management","certificate":"$d/cert.pem",
 "privateKey":"$d/key.pem","httpPort":$http,"tlsPort":$tls,"ocspResponderURL":"","externalAccountBindingRequired":false,
 "certificateValidityPeriod":150}}
JSON
  PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_ALTERNATE_ROOTS=1 pebble -config "$d/pebble-config.json" -dnsserver "$dnsserver" \
    -strict=false >"$d/pebble.log" 2>&1 &
  local pebble=$!
  track_pid "$pebble"
  wait_port "$acme" 30 && wait_port "$management" 30 || { log "pebble did not start: $(tail -5 "$d/pebble.log")"; return 1; }
  export "${prefix}_DIRECTORY=https://127.0.0.1:$acme/dir"
  export "${prefix}_MANAGEMENT=https://127.0.0.1:$management"
  export "${prefix}_CA=$d/ca.pem"
  export "${prefix}_TRUSTSTORE=$d/truststore.p12" "${prefix}_TRUSTSTORE_PASSWORD=changeit"
  # Pebble validates HTTP-01 and TLS-ALPN-01 on these ports: the ACME tests' gateway listens on them.
  export "${prefix}_HTTP_PORT=$http" "${prefix}_TLS_PORT=$tls"
  export "${prefix}_PID=$pebble" "${prefix}_LOG=$d/pebble.log"
  # A test may stop Pebble (SIGSTOP) to play an unreachable CA: make sure it runs again before it is stopped.
  on_cleanup "kill -CONT $pebble 2>/dev/null || true"
  log "pebble started (directory https://127.0.0.1:$acme/dir, DNS $dnsserver)"
}

install_missing || exit 1
start_components || { log "could not start the test components"; exit 1; }

# Test switches are named IT_*: the gateway reads every GATEHOUSE_* variable as configuration.
export IT_BROWSER_TESTS=required   # DashboardBrowserTest fails, not skips, without node or chromium
export IT_PROMETHEUS_PARSER=required   # MetricsTest fails, not skips, without python3-prometheus-client
export IT_TLS_SCANNER=required   # TlsScanTest fails, not skips, without sslscan and testssl.sh
export IT_DNS_TESTS=required   # the DNS-01 tests fail, not skip, without BIND and its Pebble (start_dns)
export IT_HAPROXY=required   # ProxyProtocolTest fails, not skips, without haproxy
export IT_KV_STORES=required   # the etcd and Redis tests fail, not skip, without etcd, etcdctl, redis-server, redis-cli
log "mvn -B verify $*"
mvn -B verify "$@"
status=$?
log "maven exited with $status"
exit "$status"
