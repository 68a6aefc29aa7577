package org.lbctl.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options of every command that talks to a running node: which node, and how to print. */
final class ApiOptions {
  enum Output {
    table,
    json
  }

  @Mixin SocketOption socket = new SocketOption();

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default) or json, for scripts.")
  Output output = Output.table;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description =
          "A remote node's HTTPS management API (https://lb1:9443) instead of the local socket;"
              + " needs an API token ($LBCTL_TOKEN or --token-file).")
  URI endpoint;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "File holding the API token for --endpoint (default: $LBCTL_TOKEN).")
  Path tokenFile;

  @Option(
      names = "--cacert",
      paramLabel = "FILE",
      description =
          "PEM certificate(s) to trust for --endpoint: the node's management.crt or its CA"
              + " (default: the JDK's trust store).")
  Path caCert;

  ApiClient client() {
    if (endpoint == null) {
      return new UnixSocketClient(socket.socket);
    }
    if (!"https".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
      throw new ParameterException(
          command.commandLine(),
          "--endpoint: '" + endpoint + "' (expected https://HOST:PORT, e.g. https://lb1:9443)");
    }
    try {
      return new HttpsClient(endpoint, token(), caCert);
    } catch (IOException e) {
      throw new CliFailure(e.getMessage());
    }
  }

  private String token() {
    if (tokenFile != null) {
      try {
        String t = Files.readString(tokenFile).strip();
        if (!t.isEmpty()) {
          return t;
        }
        throw new CliFailure("--token-file " + tokenFile + " is empty");
      } catch (IOException e) {
        throw new CliFailure("--token-file: cannot read " + tokenFile + ": " + e.getMessage());
      }
    }
    String env = System.getenv("LBCTL_TOKEN");
    if (env != null && !env.isBlank()) {
      return env.strip();
    }
    throw new CliFailure(
        "--endpoint needs an API token: set $LBCTL_TOKEN or give --token-file (make one on the"
            + " node with 'lbctl token create LABEL')");
  }

  boolean json() {
    return output == Output.json;
  }
}
