#!/usr/bin/env bash
# bench/cluster.sh [options] - the cluster benchmark (issue 17 item 6): gateways sharing one etcd.
#
# Uses the built distribution (distribution/target/gatehouse-*/; build it with `mvn -B -q -DskipTests package`).
# Starts its own etcd (Debian's etcd-server, etcdctl from etcd-client) and, for the ACME part, its own Pebble with
# pebble-challtestsrv (as ./test.sh starts them), all on free loopback ports under a temp folder that is removed at
# the end with everything started here.
#
# Measures, and prints (also saved under bench/run/cluster/<stamp>.txt):
#   1. key to routed: --rounds N times (default 20), a router written into etcd in one transaction, the time until
#      all --instances gateways (default 3) route it (curl every 10 ms on each). Median, p90, max. Each round
#      waits longer than the throttle first, so the change is the first after a quiet period.
#   2. storage operations per issuance: one gateway with storage.etcd and a certificate resolver on Pebble; the
#      etcd gRPC calls (etcd's own grpc_server_started_total, by method) from the moment a router needing a
#      certificate is written until its certificate is in the store and the order's lock and challenge are gone.
#   3. an idle gateway watching --routers M routers in etcd (default 1000): its CPU over --idle S seconds
#      (default 60), after they are all routed, and its RSS.
#
# Options: --instances N  --rounds N  --routers M  --idle S  --throttle DURATION (providersThrottleDuration, 500ms)
# Takes about 3 minutes on 2 cores with the defaults. Every load is bounded; everything listens on 127.0.0.1.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
INSTANCES=3 ROUNDS=20 ROUTERS=1000 IDLE=60 THROTTLE=500ms
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) INSTANCES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --routers) ROUTERS="$2"; shift 2 ;;
    --idle) IDLE="$2"; shift 2 ;;
    --throttle) THROTTLE="$2"; shift 2 ;;
    *) echo "bench/cluster.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

HOME_DIR="$(ls -d "$ROOT"/distribution/target/gatehouse-*/ 2>/dev/null | head -1)"
[ -x "${HOME_DIR}bin/gatehouse" ] || { echo "bench/cluster.sh: build the distribution first (mvn -B -q -DskipTests package)" >&2; exit 1; }
for tool in etcd etcdctl pebble pebble-challtestsrv curl openssl python3; do
  command -v "$tool" >/dev/null || { echo "bench/cluster.sh: $tool is missing (apt-get install -y etcd-server etcd-client pebble curl openssl python3)" >&2; exit 1; }
done

WORK="$(mktemp -d)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$HERE/run/cluster"
REPORT="$HERE/run/cluster/$STAMP.txt"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
result() { printf '%-62s %s\n' "$1" "$2" | tee -a "$REPORT"; }
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
# stats FILE: median, p90 and max of the numbers in FILE (one a line)
stats() { sort -n "$1" | awk '{v[NR]=$1} END {printf "median %d ms, p90 %d ms, max %d ms (n=%d)", v[int((NR+1)/2)], v[int(NR*0.9+0.999)], v[NR], NR}'; }

