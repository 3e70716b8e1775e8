#!/usr/bin/env bash
# bench/soak.sh - does the gateway hold steady over time? (issue 13's soak benchmark; a separate command, not a test)
#
# Runs the built distribution (bin/gatehouse, default JVM options) for SOAK_MINUTES (default 30) under a moderate,
# fixed request rate (wrk on loopback, each connection paced by a Lua delay: SOAK_RATE requests/s in all over
# SOAK_CONNS keep-alive connections) to one nginx origin, while the file provider's dynamic file changes every
# SOAK_RELOAD_SECONDS (10): alternately rewritten in place (truncate and write, as `cat > file` and many editors do)
# and replaced by a rename (write a new file, mv it over), each time with another router and middleware (the
# route under load never changes). Every SOAK_SAMPLE_SECONDS (20) it samples the gateway's JVM:
#   rss_kib       VmRSS from /proc/PID/status
#   heap_kib      heap in use just after a full collection (jcmd PID GC.run, then jstat -gc: S0U+S1U+EU+OU)
#   fds           open file descriptors (entries of /proc/PID/fd)
#   threads       Threads from /proc/PID/status
# and ends with the least-squares slope of each per hour, and a verdict: FLAT unless a metric grows, that is its
# slope is above its limit (SOAK_MAX_RSS_MIB_PER_HOUR 16, SOAK_MAX_HEAP_MIB_PER_HOUR 8, SOAK_MAX_FDS_PER_HOUR 10,
# SOAK_MAX_THREADS_PER_HOUR 10) and the rise the slope fits over the run is above the sampling noise
# (SOAK_NOISE_RSS_MIB 8, SOAK_NOISE_HEAP_MIB 4, SOAK_NOISE_FDS 8, SOAK_NOISE_THREADS 4): a short run can only see
# steep growth, which the report says. Also reported: wrk's totals (requests, non-2xx answers, socket errors), how many
# reloads the gateway applied, and whether it logged an empty routing table or an error.
#
# Sampling starts after SOAK_WARMUP_SECONDS (60) of load, so that JIT compilation, class loading and the growth of
# the thread and buffer pools to the load's size are not counted as a trend.
#
#   mvn -B -q -DskipTests package          # builds distribution/target/gatehouse-<version>/
#   bench/soak.sh                          # 31 minutes
#   SOAK_MINUTES=4 bench/soak.sh           # a smoke run
#
# Output: bench/run/soak/<stamp>/ (samples.tsv, report.txt, wrk.txt, the gateway's log and configuration).
# Exit status: 0 flat, 1 growing (or the run failed), 2 bad usage. Ports: SOAK_GW_PORT (8099), SOAK_ORIGIN_PORT
# (9031). Loopback only; wrk is bounded by -d and timeout; everything started is stopped at the end. Needs nginx,
# wrk, curl and the JDK's jcmd and jstat (nginx and wrk are installed with apt-get when missing and run as root).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../scripts/nginx-origin.sh"   # nginx_origin_start
ROOT="$(cd "$HERE/.." && pwd)"
: "${SOAK_MINUTES:=30}" "${SOAK_RATE:=200}" "${SOAK_CONNS:=8}" "${SOAK_RELOAD_SECONDS:=10}"
: "${SOAK_SAMPLE_SECONDS:=20}" "${SOAK_WARMUP_SECONDS:=60}"
: "${SOAK_MAX_RSS_MIB_PER_HOUR:=16}" "${SOAK_MAX_HEAP_MIB_PER_HOUR:=8}"
: "${SOAK_MAX_FDS_PER_HOUR:=10}" "${SOAK_MAX_THREADS_PER_HOUR:=10}"
: "${SOAK_NOISE_RSS_MIB:=8}" "${SOAK_NOISE_HEAP_MIB:=4}" "${SOAK_NOISE_FDS:=8}" "${SOAK_NOISE_THREADS:=4}"
: "${SOAK_GW_PORT:=8099}" "${SOAK_ORIGIN_PORT:=9031}" "${GW_JAVA_OPTS:=}"
for n in SOAK_MINUTES SOAK_RATE SOAK_CONNS SOAK_RELOAD_SECONDS SOAK_SAMPLE_SECONDS SOAK_WARMUP_SECONDS; do
  [[ "${!n}" =~ ^[1-9][0-9]*$ ]] || { echo "bench/soak.sh: $n must be a positive whole number (got '${!n}')" >&2; exit 2; }
