package org.lbctl.cluster.sync;

import java.io.IOException;
import java.util.Optional;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.ReplicatedConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which configuration version this node holds, kept beside its file while it is in a pair or a
 * cluster (a lone node numbers its reloads in memory and writes nothing beside its file).
 */
final class VersionRecords {
  private static final Logger log = LoggerFactory.getLogger(VersionRecords.class);

  // Numbers configuration versions: a node alone, the primary, or a promoted secondary.
  private final boolean editsAtStart;
  private volatile Optional<ConfigStore> store;

  VersionRecords(NodeConfig local) {
    this.editsAtStart = local.pair().map(p -> p.role() == PairRole.PRIMARY).orElse(true);
    this.store =
        local.pair().isPresent() || local.cluster().isPresent()
            ? local.configFile().map(ConfigStore::new)
            : Optional.empty();
  }

  /** Where versions are recorded from now on; empty for nowhere. */
  void use(Optional<ConfigStore> store) {
    this.store = store;
  }

  /**
   * The version this node starts on, recorded beside the file. A file changed while the node was
   * stopped is a new version on the node that numbers them; on a secondary it runs unnumbered until
   * the primary's version replaces it.
   */
  ConfigVersion atStart(String hash) {
    Optional<ConfigStore> store = this.store;
    if (store.isEmpty()) {
      return SyncRules.atStart(true, Optional.empty(), hash);
    }
    Optional<ConfigVersion> recorded = store.get().readVersion();
    ConfigVersion v = SyncRules.atStart(editsAtStart, recorded, hash);
    if (recorded.isPresent() && !recorded.get().equals(v)) {
      if (v.number() == 0) {
        log.warn(
            "{} changed since this node recorded version {}; as the secondary it runs the file"
                + " unnumbered until the primary's version replaces it (the edit is then kept"
                + " beside the file). Edit the configuration on the primary",
            store.get().file(),
            recorded.get());
      } else {
        log.info(
            "{} changed while the node was stopped: now configuration {}", store.get().file(), v);
      }
    }
    if (v.number() > 0 && !recorded.equals(Optional.of(v))) {
      record(v);
    }
    return v;
  }

  /**
   * Writes a version received from another node and its document over the file, the previous one
   * kept beside it. A node whose file is JSON keeps it JSON, whatever form the sender used.
   */
  void install(ReplicatedConfig config, byte[] received, ConfigVersion next, byte[] previous)
      throws IOException {
    Optional<ConfigStore> store = this.store;
    if (store.isEmpty()) {
      return;
    }
    byte[] stored =
        ConfigLoader.isJson(store.get().file()) ? ConfigWriter.toJson(config) : received;
    store.get().install(stored, next, previous);
  }

  /** A version that cannot be recorded still runs; the log says what a restart will do. */
  void record(ConfigVersion v) {
    Optional<ConfigStore> store = this.store;
    if (store.isEmpty()) {
      return;
    }
    try {
      store.get().writeVersion(v);
    } catch (IOException e) {
      log.error(
          "running configuration {} but cannot record its version in {}: {}; a restart will"
              + " number it again",
          v,
          store.get().versionFile(),
          e.getMessage());
    }
  }
}
