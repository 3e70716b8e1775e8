#!/usr/bin/env bash
# bench/config-scale.sh [--routers N] [--changes K] [--runs R] [--jfr] - what a large file provider configuration
# costs to load and to change, in CPU time (not wall time: the machine is shared).
#
# Uses the already built distribution (distribution/target/gatehouse-*/), as bench/run.sh does. For each of R runs
# (3) it starts a fresh gateway (bin/gatehouse, default JVM options, log level INFO) on a watched dynamic file of N
# routers (10,000; bench/routers.sh's mix, ~730 KB), waits for "Configuration applied", then changes the rule of
# one router K times (5), each time waiting for the next "Configuration applied". It reads CPU times from /proc:
#   load, process    the whole JVM's CPU from its start until it is idle after the first configuration applied
#                    (less than 25 ms of CPU in 0.5 s), minus the same for a gateway with a 1-router file started
#                    just before (JVM start, plugins, entry points): what the routers cost, JIT compilation and GC
#                    included, wherever the JIT's queue stood at the apply (also printed: the same at the apply);
#   load, config     the configuration thread's CPU (gatehouse-config: bind, check and build) at the first apply;
#   change, process  the whole JVM's CPU per one-router change (read, parse, bind, build, swap, JIT, GC);
#   change, threads  the file provider's watch thread (read, parse) plus the configuration thread, per change;
#   change, wall     from the file's replacement to the gateway's log line of the apply (its millisecond time
#                    stamp): the latency of a change, the file provider's 100 ms settle interval included.
# Prints each run, then the medians, the RSS after the last change, and the CPU by kind of thread (configuration,
# file watch, C2 and C1 compilers, GC and VM operations, the rest) for the load and for all the changes.
# --jfr records each run with JFR into bench/run/config-scale/run-<i>.jfr (for `jfr print --events
# jdk.ExecutionSample`); CONFIG_SCALE_JFC names the JFR settings (default: profile, which samples every 10-20 ms;
# a copy of it with 1 ms gives enough samples of one change).
# CONFIG_SCALE_WORK: the working folder (bench/run/config-scale). Loopback only (entry point 127.0.0.1:GW_PORT, 8099); everything started is stopped; every wait is bounded.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
ROUTERS=10000 CHANGES=5 RUNS=3 JFR=0
while [ $# -gt 0 ]; do
  case "$1" in
    --routers) ROUTERS="$2"; shift 2;;
    --changes) CHANGES="$2"; shift 2;;
    --runs) RUNS="$2"; shift 2;;
    --jfr) JFR=1; shift;;
    *) echo "bench/config-scale.sh: unknown option $1" >&2; exit 2;;
  esac
done
: "${GW_PORT:=8099}" "${GW_JAVA_OPTS:=}"

# DIST: another unpacked distribution to measure (a copy of an earlier build, for before/after in one session).
: "${DIST:=$(ls -1td "$ROOT"/distribution/target/gatehouse-*/ 2>/dev/null | head -n 1 || true)}"
DIST="${DIST%/}"
if [ -z "$DIST" ] || [ ! -x "$DIST/bin/gatehouse" ]; then
  echo "bench/config-scale.sh: no built distribution in distribution/target/gatehouse-*/ (mvn -B -q -DskipTests package)" >&2
  exit 1
fi
WORK="${CONFIG_SCALE_WORK:-$HERE/run/config-scale}"
mkdir -p "$WORK"
TICKS="$(getconf CLK_TCK)"

# A file holds at most 4 MB (about 55,000 of these routers): more routers are split over files of 50,000 in a
# watched folder, dynamic/part-<k>.yml; the change is always made in the first one (router r2).
PER_FILE=50000
if [ "$ROUTERS" -gt "$PER_FILE" ]; then
  PROVIDER_SOURCE="directory: dynamic"
  MAIN="$WORK/dynamic/part-0.yml"
else
  PROVIDER_SOURCE="filename: dynamic.yml"
  MAIN="$WORK/dynamic.yml"
fi
rm -rf "$WORK/dynamic" "$WORK/parts"
mkdir -p "$WORK/dynamic" "$WORK/parts"

cat > "$WORK/static.yml" <<YAML
# written by bench/config-scale.sh
entryPoints:
  web:
    address: "127.0.0.1:$GW_PORT"
providers:
  providersThrottleDuration: 100ms
  file:
    $PROVIDER_SOURCE
    watch: true
log:
  level: INFO
YAML

PID=""
stop_gateway() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill "$PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PID" 2>/dev/null || true
  fi
  PID=""
}
trap stop_gateway EXIT

