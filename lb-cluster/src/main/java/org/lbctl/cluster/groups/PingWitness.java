package org.lbctl.cluster.groups;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.lbctl.cluster.members.Detection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network as a pair's witness: a ping target that answers makes this node count as reaching the
 * network for {@link Detection#PING_FRESH_NANOS} from when it was asked (not from the answer, so a
 * slow answer shortens the credit rather than stretching it), unless a question failed within
 * {@link #RETURN_NANOS} before.
 */
public final class PingWitness implements NetworkWitness {
  private static final Logger log = LoggerFactory.getLogger(PingWitness.class);

  /**
   * After a question nobody answered, answers count only once this long has passed without another
   * failure: a node whose own link just came back must hear its peer (within 200 ms) before it
   * trusts its old view that the peer is gone and takes what the peer holds now.
   */
  static final long RETURN_NANOS = 2_000_000_000L;

  private final Supplier<Boolean> anyReachable;
  private final LongSupplier clock;
  private final AtomicBoolean asking = new AtomicBoolean();
  private volatile long until = Long.MIN_VALUE;
  private volatile long failedAt = Long.MIN_VALUE;
  private volatile boolean closed;

  /**
   * @param anyReachable blocks while it pings; true when a target answers (or none is configured)
   */
  public PingWitness(Supplier<Boolean> anyReachable, LongSupplier clock) {
    this.anyReachable = anyReachable;
    this.clock = clock;
  }

  @Override
  public void ask(Runnable answered) {
    if (closed || !asking.compareAndSet(false, true)) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              long asked = clock.getAsLong();
              boolean ok;
              try {
                ok = anyReachable.get();
              } catch (RuntimeException e) {
                log.warn("groups: cannot ask the ping targets: {}", e.getMessage());
                ok = false;
              }
              if (!ok) {
                // The network does not answer now: no credit from an earlier answer either.
                failedAt = asked;
                until = Long.MIN_VALUE;
              } else if (failedAt == Long.MIN_VALUE || asked - failedAt >= RETURN_NANOS) {
                until = asked + Detection.PING_FRESH_NANOS;
              }
              // Only now: a second question must not overlap this one and write before it.
              asking.set(false);
              if (!closed) {
                answered.run();
              }
            },
            "lb-groups-ping");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public long reachableUntil() {
    return until;
  }

  @Override
  public void close() {
    closed = true;
  }
}
