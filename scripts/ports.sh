# scripts/ports.sh - free_port VAR: sets the variable named VAR to a port for a component we start (sourced by
# test.sh and, through docker-engine.sh, by the benchmarks).
#
# The port is one nothing listens on (TCP or UDP) in 20000-30999 and that was not handed out before in this shell:
# fixed ports would let a second test run on the machine (another checkout) use, or stop, this run's components.
# Below 31000: Linux hands out 32768 and up to outgoing connections and to port-0 listeners (the tests' own), and
# bench/docker.sh numbers its containers' ports from 31000. It sets a variable rather than printing the port: a
# command substitution's subshell would forget the ports handed out.
: "${GIVEN_PORTS:= }"
# (Its locals have unlikely names: printf -v would set a local of the same name instead of the caller's variable.)
free_port() {
  local _free_port_candidate _free_port_used
  _free_port_used=" $(ss -Htuln 2>/dev/null | awk '{n = split($5, a, ":"); printf "%s ", a[n]}')"
  while :; do
    _free_port_candidate=$(( 20000 + RANDOM % 11000 ))
    case "$_free_port_used$GIVEN_PORTS" in *" $_free_port_candidate "*) continue;; esac
    GIVEN_PORTS+="$_free_port_candidate "
    printf -v "$1" '%s' "$_free_port_candidate"; return 0
  done
}
