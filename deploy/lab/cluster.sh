#!/usr/bin/env bash
# Cluster drill in a namespace lab: NODES lbctl nodes (2 to 9) as one cluster, one VIP group per
# node, nginx as the real servers. `NODES=3 deploy/lab/drill.sh cluster N` runs it. NODES=2 is a
# pair on the group code: the client (10.99.0.10) is their ping target.
#
# The lab: client, obs, lb1..lbN (10.99.0.11..), rs1, rs2 (10.99.0.21-22) on a bridge in
# 10.99.0.0/24, namespaces lbc-*. Group gI carries the VIP 10.99.0.(100+I):80 (source-IP
# persistence, two nginx servers) and prefers lbI, then the next nodes in turn, with failback:
# when every node is up, each holds its own group.
#
# Under load (a client per VIP, one request at a time ~10 ms apart; 8 source addresses requesting
# every VIP every ~200 ms for stickiness) and an observer per VIP (probe.py, who answers ARP and
# TCP for it every 50 ms), each of the N runs picks a random node and a random fault:
#   kill   kill -9, then what the unit's ExecStopPost does (flush the :lb addresses, lbctl
#          cleanup), then start it again
#   stop   SIGSTOP until its groups answer elsewhere, then SIGCONT
#   cut    its bridge port down until its groups answer elsewhere and it let them go, then up
# After each run the drill waits until the cluster settled (every node in one view, every group
# on exactly one node, the one its preference names, for 3 s).
# Last line:
#   drill=cluster nodes=N runs=R takeover_ms_p99=T dual_answering=B sticky_lost=S groups_balanced=yes|no
# takeover_ms: after kill -9, from the fault to the first request on each of the node's VIPs that
# succeeded after one that failed (stop and cut wait for the lease by design; their figures are
# printed on their own line). dual_answering: observer samples in which two nodes answered for
# the same VIP. sticky_lost: (client, VIP) pairs answered by another server after a run than
# before it. groups_balanced: after every run each group was on one node, its preferred live one.
# FAULTS=kill,stop limits the faults drawn from. LBCTL_JAR, KEEP=1 and DRILL_SEED=N as in drill.sh. Root only; namespaces removed on exit.
set -euo pipefail
runs="${1:-5}"
nodes="${NODES:-3}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "cluster: N must be a positive number: '$runs'" >&2; exit 2; }
[[ "$nodes" =~ ^[2-9]$ ]] || { echo "cluster: NODES must be 2 to 9: '$nodes'" >&2; exit 2; }
[[ "${FAULTS:-kill}" =~ ^(kill|stop|cut)(,(kill|stop|cut))*$ ]] || { echo "cluster: FAULTS must list kill, stop, cut: '$FAULTS'" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "cluster: needs root (network namespaces)" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -n "${LBCTL_JAR:-}" ]; then
  jar="$LBCTL_JAR"
  [ -f "$jar" ] || { echo "cluster: LBCTL_JAR=$jar: no such file" >&2; exit 2; }
else
  jar="$root/lb-cli/target/lbctl.jar"
  [ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
fi
jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
for tool in nginx curl ip nft java; do command -v $tool >/dev/null || { echo "cluster: $tool is missing" >&2; exit 2; }; done
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)" || { echo "cluster: python3 is missing" >&2; exit 2; }
[ -n "${DRILL_SEED:-}" ] && RANDOM=$DRILL_SEED

P=lbc-
lbs=(); for i in $(seq 1 "$nodes"); do lbs+=(lb$i); done
HOSTS="sw client obs ${lbs[*]} rs1 rs2"
vip_of() { echo "10.99.0.$((100 + ${1#g}))"; }   # g2 -> 10.99.0.102
groups=(); for i in $(seq 1 "$nodes"); do groups+=(g$i); done
work="$(mktemp -d /tmp/lbctl-cluster.XXXXXX)"
declare -A pid
bg=()
nginx_pids=()
source "$here/lib.sh"
# At most about 2 minutes per run, plus two to build the lab and start the nodes.
limit_s=$(( 120 + runs * 120 ))

lab_guard cluster "$limit_s"

# The lab.
hosts=(client:10 obs:30 rs1:21 rs2:22)
for i in $(seq 1 "$nodes"); do hosts+=(lb$i:$((10 + i))); done
lab_build "${hosts[@]}"
declare -A mac
for h in "${lbs[@]}"; do mac[$h]="$(mac_of $h)"; done
lab_quiet_observer
clients=()
for i in $(seq 51 58); do ip -n ${P}client addr add 10.99.0.$i/24 dev eth0; clients+=(10.99.0.$i); done

for rs in rs1 rs2; do lab_nginx "$work" $rs 8080; done

