# scripts/docker-engine.sh - a throwaway Docker engine of our own, for ./test.sh and bench/docker.sh (sourced).
#
# Run directly (as root, with dockerd from Debian's docker.io), it starts such an engine, prints how to reach it
# (DOCKER_HOST, and the gateway's --providers.docker.endpoint flag) and stops it on Ctrl-C:
#   sudo scripts/docker-engine.sh [DIR]      (DIR: where its files go; a new temporary folder by default)
#
# The caller defines log MSG... (to stderr) and on_cleanup CMD (run at exit), then calls
#   docker_engine_start DIR      starts dockerd with everything under DIR, exports the IT_DOCKER_* variables below
# and gets, through on_cleanup, docker_engine_cleanup: containers and networks removed, the daemon stopped, the
# host put back as it was.
#
# The engine: own socket, data root and exec root under DIR, vfs storage (works on any filesystem),
# --live-restore (containers outlive a daemon restart, as on a host being upgraded; the tests restart it), no
# docker0 bridge and no iptables rules (containers are reached through host networking on 127.0.0.1 or on a user
# network made by the caller, which need neither). It listens on two endpoints:
#   IT_DOCKER_HOST       unix://DIR/docker.sock
#   IT_DOCKER_TLS_HOST   tcp://127.0.0.1:<free port>, with --tlsverify: certificates made here with openssl,
#                        IT_DOCKER_TLS_CA (the CA that signed the engine's and the client's certificates),
#                        IT_DOCKER_TLS_CERT / IT_DOCKER_TLS_KEY (a client certificate and its key),
#                        IT_DOCKER_TLS_WRONG_CA (another CA, which signed nothing of this engine's)
# IT_DOCKERD_CTL is a script that stops and starts the daemon (start | stop | restart), and IT_DOCKER_IMAGE a
# busybox image made here with `docker import` (no registry is reachable): sh, httpd, and /www/index.html.
# Not GATEHOUSE_*: the gateway reads those as its own configuration.

source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

