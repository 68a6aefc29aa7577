package org.lbctl.cluster.pairing;

import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.core.config.NodeConfig;

/**
 * The pair a node is in, or none: its node settings (with their pair section or without) and the
 * pair itself. {@link PairLifecycle} and its {@link PairParts} change them; the rest of the node
 * reads them.
 */
public final class PairSlot {
  private volatile NodeConfig local;
  private volatile GroupPair pair;

  public PairSlot(NodeConfig local) {
    this.local = local;
  }

  public NodeConfig local() {
    return local;
  }

  /** The pair; {@code null} while the node runs alone. */
  public GroupPair pair() {
    return pair;
  }

  public void setLocal(NodeConfig local) {
    this.local = local;
  }

  void setPair(GroupPair pair) {
    this.pair = pair;
  }
}
