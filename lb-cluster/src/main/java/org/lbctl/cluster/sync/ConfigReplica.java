package org.lbctl.cluster.sync;

import java.io.IOException;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigHash;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.proxy.ListenerChanges;

/** The node's replicated configuration, as configuration sync sees it. */
public interface ConfigReplica {
  ConfigVersion version();

  /** The document of the running version, to send to the peer. */
  byte[] document();

  /**
   * Validates a version from the peer and runs it; records it on disk when the node has a file.
   * Nothing changes when the document is refused.
   *
   * @throws ConfigException with every problem when this node cannot run the document
   * @throws IOException when it runs but could not be recorded on disk
   */
  ListenerChanges install(ConfigVersion version, byte[] document)
      throws ConfigException, IOException;

  /**
   * Reads a document received as {@code version}: valid here, and the same configuration the peer
   * hashed (two builds could read one document differently).
   */
  static ReplicatedConfig read(ConfigVersion version, byte[] document) throws ConfigException {
    ReplicatedConfig config = ConfigLoader.parse(document, false);
    String hash = ConfigHash.of(config);
    if (!hash.equals(version.hash())) {
      throw ConfigException.of(
          "",
          "version "
              + version
              + " reads as "
              + hash.substring(0, 12)
              + " here: the two nodes understand the configuration differently");
    }
    return config;
  }
}
