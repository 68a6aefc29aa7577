package org.lbctl.cluster.sync;

/** Where this node's configuration stands against its peer's. */
public enum Standing {
  /** Both run the same version. */
  IN_SYNC,
  /** This node's version is the current one: it sends it to the peer. */
  AHEAD,
  /** The peer's version is the current one: this node takes it before it may become active. */
  BEHIND
}
