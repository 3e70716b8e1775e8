#!/usr/bin/env bash
# ./run.sh [gatehouse arguments] - build the distribution (only when a source changed) and run it in the foreground.
#
# Without arguments it starts with the distribution's conf/gatehouse.yml: open http://localhost:8000/
# (demo page) and http://localhost:8000/ping. Arguments go to bin/gatehouse, e.g.
#   ./run.sh --configFile=examples/whatever.yml --entryPoints.web.address=:9000
#   ./run.sh version
#   ./run.sh --help
# The build is skipped when no file of the project (outside target/ folders) changed since the last one run.sh
# made; RUN_SH_BUILD=always forces it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

stamp=distribution/target/run-sh.stamp
newest_distribution() { # the newest unpacked distribution (an older version's folder may be left over in target/)
  ls -1td distribution/target/gatehouse-*/ 2>/dev/null | head -n 1
}
changed_since_last_build() {
  [ -f "$stamp" ] || return 0
  [ "${RUN_SH_BUILD:-}" = always ] && return 0
  [ -n "$(newest_distribution)" ] || return 0
  # Any file newer than the stamp, outside build output, VCS data and node_modules: rebuild.
  [ -n "$(find . \( -name target -o -name .git -o -name node_modules \) -prune -o -type f -newer "$stamp" -print \
    -quit 2>/dev/null)" ]
}

if changed_since_last_build; then
  # jansi.noreset: Maven 3.8 otherwise writes raw ESC[0m codes even to a pipe or a file.
  started="$(date +%s)"
  MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" mvn -B -q -Dstyle.color=never -DskipTests package
  mkdir -p "$(dirname "$stamp")"
  # Dated to the start of the build, so that a file changed while it ran still counts as changed next time.
  touch -d "@$started" "$stamp"
else
  echo "run.sh: nothing changed since the last build; starting it (RUN_SH_BUILD=always rebuilds)" >&2
fi
home="$(newest_distribution)"
if [ -z "$home" ] || [ ! -x "${home}bin/gatehouse" ]; then
  echo "run.sh: no distribution/target/gatehouse-*/bin/gatehouse after the build" >&2
  exit 1
fi
exec "${home}bin/gatehouse" "$@"