ETCD_PORT="$(free_port)" ETCD_PEER="$(free_port)"
ETCD="127.0.0.1:$ETCD_PORT"
etcd --name bench --data-dir "$WORK/etcd" --listen-client-urls "http://$ETCD" --advertise-client-urls "http://$ETCD" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster "bench=http://127.0.0.1:$ETCD_PEER" >"$WORK/etcd.log" 2>&1 &
PIDS+=($!)
wait_port "$ETCD_PORT" || { echo "etcd did not start: $(tail -3 "$WORK/etcd.log")"; exit 1; }
ctl() { etcdctl --endpoints="http://$ETCD" --command-timeout=30s "$@"; }
ctl endpoint health >/dev/null || exit 1
# txn_put KEY VALUE ...: one etcd transaction (one revision, one watch event)
txn_put() {
  { echo; while [ $# -gt 0 ]; do printf 'put "%s" "%s"\n' "$1" "$2"; shift 2; done; echo; echo; } | ctl txn >/dev/null
}

BACKEND_PORT="$(free_port)"
mkdir -p "$WORK/www" && echo ok >"$WORK/www/index.html"
python3 -m http.server "$BACKEND_PORT" --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$BACKEND_PORT" || exit 1
ctl put traefik/http/services/backend/loadbalancer/servers/0/url "http://127.0.0.1:$BACKEND_PORT" >/dev/null

# start_gateway NAME PORT STATIC_YAML: bin/gatehouse in $WORK/NAME, ready when it listens on PORT; sets GW_PID
start_gateway() {
  local name="$1" port="$2"; shift 2
  mkdir -p "$WORK/$name"
  printf '%s\n' "$1" >"$WORK/$name/gatehouse.yml"
  (cd "$WORK/$name" && exec env -u JAVA_OPTS -u GATEHOUSE_OPTS "${HOME_DIR}bin/gatehouse" --configFile="$WORK/$name/gatehouse.yml" >"$WORK/$name/gatehouse.log" 2>&1) &
  GW_PID=$!
  PIDS+=("$GW_PID")
  wait_port "$port" && return 0
  echo "gateway $name did not start: $(tail -5 "$WORK/$name/gatehouse.log")"; exit 1
}
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Host: $2" "http://127.0.0.1:$1/"; }

echo "bench/cluster.sh $STAMP: $INSTANCES instances, throttle $THROTTLE, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$REPORT"

# ---- 1. key to routed -------------------------------------------------------------------------------------------
WEB_PORTS=()
before_gateways=${#PIDS[@]}
for i in $(seq 1 "$INSTANCES"); do
  port="$(free_port)"
  WEB_PORTS+=("$port")
  start_gateway "gw$i" "$port" "entryPoints:
  web:
    address: \"127.0.0.1:$port\"
log:
  level: WARN
providers:
  providersThrottleDuration: $THROTTLE
  etcd:
    endpoints: [\"$ETCD\"]"
done
throttle_s="$(python3 -c "import re,sys;t='$THROTTLE';print(float(t[:-2])/1000 if t.endswith('ms') else float(t[:-1]))")"
: >"$WORK/routed.ms"
for round in $(seq 0 "$ROUNDS"); do
  sleep "$(python3 -c "print($throttle_s + 0.2)")"   # a quiet period: this change is the first after it
  host="r$round.bench.test"
  t0="$(now_ms)"
  txn_put "traefik/http/routers/r$round/rule" "Host(\`$host\`)" "traefik/http/routers/r$round/service" backend \
    "traefik/http/routers/r$round/entrypoints/0" web
  for port in "${WEB_PORTS[@]}"; do
    for _ in $(seq 1 1000); do [ "$(status "$port" "$host")" = 200 ] && break; sleep 0.01; done
  done
  elapsed=$(( $(now_ms) - t0 ))
  [ "$round" -gt 0 ] && echo "$elapsed" >>"$WORK/routed.ms"   # round 0 warms the JVMs up
done
result "key written (etcdctl txn) to routed by all $INSTANCES" "$(stats "$WORK/routed.ms")"
for pid in "${PIDS[@]:$before_gateways}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
PIDS=("${PIDS[@]:0:$before_gateways}")

# ---- 2. storage operations per issuance (Pebble) ------------------------------------------------------------------
P="$WORK/pebble"; mkdir -p "$P"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench Pebble CA" -keyout "$P/ca.key" -out "$P/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$P/key.pem" -out "$P/cert.csr" 2>/dev/null
openssl x509 -req -in "$P/cert.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial -days 2 -copy_extensions copy -out "$P/cert.pem" 2>/dev/null
DNS_PORT="$(free_port)" ACME_PORT="$(free_port)" MGMT_PORT="$(free_port)" HTTP01_PORT="$(free_port)" TLS01_PORT="$(free_port)"
pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 '' -dns01 "127.0.0.1:$DNS_PORT" -http01 '' -https01 '' -tlsalpn01 '' \
  -management "127.0.0.1:$(free_port)" >"$P/challtestsrv.log" 2>&1 &
PIDS+=($!)
cat >"$P/config.json" <<JSON
{"pebble":{"listenAddress":"127.0.0.1:$ACME_PORT","managementListenAddress":"127.0.0.1:$MGMT_PORT","certificate":"$P/cert.pem",
 "privateKey":"$P/key.pem","httpPort":$HTTP01_PORT,"tlsPort":$TLS01_PORT,"ocspResponderURL":"","externalAccountBindingRequired":false}}
JSON
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 pebble -config "$P/config.json" -dnsserver "127.0.0.1:$DNS_PORT" -strict=false >"$P/pebble.log" 2>&1 &
PIDS+=($!)
wait_port "$ACME_PORT" || { echo "pebble did not start: $(tail -3 "$P/pebble.log")"; exit 1; }
mkdir -p "$WORK/acme/dynamic"
ACME_TLS_PORT="$(free_port)"
start_gateway acme "$HTTP01_PORT" "entryPoints:
  web:
    address: \"127.0.0.1:$HTTP01_PORT\"
  websecure:
    address: \"127.0.0.1:$ACME_TLS_PORT\"
log:
  level: WARN
providers:
  file:
    directory: \"$WORK/acme/dynamic\"
storage:
  etcd:
    endpoints: [\"$ETCD\"]
certificatesResolvers:
  le:
    acme:
      email: ops@example.com
      caServer: https://127.0.0.1:$ACME_PORT/dir
      caCertificates: [\"$P/ca.pem\"]
      httpChallenge:
        entryPoint: web"
# grpc_methods: etcd's count of gRPC requests received, by method (its /metrics: one per unary call, one per message
# on a stream: a watch created, a lease kept alive)
grpc_methods() {
  curl -s "http://$ETCD/metrics" | awk '/^grpc_server_msg_received_total/ {
    match($0, /grpc_method="[^"]*"/); m = substr($0, RSTART + 13, RLENGTH - 14); n[m] += $NF
  } END { for (m in n) print m, n[m] }' | sort
}
# served_by_pebble PORT HOST: whether the gateway on PORT serves HOST a certificate issued by Pebble
served_by_pebble() { openssl s_client -connect "127.0.0.1:$1" -servername "$2" </dev/null 2>/dev/null | grep -q '^issuer=.*Pebble'; }
sleep 3   # let the resolver's start-up reads (the account) settle before the baseline
grpc_methods >"$WORK/grpc.before"
t0="$(now_ms)"
cat >"$WORK/acme/dynamic/tls.yml" <<YAML
http:
  routers:
    secure:
      rule: Host(\`issued.bench.test\`)
      service: backend
      tls:
        certResolver: le
  services:
    backend:
      loadBalancer:
        servers:
          - url: http://127.0.0.1:$BACKEND_PORT
YAML
issued=""
for _ in $(seq 1 600); do   # through the gateway, not etcd, so that the wait adds no etcd calls
  served_by_pebble "$ACME_TLS_PORT" issued.bench.test && { issued="$(( $(now_ms) - t0 ))"; break; }
  sleep 0.1
done
# then until the lock and the challenge entries are gone (the order is over): each check is 2 etcd Range calls,
# subtracted below
checks=0
for _ in $(seq 1 100); do
  checks=$((checks + 1))
  [ -z "$(ctl get --prefix --keys-only gatehouse/locks/)$(ctl get --prefix --keys-only gatehouse/acme/le/challenges/)" ] && break
  sleep 0.1
done
grpc_methods >"$WORK/grpc.after"
if [ -n "$issued" ]; then
  result "certificate ordered and stored" "$issued ms"
  ops="$(join -a2 -e0 -o 0,1.2,2.2 "$WORK/grpc.before" "$WORK/grpc.after" \
    | awk -v checks="$checks" '{d = $3 - $2; if ($1 == "Range") d -= 2 * checks; if (d > 0) {printf "%s%s %d", sep, $1, d; sep=", "}}')"
  result "etcd gRPC calls during that issuance (one gateway)" "$ops"
else
  result "certificate ordered and stored" "FAILED (see $WORK/acme/gatehouse.log)"
  tail -20 "$WORK/acme/gatehouse.log"
fi
kill "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null

# ---- 3. an idle gateway watching M routers ----------------------------------------------------------------------
args=()
for i in $(seq 1 "$ROUTERS"); do
  args+=("traefik/http/routers/many$i/rule" "Host(\`many$i.bench.test\`)" "traefik/http/routers/many$i/service" backend)
  if [ "${#args[@]}" -ge 240 ]; then txn_put "${args[@]}"; args=(); fi   # etcd's default --max-txn-ops is 128
done
[ "${#args[@]}" -gt 0 ] && txn_put "${args[@]}"
port="$(free_port)"
start_gateway idle "$port" "entryPoints:
  web:
    address: \"127.0.0.1:$port\"
log:
  level: WARN
providers:
  etcd:
    endpoints: [\"$ETCD\"]"
for _ in $(seq 1 600); do [ "$(status "$port" "many$ROUTERS.bench.test")" = 200 ] && break; sleep 0.1; done
sleep 10   # past start-up work (JIT, the first reads) before measuring idleness
ticks_per_s="$(getconf CLK_TCK)"
cpu_ticks() { sed 's/.*) //' "/proc/$GW_PID/stat" | awk '{print $12+$13}'; }
c0="$(cpu_ticks)"; sleep "$IDLE"; c1="$(cpu_ticks)"
result "idle gateway watching $ROUTERS routers: CPU over ${IDLE} s" \
  "$(awk -v t=$((c1 - c0)) -v hz="$ticks_per_s" -v s="$IDLE" 'BEGIN{printf "%.2f s (%.2f %% of one core)", t/hz, 100*t/hz/s}')"
result "its RSS" "$(awk '$1=="VmRSS:"{printf "%d MiB", $2/1024}' "/proc/$GW_PID/status")"
echo "saved in $REPORT"
