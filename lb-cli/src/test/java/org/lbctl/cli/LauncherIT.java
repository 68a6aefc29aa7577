package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestBackend.Mode;
import org.lbctl.core.testing.TestClient;

/** The packaged jar as an operator runs it: a separate process, signals and all. */
class LauncherIT {
  private static final Path JAR = Path.of("target", "lbctl.jar");

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<AutoCloseable> closeMe = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : closeMe) {
      c.close();
    }
  }

  private Process lbctl(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void signal(Process p, String sig) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor())
        .isZero();
  }

  /**
   * Under a Type=notify unit: READY=1 (with MAINPID) arrives once the VIP answers and the
   * management socket is open; STOPPING=1 on SIGTERM. systemd's side is a datagram socket here.
   */
  @Test
  void underSystemdItSaysReadyOnceServingAndStoppingOnTerm() throws Exception {
    TestBackend rs = TestBackend.start("rs", Mode.NAME_ECHO);
    closeMe.add(rs);
    int port = Ports.free();
    Path config = dir.resolve("lbctl.yaml");
    Files.writeString(
        config,
        """
        virtualServices:
          - {label: hl7, address: 127.0.0.1, ports: [%d], realServers: [{label: e1, address: 127.0.0.1, port: %d}]}
        """
            .formatted(port, rs.port()));
    Path notify = dir.resolve("notify.sock");
    java.util.concurrent.BlockingQueue<String> said =
        new java.util.concurrent.LinkedBlockingQueue<>();
    io.netty.channel.EventLoopGroup group =
        new io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.netty.channel.epoll.EpollIoHandler.newFactory());
    try {
      new io.netty.bootstrap.Bootstrap()
          .group(group)
          .channel(io.netty.channel.epoll.EpollDomainDatagramChannel.class)
          .handler(
              new io.netty.channel.SimpleChannelInboundHandler<
                  io.netty.channel.unix.DomainDatagramPacket>() {
                @Override
                protected void channelRead0(
                    io.netty.channel.ChannelHandlerContext ctx,
                    io.netty.channel.unix.DomainDatagramPacket m) {
                  said.add(m.content().toString(java.nio.charset.StandardCharsets.UTF_8));
                }
              })
          .bind(new io.netty.channel.unix.DomainSocketAddress(notify.toFile()))
          .sync();
      Path socket = dir.resolve("lbctl.sock");
      ProcessBuilder pb =
          new ProcessBuilder(
                  javaBin(),
                  "-jar",
                  JAR.toString(),
                  "run",
                  "--https",
                  "none",
                  "--config",
                  config.toString(),
                  "--socket",
                  socket.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("notify-node.log").toFile());
      pb.environment().put("NOTIFY_SOCKET", notify.toString());
      Process node = pb.start();
      processes.add(node);

      String ready = said.poll(30, TimeUnit.SECONDS);
      assertThat(ready).startsWith("READY=1\n").contains("MAINPID=" + node.pid());
      assertThat(TestClient.greeting(port)).startsWith("rs:");
      assertThat(socket).exists();

      signal(node, "TERM");
      assertThat(said.poll(10, TimeUnit.SECONDS)).isEqualTo("STOPPING=1");
      assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  @Test
  void sighupReloadsAndSigtermStopsCleanly() throws Exception {
    TestBackend rs = TestBackend.start("rs", Mode.NAME_ECHO);
    closeMe.add(rs);
    int first = Ports.free();
    int second = Ports.free();
    Path config = dir.resolve("lbctl.yaml");
    String yaml =
        """
        virtualServices:
          - {label: hl7, address: 127.0.0.1, ports: [%d], realServers: [{label: e1, address: 127.0.0.1, port: %d}]}
        """;
    Files.writeString(config, yaml.formatted(first, rs.port()));
    Path socket = dir.resolve("lbctl.sock");
    Path log = dir.resolve("node.log");

    Process node =
        lbctl(
            log,
            "run",
            "--https",
            "none",
            "--config",
            config.toString(),
            "--socket",
            socket.toString());
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket));
    assertThat(TestClient.greeting(first)).startsWith("rs:");

    Files.writeString(config, yaml.formatted(second, rs.port()));
    signal(node, "HUP");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(TestClient.greeting(second)).startsWith("rs:"));
    assertThat(Files.readString(log)).contains("SIGHUP: configuration reloaded");

    // A bad file on SIGHUP is logged with its reason and changes nothing.
    Files.writeString(config, "virtualServices: [{label: hl7}]");
    signal(node, "HUP");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Files.readString(log))
                    .contains("virtualServices[0].address: is required"));
    assertThat(TestClient.greeting(second)).startsWith("rs:");

    signal(node, "TERM");
    assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(socket).doesNotExist();
    assertThat(Files.readString(log)).contains("stopped");
  }

  @Test
  void aBadConfigurationStopsTheStartWithItsReasons() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "virtualServices: [{label: a, address: 10.0.0.1, ports: [99999]}]");
    Path log = dir.resolve("node.log");

    Process node =
        lbctl(
            log,
            "run",
            "--https",
            "none",
            "--config",
            config.toString(),
            "--socket",
            dir.resolve("s").toString());

    assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).isEqualTo(1);
    assertThat(Files.readString(log))
        .contains("virtualServices[0].ports[0]: 99999 (expected: 1..65535)");
  }

  @Test
  void aSecondNodeOnTheSameSocketIsRefused() throws Exception {
    Path config = dir.resolve("empty.yaml");
    Files.writeString(config, "virtualServices: []");
    Path socket = dir.resolve("lbctl.sock");
    lbctl(
        dir.resolve("1.log"),
        "run",
        "--https",
        "none",
        "--config",
        config.toString(),
        "--socket",
        socket.toString());
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket));

    Process second =
        lbctl(
            dir.resolve("2.log"),
            "run",
            "--https",
            "none",
            "--config",
            config.toString(),
            "--socket",
            socket.toString());

    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("2.log")))
        .contains("another node is already running on " + socket);
  }
}
