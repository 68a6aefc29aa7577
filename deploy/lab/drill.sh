#!/usr/bin/env bash
# Failover drill in a namespace lab (LAB.md section 1): client, obs, lb1, lb2, rs1, rs2 on a bridge
# in 10.99.0.0/24, two lbctl nodes as a pair, nginx as the real servers, the VIP 10.99.0.100:80.
# While four clients request the VIP every ~10 ms, a sampler records every 100 ms which nodes hold
# the VIP (`ip addr`) and an observer (probe.py, in lbd-obs at 10.99.0.30) records every 50 ms
# which nodes answer for it (ARP request, and a TCP SYN at each node's MAC), the drill fails the
# pair N times:
#   kill     kill -9 of the active node, then what the unit's ExecStopPost does (flush the
#            :lb-labelled addresses); then restart it, passive
#   stop     SIGSTOP of the active JVM until the peer took over, then SIGCONT; 5 s more sampling
#   cut      the active node's link down until the peer took over and the node let go, then up
#   restart  SIGTERM (an orderly stop: the node gives its addresses up first), then start it
#   pause    SIGSTOP for 1 s then SIGCONT, which must NOT cause a failover
#   blip     the active node's link down for 0.5-3.0 s (uniform), then up
#   l4-sticky  layer 4 NAT and DR VIPs with source-IP persistence: halt a server and bring it
#            back (the clients' entries now differ from the hash), then kill -9 the active node;
#            every client must reach the server it had
#   series   random faults (kill -9, SIGSTOP 0.5-5 s, link cut 1-10 s, orderly restart), mostly on
#            the active node, under load from 8 clients on an L7 VIP and an L4 NAT VIP
#            (10.99.0.101:8081), both with source-IP persistence
#   cluster  NODES=3|5: a cluster of that many nodes with a VIP group each; kill -9, SIGSTOP or cut a
#            random node per run (deploy/lab/cluster.sh, which says what it measures)
#   clinical kill -9 of the active node while HAPI HL7 senders (10k messages, 8 senders, each resending
#            a message not acknowledged in 3 s) go through an hl7-mllp VIP (10.99.0.100:2575) to
#            two engines, and storescu sends studies to a DICOM VIP (10.99.0.100:104) routing
#            ARCHIVE_A to rs1's storescp and ARCHIVE_B to rs2's (deploy/lab/clinical.sh)
# After each run the drill waits until the pair settled (one active node holding the addresses,
# the other passive, both seeing each other) and stayed so for 3 s.
# Last lines:
#   drill=<kind> runs=N takeover_ms_p50=X takeover_ms_p99=Y dual_holders=A dual_answering=B false_failovers=W double_failovers=D
#   drill=blip runs=N dual_answering=B double_failovers=D takeover_ms_p99=T
#   drill=series runs=N takeover_ms_p99=T dual_answering=B false_failovers=W sticky_moved=S
#   drill=l4-sticky runs=N sticky_moved=S takeover_ms_p99=T dual_answering=B clients=C
#   clinical: dicom_routed=N/N dicom_rejected_unknown_ae=ok hl7_sent=N hl7_lost=L hl7_duplicates=D hl7_order_violations=O
# LBCTL_JAR=/path runs that jar (default lb-cli/target/lbctl.jar, built if missing); KEEP=1 keeps
# the working directory; DRILL_SEED=N repeats the random choices of blip and series;
# BLIP_MIN_MS/BLIP_MAX_MS narrow a blip's length (default 500-3000), e.g. around the takeover time.
# Root only; the lab's namespaces (lbd-*) are removed by name on exit, also on failure.
set -euo pipefail
usage="usage: drill.sh kill|stop|cut|restart|pause|blip|series|l4-sticky|clinical|cluster [N]"
kind="${1:?$usage}"
runs="${2:-5}"
# A cluster of NODES nodes (3 by default) has a lab and a drill of its own.
[ "$kind" = cluster ] && exec "$(dirname "${BASH_SOURCE[0]}")/cluster.sh" "$runs"
case "$kind" in kill|stop|cut|restart|pause|blip|series|l4-sticky|clinical) ;; *) echo "drill: unknown kind '$kind'; $usage" >&2; exit 2 ;; esac
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "drill: N must be a positive number: '$runs'" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "drill: needs root (network namespaces)" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -n "${LBCTL_JAR:-}" ]; then
  jar="$LBCTL_JAR"
  [ -f "$jar" ] || { echo "drill: LBCTL_JAR=$jar: no such file" >&2; exit 2; }
