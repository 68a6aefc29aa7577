#!/usr/bin/env bash
# Failover drill in a namespace lab (LAB.md section 1): client, lb1, lb2, rs1, rs2 on a bridge in
# 10.99.0.0/24, two lbctl nodes as a pair, nginx as the real servers, the VIP 10.99.0.100:80.
# While the client requests the VIP every ~10 ms and a sampler records every 100 ms how many
# nodes hold the VIP, the drill fails the active node N times:
#   kill     kill -9, then what the unit's ExecStopPost does (flush the :lb-labelled addresses);
#            then restart it, passive
#   stop     SIGSTOP (a frozen JVM) until the peer took over, then SIGCONT
#   cut      the active node's link down until the peer took over, then up again
#   restart  SIGTERM (an orderly stop: the node gives its addresses up first), then start it
#   pause    SIGSTOP for 1 s then SIGCONT, which must NOT cause a failover
# Last line: drill=<kind> runs=N takeover_ms_p50=X takeover_ms_p99=Y dual_owner_samples=Z false_failovers=W
# Root only; the lab's namespaces (lbd-*) are removed by name on exit, also on failure.
set -euo pipefail
kind="${1:?usage: drill.sh kill|stop|cut|restart|pause [N]}"
runs="${2:-5}"
case "$kind" in kill|stop|cut|restart|pause) ;; *) echo "drill: unknown kind '$kind'" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "drill: needs root (network namespaces)" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/lb-cli/target/lbctl.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
for tool in nginx curl arping ip; do command -v $tool >/dev/null || { echo "drill: $tool is missing" >&2; exit 2; }; done

P=lbd-
VIP=10.99.0.100
work="$(mktemp -d /tmp/lbctl-drill.XXXXXX)"
declare -A pid
bg=()
nginx_pids=()
now_ms() { date +%s%3N; }

