# scripts/dns-server.sh - dns_server_start DIR: an authoritative DNS server (BIND 9, Debian's bind9) for the ACME
# DNS-01 tests, sourced by test.sh.
#
# It serves the zone example.test on 127.0.0.1 (UDP and TCP) on a free port, accepts RFC 2136 dynamic updates of TXT
# records in that zone signed with one TSIG key (hmac-sha256, made here), refuses everything else (no recursion, no
# unsigned updates), and keeps all its files under DIR. It exports what the tests read:
#   IT_DNS_SERVER            127.0.0.1:PORT
#   IT_DNS_ZONE              example.test
#   IT_DNS_TSIG_KEY          the key's name
#   IT_DNS_TSIG_SECRET       its base64 secret
#   IT_DNS_TSIG_ALGORITHM    hmac-sha256
#   IT_DNS_PID               named's process (test.sh stops it)
#   IT_DNS_SET_TXT           scripts/dns-set-txt.sh, a lego exec-provider script that updates this server
# The zone's NS is ns.example.test at 127.0.0.1 on port 53, where nothing of ours listens: the tests look for the TXT
# record through IT_DNS_SERVER (dnsChallenge.resolvers), not through the zone's NS. _acme-challenge.alias.example.test
# is a CNAME for _acme-challenge.delegated.example.test (the CNAME test).
# Needs free_port (scripts/ports.sh), track_pid, wait_port and log from test.sh.

DNS_SERVER_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

dns_server_start() {
  local d="$1" port
  mkdir -p "$d"
  free_port port
  local secret
  secret="$(openssl rand -base64 32)" || return 1
  cat >"$d/example.test.zone" <<ZONE
\$TTL 60
@    IN SOA ns.example.test. hostmaster.example.test. 1 60 60 600 60
@    IN NS  ns.example.test.
ns   IN A   127.0.0.1
; a delegated challenge name, as Traefik's docs suggest: lego (and Gatehouse) publish at the CNAME's target
_acme-challenge.alias IN CNAME _acme-challenge.delegated
ZONE
  cat >"$d/named.conf" <<CONF
options {
  directory "$d";
  pid-file "$d/named.pid";
  session-keyfile "$d/session.key";
  managed-keys-directory "$d";
  listen-on port $port { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
};
controls { };
key "gatehouse-test." {
  algorithm hmac-sha256;
  secret "$secret";
};
zone "example.test" {
  type primary;
  file "$d/example.test.zone";
  update-policy { grant gatehouse-test. zonesub TXT; };
};
CONF
  named -g -c "$d/named.conf" >"$d/named.log" 2>&1 &
  local named=$!
  track_pid "$named"
  # Ready once it logs a line that is just "running" (after "all zones loaded"); its first lines, "running on
  # Linux ..." and "running as: ...", come before it listens.
  local i
  for i in $(seq 1 100); do
    grep -q " running$" "$d/named.log" 2>/dev/null && break
    kill -0 "$named" 2>/dev/null || break
    sleep 0.2
  done
  grep -q " running$" "$d/named.log" || { log "named did not start: $(tail -5 "$d/named.log")"; return 1; }
  export IT_DNS_SERVER="127.0.0.1:$port" IT_DNS_ZONE=example.test IT_DNS_TSIG_KEY=gatehouse-test.
  export IT_DNS_TSIG_SECRET="$secret" IT_DNS_TSIG_ALGORITHM=hmac-sha256 IT_DNS_PID="$named"
  export IT_DNS_SET_TXT="$DNS_SERVER_SCRIPTS/dns-set-txt.sh"
  log "named started ($IT_DNS_SERVER, zone example.test)"
}
