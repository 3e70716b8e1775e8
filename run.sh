#!/usr/bin/env bash
# ./run.sh [gatehouse arguments] - build the distribution and run it in the foreground.
#
# Without arguments it starts with the distribution's conf/gatehouse.yml: open http://localhost:8000/
# (demo page) and http://localhost:8000/ping. Arguments go to bin/gatehouse, e.g.
#   ./run.sh --configFile=examples/whatever.yml --entryPoints.web.address=:9000
#   ./run.sh version
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
mvn -B -q -Dstyle.color=never -DskipTests package
# the newest unpacked distribution (an older version's folder may be left over in target/)
home="$(ls -1td distribution/target/gatehouse-*/ 2>/dev/null | head -n 1)"
if [ -z "$home" ] || [ ! -x "${home}bin/gatehouse" ]; then
  echo "run.sh: no distribution/target/gatehouse-*/bin/gatehouse after the build" >&2
  exit 1
fi
exec "${home}bin/gatehouse" "$@"
