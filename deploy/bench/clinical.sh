#!/usr/bin/env bash
# Clinical protocols on loopback, in one run:
#   - DICOM association setup (connect to A-ASSOCIATE-AC, Verification) p99 to dcmtk's storescp
#     directly, through a TCP-mode VIP and through a DICOM-mode VIP that routes by Called AE title,
#     the three paths taking turns association by association;
#   - C-STORE throughput (storescu, one association, COPIES x an 8 MB object, storescp --ignore)
#     through the TCP-mode and the DICOM-mode VIP;
#   - HL7 messages/s with 10 senders (each waits for its ACK, MSA-2 checked) straight to one
#     engine and through an hl7-mllp VIP balancing per message over two engines (ClinicalLoad's
#     own MLLP engine: it answers at once, so what is measured is the path).
# Last line: dicom_setup_p99_added_ms=X ratio_dicom_store_vs_tcp=Y hl7_msgs_per_s=Z
# (X: DICOM mode's p99 minus TCP mode's; target <= 0.2. Y: >= 0.95. Z: through lbctl.)
# Each figure is the median of ROUNDS rounds.
# Usage: deploy/bench/clinical.sh [seconds per HL7 run, default 10] [associations, default 2000]
#        [rounds, default 3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
secs="${1:-10}" assocs="${2:-2000}" rounds="${3:-3}" copies="${COPIES:-40}"
bench_setup lbctl-bench-clinical dcmtk
load() { java "$here/ClinicalLoad.java" "$@"; }

SCP=18280 V_TCP=18281 V_DICOM=18282 E1=18283 E2=18284 V_HL7=18285
storescp --ignore -aet ARCHIVE "$SCP" > "$work/storescp.log" 2>&1 &
pids+=($!)
# Started as java itself, not through load(): $! must be the engine's PID for the cleanup to stop
# it (a function in the background is a subshell, and killing that leaves its java running).
java "$here/ClinicalLoad.java" hl7-server "$E1" > "$work/e1.log" 2>&1 &
pids+=($!)
java "$here/ClinicalLoad.java" hl7-server "$E2" > "$work/e2.log" 2>&1 &
pids+=($!)

cat > "$work/lbctl.yaml" <<CONF
virtualServices:
  - label: tcp
    address: 127.0.0.1
    ports: [$V_TCP]
    realServers: [{label: scp, address: 127.0.0.1, port: $SCP}]
  - label: dicom
    address: 127.0.0.1
    ports: [$V_DICOM]
    protocol: dicom
    dicom: {routes: [{calledAeTitle: ARCHIVE, servers: [scp]}]}
    realServers: [{label: scp, address: 127.0.0.1, port: $SCP}]
  - label: hl7
    address: 127.0.0.1
    ports: [$V_HL7]
    protocol: hl7-mllp
    scheduler: weighted-round-robin
    realServers:
      - {label: e1, address: 127.0.0.1, port: $E1}
      - {label: e2, address: 127.0.0.1, port: $E2}
CONF
java ${LBCTL_JAVA_OPTS:-} -jar "$root/lb-cli/target/lbctl.jar" run --config "$work/lbctl.yaml" \
  --socket "$work/lbctl.sock" --io-threads 1 --https none > "$work/lbctl.log" 2>&1 &
pids+=($!)
for port in "$SCP" "$V_TCP" "$V_DICOM" "$E1" "$V_HL7"; do
  for _ in $(seq 150); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
done
echoscu -aec ARCHIVE 127.0.0.1 "$V_DICOM" || { echo "bench: no echo through DICOM mode" >&2; cat "$work"/*.log >&2; exit 1; }

# An 8 MB Secondary Capture object.
head -c 8000000 /dev/urandom > "$work/px.bin"
cat > "$work/big.dump" <<DUMP
(0008,0016) UI =SecondaryCaptureImageStorage
(0008,0018) UI [2.25.4242]
(0008,0060) CS [OT]
(0010,0010) PN [Bench^Patient]
(0020,000d) UI [2.25.42421]
(0020,000e) UI [2.25.42422]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 2000
(0028,0011) US 2000
(0028,0100) US 16
(0028,0101) US 16
(0028,0102) US 15
(0028,0103) US 0
(7fe0,0010) OW =$work/px.bin
DUMP
dump2dcm "$work/big.dump" "$work/big.dcm" 2>/dev/null
files=()
for _ in $(seq "$copies"); do files+=("$work/big.dcm"); done
# MB/s of one association storing every copy.
store_mbps() {
  local t0 t1
  t0=$(date +%s.%N)
  storescu -aec ARCHIVE 127.0.0.1 "$1" "${files[@]}"
  t1=$(date +%s.%N)
  awk -v n="$copies" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", n * 8 / (b - a)}'
}

load assoc 127.0.0.1 "$SCP,$V_TCP,$V_DICOM" 200 ARCHIVE > /dev/null
load hl7-load 127.0.0.1 "$V_HL7" 10 3 > /dev/null
declare -A p99 p50 store hl7
for r in $(seq "$rounds"); do
  out="$(load assoc 127.0.0.1 "$SCP,$V_TCP,$V_DICOM" "$assocs" ARCHIVE)"
  for path in direct:$SCP tcp:$V_TCP dicom:$V_DICOM; do
    line="$(grep "^${path#*:} " <<<"$out")"
    p99[${path%%:*}]+="$(sed 's/.*p99_ms=//' <<<"$line") "
    p50[${path%%:*}]+="$(sed 's/.*p50_ms=\([0-9.]*\).*/\1/' <<<"$line") "
  done
  for path in tcp:$V_TCP dicom:$V_DICOM; do store[${path%%:*}]+="$(store_mbps "${path#*:}") "; done
  for path in direct:$E1 lbctl:$V_HL7; do
    hl7[${path%%:*}]+="$(load hl7-load 127.0.0.1 "${path#*:}" 10 "$secs" | sed 's/msgs_per_s=//') "
  done
done
declare -A m_p99 m_store m_hl7
for name in direct tcp dicom; do
  m_p99[$name]="$(median <<<"${p99[$name]}")"
  printf '%-7s assoc_setup_p99_ms=%-8s p50_ms=%-8s rounds [%s]\n' "$name" "${m_p99[$name]}" \
    "$(median <<<"${p50[$name]}")" "${p99[$name]% }"
done
for name in tcp dicom; do
  m_store[$name]="$(median <<<"${store[$name]}")"
  printf '%-7s c_store_mb_per_s=%-8s rounds [%s]\n' "$name" "${m_store[$name]}" "${store[$name]% }"
done
for name in direct lbctl; do
  m_hl7[$name]="$(median <<<"${hl7[$name]}")"
  printf '%-7s hl7_msgs_per_s=%-8s rounds [%s] (10 senders)\n' "$name" "${m_hl7[$name]}" "${hl7[$name]% }"
done
awk -v d="${m_p99[dicom]}" -v t="${m_p99[tcp]}" -v x="${m_p99[direct]}" \
    -v sd="${m_store[dicom]}" -v st="${m_store[tcp]}" -v h="${m_hl7[lbctl]}" -v hd="${m_hl7[direct]}" 'BEGIN {
  printf "dicom_setup_p99_added_vs_direct_ms=%.3f ratio_hl7_vs_direct=%.2f\n", d - x, h / hd
  printf "dicom_setup_p99_added_ms=%.3f ratio_dicom_store_vs_tcp=%.2f hl7_msgs_per_s=%.0f\n", d - t, sd / st, h
}'