else
  jar="$root/lb-cli/target/lbctl.jar"
  [ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
fi
jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
for tool in nginx curl arping ip nft java; do command -v $tool >/dev/null || { echo "drill: $tool is missing" >&2; exit 2; }; done
if [ "$kind" = clinical ]; then
  for tool in storescp storescu echoscu dump2dcm javac; do command -v $tool >/dev/null || { echo "drill: $tool is missing (dcmtk, a JDK)" >&2; exit 2; }; done
fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)" || { echo "drill: python3 is missing" >&2; exit 2; }
[ -n "${DRILL_SEED:-}" ] && RANDOM=$DRILL_SEED

P=lbd-
HOSTS="sw client obs lb1 lb2 rs1 rs2"
VIP=10.99.0.100
OBS=10.99.0.30
# The addresses that float: all of them on the active node, none on the passive one.
floating=("$VIP/32")
# series and l4-sticky also run a layer 4 NAT VIP (its servers behind the floating gateway);
# l4-sticky a DR VIP too.
l4=""; [[ "$kind" =~ ^(series|l4-sticky)$ ]] && l4=yes
if [ -n "$l4" ]; then
  NATVIP=10.99.0.101; NATPORT=8081
  floating+=("$NATVIP/32" "10.99.1.1/24")
fi
if [ "$kind" = l4-sticky ]; then
  DRVIP=10.99.0.102; DRPORT=8082
  floating+=("$DRVIP/32")
fi
work="$(mktemp -d /tmp/lbctl-drill.XXXXXX)"
declare -A pid
bg=()
nginx_pids=()
source "$here/lib.sh"
# Every drill ends: at most about 3 minutes per run (the longest run waits 20 s for the VIP,
# then 60 s for the pair to settle), plus a minute to build the lab.
limit_s=$(( 60 + runs * 180 ))
# clinical waits up to 300 s more for each of its two senders to finish.
[ "$kind" = clinical ] && limit_s=$(( limit_s + 600 ))

lab_guard drill "$limit_s"

# The lab. obs is the observer: its own namespace, so that the answers it provokes never touch
# the client's neighbour entries.
lab_build client:10 obs:30 lb1:11 lb2:12 rs1:21 rs2:22
declare -A mac
for h in lb1 lb2; do mac[$h]="$(mac_of $h)"; done
lab_quiet_observer

