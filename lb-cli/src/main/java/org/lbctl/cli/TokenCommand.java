package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "token",
    description = {
      "Manage API tokens, for scripts, Prometheus and a remote lbctl (--endpoint):",
      "  create LABEL [--user NAME] [--read-only] [--expires 90d]   prints the token, once",
      "  list                          id, user, label, read-only, created, expires",
      "  revoke ID"
    })
final class TokenCommand extends ApiCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Action {
    create,
    list,
    revoke
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ACTION", description = "create, list or revoke")
  Action action;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "LABEL|ID",
      description = "what uses the token (create), or its id (revoke)")
  String argument;

  @Option(
      names = "--user",
      paramLabel = "NAME",
      description = "the user the token acts as (default: the caller; required on the socket)")
  String user;

  @Option(
      names = "--read-only",
      description = "the token reads the status and the metrics only (a scraper's)")
  boolean readOnly;

  @Option(
      names = "--role",
      paramLabel = "ROLE",
      description =
          "the most the token may do: viewer, operator or admin (default: the maker's role; never"
              + " more than its user's)")
  String role;

  @Option(
      names = "--expires",
      paramLabel = "DURATION",
      description = "how long the token lives, e.g. 90d (default 365d, at most 1825d)")
  String expires;

  @Override
  public Integer call() throws IOException {
    switch (action) {
      case list -> {
        JsonNode r = call("GET", "/v1/tokens", null);
        if (api.json()) {
          printJson(r);
          return 0;
        }
        Table t = new Table("", "ID", "USER", "LABEL", "ACCESS", "ROLE", "CREATED", "EXPIRES");
        for (JsonNode k : r.path("tokens")) {
          t.row(
              k.path("id").asText(),
              k.path("user").asText(),
              k.path("label").asText(),
              k.path("readOnly").asBoolean() ? "read-only" : "read-write",
              k.path("role").asText(),
              k.path("created").asText(),
              k.path("expires").asText());
        }
        out().print(t.render());
      }
      case create -> {
        if (argument == null) {
          throw new ParameterException(spec.commandLine(), "token create needs a LABEL");
        }
        ObjectNode body = JSON.createObjectNode().put("label", argument).put("readOnly", readOnly);
        if (user != null) {
          body.put("user", user);
        }
        if (expires != null) {
          body.put("expiresIn", expires);
        }
        if (role != null) {
          body.put("role", role);
        }
        JsonNode r = call("POST", "/v1/tokens", JSON.writeValueAsString(body));
        if (api.json()) {
          printJson(r);
          return 0;
        }
        out()
            .printf(
                "token for %s (%s, at most %s), shown this once:%n%s%n",
                r.path("user").asText(),
                readOnly ? "read-only" : "read-write",
                r.path("role").asText(),
                r.path("token").asText());
      }
      case revoke -> {
        if (argument == null || !argument.matches("[0-9a-f]{8}")) {
          throw new ParameterException(
              spec.commandLine(), "token revoke needs the token's ID (8 hex digits, see list)");
        }
        call("DELETE", "/v1/tokens/" + argument, null);
        out().printf("token %s revoked%n", argument);
      }
      default -> throw new IllegalStateException(action.name());
    }
    out().flush();
    return 0;
  }
}
