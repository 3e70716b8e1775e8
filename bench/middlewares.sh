#!/usr/bin/env bash
# bench/middlewares.sh [--rounds N] [--duration S] [--warmup S] [--conns N] - what the standard middlewares cost.
#
# Issue 7's benchmark (a separate command, not a test). One gateway (the built distribution, default JVM options),
# one nginx origin answering every path with the same compressible 16 KiB text, and six routers on one entry point
# that differ only in their middlewares, chosen by Host:
#   none.local       no middleware: the reference
#   headers.local    headers: two custom request headers (one removal), a custom response header, frameDeny,
#                    contentTypeNosniff, forceSTSHeader
#   strip.local      stripPrefix /api (every request is stripped: the origin gets /16k)
#   ratelimit.local  rateLimit, average 100000000/s, burst 100000000: never refuses, costs its bookkeeping
#   three.local      headers + stripPrefix + rateLimit
#   chain.local      headers + stripPrefix + rateLimit + compress (the client sends Accept-Encoding: gzip)
# All in the same JVM, warmed up together, then wrk runs against each in turn (interleaved, ROUNDS rounds), so
# the ratios to none.local compare like with like. Goal (issue 7): three.local within 10 % of none.local.
# Prints a table (medians over the rounds of req/s, p50, p99, and the gateway's CPU time per request, with ratios
# to none; on a machine shared with other work the CPU ratio is the steadier one) and keeps the raw wrk output in
# bench/run/middlewares/<stamp>/. About 4 minutes with the defaults on 2 cores.
#
# Uses distribution/target/gatehouse-*/ (build it first: mvn -B -q -DskipTests package), nginx and wrk (installed
# with apt-get when missing and run as root). Loopback only; every wrk run is bounded by timeout; everything
# started is stopped at the end. Ports: MW_GW_PORT (8097), MW_ORIGIN_PORT (9021).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../scripts/nginx-origin.sh"   # nginx_origin_start
ROOT="$(cd "$HERE/.." && pwd)"
: "${MW_GW_PORT:=8097}" "${MW_ORIGIN_PORT:=9021}" "${GW_JAVA_OPTS:=}"
ROUNDS=3; DURATION=8; WARMUP=40; CONNS=64
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2;;
    --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;;
    *) echo "bench/middlewares.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
VARIANTS=(none headers strip ratelimit three chain)

DIST="$(ls -1td "$ROOT"/distribution/target/gatehouse-*/ 2>/dev/null | head -n 1 || true)"
DIST="${DIST%/}"
if [ -z "$DIST" ] || [ ! -x "$DIST/bin/gatehouse" ]; then
  echo "bench/middlewares.sh: no built distribution; build it first (from $ROOT): mvn -B -q -DskipTests package" >&2
  exit 1
fi
missing=()
for t in nginx:nginx wrk:wrk curl:curl; do command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "bench/middlewares.sh: missing ${missing[*]}: apt-get install -y ${missing[*]} (as root)" >&2; exit 1
  fi
fi

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$HERE/run/middlewares/$STAMP"
mkdir -p "$OUT/origin/www" "$OUT/origin/tmp" "$OUT/gateway"
log() { printf '[middlewares %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

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

# ---- origin: every path answers the same 16 KiB of text (compressible, as a page or JSON would be) -----------
awk 'BEGIN { line = "Gatehouse middleware benchmark body, a line of ordinary compressible text.\n";
             s = ""; while (length(s) < 16384) s = s line; printf "%s", substr(s, 1, 16384) }' > "$OUT/origin/www/16k.txt"
nginx_origin_start "$OUT/origin" "$MW_ORIGIN_PORT" 16k.txt 4096
PIDS+=($!)

# ---- gateway ---------------------------------------------------------------------------------------------------
cat > "$OUT/gateway/gatehouse.yml" <<YAML
entryPoints:
  web:
    address: "127.0.0.1:$MW_GW_PORT"
providers:
  file:
    filename: dynamic.yml
    watch: false
log:
  level: WARN
YAML
bt='`'
{
  echo "http:"
  echo "  routers:"
  for v in "${VARIANTS[@]}"; do
    case $v in
      none) mws="[]";;
      headers) mws="[hdrs]";;
      strip) mws="[strip]";;
      ratelimit) mws="[limit]";;
      three) mws="[hdrs, strip, limit]";;
      chain) mws="[hdrs, strip, limit, gz]";;
    esac
    printf "    %s:\n      rule: 'Host(%s%s.local%s)'\n      middlewares: %s\n      service: origin\n" "$v" "$bt" "$v" "$bt" "$mws"
  done
  cat <<YAML
  middlewares:
    hdrs:
      headers:
        customRequestHeaders:
          X-Bench: "1"
          X-Debug: ""
        customResponseHeaders:
          X-Served-By: gatehouse
        frameDeny: true
        contentTypeNosniff: true
        forceSTSHeader: true
        stsSeconds: 31536000
    strip:
      stripPrefix:
        prefixes: [/api]
    limit:
      rateLimit:
        average: 100000000
        burst: 100000000
    gz:
      compress: {}
  services:
    origin:
      loadBalancer:
        servers:
          - url: http://127.0.0.1:$MW_ORIGIN_PORT
