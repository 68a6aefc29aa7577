#!/usr/bin/env bash
# How lbctl's cost grows (issue 23), in one run:
#   1. idle connections held through a layer 7 TCP VIP on loopback: the node's RSS and heap per
#      connection at 1,000, 5,000 and 9,000 (a process here may open 20,000 files and the proxy
#      holds two per connection, so 9,000 is the most one node can hold on this machine; 10k and
#      50k are not reachable here and the per-connection slope is what is measured);
#   2. one event loop against two, and HAProxy with one thread against two (deploy/bench/l7-tcp.sh
#      with LOOPS=1 and LOOPS=2, same machine, same run);
#   3. the replicated stick table at 1M and 5M entries: heap per entry and the time a joining
#      member takes to hold them (deploy/bench/sticks-cluster.sh);
#   4. a configuration of 1,000 VIPs: check, start and reload times.
# Figures also go to target/bench/scale.json. Last line:
#   bytes_per_conn=A ratio_rps_2loops_vs_1=B catchup_s_1m=C
#   (A: the node's RSS per idle connection at the largest count, target <= 10240)
# Usage: deploy/bench/scale.sh [seconds per wrk run, default 10] [wrk connections, default 50]
#        [rounds, default 3]; PARTS="idle loops sticks vips" (the default) picks the parts to run;
#        STICKS_5M=1 adds the 5M stick table (over 20 minutes here: the members' 3 GiB heaps are
#        nearly full, so it is off by default).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_args "$@"
bench_setup lbctl-bench-scale python3 wrk haproxy nginx-light curl
ulimit -n "$(ulimit -Hn)"
jar="$root/lb-cli/target/lbctl.jar"
figures=()

parts="${PARTS:-idle loops sticks vips}"
part() { [[ " $parts " == *" $1 "* ]]; }
per_conn=na ratio_loops=na catchup=na

# ---- 1. idle connections ---------------------------------------------------------------------
if part idle; then
cat > "$work/hold.py" <<'PY'
# server PORT: accepts and keeps every connection. client PORT N: opens N connections (500 at a
# time), says "ready N", keeps them until its standard input closes.
import asyncio, sys
async def server(port):
    async def keep(r, w):
        try:
            while await r.read(4096):
                pass
        except ConnectionError:
            pass
    s = await asyncio.start_server(keep, "127.0.0.1", port, backlog=4096)
    print("listening", flush=True)
    await s.serve_forever()
async def client(port, n):
    held = []
    for start in range(0, n, 500):
        batch = await asyncio.gather(*[asyncio.open_connection("127.0.0.1", port)
                                      for _ in range(min(500, n - start))])
        held.extend(batch)
    print("ready", len(held), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
if sys.argv[1] == "server":
    asyncio.run(server(int(sys.argv[2])))
else:
    asyncio.run(client(int(sys.argv[2]), int(sys.argv[3])))
PY
python3 "$work/hold.py" server 19101 > "$work/holder.log" 2>&1 &
pids+=($!)
cat > "$work/idle.yaml" <<CONF
virtualServices:
  - label: idle
    address: 127.0.0.1
    ports: [19100]
    timeouts: {client: 1h, server: 1h}
    realServers: [{label: holder, address: 127.0.0.1, port: 19101}]
CONF
java ${LBCTL_JAVA_OPTS:-} -jar "$jar" run --config "$work/idle.yaml" --socket "$work/idle.sock" \
  --io-threads 1 > "$work/idle-node.log" 2>&1 &
node=$!
pids+=($node)
for _ in $(seq 100); do
  java -jar "$jar" status --socket "$work/idle.sock" -o json > /dev/null 2>&1 && break; sleep 0.2
done
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
heap_kib() { # used heap after a full collection
  jcmd "$1" GC.run > /dev/null
  jcmd "$1" GC.heap_info | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub(/K,?/,"",v); print v; exit}}'
}
open_now() {
  java -jar "$jar" status --socket "$work/idle.sock" -o json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["virtualServices"][0]["activeConnections"])'
}
heap0="$(heap_kib "$node")"; rss0="$(rss_kib "$node")"
echo "idle: baseline rss_kib=$rss0 heap_used_kib=$heap0"
per_conn=0
for n in 1000 5000 9000; do
  coproc HOLD { python3 "$work/hold.py" client 19100 "$n"; }
  read -r word count <&"${HOLD[0]}"
  [ "$word" = ready ] || { echo "bench: the client could not open $n connections" >&2; exit 1; }
  for _ in $(seq 50); do [ "$(open_now)" -ge "$n" ] && break; sleep 0.2; done
  heap="$(heap_kib "$node")"; rss="$(rss_kib "$node")"
  per_conn="$(( (rss - rss0) * 1024 / n ))"
  per_heap="$(( (heap - heap0) * 1024 / n ))"
  echo "idle: connections=$count open_on_node=$(open_now) rss_kib=$rss heap_used_kib=$heap" \
    "rss_bytes_per_conn=$per_conn heap_bytes_per_conn=$per_heap"
  figures+=("idle_${n}_rss_bytes_per_conn=$per_conn" "idle_${n}_heap_bytes_per_conn=$per_heap")
  exec {HOLD[1]}>&-
  wait "$HOLD_PID" 2>/dev/null || true
  for _ in $(seq 100); do [ "$(open_now)" -eq 0 ] && break; sleep 0.2; done
