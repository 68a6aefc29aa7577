package org.lbctl.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of every command that talks to a running node. */
final class ApiOptions {
  enum Output {
    table,
    json
  }

  @Mixin SocketOption socket = new SocketOption();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default) or json, for scripts.")
  Output output = Output.table;

  ApiClient client() {
    return new ApiClient(socket.socket);
  }

  boolean json() {
    return output == Output.json;
  }
}
