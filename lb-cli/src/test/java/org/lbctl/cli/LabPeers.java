package org.lbctl.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lbctl.core.testing.NamespaceLab;

/**
 * The real peers a profile test runs inside lab hosts (storescp, wlmscpfs, HAPI engines), each
 * logging to {@code <dir>/<name>.log}, all stopped at the end; and DICOM studies to send them.
 */
final class LabPeers implements AutoCloseable {
  private final NamespaceLab lab;
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();

  LabPeers(NamespaceLab lab, Path dir) {
    this.lab = lab;
    this.dir = dir;
  }

  Path log(String name) {
    return dir.resolve(name + ".log");
  }

  /** Runs {@code argv} in {@code host}'s namespace. */
  Process spawn(String host, String name, String... argv) throws IOException {
    List<String> cmd = new ArrayList<>(lab.execPrefix(host));
    cmd.addAll(List.of(argv));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log(name).toFile())
            .start();
    processes.add(p);
    return p;
  }

  /** Stops {@code p} with the others at the end. */
  Process track(Process p) {
    processes.add(p);
    return p;
  }

  /** A HAPI interface engine on {@code port} in {@code host}, logging to {@code hl7-<host>}. */
  Process hl7Engine(String host, int port) throws IOException {
    Process p = Hl7Peer.start(lab, host, log("hl7-" + host), "serve", host, Integer.toString(port));
    processes.add(p);
    return p;
  }

  /**
   * DICOM servers behind a DR VIP: the VIP on each host's loopback (the ARP problem solved) and
   * dcmtk's storescp on {@code port}, storing into {@code <dir>/received-<host>}.
   */
  void drDicomServers(String vip, int port, String... hosts) throws IOException {
    for (String host : hosts) {
      DrRealServer.prepare(lab, host, vip);
      Path received = Files.createDirectories(dir.resolve("received-" + host));
      spawn(
          host, "storescp-" + host, "storescp", "-od", received.toString(), Integer.toString(port));
    }
  }

  /** How many studies the storescp of {@code host} has stored. */
  int stored(String host) throws IOException {
    try (var files = Files.list(dir.resolve("received-" + host))) {
      return (int) files.count();
    }
  }

  /** HAPI interface engines on {@code port} in each of {@code hosts}, once all listen. */
  void hl7Engines(int port, String... hosts) throws IOException {
    for (String host : hosts) {
      hl7Engine(host, port);
    }
    for (String host : hosts) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.readString(log("hl7-" + host)).contains("listening " + port));
    }
  }

  /** How many HL7 messages the engine in {@code host} acknowledged. */
  long hl7Received(String host) throws IOException {
    return Files.readString(log("hl7-" + host))
        .lines()
        .filter(l -> l.startsWith("received "))
        .count();
  }

  /** {@code n} Secondary Capture studies made with dcmtk's dump2dcm; their file names. */
  List<String> studies(String tag, int n) throws IOException {
    List<String> files = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      Path dump = dir.resolve(tag + i + ".dump");
      Files.writeString(
          dump,
          """
          (0008,0016) UI =SecondaryCaptureImageStorage
          (0008,0018) UI [2.25.%2$d1%1$d]
          (0008,0060) CS [OT]
          (0010,0010) PN [%3$s^Patient%1$d]
          (0010,0020) LO [%3$s%1$d]
          (0020,000d) UI [2.25.%2$d2%1$d]
          (0020,000e) UI [2.25.%2$d3%1$d]
          """
              .formatted(i, Math.abs(tag.hashCode()), tag));
      Path dcm = dir.resolve(tag + i + ".dcm");
      var made = lab.exec("client", "dump2dcm", dump.toString(), dcm.toString());
      if (!made.ok()) {
        throw new IOException(made.describe());
      }
      files.add(dcm.toString());
    }
    return files;
  }

  @Override
  public void close() {
    for (Process p : processes) {
      try {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
