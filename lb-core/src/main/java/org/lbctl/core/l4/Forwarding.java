package org.lbctl.core.l4;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel settings layer 4 NAT needs: packet forwarding on, and no ICMP redirects (in a one-arm
 * setup they would tell a real server to answer the client directly, around the NAT).
 */
public final class Forwarding {
  private static final Logger log = LoggerFactory.getLogger(Forwarding.class);
  private static final Path PROC = Path.of("/proc/sys/net");

  private Forwarding() {}

  /** Turns forwarding on for the family; empty when it is on, else why it cannot be. */
  public static Optional<String> ensure(boolean v6) {
    Path knob = v6 ? PROC.resolve("ipv6/conf/all/forwarding") : PROC.resolve("ipv4/ip_forward");
    String name = v6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward";
    try {
      if (!read(knob).strip().equals("1")) {
        Files.writeString(knob, "1\n");
        log.info("layer 4 nat: {} set to 1", name);
      }
    } catch (IOException e) {
      return Optional.of(
          "layer 4 nat needs "
              + name
              + "=1 and this node cannot set it ("
              + e.getMessage()
              + "); set it in /etc/sysctl.d or run the node with the rights to");
    }
    if (!v6) {
      noRedirects();
    }
    return Optional.empty();
  }

  /** Files.readString trusts the size /proc reports (0) and reads a single byte. */
  private static String read(Path knob) throws IOException {
    try (var in = Files.newInputStream(knob)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  private static void noRedirects() {
    try (DirectoryStream<Path> devices = Files.newDirectoryStream(PROC.resolve("ipv4/conf"))) {
      for (Path d : devices) {
        Path knob = d.resolve("send_redirects");
        if (read(knob).strip().equals("1")) {
          Files.writeString(knob, "0\n");
        }
      }
    } catch (IOException e) {
      log.warn(
          "layer 4 nat: cannot turn ICMP redirects off ({}); in a one-arm setup set"
              + " net.ipv4.conf.all.send_redirects=0 and per interface",
          e.getMessage());
    }
  }
}