done

DIST="$(ls -1td "$ROOT"/distribution/target/gatehouse-*/ 2>/dev/null | head -n 1 || true)"
DIST="${DIST%/}"
if [ -z "$DIST" ] || [ ! -x "$DIST/bin/gatehouse" ]; then
  echo "bench/soak.sh: no built distribution; build it first (from $ROOT): mvn -B -q -DskipTests package" >&2
  exit 1
fi
missing=()
for t in nginx:nginx wrk:wrk curl:curl; do command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "bench/soak.sh: missing ${missing[*]}: apt-get install -y ${missing[*]} (as root)" >&2; exit 1
  fi
fi
for t in jcmd jstat; do
  command -v "$t" >/dev/null 2>&1 || { echo "bench/soak.sh: $t (from the JDK) is not on PATH" >&2; exit 1; }
done

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$HERE/run/soak/$STAMP"
mkdir -p "$OUT/origin/www" "$OUT/origin/tmp" "$OUT/gateway"
log() { printf '[soak %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

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

# ---- origin: nginx answering every path with 1 KiB ------------------------------------------------------------
head -c 1024 /dev/zero | tr '\0' 'x' > "$OUT/origin/www/1k.txt"
nginx_origin_start "$OUT/origin" "$SOAK_ORIGIN_PORT" 1k.txt 1024
PIDS+=($!)

# ---- gateway ----------------------------------------------------------------------------------------------------
cat > "$OUT/gateway/gatehouse.yml" <<YAML
entryPoints:
  web:
    address: "127.0.0.1:$SOAK_GW_PORT"
providers:
  file:
    filename: dynamic.yml
    watch: true
log:
  level: INFO
YAML
DYNAMIC="$OUT/gateway/dynamic.yml"
bt='`'
# The dynamic configuration, version $1: the route under load (app.local) stays the same; each version has another
# extra router, with a middleware of its own, so that every reload builds something.
dynamic() {
  cat <<YAML
# version $1
http:
  routers:
    app:
      rule: 'Host(${bt}app.local${bt})'
      service: origin
    extra-$1:
      rule: 'Host(${bt}extra-$1.local${bt}) && PathPrefix(${bt}/v$1${bt})'
      middlewares: [strip-$1]
      service: origin
  middlewares:
    strip-$1:
      stripPrefix:
        prefixes: [/v$1]
  services:
    origin:
      loadBalancer:
        servers:
          - url: http://127.0.0.1:$SOAK_ORIGIN_PORT
YAML
}
dynamic 0 > "$DYNAMIC"
(cd "$OUT/gateway" && exec env -u GATEHOUSE_OPTS JAVA_OPTS="$GW_JAVA_OPTS" "$DIST/bin/gatehouse" \
  --configFile="$OUT/gateway/gatehouse.yml" > "$OUT/gateway/gatehouse.log" 2>&1) &
PIDS+=($!)

url="http://127.0.0.1:$SOAK_GW_PORT/"
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: app.local' "$url" 2>/dev/null)" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: app.local' "$url" 2>/dev/null)" = 200 ] \
  || { log "the gateway does not route app.local; see $OUT/gateway/gatehouse.log"; exit 1; }
GW_PID=""
for p in $(pgrep -f -- "$OUT/gateway/gatehouse.yml"); do
  [ "$(cat "/proc/$p/comm" 2>/dev/null)" = java ] && GW_PID="$p"
done
[ -n "$GW_PID" ] || { log "no gateway JVM found; see $OUT/gateway/gatehouse.log"; exit 1; }

