package org.lbctl.cluster.pair;

import org.lbctl.cluster.sync.ConfigReplica;
import org.lbctl.cluster.sync.ConfigSync;
import org.lbctl.core.config.ConfigVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs when the two nodes' configurations start and stop differing. */
final class DriftLog {
  private static final Logger log = LoggerFactory.getLogger(PairController.class);

  private final ConfigReplica replica;
  private final ConfigSync sync;

  DriftLog(ConfigReplica replica, ConfigSync sync) {
    this.replica = replica;
    this.sync = sync;
  }

  boolean drift() {
    return sync.peerVersion().map(p -> !p.hash().equals(replica.version().hash())).orElse(false);
  }

  /** Runs {@code change}, then logs a drift it began or ended. */
  void around(Runnable change) {
    boolean was = drift();
    change.run();
    boolean is = drift();
    if (is && !was) {
      log.warn(
          "pair: configuration drift: this node runs {}, the peer {}: {}",
          replica.version(),
          sync.peerVersion().map(ConfigVersion::toString).orElse("?"),
          sync.describe());
    } else if (!is && was) {
      log.info("pair: both nodes run configuration {} again", replica.version());
    }
  }
}
