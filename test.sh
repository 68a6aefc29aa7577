#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, then runs the whole suite (mvn -B verify).
# Extra arguments go to Maven, e.g. ./test.sh -pl lb-core -Dit.test=EpollProxyEngineIT
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# What the tests run against: a JDK 17 and Maven to build, kill(1) for the signal tests,
# nginx and curl as real HTTP peers, h2load (nghttp2-client) as an HTTP/2 client, Node.js for llhttp (the second HTTP/1.1 parser), iproute2, iputils and ipv6toolkit for the namespace labs
# (floating IPs, gratuitous ARP, IPv6 neighbour advertisements, ping), dcmtk as the DICOM peer
# of the C-ECHO check, headless Chromium and chromedriver for the web UI, snmpwalk, snmptrapd and
# smilint (the MIB compiler), slapd
# (OpenLDAP) as the directory of management logins,
# rsyslog with its TLS driver as the audit log's syslog server. The namespace tests need root, as CI has.
packages=(openjdk-17-jdk-headless maven procps nginx-light curl nghttp2-client nodejs iproute2 nftables iputils-arping iputils-ping ipv6toolkit dcmtk chromium chromium-driver snmp snmptrapd smitools slapd rsyslog rsyslog-gnutls systemd tcpdump python3)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The IETF base modules LBCTL-MIB imports (SNMPv2-SMI, -TC, -CONF) are not in Debian main; npm's
# net-snmp package carries them. Fetched once from the npm registry, checked by hash, for smilint.
mibs="${XDG_CACHE_HOME:-$HOME/.cache}/lbctl/ietf-mibs"
if [ ! -f "$mibs/SNMPv2-CONF" ]; then
  tmp=$(mktemp -d)
  curl -fsSL --retry 3 -o "$tmp/net-snmp.tgz" https://registry.npmjs.org/net-snmp/-/net-snmp-3.29.2.tgz
  echo "a89a7a7e29638b5353aa246563821172754ff1980bfc4b5dbd09dc1b217c6f04  $tmp/net-snmp.tgz" | sha256sum -c --quiet
  tar xzf "$tmp/net-snmp.tgz" -C "$tmp" package/lib/mibs
  mkdir -p "$mibs"
  for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF; do cp "$tmp/package/lib/mibs/$m.mib" "$mibs/$m"; done
  rm -rf "$tmp"
fi
export LBCTL_IETF_MIBS="$mibs"

cd "$here"
exec mvn -B verify "$@"
