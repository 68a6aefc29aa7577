package org.lbctl.core.status;

/**
 * The node's stick table as a whole, as {@code lbctl status} prints it.
 *
 * @param entries live and expired-but-not-yet-dropped entries of every virtual service
 * @param replication how the replication to the peer fares; null on a node that runs alone
 */
public record StickSummary(long entries, Replication replication) {

  /**
   * @param peer the peer's address
   * @param port the table's TCP port
   * @param members nodes in the table's cluster, this one included: 2 while the peer is connected
   * @param writesSent entries sent to the peer
   * @param refreshesCoalesced refreshes not sent because they moved an expiry by too little
   * @param writesFailed writes that did not reach the peer
   * @param writesInFlight writes sent and not yet acknowledged by the peer
   * @param lagP50Ms median time from sending a write to the peer's acknowledgement, over the last
   *     writes (see {@code lagSamples})
   * @param lagP99Ms the 99th percentile of the same
   * @param lagMaxMs the longest of the same
   * @param lagSamples how many recent writes the lag figures cover
   * @param bytesSent bytes sent on the table's link (entries, acknowledgements, heartbeats)
   * @param bytesReceived bytes received on it
   * @param serversMatch whether the peer runs the same real-server lists (entries name servers by
   *     label); null until both have said
   */
  public record Replication(
      String peer,
      int port,
      int members,
      long writesSent,
      long refreshesCoalesced,
      long writesFailed,
      long writesInFlight,
      double lagP50Ms,
      double lagP99Ms,
      double lagMaxMs,
      int lagSamples,
      long bytesSent,
      long bytesReceived,
      Boolean serversMatch) {}
}
