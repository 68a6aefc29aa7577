package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

@Command(
    name = "reload",
    description = {
      "Load the node's configuration file again and apply the difference.",
      "Listeners that did not change keep their connections; a refused file changes nothing."
    })
final class ReloadCommand extends ApiCommand {
  @Override
  public Integer call() {
    JsonNode r = call("POST", "/v1/reload", null);
    if (api.json()) {
      printJson(r);
      return 0;
    }
    out()
        .printf(
            "configuration reloaded: now v%s %.12s%n",
            r.path("configVersion").asText(), r.path("configHash").asText());
    out().println("  listening now on:  " + join(r.path("added")));
    out().println("  stopped listening: " + join(r.path("removed")));
    out().println("  unchanged:         " + r.path("kept").size() + " listeners");
    out().flush();
    return 0;
  }

  private static String join(JsonNode list) {
    if (list.isEmpty()) {
      return "-";
    }
    StringBuilder s = new StringBuilder();
    list.forEach(n -> s.append(s.length() == 0 ? "" : ", ").append(n.asText()));
    return s.toString();
  }
}
