package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "status",
    description =
        "Show the node and every virtual service with its real servers (System Overview).")
final class StatusCommand extends ApiCommand {
  @Override
  public Integer call() {
    JsonNode s = call("GET", "/v1/status", null);
    if (api.json()) {
      printJson(s);
      return 0;
    }
    out()
        .printf(
            "node %s  version %s  transport %s  started %s%n"
                + "configuration v%s %s (%s, loaded %s)%n%n",
            s.path("node").asText(),
            s.path("version").asText(),
            s.path("transport").asText(),
            s.path("startedAt").asText(),
            s.path("configVersion").asText(),
            s.path("configHash").asText().substring(0, 12),
            s.path("configSource").asText(),
            s.path("configLoadedAt").asText());
    JsonNode pair = s.path("pair");
    if (pair.isObject()) {
      printPair(pair);
    } else if (s.path("cluster").isObject()) {
      ClusterView.print(out(), s.path("cluster"));
    } else {
      out().println("pair: none (this node runs alone)\n");
    }
    printStickTable(s.path("stickTable"));
    if (s.path("virtualServices").isEmpty()) {
      out().println("no virtual services");
    }
    for (JsonNode v : s.path("virtualServices")) {
      List<String> ports = new ArrayList<>();
      v.path("ports").forEach(p -> ports.add(p.asText()));
      out()
          .print(
              new Table(
                      "",
                      "VIRTUAL SERVICE",
                      "ADDRESS",
                      "PORTS",
                      "LAYER",
                      "MODE",
                      "SCHEDULER",
                      "STATE",
                      "CONNS",
                      "TOTAL",
                      "QUEUED",
                      "FALLBACK",
                      "REFUSED",
                      "IN",
                      "OUT")
                  .row(
                      v.path("label").asText(),
                      v.path("address").asText(),
                      String.join(",", ports),
                      v.path("layer").asText(),
                      v.path("layer").asInt() == 4
                          ? v.path("mode").asText()
                          : v.path("protocol").asText(),
                      v.path("scheduler").asText(),
                      v.path("state").asText().toUpperCase(java.util.Locale.ROOT),
                      v.path("activeConnections").asText(),
                      v.path("totalConnections").asText(),
                      v.path("queuedConnections").asText(),
                      v.path("fallback").isNull()
                          ? "disabled"
                          : v.path("fallback").asText()
                              + " ("
                              + v.path("fallbackConnections").asText()
                              + ")",
                      v.path("refusedConnections").asText(),
                      Table.bytes(v.path("bytesIn").asLong()),
                      Table.bytes(v.path("bytesOut").asLong()))
                  .render());
      List<String> rejected = new ArrayList<>();
      v.path("httpRejected")
          .fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().asLong() > 0) {
                  rejected.add(e.getKey() + " " + e.getValue().asLong());
                }
              });
      if (!rejected.isEmpty()) {
        out().printf("    HTTP refused or cut: %s%n", String.join(", ", rejected));
      }
      List<String> associations = new ArrayList<>();
      v.path("dicomAssociations")
          .fields()
          .forEachRemaining(
              e -> {
                // The duration histogram is for /metrics; the count says enough here.
                if (!e.getKey().startsWith("duration_ms_le_")) {
                  associations.add(e.getKey() + " " + e.getValue().asLong());
                }
              });
      if (!associations.isEmpty()) {
        out().printf("    DICOM associations: %s%n", String.join(", ", associations));
      }
      List<String> messages = new ArrayList<>();
      v.path("hl7Messages")
          .fields()
          .forEachRemaining(
              e -> {
                if (!e.getKey().startsWith("ack_ms_le_")) {
                  messages.add(e.getKey() + " " + e.getValue().asLong());
                }
              });
      if (!messages.isEmpty()) {
        out().printf("    HL7 messages: %s%n", String.join(", ", messages));
      }
      Table rs =
          new Table(
              "    ",
              "REAL SERVER",
              "ADDRESS",
              "PORT",
              "WEIGHT",
              "ADMIN",
              "HEALTH",
              "CONNS",
              "TOTAL",
              "FAILED",
              "IN",
              "OUT",
              "LAST CHECK");
      for (JsonNode r : v.path("realServers")) {
        rs.row(
            r.path("label").asText(),
            r.path("address").asText(),
            r.path("port").asInt() == 0 ? "(client's)" : r.path("port").asText(),
            r.path("weight").asText(),
            r.path("adminState").asText(),
            r.path("health").asText(),
            r.path("activeConnections").asText(),
            r.path("totalConnections").asText(),
            r.path("failedConnects").asText(),
            Table.bytes(r.path("bytesIn").asLong()),
            Table.bytes(r.path("bytesOut").asLong()),
            r.path("lastCheck").asText("-"));
      }
      out().println(rs.render());
    }
    out().flush();
    return 0;
  }

  /** The stick table's size and, on a pair, how its replication fares. */
  private void printStickTable(JsonNode t) {
    JsonNode r = t.path("replication");
    if (!r.isObject()) {
      out().printf("stick table: %d entries (this node only)%n%n", t.path("entries").asLong());
      return;
    }
    out()
        .printf(
            "stick table: %d entries, replicated with %s over TCP %d (%s)%n"
                + "  writes %d sent, %d coalesced, %d failed, %d in flight;"
                + " lag p50 %.2f ms, p99 %.2f ms, max %.2f ms (last %d writes)%n"
                + "  traffic %s out, %s in; real-server lists: %s%n%n",
            t.path("entries").asLong(),
            r.path("peer").asText(),
            r.path("port").asInt(),
            r.path("members").asInt() >= 2 ? "peer connected" : "PEER NOT CONNECTED",
            r.path("writesSent").asLong(),
            r.path("refreshesCoalesced").asLong(),
            r.path("writesFailed").asLong(),
            r.path("writesInFlight").asLong(),
            r.path("lagP50Ms").asDouble(),
            r.path("lagP99Ms").asDouble(),
            r.path("lagMaxMs").asDouble(),
            r.path("lagSamples").asInt(),
            Table.bytes(r.path("bytesSent").asLong()),
            Table.bytes(r.path("bytesReceived").asLong()),
            !r.hasNonNull("serversMatch")
                ? "not compared yet"
                : r.path("serversMatch").asBoolean()
                    ? "same as the peer's"
                    : "DIFFERENT FROM THE PEER'S (see the log)");
  }

  /** Both nodes side by side, as this node sees them. */
  private void printPair(JsonNode pair) {
    JsonNode peer = pair.path("peer");
    out()
        .printf(
            "pair: %s %s since %s (%s)%n",
            pair.path("role").asText(),
            pair.path("state").asText().toUpperCase(java.util.Locale.ROOT),
            pair.path("since").asText(),
            pair.path("reason").asText());
    long age = peer.path("heartbeatAgeMillis").asLong(-1);
    long peerVersion = peer.path("configVersion").asLong(-1);
    out()
        .print(
            new Table("  ", "NODE", "ROLE", "STATE", "CONFIGURATION", "HEARTBEAT", "FLOATING IPS")
                .row(
                    "this node",
                    pair.path("role").asText(),
                    pair.path("state").asText(),
                    version(pair.path("configVersion").asLong(), pair.path("configHash").asText()),
                    "-",
                    ips(pair.path("floatingIpsOwned")))
                .row(
                    "peer " + peer.path("address").asText(),
                    peer.path("role").asText(),
                    peer.path("state").asText(),
                    peerVersion < 0 ? "-" : version(peerVersion, peer.path("configHash").asText()),
                    age < 0 ? "-" : age + " ms ago",
                    ips(peer.path("floatingIpsOwned")))
                .render());
    out()
        .printf(
            "  configuration %s%s; edits here: %s%n",
            pair.path("configSync").asText(),
            pair.path("promoted").asBoolean() ? " (PROMOTED)" : "",
            pair.path("edits").asText());
    if (pair.path("configDrift").asBoolean()) {
      out()
          .printf(
              "  CONFIGURATION DRIFT: this node runs %.12s, the peer %.12s%n",
              pair.path("configHash").asText(), peer.path("configHash").asText());
    }
    out()
        .printf(
            "  term %d; fence: %s%n", pair.path("term").asLong(), pair.path("fence").asText("-"));
    JsonNode refused = pair.path("refused");
    out()
        .printf(
            "  refused on the pair port: %d from strangers, %d forged, %d replayed%n",
            refused.path("strangers").asLong(),
            refused.path("forged").asLong(),
            refused.path("replayed").asLong());
    for (JsonNode w : pair.path("warnings")) {
      out().printf("  WARNING: %s%n", w.asText());
    }
    out().println();
  }

  private static String version(long number, String hash) {
    return "v" + number + " " + (hash.length() > 12 ? hash.substring(0, 12) : hash);
  }

  private static String ips(JsonNode list) {
    List<String> ips = new ArrayList<>();
    list.forEach(ip -> ips.add(ip.asText()));
    return ips.isEmpty() ? "-" : String.join(",", ips);
  }
}
