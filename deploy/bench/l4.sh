#!/usr/bin/env bash
# Layer 4 NAT and DR through lbctl's nftables tables, against the direct path, in a namespace lab
# of this script's own (client, lb, two real servers on one bridge; cleaned up by name on exit):
#   - connection rate: wrk, every request a new TCP connection (Connection: close);
#   - bulk: one 4 GiB download with curl (a sparse file from the page cache, nginx sendfile).
# Direct: the client to the DR real server's own address. NAT: the VIP 10.98.0.100, real server
# on 10.98.1.0/24 behind the node. DR: the VIP 10.98.0.101, real server holding it on loopback.
# A second baseline is the kernel's own limit: a minimal hand-written nftables rule set on a node of
# its own (lbmin: one DNAT rule for 10.98.0.110 to a server behind it, one netdev fwd rule for the
# DR VIP 10.98.0.111), no maps, counters, sets or health; lbctl's paths are compared with it.
# It also compares lbctl's layer 4 SNAT (nftables DNAT + masquerade) with the same service through
# its proxy (a layer 7 TCP-mode VIP), which is how layer 4 SNAT was served before: the choice in
# the README stays measured.
# Each figure is the median of ROUNDS rounds; the figures also go to target/bench/l4.json. Last line:
#   ratio_nat_cps_vs_minimal=A ratio_dr_cps_vs_minimal=B ratio_nat_bulk_vs_direct=C
#   ratio_dr_bulk_vs_direct=D  (targets: A, B >= 0.9; C, D >= 0.95)
# Usage: deploy/bench/l4.sh [seconds per wrk run, default 10] [wrk connections, default 50]
#        [rounds, default 3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_args "$@"
bench_setup lbctl-bench-l4 nginx-light wrk curl nftables iproute2

hosts=(client lb rsnat rsdr lbmin rsmin)
l4_cleanup() {
  local h
  for h in "${hosts[@]}" sw; do ip netns del "l4b-$h" 2>/dev/null || true; done
}
trap 'bench_cleanup; l4_cleanup' EXIT
l4_cleanup
in_ns() { local h="$1"; shift; ip netns exec "l4b-$h" "$@"; }

ip netns add l4b-sw
in_ns sw ip link add br0 type bridge
in_ns sw ip link set br0 up
declare -A addr=([client]=10.98.0.10/24 [lb]=10.98.0.11/24 [rsnat]=10.98.1.21/24 [rsdr]=10.98.0.22/24
  [lbmin]=10.98.0.12/24 [rsmin]=10.98.2.21/24)
for h in "${hosts[@]}"; do
  ip netns add "l4b-$h"
  ip link add "l4b-$h" type veth peer name eth0 netns "l4b-$h"
  ip link set "l4b-$h" netns l4b-sw
  in_ns sw ip link set "l4b-$h" master br0 up
  in_ns "$h" ip link set lo up
  in_ns "$h" ip link set eth0 up
  in_ns "$h" ip addr add "${addr[$h]}" dev eth0
done
in_ns lb ip addr add 10.98.1.1/24 dev eth0
for vip in 100 101 102 103; do in_ns lb ip addr add "10.98.0.$vip/32" dev eth0; done
in_ns lb sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_time_wait=5 2>/dev/null || true
in_ns rsnat ip route add default via 10.98.1.1
for k in all.arp_ignore=1 all.arp_announce=2 eth0.arp_ignore=1 eth0.arp_announce=2; do
  in_ns rsdr sysctl -qw "net.ipv4.conf.$k"
done
in_ns rsdr ip addr add 10.98.0.101/32 dev lo
in_ns rsdr ip addr add 10.98.0.111/32 dev lo

# The minimal rule set: what the kernel does with nothing of lbctl's around it.
in_ns lbmin ip addr add 10.98.2.1/24 dev eth0
for vip in 110 111; do in_ns lbmin ip addr add "10.98.0.$vip/32" dev eth0; done
in_ns rsmin ip route add default via 10.98.2.1
in_ns lbmin sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
  net.ipv4.conf.eth0.send_redirects=0
in_ns lbmin sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_time_wait=5 2>/dev/null || true
in_ns lbmin nft -f - <<'NFT'
table ip minimal {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr 10.98.0.110 tcp dport 80 dnat to 10.98.2.21:80
  }
}
table netdev minimal_dr {
  chain ingress {
    type filter hook ingress device "eth0" priority 0; policy accept;
    ip daddr 10.98.0.111 tcp dport 80 fwd ip to 10.98.0.22 device "eth0"
  }
}
NFT

truncate -s 4G "$work/bulk"
mkdir -p "$work/www" && echo "hello" > "$work/www/index.html" && ln -s "$work/bulk" "$work/www/bulk"
for h in rsnat rsdr rsmin; do
  cat > "$work/nginx-$h.conf" <<CONF
worker_processes 1;
pid $work/nginx-$h.pid;
error_log $work/nginx-$h-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen 80 reuseport; root $work/www; disable_symlinks off; }
}
CONF
  in_ns "$h" nginx -c "$work/nginx-$h.conf" -p "$work"
done
trap 'for h in rsnat rsdr rsmin; do [ -f "$work/nginx-$h.pid" ] && kill "$(cat "$work/nginx-$h.pid")" 2>/dev/null; done; bench_cleanup; l4_cleanup' EXIT

