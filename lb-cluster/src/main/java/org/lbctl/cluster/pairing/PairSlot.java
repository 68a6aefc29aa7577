package org.lbctl.cluster.pairing;

import org.lbctl.cluster.pair.PairController;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.persistence.ReplicatedStickTable;

/**
 * The pair a node is in, or none: its node settings (with their pair section or without), the
 * pair's controller and its replicated stick table. {@link PairLifecycle} and its {@link PairParts}
 * change them; the rest of the node reads them.
 */
public final class PairSlot {
  private volatile NodeConfig local;
  private volatile PairController pair;
  private volatile ReplicatedStickTable replicated;
  private volatile org.lbctl.cluster.pair.PairGuard guard;

  public PairSlot(NodeConfig local) {
    this.local = local;
  }

  public NodeConfig local() {
    return local;
  }

  /** The pair's controller; {@code null} while the node runs alone. */
  public PairController pair() {
    return pair;
  }

  /** The pair's stick table; {@code null} while the node runs alone. */
  public ReplicatedStickTable replicated() {
    return replicated;
  }

  /** The pair's guard on UDP 6694; {@code null} while the node runs alone. */
  public org.lbctl.cluster.pair.PairGuard guard() {
    return guard;
  }

  void setGuard(org.lbctl.cluster.pair.PairGuard guard) {
    this.guard = guard;
  }

  public void setLocal(NodeConfig local) {
    this.local = local;
  }

  void setPair(PairController pair) {
    this.pair = pair;
  }

  void setReplicated(ReplicatedStickTable replicated) {
    this.replicated = replicated;
  }
}
