package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The cluster part of {@code lbctl status}: every member with its groups, and who holds what. */
final class ClusterView {
  private ClusterView() {}

  static void print(PrintWriter out, JsonNode c) {
    out.printf(
        "cluster: %s is %s, holds %s; fence lease %s%n",
        c.path("self").asText(),
        c.path("quorum").asBoolean() ? "in a quorum" : "OUTSIDE A QUORUM (it holds nothing)",
        list(c.path("holding")),
        c.path("leaseRenewed").asBoolean() ? "renewed" : "not renewed");
    Table members =
        new Table("  ", "MEMBER", "ADDRESS", "IN VIEW", "HEARD", "CONFIGURATION", "GROUPS");
    for (JsonNode m : c.path("members")) {
      boolean self = m.path("name").asText().equals(c.path("self").asText());
      long heard = m.path("heardAgoMillis").asLong(-1);
      String hash = m.path("configHash").asText();
      members.row(
          m.path("name").asText() + (self ? " (this node)" : ""),
          m.path("address").asText(),
          m.path("inView").asBoolean() ? "yes" : "NO",
          self ? "-" : heard < 0 ? "never" : heard + " ms ago",
          hash.isEmpty()
              ? "-"
              : "v"
                  + m.path("configVersion").asLong()
                  + " "
                  + (hash.length() > 12 ? hash.substring(0, 12) : hash)
                  + (m.path("sameLayout").asBoolean() ? "" : " OTHER GROUP LAYOUT"),
          list(m.path("groups")));
    }
    out.print(members.render());
    Table groups = new Table("  ", "GROUP", "HELD BY");
    for (JsonNode g : c.path("groups")) {
      groups.row(g.path("group").asText(), g.path("holder").asText());
    }
    out.print(groups.render());
    out.printf(
        "  refused on the cluster port: %d from strangers, %d forged, %d replayed%n%n",
        c.path("refusedStrangers").asLong(),
        c.path("refusedForged").asLong(),
        c.path("refusedReplayed").asLong());
  }

  private static String list(JsonNode list) {
    List<String> items = new ArrayList<>();
    list.forEach(i -> items.add(i.asText()));
    return items.isEmpty() ? "-" : String.join(",", items);
  }
}
