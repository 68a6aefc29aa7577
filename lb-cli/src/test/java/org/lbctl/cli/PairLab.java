package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.lbctl.core.testing.NamespaceLab;
import org.lbctl.core.testing.Nginx;

/**
 * The namespace lab of the pair's system tests: client, lb1, lb2, rs1, rs2 on one bridge; nginx on
 * rs1 and rs2 (port 8080, answering with their names); lbctl nodes as the packaged jar inside lb1
 * and lb2, each with its management socket at {@code <dir>/<host>.sock} and its output in {@code
 * <dir>/<host>.log}.
 */
final class PairLab implements AutoCloseable {
  static final String VIP = "10.99.0.100";

  private final Path dir;
  private final NamespaceLab lab;
  private final Map<String, Process> nodes = new LinkedHashMap<>();
  private final List<Nginx> servers = new ArrayList<>();

  private PairLab(Path dir, NamespaceLab lab) {
    this.dir = dir;
    this.lab = lab;
  }

  static PairLab create(Path dir) throws Exception {
    Map<String, String> hosts = pairHosts();
    hosts.put("rs1", "10.99.0.21/24");
    hosts.put("rs2", "10.99.0.22/24");
    return withServers(dir, hosts);
  }

  /**
   * nginx in {@code host} with its own server block, ready once {@code url} answers (-k), asked
   * from its own host: the client may have no route to it before the pair runs.
   */
  Nginx nginxIn(String host, String serverBlock, int port, String url) throws IOException {
    Nginx n =
        Nginx.withServer(
            host,
            dir,
            lab.execPrefix(host),
            serverBlock,
            port,
            () -> lab.exec(host, "curl", "-sk", "-o", "/dev/null", "--max-time", "1", url).ok());
    servers.add(n);
    return n;
  }

  /** The client (10.99.0.10, also the ping target), lb1 and lb2: add the servers to it. */
  static Map<String, String> pairHosts() {
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("client", "10.99.0.10/24");
    hosts.put("lb1", "10.99.0.11/24");
    hosts.put("lb2", "10.99.0.12/24");
    return hosts;
  }

  /** A lab of other hosts, with nginx on rs1 (10.99.0.21) and rs2 (10.99.0.22) among them. */
  static PairLab withServers(Path dir, Map<String, String> hosts) throws Exception {
    return withServers(dir, hosts, "8080");
  }

  /** ... nginx listening on {@code listen} (8080, or "8080; listen 80" for a DR VIP too). */
  static PairLab withServers(Path dir, Map<String, String> hosts, String listen) throws Exception {
    PairLab pl = new PairLab(dir, NamespaceLab.create(hosts));
    try {
      pl.nginx("rs1", "10.99.0.21", listen);
      pl.nginx("rs2", "10.99.0.22", listen);
    } catch (Exception e) {
      pl.close();
      throw e;
    }
    return pl;
  }

  /** A pair lab of other hosts (lb1 and lb2 among them), without the nginx servers. */
  static PairLab create(Path dir, Map<String, String> hosts) throws Exception {
    return new PairLab(dir, NamespaceLab.create(hosts));
  }