# ---- load: wrk, each connection waiting a fixed delay between its requests ------------------------------------
DELAY_MS=$(( SOAK_CONNS * 1000 / SOAK_RATE ))
printf 'function delay()\n  return %d\nend\n' "$DELAY_MS" > "$OUT/pace.lua"
LOAD_SECONDS=$(( SOAK_WARMUP_SECONDS + SOAK_MINUTES * 60 ))
log "gateway JVM $GW_PID; load ~$SOAK_RATE req/s ($SOAK_CONNS connections, ${DELAY_MS} ms apart) for ${LOAD_SECONDS} s;" \
  "warm-up ${SOAK_WARMUP_SECONDS} s, then ${SOAK_MINUTES} min sampled every ${SOAK_SAMPLE_SECONDS} s, reload every ${SOAK_RELOAD_SECONDS} s"
timeout $(( LOAD_SECONDS + 60 )) wrk -t1 -c"$SOAK_CONNS" -d"${LOAD_SECONDS}s" --latency -s "$OUT/pace.lua" \
  -H 'Host: app.local' "$url" > "$OUT/wrk.txt" 2>&1 &
WRK_PID=$!
PIDS+=("$WRK_PID")
sleep "$SOAK_WARMUP_SECONDS"

# ---- reloads: alternately an in-place rewrite and a rename ------------------------------------------------------
START=$(date +%s)
END=$(( START + SOAK_MINUTES * 60 ))
(
  version=0
  while [ $(( $(date +%s) + SOAK_RELOAD_SECONDS )) -le "$END" ]; do
    sleep "$SOAK_RELOAD_SECONDS"
    version=$(( version + 1 ))
    if [ $(( version % 2 )) = 1 ]; then
      dynamic "$version" > "$DYNAMIC"                       # in place: truncate, then write
    else
      dynamic "$version" > "$OUT/gateway/.dynamic.yml.new"
      mv -f "$OUT/gateway/.dynamic.yml.new" "$DYNAMIC"      # atomic rename
    fi
    echo "$version" > "$OUT/reloads-written"
  done
) &
PIDS+=($!)

