package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.os.Commands;

/**
 * The .deb built by deploy/package/build-deb.sh from the packaged jar: its metadata, its files, a
 * launcher that runs from where it is unpacked, the profiles it ships valid, and a unit that
 * systemd accepts, runs unprivileged with three capabilities and waits for READY=1.
 */
class PackageIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path dir;

  private static Commands.Result run(String... argv) throws Exception {
    return Commands.run(Duration.ofMinutes(2), List.of(argv));
  }

  @Test
  void theDebianPackageInstallsTheLauncherTheUnitAndTheProfiles() throws Exception {
    Commands.Result built =
        run(
            "bash",
            REPO.resolve("deploy/package/build-deb.sh").toString(),
            "9.9.9",
            dir.toString());
    assertThat(built.ok()).as(built.describe()).isTrue();
    String deb = dir.resolve("lbctl_9.9.9_amd64.deb").toString();

    assertThat(run("dpkg-deb", "--field", deb, "Package", "Version").output())
        .contains("Package: lbctl", "Version: 9.9.9");
    assertThat(run("dpkg-deb", "--field", deb, "Depends").output())
        .contains("openjdk-17-jre-headless", "nftables", "iproute2", "iputils-arping");
    assertThat(run("dpkg-deb", "--info", deb, "conffiles").output())
        .contains("/etc/lbctl/node.yaml");
    String contents = run("dpkg-deb", "--contents", deb).output();
    assertThat(contents)
        .contains(
            "./usr/bin/lbctl",
            "./usr/share/lbctl/lbctl.jar",
            "./lib/systemd/system/lbctl.service",
            "./etc/lbctl/node.yaml",
            "./usr/lib/sysctl.d/60-lbctl.conf",
            "./usr/share/snmp/mibs/LBCTL-MIB.txt");
    for (String p : List.of("iconnect", "mach7", "ge-ccw", "epic", "insignia")) {
      assertThat(contents).contains("./usr/share/lbctl/profiles/" + p + ".yaml");
    }
    assertThat(contents.lines().findFirst().orElseThrow()).startsWith("drwxr-xr-x root/root");

    Path root = dir.resolve("root");
    assertThat(run("dpkg-deb", "-x", deb, root.toString()).ok()).isTrue();
    Path launcher = root.resolve("usr/bin/lbctl");
    assertThat(run(launcher.toString(), "--version").output()).startsWith("lbctl ");
    for (String p : List.of("iconnect", "mach7", "ge-ccw", "epic", "insignia")) {
      Commands.Result check =
          run(
              launcher.toString(),
              "config",
              "check",
              // Templates: their certificate files are placeholders on this host.
              "--file-only",
              root.resolve("usr/share/lbctl/profiles/" + p + ".yaml").toString());
      assertThat(check.ok()).as(check.describe()).isTrue();
      assertThat(check.output()).contains("valid");
    }

    Path unit = root.resolve("lib/systemd/system/lbctl.service");
    String text = Files.readString(unit);
    assertThat(text)
        .contains(
            "Type=notify",
            "User=lbctl",
            "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE",
            "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE",
            "NoNewPrivileges=yes",
            "ExecStartPre=/usr/bin/lbctl config check --node /etc/lbctl/node.yaml");
    // systemd's own check, with the commands pointing where the package was unpacked.
    Path copy = dir.resolve("lbctl.service");
    Files.writeString(copy, text.replace("/usr/bin/lbctl", launcher.toString()));
    Commands.Result verify = run("systemd-analyze", "verify", copy.toString());
    assertThat(verify.ok()).as(verify.describe()).isTrue();
    assertThat(verify.output()).doesNotContain("lbctl.service:");
    // systemd's own score of what the service may do (6.4 MEDIUM before the unit's hardening).
    Commands.Result exposure =
        run("systemd-analyze", "security", "--offline=yes", "--no-pager", copy.toString());
    String level =
        exposure.output().replaceAll("(?s).*Overall exposure level for \\S+: ([0-9.]+).*", "$1");
    assertThat(Double.parseDouble(level)).as(exposure.output()).isLessThanOrEqualTo(3.0);

    assertThat(run("sh", "-n", REPO.resolve("deploy/package/postinst").toString()).ok()).isTrue();
  }
}
