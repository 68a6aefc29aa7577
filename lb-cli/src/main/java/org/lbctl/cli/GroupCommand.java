package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "group",
    description = {
      "Move a cluster's VIP group to a member:",
      "  move GROUP NODE  NODE goes first in GROUP's preference and failback is turned on, as a",
      "                   new configuration version that every member runs; the group moves",
      "                   (its holder lets it go first) and stays while NODE lives"
    })
final class GroupCommand extends ApiCommand {
  enum Action {
    move
  }

  @Parameters(index = "0", paramLabel = "ACTION", description = "move")
  Action action;

  @Parameters(index = "1", paramLabel = "GROUP", description = "name of the VIP group")
  String group;

  @Parameters(index = "2", paramLabel = "NODE", description = "member to move it to")
  String node;

  @Override
  public Integer call() {
    String body =
        new ObjectMapper().createObjectNode().put("group", group).put("node", node).toString();
    JsonNode s = call("POST", "/v1/groups/move", body);
    if (api.json()) {
      printJson(s);
      return 0;
    }
    out()
        .printf(
            "%s: %s first in its preference, failback on (configuration v%d); it moves once %s"
                + " lets it go%n",
            group, node, s.path("configVersion").asLong(), holder(s.path("cluster")));
    out().flush();
    return 0;
  }

  private String holder(JsonNode cluster) {
    for (JsonNode g : cluster.path("groups")) {
      if (g.path("group").asText().equals(group)) {
        return g.path("holder").asText().equals("-")
            ? "nobody holding it"
            : g.path("holder").asText();
      }
    }
    return "its holder";
  }
}