# ---- samples ----------------------------------------------------------------------------------------------------
heap_after_gc() { # KiB of heap in use right after a full collection
  jcmd "$GW_PID" GC.run > /dev/null 2>&1 || return 1
  jstat -gc "$GW_PID" | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
                             NR == 2 { printf "%.0f", $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"] }'
}
printf 'seconds\trss_kib\theap_kib\tfds\tthreads\n' > "$OUT/samples.tsv"
while :; do
  now=$(date +%s)
  kill -0 "$GW_PID" 2>/dev/null || { log "the gateway exited; see $OUT/gateway/gatehouse.log"; exit 1; }
  heap="$(heap_after_gc || echo NA)"
  rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$GW_PID/status")"
  threads="$(awk '/^Threads:/ { print $2 }' "/proc/$GW_PID/status")"
  fds="$(find "/proc/$GW_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
  printf '%s\t%s\t%s\t%s\t%s\n' "$(( now - START ))" "$rss" "$heap" "$fds" "$threads" >> "$OUT/samples.tsv"
  log "t=$(( now - START ))s rss ${rss} KiB, heap after GC ${heap} KiB, ${fds} fds, ${threads} threads"
  [ $(( now + SOAK_SAMPLE_SECONDS )) -le "$END" ] || break
  sleep $(( SOAK_SAMPLE_SECONDS - ($(date +%s) - now) > 0 ? SOAK_SAMPLE_SECONDS - ($(date +%s) - now) : 1 ))
done
wait "$WRK_PID" || true

# ---- report -----------------------------------------------------------------------------------------------------
requests="$(awk '/requests in/ { print $1 }' "$OUT/wrk.txt")"
non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$OUT/wrk.txt")"
socket_errors="$(grep 'Socket errors:' "$OUT/wrk.txt" || true)"
written="$(cat "$OUT/reloads-written" 2>/dev/null || echo 0)"
# Reloads the gateway applied after its first routing table (the very first line, before the provider has read
# the file, is an empty table by design), and how many of them had no router at all: a half-written file read.
read -r applied empty < <(awk '/Configuration applied/ { if (started) { n++; if (/applied: 0 router/) e++ }
                                                        else if (!/applied: 0 router/) started = 1 }
                               END { print n + 0, e + 0 }' "$OUT/gateway/gatehouse.log")
errors="$(grep -cE '(^|[[:space:]])(ERROR|WARN)[[:space:]]' "$OUT/gateway/gatehouse.log" || true)"
(
  echo "== soak $STAMP: ${SOAK_MINUTES} min sampled (after ${SOAK_WARMUP_SECONDS} s warm-up), $(nproc) cpu, load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "   gateway: $DIST (default JVM options${GW_JAVA_OPTS:+ + $GW_JAVA_OPTS}), JVM pid $GW_PID"
  echo "   load: wrk -t1 -c$SOAK_CONNS, ${DELAY_MS} ms between requests per connection (~$SOAK_RATE req/s): ${requests:-?} requests," \
    "non-2xx ${non2xx:-0}${socket_errors:+, $socket_errors}"
  echo "   reloads: $written written (every ${SOAK_RELOAD_SECONDS} s, in place and by rename alternately), $applied applied" \
    "after the first routing table, $empty of them with 0 routers; $errors WARN/ERROR lines in the gateway log"
  awk -F'\t' -v rss="$SOAK_MAX_RSS_MIB_PER_HOUR" -v heap="$SOAK_MAX_HEAP_MIB_PER_HOUR" \
      -v fds="$SOAK_MAX_FDS_PER_HOUR" -v thr="$SOAK_MAX_THREADS_PER_HOUR" \
      -v nrss="$SOAK_NOISE_RSS_MIB" -v nheap="$SOAK_NOISE_HEAP_MIB" -v nfds="$SOAK_NOISE_FDS" -v nthr="$SOAK_NOISE_THREADS" '
    NR == 1 { next }
    { x = $1 / 3600; n++; if (x > span) span = x
      for (c = 2; c <= 5; c++) { if ($c == "NA") continue; k[c]++; sx[c] += x; sy[c] += $c; sxx[c] += x * x; sxy[c] += x * $c
        if (!(c in first)) first[c] = $c; last[c] = $c
        if (!(c in lo) || $c < lo[c]) lo[c] = $c; if (!(c in hi) || $c > hi[c]) hi[c] = $c } }
    END {
      name[2] = "RSS (MiB)"; name[3] = "heap after GC (MiB)"; name[4] = "file descriptors"; name[5] = "threads"
      scale[2] = 1024; scale[3] = 1024; scale[4] = 1; scale[5] = 1
      limit[2] = rss; limit[3] = heap; limit[4] = fds; limit[5] = thr
      noise[2] = nrss; noise[3] = nheap; noise[4] = nfds; noise[5] = nthr
      printf "%-20s %8s %8s %8s %8s %12s %12s %10s  %s\n", "metric", "first", "last", "min", "max", "slope /hour",
        "fitted rise", "limit /h", "flat?"
      flat = 1
      for (c = 2; c <= 5; c++) {
        d = k[c] * sxx[c] - sx[c] * sx[c]
        if (k[c] < 3 || d == 0) { printf "%-20s too few samples (%d)\n", name[c], k[c]; flat = 0; continue }
        slope = (k[c] * sxy[c] - sx[c] * sy[c]) / d / scale[c]
        # Growing means a slope above its limit AND a fitted rise over the run above the sampling noise: a few
        # samples bobbing by a MiB make a steep slope over minutes, and a falling slope is no leak.
        ok = (slope <= limit[c] || slope * span <= noise[c]); if (!ok) flat = 0
        printf "%-20s %8.1f %8.1f %8.1f %8.1f %+12.2f %+12.2f %10s  %s\n", name[c], first[c] / scale[c],
          last[c] / scale[c], lo[c] / scale[c], hi[c] / scale[c], slope, slope * span, limit[c], ok ? "yes" : "NO"
      }
      printf "verdict: %s (%d samples over %.1f min; a rise smaller than the noise floor (RSS %s MiB, heap %s MiB, %s fds, %s threads) is not counted, so this run could see a leak of about %.0f MiB/h of heap or more)\n",
        flat ? "FLAT" : "GROWING", n, span * 60, nrss, nheap, nfds, nthr, (span > 0 ? nheap / span : 0)
      exit flat ? 0 : 1
    }' "$OUT/samples.tsv"
) > "$OUT/report.txt" && status=0 || status=1
cat "$OUT/report.txt"
log "samples, wrk output and the gateway log: $OUT"
exit "$status"