YAML
} > "$OUT/gateway/dynamic.yml"
env -u GATEHOUSE_OPTS JAVA_OPTS="$GW_JAVA_OPTS" "$DIST/bin/gatehouse" --configFile="$OUT/gateway/gatehouse.yml" \
  > "$OUT/gateway/gatehouse.log" 2>&1 &
PIDS+=($!)

url="http://127.0.0.1:$MW_GW_PORT/api/16k"
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: none.local' "$url" 2>/dev/null)" = 200 ] && break
  sleep 0.1
done
# The JVM that bin/gatehouse started (its child), whose CPU time is measured.
GW_PID=""
for p in $(pgrep -f -- "$OUT/gateway/gatehouse.yml"); do
  [ "$(cat "/proc/$p/comm" 2>/dev/null)" = java ] && GW_PID="$p"
done
[ -n "$GW_PID" ] || { log "no gateway JVM found; see $OUT/gateway/gatehouse.log"; exit 1; }
for v in "${VARIANTS[@]}"; do
  enc=(); [ "$v" = chain ] && enc=(-H 'Accept-Encoding: gzip')
  got="$(curl -s -D "$OUT/$v.check-headers" -o "$OUT/$v.check-body" -w '%{http_code} %{size_download}' \
    -H "Host: $v.local" "${enc[@]}" "$url" || true)"
  [ "${got%% *}" = 200 ] || { log "$v.local answered '$got' instead of 200; see $OUT/gateway/gatehouse.log"; exit 1; }
  log "check $v.local: HTTP ${got%% *}, ${got#* } bytes$(grep -i '^content-encoding' "$OUT/$v.check-headers" | tr -d '\r' | sed 's/^/, /')"
done

run_wrk() { # variant seconds outfile
  local enc=(); [ "$1" = chain ] && enc=(-H 'Accept-Encoding: gzip')
  timeout $(( $2 + 30 )) wrk -t1 -c"$CONNS" -d"${2}s" --latency -H "Host: $1.local" "${enc[@]}" "$url" > "$3" 2>&1
}
gw_ticks() { # CPU time the gateway has used so far, in clock ticks (user + system)
  awk '{ print $14 + $15 }' "/proc/$GW_PID/stat"
}
TICK_HZ="$(getconf CLK_TCK)"
ms() { # wrk latency (12.3us, 1.2ms, 1.1s) -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

log "warm-up: $WARMUP s over all routes (the JIT needs it)"
chunk=$(( WARMUP / ${#VARIANTS[@]} )); [ "$chunk" -lt 2 ] && chunk=2
for v in "${VARIANTS[@]}"; do run_wrk "$v" "$chunk" "$OUT/warmup-$v.txt"; done

: > "$OUT/results.tsv"
for r in $(seq 1 "$ROUNDS"); do
  for v in "${VARIANTS[@]}"; do
    f="$OUT/r$r-$v.txt"
    t0="$(gw_ticks)"
    run_wrk "$v" "$DURATION" "$f"
    t1="$(gw_ticks)"
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$f")"
    total="$(awk '/requests in/ {print $1}' "$f")"
    # The gateway's own CPU per request: unlike req/s, hardly moved by other processes sharing the cores.
    cpu_us="$(awk -v t="$((t1 - t0))" -v hz="$TICK_HZ" -v n="${total:-0}" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
    p50="$(ms "$(awk '$1 == "50%" {print $2}' "$f")")"
    p99="$(ms "$(awk '$1 == "99%" {print $2}' "$f")")"
    bad="$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$f")"; bad="${bad:-0}"
    errs="$(awk '/Socket errors:/ {print $0}' "$f")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$v" "${rps:-0}" "$p50" "$p99" "$bad" "$cpu_us" >> "$OUT/results.tsv"
    log "r$r $(printf '%-10s' "$v") ${rps:-?} req/s  p50 $p50 ms  p99 $p99 ms  gateway CPU $cpu_us us/req  non-2xx $bad ${errs:+ $errs}"
  done
done

{
  echo "== middleware cost $STAMP: $(nproc) cpu, wrk -t1 -c$CONNS -d${DURATION}s, GET /api/16k (16384 B text), $ROUNDS rounds interleaved"
  echo "   gateway: $DIST (default JVM options${GW_JAVA_OPTS:+ + $GW_JAVA_OPTS}); load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-10s %12s %10s %10s %10s %14s %12s %8s\n' variant "req/s (med)" "p50 ms" "p99 ms" "vs none" \
    "CPU us/req" "CPU vs none" non-2xx
  awk -F'\t' -v order="${VARIANTS[*]}" '
    { rps[$2] = rps[$2] " " $3; p50[$2] = p50[$2] " " $4; p99[$2] = p99[$2] " " $5; bad[$2] += $6; cpu[$2] = cpu[$2] " " $7 }
    function median(list,   a, n, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
      n = split(order, names, " "); base = median(rps["none"]); cbase = median(cpu["none"])
      for (i = 1; i <= n; i++) { v = names[i]; m = median(rps[v]); c = median(cpu[v])
        printf "%-10s %12.0f %10.3f %10.3f %9.1f%% %14.1f %11.1f%% %8d\n", v, m, median(p50[v]), median(p99[v]),
          100 * m / base, c, 100 * c / cbase, bad[v] }
    }' "$OUT/results.tsv"
} | tee "$OUT/report.txt"
