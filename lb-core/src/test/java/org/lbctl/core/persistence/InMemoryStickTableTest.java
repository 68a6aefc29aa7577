package org.lbctl.core.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryStickTableTest {
  private final InMemoryStickTable table = new InMemoryStickTable();
  private static final Duration MINUTE = Duration.ofMinutes(1);

  @Test
  void anEntryLivesForItsTimeoutAndATouchExtendsIt() {
    table.record("pacs", "10.0.0.1", "pacs2", MINUTE, 0);

    assertThat(table.lookup("pacs", "10.0.0.1", 59_999)).map(StickEntry::server).contains("pacs2");
    assertThat(table.lookup("other", "10.0.0.1", 1)).isEmpty();
    table.touch("pacs", "10.0.0.1", MINUTE, 30_000);
    assertThat(table.lookup("pacs", "10.0.0.1", 89_999)).isPresent();
    assertThat(table.lookup("pacs", "10.0.0.1", 90_000)).isEmpty();
    assertThat(table.size()).as("an expired entry found by a lookup is dropped").isZero();
  }

  @Test
  void recordRewritesTheServerAndExpirySweepsAndClearIsPerVirtualService() {
    for (int i = 0; i < 100; i++) {
      table.record("pacs", "10.0.0." + i, "pacs1", Duration.ofSeconds(i + 1), 0);
      table.record("hl7", "10.0.0." + i, "hl7a", MINUTE, 0);
    }
    table.record("pacs", "10.0.0.7", "pacs2", MINUTE, 0);
    assertThat(table.list("pacs", 0).get("10.0.0.7").server()).isEqualTo("pacs2");

    // 10.0.0.0-49 expire by 50 s, except 10.0.0.7, rewritten for a minute.
    assertThat(table.expire(50_000)).isEqualTo(49);
    assertThat(table.list("pacs", 50_000)).hasSize(51).containsKey("10.0.0.7");
    assertThat(table.clear("pacs")).isEqualTo(51);
    assertThat(table.list("pacs", 0)).isEmpty();
    assertThat(table.list("hl7", 0)).hasSize(100);
  }

  @Test
  void sourceKeysGroupClientsByTheirPrefix() throws Exception {
    InetAddress a = InetAddress.getByName("10.1.2.3");
    assertThat(StickKeys.sourceIp(a, 32)).isEqualTo("10.1.2.3");
    assertThat(StickKeys.sourceIp(a, 24)).isEqualTo("10.1.2.0/24");
    assertThat(StickKeys.sourceIp(a, 20)).isEqualTo("10.1.0.0/20");
    assertThat(StickKeys.sourceIp(a, 0)).isEqualTo("0.0.0.0/0");
    assertThat(StickKeys.sourceIp(a, 64)).as("capped at the address length").isEqualTo("10.1.2.3");
    assertThat(StickKeys.sourceIp(InetAddress.getByName("2001:db8:1:2::5"), 64))
        .isEqualTo("2001:db8:1:2:0:0:0:0/64");
  }
}
