package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

@Command(
    name = "promote",
    description = {
      "Let this secondary accept configuration edits while the primary is down.",
      "Refused while the primary is in the pair. The promotion ends by itself once the",
      "primary is back and has taken this node's version."
    })
final class PromoteCommand extends ApiCommand {
  @Override
  public Integer call() {
    JsonNode s = call("POST", "/v1/pair/promote", null);
    if (api.json()) {
      printJson(s);
      return 0;
    }
    out()
        .printf(
            "secondary promoted: edit the configuration file here and run `lbctl reload`;"
                + " it runs configuration v%s%n",
            s.path("configVersion").asText());
    out().flush();
    return 0;
  }
}
