package org.lbctl.cluster.groups;

/**
 * What a pair adds to its two members: it hears of every group taken or released here, and of the
 * peer breaking the pair.
 */
public record TwoNodeHooks(HoldingsChange holdings, Runnable onBreak) {
  static final TwoNodeHooks NONE = new TwoNodeHooks((held, group, taken, why) -> {}, () -> {});
}
