package org.lbctl.cluster.pair;

/**
 * What this node knows of its peer's life and of its own, from the pair's heartbeats, the JGroups
 * view, its ping targets and its own clock. Pure: every method takes the time, so the rules run the
 * same under a simulated clock in tests.
 *
 * <p>The peer is alive while its heartbeats arrive; the JGroups view only speeds up a crash (a
 * killed process closes FD_SOCK2's socket, and the view drops it at once). A view that drops a peer
 * still heard from is a stale suspicion, as after a short link blip, and changes nothing.
 */
public final class Liveness {
  /** Heartbeats go out this often; a peer silent for {@link #CRASH_NANOS} out of view is gone. */
  public static final long HEARTBEAT_NANOS = 100_000_000L;

  /** A silent peer is dead or cut off after this long (the detection time). */
  public static final long DETECT_NANOS = 2_000_000_000L;

  /**
   * An active node that has heard nothing for this long stops renewing its lease until its ping
   * targets answer: it may be the one cut off.
   */
  public static final long SELF_FENCE_NANOS = 1_000_000_000L;

  /**
   * Dropped from the view and not heard since for this long: the peer's process is gone (crash or
   * leave). A live peer answers the probe sent when the view drops it within milliseconds.
   */
  public static final long CRASH_NANOS = 60_000_000L;

  /** A view that drops the peer within this much silence reports a crash, not a silence. */
  public static final long CRASH_VIEW_NANOS = 1_000_000_000L;

  /** A gap this long between two controller ticks: this node was frozen and distrusts itself. */
  public static final long STALL_NANOS = 1_000_000_000L;

  /** Slack on top of the peer's lease before taking its addresses. */
  public static final long MARGIN_NANOS = 200_000_000L;

  /**
   * A passive peer's word lets this node take the active role only if it answers a heartbeat sent
   * within this long: well inside {@link #DETECT_NANOS}, so the peer cannot be counting toward a
   * takeover of its own.
   */
  public static final long ECHO_FRESH_NANOS = 1_000_000_000L;

  /** A ping answer counts for this long. */
  public static final long PING_FRESH_NANOS = 1_000_000_000L;

  /** Ask the ping targets once the peer has been silent this long. */
  public static final long PING_AFTER_NANOS = 500_000_000L;

  private final boolean pingTargets;
  private boolean heard;
  private long lastHeard;
  private boolean inView;
  private boolean heardInThisView;
  // Silence counts from here after this node stalled: buffered news says nothing of now.
  private long silenceFloor = Long.MIN_VALUE;
  private long peerLeaseNanos;
  private long lastPingOk = Long.MIN_VALUE;
  private long lastPingFail = Long.MIN_VALUE;
  private boolean lostByCrash;
  private long viewDroppedAt = Long.MIN_VALUE;
  private final long startedAt;
  private final long ownLeaseNanos;

  /**
   * @param pingTargets whether ping targets are configured; without them this node cannot tell
   *     being cut off from a dead peer, and trusts the network
   * @param now the start: a peer never heard may have been active all along, so its lease (taken to
   *     be as long as this node's own) is waited out from here
   */
  public Liveness(boolean pingTargets, long now, long ownLeaseNanos) {
    this.pingTargets = pingTargets;
    this.startedAt = now;
    this.ownLeaseNanos = ownLeaseNanos;
  }

  /** A valid heartbeat from the peer arrived. */
  public void heard(long now, long peerLeaseNanos) {
    heard = true;
    heardInThisView = true;
    lastHeard = now;
    lostByCrash = false;
    this.peerLeaseNanos = Math.max(0, peerLeaseNanos);
  }