# CPU milliseconds (user + system) of a process, or of its threads whose name starts with $2.
cpu_ms() {
  local pid="$1" prefix="${2:-}" total=0 f name
  if [ -z "$prefix" ]; then
    total=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  else
    for f in /proc/"$pid"/task/*; do
      name="$(cat "$f/comm" 2>/dev/null || true)"
      case "$name" in "$prefix"*) total=$((total + $(awk '{print $14 + $15}' "$f/stat" 2>/dev/null || echo 0)));; esac
    done
  fi
  echo $((total * 1000 / TICKS))
}

# Waits (at most 120 s) until the log has N "Configuration applied" lines with $3 routers (the gateway applies its
# own routers alone first, before the file provider has published).
await_applied() {
  local log="$1" n="$2" deadline=$((SECONDS + 120))
  local count
  while true; do
    count=$(grep -c "Configuration applied: $3 router" "$log" 2>/dev/null) || count=0   # no log yet: 0
    [ "$count" -lt "$n" ] || break
    if [ $SECONDS -ge $deadline ] || ! kill -0 "$PID" 2>/dev/null; then
      echo "bench/config-scale.sh: no configuration applied (see $log)" >&2; tail -5 "$log" >&2; exit 1
    fi
    sleep 0.05
  done
}

start_gateway() {   # $1: log file, $2: extra JAVA_OPTS
  : > "$1"   # emptied now: await_applied must not read an earlier run's log before the new gateway writes it
  (cd "$WORK" && exec env -u GATEHOUSE_OPTS JAVA_OPTS="$GW_JAVA_OPTS $2" "$DIST/bin/gatehouse" \
      --configFile="$WORK/static.yml" > "$1" 2>&1) &
  PID=$!
}

# CPU milliseconds per kind of thread, as "config=.. watch=.. C2=.. C1=.. GC=.. other=..": where the time goes.
cpu_by_thread() {
  local pid="$1" f name ticks
  for f in /proc/"$pid"/task/*; do
    name="$(cat "$f/comm" 2>/dev/null || true)"
    ticks=$(awk '{print $14 + $15}' "$f/stat" 2>/dev/null || echo 0)
    case "$name" in
      gatehouse-confi*) echo "config $ticks";; gatehouse-provi*) echo "watch $ticks";;
      C2\ Compiler*) echo "C2 $ticks";; C1\ Compiler*) echo "C1 $ticks";;
      "VM Thread"|GC\ Thread*|"VM Periodic Tas") echo "GC/VM $ticks";; *) echo "other $ticks";;
    esac
  done | awk -v hz="$TICKS" '{t[$1] += $2} END {
    n = split("config watch C2 C1 GC/VM other", k, " ")
    for (i = 1; i <= n; i++) printf "%s=%d ", k[i], t[k[i]] * 1000 / hz }'
}

# The difference of two cpu_by_thread lines.
cpu_by_thread_diff() {
  awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
    for (i = 1; i <= n; i++) { split(x[i], p, "="); split(y[i], q, "="); printf "%s=%d ", p[1], q[2] - p[2] } }'
}

# Waits (at most 10 s) until the gateway is idle: less than 25 ms of CPU in half a second, so that the JIT
# compilations a start queued are counted where they belong, whichever gateway is measured.
await_idle() {
  local previous now
  previous=$(cpu_ms "$PID")
  for _ in $(seq 1 20); do
    sleep 0.5
    now=$(cpu_ms "$PID")
    [ $((now - previous)) -ge 25 ] || return 0
    previous=$now
  done
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

"$HERE/routers.sh" "$((ROUTERS < PER_FILE ? ROUTERS : PER_FILE))" > "$WORK/routers.yml"
for ((first = PER_FILE; first < ROUTERS; first += PER_FILE)); do
  last=$((first + PER_FILE < ROUTERS ? first + PER_FILE : ROUTERS))
  "$HERE/routers.sh" "$last" app.local 127.0.0.1:9001 127.0.0.1:9002 0 "$first" > "$WORK/parts/part-$((first / PER_FILE)).yml"
done
bytes=$( { cat "$WORK/routers.yml"; cat "$WORK"/parts/*.yml 2>/dev/null || true; } | wc -c)   # no parts: 10,000
echo "bench/config-scale.sh: $ROUTERS routers ($bytes bytes), $CHANGES changes, $RUNS runs; $DIST" >&2

# The gateway's dynamic configuration: one router, or all of them.
routers_one() {
  rm -f "$WORK"/dynamic/part-*.yml
  "$HERE/routers.sh" 1 > "$MAIN"
}
routers_all() {
  cp "$WORK/routers.yml" "$MAIN"
  cp "$WORK"/parts/*.yml "$WORK/dynamic/" 2>/dev/null || true
}
echo "bench/config-scale.sh: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2

# A first start that is not measured: after a new build, bin/gatehouse writes its class data sharing archive at
# the first stop (that start runs without the archive, and without JFR).
routers_one
start_gateway "$WORK/warm-up.log" ""
await_applied "$WORK/warm-up.log" 1 1
stop_gateway

LOAD_PROC=() LOAD_CONF=() CHANGE_PROC=() CHANGE_THREADS=() CHANGE_WALL=()
printf '%-4s %16s %16s %18s %18s %16s\n' run 'load process ms' 'load config ms' 'change process ms' 'change threads ms' \
    'change wall ms'
for run in $(seq 1 "$RUNS"); do
  # Baseline: the same gateway with one router (JVM start, plugins, entry points).
  routers_one
  start_gateway "$WORK/base-$run.log" ""
  await_applied "$WORK/base-$run.log" 1 1
  base_applied=$(cpu_ms "$PID")
  await_idle
  base=$(cpu_ms "$PID")
  base_threads=$(cpu_by_thread "$PID")
  stop_gateway

  routers_all
  jfr=""
  [ "$JFR" = 1 ] && jfr="-Xshare:auto -XX:StartFlightRecording=name=config-scale,settings=${CONFIG_SCALE_JFC:-profile}"   # -Xshare: no AppCDS dump (it turns JFR off)
  start_gateway "$WORK/run-$run.log" "$jfr"
  await_applied "$WORK/run-$run.log" 1 "$ROUTERS"
  load_at_apply=$(( $(cpu_ms "$PID") - base_applied ))
  load_conf=$(cpu_ms "$PID" gatehouse-confi)
  await_idle
  load_proc=$(( $(cpu_ms "$PID") - base ))
  load_threads=$(cpu_by_thread_diff "$base_threads" "$(cpu_by_thread "$PID")")
  per_proc=() per_threads=() per_wall=()
  changes_start=$(cpu_by_thread "$PID")
  for c in $(seq 1 "$CHANGES"); do
    sleep 0.5   # let the previous apply's follow-up work (retiring the old runtime) finish
    before=$(cpu_ms "$PID"); before_threads=$(( $(cpu_ms "$PID" gatehouse-confi) + $(cpu_ms "$PID" gatehouse-provi) ))
    # One router's rule changes; the file is replaced whole (write then rename), as editors and tools do.
    sed "s/svc2\.example\.com/changed$run-$c.example.com/" "$WORK/routers.yml" > "$WORK/.dynamic.tmp"
    replaced=$(date +%s%3N)
    mv "$WORK/.dynamic.tmp" "$MAIN"
    await_applied "$WORK/run-$run.log" $((c + 1)) "$ROUTERS"
    applied=$(grep "Configuration applied: $ROUTERS router" "$WORK/run-$run.log" | sed -n "$((c + 1))p" | cut -d' ' -f1)
    per_wall+=($(( $(date -d "$applied" +%s%3N) - replaced )))
    per_proc+=($(( $(cpu_ms "$PID") - before )))
    per_threads+=($(( $(cpu_ms "$PID" gatehouse-confi) + $(cpu_ms "$PID" gatehouse-provi) - before_threads )))
  done
  change_proc=$(printf '%s\n' "${per_proc[@]}" | median)
  change_threads=$(printf '%s\n' "${per_threads[@]}" | median)
  change_wall=$(printf '%s\n' "${per_wall[@]}" | median)
  changes_threads=$(cpu_by_thread_diff "$changes_start" "$(cpu_by_thread "$PID")")
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$PID/status")
  hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$PID/status")
  [ "$JFR" = 1 ] && jcmd "$PID" JFR.dump name=config-scale filename="$WORK/run-$run.jfr" > /dev/null
  stop_gateway
  printf '%-4s %16s %16s %18s %18s %16s   (changes: process %s; threads %s; wall %s; RSS %s MiB, peak %s MiB)\n' \
      "$run" "$load_proc" "$load_conf" "$change_proc" "$change_threads" "$change_wall" "${per_proc[*]}" \
      "${per_threads[*]}" "${per_wall[*]}" "$rss" "$hwm"
  echo "     load at the moment of the apply (JIT work still queued on either side) ${load_at_apply} ms"
  echo "     by thread: load (above the 1-router gateway) ${load_threads}; all $CHANGES changes ${changes_threads}"
  LOAD_PROC+=("$load_proc") LOAD_CONF+=("$load_conf") CHANGE_PROC+=("$change_proc")
  CHANGE_THREADS+=("$change_threads") CHANGE_WALL+=("$change_wall")
done
printf '%-4s %16s %16s %18s %18s %16s\n' median "$(printf '%s\n' "${LOAD_PROC[@]}" | median)" \
    "$(printf '%s\n' "${LOAD_CONF[@]}" | median)" "$(printf '%s\n' "${CHANGE_PROC[@]}" | median)" \
    "$(printf '%s\n' "${CHANGE_THREADS[@]}" | median)" "$(printf '%s\n' "${CHANGE_WALL[@]}" | median)"
