package org.lbctl.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The management socket: where a node listens and where commands find it. */
final class SocketOption {
  @Option(
      names = "--socket",
      paramLabel = "PATH",
      description = "Management socket of the node (default: $LBCTL_SOCKET or ${DEFAULT-VALUE}).")
  Path socket = DefaultSocket.path();
}
