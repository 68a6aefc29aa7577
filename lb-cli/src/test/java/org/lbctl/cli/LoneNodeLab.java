package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.lbctl.core.testing.NamespaceLab;
import org.lbctl.core.testing.Nginx;

/**
 * A namespace lab with one lbctl node (the packaged jar) on host {@code lb}: its configuration,
 * node file, socket and log under {@code dir}, nginx servers started in the lab, all stopped and
 * removed by {@link #close}.
 */
final class LoneNodeLab implements AutoCloseable {
  private final Path dir;
  private final NamespaceLab lab;
  private final List<Nginx> servers = new ArrayList<>();
  private Process node;

  private LoneNodeLab(Path dir, NamespaceLab lab) {
    this.dir = dir;
    this.lab = lab;
  }

  /** The lab's hosts by name and address; {@code lb} runs the node. */
  /** The client (10.99.0.10) and the node (10.99.0.11): add the servers to it. */
  static Map<String, String> nodeHosts() {
    Map<String, String> hosts = new java.util.LinkedHashMap<>();
    hosts.put("client", "10.99.0.10/24");
    hosts.put("lb", "10.99.0.11/24");
    return hosts;
  }

  static LoneNodeLab create(Path dir, Map<String, String> hosts) throws IOException {
    return new LoneNodeLab(dir, NamespaceLab.create(hosts));
  }

  NamespaceLab lab() {
    return lab;
  }

  /** Runs a command in a host that must succeed. */
  void ok(String host, String... argv) throws IOException {
    var r = lab.exec(host, argv);
    assertThat(r.ok()).as(r.describe()).isTrue();
  }

  /** An nginx on {@code host} answering its name; ready once {@code lb} can reach {@code url}. */
  Nginx nginx(String host, String listen, int port, String url) throws IOException {
    Nginx n =
        Nginx.start(
            host,
            dir,
            lab.execPrefix(host),
            listen,
            port,
            // Readiness only: an https server's certificate is not what is being waited for.
            () ->
                lab.exec(
                        "lb",
                        "curl",
                        url.startsWith("https") ? "-sfk" : "-sf",
                        "--max-time",
                        "1",
                        url)
                    .ok());
    servers.add(n);
    return n;
  }

  /** nginx in {@code host} with its own server block, ready once {@code url} answers (-k). */
  Nginx nginxWith(String host, String serverBlock, int port, String url) throws IOException {
    Nginx n =
        Nginx.withServer(
            host,
            dir,
            lab.execPrefix(host),
            serverBlock,
            port,
            () -> lab.exec("lb", "curl", "-sk", "-o", "/dev/null", "--max-time", "1", url).ok());
    servers.add(n);
    return n;
  }

  Nginx server(String host) {
    return servers.stream().filter(n -> n.name().equals(host)).findFirst().orElseThrow();
  }

  /** Starts the node on {@code config} (no readiness wait: each test knows what ready is). */
  void startNode(String config) throws IOException {
    Files.writeString(dir.resolve("lbctl.yaml"), config);
    Files.writeString(
        dir.resolve("node.yaml"),
        "configFile: lbctl.yaml\nmanagementSocket: lb.sock\nioThreads: 1\n");
    node = JarNode.start(lab, "lb", dir.resolve("node.yaml"), dir.resolve("lb.log"));
  }

  /** Waits for the management socket: the node serves its VIPs a moment before it opens it. */
  void awaitManagement() {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> lbctl("status").exit() == 0);
  }

  /** SIGTERM to the node; true when it stopped within 20 s. */
  boolean stopNode() throws InterruptedException {
    node.destroy();
    return node.waitFor(20, TimeUnit.SECONDS);
  }

  String log() throws IOException {
    Path f = dir.resolve("lb.log");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  CliRun lbctl(String... args) {
    return CliRun.against(dir.resolve("lb.sock"), args);
  }

  /** One virtual service from the node's status. */
  JsonNode vip(String label) throws IOException {
    JsonNode all =
        new UnixSocketClient(dir.resolve("lb.sock"))
            .call("GET", "/v1/status", null)
            .body()
            .path("virtualServices");
    for (JsonNode v : all) {
      if (v.path("label").asText().equals(label)) {
        return v;
      }
    }
    throw new AssertionError("no virtual service " + label + " in " + all);
  }

  /**
   * Requests from the client, each on a new connection ({@code url} may hold a curl range such as
   * {@code ?[1-100]}); the non-empty answer lines.
   */
  List<String> curl(String url) throws IOException {
    var r =
        lab.exec(
            Duration.ofSeconds(60),
            "client",
            "curl",
            // An IPv6 literal's brackets are not a curl range.
            url.startsWith("http://[") ? "-gs" : "-s",
            "--max-time",
            "2",
            "-H",
            "Connection: close",
            url);
    return r.output().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  @Override
  public void close() {
    try {
      if (node != null) {
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      servers.forEach(Nginx::close);
      lab.close();
    }
  }
}
