#!/usr/bin/env bash
# The replicated stick table under load: two nodes on loopback over the production stack (TCP,
# encrypted with a pair secret), in one JVM, plus a writer in a second JVM killed with SIGKILL.
# Prints the record rate up to 100k and to 1M entries, the replication lag at a steady 5,000
# writes/s (write on one node -> entry on the other) at 100k and at 1M entries, the heap per entry,
# the time a joining node takes to receive 1M entries, and how old an entry may be and still be
# lost when the writing node is killed.
# Last line: stick_puts_per_s=X lag_p99_ms=Y bytes_per_entry=Z transfer_1m_s=W loss_window_ms=V
#   stick_puts_per_s: from 100k to 1M entries; lag_p99_ms: the worse of the two steady runs.
# Usage: deploy/bench/stick.sh [entries, default 1000000] [kills, default 5]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
entries="${1:-1000000}"
kills="${2:-5}"

cd "$root"
mvn -B -q -DskipTests install
cp_file="$(mktemp /tmp/lbctl-stick-cp.XXXXXX)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -pl lb-persistence dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp_file"
java -Xms4g -Xmx4g -XX:+UseG1GC \
  -cp "lb-persistence/target/test-classes:lb-persistence/target/classes:$(cat "$cp_file")" \
  org.lbctl.persistence.StickBench "$entries" "$kills" 2>&1 \
  | grep -E '^(records|link|heap|lag|transfer|kill|stick_)'