  /** A JGroups view. */
  public void view(long now, boolean peerInView) {
    if (peerInView && !inView) {
      heardInThisView = false;
    }
    if (!peerInView && inView) {
      viewDroppedAt = now;
      // Only FD_SOCK2 (a closed socket: the process is gone) drops a peer heard within the last
      // second; FD_ALL3 needs at least 1.5 s of silence (a 2 s timeout checked every 0.5 s), and
      // a peer dropped that way may be alive behind a cut, its lease still running.
      lostByCrash = heard && silence(now) < CRASH_VIEW_NANOS;
    }
    inView = peerInView;
  }

  /** This node's controller was frozen: nothing heard before now says anything about now. */
  public void stalled(long now) {
    silenceFloor = now;
  }

  public void pingResult(long now, boolean reachable) {
    if (reachable) {
      lastPingOk = now;
    } else {
      lastPingFail = now;
    }
  }

  /** Time since the peer was last heard (or since this node stalled, whichever is later). */
  public long silence(long now) {
    if (!heard) {
      return Long.MAX_VALUE;
    }
    return now - Math.max(lastHeard, silenceFloor);
  }

  /** The peer left the view while it was still being heard, and was not heard since. */
  public boolean lostByCrash() {
    return lostByCrash && !inView && !heardSinceDrop();
  }

  public boolean heardEver() {
    return heard;
  }

  /** Whether the peer takes part in the pair now. */
  public boolean peerPresent(long now) {
    if (!heard || !heardInThisView && inView) {
      return inView;
    }
    long silence = silence(now);
    if (silence >= DETECT_NANOS) {
      return false;
    }
    return inView || heardSinceDrop() || now - viewDroppedAt < CRASH_NANOS;
  }

  private boolean heardSinceDrop() {
    return viewDroppedAt == Long.MIN_VALUE || lastHeard > viewDroppedAt;
  }

  /**
   * A peer that is not present may be taken over from now: at once after a crash, else once its
   * lease has surely lapsed (it stops renewing after {@link #SELF_FENCE_NANOS} of silence).
   */
  public boolean peerSurelySilent(long now) {
    if (!heard) {
      return now - Math.max(startedAt, silenceFloor) >= takeoverSilence(ownLeaseNanos);
    }
    if (lostByCrash && !inView && !heardSinceDrop() && now - viewDroppedAt >= CRASH_NANOS) {
      return true;
    }
    return silence(now) >= takeoverSilenceNanos();
  }

  /** How long a silent peer must stay silent before its addresses may be taken. */
  public long takeoverSilenceNanos() {
    return takeoverSilence(peerLeaseNanos);
  }

  private static long takeoverSilence(long leaseNanos) {
    return Math.max(DETECT_NANOS, SELF_FENCE_NANOS + leaseNanos + MARGIN_NANOS);
  }

  /** Whether the ping targets should be asked now (the peer is quiet, or absent). */
  public boolean wantsPing(long now) {
    return pingTargets && (!heard || !inView || silence(now) >= PING_AFTER_NANOS);
  }

  /** The network answered recently (always true without ping targets). */
  public boolean networkReachable(long now) {
    return !pingTargets || lastPingOk != Long.MIN_VALUE && now - lastPingOk < PING_FRESH_NANOS;
  }

  /** The last ping check failed. */
  public boolean networkLostNow() {
    return pingTargets && lastPingFail != Long.MIN_VALUE && lastPingFail > lastPingOk;
  }

  /**
   * The network answers and has not failed a check for the detection time: a cut, if there was one,
   * is over long enough that a live peer would have been heard.
   */
  public boolean networkSettled(long now) {
    return networkReachable(now)
        && (lastPingFail == Long.MIN_VALUE || now - lastPingFail >= DETECT_NANOS);
  }

  /**
   * An active node may keep its lease: it hears its peer, or its network answers (then the silence
   * is the peer's: frozen or dead).
   */
  public boolean mayHoldLease(long now) {
    if (heard && silence(now) < SELF_FENCE_NANOS) {
      return true;
    }
    return networkReachable(now);
  }

  public long lastPingOk() {
    return lastPingOk;
  }
}
