package org.lbctl.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.RealServerStatus;
import org.lbctl.core.status.ServiceStatus;
import org.lbctl.core.status.StickSummary;

class PrometheusTextTest {
  private static RealServerStatus server(String label, String admin, String health) {
    return new RealServerStatus(
        label,
        "10.0.0.1",
        104,
        100,
        admin,
        health,
        2,
        7,
        1,
        10,
        20,
        "connected",
        2.5,
        label.equals("w1") ? java.util.Map.of("AA", 4L, "AE", 1L) : java.util.Map.of());
  }

  private static ServiceStatus vip(String label, List<RealServerStatus> servers) {
    return new ServiceStatus(
        label,
        "10.0.0.100",
        List.of(104),
        4,
        "dr",
        "tcp",
        "weighted-round-robin",
        "source-ip",
        "up",
        null,
        3,
        42,
        0,
        5,
        1,
        1000,
        2000,
        servers,
        label.equals("web") ? java.util.Map.of("malformed_body", 3L) : java.util.Map.of(),
        label.equals("dicom")
            ? java.util.Map.of("rejected_called_ae", 2L, "routed", 3L, "accepted", 3L)
            : java.util.Map.of(),
        label.equals("web") ? hl7Snapshot() : java.util.Map.of());
  }

  /** 5 AA acknowledgments, one resent message, latencies of 3 ms and 1.497 s. */
  private static java.util.Map<String, Long> hl7Snapshot() {
    java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
    m.put("AA", 5L);
    m.put("resent", 1L);
    org.lbctl.core.service.LatencyHistogram h = new org.lbctl.core.service.LatencyHistogram();
    h.record(3_000_000);
    h.record(1_497_000_000);
    m.putAll(h.snapshot("ack_ms"));
    return m;
  }

  private static NodeStatus status(List<ServiceStatus> vips) {
    return new NodeStatus(
        "lb1",
        "1.0",
        "epoll",
        "t",
        "file",
        7,
        "abc",
        "t",
        null,
        null,
        new StickSummary(12, null),
        vips);
  }

  @Test
  void eachMetricIsOneGroupWithItsHelpAndTypeOnce() {
    String text =
        PrometheusText.of(
            status(
                List.of(
                    vip(
                        "dicom",
                        List.of(server("ds1", "online", "up"), server("ds2", "halt", "up"))),
                    vip("web", List.of(server("w1", "online", "down"))))));
    List<String> order = new ArrayList<>();
    Set<String> types = new HashSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        assertThat(types.add(line.split(" ")[2])).as("one TYPE per metric: " + line).isTrue();
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      String name = line.split("[{ ]")[0];
      // A histogram's samples carry its name with _bucket, _sum or _count.
      String base = name.replaceFirst("_(bucket|sum|count)$", "");
      if (!types.contains(name) && types.contains(base)) {
        name = base;
      }
      if (order.isEmpty() || !order.get(order.size() - 1).equals(name)) {
        assertThat(order).as("the samples of " + name + " come together").doesNotContain(name);
        order.add(name);
      }
      assertThat(types).as("TYPE before the first sample of " + name).contains(name);
    }
    assertThat(text)
        .contains("lbctl_frontend_sessions_total{proxy=\"dicom\"} 42\n")
        .contains("lbctl_frontend_sessions_total{proxy=\"web\"} 42\n")
        .contains("lbctl_frontend_status{proxy=\"dicom\",state=\"up\",mode=\"dr\"} 1\n")
        .contains("lbctl_server_status{proxy=\"dicom\",server=\"ds2\",state=\"MAINT\"} 1\n")
        .contains("lbctl_server_status{proxy=\"dicom\",server=\"ds2\",state=\"UP\"} 0\n")
        .contains("lbctl_server_status{proxy=\"web\",server=\"w1\",state=\"DOWN\"} 1\n")
        .contains("lbctl_server_bytes_out_total{proxy=\"web\",server=\"w1\"} 20\n")
        .contains("lbctl_stick_table_entries 12\n")
        .contains("lbctl_server_check_duration_seconds{proxy=\"web\",server=\"w1\"} 0.0025\n")
        .contains("lbctl_http_rejected_total{proxy=\"web\",reason=\"malformed_body\"} 3\n")
        .doesNotContain("lbctl_http_rejected_total{proxy=\"dicom\"")
        .contains(
            "lbctl_dicom_associations_total{proxy=\"dicom\",outcome=\"rejected_called_ae\"} 2\n")
        .doesNotContain("lbctl_dicom_associations_total{proxy=\"web\"")
        .contains("lbctl_dicom_server_answers_total{proxy=\"dicom\",answer=\"accepted\"} 3\n")
        .doesNotContain("lbctl_dicom_associations_total{proxy=\"dicom\",outcome=\"accepted\"}")
        .contains("lbctl_hl7_messages_total{proxy=\"web\",ack=\"AA\"} 5\n")
        .contains("lbctl_hl7_resent_total{proxy=\"web\"} 1\n")
        .contains("# TYPE lbctl_hl7_ack_seconds histogram\n")
        .contains("lbctl_hl7_ack_seconds_bucket{proxy=\"web\",le=\"0.001\"} 0\n")
        .contains("lbctl_hl7_ack_seconds_bucket{proxy=\"web\",le=\"0.005\"} 1\n")
        .contains("lbctl_hl7_ack_seconds_bucket{proxy=\"web\",le=\"2.5\"} 2\n")
        .contains("lbctl_hl7_ack_seconds_bucket{proxy=\"web\",le=\"+Inf\"} 2\n")
        .contains("lbctl_hl7_ack_seconds_sum{proxy=\"web\"} 1.5\n")
        .contains("lbctl_hl7_ack_seconds_count{proxy=\"web\"} 2\n")
        .contains("lbctl_server_hl7_acks_total{proxy=\"web\",server=\"w1\",ack=\"AE\"} 1\n")
        .doesNotContain("lbctl_server_hl7_acks_total{proxy=\"dicom\"")
        .doesNotContain("lbctl_hl7_messages_total{proxy=\"web\",ack=\"ack_ms")
        .contains("lbctl_config_version 7\n");
  }

  @Test
  void labelValuesAreEscaped() {
    String text = PrometheusText.of(status(List.of(vip("a\"b\\c", List.of()))));
    assertThat(text).contains("lbctl_frontend_bytes_in_total{proxy=\"a\\\"b\\\\c\"} 1000\n");
  }
}