cat > "$work/lbctl.yaml" <<CONF
virtualServices:
  - {label: nat, address: 10.98.0.100, ports: [80], layer: 4, mode: nat,
     realServers: [{label: rs, address: 10.98.1.21, port: 80}]}
  - {label: dr, address: 10.98.0.101, ports: [80], layer: 4, mode: dr,
     realServers: [{label: rs, address: 10.98.0.22, port: 0}]}
  - {label: snat, address: 10.98.0.102, ports: [80], layer: 4, mode: snat,
     realServers: [{label: rs, address: 10.98.0.22, port: 80}]}
  - {label: proxy, address: 10.98.0.103, ports: [80], layer: 7,
     realServers: [{label: rs, address: 10.98.0.22, port: 80}]}
CONF
# Not through in_ns: $! must be the node itself (ip netns exec runs java in its place).
ip netns exec l4b-lb java ${LBCTL_JAVA_OPTS:-} -jar "$root/lb-cli/target/lbctl.jar" run --config "$work/lbctl.yaml" \
  --socket "$work/lbctl.sock" --io-threads 1 > "$work/lbctl.log" 2>&1 &
pids+=($!)
declare -A url=([direct]=http://10.98.0.22 [nat]=http://10.98.0.100 [dr]=http://10.98.0.101
  [snat]=http://10.98.0.102 [proxy]=http://10.98.0.103 [minnat]=http://10.98.0.110
  [mindr]=http://10.98.0.111)
paths=(direct minnat mindr nat dr snat proxy)
for p in "${paths[@]}"; do
  for _ in $(seq 100); do in_ns client curl -sf -o /dev/null --max-time 1 "${url[$p]}/" && break; sleep 0.2; done
  in_ns client curl -sf -o /dev/null --max-time 2 "${url[$p]}/" \
    || { echo "bench: $p (${url[$p]}) does not answer" >&2; cat "$work/lbctl.log" >&2; exit 1; }
done

# Warm-up: the JIT of the proxy path, conntrack, and the 4 GiB file into the page cache.
for p in "${paths[@]}"; do
  in_ns client wrk -t1 -c"$conns" -d"${WARMUP:-5}s" -H "Connection: close" "${url[$p]}/" > /dev/null
  in_ns client curl -s -o /dev/null "${url[$p]}/bulk"
done
declare -A cps bulk
for r in $(seq "$rounds"); do
  for p in "${paths[@]}"; do
    cps[$p]+="$(in_ns client wrk -t1 -c"$conns" -d"${secs}s" -H "Connection: close" "${url[$p]}/" \
      | awk '/Requests\/sec/ {print $2}') "
    bulk[$p]+="$(in_ns client curl -s -o /dev/null -w '%{speed_download}' "${url[$p]}/bulk") "
  done
done
declare -A m_cps m_bulk
for p in "${paths[@]}"; do
  m_cps[$p]="$(median <<<"${cps[$p]}")"
  m_bulk[$p]="$(median <<<"${bulk[$p]}")"
  printf '%-7s connections_per_s=%-10s bulk_MiB_per_s=%-8.0f rounds cps [%s] bulk [%s]\n' "$p" \
    "${m_cps[$p]}" "$(awk -v b="${m_bulk[$p]}" 'BEGIN {print b/1048576}')" "${cps[$p]% }" "${bulk[$p]% }"
done
awk -v sk="${m_cps[snat]}" -v sp="${m_cps[proxy]}" -v bk="${m_bulk[snat]}" \
    -v bp="${m_bulk[proxy]}" 'BEGIN {
  printf "snat_kernel_vs_proxy connections=%.2f bulk=%.2f\n", sk/sp, bk/bp
}'
awk -v dc="${m_cps[direct]}" -v db="${m_bulk[direct]}" -v nc="${m_cps[nat]}" -v nb="${m_bulk[nat]}" \
    -v rc="${m_cps[dr]}" -v rb="${m_bulk[dr]}" -v mn="${m_cps[minnat]}" -v md="${m_cps[mindr]}" \
    -v mnb="${m_bulk[minnat]}" -v mdb="${m_bulk[mindr]}" 'BEGIN {
  printf "nat_vs_direct connections=%.2f bulk=%.2f\n", nc/dc, nb/db
  printf "dr_vs_direct connections=%.2f bulk=%.2f\n", rc/dc, rb/db
  printf "minimal_vs_direct nat_connections=%.2f dr_connections=%.2f nat_bulk=%.2f dr_bulk=%.2f\n", mn/dc, md/dc, mnb/db, mdb/db
  printf "ratio_nat_cps_vs_minimal=%.2f ratio_dr_cps_vs_minimal=%.2f ratio_nat_bulk_vs_direct=%.2f ratio_dr_bulk_vs_direct=%.2f\n", nc/mn, rc/md, nb/db, rb/db
}' > "$work/ratios"
head -n -1 "$work/ratios"
last="$(tail -1 "$work/ratios")"
figures=()
for p in "${paths[@]}"; do figures+=("${p}_cps=${m_cps[$p]}" "${p}_bulk_bytes_per_s=${m_bulk[$p]}"); done
# shellcheck disable=SC2086
bench_json l4 "${figures[@]}" $last secs="$secs" conns="$conns" rounds="$rounds" 1>&2
echo "$last"
