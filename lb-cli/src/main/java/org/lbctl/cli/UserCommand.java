package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "user",
    description = {
      "Manage the node's management users (there is no default user or password):",
      "  add NAME   with --password-stdin, the first line of standard input is the password",
      "             (12 characters at least); without it the node generates one and this",
      "             command prints it, once. --role viewer|operator|admin (default: admin for",
      "             the node's first user, viewer for later ones)",
      "  list       the users, their roles, whether disabled",
      "  role NAME --role ROLE   viewer reads; operator also drains, halts, clears stick tables",
      "             and fails over; admin also edits the configuration, the users and the pair",
      "  passwd NAME    a new password (--password-stdin, or a generated one printed once)",
      "  disable NAME   no login; its API tokens and sessions stop working until enable",
      "  enable NAME",
      "  remove NAME    the user and its API tokens"
    })
final class UserCommand extends ApiCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Action {
    add,
    list,
    passwd,
    role,
    disable,
    enable,
    remove
  }

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "ACTION",
      description = "add, list, passwd, role, disable, enable or remove")
  Action action;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "the user (add)")
  String name;

  @Option(names = "--password-stdin", description = "read the password from standard input")
  boolean passwordStdin;

  @Option(
      names = "--role",
      paramLabel = "ROLE",
      description = "viewer, operator or admin (add, role)")
  String role;

  @Override
  public Integer call() throws IOException {
    if (action == Action.list) {
      JsonNode r = call("GET", "/v1/users", null);
      if (api.json()) {
        printJson(r);
      } else {
        Table t = new Table("", "NAME", "ROLE", "DISABLED", "CREATED");
        for (JsonNode u : r.path("users")) {
          t.row(
              u.path("name").asText(),
              u.path("role").asText(),
              u.path("disabled").asBoolean() ? "yes" : "no",
              u.path("created").asText());
        }
        out().print(t.render());
      }
      out().flush();
      return 0;
    }
    if (name == null) {
      throw new ParameterException(spec.commandLine(), "user " + action + " needs a NAME");
    }
    String path = "/v1/users/" + name;
    switch (action) {
      case remove -> {
        call("DELETE", path, null);
        out().printf("user %s removed, with its API tokens%n", name);
        out().flush();
        return 0;
      }
      case role -> {
        if (role == null) {
          throw new ParameterException(spec.commandLine(), "user role needs --role ROLE");
        }
        call(
            "PUT",
            path + "/role",
            JSON.writeValueAsString(JSON.createObjectNode().put("role", role)));
        out().printf("user %s is now %s%n", name, role);
        out().flush();
        return 0;
      }
      case disable, enable -> {
        boolean off = action == Action.disable;
        call(
            "PUT",
            path + "/disabled",
            JSON.writeValueAsString(JSON.createObjectNode().put("disabled", off)));
        out().printf("user %s %s%n", name, off ? "disabled" : "enabled");
        out().flush();
        return 0;
      }
      default -> {
        // add and passwd, below
      }
    }
    ObjectNode body = JSON.createObjectNode();
    if (action == Action.add) {
      body.put("name", name);
      if (role != null) {
        body.put("role", role);
      }
    }
    if (passwordStdin) {
      String line =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(), "--password-stdin: standard input held no password");
      }
      body.put("password", line);
    }
    if (action == Action.passwd) {
      JsonNode r = call("PUT", path + "/password", JSON.writeValueAsString(body));
      if (api.json()) {
        printJson(r);
      } else if (r.has("generatedPassword")) {
        out()
            .printf(
                "user %s: new password (shown this once): %s%n",
                name, r.path("generatedPassword").asText());
      } else {
        out().printf("user %s: password changed%n", name);
      }
      out().flush();
      return 0;
    }
    JsonNode r = call("POST", "/v1/users", JSON.writeValueAsString(body));
    if (api.json()) {
      printJson(r);
    } else if (r.has("generatedPassword")) {
      out()
          .printf(
              "user %s added (%s); password (shown this once): %s%n",
              name, r.path("role").asText(), r.path("generatedPassword").asText());
    } else {
      out().printf("user %s added (%s)%n", name, r.path("role").asText());
    }
    out().flush();
    return 0;
  }
}
