# scripts/ports.sh - free_port VAR: sets the variable named VAR to a port for a component we start (sourced by
# test.sh and, through docker-engine.sh, by the benchmarks).
#
# The port is one nothing listens on (TCP or UDP) in 20000-30999 and that was not handed out before in this shell:
# fixed ports would let a second test run on the machine (another checkout) use, or stop, this run's components.
# Below 31000: Linux hands out 32768 and up to outgoing connections and to port-0 listeners (the tests' own), and
# bench/docker.sh numbers its containers' ports from 31000. It sets a variable rather than printing the port: a
# command substitution's subshell would forget the ports handed out.
: "${GIVEN_PORTS:= }"
free_port() {
  local port used
  used=" $(ss -Htuln 2>/dev/null | awk '{n = split($5, a, ":"); printf "%s ", a[n]}')"
  while :; do
    port=$(( 20000 + RANDOM % 11000 ))
    case "$used$GIVEN_PORTS" in *" $port "*) continue;; esac
    GIVEN_PORTS+="$port "
    printf -v "$1" '%s' "$port"; return 0
  done
}