done
kill "$node"; wait "$node" 2>/dev/null || true
fi

# ---- 2. one event loop against two ------------------------------------------------------------
if part loops; then
declare -A loops_rps haproxy_rps
for loops in 1 2; do
  out="$(LOOPS=$loops WRK_THREADS=2 BENCH_JSON_DIR="$work" bash "$here/l7-tcp.sh" "$secs" "$conns" "$rounds")"
  loops_rps[$loops]="$(awk '$1=="lbctl" {sub("rps=","",$2); print $2}' <<<"$out")"
  haproxy_rps[$loops]="$(awk '$1=="haproxy" {sub("rps=","",$2); print $2}' <<<"$out")"
  echo "loops=$loops lbctl_rps=${loops_rps[$loops]} haproxy_threads=$loops haproxy_rps=${haproxy_rps[$loops]}"
done
ratio_loops="$(awk -v a="${loops_rps[2]}" -v b="${loops_rps[1]}" 'BEGIN {printf "%.2f", a/b}')"
ratio_haproxy="$(awk -v a="${haproxy_rps[2]}" -v b="${haproxy_rps[1]}" 'BEGIN {printf "%.2f", a/b}')"
echo "ratio_rps_2loops_vs_1=$ratio_loops haproxy_ratio_rps_2threads_vs_1=$ratio_haproxy"
figures+=("lbctl_rps_1loop=${loops_rps[1]}" "lbctl_rps_2loops=${loops_rps[2]}"
  "haproxy_rps_1thread=${haproxy_rps[1]}" "haproxy_rps_2threads=${haproxy_rps[2]}")
fi

# ---- 3. stick tables ------------------------------------------------------------------------
if part sticks; then
sticks="$(bash "$here/sticks-cluster.sh" 1000000 2 | tail -1)"
echo "sticks 1M (2 members): $sticks"
catchup="$(sed -n 's/.*catchup_s_1m_repl=\([0-9.]*\).*/\1/p' <<<"$sticks")"
figures+=("sticks_1m_bytes_per_entry=$(sed -n 's/.*sticks_repl_bytes_per_entry=\([0-9.]*\).*/\1/p' <<<"$sticks")")
if [ -n "${STICKS_5M:-}" ]; then
  sticks5="$(bash "$here/sticks-cluster.sh" 5000000 2 | tail -1)"
  echo "sticks 5M (2 members): $sticks5"
  figures+=("sticks_5m_bytes_per_entry=$(sed -n 's/.*sticks_repl_bytes_per_entry=\([0-9.]*\).*/\1/p' <<<"$sticks5")"
    "catchup_s_5m=$(sed -n 's/.*catchup_s_1m_repl=\([0-9.]*\).*/\1/p' <<<"$sticks5")")
fi
fi

# ---- 4. a configuration of 1,000 VIPs ----------------------------------------------------------
if part vips; then
python3 - "$work/vips.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("virtualServices:\n")
    for i in range(1000):
        f.write(f"  - label: vip{i:04d}\n    address: 127.0.{10 + i // 250}.{1 + i % 250}\n"
                f"    ports: [{20000 + i}]\n    healthCheck: {{type: connect, interval: 10s}}\n"
                f"    realServers:\n      - {{label: a, address: 127.0.0.1, port: 19101}}\n"
                f"      - {{label: b, address: 127.0.0.1, port: 19102, weight: 2}}\n")
PY
ms() { date +%s%3N; }
t0="$(ms)"; java -jar "$jar" config check "$work/vips.yaml" > /dev/null; t1="$(ms)"
check_ms=$((t1 - t0))
t0="$(ms)"
java ${LBCTL_JAVA_OPTS:-} -jar "$jar" run --config "$work/vips.yaml" --socket "$work/vips.sock" \
  --io-threads 1 > "$work/vips-node.log" 2>&1 &
node=$!
pids+=($node)
for _ in $(seq 600); do
  n="$(java -jar "$jar" status --socket "$work/vips.sock" -o json 2>/dev/null \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["virtualServices"]))' 2>/dev/null || echo 0)"
  [ "$n" = 1000 ] && break; sleep 0.1
done
t1="$(ms)"; start_ms=$((t1 - t0))
sed -i 's/weight: 2}/weight: 3}/' "$work/vips.yaml"
t0="$(ms)"; java -jar "$jar" reload --socket "$work/vips.sock" > "$work/reload.out" 2>&1; t1="$(ms)"
reload_ms=$((t1 - t0))
echo "vips=1000 check_ms=$check_ms start_ms=$start_ms reload_ms=$reload_ms (each includes the CLI's own JVM start)"
figures+=("vips_1000_check_ms=$check_ms" "vips_1000_start_ms=$start_ms" "vips_1000_reload_ms=$reload_ms")
kill "$node"; wait "$node" 2>/dev/null || true
fi

last="bytes_per_conn=$per_conn ratio_rps_2loops_vs_1=$ratio_loops catchup_s_1m=$catchup"
# shellcheck disable=SC2086
bench_json scale "${figures[@]}" $last
echo "$last"
