package org.lbctl.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.os.Commands;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Dcmtk;

/** External check scripts: the appliance's calling convention, exit codes, timeouts. */
class ExternalCheckIT {
  @TempDir Path scripts;
  @TempDir Path dicom;

  private Path script(String name, String body) throws Exception {
    Path p = scripts.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-x---"));
    return p;
  }

  private CheckResult run(CheckCommands commands, String script, int serverPort, long timeoutMs)
      throws Exception {
    return new ExternalCheck(commands, script)
        .run(
            new CheckTarget(
                "pacs",
                "pacs1",
                InetAddress.getLoopbackAddress(),
                List.of(serverPort),
                Duration.ofMillis(timeoutMs),
                "10.0.0.100",
                104))
        .get(10, TimeUnit.SECONDS);
  }

  private CheckResult run(String script, long timeoutMs) throws Exception {
    return run(new CheckCommands(List.of(), Optional.of(scripts)), script, 11112, timeoutMs);
  }

  @Test
  void theScriptGetsVipVipPortServerAndServerPortAndExitZeroIsHealthy() throws Exception {
    script("args", "echo \"checking $*\"");
    script("fails", "echo 'database offline' >&2; exit 3");
    CheckResult ok = run("args", 2000);
    assertThat(ok.up()).isTrue();
    assertThat(ok.detail())
        .isEqualTo("script args exited 0: checking 10.0.0.100 104 127.0.0.1 11112");
    CheckResult bad = run("fails", 2000);
    assertThat(bad.up()).isFalse();
    assertThat(bad.detail()).isEqualTo("script fails exited 3: database offline");
  }

  @Test
  void aScriptThatOverrunsIsKilledWithItsChildren() throws Exception {
    script("hangs", "sleep 31.337");
    long start = System.nanoTime();
    CheckResult r = run("hangs", 300);
    assertThat(r.detail()).isEqualTo("script hangs: killed after 300 ms");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                !Commands.run(Duration.ofSeconds(5), List.of("pgrep", "-f", "sleep 31.337")).ok());
  }

  @Test
  void theShippedDicomEchoScriptWorksAgainstDcmtk() throws Exception {
    Path shipped = Path.of("..", "deploy", "scripts").toAbsolutePath().normalize();
    CheckCommands commands = new CheckCommands(List.of(), Optional.of(shipped));
    try (Dcmtk scp = Dcmtk.qrscp(dicom, "LB-SCP")) {
      assertThat(run(commands, "dicom-c-echo", scp.port(), 5000).up()).isTrue();
    }
    try (Dcmtk other = Dcmtk.qrscp(dicom, "OTHER-SCP")) {
      CheckResult r = run(commands, "dicom-c-echo", other.port(), 5000);
      assertThat(r.up()).isFalse();
      assertThat(r.detail()).startsWith("script dicom-c-echo exited 1");
    }
  }

  @Test
  void aConfigurationNamingAScriptTheNodeDoesNotHaveIsRefused() throws Exception {
    script("present", "exit 0");
    Path notExecutable = scripts.resolve("plain");
    Files.writeString(notExecutable, "exit 0\n");
    var config =
        Configs.yaml(
            """
            virtualServices:
              - label: a
                address: 10.0.0.1
                ports: [104]
                healthCheck: {type: external, script: present}
                realServers: [{label: r, address: 10.0.0.2, port: 104}]
              - label: b
                address: 10.0.0.1
                ports: [105]
                healthCheck: {type: external, script: missing}
                realServers: [{label: r, address: 10.0.0.2, port: 105}]
              - label: c
                address: 10.0.0.1
                ports: [106]
                healthCheck: {type: external, script: plain}
                realServers: [{label: r, address: 10.0.0.2, port: 106}]
            """);
    assertThat(
            ExternalCheck.missingScripts(
                config, new CheckCommands(List.of(), Optional.of(scripts))))
        .extracting(Object::toString)
        .containsExactly(
            "virtualServices[1].healthCheck.script: 'missing' is not an executable file in "
                + scripts,
            "virtualServices[2].healthCheck.script: 'plain' is not an executable file in "
                + scripts);
  }
}
