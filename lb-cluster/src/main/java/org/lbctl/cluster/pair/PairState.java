package org.lbctl.cluster.pair;

import java.util.Locale;

/** Whether a node serves: the active node owns the floating IPs and the virtual services. */
public enum PairState {
  ACTIVE,
  PASSIVE;

  public String displayName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
