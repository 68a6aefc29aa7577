package org.lbctl.core.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.lbctl.core.os.Commands;

/**
 * A private network of hosts in network namespaces on one bridge (LAB.md section 1): each host has
 * eth0 with the address it was given. Every namespace is named {@code lbt<id>-<host>} and removed
 * by that name on {@link #close()}, also when a test fails. Needs root.
 */
public final class NamespaceLab implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String prefix;
  private final Map<String, String> hosts = new LinkedHashMap<>();
  private final Map<String, String> ports = new LinkedHashMap<>();
  private final List<String> namespaces = new java.util.concurrent.CopyOnWriteArrayList<>();
  // A test JVM stopped before its @AfterEach (a build cut short, a timeout) still removes its
  // namespaces by name; close() removes the hook once they are gone.
  private final Thread onExit = new Thread(this::removeNamespaces, "namespace-lab-cleanup");

  private NamespaceLab(String prefix) {
    this.prefix = prefix;
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /**
   * Builds the lab.
   *
   * @param hosts host name to {@code address/prefix}, e.g. {@code lb1 -> 10.99.0.11/24}
   */
  public static NamespaceLab create(Map<String, String> hosts) throws IOException {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("namespace labs need root (CAP_NET_ADMIN)");
    }
    String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    NamespaceLab lab = new NamespaceLab("lbt" + id + "-");
    try {
      lab.build(hosts);
    } catch (IOException | RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  private void build(Map<String, String> wanted) throws IOException {
    String sw = addNamespace("sw");
    run("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
    run("ip", "-n", sw, "link", "set", "br0", "up");
    int i = 0;
    for (Map.Entry<String, String> h : wanted.entrySet()) {
      String ns = addNamespace(h.getKey());
      String port = prefix.substring(0, prefix.length() - 1) + "p" + i++;
      run(
          "ip", "link", "add", port, "netns", sw, "type", "veth", "peer", "name", "eth0", "netns",
          ns);
      run("ip", "-n", sw, "link", "set", port, "master", "br0", "up");
      run("ip", "-n", ns, "addr", "add", h.getValue(), "dev", "eth0");
      run("ip", "-n", ns, "link", "set", "eth0", "up");
      hosts.put(h.getKey(), ns);
      ports.put(h.getKey(), port);
    }
  }

  private String addNamespace(String host) throws IOException {
    String ns = prefix + host;
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
    run("ip", "-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  /** The name of a host's port on the lab's switch (a bridge in the switch's own namespace). */
  public String switchPort(String host) {
    ns(host);
    return ports.get(host);
  }

  /** Runs a command inside the switch's namespace (nftables' bridge family filters there). */
  public Commands.Result onSwitch(String... argv) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", prefix + "sw"));
    cmd.addAll(Arrays.asList(argv));
    return Commands.run(TIMEOUT, cmd);
  }

  /** The namespace name of a host. */
  public String ns(String host) {
    String ns = hosts.get(host);
    if (ns == null) {
      throw new IllegalArgumentException(
          "no host " + host + " in this lab (" + hosts.keySet() + ")");
    }
    return ns;
  }

  /** The command prefix that runs a program inside a host. */
  public List<String> execPrefix(String host) {
    return List.of("ip", "netns", "exec", ns(host));
  }

  /** Runs a command inside a host and returns how it ended. */
  public Commands.Result exec(String host, String... argv) throws IOException {
    return exec(TIMEOUT, host, argv);
  }

  /** Runs a longer command inside a host, for at most {@code timeout}. */
  public Commands.Result exec(Duration timeout, String host, String... argv) throws IOException {
    List<String> cmd = new ArrayList<>(execPrefix(host));
    cmd.addAll(Arrays.asList(argv));
    return Commands.run(timeout, cmd);
  }

  /** The MAC address of a host's eth0. */
  public String mac(String host) throws IOException {
    return exec(host, "cat", "/sys/class/net/eth0/address").output().strip();
  }

  /** The MAC a host has in its neighbour table for {@code address}, or "" if none. */
  public String neighbourMac(String host, String address) throws IOException {
    String out = exec(host, "ip", "neigh", "show", address, "dev", "eth0").output();
    int i = out.indexOf("lladdr ");
    return i < 0 ? "" : out.substring(i + 7).split("\\s+")[0];
  }

  /**
   * Seconds since a host's neighbour entry for {@code address} was last updated, or -1 without one.
   * A Linux neighbour ignores announcements for an entry updated within its locktime (1 s).
   */
  public int neighbourAgeSeconds(String host, String address) throws IOException {
    String out = exec(host, "ip", "-s", "neigh", "show", address, "dev", "eth0").output();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("used (\\d+)/(\\d+)/(\\d+)").matcher(out);
    return m.find() ? Integer.parseInt(m.group(3)) : -1;
  }

  private static void run(String... argv) throws IOException {
    Commands.Result r = Commands.run(TIMEOUT, List.of(argv));
    if (!r.ok()) {
      throw new IOException(r.describe());
    }
  }

  @Override
  public void close() {
    removeNamespaces();
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook runs anyway.
    }
  }

  private void removeNamespaces() {
    for (String ns : namespaces) {
      try {
        Commands.run(TIMEOUT, List.of("ip", "netns", "del", ns));
      } catch (IOException e) {
        System.err.println("lab: cannot remove namespace " + ns + ": " + e.getMessage());
      }
    }
    namespaces.clear();
  }
}
