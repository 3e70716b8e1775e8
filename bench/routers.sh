#!/usr/bin/env bash
# bench/routers.sh COUNT [VHOST] [ORIGIN1] [ORIGIN2] [TLS] [FIRST] - prints a dynamic file of COUNT routers (YAML).
#
# The routing a large installation has, shared by bench/run.sh (GW_ROUTERS) and bench/config-scale.sh: router
# `app` is Host(`$VHOST`); the COUNT-1 others are Host rules for other hosts (90 %), Host && PathPrefix (5 %) and
# PathPrefix alone (5 %), all to the same round-robin service over ORIGIN1 and ORIGIN2. TLS=1 gives every router
# `tls: {}`. 10,000 routers make a file of about 730 KB. FIRST (> 1) prints only routers rFIRST to r(COUNT-1), without
# `app` and the service: one more file of a set (a file is limited to 4 MB, about 55,000 of these routers).
set -euo pipefail
count="$1"
vhost="${2:-app.local}"
origin1="${3:-127.0.0.1:9001}"
origin2="${4:-127.0.0.1:9002}"
tls="${5:-0}"
first="${6:-1}"
bt='`'
if [ "$first" -gt 1 ]; then
  echo "# written by bench/routers.sh: routers r$first to r$((count - 1))"
  echo "http:"
  echo "  routers:"
else
  echo "# written by bench/routers.sh: router app for Host(${bt}$vhost${bt}), plus $((count - 1)) other routers"
  echo "http:"
  echo "  routers:"
  echo "    app:"
  echo "      rule: 'Host(${bt}$vhost${bt})'"
  echo "      service: app"
  [ "$tls" = 1 ] && echo "      tls: {}"
fi
# awk, not a shell loop: 100,000 routers in a second rather than a minute.
awk -v count="$count" -v first="$first" -v tls="$tls" -v bt="$bt" 'BEGIN {
  for (r = first; r < count; r++) {
    k = r % 20
    if (k == 0) rule = "Host(" bt "svc" r ".example.com" bt ") && PathPrefix(" bt "/api" bt ")"
    else if (k == 1) rule = "PathPrefix(" bt "/static/" r "/" bt ")"
    else rule = "Host(" bt "svc" r ".example.com" bt ")"
    printf "    r%d:\n      rule: '\''%s'\''\n      service: app\n", r, rule
    if (tls == 1) print "      tls: {}"
  }
}'
[ "$first" -gt 1 ] && exit 0
echo "  services:"
echo "    app:"
echo "      loadBalancer:"
echo "        servers:"
echo "          - url: http://$origin1"
echo "          - url: http://$origin2"
