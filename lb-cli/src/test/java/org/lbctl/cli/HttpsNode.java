package org.lbctl.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import org.lbctl.cluster.node.Node;
import org.lbctl.core.config.DirectorySettings;
import org.lbctl.core.config.ManagementHttps;
import org.lbctl.core.config.NodeConfig;

/** A node in this JVM on its configuration file, with HTTPS management on a loopback port. */
final class HttpsNode {
  private HttpsNode() {}

  /** The socket is {@code lbctl.sock} beside the configuration; the certificate is generated. */
  static Node start(Path config, int httpsPort) throws Exception {
    return start(config, httpsPort, Optional.empty());
  }

  /** ... whose users not kept on the node log in at {@code directory}. */
  static Node start(Path config, int httpsPort, Optional<DirectorySettings> directory)
      throws Exception {
    return Node.start(
        new NodeConfig(Optional.of(config), config.resolveSibling("lbctl.sock"), 1)
            .withHttps(
                Optional.of(
                    new ManagementHttps(
                        new InetSocketAddress("127.0.0.1", httpsPort),
                        Optional.empty(),
                        false,
                        directory))),
        Optional.empty());
  }
}
