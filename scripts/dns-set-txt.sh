#!/bin/sh
# scripts/dns-set-txt.sh - sets or removes an ACME DNS-01 TXT record in the tests' DNS server (scripts/dns-server.sh)
# with nsupdate, speaking lego's exec protocol, so the ACME tests use it as EXEC_PATH (and their httpreq endpoint runs
# it):
#   dns-set-txt.sh present|cleanup FQDN VALUE                    (EXEC_MODE unset)
#   dns-set-txt.sh present|cleanup -- DOMAIN TOKEN KEY_AUTH      (EXEC_MODE=RAW: the value is computed here, as a
#                                                                  real RAW script must: base64url(sha256(KEY_AUTH)))
# Reads IT_DNS_SERVER, IT_DNS_ZONE and the IT_DNS_TSIG_* key from the environment.
set -eu
action="$1"; shift
if [ "$1" = "--" ]; then
  shift
  fqdn="_acme-challenge.${1#\*.}."
  value="$(printf %s "$3" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')"
else
  fqdn="$1"; value="$2"
fi
case "$action" in
  present) change="update add $fqdn 60 TXT \"$value\"" ;;
  cleanup) change="update delete $fqdn TXT \"$value\"" ;;
  *) echo "unknown action $action (expected present or cleanup)" >&2; exit 2 ;;
esac
printf 'server %s %s\nzone %s\n%s\nsend\n' "${IT_DNS_SERVER%:*}" "${IT_DNS_SERVER##*:}" "$IT_DNS_ZONE" "$change" \
  | nsupdate -t 10 -y "$IT_DNS_TSIG_ALGORITHM:$IT_DNS_TSIG_KEY:$IT_DNS_TSIG_SECRET"
echo "$action $fqdn"
