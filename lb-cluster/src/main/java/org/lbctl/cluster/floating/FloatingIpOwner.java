package org.lbctl.cluster.floating;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.os.Commands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds and removes floating IPs on the node's interface ({@code ip addr}) and announces them with
 * gratuitous ARP (iputils {@code arping -U}). Every move needs an announcement, in both directions:
 * without one, neighbours keep the old MAC for up to a minute (LAB.md section 2). Blocking: call it
 * from the pair's controller thread, never from an event loop.
 */
public final class FloatingIpOwner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FloatingIpOwner.class);
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String LABEL_SUFFIX = ":lb";

  // A neighbour that confirmed the old MAC less than its locktime (1 s by default) ago ignores
  // announcements; the repeat after 1.2 s reaches it.
  private static final long[] REPEAT_MILLIS = {500, 1200};

  private final String device;
  private final List<String> execPrefix;
  private final ScheduledExecutorService announcers =
      Executors.newScheduledThreadPool(
          4,
          r -> {
            Thread t = new Thread(r, "lb-garp");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param execPrefix run every command under this prefix (e.g. {@code ip netns exec NS} in a lab);
   *     empty on a real node
   */
  public FloatingIpOwner(String device, List<String> execPrefix) {
    this.device = device;
    this.execPrefix = List.copyOf(execPrefix);
  }

  /**
   * Adds every address, then announces them. All in one {@code ip -batch} process: one {@code ip}
   * per address cost 4 ms each, 200 ms of a takeover with 51 VIPs. Should the batch fail, the
   * addresses are added one by one to tell an address already there from a real failure.
   */
  public void claim(List<FloatingIp> ips) throws IOException {
    if (ips.isEmpty()) {
      return;
    }
    StringBuilder batch = new StringBuilder();
    ips.forEach(ip -> batch.append(String.join(" ", addArgs(ip))).append('\n'));
    Commands.Result all = batch(batch.toString());
    if (all.ok()) {
      log.info("floating IPs {} added on {}", ips, device);
    } else {
      for (FloatingIp ip : ips) {
        List<String> add = new ArrayList<>(List.of("ip"));
        add.addAll(addArgs(ip));
        Commands.Result r = run(IP_TIMEOUT, add.toArray(String[]::new));
        if (!r.ok() && !saysAny(r, "File exists", "already assigned")) {
          throw new IOException("cannot add floating IP " + ip + ": " + r.describe());
        }
        log.info("floating IP {} added on {}", ip, device);
      }
    }
    announce(ips);
  }

  private List<String> addArgs(FloatingIp ip) {
    List<String> add = new ArrayList<>(List.of("addr", "add", ip.cidr(), "dev", device));
    if (ip.isIpv6()) {
      // Duplicate address detection would keep the address tentative (unusable) for a second
      // or more; the pair already decided who holds it.
      add.add("nodad");
    } else if (label().length() <= 15) {
      // The label lets a unit remove every floating IP of a dead node with one command.
      add.addAll(List.of("label", label()));
    }
    return add;
  }

  /** {@code ip -force -batch -}: every line is tried; the exit code says whether all worked. */
  private Commands.Result batch(String lines) throws IOException {
    List<String> cmd = new ArrayList<>(execPrefix);
    cmd.addAll(List.of("ip", "-force", "-batch", "-"));
    return Commands.run(IP_TIMEOUT, cmd, lines);
  }

  /**
   * Sends gratuitous ARP for each address (after a move, or after a merge) and repeats it in the
   * background. arping sends at once but lingers a second before it exits, so this starts the
   * processes and returns: the announcements are on the wire within milliseconds.
   */
  public void announce(List<FloatingIp> ips) {
    for (FloatingIp ip : ips) {
      // Starting a process takes a millisecond or two: with many VIPs, leave it to the
      // announcers rather than hold up the controller.
      announcers.execute(() -> garp(ip, true));
      for (long delay : REPEAT_MILLIS) {
        announcers.schedule(() -> garp(ip, false), delay, TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * IPv4: a gratuitous ARP (iputils {@code arping -U}). IPv6: an unsolicited neighbour
   * advertisement to all nodes with the override flag (ipv6toolkit {@code na6}), which makes
   * neighbours replace the old MAC at once; the kernel sends none for an address added without
   * duplicate address detection.
   */
  private void garp(FloatingIp ip, boolean warn) {
    List<String> cmd = new ArrayList<>(execPrefix);
    if (ip.isIpv6()) {
      cmd.addAll(
          List.of(
              "na6",
              "-i",
              device,
              "-s",
              ip.address(),
              "-d",
              "ff02::1",
              "-t",
              ip.address(),
              "-o",
              "-e"));
    } else {
      cmd.addAll(List.of("arping", "-U", "-c", "1", "-I", device, ip.address()));
    }
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      // iputils arping exits 0 in -U mode once the packet went out.
      p.onExit()
          .thenAccept(
              done -> {
                if (done.exitValue() != 0 && warn) {
                  log.warn(
                      "announcing {} exited {}: run '{}' to see why",
                      ip,
                      done.exitValue(),
                      String.join(" ", cmd));
                }
              });
    } catch (IOException e) {
      log.warn(
          "cannot announce {} ({}): {}",
          ip,
          ip.isIpv6() ? "is ipv6toolkit installed?" : "is iputils-arping installed?",
          e.getMessage());
    }
  }

  /**
   * Which of {@code ips} another host answers ARP for (iputils {@code arping -D}, duplicate address
   * detection: a probe from 0.0.0.0 that this host's own kernel does not answer). Takes up to a
   * second when nobody answers; run it off the controller thread.
   */
  public List<FloatingIp> heldElsewhere(List<FloatingIp> ips) {
    List<java.util.concurrent.CompletableFuture<FloatingIp>> probes = new ArrayList<>();
    for (FloatingIp ip : ips) {
      if (ip.isIpv6()) {
        continue;
      }
      probes.add(
          Commands.async(
              () -> {
                try {
                  // arping -D exits 1 when a reply came: the address is in use elsewhere.
                  Commands.Result r =
                      run(
                          IP_TIMEOUT,
                          "arping",
                          "-D",
                          "-c",
                          "1",
                          "-w",
                          "1",
                          "-I",
                          device,
                          ip.address());
                  return r.exit() == 1 && r.output().contains("Received 1") ? ip : null;
                } catch (IOException e) {
                  return null;
                }
              }));
    }
    return probes.stream()
        .map(java.util.concurrent.CompletableFuture::join)
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  /** Removes every address this node holds of {@code ips}; absent ones are not an error. */
  public void release(List<FloatingIp> ips) throws IOException {
    if (ips.isEmpty()) {
      return;
    }
    StringBuilder batch = new StringBuilder();
    ips.forEach(
        ip ->
            batch
                .append("addr del ")
                .append(ip.cidr())
                .append(" dev ")
                .append(device)
                .append('\n'));
    if (batch(batch.toString()).ok()) {
      log.info("floating IPs {} removed from {}", ips, device);
      return;
    }
    // Some were not there (the usual case at start) or one failed: sort them out one by one.
    List<String> failures = new ArrayList<>();
    for (FloatingIp ip : ips) {
      Commands.Result r = run(IP_TIMEOUT, "ip", "addr", "del", ip.cidr(), "dev", device);
      if (r.ok()) {
        log.info("floating IP {} removed from {}", ip, device);
      } else if (!saysAny(r, "Cannot assign requested address", "Address not found")) {
        failures.add(r.describe());
      }
    }
    if (!failures.isEmpty()) {
      throw new IOException("cannot remove floating IPs: " + String.join("; ", failures));
    }
  }

  /**
   * The address label of IPv4 floating IPs, {@code <device>:lb}: {@code ip -4 addr flush label
   * '*:lb'} removes them all in milliseconds, with no JVM to start (the unit's ExecStopPost).
   */
  public String label() {
    return device + LABEL_SUFFIX;
  }

  /** The addresses on the device now, as {@code address/prefix}. */
  public Set<String> held() throws IOException {
    Commands.Result r = run(IP_TIMEOUT, "ip", "-j", "addr", "show", "dev", device);
    if (!r.ok()) {
      throw new IOException(r.describe());
    }
    Set<String> held = new LinkedHashSet<>();
    for (JsonNode link : JSON.readTree(r.output())) {
      for (JsonNode a : link.path("addr_info")) {
        held.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
      }
    }
    return held;
  }

  // Kernels and iproute2 versions word the same condition differently.
  private static boolean saysAny(Commands.Result r, String... phrases) {
    for (String p : phrases) {
      if (r.output().contains(p)) {
        return true;
      }
    }
    return false;
  }

  private Commands.Result run(Duration timeout, String... argv) throws IOException {
    List<String> cmd = new ArrayList<>(execPrefix);
    cmd.addAll(List.of(argv));
    return Commands.run(timeout, cmd);
  }

  @Override
  public void close() {
    announcers.shutdownNow();
  }
}