# Real servers: nginx answering with its name on 8080 (the L7 VIP) and 8081 (the L4 NAT VIP).
for rs in rs1 rs2; do lab_nginx "$work" $rs 8080 8081 8082; done
if [ -n "$l4" ]; then
  # Layer 4 NAT: the servers also sit on 10.99.1.0/24, and what they send from there goes back
  # through the pair's floating gateway 10.99.1.1 (source routing), not straight to the client.
  for rs in rs1:21 rs2:22; do
    n=${rs%%:*}; a=${rs##*:}
    ip -n $P$n addr add 10.99.1.$a/24 dev eth0
    ip -n $P$n rule add from 10.99.1.$a table 100 pref 100
    ip -n $P$n route add 10.99.1.0/24 dev eth0 src 10.99.1.$a table 100
    ip -n $P$n route add default via 10.99.1.1 dev eth0 table 100
  done
  # Eight clients (sixteen in l4-sticky), each its own source address.
  clients=()
  last=58; [ "$kind" = l4-sticky ] && last=66
  for i in $(seq 51 $last); do ip -n ${P}client addr add 10.99.0.$i/24 dev eth0; clients+=(10.99.0.$i); done
fi
if [ "$kind" = clinical ]; then
  # The clinical peers: ClinicalLoad (its HL7 engine logs each control ID it receives, with the
  # time) compiled once, and on each server a DICOM archive with its own AE title.
  mkdir -p "$work/cl"; javac -d "$work/cl" "$root/deploy/bench/ClinicalLoad.java"
  # HAPI and what it needs, from the local Maven repository the build filled.
  (cd "$root" && mvn -B -q -o dependency:build-classpath -pl lb-core -Dmdep.includeScope=test \
    -DincludeGroupIds=ca.uhn.hapi,org.slf4j,org.apache.commons,joda-time \
    -Dmdep.outputFile="$work/hapi.cp" > "$work/hapi-cp.log" 2>&1) \
    || { echo "drill: no HAPI class path (mvn dependency:build-classpath, see $work/hapi-cp.log)" >&2; exit 2; }
  hapi_cp="$(cat "$work/hapi.cp")"
  for rs in rs1:ARCHIVE_A rs2:ARCHIVE_B; do
    n=${rs%%:*}; mkdir -p "$work/$n/dicom"
    ip netns exec $P$n storescp -aet "${rs##*:}" -od "$work/$n/dicom" 11112 > "$work/$n/storescp.log" 2>&1 &
    bg+=($!); disown $!
    ip netns exec $P$n java -cp "$work/cl" ClinicalLoad hl7-engine 2575 "$work/$n/hl7.log" > "$work/$n/engine.log" 2>&1 &
    bg+=($!); disown $!
  done
fi
if [ "$kind" = l4-sticky ]; then
  # DR: the VIP on the servers' loopback, and the servers never answer ARP for it.
  for rs in rs1 rs2; do
    for knob in all.arp_ignore=1 all.arp_announce=2 eth0.arp_ignore=1 eth0.arp_announce=2; do
      ip netns exec $P$rs sysctl -qw net.ipv4.conf.$knob
    done
    ip -n $P$rs addr add $DRVIP/32 dev lo
  done
fi

# The pair: each node in a directory of its own (node file, configuration, secret, socket, log,
# management certificate), as on two machines.
secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# EXTRA_VIPS=N puts N more virtual services (10.99.0.150 on) ahead of the probed one, so its
# takeover waits for theirs: how the takeover scales with the number of VIPs.
config() {
  [ -n "$l4" ] && echo "floatingIps: [10.99.1.1/24]"
  echo "virtualServices:"
  for i in $(seq 1 "${EXTRA_VIPS:-0}"); do
    echo "  - {label: extra$i, address: 10.99.0.$((149 + i)), ports: [80], realServers: [{label: rs1, address: 10.99.0.21, port: 8080}]}"
  done
  cat <<CONF
  - label: drill
    address: $VIP
    ports: [80]
    timeouts: {connect: 1s}
CONF
  [ -n "$l4" ] && echo "    persistence: {mode: source-ip, timeout: 1h}"
  cat <<CONF
    realServers:
      - {label: rs1, address: 10.99.0.21, port: 8080}
      - {label: rs2, address: 10.99.0.22, port: 8080}
CONF
  [ -n "$l4" ] && cat <<CONF
  - label: nat
    address: $NATVIP
    ports: [$NATPORT]
    layer: 4
    mode: nat
    persistence: {mode: source-ip, timeout: 1h}
    realServers:
      - {label: rs1, address: 10.99.1.21, port: 8081}
      - {label: rs2, address: 10.99.1.22, port: 8081}
CONF
  [ "$kind" = clinical ] && cat <<CONF
  - label: dicom
    address: $VIP
    ports: [104]
    protocol: dicom
    dicom:
      routes:
        - {calledAeTitle: ARCHIVE_A, servers: [rs1]}
        - {calledAeTitle: ARCHIVE_B, servers: [rs2]}
    realServers:
      - {label: rs1, address: 10.99.0.21, port: 11112}
      - {label: rs2, address: 10.99.0.22, port: 11112}
  - label: hl7
    address: $VIP
    ports: [2575]
    protocol: hl7-mllp
    scheduler: weighted-round-robin
    hl7: {ackTimeout: 2s}
    realServers:
      - {label: rs1, address: 10.99.0.21, port: 2575}
      - {label: rs2, address: 10.99.0.22, port: 2575}
CONF
  [ "$kind" = l4-sticky ] && cat <<CONF
  - label: dr
    address: $DRVIP
    ports: [$DRPORT]
    layer: 4
    mode: dr
    persistence: {mode: source-ip, timeout: 1h}
    realServers:
      - {label: rs1, address: 10.99.0.21, port: 0}
      - {label: rs2, address: 10.99.0.22, port: 0}
CONF
  return 0
}
for n in lb1:primary:11:12 lb2:secondary:12:11; do
  IFS=: read -r h role me peer <<<"$n"
  mkdir -p "$work/$h"
  # Each node keeps its own copy (the secondary rewrites its copy with every version it receives).
  config > "$work/$h/lbctl.yaml"
  printf '%s' "$secret" > "$work/$h/pair.secret"; chmod 600 "$work/$h/pair.secret"
  cat > "$work/$h/node.yaml" <<CONF
configFile: lbctl.yaml
managementSocket: lbctl.sock
ioThreads: 1
pair: {role: $role, bind: 10.99.0.$me, peer: 10.99.0.$peer, secretFile: pair.secret, pingTargets: [10.99.0.10]}
CONF
done
start_node() {
  ( cd "$work/$1" && exec ip netns exec $P$1 java -jar "$jar" run --node "$work/$1/node.yaml" ) >> "$work/$1/node.log" 2>&1 &
  pid[$1]=$!; disown $!
}
# The management API over the node's socket, with curl (a JVM per call is too slow to poll).
status_of() { curl -s --max-time "${2:-1}" --unix-socket "$work/$1/lbctl.sock" http://lbctl/v1/status 2>/dev/null | tr -d ' \n'; }
# lbctl itself on a node's socket (a JVM per call: for the few changes a drill makes).
lbctl_on() { local h=$1; shift; java -jar "$jar" "$@" --socket "$work/$h/lbctl.sock"; }
# The node's own pair state (the first "state" in "pair", before the peer's object).
state_of() { status_of "$@" | sed -n 's/.*"pair":{[^{}]*"state":"\([a-z]*\)".*/\1/p'; }
sees_peer() { status_of $1 | grep -q '"peer":{[^}]*"present":true'; }
addrs_of() { ip -n $P$1 -o addr show dev eth0 2>/dev/null; }
# all: every floating address on the node; any: at least one; none: not one.
holding() {
  local a n=0 f; a="$(addrs_of $1)"
  for f in "${floating[@]}"; do grep -q " $f " <<<"$a" && n=$((n+1)); done
  if [ $n -eq ${#floating[@]} ]; then echo all; elif [ $n -gt 0 ]; then echo any; else echo none; fi
}
holds() { [ "$(holding $1)" != none ]; }
active_node() { for h in lb1 lb2; do [ "$(state_of $h)" = active ] && { echo $h; return; }; done; echo none; }
# Settled: both nodes in one view, one active, the other passive, the floating addresses all on
# the active node and none on the passive one.
pair_settled() {
  sees_peer lb1 && sees_peer lb2 || return 1
  local a b; a="$(state_of lb1)"; b="$(state_of lb2)"
  [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || return 1
  if [ "$a" = active ]; then [ "$(holding lb1)" = all ] && [ "$(holding lb2)" = none ]
  else [ "$(holding lb2)" = all ] && [ "$(holding lb1)" = none ]; fi
}
# ... and stays so for 3 s (a late handback shows within that time); at most 60 s in all.
settle() {
  local limit=$(( $(now_ms) + 60000 )) since=""
  while [ "$(now_ms)" -lt "$limit" ]; do
    if pair_settled; then
      [ -n "$since" ] || since=$(now_ms)
      [ $(( $(now_ms) - since )) -ge 3000 ] && return 0
    else
      since=""
    fi
    sleep 0.1
  done
  return 1
}
vip_answers() { ip netns exec ${P}client curl -sf --max-time 1 -o /dev/null http://$VIP/; }

is_state() { [ "$(state_of "$1")" = "$2" ]; }
start_node lb1; wait_for 40 is_state lb1 active || { echo "drill: lb1 did not become active" >&2; tail -20 "$work/lb1/node.log" >&2; exit 1; }
start_node lb2; wait_for 40 pair_settled || { echo "drill: the pair did not form" >&2; tail -20 "$work/lb2/node.log" >&2; exit 1; }
wait_for 20 vip_answers || { echo "drill: the VIP does not answer" >&2; exit 1; }

# The clients: four, each one request at a time ~10 ms apart (250 ms timeout), started 60 ms
# apart: a request that straddles the takeover waits out its timeout, and with one client alone
# that rounded a takeover up by as much as 250 ms. A line per request: start_ms ok <server>|fail.
for c in 1 2 3 4; do
  ip netns exec ${P}client "$PY" "$here/drill.py" load "http://$VIP/" "$work/client.log" 2>>"$work/client.err" &
  bg+=($!); disown $!
  sleep 0.06
done
if [ -n "$l4" ]; then
  wait_for 20 ip netns exec ${P}client curl -sf --max-time 1 -o /dev/null http://$NATVIP:$NATPORT/ \
    || { echo "drill: the L4 NAT VIP does not answer" >&2; exit 1; }
  sticky_targets=("l7=$VIP:80" "l4=$NATVIP:$NATPORT")
  if [ "$kind" = l4-sticky ]; then
    wait_for 20 ip netns exec ${P}client curl -sf --max-time 1 -o /dev/null http://$DRVIP:$DRPORT/ \
      || { echo "drill: the L4 DR VIP does not answer" >&2; exit 1; }
    sticky_targets=("nat=$NATVIP:$NATPORT" "dr=$DRVIP:$DRPORT")
  fi
  ip netns exec ${P}client "$PY" "$here/drill.py" sticky "$work/sticky.log" "${clients[@]}" -- \
    "${sticky_targets[@]}" 2>"$work/sticky.err" &
  bg+=($!); disown $!
fi
if [ "$kind" = clinical ]; then
  # HL7: 10k messages from 8 HAPI senders, paced to last through the drill (~12 a second each),
  # each resending on a new connection after 3 s without its ACK.
  ip netns exec ${P}client java -cp "$hapi_cp" "$here/HapiSenders.java" $VIP 2575 8 10000 3000 80 \
    > "$work/hl7-send.out" 2> "$work/hl7-send.err" &
  hl7_sender=$!; bg+=($!); disown $!
  # DICOM: studies every ~2 s, alternately to ARCHIVE_A and ARCHIVE_B, each sent until it is
  # stored (a failover breaks the association it was in).
  studies=$(( runs * 8 ))
  ( for i in $(seq 1 "$studies"); do
      ae=ARCHIVE_A; [ $(( i % 2 )) -eq 0 ] && ae=ARCHIVE_B
      uid="2.25.$([ $ae = ARCHIVE_A ] && echo 1 || echo 2)000$i"
      printf '(0008,0016) UI =SecondaryCaptureImageStorage\n(0008,0018) UI [%s]\n(0010,0010) PN [Lab^%s]\n(0020,000d) UI [%s.1]\n(0020,000e) UI [%s.2]\n' \
        "$uid" "$i" "$uid" "$uid" > "$work/study$i.dump"
      dump2dcm "$work/study$i.dump" "$work/study$i.dcm" 2>/dev/null
      for try in $(seq 30); do
        if timeout 30 ip netns exec ${P}client storescu -to 5 -ta 5 -td 10 -aec $ae $VIP 104 "$work/study$i.dcm" >> "$work/storescu.log" 2>&1; then
          echo "stored $i $ae $uid try $try"; break
        fi
        sleep 0.5
      done
      sleep 2
    done ) > "$work/dicom-send.log" 2>&1 &
  dicom_sender=$!; bg+=($!); disown $!
fi
# The holders: which nodes have the VIP (any floating address) in `ip addr`, every 100 ms.
( while :; do
    n=0; h=""; for x in lb1 lb2; do if holds $x; then n=$((n+1)); h+=" $x"; fi; done
    echo "$(now_ms) $n$h"; sleep 0.1
  done ) > "$work/holders.log" 2>/dev/null &
bg+=($!); disown $!
# The nodes' states as they report them, every 100 ms (- when a node does not answer).
( while :; do
    t=$(now_ms); a=$(state_of lb1 0.2); b=$(state_of lb2 0.2); echo "$t ${a:--} ${b:--}"; sleep 0.1
  done ) > "$work/states.log" 2>/dev/null &
bg+=($!); disown $!
# The observer: who answers ARP and TCP for the VIP(s), every 50 ms.
targets=(--target "$VIP:80")
[ -n "$l4" ] && targets+=(--target "$NATVIP:$NATPORT")
[ "$kind" = l4-sticky ] && targets+=(--target "$DRVIP:$DRPORT")
ip netns exec ${P}obs "$PY" "$here/probe.py" --iface eth0 --src $OBS \
  --node "lb1=${mac[lb1]}" --node "lb2=${mac[lb2]}" "${targets[@]}" --interval 0.05 \
  --duration "$limit_s" --out "$work/answers.log" 2>"$work/probe.err" &
bg+=($!); disown $!
sleep 1
if [ -n "${DRILL_SELFTEST:-}" ]; then
  # Throwaway check of the observer: the VIP added by hand on the passive node must show as
  # both nodes answering (ARP at least; nothing listens there, so TCP gives RST or forwards).
  act="$(active_node)"; other=$([ "$act" = lb1 ] && echo lb2 || echo lb1)
  sleep 3; t1=$(now_ms)
  ip -n $P$other addr add $VIP/32 dev eth0; sleep 3; t2=$(now_ms)
  ip -n $P$other addr del $VIP/32 dev eth0; sleep 1
  awk -v a="$t1" -v b="$t2" '$1 <= a' "$work/answers.log" > "$work/answers.before"
  awk -v a="$t1" -v b="$t2" '$1 > a+300 && $1 <= b' "$work/answers.log" > "$work/answers.dual"
  echo "selftest: one holder ($act):     $("$PY" "$here/drill.py" answering "$work/answers.before")" >&2
  echo "selftest: VIP added on $other: $("$PY" "$here/drill.py" answering "$work/answers.dual")" >&2
  tail -3 "$work/answers.dual" >&2
  exit 0
fi

takeovers=()
false_failovers=0
double_failovers=0
sticky_moved=0
# The first request after $1 (epoch ms) that was answered.
first_ok_after() { awk -v t="$1" '$1 > t && $2 == "ok" {print $1; exit}' "$work/client.log"; }
served_again_after() { # from, to: the first ok after the first fail in (from, to]; else the first ok
  awk -v t="$1" -v u="$2" '$1 <= t {next} $2 == "fail" && $1 <= u {f=1; next}
    $2 == "ok" {if (!first) first=$1; if (f) {print $1; found=1; exit}} END {if (!found) print first}' "$work/client.log"
}
answered_after() { [ -n "$(first_ok_after "$1")" ]; }
# How many times the active role moved between $1 and $2, starting on node $3.
moves_between() {
  "$PY" "$here/drill.py" moves "$work/states.log" "$1" "$2" "$3" "lb1=$work/lb1/node.log" "lb2=$work/lb2/node.log" | cut -d' ' -f1
}
# ms=uniform in [$1,$2] ms; not in a $(subshell), which would not advance (or would reseed) RANDOM.
rand_ms() { ms=$(( $1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1) )); }
sleep_ms() { sleep "$(printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )))"; }

for run in $(seq "$runs"); do
  act="$(active_node)"; [ "$act" != none ] || { echo "drill: no active node before run $run" >&2; exit 1; }
  other=$([ "$act" = lb1 ] && echo lb2 || echo lb1)
  fault=$kind; target=$act; ms=0
  case "$kind" in
    l4-sticky)
      # Move the clients off one server and let it come back: their entries now name the other
      # server, where the hash would send about half of them back.
      halted=$([ $(( run % 2 )) -eq 1 ] && echo rs1 || echo rs2)
      for v in nat dr; do lbctl_on "$act" rip halt "$v" "$halted" >/dev/null; done
      sleep 2
      for v in nat dr; do lbctl_on "$act" rip online "$v" "$halted" >/dev/null; done
      # Two export periods of the kernel's entries into the replicated table.
      sleep 3
      fault=kill ;;
    clinical) fault=kill ;;
    blip) rand_ms "${BLIP_MIN_MS:-500}" "${BLIP_MAX_MS:-3000}" ;;
    series)
      case $(( RANDOM % 4 )) in 0) fault=kill ;; 1) fault=stop; rand_ms 500 5000 ;; 2) fault=cut; rand_ms 1000 10000 ;; 3) fault=restart ;; esac
      # One fault in four on the passive node: that must move nothing.
      [ $(( RANDOM % 4 )) -eq 0 ] && target=$other ;;
  esac
  t0=$(now_ms)
  case "$fault" in
    # As the unit's ExecStopPost does after a crash: the labelled addresses and the layer 4 rules
    # go at once, then `lbctl cleanup` (a JVM start later) removes the rest, the fence included.
    kill) kill -9 "${pid[$target]}"; ip -n $P$target -4 addr flush label '*:lb'
          for f in inet netdev; do ip netns exec $P$target nft delete table $f lbctl_l4 2>/dev/null || true; done
          ( cd "$work/$target" && ip netns exec $P$target java -jar "$jar" cleanup --node "$work/$target/node.yaml" ) >> "$work/$target/cleanup.log" 2>&1 ;;
    stop|pause) kill -STOP "${pid[$target]}" ;;
    cut|blip) ip -n ${P}sw link set ${P}p-$target down ;;
    restart) kill -TERM "${pid[$target]}" ;;
  esac
  desc="$fault $target"; [ "$ms" -gt 0 ] && desc="$fault $target for $ms ms"
  expect=""   # "no" when this fault must not move the role
  case "$kind" in
    pause)
      sleep 1; kill -CONT "${pid[$target]}"
      # Give a wrongly triggered failover the time it would need to show (detection ~3 s).
      sleep 4; expect=no ;;
    kill|stop|cut|restart|l4-sticky|clinical)
      # Takeover: the first request that started after the failure and succeeded.
      wait_for 20 answered_after "$t0" || { echo "drill: run $run: the VIP did not come back within 20 s" >&2; exit 1; }
      case "$kind" in
        kill|restart|l4-sticky|clinical) { wait_for 30 gone "${pid[$target]}" || kill -9 "${pid[$target]}"; }; start_node $target ;;
        stop) kill -CONT "${pid[$target]}"; sleep 5 ;;   # what the resumed node does, seen
        # Keep the cut until the isolated node has given its addresses up (or 10 s): healing at
        # once would measure the merge, not the split.
        cut) wait_for 10 bash -c "! ip -n $P$target -o addr show dev eth0 | grep -q ' $VIP/32'" || true
             ip -n ${P}sw link set ${P}p-$target up ;;
      esac ;;
    blip|series)
      case "$fault" in
        kill|restart) { wait_for 30 gone "${pid[$target]}" || kill -9 "${pid[$target]}"; }; start_node $target ;;
        stop) sleep_ms "$ms"; kill -CONT "${pid[$target]}" ;;
        cut|blip) sleep_ms "$ms"; ip -n ${P}sw link set ${P}p-$target up ;;
      esac
      [ "$target" = "$other" ] && expect=no
      [ "$fault" = stop ] && [ "$ms" -lt 1000 ] && expect=no ;;
  esac
  settle || { echo "drill: the pair did not settle after run $run ($desc)" >&2; exit 1; }
  wait_for 20 vip_answers || { echo "drill: the VIP does not answer after run $run" >&2; exit 1; }
  t1=$(now_ms)
  moved=$(moves_between "$t0" "$t1" "$act")
  note=""
  # Takeover: from the fault to the first request that succeeded after the first one that failed
  # (a node stopping in order may still serve a few ms); in the kinds made to fail over always,
  # in blip and series when the role moved.
  if { [ "$moved" -gt 0 ] && [ "$expect" != no ]; } || [[ "$kind" =~ ^(kill|stop|cut|restart|l4-sticky|clinical)$ ]]; then
    ok=$(served_again_after "$t0" "$t1")
    [ -n "$ok" ] && takeovers+=($(( ok - t0 ))) && note=", served again after $(( ok - t0 )) ms"
  fi
  [ "$moved" -gt 0 ] && [ "$expect" = no ] && false_failovers=$((false_failovers+1)) && note+=", a FALSE failover"
  [ "$moved" -gt 1 ] && double_failovers=$((double_failovers+1)) && note+=", a DOUBLE failover"
  if [ -n "$l4" ]; then
    s=$("$PY" "$here/drill.py" sticky-moved "$work/sticky.log" "$t0" "$t1")
    sticky_moved=$((sticky_moved + ${s%% *})); [ "${s%% *}" -gt 0 ] && note+=", moved clients: ${s#* }"
  fi
  b=$(awk -v a="$t0" -v b="$t1" '$1 > a && $1 <= b' "$work/answers.log" | "$PY" "$here/drill.py" answering /dev/stdin | sed 's/.*both=\([0-9]*\).*/\1/')
  echo "run $run: $desc: active role moved $moved time(s) (was $act, now $(active_node))$note; both answering in $b samples" >&2
