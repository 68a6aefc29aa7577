package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

@Command(
    name = "failover",
    description = {
      "Hand the active role to the peer on purpose (the guides' manual failover test).",
      "Run it on the active node: it stops serving and gives up its floating IPs; the peer",
      "takes them over at once."
    })
final class FailoverCommand extends ApiCommand {
  @Override
  public Integer call() {
    JsonNode s = call("POST", "/v1/pair/failover", null);
    if (api.json()) {
      printJson(s);
      return 0;
    }
    JsonNode p = s.path("pair");
    out()
        .printf(
            "%s is now %s; the peer takes the active role%n",
            p.path("role").asText(), p.path("state").asText());
    out().flush();
    return 0;
  }
}
