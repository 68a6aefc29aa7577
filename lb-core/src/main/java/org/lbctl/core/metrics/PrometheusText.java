package org.lbctl.core.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.PairStatus;
import org.lbctl.core.status.RealServerStatus;
import org.lbctl.core.status.ServiceStatus;
import org.lbctl.core.status.StickSummary;

/**
 * A node's status in the Prometheus text format (0.0.4), with names modelled on HAProxy's exporter
 * so existing dashboards and alerts translate: {@code lbctl_frontend_*} per virtual service ({@code
 * proxy} label), {@code lbctl_server_*} per real server ({@code proxy} and {@code server}), {@code
 * lbctl_pair_*} for the cluster and {@code lbctl_stick_table_*} for persistence.
 */
public final class PrometheusText {
  /** The content type Prometheus expects for this format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final List<String> SERVER_STATES = List.of("UP", "DOWN", "DRAIN", "MAINT");

  // Each metric's lines, kept together: the format wants one group per metric.
  private final Map<String, StringBuilder> families = new LinkedHashMap<>();
  private static final java.util.Set<String> SERVER_ANSWERS =
      java.util.Set.of("accepted", "rejected_by_server", "aborted_by_server");

  private PrometheusText() {}

  /** The whole exposition for {@code s}. */
  public static String of(NodeStatus s) {
    PrometheusText p = new PrometheusText();
    p.node(s);
    for (ServiceStatus v : s.virtualServices()) {
      p.service(v);
    }
    for (ServiceStatus v : s.virtualServices()) {
      for (RealServerStatus r : v.realServers()) {
        p.server(v.label(), r);
      }
    }
    StringBuilder out = new StringBuilder();
    p.families.values().forEach(out::append);
    return out.toString();
  }

  private void node(NodeStatus s) {
    sample(
        "lbctl_build_info",
        "gauge",
        "The node's build and transport.",
        1,
        "version",
        s.version(),
        "transport",
        s.transport(),
        "node",
        s.node());
    sample(
        "lbctl_config_version",
        "gauge",
        "The running configuration's version (0: unnumbered).",
        s.configVersion());
    PairStatus p = s.pair();
    if (p != null) {
      sample(
          "lbctl_pair_active",
          "gauge",
          "1 while this node serves the pair's addresses.",
          "active".equals(p.state()) ? 1 : 0,
          "role",
          p.role());
      if (p.refused() != null) {
        String help =
            "Datagrams to the pair's UDP port refused: from a stranger, forged, or replayed.";
        sample(
            "lbctl_pair_refused_datagrams_total",
            "counter",
            help,
            p.refused().strangers(),
            "reason",
            "stranger");
        sample(
            "lbctl_pair_refused_datagrams_total",
            "counter",
            help,
            p.refused().forged(),
            "reason",
            "forged");
        sample(
            "lbctl_pair_refused_datagrams_total",
            "counter",
            help,
            p.refused().replayed(),
            "reason",
            "replayed");
      }
      boolean peer = p.peer() != null && p.peer().present();
      sample(
          "lbctl_pair_peer_up", "gauge", "1 while the peer is in the cluster view.", peer ? 1 : 0);
      if (peer) {
        sample(
            "lbctl_pair_heartbeat_age_seconds",
            "gauge",
            "Seconds since the peer was last heard.",
            p.peer().heartbeatAgeMillis() / 1000.0);
      }
      sample(
          "lbctl_pair_config_drift",
          "gauge",
          "1 when the peer runs another configuration than this node.",
          p.configDrift() ? 1 : 0);
    }
    StickSummary t = s.stickTable();
    if (t != null) {
      sample(
          "lbctl_stick_table_entries",
          "gauge",
          "Persistence entries this node holds.",
          t.entries());
      StickSummary.Replication r = t.replication();
      if (r != null) {
        sample(
            "lbctl_stick_table_writes_total",
            "counter",
            "Entries sent to the peer.",
            r.writesSent());
        sample(
            "lbctl_stick_table_write_failures_total",
            "counter",
            "Entries the peer did not acknowledge.",
            r.writesFailed());
        sample(
            "lbctl_stick_table_writes_in_flight",
            "gauge",
            "Entries queued for the peer.",
            r.writesInFlight());
        sample(
            "lbctl_stick_table_lag_seconds",
            "gauge",
            "Replication lag over the last writes, by quantile.",
            r.lagP50Ms() / 1000,
            "quantile",
            "0.5");
        sample(
            "lbctl_stick_table_lag_seconds", "gauge", "", r.lagP99Ms() / 1000, "quantile", "0.99");
      }
    }
  }