# The cluster: the same configuration and secret on every node, a node file naming itself.
secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
preference() { # gI prefers lbI, lbI+1, ... around
  local i=$1 out="" k
  for k in $(seq 0 $((nodes - 1))); do out+="${out:+, }lb$(( (i - 1 + k) % nodes + 1 ))"; done
  echo "[$out]"
}
config() {
  echo "virtualServices:"
  for g in "${groups[@]}"; do
    cat <<CONF
  - label: ${g}web
    address: $(vip_of $g)
    ports: [80]
    timeouts: {connect: 1s}
    persistence: {mode: source-ip, timeout: 1h}
    realServers:
      - {label: rs1, address: 10.99.0.21, port: 8080}
      - {label: rs2, address: 10.99.0.22, port: 8080}
CONF
  done
  echo "groups:"
  for g in "${groups[@]}"; do
    echo "  - {name: $g, virtualServices: [${g}web], preference: $(preference ${g#g}), failback: true}"
  done
}
for h in "${lbs[@]}"; do
  mkdir -p "$work/$h"
  config > "$work/$h/lbctl.yaml"
  printf '%s' "$secret" > "$work/$h/cluster.secret"; chmod 600 "$work/$h/cluster.secret"
  {
    echo "configFile: lbctl.yaml"
    echo "managementSocket: lbctl.sock"
    echo "ioThreads: 1"
    echo "management: {listen: none}"
    echo "cluster:"
    echo "  name: $h"
    echo "  secretFile: cluster.secret"
    # Two members are a pair: the client's address breaks their tie, as the pair drill's does.
    [ "$nodes" -eq 2 ] && echo "  pingTargets: [10.99.0.10]"
    echo "  members:"
    for i in $(seq 1 "$nodes"); do echo "    - {name: lb$i, address: 10.99.0.$((10 + i))}"; done
  } > "$work/$h/node.yaml"
