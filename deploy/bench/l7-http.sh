#!/usr/bin/env bash
# HTTP mode on loopback, in one run, against HAProxy (http mode, one thread) and nginx directly:
#   - requests/s with cookie persistence inserting its cookie (HAProxy: cookie SRV insert), two
#     nginx servers, keep-alive clients (wrk, which never sends the cookie back: every response
#     carries an inserted cookie on both);
#   - TLS handshakes/s: every request a new TLS connection (Connection: close) to the same
#     ECDSA P-256 certificate on both;
#   - the HTTP requests' 99th percentile latency (wrk --latency), next to requests/s;
#   - HTTP/2 over TLS requests/s (h2load, 4 connections x 20 concurrent streams; both proxies
#     speak HTTP/1.1 to the servers and insert the cookie);
#   - the HTTP requests/s again through a second lbctl node on the optional io_uring transport
#     (--transport io_uring); the last line's figures are the default transport's (epoll).
# Last line: ratio_http_rps_vs_haproxy=X ratio_tls_hs_vs_haproxy=Y ratio_h2_rps_vs_haproxy=Z
# (>= 1.0: lbctl at least as fast)
# Each figure is the median of ROUNDS rounds; every path is warmed up first (WARMUP s, default 20).
# Usage: deploy/bench/l7-http.sh [seconds per wrk run, default 10] [connections, default 50]
#        [rounds, default 3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_args "$@"
bench_setup lbctl-bench-http haproxy nginx-light wrk curl openssl nghttp2-client