  private void service(ServiceStatus v) {
    String[] l = {"proxy", v.label()};
    sample(
        "lbctl_frontend_status",
        "gauge",
        "1 for the virtual service's state: up (a real server takes clients), fallback, down.",
        1,
        "proxy",
        v.label(),
        "state",
        v.state(),
        "mode",
        v.mode());
    sample(
        "lbctl_frontend_current_sessions",
        "gauge",
        "Client connections open now.",
        v.activeConnections(),
        l);
    sample(
        "lbctl_frontend_sessions_total",
        "counter",
        "Client connections (layer 4: flows).",
        v.totalConnections(),
        l);
    sample(
        "lbctl_frontend_queued_sessions",
        "gauge",
        "Clients waiting for a real server with a free slot.",
        v.queuedConnections(),
        l);
    sample(
        "lbctl_frontend_fallback_sessions_total",
        "counter",
        "Clients sent to the fallback server.",
        v.fallbackConnections(),
        l);
    sample(
        "lbctl_frontend_denied_sessions_total",
        "counter",
        "Clients refused: no real server and no fallback.",
        v.refusedConnections(),
        l);
    sample("lbctl_frontend_bytes_in_total", "counter", "Bytes from clients.", v.bytesIn(), l);
    sample("lbctl_frontend_bytes_out_total", "counter", "Bytes to clients.", v.bytesOut(), l);
    v.httpRejected()
        .forEach(
            (reason, n) ->
                sample(
                    "lbctl_http_rejected_total",
                    "counter",
                    "HTTP exchanges refused or cut by this proxy, by reason"
                        + " (lbctl's docs list the reasons and their status codes).",
                    n,
                    "proxy",
                    v.label(),
                    "reason",
                    reason));
    histogram(
        "lbctl_dicom_association_seconds",
        "How long DICOM associations routed to a server lasted, from admission to close.",
        v.dicomAssociations(),
        "duration_ms",
        "proxy",
        v.label());
    histogram(
        "lbctl_hl7_ack_seconds",
        "Time from an HL7 message's arrival to the relay of its acknowledgment.",
        v.hl7Messages(),
        "ack_ms",
        "proxy",
        v.label());
    v.dicomAssociations().entrySet().stream()
        .filter(e -> SERVER_ANSWERS.contains(e.getKey()))
        .forEach(
            e ->
                sample(
                    "lbctl_dicom_server_answers_total",
                    "counter",
                    "Real servers' first answers to the DICOM associations this proxy routed to"
                        + " them: accepted (A-ASSOCIATE-AC), rejected_by_server (-RJ),"
                        + " aborted_by_server (A-ABORT, anything else, or a close).",
                    e.getValue(),
                    "proxy",
                    v.label(),
                    "answer",
                    e.getKey()));
    v.dicomAssociations().entrySet().stream()
        .filter(e -> !e.getKey().startsWith("duration_ms") && !SERVER_ANSWERS.contains(e.getKey()))
        .forEach(
            e ->
                sample(
                    "lbctl_dicom_associations_total",
                    "counter",
                    "DICOM associations offered to this proxy, by outcome: routed to a server,"
                        + " rejected for their called or calling AE title, aborted as malformed,"
                        + " incomplete, or routed and then rejected-transient (rejected_no_server)"
                        + " as no server of the pool could take them.",
                    e.getValue(),
                    "proxy",
                    v.label(),
                    "outcome",
                    e.getKey()));
    v.hl7Messages().entrySet().stream()
        .filter(e -> !e.getKey().startsWith("ack_ms"))
        .forEach(
            e -> {
              String key = e.getKey();
              long n = e.getValue();
              switch (key) {
                case "resent", "unanswered", "malformed" ->
                    sample(
                        "lbctl_hl7_" + key + "_total",
                        "counter",
                        switch (key) {
                          case "resent" ->
                              "HL7 messages sent again to another server (timeout, lost server,"
                                  + " or a NAK with resendOnNak).";
                          case "unanswered" ->
                              "HL7 messages no server acknowledged: the sender's connection was"
                                  + " closed for it to resend.";
                          default ->
                              "HL7 sender connections closed for bad MLLP framing or header.";
                        },
                        n,
                        "proxy",
                        v.label());
                default ->
                    sample(
                        "lbctl_hl7_messages_total",
                        "counter",
                        "HL7 messages acknowledged to their senders, by the acknowledgment code the"
                            + " server gave (MSA-1).",
                        n,
                        "proxy",
                        v.label(),
                        "ack",
                        key);
              }
            });
  }

