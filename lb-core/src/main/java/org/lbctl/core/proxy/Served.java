package org.lbctl.core.proxy;

import java.util.Set;

/**
 * Which virtual services this node listens for: all of them (alone, or the active node of a pair),
 * none (the passive node), or the ones named (a cluster node, for the VIP groups it owns).
 */
public record Served(boolean all, Set<String> labels) {
  public static final Served ALL = new Served(true, Set.of());
  public static final Served NONE = new Served(false, Set.of());

  public Served {
    labels = Set.copyOf(labels);
  }

  /** Only the virtual services labelled {@code labels}. */
  public static Served only(Set<String> labels) {
    return new Served(false, labels);
  }

  public boolean serves(String label) {
    return all || labels.contains(label);
  }

  /** Whether anything is served. */
  public boolean any() {
    return all || !labels.isEmpty();
  }
}