cleanup() {
  # SIGTERM to nginx's master stops its workers too; SIGKILL would orphan them.
  for p in "${nginx_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pid[@]}" "${bg[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for n in sw client lb1 lb2 rs1 rs2; do ip netns del "$P$n" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "drill: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
for n in sw client lb1 lb2 rs1 rs2; do ip netns del "$P$n" 2>/dev/null || true; done

# The lab.
ip netns add ${P}sw; ip -n ${P}sw link add br0 type bridge; ip -n ${P}sw link set br0 up
i=0
for h in client:10 lb1:11 lb2:12 rs1:21 rs2:22; do
  n=${h%%:*}; a=${h##*:}
  ip netns add $P$n; ip -n $P$n link set lo up
  ip link add ${P}p-$n netns ${P}sw type veth peer name eth0 netns $P$n
  ip -n ${P}sw link set ${P}p-$n master br0 up
  ip -n $P$n addr add 10.99.0.$a/24 dev eth0; ip -n $P$n link set eth0 up
  i=$((i+1))
done

# Real servers.
for rs in rs1 rs2; do
  mkdir -p "$work/$rs"
  cat > "$work/$rs/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $work/$rs/nginx.pid; error_log $work/$rs/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/$rs; proxy_temp_path $work/$rs; fastcgi_temp_path $work/$rs; uwsgi_temp_path $work/$rs; scgi_temp_path $work/$rs;
  server { listen 8080; location / { return 200 "$rs\n"; } } }
CONF
  # Its own log, not our stdout: a process that outlives us must not hold our pipe open.
  ip netns exec $P$rs nginx -c "$work/$rs/nginx.conf" -p "$work/$rs" > "$work/$rs/out.log" 2>&1 &
  nginx_pids+=($!)
done

# The pair.
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/pair.secret"; chmod 600 "$work/pair.secret"
# Each node keeps its own copy (the secondary rewrites its copy with every version it receives).
# EXTRA_VIPS=N puts N more virtual services (10.99.0.150 on) ahead of the probed one, so its
# takeover waits for theirs: how the takeover scales with the number of VIPs.
{
echo "virtualServices:"
for i in $(seq 1 "${EXTRA_VIPS:-0}"); do
  echo "  - {label: extra$i, address: 10.99.0.$((149 + i)), ports: [80], realServers: [{label: rs1, address: 10.99.0.21, port: 8080}]}"
done
cat <<CONF
  - label: drill
    address: $VIP
    ports: [80]
    timeouts: {connect: 1s}
    realServers:
      - {label: rs1, address: 10.99.0.21, port: 8080}
      - {label: rs2, address: 10.99.0.22, port: 8080}
CONF
} > "$work/lb1-lbctl.yaml"
cp "$work/lb1-lbctl.yaml" "$work/lb2-lbctl.yaml"
for n in lb1:primary:11:12 lb2:secondary:12:11; do
  IFS=: read -r h role me peer <<<"$n"
  cat > "$work/$h.yaml" <<CONF
configFile: $h-lbctl.yaml
managementSocket: $h.sock
ioThreads: 1
pair: {role: $role, bind: 10.99.0.$me, peer: 10.99.0.$peer, secretFile: pair.secret, pingTargets: [10.99.0.10]}
CONF
done
lbctl() { java -jar "$jar" "$@"; }
start_node() { ip netns exec $P$1 java -jar "$jar" run --node "$work/$1.yaml" >> "$work/$1.log" 2>&1 & pid[$1]=$!; }
state_of() { lbctl status -o json --socket "$work/$1.sock" 2>/dev/null | sed -n 's/.*"state" : "\(active\|passive\)".*/\1/p' | head -1; }
holds() { ip -n $P$1 -o addr show dev eth0 | grep -q " $VIP/32"; }
wait_for() { # seconds, command...
  local limit=$(( $(now_ms) + $1 * 1000 )); shift
  until "$@"; do [ "$(now_ms)" -lt "$limit" ] || return 1; sleep 0.05; done
}
active_node() { for h in lb1 lb2; do [ "$(state_of $h)" = active ] && { echo $h; return; }; done; echo none; }
# Settled: both nodes in one view, one active, the other passive, the VIP on the active only.
sees_peer() { lbctl status -o json --socket "$work/$1.sock" 2>/dev/null | tr -d ' \n' | grep -q '"peer":{[^}]*"present":true'; }
pair_settled() {
  sees_peer lb1 && sees_peer lb2 || return 1
  local a b; a="$(state_of lb1)"; b="$(state_of lb2)"
  [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || return 1
  if [ "$a" = active ]; then holds lb1 && ! holds lb2; else holds lb2 && ! holds lb1; fi
}

is_state() { [ "$(state_of "$1")" = "$2" ]; }
start_node lb1; wait_for 40 is_state lb1 active || { echo "drill: lb1 did not become active" >&2; cat "$work/lb1.log" >&2; exit 1; }
start_node lb2; wait_for 40 pair_settled || { echo "drill: the pair did not form" >&2; exit 1; }
wait_for 20 ip netns exec ${P}client curl -sf --max-time 1 -o /dev/null http://$VIP/

# The client: one request at a time, ~10 ms apart; a line per request: start_ms ok|fail.
ip netns exec ${P}client bash -c "while :; do s=\$(date +%s%3N); if curl -s --max-time 0.25 -o /dev/null http://$VIP/; then echo \"\$s ok\"; else echo \"\$s fail\"; fi; sleep 0.01; done" > "$work/probe.log" 2>/dev/null &
bg+=($!)
# The sampler: how many nodes hold the VIP, every 100 ms.
( while :; do n=0; holds lb1 && n=$((n+1)); holds lb2 && n=$((n+1)); echo "$(now_ms) $n"; sleep 0.1; done ) > "$work/owners.log" &
bg+=($!)

takeovers=()
false_failovers=0
for run in $(seq "$runs"); do
  act="$(active_node)"; [ "$act" != none ] || { echo "drill: no active node before run $run" >&2; exit 1; }
  other=$([ "$act" = lb1 ] && echo lb2 || echo lb1)
  t0=$(now_ms)
  case "$kind" in
    # As the unit's ExecStopPost does after a crash: the labelled addresses go at once.
    kill) kill -9 "${pid[$act]}"; ip -n $P$act -4 addr flush label '*:lb' ;;
    stop|pause) kill -STOP "${pid[$act]}" ;;
    cut) ip -n ${P}sw link set ${P}p-$act down ;;
    restart) kill -TERM "${pid[$act]}" ;;
  esac
  if [ "$kind" = pause ]; then
    sleep 1; kill -CONT "${pid[$act]}"
    # Give a wrongly triggered failover the time it would need to show (detection ~3 s).
    sleep 4
    [ "$(active_node)" = "$act" ] || false_failovers=$((false_failovers+1))
    continue
  fi
  # Takeover: the first request that started after the failure and succeeded.
  if ! wait_for 20 awk -v t="$t0" '$1 > t && $2 == "ok" {f=1} END {exit !f}' "$work/probe.log"; then
    echo "drill: run $run: the VIP did not come back within 20 s" >&2; exit 1
  fi
  ok=$(awk -v t="$t0" '$1 > t && $2 == "ok" {print $1; exit}' "$work/probe.log")
  takeovers+=($(( ok - t0 )))
  echo "run $run: $kind $act -> served through $other after $(( ok - t0 )) ms" >&2
  # Recover and let the pair settle before the next run.
  case "$kind" in
    kill|restart) wait "${pid[$act]}" 2>/dev/null || true; start_node $act ;;
    stop) kill -CONT "${pid[$act]}" ;;
    # Keep the cut until the isolated node has given its addresses up (or 10 s): healing at once
    # would measure the merge, not the split.
    cut) wait_for 10 bash -c "! ip -n $P$act -o addr show dev eth0 | grep -q ' $VIP/32'" || true
         ip -n ${P}sw link set ${P}p-$act up ;;
  esac
  wait_for 60 pair_settled || { echo "drill: the pair did not settle after run $run" >&2; exit 1; }
  wait_for 20 ip netns exec ${P}client curl -sf --max-time 1 -o /dev/null http://$VIP/
done

dual=$(awk '$2 >= 2' "$work/owners.log" | wc -l)
pct() { printf '%s\n' "${takeovers[@]}" | sort -n | awk -v p="$1" '{v[NR]=$1} END {if (NR==0) {print "-"; exit} i=int((NR*p+99)/100); if (i<1) i=1; print v[i]}'; }
echo "drill=$kind runs=$runs takeover_ms_p50=$(pct 50) takeover_ms_p99=$(pct 99) dual_owner_samples=$dual false_failovers=$false_failovers"
