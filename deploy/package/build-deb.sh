#!/usr/bin/env bash
# Builds lbctl_VERSION_amd64.deb from the packaged jar: the launcher, the systemd unit, an example
# node file, the deployment profiles, the check scripts, the MIB and the docs.
#   deploy/package/build-deb.sh [VERSION] [OUT_DIR]     (jar: lb-cli/target/lbctl.jar; build it first)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="${1:-0.1.0}"
out="${2:-$repo/target}"
jar="$repo/lb-cli/target/lbctl.jar"
[ -f "$jar" ] || { echo "build-deb: $jar is missing: run 'mvn -DskipTests package' first" >&2; exit 1; }

root="$(mktemp -d)"
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/lbctl/profiles" \
  "$root/usr/share/lbctl/scripts" "$root/lib/systemd/system" "$root/etc/lbctl/scripts" \
  "$root/usr/share/doc/lbctl" "$root/usr/share/snmp/mibs" "$root/usr/lib/sysctl.d"

install -m 0644 "$jar" "$root/usr/share/lbctl/lbctl.jar"
install -m 0755 "$here/lbctl" "$root/usr/bin/lbctl"
install -m 0644 "$repo/deploy/systemd/lbctl.service" "$root/lib/systemd/system/lbctl.service"
install -m 0644 "$here/node.yaml" "$root/etc/lbctl/node.yaml"
install -m 0644 "$here/60-lbctl.conf" "$root/usr/lib/sysctl.d/60-lbctl.conf"
install -m 0644 "$repo"/deploy/profiles/*.yaml "$repo"/deploy/profiles/*.md "$root/usr/share/lbctl/profiles/"
install -m 0755 "$repo"/deploy/scripts/* "$root/usr/share/lbctl/scripts/"
install -m 0644 "$repo/deploy/snmp/LBCTL-MIB.txt" "$root/usr/share/snmp/mibs/LBCTL-MIB.txt"
install -m 0644 "$repo/README.md" "$root/usr/share/doc/lbctl/README.md"
[ -d "$repo/docs" ] && cp -r "$repo/docs/." "$root/usr/share/doc/lbctl/"

installed_kb="$(du -sk "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$installed_kb/" "$here/control" > "$root/DEBIAN/control"
install -m 0644 "$here/conffiles" "$root/DEBIAN/conffiles"
install -m 0755 "$here/postinst" "$root/DEBIAN/postinst"

mkdir -p "$out"
deb="$out/lbctl_${version}_amd64.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
