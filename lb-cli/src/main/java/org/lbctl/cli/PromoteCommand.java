package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "promote",
    description = {
      "Let this secondary accept configuration edits while the primary is down.",
      "Refused while the primary is in the pair, and while it only went silent (it may be",
      "alive behind a partition): --force once it is known to be down. The promotion ends by",
      "itself once the primary is back and has taken this node's version."
    })
final class PromoteCommand extends ApiCommand {
  @Option(
      names = "--force",
      description = "The primary is known to be down although it did not leave the pair.")
  boolean force;

  @Override
  public Integer call() {
    JsonNode s = call("POST", "/v1/pair/promote", force ? "{\"force\": true}" : null);
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
