package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.lbctl.core.testing.NamespaceLab;

/** A lab host made a real server of a DR VIP, as the guides ask of the servers' administrators. */
final class DrRealServer {
  private DrRealServer() {}

  /** The VIP on loopback, and the ARP problem solved: the host never answers ARP for it. */
  static void prepare(NamespaceLab lab, String host, String vip) throws IOException {
    for (String knob :
        List.of(
            "net.ipv4.conf.all.arp_ignore=1",
            "net.ipv4.conf.all.arp_announce=2",
            "net.ipv4.conf.eth0.arp_ignore=1",
            "net.ipv4.conf.eth0.arp_announce=2")) {
      ok(lab, host, "sysctl", "-qw", knob);
    }
    ok(lab, host, "ip", "addr", "add", vip + "/32", "dev", "lo");
  }

  private static void ok(NamespaceLab lab, String host, String... argv) throws IOException {
    var r = lab.exec(host, argv);
    assertThat(r.ok()).as(r.describe()).isTrue();
  }
}