done

if [ "$kind" = clinical ]; then
  # The senders finish what they started (bounded), then the figures.
  wait_for 300 gone "$hl7_sender" || echo "drill: the HL7 senders did not finish within 300 s" >&2
  wait_for 300 gone "$dicom_sender" || echo "drill: the DICOM sender did not finish within 300 s" >&2
  rejected=fail
  timeout 30 ip netns exec ${P}client echoscu -to 5 -ta 5 -td 10 -aec NOBODY $VIP 104 > "$work/echoscu-nobody.log" 2>&1 || true
  grep -qi "Called AE Title Not Recognized" "$work/echoscu-nobody.log" && rejected=ok
  # A study is routed when it is stored in its AE title's archive and never in the other.
  routed=0
  for i in $(seq 1 "$studies"); do
    if [ $(( i % 2 )) -eq 1 ]; then right=rs1 wrong=rs2 uid="2.25.1000$i"; else right=rs2 wrong=rs1 uid="2.25.2000$i"; fi
    [ -f "$work/$right/dicom/SC.$uid" ] && [ ! -f "$work/$wrong/dicom/SC.$uid" ] && routed=$((routed+1))
  done
  # Acknowledged ones: the senders end only when every message of theirs was (else 0 here).
  hl7_sent=$(sed -n 's/.*sent=\([0-9]*\) acked=\([0-9]*\).*/\2/p' "$work/hl7-send.out")
  hl7_figures=$(cat "$work/rs1/hl7.log" "$work/rs2/hl7.log" | "$PY" "$here/drill.py" hl7 8 10000)
  clinical_line="clinical: dicom_routed=$routed/$studies dicom_rejected_unknown_ae=$rejected hl7_sent=${hl7_sent:-0} $hl7_figures"
  echo "hl7 senders: $(cat "$work/hl7-send.out" 2>/dev/null)" >&2
