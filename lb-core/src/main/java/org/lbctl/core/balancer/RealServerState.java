package org.lbctl.core.balancer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The runtime state of one real server: admin and health state, connection counts and traffic. It
 * outlives configuration versions (a reload that keeps the server keeps this object), so
 * connections opened under an old version are released against the same counts.
 */
public final class RealServerState {
  private final String label;
  private final AtomicInteger active = new AtomicInteger();
  private final LongAdder total = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder failedConnects = new LongAdder();
  private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> hl7Acks =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile AdminState adminState = AdminState.ONLINE;
  private volatile boolean healthy = true;
  // Set when the server reached its maximum; cleared once it falls below its minimum.
  private volatile boolean overloaded;

  public RealServerState(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public AdminState adminState() {
    return adminState;
  }

  /** Returns the previous state. */
  public AdminState setAdminState(AdminState next) {
    AdminState previous = adminState;
    adminState = next;
    return previous;
  }

  public boolean healthy() {
    return healthy;
  }

  public void setHealthy(boolean healthy) {
    this.healthy = healthy;
  }

  /** Whether a new connection would be admitted, without taking it. */
  public boolean hasCapacity(int minConnections, int maxConnections) {
    if (maxConnections <= 0) {
      return true;
    }
    int current = active.get();
    if (current >= maxConnections) {
      return false;
    }
    return !overloaded || minConnections <= 0 || current < minConnections;
  }

  /** Counts a new connection if the limits allow one. */
  public boolean tryAcquire(int minConnections, int maxConnections) {
    for (; ; ) {
      int current = active.get();
      if (maxConnections > 0) {
        if (current >= maxConnections) {
          overloaded = true;
          return false;
        }
        if (overloaded) {
          if (minConnections > 0 && current >= minConnections) {
            return false;
          }
          overloaded = false;
        }
      }
      if (active.compareAndSet(current, current + 1)) {
        total.increment();
        return true;
      }
    }
  }

  public void release() {
    active.decrementAndGet();
  }

  public int activeConnections() {
    return active.get();
  }

  public long totalConnections() {
    return total.sum();
  }

  /** Flows the kernel forwarded to this server (layer 4 NAT and DR). */
  public void addFlows(long n) {
    total.add(n);
  }

  public void addBytesIn(long n) {
    bytesIn.add(n);
  }

  public void addBytesOut(long n) {
    bytesOut.add(n);
  }

  public long bytesIn() {
    return bytesIn.sum();
  }

  public long bytesOut() {
    return bytesOut.sum();
  }

  public void countFailedConnect() {
    failedConnects.increment();
  }

  /** HL7 message mode: an acknowledgment of this server's relayed, by its code (MSA-1). */
  public void countAck(String code) {
    String key =
        switch (code) {
          case "AA", "AE", "AR", "CA", "CE", "CR" -> code;
          default -> "other";
        };
    hl7Acks.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** HL7 acknowledgments of this server relayed so far, by code (only codes it gave). */
  public java.util.Map<String, Long> hl7Acks() {
    java.util.Map<String, Long> m = new java.util.TreeMap<>();
    hl7Acks.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  public long failedConnects() {
    return failedConnects.sum();
  }
}
