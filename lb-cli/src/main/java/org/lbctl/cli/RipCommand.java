package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "rip",
    description = {
      "Change the admin state of a real server:",
      "  online  takes new connections",
      "  drain   no new clients; open connections continue",
      "  halt    no new connections at all; open connections continue"
    })
final class RipCommand extends ApiCommand {
  enum Action {
    online,
    drain,
    halt
  }

  @Parameters(index = "0", paramLabel = "ACTION", description = "online, drain or halt")
  Action action;

  @Parameters(index = "1", paramLabel = "VIP", description = "label of the virtual service")
  String vip;

  @Parameters(index = "2", paramLabel = "RIP", description = "label of the real server")
  String rip;

  @Override
  public Integer call() {
    JsonNode r =
        call(
            "PUT",
            "/v1/virtual-services/"
                + URLEncoder.encode(vip, StandardCharsets.UTF_8)
                + "/real-servers/"
                + URLEncoder.encode(rip, StandardCharsets.UTF_8)
                + "/admin-state",
            "{\"state\": " + quote(action.name()) + "}");
    if (api.json()) {
      printJson(r);
    } else {
      out()
          .printf(
              "%s/%s: %s -> %s%n", vip, rip, r.path("previous").asText(), r.path("state").asText());
      out().flush();
    }
    return 0;
  }
}
