# Shared by the benchmarks in this directory; source it, do not run it.
# bench_setup PREFIX PACKAGE...: installs missing Debian packages, builds the jar if absent, makes
# $work (a temporary directory) and removes it, the processes in $pids and the nginx of
# $work/nginx.pid when the script exits. Sets $root to the repository.
bench_setup() {
  local prefix="$1"; shift
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  local need=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  [ -f "$root/lb-cli/target/lbctl.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
  work="$(mktemp -d "/tmp/$prefix.XXXXXX")"
  pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}

# bench_args [seconds per run, default 10] [connections, default 50] [rounds, default 3]: sets
# $secs, $conns and $rounds.
bench_args() {
  secs="${1:-10}"
  conns="${2:-50}"
  rounds="${3:-3}"
}

# The median of whitespace-separated numbers on stdin.
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# bench_json NAME KEY=VALUE...: writes the figures as JSON to $BENCH_JSON_DIR/NAME.json (default
# target/bench under the repository), with the commit and the time, beside the text output; the
# path is printed on stderr. docs/bench/ keeps the latest per release (copy it there).
bench_json() {
  local name="$1"; shift
  local dir="${BENCH_JSON_DIR:-$root/target/bench}"
  mkdir -p "$dir"
  python3 - "$dir/$name.json" "$name" "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$@" <<'PY'
import json, sys, datetime
path, name, commit, *pairs = sys.argv[1:]
figures = {}
for p in pairs:
    k, _, v = p.partition("=")
    try:
        figures[k] = float(v) if any(c in v for c in ".eE") else int(v)
    except ValueError:
        figures[k] = v
doc = {"bench": name, "commit": commit,
       "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
       "figures": figures}
with open(path, "w") as f:
    json.dump(doc, f, indent=2, sort_keys=False)
    f.write("\n")
PY
  echo "bench: figures in $dir/$name.json" >&2
}