  /** Starts lb1 until active, then lb2 until both agree it is passive. */
  void startNodes() throws Exception {
    start("lb1", dir.resolve("lb1.yaml"));
    await().atMost(Duration.ofSeconds(30)).until(() -> pairState("lb1").equals("active"));
    start("lb2", dir.resolve("lb2.yaml"));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(pairState("lb2")).isEqualTo("passive");
              assertThat(pair("lb1").path("peer").path("state").asText()).isEqualTo("passive");
            });
  }

  /**
   * As a power cut: kill -9 and the link down. A bare kill -9 leaves the node's addresses and
   * kernel rules forwarding, which proves nothing about the peer.
   */
  void powerOff(String host) throws Exception {
    kill(host);
    lab.exec(host, "ip", "link", "set", "eth0", "down");
  }

  private void nginx(String host, String ip, String listen) throws IOException {
    servers.add(
        Nginx.start(
            host,
            dir,
            lab.execPrefix(host),
            listen,
            8080,
            () ->
                lab.exec("client", "curl", "-sf", "--max-time", "1", "http://" + ip + ":8080/")
                    .ok()));
  }

  /** The nginx on {@code host} (rs1, rs2). */
  Nginx server(String host) {
    return servers.stream().filter(n -> n.name().equals(host)).findFirst().orElseThrow();
  }

  NamespaceLab lab() {
    return lab;
  }

  Path socket(String host) {
    return dir.resolve(host + ".sock");
  }

  /**
   * A hand-made pair: lb1 primary, lb2 secondary, one pair secret, and each node its own copy of
   * the replicated {@code config} ({@code <host>-lbctl.yaml}), as on two machines.
   */
  void configurePair(String config) throws IOException {
    Path secret = dir.resolve("pair.secret");
    Files.writeString(secret, "5e1f0c9a7b3d42e8a6c4f2e0d8b6a4c2\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(dir.resolve("lb1-lbctl.yaml"), config);
    Files.writeString(dir.resolve("lb2-lbctl.yaml"), config);
    nodeFile("lb1", "primary", "10.99.0.11", "10.99.0.12");
    nodeFile("lb2", "secondary", "10.99.0.12", "10.99.0.11");
  }

  private void nodeFile(String host, String role, String bind, String peer) throws IOException {
    Files.writeString(
        dir.resolve(host + ".yaml"),
        """
        configFile: %1$s-lbctl.yaml
        managementSocket: %1$s.sock
        ioThreads: 1
        pair:
          role: %2$s
          bind: %3$s
          peer: %4$s
          secretFile: pair.secret
          pingTargets: [10.99.0.10]
        """
            .formatted(host, role, bind, peer));
  }

  /** Starts the pair of {@link #configurePair}: lb1 active, lb2 passive, the VIP answering. */
  void startPair() throws Exception {
    start("lb1", dir.resolve("lb1.yaml"));
    await().atMost(Duration.ofSeconds(30)).until(() -> pairState("lb1").equals("active"));
    start("lb2", dir.resolve("lb2.yaml"));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(pairState("lb2")).isEqualTo("passive");
              assertThat(pair("lb1").path("peer").path("state").asText()).isEqualTo("passive");
              // Up means on one configuration version too.
              assertThat(pair("lb2").path("configSync").asText()).isEqualTo("in sync");
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> curl().matches("rs[12]"));
  }

  Process start(String host, Path nodeFile) throws IOException {
    Process p = JarNode.start(lab, host, nodeFile, dir.resolve(host + ".log"));
    nodes.put(host, p);
    return p;
  }

  /** SIGSTOP ({@code true}) or SIGCONT of a node's JVM: a long GC pause, as seen from outside. */
  void freeze(String host, boolean frozen) throws IOException {
    var r =
        org.lbctl.core.os.Commands.run(
            Duration.ofSeconds(5),
            List.of("kill", frozen ? "-STOP" : "-CONT", Long.toString(nodes.get(host).pid())));
    if (!r.ok()) {
      throw new IOException(r.describe());
    }
  }

  void kill(String host) throws InterruptedException {
    nodes.get(host).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * kill -9 of {@code host}, then waits until the VIP answers again (through the other node); the
   * milliseconds that took.
   */
  long killAndAwaitTakeover(String host) throws InterruptedException {
    long killed = System.nanoTime();
    kill(host);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> curl().matches("rs[12]"));
    return (System.nanoTime() - killed) / 1_000_000;
  }

  JsonNode status(String host) throws IOException {
    return new UnixSocketClient(socket(host)).call("GET", "/v1/status", null).body();
  }

  JsonNode pair(String host) throws IOException {
    return status(host).path("pair");
  }

  /** active, passive, alone (not in a pair) or down (no answer). */
  String pairState(String host) {
    try {
      return pair(host).path("state").asText("alone");
    } catch (IOException e) {
      return "down";
    }
  }

  boolean holdsVip(String host) throws IOException {
    return lab.exec(host, "ip", "-o", "addr", "show", "dev", "eth0").output().contains(VIP + "/32");
  }

  /** One request from the client; the answering real server, or "" when it failed. */
  String curl() throws IOException {
    var r = lab.exec("client", "curl", "-s", "--max-time", "0.5", "http://" + VIP + "/");
    return r.ok() ? r.output().strip() : "";
  }

  String log(String host) throws IOException {
    Path f = dir.resolve(host + ".log");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  CliRun lbctl(String host, String... args) {
    return CliRun.against(socket(host), args);
  }

  /** Stops everything; the nodes' logs are kept under {@code target/<keepUnder>/}. */
  void close(String keepUnder) throws IOException {
    try {
      for (Process p : nodes.values()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      Path keep = Files.createDirectories(Path.of("target").resolve(keepUnder));
      for (String host : nodes.keySet()) {
        Files.writeString(keep.resolve(host + ".log"), log(host));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    nodes.values().forEach(Process::destroyForcibly);
    servers.forEach(Nginx::close);
    lab.close();
  }
}
