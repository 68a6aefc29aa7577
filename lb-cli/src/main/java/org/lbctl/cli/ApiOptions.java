package org.lbctl.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of every command that talks to a running node. */
final class ApiOptions {
  enum Output {
    table,
    json
  }

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      description = "Management socket of the node (default: $LBCTL_SOCKET or ${DEFAULT-VALUE}).")
  Path socket = DefaultSocket.path();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default) or json, for scripts.")
  Output output = Output.table;

  ApiClient client() {
    return new ApiClient(socket);
  }

  boolean json() {
    return output == Output.json;
  }
}
