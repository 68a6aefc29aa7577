package org.lbctl.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.HttpGet;
import org.lbctl.core.health.dicom.DicomEchoCheck;
import org.lbctl.core.health.hl7.Hl7Check;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestBackend.Mode;

/**
 * 10,000 checks against servers that misbehave (answer garbage, reset, never answer, flood): each
 * fails, and afterwards the process holds no more descriptors or threads than before.
 */
class CheckResourcesIT {
  private static final int CHECKS = 10_000;
  private static final int AT_ONCE = 200;
  private final Transport transport = Transport.detect();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
  private final CheckTransport checks = new CheckTransport(group, transport.socketChannel());
  private final List<TestBackend> backends = new ArrayList<>();

  @AfterEach
  void stop() {
    backends.forEach(TestBackend::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static long descriptors() throws IOException {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void tenThousandChecksOfMisbehavingServersFailAndLeaveNothingBehind() throws Exception {
    List<Integer> ports = new ArrayList<>();
    for (Mode mode : List.of(Mode.NAME_ECHO, Mode.RESET, Mode.SILENT, Mode.SOURCE)) {
      TestBackend b = TestBackend.start(mode.name(), mode, 8L << 20, 0);
      backends.add(b);
      ports.add(b.port());
    }
    List<Check> kinds =
        List.of(
            new DicomEchoCheck(checks, "LOADBALANCER", "LB-SCP", Optional.empty()),
            new Hl7Check(checks, "", "", "NMD^N02"),
            new HttpGetCheck(checks, HttpGet.DEFAULT, Optional.empty()));
    // Warm up the pools and the JIT once, then measure from there.
    run(kinds.get(0), ports.get(0)).get(5, TimeUnit.SECONDS);
    long fdsBefore = descriptors();
    int threadsBefore = Thread.activeCount();

    int up = 0;
    for (int done = 0; done < CHECKS; done += AT_ONCE) {
      List<CompletableFuture<CheckResult>> batch = new ArrayList<>();
      for (int i = done; i < done + AT_ONCE; i++) {
        batch.add(run(kinds.get(i % kinds.size()), ports.get((i / kinds.size()) % ports.size())));
      }
      for (CompletableFuture<CheckResult> f : batch) {
        up += f.get(10, TimeUnit.SECONDS).up() ? 1 : 0;
      }
    }

    assertThat(up).as("no misbehaving server passes a check").isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(descriptors()).isLessThanOrEqualTo(fdsBefore + 4));
    assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore + 2);
  }

  private CompletableFuture<CheckResult> run(Check check, int port) {
    return check.run(
        new CheckTarget(
            "v", "s", InetAddress.getLoopbackAddress(), List.of(port), Duration.ofMillis(100)));
  }
}