  /**
   * A histogram from the status's {@code <key>_le_<ms>}, {@code <key>_sum_ms} and {@code
   * <key>_count} entries, in seconds; nothing when the status has none.
   */
  private void histogram(
      String name, String help, Map<String, Long> all, String key, String... labels) {
    if (!all.containsKey(key + "_count")) {
      return;
    }
    StringBuilder out = families.get(name);
    if (out == null) {
      out = new StringBuilder();
      families.put(name, out);
      out.append("# HELP ").append(name).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(name).append(" histogram\n");
    }
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < labels.length; i += 2) {
      l.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append("\",");
    }
    String prefix = key + "_le_";
    for (Map.Entry<String, Long> e : all.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        String bound = e.getKey().substring(prefix.length());
        String le = bound.equals("inf") ? "+Inf" : Double.toString(Long.parseLong(bound) / 1000.0);
        out.append(name)
            .append("_bucket{")
            .append(l)
            .append("le=\"")
            .append(le)
            .append("\"} ")
            .append(e.getValue())
            .append('\n');
      }
    }
    String plain = l.length() == 0 ? "" : "{" + l.substring(0, l.length() - 1) + "}";
    out.append(name)
        .append("_sum")
        .append(plain)
        .append(' ')
        .append(all.get(key + "_sum_ms") / 1000.0)
        .append('\n');
    out.append(name)
        .append("_count")
        .append(plain)
        .append(' ')
        .append(all.get(key + "_count"))
        .append('\n');
  }

  private void server(String vip, RealServerStatus r) {
    String[] l = {"proxy", vip, "server", r.label()};
    new java.util.TreeMap<>(r.hl7Acks())
        .forEach(
            (code, n) ->
                sample(
                    "lbctl_server_hl7_acks_total",
                    "counter",
                    "HL7 acknowledgments of this real server relayed to senders, by code (MSA-1).",
                    n,
                    "proxy",
                    vip,
                    "server",
                    r.label(),
                    "ack",
                    code));
    String state =
        switch (r.adminState()) {
          case "halt" -> "MAINT";
          case "drain" -> "DRAIN";
          default -> "up".equals(r.health()) ? "UP" : "DOWN";
        };
    for (String s : SERVER_STATES) {
      sample(
          "lbctl_server_status",
          "gauge",
          "1 for the real server's state: UP, DOWN (health check), DRAIN, MAINT (halt).",
          s.equals(state) ? 1 : 0,
          "proxy",
          vip,
          "server",
          r.label(),
          "state",
          s);
    }
    sample(
        "lbctl_server_check_status",
        "gauge",
        "1 while the last health checks say up.",
        "up".equals(r.health()) ? 1 : 0,
        l);
    if (r.lastCheckMillis() != null) {
      sample(
          "lbctl_server_check_duration_seconds",
          "gauge",
          "How long the latest health check took (a timeout: the timeout).",
          r.lastCheckMillis() / 1000,
          l);
    }
    sample("lbctl_server_weight", "gauge", "The real server's weight.", r.weight(), l);
    sample(
        "lbctl_server_current_sessions",
        "gauge",
        "Connections open now.",
        r.activeConnections(),
        l);
    sample(
        "lbctl_server_sessions_total",
        "counter",
        "Connections (HTTP mode: requests; layer 4: flows).",
        r.totalConnections(),
        l);
    sample(
        "lbctl_server_connection_errors_total",
        "counter",
        "Failed connects.",
        r.failedConnects(),
        l);
    sample("lbctl_server_bytes_in_total", "counter", "Bytes sent to the server.", r.bytesIn(), l);
    sample(
        "lbctl_server_bytes_out_total", "counter", "Bytes the server answered.", r.bytesOut(), l);
  }

  /** One sample; HELP and TYPE before a metric's first sample only. */
  private void sample(String name, String type, String help, double value, String... labels) {
    StringBuilder out = families.get(name);
    if (out == null) {
      out = new StringBuilder();
      families.put(name, out);
      out.append("# HELP ").append(name).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
    out.append(name);
    if (labels.length > 0) {
      out.append('{');
      for (int i = 0; i < labels.length; i += 2) {
        if (i > 0) {
          out.append(',');
        }
        out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
      }
      out.append('}');
    }
    out.append(' ');
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      out.append((long) value);
    } else {
      out.append(value);
    }
    out.append('\n');
  }

  private static String escape(String v) {
    return v == null ? "" : v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
