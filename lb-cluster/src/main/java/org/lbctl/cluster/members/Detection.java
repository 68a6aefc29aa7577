package org.lbctl.cluster.members;

/**
 * How fast the members tell a dead, frozen or cut-off member from a live one: the times every part
 * of the failure detection agrees on.
 */
public final class Detection {
  private Detection() {}

  /** A silent member is dead or cut off after this long (the detection time). */
  public static final long DETECT_NANOS = 2_000_000_000L;

  /**
   * A member that has heard nothing for this long stops renewing its lease until it hears a
   * majority again (or, one of two, its ping targets answer): it may be the one cut off.
   */
  public static final long SELF_FENCE_NANOS = 1_000_000_000L;

  /** A view that drops a member within this much silence reports a crash, not a silence. */
  public static final long CRASH_VIEW_NANOS = 1_000_000_000L;

  /** A gap this long between two controller steps: this node was frozen and distrusts itself. */
  public static final long STALL_NANOS = 1_000_000_000L;

  /** A ping answer counts for this long. */
  public static final long PING_FRESH_NANOS = 1_000_000_000L;

  /** One of two asks its ping targets once its peer has been quiet this long. */
  public static final long PING_AFTER_NANOS = 500_000_000L;
}
