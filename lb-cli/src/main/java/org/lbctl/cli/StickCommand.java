package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "stick",
    description = {
      "Show or clear a virtual service's stick table (persistence entries):",
      "  show   each client (or * for last-successful) and the real server it sticks to",
      "  clear  drop them all; clients are balanced afresh from their next connection",
      "         (the guides' Reports > Layer 7 Stick Table > Clear Table)"
    })
final class StickCommand extends ApiCommand {
  enum Action {
    show,
    clear
  }

  @Parameters(index = "0", paramLabel = "ACTION", description = "show or clear")
  Action action;

  @Parameters(index = "1", paramLabel = "VIP", description = "label of the virtual service")
  String vip;

  @Override
  public Integer call() {
    String path =
        "/v1/virtual-services/" + URLEncoder.encode(vip, StandardCharsets.UTF_8) + "/stick-table";
    JsonNode r = call(action == Action.show ? "GET" : "DELETE", path, null);
    if (api.json()) {
      printJson(r);
      return 0;
    }
    if (action == Action.clear) {
      out().printf("%s: stick table cleared (%d entries)%n", vip, r.path("cleared").asInt());
    } else {
      out()
          .printf(
              "%s: persistence %s, timeout %s, %d entries%n",
              vip,
              r.path("persistence").asText(),
              r.path("timeout").asText(),
              r.path("entries").size());
      if (!r.path("entries").isEmpty()) {
        Table t = new Table("  ", "CLIENT", "REAL SERVER", "EXPIRES");
        r.path("entries")
            .forEach(
                e ->
                    t.row(
                        e.path("key").asText(),
                        e.path("server").asText(),
                        e.path("expiresAt").asText()));
        out().print(t.render());
      }
    }
    out().flush();
    return 0;
  }
}
