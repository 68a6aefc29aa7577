#!/usr/bin/env bash
# Layer 7 TCP mode on loopback, in one run: wrk and a 1 GiB download through HAProxy (tcp mode,
# one thread), through lbctl (one event loop) and directly to nginx, all to the same nginx.
# Last line: ratio_rps_vs_haproxy=X ratio_bulk_vs_haproxy=Y ratio_p99_vs_haproxy=Z
#   rps and bulk: higher is better (>= 1.0 means lbctl is at least as fast as HAProxy)
#   p99: lower is better (<= 1.0 means lbctl's p99 latency is no worse)
# Each figure is the median of ROUNDS rounds; a round measures the three paths one after another,
# so slow drift of the machine touches all three alike.
# Every path is warmed up first for WARMUP seconds (default 20): a JVM reaches its steady state
# only after the JIT has compiled the hot paths, and a load balancer lives in that state.
# Usage: deploy/bench/l7-tcp.sh [seconds per wrk run, default 10] [wrk connections, default 50]
#        [rounds, default 3]; LOOPS=N gives lbctl N event loops and HAProxy N threads (default 1),
#        WRK_THREADS=N the client N threads (default 1). Figures also go to target/bench as JSON.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_args "$@"
bench_setup lbctl-bench haproxy nginx-light wrk curl

NGINX=127.0.0.1:18080 HAPROXY=127.0.0.1:18081 LBCTL=127.0.0.1:18082

# The 1 GiB body is a sparse file: served from the page cache, the same for all three paths.
truncate -s 1G "$work/bulk"
mkdir -p "$work/www" && echo "hello from nginx" > "$work/www/index.html" && ln -s "$work/bulk" "$work/www/bulk"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen $NGINX; root $work/www; disable_symlinks off; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"

cat > "$work/haproxy.cfg" <<CONF
global
  nbthread ${LOOPS:-1}
  maxconn 8000
defaults
  mode tcp
  timeout connect 4s
  timeout client 5m
  timeout server 5m
frontend f
  bind $HAPROXY
  default_backend b
backend b
  server nginx $NGINX
CONF
haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 &
pids+=($!)

cat > "$work/lbctl.yaml" <<CONF
virtualServices:
  - label: bench
    address: ${LBCTL%:*}
    ports: [${LBCTL#*:}]
    realServers: [{label: nginx, address: ${NGINX%:*}, port: ${NGINX#*:}}]
CONF
java ${LBCTL_JAVA_OPTS:-} -jar "$root/lb-cli/target/lbctl.jar" run --config "$work/lbctl.yaml" \
  --socket "$work/lbctl.sock" --io-threads "${LOOPS:-1}" > "$work/lbctl.log" 2>&1 &
pids+=($!)

for target in $NGINX $HAPROXY $LBCTL; do
  for _ in $(seq 100); do curl -sf -o /dev/null "http://$target/" && break; sleep 0.1; done
  curl -sf -o /dev/null "http://$target/" || { echo "bench: $target did not come up" >&2; cat "$work"/*.log >&2; exit 1; }
done

# wrk prints e.g. "Requests/sec: 68000.12" and "99%  1.23ms": normalise latency to ms.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f", v}'; }
run_wrk() { # target -> "rps p50 p99"
  local out; out="$(wrk -t"${WRK_THREADS:-1}" -c"$conns" -d"${secs}s" --latency "http://$1/")"
  local rps p50 p99
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)"
  echo "$rps $p50 $p99"
}
run_bulk() { # target -> bytes/s of one 1 GiB download
  curl -s -o /dev/null -w '%{speed_download}' "http://$1/bulk"
}

declare -A target=([direct]=$NGINX [haproxy]=$HAPROXY [lbctl]=$LBCTL)
declare -A rps p50 p99 bulk
for name in direct haproxy lbctl; do   # warm-up: JIT, pools, page cache
  wrk -t"${WRK_THREADS:-1}" -c"$conns" -d"${WARMUP:-20}s" "http://${target[$name]}/" > /dev/null
  run_bulk "${target[$name]}" > /dev/null
done
for r in $(seq "$rounds"); do
  for name in direct haproxy lbctl; do
    read -r a b c <<<"$(run_wrk "${target[$name]}")"
    rps[$name]+="$a " p50[$name]+="$b " p99[$name]+="$c "
    bulk[$name]+="$(run_bulk "${target[$name]}") "
  done
done
declare -A m_rps m_p50 m_p99 m_bulk
for name in direct haproxy lbctl; do
  m_rps[$name]="$(median <<<"${rps[$name]}")"
  m_p50[$name]="$(median <<<"${p50[$name]}")"
  m_p99[$name]="$(median <<<"${p99[$name]}")"
  m_bulk[$name]="$(median <<<"${bulk[$name]}")"
  printf '%-8s rps=%-10s p50_ms=%-7s p99_ms=%-7s bulk_bytes_per_s=%.0f (%.2f GB/s)   rounds: rps [%s] p99 [%s]\n' \
    "$name" "${m_rps[$name]}" "${m_p50[$name]}" "${m_p99[$name]}" "${m_bulk[$name]}" \
    "$(awk -v b="${m_bulk[$name]}" 'BEGIN {print b/1e9}')" "${rps[$name]% }" "${p99[$name]% }"
done

awk -v lr="${m_rps[lbctl]}" -v hr="${m_rps[haproxy]}" -v lb="${m_bulk[lbctl]}" -v hb="${m_bulk[haproxy]}" \
    -v lp="${m_p99[lbctl]}" -v hp="${m_p99[haproxy]}" -v dr="${m_rps[direct]}" -v db="${m_bulk[direct]}" 'BEGIN {
  printf "ratio_rps_vs_direct=%.2f ratio_bulk_vs_direct=%.2f\n", lr/dr, lb/db
  printf "ratio_rps_vs_haproxy=%.2f ratio_bulk_vs_haproxy=%.2f ratio_p99_vs_haproxy=%.2f\n", lr/hr, lb/hb, lp/hp
}' > "$work/ratios"
head -n -1 "$work/ratios"
last="$(tail -1 "$work/ratios")"
figures=(loops="${LOOPS:-1}" wrk_threads="${WRK_THREADS:-1}")
for name in direct haproxy lbctl; do
  figures+=("${name}_rps=${m_rps[$name]}" "${name}_p50_ms=${m_p50[$name]}" "${name}_p99_ms=${m_p99[$name]}"
    "${name}_bulk_bytes_per_s=${m_bulk[$name]}")
done
# shellcheck disable=SC2086
bench_json "l7-tcp-loops${LOOPS:-1}" "${figures[@]}" $last
echo "$last"