fi
kill -9 "${bg[@]}" 2>/dev/null || true
dual_holders=$(awk '$2 >= 2' "$work/holders.log" | wc -l)
ans="$("$PY" "$here/drill.py" answering "$work/answers.log")"
dual_answering=$(sed 's/.*both=\([0-9]*\).*/\1/' <<<"$ans")
echo "observer: $ans" >&2
pct() { printf '%s\n' "${takeovers[@]}" | sed '/^$/d' | sort -n | awk -v p="$1" '{v[NR]=$1} END {if (NR==0) {print "-"; exit} i=int((NR*p+99)/100); if (i<1) i=1; print v[i]}'; }
case "$kind" in
  blip) echo "drill=blip runs=$runs dual_answering=$dual_answering double_failovers=$double_failovers takeover_ms_p99=$(pct 99)" ;;
  l4-sticky) echo "drill=l4-sticky runs=$runs sticky_moved=$sticky_moved takeover_ms_p99=$(pct 99) dual_answering=$dual_answering clients=${#clients[@]}" ;;
  series) echo "drill=series runs=$runs takeover_ms_p99=$(pct 99) dual_answering=$dual_answering false_failovers=$false_failovers sticky_moved=$sticky_moved" ;;
  *) echo "drill=$kind runs=$runs takeover_ms_p50=$(pct 50) takeover_ms_p99=$(pct 99) dual_holders=$dual_holders dual_answering=$dual_answering false_failovers=$false_failovers double_failovers=$double_failovers" ;;
esac
[ "$kind" = clinical ] && echo "$clinical_line"
exit 0