N1=127.0.0.1:18180 N2=127.0.0.1:18181
H_HTTP=127.0.0.1:18182 H_TLS=127.0.0.1:18183
L_HTTP=127.0.0.1:18184 L_TLS=18185 U_HTTP=127.0.0.1:18186

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cat "$work/cert.pem" "$work/key.pem" > "$work/haproxy.pem"

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen $N1; location / { return 200 "one\n"; } }
  server { listen $N2; location / { return 200 "two\n"; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"

cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 8000
defaults
  mode http
  timeout connect 4s
  timeout client 5m
  timeout server 5m
  option http-keep-alive
frontend plain
  bind $H_HTTP
  default_backend b
frontend tls
  bind $H_TLS ssl crt $work/haproxy.pem alpn h2,http/1.1
  default_backend b
backend b
  balance roundrobin
  cookie LBCTL_SERVER insert indirect nocache httponly
  server one $N1 cookie one
  server two $N2 cookie two
CONF
haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 &
pids+=($!)

cat > "$work/lbctl.yaml" <<CONF
certificates:
  - {name: bench, certificateFile: $work/cert.pem, keyFile: $work/key.pem}
virtualServices:
  - label: bench
    address: ${L_HTTP%:*}
    ports: [${L_HTTP#*:}]
    protocol: http
    scheduler: weighted-round-robin
    persistence: {mode: http-cookie}
    termination: {port: $L_TLS, certificate: bench}
    realServers:
      - {label: one, address: ${N1%:*}, port: ${N1#*:}}
      - {label: two, address: ${N2%:*}, port: ${N2#*:}}
CONF
java ${LBCTL_JAVA_OPTS:-} -jar "$root/lb-cli/target/lbctl.jar" run --config "$work/lbctl.yaml" \
  --socket "$work/lbctl.sock" --io-threads 1 > "$work/lbctl.log" 2>&1 &
pids+=($!)
sed -e "s/ports: \[${L_HTTP#*:}\]/ports: [${U_HTTP#*:}]/" -e '/termination:/d' \
  "$work/lbctl.yaml" > "$work/lbctl-uring.yaml"
java ${LBCTL_JAVA_OPTS:-} -jar "$root/lb-cli/target/lbctl.jar" run --config "$work/lbctl-uring.yaml" \
  --socket "$work/lbctl-uring.sock" --io-threads 1 --transport io_uring --https none \
  > "$work/lbctl-uring.log" 2>&1 &
pids+=($!)

for url in "http://$N1/" "http://$H_HTTP/" "http://$L_HTTP/" "http://$U_HTTP/" "https://$H_TLS/" "https://127.0.0.1:$L_TLS/"; do
  for _ in $(seq 100); do curl -skf -o /dev/null "$url" && break; sleep 0.1; done
  curl -skf -o /dev/null "$url" || { echo "bench: $url did not come up" >&2; cat "$work"/*.log >&2; exit 1; }
done
curl -si "http://$L_HTTP/" | grep -qi '^set-cookie: LBCTL_SERVER=' || { echo "bench: lbctl inserts no cookie" >&2; exit 1; }
curl -si "http://$H_HTTP/" | grep -qi '^set-cookie: LBCTL_SERVER=' || { echo "bench: haproxy inserts no cookie" >&2; exit 1; }

rps_of() { wrk -t1 -c"$conns" -d"${secs}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
# Requests/s and the 99th percentile latency in ms, from one wrk run.
rps_p99_of() {
  wrk -t1 -c"$conns" -d"${secs}s" --latency "$@" | awk '
    /Requests\/sec/ {rps = $2}
    $1 == "99%" {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                 p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v}
    END {print rps, p99}'
}
h2_rps_of() { h2load -D "$1" -c 4 -m 20 "$2" | awk '/^finished in/ {print $4}'; }

declare -A http=([direct]="http://$N1/" [haproxy]="http://$H_HTTP/" [lbctl]="http://$L_HTTP/"
  [lbctl-io_uring]="http://$U_HTTP/")
declare -A tls=([haproxy]="https://$H_TLS/" [lbctl]="https://127.0.0.1:$L_TLS/")
for name in direct haproxy lbctl lbctl-io_uring; do
  wrk -t1 -c"$conns" -d"${WARMUP:-20}s" "${http[$name]}" > /dev/null
done
for name in haproxy lbctl; do
  wrk -t1 -c"$conns" -d"$(( ${WARMUP:-20} / 2 ))s" -H "Connection: close" "${tls[$name]}" > /dev/null
done
for name in haproxy lbctl; do
  h2_rps_of "$(( ${WARMUP:-20} / 2 ))" "${tls[$name]}" > /dev/null
done
curl -sk --http2 -o /dev/null -w '%{http_version}' "${tls[lbctl]}" | grep -qx 2 || { echo "bench: lbctl speaks no h2" >&2; exit 1; }
curl -sk --http2 -o /dev/null -w '%{http_version}' "${tls[haproxy]}" | grep -qx 2 || { echo "bench: haproxy speaks no h2" >&2; exit 1; }
declare -A rps p99 hs h2
for r in $(seq "$rounds"); do
  for name in direct haproxy lbctl lbctl-io_uring; do
    read -r one_rps one_p99 < <(rps_p99_of "${http[$name]}")
    rps[$name]+="$one_rps "
    p99[$name]+="$one_p99 "
  done
  for name in haproxy lbctl; do hs[$name]+="$(rps_of -H "Connection: close" "${tls[$name]}") "; done
  for name in haproxy lbctl; do h2[$name]+="$(h2_rps_of "$secs" "${tls[$name]}") "; done
done
declare -A m_rps m_p99 m_hs m_h2
for name in direct haproxy lbctl lbctl-io_uring; do
  m_rps[$name]="$(median <<<"${rps[$name]}")"
  m_p99[$name]="$(median <<<"${p99[$name]}")"
  printf '%-14s http_rps=%-10s p99_ms=%-7s rounds [%s] p99 [%s]\n' "$name" "${m_rps[$name]}" \
    "${m_p99[$name]}" "${rps[$name]% }" "${p99[$name]% }"
done
for name in haproxy lbctl; do
  m_hs[$name]="$(median <<<"${hs[$name]}")"
  printf '%-8s tls_handshakes_per_s=%-10s rounds [%s]\n' "$name" "${m_hs[$name]}" "${hs[$name]% }"
  m_h2[$name]="$(median <<<"${h2[$name]}")"
  printf '%-8s h2_rps=%-10s rounds [%s]\n' "$name" "${m_h2[$name]}" "${h2[$name]% }"
done
awk -v lr="${m_rps[lbctl]}" -v hr="${m_rps[haproxy]}" -v dr="${m_rps[direct]}" \
    -v lh="${m_hs[lbctl]}" -v hh="${m_hs[haproxy]}" \
    -v l2="${m_h2[lbctl]}" -v h2="${m_h2[haproxy]}" \
    -v lp="${m_p99[lbctl]}" -v hp="${m_p99[haproxy]}" \
    -v ur="${m_rps[lbctl-io_uring]}" -v up="${m_p99[lbctl-io_uring]}" 'BEGIN {
  printf "ratio_http_rps_vs_direct=%.2f\n", lr/dr
  printf "io_uring ratio_http_rps_vs_haproxy=%.2f ratio_http_p99_vs_haproxy=%.2f\n", ur/hr, up/hp
  printf "http_p99_ms lbctl=%s haproxy=%s ratio_http_p99_vs_haproxy=%.2f\n", lp, hp, lp/hp
  printf "ratio_http_rps_vs_haproxy=%.2f ratio_tls_hs_vs_haproxy=%.2f ratio_h2_rps_vs_haproxy=%.2f\n", lr/hr, lh/hh, l2/h2
}'
