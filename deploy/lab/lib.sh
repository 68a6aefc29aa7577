# Shared by drill.sh and cluster.sh: clocks, bounded waits and the namespace lab on one bridge.
# Sourced; every function reads the namespace prefix from $P.

now_ms() { date +%s%3N; }
wait_for() { # seconds, command...
  local limit=$(( $(now_ms) + $1 * 1000 )); shift
  until "$@"; do [ "$(now_ms)" -lt "$limit" ] || return 1; sleep 0.05; done
}
# Background processes are disowned (no job reports when they are killed): poll for their end.
gone() { ! kill -0 "$1" 2>/dev/null; }

# The switch ${P}sw with its bridge, then each NAME:N as namespace $P<NAME> at 10.99.0.N/24 on
# eth0, a veth whose other end ${P}p-<NAME> is a port of the bridge.
lab_build() {
  local h n a
  ip netns add ${P}sw; ip -n ${P}sw link add br0 type bridge; ip -n ${P}sw link set br0 up
  for h in "$@"; do
    n=${h%%:*}; a=${h##*:}
    ip netns add $P$n; ip -n $P$n link set lo up
    ip link add ${P}p-$n netns ${P}sw type veth peer name eth0 netns $P$n
    ip -n ${P}sw link set ${P}p-$n master br0 up
    ip -n $P$n addr add 10.99.0.$a/24 dev eth0; ip -n $P$n link set eth0 up
  done
}
mac_of() { ip -n $P$1 -o link show dev eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
# The observer's kernel must not answer the SYN-ACKs it did not ask for (probe.py resets them).
lab_quiet_observer() {
  ip netns exec ${P}obs nft -f - <<'NFT'
table ip obs {
  chain out { type filter hook output priority 0; policy accept; tcp flags & rst == rst drop; }
}
NFT
}
# nginx in $P<RS> answering its name on each of the given ports; its pid appended to nginx_pids.
lab_nginx() { # dir rs port...
  local dir=$1 rs=$2; shift 2
  local listen="" p
  for p in "$@"; do listen+="listen $p; "; done
  mkdir -p "$dir/$rs"
  cat > "$dir/$rs/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $dir/$rs/nginx.pid; error_log $dir/$rs/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $dir/$rs; proxy_temp_path $dir/$rs; fastcgi_temp_path $dir/$rs; uwsgi_temp_path $dir/$rs; scgi_temp_path $dir/$rs;
  server { $listen location / { return 200 "$rs\n"; } } }
CONF
  # Its own log, not our stdout: a process that outlives us must not hold our pipe open.
  ip netns exec $P$rs nginx -c "$dir/$rs/nginx.conf" -p "$dir/$rs" > "$dir/$rs/out.log" 2>&1 &
  nginx_pids+=($!); disown $!
}

# On exit, also on failure: nginx, the nodes (${pid[@]}) and background helpers (${bg[@]}) stopped,
# the namespaces of $HOSTS removed by name, $work removed unless KEEP is set. After $2 seconds the
# script stops itself. Call once the lab's globals (pid, bg, nginx_pids, HOSTS, work) exist.
lab_guard() { # name limit_s
  LAB_NAME=$1
  trap lab_cleanup EXIT
  trap 'echo "$LAB_NAME: interrupted" >&2; exit 1' TERM INT
  # (The sleep must not hold our output open after the drill ended: its own output goes nowhere.)
  ( sleep "$2" >/dev/null 2>&1; echo "$LAB_NAME: over the time limit of $2 s, stopping" >&2; kill -TERM $$ ) 2>/dev/null &
  bg+=($!); disown $!
  local n
  for n in $HOSTS; do ip netns del "$P$n" 2>/dev/null || true; done
}
lab_cleanup() {
  set +e
  trap - TERM INT
  local p n
  # SIGTERM to nginx's master stops its workers too; SIGKILL would orphan them.
  for p in "${nginx_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  # A stopped JVM must be continued to die of SIGKILL promptly; it dies either way.
  for p in "${pid[@]}" "${bg[@]}"; do kill -9 "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; done
  for p in "${pid[@]}" "${bg[@]}" "${nginx_pids[@]}"; do wait_for 5 gone "$p"; done
  for n in $HOSTS; do ip netns del "$P$n" 2>/dev/null; done
  if [ -n "${KEEP:-}" ]; then echo "$LAB_NAME: kept $work" >&2; else rm -rf "$work"; fi
}
