#!/usr/bin/env bash
# The stick table on a cluster (issue 21): replicated (every node holds every entry) against
# distributed with two owners, on NODES member processes on loopback over the table's own stack
# (TCP, AES-GCM, TCPPING), with ENTRIES written from one member. Per mode: the load and
# convergence time, heap per entry a node holds, a synchronous put's p50/p99 from another member,
# and how long a member that joins takes to hold its share.
# Last line: sticks_repl_bytes_per_entry=A sticks_dist_bytes_per_entry=B sticks_repl_put_p99_us=C
#   sticks_dist_put_p99_us=D catchup_s_1m_repl=E catchup_s_1m_dist=F
# Usage: deploy/bench/sticks-cluster.sh [entries, default 1000000] [nodes, default 3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
entries="${1:-1000000}" nodes="${2:-3}"
bench_setup lbctl-bench-sticks
mkdir -p "$work/classes"
javac -cp "$root/lb-cli/target/lbctl.jar" -d "$work/classes" "$here/StickScale.java"
declare -A line
for mode in repl dist; do
  line[$mode]="$(java -Xmx512m -cp "$root/lb-cli/target/lbctl.jar:$work/classes" StickScale drive \
    "$mode" "$entries" "$nodes" 2>"$work/$mode.err" | grep '^mode=')" \
    || { echo "bench: the $mode run failed" >&2; tail -20 "$work/$mode.err" >&2; exit 1; }
  echo "${line[$mode]}"
done
field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"${line[$1]}"; }
echo "sticks_repl_bytes_per_entry=$(field repl bytes_per_entry)" \
  "sticks_dist_bytes_per_entry=$(field dist bytes_per_entry)" \
  "sticks_repl_put_p99_us=$(field repl put_p99_us) sticks_dist_put_p99_us=$(field dist put_p99_us)" \
  "catchup_s_1m_repl=$(field repl catchup_s) catchup_s_1m_dist=$(field dist catchup_s)"
