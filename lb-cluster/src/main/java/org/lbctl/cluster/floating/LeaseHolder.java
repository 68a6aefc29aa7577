package org.lbctl.cluster.floating;

/**
 * What keeps a node's fence lease running: a pair's controller, or a cluster's group controller.
 * The self-check renews through it only while every event loop answers, so a wedged data plane or
 * controller silences the node within one lease.
 */
public interface LeaseHolder {
  /** Whether the controller has made progress within the last {@code withinNanos}. */
  boolean alive(long withinNanos);

  /** Whether the lease should be renewed now (the node holds addresses and trusts itself). */
  boolean leaseWanted(long withinNanos);

  /**
   * Renews the lease if it is wanted, checked and renewed under the fence's lock, so a renewal
   * never lands after the controller silenced the fence.
   *
   * @return whether it renewed
   */
  boolean renewLease(long withinNanos) throws Exception;
}
