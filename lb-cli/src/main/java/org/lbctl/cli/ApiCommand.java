package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that calls the running node's management API. */
abstract class ApiCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin ApiOptions api;

  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Calls the API; a refusal becomes a {@link CliFailure} carrying the node's reason. */
  JsonNode call(String method, String path, String body) {
    ApiClient.Answer answer;
    try {
      answer = api.client().call(method, path, body);
    } catch (IOException e) {
      throw new CliFailure(e.getMessage());
    }
    if (!answer.ok()) {
      if (api.json()) {
        printJson(answer.body());
      }
      StringBuilder msg = new StringBuilder(answer.error());
      for (JsonNode p : answer.body().path("problems")) {
        msg.append("\n  ")
            .append(p.path("path").asText().isEmpty() ? "" : p.path("path").asText() + ": ")
            .append(p.path("message").asText())
            .append(p.has("line") ? " (line " + p.path("line").asInt() + ")" : "");
      }
      throw new CliFailure(msg.toString());
    }
    return answer.body();
  }

  void printJson(JsonNode body) {
    try {
      out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
    } catch (IOException e) {
      throw new CliFailure("cannot print JSON: " + e.getMessage());
    }
    out().flush();
  }

  static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
