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
