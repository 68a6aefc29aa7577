package org.lbctl.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.NamespaceLab;

/** ICMP echo from a load balancer host to real servers, inside a namespace lab. */
class PingCheckIT {
  private NamespaceLab lab;
  private PingCheck ping;

  @BeforeEach
  void lab() throws Exception {
    lab = NamespaceLab.create(Map.of("lb", "10.98.0.1/24", "rs", "10.98.0.2/24"));
    ping = new PingCheck(lab.execPrefix("lb"));
  }

  @AfterEach
  void close() {
    lab.close();
  }

  private CheckResult ping(String address) throws Exception {
    return ping.run(
            new CheckTarget(
                "hl7", "rs", InetAddress.getByName(address), List.of(0), Duration.ofMillis(300)))
        .get(5, TimeUnit.SECONDS);
  }

  @Test
  void aHostThatAnswersIsUpOneThatDoesNotIsDownWithinTheTimeout() throws Exception {
    CheckResult up = ping("10.98.0.2");
    assertThat(up.up()).as(up.detail()).isTrue();
    assertThat(up.detail()).matches("ping 10\\.98\\.0\\.2: reply in [0-9.]+ ms");

    long start = System.nanoTime();
    CheckResult nobody = ping("10.98.0.3");
    assertThat(nobody.up()).isFalse();
    assertThat(nobody.detail()).isEqualTo("ping 10.98.0.3: no reply within 300 ms");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1300);

    // The real server's host drops ICMP echo: down, though the host is there.
    assertThat(
            lab.exec(
                    "rs",
                    "nft",
                    "add table inet noping; add chain inet noping in { type filter hook input"
                        + " priority 0; }; add rule inet noping in icmp type echo-request drop")
                .ok())
        .isTrue();
    assertThat(ping("10.98.0.2").up()).isFalse();
  }
}