done
start_node() {
  ( cd "$work/$1" && exec ip netns exec $P$1 java -Xmx256m -jar "$jar" run --node "$work/$1/node.yaml" ) >> "$work/$1/node.log" 2>&1 &
  pid[$1]=$!; disown $!
}
status_of() { curl -s --max-time "${2:-1}" --unix-socket "$work/$1/lbctl.sock" http://lbctl/v1/status 2>/dev/null | tr -d ' \n'; }
# Which nodes have gI's VIP in `ip addr`.
holders_of() {
  local v h out=""; v="$(vip_of $1)"
  # (Not `ip | grep -q`: under pipefail, ip killed by SIGPIPE after an early match fails it.)
  for h in "${lbs[@]}"; do grep -q " $v/32 " <<<"$(ip -n $P$h -o addr show dev eth0 2>/dev/null)" && out+="$h "; done
  echo "$out"
}
# Settled: every live node sees all the others it should, and every group is on exactly one node,
# the first node of its preference that is up.
live_nodes() { for h in "${lbs[@]}"; do kill -0 "${pid[$h]}" 2>/dev/null && echo "$h"; done; }
expected_owner() { # first live node in gI's preference
  local i=${1#g} k n
  for k in $(seq 0 $((nodes - 1))); do
    n=lb$(( (i - 1 + k) % nodes + 1 ))
    grep -q '"quorum":true' <<<"$(status_of $n 0.5)" && { echo $n; return; }
  done
  echo none
}
balanced() {
  local g h
  for g in "${groups[@]}"; do
    h="$(holders_of $g)"; h="${h% }"
    [ -n "$h" ] && [ "${h// /}" = "$h" ] || return 1      # exactly one holder
    [ "$h" = "$(expected_owner $g)" ] || return 1
  done
}
everyone_in_view() {
  local h
  for h in "${lbs[@]}"; do
    [ "$(status_of $h | grep -o '"inView":true' | wc -l)" -eq "$nodes" ] || return 1
  done
}
settled() { everyone_in_view && balanced; }
settle() { # ... and stays so for 3 s; at most 60 s
  local limit=$(( $(now_ms) + 60000 )) since=""
  while [ "$(now_ms)" -lt "$limit" ]; do
    if settled; then
      [ -n "$since" ] || since=$(now_ms)
      [ $(( $(now_ms) - since )) -ge 3000 ] && return 0
    else
      since=""
    fi
    sleep 0.2
  done
  return 1
}
for h in "${lbs[@]}"; do start_node $h; done
settle || { echo "cluster: the cluster did not settle after start" >&2; for h in "${lbs[@]}"; do tail -5 "$work/$h/node.log" >&2; done; exit 1; }
for g in "${groups[@]}"; do
  wait_for 20 ip netns exec ${P}client curl -sf --max-time 1 -o /dev/null "http://$(vip_of $g)/" \
    || { echo "cluster: $g's VIP does not answer" >&2; exit 1; }
done
echo "cluster: $nodes nodes settled, each holding its group" >&2

# Load: a client per VIP (the takeover clock), and the sticky clients over every VIP.
for g in "${groups[@]}"; do
  ip netns exec ${P}client "$PY" "$here/drill.py" load "http://$(vip_of $g)/" "$work/client-$g.log" 2>>"$work/client.err" &
  bg+=($!); disown $!
done
targets=(); for g in "${groups[@]}"; do targets+=("$g=$(vip_of $g):80"); done
ip netns exec ${P}client "$PY" "$here/drill.py" sticky "$work/sticky.log" "${clients[@]}" -- "${targets[@]}" 2>"$work/sticky.err" &
bg+=($!); disown $!
nodeargs=(); for h in "${lbs[@]}"; do nodeargs+=(--node "$h=${mac[$h]}"); done
for g in "${groups[@]}"; do
  ip netns exec ${P}obs "$PY" "$here/probe.py" --iface eth0 --src 10.99.0.30 "${nodeargs[@]}" \
    --target "$(vip_of $g):80" --interval 0.05 --duration "$limit_s" --out "$work/answers-$g.log" 2>>"$work/probe.err" &
  bg+=($!); disown $!
done
sleep 2

takeovers=(); slow=()
sticky_lost=0; unbalanced=0
served_again_after() { # log, from: the first ok after the first fail after $2
  awk -v t="$2" '$1 <= t {next} $2 == "fail" {f=1; next} $2 == "ok" && f {print $1; exit}' "$1"
}
# The VIP failed after the fault and answered again since (a request in flight at the fault may
# still have succeeded), or it answered 2 s after the fault without failing at all. Times are when
# requests ended.
answered_again() { [ -n "$(awk -v t="$2" '$1 <= t {next} $2 == "fail" {f=1; next} $2 == "ok" && (f || $1 > t + 2000) {print; exit}' "$1")" ]; }
for run in $(seq "$runs"); do
  target=${lbs[$(( RANDOM % nodes ))]}
  IFS=, read -r -a kinds <<<"${FAULTS:-kill,stop,cut}"
  fault=${kinds[$(( RANDOM % ${#kinds[@]} ))]}
  mine=(); for g in "${groups[@]}"; do [ "$(holders_of $g)" = "$target " ] && mine+=($g); done
  t0=$(now_ms)
  case $fault in
    kill) kill -9 "${pid[$target]}"; ip -n $P$target -4 addr flush label '*:lb'
          ( cd "$work/$target" && ip netns exec $P$target java -jar "$jar" cleanup --node "$work/$target/node.yaml" ) >> "$work/$target/cleanup.log" 2>&1 ;;
    stop) kill -STOP "${pid[$target]}" ;;
    cut) ip -n ${P}sw link set ${P}p-$target down ;;
  esac
  # Its groups answer again (elsewhere), within 20 s.
  for g in "${mine[@]}"; do
    wait_for 20 answered_again "$work/client-$g.log" "$t0" || { echo "cluster: run $run: $g did not answer again within 20 s" >&2; exit 1; }
  done
  note=""
  for g in "${mine[@]}"; do
    ok=$(served_again_after "$work/client-$g.log" "$t0")
    [ -n "$ok" ] || continue
    ms=$(( ok - t0 )); note+=" $g:${ms}ms"
    if [ $fault = kill ]; then takeovers+=($ms); else slow+=("$fault:$ms"); fi
  done
  case $fault in
    kill) wait_for 30 gone "${pid[$target]}" || true; start_node $target ;;
    stop) kill -CONT "${pid[$target]}" ;;
    cut) wait_for 10 bash -c "! ip -n $P$target -o addr show dev eth0 | grep -q ':lb'" || true
         ip -n ${P}sw link set ${P}p-$target up ;;
  esac
  if ! settle; then
    unbalanced=$((unbalanced + 1))
    echo "cluster: run $run ($fault $target): the cluster did not settle within 60 s" >&2
    for g in "${groups[@]}"; do echo "  $g on: $(holders_of $g)" >&2; done
    break
  fi
  t1=$(now_ms)
  s=$("$PY" "$here/drill.py" sticky-moved "$work/sticky.log" "$t0" "$t1")
  sticky_lost=$((sticky_lost + ${s%% *}))
  b=0; for g in "${groups[@]}"; do
    n=$(awk -v a="$t0" -v b="$t1" '$1 > a && $1 <= b' "$work/answers-$g.log" | "$PY" "$here/drill.py" answering /dev/stdin | sed 's/.*both=\([0-9]*\).*/\1/')
    b=$((b + n))
  done
  echo "run $run: $fault $target (held ${mine[*]:-nothing}): served again after$note; both answering in $b samples; sticky moved ${s%% *}" >&2
done

kill -9 "${bg[@]}" 2>/dev/null || true
dual=0
for g in "${groups[@]}"; do
  ans="$("$PY" "$here/drill.py" answering "$work/answers-$g.log")"
  echo "observer $g: $ans" >&2
  dual=$((dual + $(sed 's/.*both=\([0-9]*\).*/\1/' <<<"$ans")))
done
pct() { printf '%s\n' "${takeovers[@]}" | sed '/^$/d' | sort -n | awk -v p="$1" '{v[NR]=$1} END {if (NR==0) {print "-"; exit} i=int((NR*p+99)/100); if (i<1) i=1; print v[i]}'; }
echo "takeover after kill -9: ${takeovers[*]:-none} ms; after stop and cut (lease waited out): ${slow[*]:-none}" >&2
echo "drill=cluster nodes=$nodes runs=$runs takeover_ms_p99=$(pct 99) dual_answering=$dual sticky_lost=$sticky_lost groups_balanced=$([ $unbalanced -eq 0 ] && echo yes || echo no)"
