#!/usr/bin/env bash
# Clinical traffic through a failing pair (issue 20): the namespace lab of drill.sh with a DICOM
# VIP routing by Called AE title to two storescp archives and an hl7-mllp VIP balancing 10k HL7
# messages from 8 resending HAPI senders over two engines, while the active node is killed N times
# (default 5). Last line:
#   clinical: dicom_routed=N/N dicom_rejected_unknown_ae=ok hl7_sent=N hl7_lost=0 hl7_duplicates=D hl7_order_violations=0
# Root only; LBCTL_JAR and KEEP as for drill.sh.
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/drill.sh" clinical "${1:-5}"
