package org.lbctl.cluster.groups;

/**
 * What breaks the tie when one of two members (a pair) loses sight of the other: whether it still
 * reaches the network, its ping targets. With three members or more a majority decides instead.
 */
public interface NetworkWitness {
  /**
   * Asks the network, off the caller's thread (one question at a time); {@code answered} runs once
   * the answer is in.
   */
  void ask(Runnable answered);

  /**
   * Until when, on the controller's clock, this node counts as reaching the network; {@code
   * Long.MIN_VALUE} when it never did.
   */
  long reachableUntil();

  /** Stops asking. */
  default void close() {}

  /**
   * For a pair without ping targets: always reachable, so one acts without the other at once (a cut
   * link leaves both answering; its status warns of that).
   */
  NetworkWitness ALWAYS =
      new NetworkWitness() {
        @Override
        public void ask(Runnable answered) {
          answered.run();
        }

        @Override
        public long reachableUntil() {
          // On the controller's clock (System.nanoTime in a node): answered a second from now.
          return System.nanoTime() + 1_000_000_000L;
        }
      };

  /** For three members or more: nobody to ask, never reachable. */
  NetworkWitness NONE =
      new NetworkWitness() {
        @Override
        public void ask(Runnable answered) {}

        @Override
        public long reachableUntil() {
          return Long.MIN_VALUE;
        }
      };
}
