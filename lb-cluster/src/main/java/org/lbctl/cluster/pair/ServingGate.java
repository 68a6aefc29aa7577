package org.lbctl.cluster.pair;

/** Turns the data plane on and off: the virtual services are served only by the active node. */
public interface ServingGate {
  /**
   * @throws Exception when the listeners cannot be opened; the node then stays passive
   */
  void setServing(boolean serving) throws Exception;
}