# CA, server certificate for 127.0.0.1 and client certificate, as Docker's "Protect the Docker daemon socket"
# page makes them (there with RSA; P-256 here, quicker to generate). Two days: long enough for any run.
docker_engine_certificates() {
  local t="$1"
  mkdir -p "$t"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=Gatehouse test Docker CA" -keyout "$t/ca-key.pem" \
    -out "$t/ca.pem" 2>/dev/null || return 1
  openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=Gatehouse test wrong CA" -keyout "$t/wrong-ca-key.pem" \
    -out "$t/wrong-ca.pem" 2>/dev/null || return 1
  openssl req -new "${ec[@]}" -subj "/CN=127.0.0.1" -keyout "$t/server-key.pem" -out "$t/server.csr" 2>/dev/null \
    || return 1
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$t/server.ext"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca-key.pem" -CAcreateserial -days 2 \
    -extfile "$t/server.ext" -out "$t/server-cert.pem" 2>/dev/null || return 1
  openssl req -new "${ec[@]}" -subj "/CN=gatehouse-test-client" -keyout "$t/key.pem" -out "$t/client.csr" \
    2>/dev/null || return 1
  printf 'extendedKeyUsage=clientAuth\n' >"$t/client.ext"
  openssl x509 -req -in "$t/client.csr" -CA "$t/ca.pem" -CAkey "$t/ca-key.pem" -CAcreateserial -days 2 \
    -extfile "$t/client.ext" -out "$t/cert.pem" 2>/dev/null || return 1
  chmod 600 "$t"/*key.pem
}

docker_engine_start() {
  local d="$1"
  mkdir -p "$d"
  local port
  free_port port
  docker_engine_certificates "$d/tls" || { log "openssl could not make the Docker TLS certificates"; return 1; }
  export IT_DOCKER_HOST="unix://$d/docker.sock"
  export IT_DOCKER_TLS_HOST="tcp://127.0.0.1:$port"
  export IT_DOCKER_TLS_CA="$d/tls/ca.pem" IT_DOCKER_TLS_CERT="$d/tls/cert.pem" IT_DOCKER_TLS_KEY="$d/tls/key.pem"
  export IT_DOCKER_TLS_WRONG_CA="$d/tls/wrong-ca.pem"
  export IT_DOCKERD_CTL="$d/dockerd-ctl.sh"
  export IT_DOCKER_IMAGE="gatehouse-test/httpd:1"
  local forward; forward="$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null || echo 0)"
  local had_docker0=0; ip link show docker0 >/dev/null 2>&1 && had_docker0=1
  local had_chain=0; iptables -n -L DOCKER >/dev/null 2>&1 && had_chain=1
  cat >"$IT_DOCKERD_CTL" <<CTL
#!/usr/bin/env bash
# start | stop | restart this engine; its PID is in $d/dockerd.pid.started (from the process itself, not a subshell).
set -u
D="$d"
start() {
  docker -H "$IT_DOCKER_HOST" version >/dev/null 2>&1 && return 0   # already up
  dockerd --storage-driver=vfs --data-root="\$D/root" --exec-root="\$D/exec" --pidfile="\$D/dockerd.pid" \\
    -H "$IT_DOCKER_HOST" -H "$IT_DOCKER_TLS_HOST" --tlsverify --tlscacert="\$D/tls/ca.pem" \\
    --tlscert="\$D/tls/server-cert.pem" --tlskey="\$D/tls/server-key.pem" \\
    --bridge=none --iptables=false --ip6tables=false --live-restore >>"\$D/dockerd.log" 2>&1 &
  echo \$! >"\$D/dockerd.pid.started"
  for i in \$(seq 1 150); do
    docker -H "$IT_DOCKER_HOST" version >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "dockerd did not answer within 30 s; see \$D/dockerd.log" >&2; return 1
}
stop() {
  local pid; pid="\$(cat "\$D/dockerd.pid.started" 2>/dev/null)" || return 0
  kill -TERM "\$pid" 2>/dev/null || return 0
  for i in \$(seq 1 150); do kill -0 "\$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "\$pid" 2>/dev/null; return 0
}
case "\${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  *) echo "usage: \$0 start|stop|restart" >&2; exit 2 ;;
esac
CTL
  chmod +x "$IT_DOCKERD_CTL"
  on_cleanup "docker_engine_cleanup '$d' '$forward' '$had_docker0' '$had_chain'"
  log "starting dockerd on $IT_DOCKER_HOST and $IT_DOCKER_TLS_HOST (TLS, client certificate required)"
  "$IT_DOCKERD_CTL" start || return 1

  local rootfs="$d/rootfs" applet
  mkdir -p "$rootfs/bin" "$rootfs/www" "$rootfs/tmp"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  for applet in sh httpd mkdir echo sleep cat hostname; do ln -sf busybox "$rootfs/bin/$applet"; done
  echo "hello from busybox httpd" >"$rootfs/www/index.html"
  tar -C "$rootfs" -cf "$d/rootfs.tar" .
  docker -H "$IT_DOCKER_HOST" import -c 'CMD ["/bin/sh"]' -c 'EXPOSE 80' "$d/rootfs.tar" \
    "$IT_DOCKER_IMAGE" >/dev/null || { log "docker import failed"; return 1; }
  log "dockerd ready; image $IT_DOCKER_IMAGE imported"
}

# Removes what was left in the engine, stops it, and puts the host back as it was.
docker_engine_cleanup() {
  local d="$1" forward="$2" had_docker0="$3" had_chain="$4" host="unix://$1/docker.sock" ids
  if [ -S "$d/docker.sock" ]; then
    ids="$(docker -H "$host" ps -aq 2>/dev/null)"
    [ -n "$ids" ] && docker -H "$host" rm -f $ids >/dev/null 2>&1
    docker -H "$host" network prune -f >/dev/null 2>&1
  fi
  "$d/dockerd-ctl.sh" stop
  [ "$had_docker0" = 0 ] && ip link show docker0 >/dev/null 2>&1 && ip link delete docker0
  if [ "$had_chain" = 0 ] && iptables -n -L DOCKER >/dev/null 2>&1; then
    for chain in DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2 DOCKER; do
      iptables -t filter -F "$chain" 2>/dev/null; done
    iptables -t filter -D FORWARD -j DOCKER-USER 2>/dev/null
    iptables -t filter -D FORWARD -j DOCKER-ISOLATION-STAGE-1 2>/dev/null
    for chain in DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2 DOCKER; do
      iptables -t filter -X "$chain" 2>/dev/null; done
    iptables -t nat -F DOCKER 2>/dev/null; iptables -t nat -X DOCKER 2>/dev/null
  fi
  echo "$forward" >/proc/sys/net/ipv4/ip_forward 2>/dev/null
  # The engine leaves mounts (network namespaces, container layers) under its folders; rm -rf cannot remove them.
  local m
  for m in $(awk -v d="$d/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null; done
  return 0
}

# ---- run directly: start an engine, print its endpoints, stop it on Ctrl-C ---------------------------------------
docker_engine_usage() {
  cat <<USAGE
usage: scripts/docker-engine.sh [DIR]
  Starts a throwaway Docker engine (its own socket, data root and a TLS endpoint, all under DIR, a new temporary
  folder by default), prints how to reach it, and stops it, removing its containers, on Ctrl-C or SIGTERM.
  Needs root and dockerd (Debian package docker.io). ./test.sh and bench/docker.sh source this file instead.
USAGE
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  case "${1:-}" in
    -h|--help|help) docker_engine_usage; exit 0 ;;
    -*) echo "docker-engine.sh: unknown option '$1'" >&2; docker_engine_usage >&2; exit 2 ;;
  esac
  if [ "$(id -u)" != 0 ]; then
    echo "docker-engine.sh: dockerd needs root: run it with sudo (or as root)" >&2; exit 1
  fi
  for needed in dockerd docker openssl busybox; do
    command -v "$needed" >/dev/null 2>&1 || {
      echo "docker-engine.sh: '$needed' is not installed (Debian: apt-get install docker.io openssl busybox-static)" >&2
      exit 1; }
  done
  DOCKER_ENGINE_CLEANUPS=()
  on_cleanup() { DOCKER_ENGINE_CLEANUPS+=("$1"); }
  log() { printf '[docker-engine.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
  docker_engine_stop_all() {
    local c
    for c in "${DOCKER_ENGINE_CLEANUPS[@]}"; do eval "$c"; done
    DOCKER_ENGINE_CLEANUPS=()
  }
  trap docker_engine_stop_all EXIT
  sleeper=""
  trap 'log "stopping"; [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null; exit 0' INT TERM
  engine_dir="${1:-$(mktemp -d /tmp/gatehouse-docker.XXXXXX)}"
  docker_engine_start "$engine_dir" || exit 1
  cat <<READY
Docker engine running, its files in $engine_dir:
  export DOCKER_HOST=$IT_DOCKER_HOST
  gatehouse flag:  --providers.docker.endpoint=$IT_DOCKER_HOST
  TLS endpoint:    $IT_DOCKER_TLS_HOST (client certificate $IT_DOCKER_TLS_CERT, key $IT_DOCKER_TLS_KEY, CA $IT_DOCKER_TLS_CA)
  an image to run: $IT_DOCKER_IMAGE (busybox: sh, httpd)
Ctrl-C stops it and removes its containers.
READY
  while :; do sleep 3600 & sleeper=$!; wait "$sleeper"; done
fi
