package org.lbctl.core.service;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * HL7 message mode ordered by sending application: one message per sender in flight across all of a
 * virtual service's connections and event loops. A message enters its sender's lane before it goes
 * to a server and leaves once its acknowledgment went back (or its connection ended); the next
 * message of that sender, from whichever connection, waits for that.
 */
public final class SenderLanes {
  private final Map<String, ArrayDeque<Runnable>> busy = new HashMap<>();

  /**
   * Enters {@code sender}'s lane: true when it was free; otherwise {@code whenFree} runs (on the
   * thread that leaves the lane) once it is this caller's turn, and the caller then holds it.
   */
  public synchronized boolean enter(String sender, Runnable whenFree) {
    ArrayDeque<Runnable> waiting = busy.get(sender);
    if (waiting == null) {
      busy.put(sender, new ArrayDeque<>());
      return true;
    }
    waiting.add(whenFree);
    return false;
  }

  /** Leaves {@code sender}'s lane, handing it to the next waiter if there is one. */
  public void leave(String sender) {
    Runnable next;
    synchronized (this) {
      ArrayDeque<Runnable> waiting = busy.get(sender);
      if (waiting == null) {
        return;
      }
      next = waiting.poll();
      if (next == null) {
        busy.remove(sender);
      }
    }
    if (next != null) {
      next.run();
    }
  }

  /** Senders with a message in flight now. */
  public synchronized int size() {
    return busy.size();
  }
}
