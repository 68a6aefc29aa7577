package org.lbctl.core.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.RealServerStatus;
import org.lbctl.core.status.ServiceStatus;
import org.lbctl.core.status.StickSummary;

class StatusHistoryTest {
  private static RealServerStatus server(String health, int open, long total, long bytes) {
    return new RealServerStatus(
        "pacs1", "10.0.0.1", 104, 100, "online", health, open, total, 0, bytes, 0, "", 1.0, null);
  }

  private static NodeStatus status(List<String> vips, RealServerStatus rs) {
    List<ServiceStatus> services =
        vips.stream()
            .map(
                v ->
                    new ServiceStatus(
                        v,
                        "10.0.0.100",
                        List.of(104),
                        7,
                        "snat",
                        "tcp",
                        "first",
                        "none",
                        "up",
                        null,
                        rs.activeConnections(),
                        rs.totalConnections(),
                        0,
                        0,
                        0,
                        rs.bytesIn(),
                        0,
                        List.of(rs),
                        Map.of(),
                        Map.of(),
                        Map.of()))
            .toList();
    return new NodeStatus(
        "lb1",
        "1",
        "epoll",
        "t",
        "file",
        1,
        "h",
        "t",
        null,
        null,
        new StickSummary(0, null),
        services);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> subject(StatusHistory h, String subject) {
    return (Map<String, Object>) ((Map<String, Object>) h.snapshot().get("series")).get(subject);
  }

  @SuppressWarnings("unchecked")
  private static List<Double> series(StatusHistory h, String subject, String measure) {
    return (List<Double>) subject(h, subject).get(measure);
  }

  @Test
  void ratesComeFromTheCountersBetweenTwoSamplesAndHealthIsOneOrZero() {
    StatusHistory h = new StatusHistory(() -> null);
    h.sample(status(List.of("pacs"), server("up", 3, 100, 1_000)), 10_000);
    h.sample(status(List.of("pacs"), server("up", 5, 150, 6_000)), 20_000);
    h.sample(status(List.of("pacs"), server("down", 0, 150, 6_000)), 30_000);
    assertThat(h.snapshot().get("times")).isEqualTo(List.of(10L, 20L, 30L));
    assertThat(series(h, "pacs", "connections")).containsExactly(3.0, 5.0, 0.0);
    assertThat(series(h, "pacs", "newPerSecond")).containsExactly(null, 5.0, 0.0);
    assertThat(series(h, "pacs", "bytesPerSecond")).containsExactly(null, 500.0, 0.0);
    assertThat(series(h, "pacs/pacs1", "healthy")).containsExactly(1.0, 1.0, 0.0);
    assertThat(subject(h, "pacs")).doesNotContainKey("healthy");
  }

  @Test
  void theRingKeepsTheLastHourAndAGoneServiceHasNoSamplesAfterItWent() {
    StatusHistory h = new StatusHistory(() -> null);
    long t = 0;
    for (int i = 0; i < StatusHistory.SAMPLES + 5; i++) {
      t += 10_000;
      h.sample(status(i < 5 ? List.of("pacs", "old") : List.of("pacs"), server("up", i, i, i)), t);
    }
    List<?> times = (List<?>) h.snapshot().get("times");
    assertThat(times).hasSize(StatusHistory.SAMPLES).first().isEqualTo(60L);
    assertThat(series(h, "pacs", "connections")).first().isEqualTo(5.0);
    assertThat(series(h, "pacs", "connections"))
        .last()
        .isEqualTo((double) StatusHistory.SAMPLES + 4);
    // "old" went after five samples: gone for a whole ring, it is forgotten.
    assertThat(new java.util.TreeSet<Object>(((Map<?, ?>) h.snapshot().get("series")).keySet()))
        .containsExactly("pacs", "pacs/pacs1");
    // A counter that went back (a reload) gives no rate for that sample.
    h.sample(status(List.of("pacs"), server("up", 0, 0, 0)), t + 10_000);
    assertThat(series(h, "pacs", "newPerSecond")).last().isNull();
  }
}
