package org.lbctl.core.service;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Traffic of one virtual service, kept across configuration versions. */
public final class ServiceCounters {
  final AtomicInteger active = new AtomicInteger();
  final AtomicInteger queued = new AtomicInteger();
  final LongAdder total = new LongAdder();
  final LongAdder bytesIn = new LongAdder();
  final LongAdder bytesOut = new LongAdder();
  final LongAdder fallback = new LongAdder();
  final LongAdder refused = new LongAdder();

  public void opened() {
    active.incrementAndGet();
    total.increment();
  }

  public void closed() {
    active.decrementAndGet();
  }

  /** Flows the kernel forwarded (layer 4 NAT and DR): counted, never held open here. */
  public void addFlows(long n) {
    total.add(n);
  }

  public void addBytesIn(long n) {
    bytesIn.add(n);
  }

  public void addBytesOut(long n) {
    bytesOut.add(n);
  }

  public void countFallback() {
    fallback.increment();
  }

  public void countRefused() {
    refused.increment();
  }

  /** Takes a queue slot when fewer than {@code limit} connections wait. */
  public boolean tryQueue(int limit) {
    for (; ; ) {
      int q = queued.get();
      if (q >= limit) {
        return false;
      }
      if (queued.compareAndSet(q, q + 1)) {
        return true;
      }
    }
  }

  public void dequeue() {
    queued.decrementAndGet();
  }

  public int activeConnections() {
    return active.get();
  }

  public int queuedConnections() {
    return queued.get();
  }

  public long totalConnections() {
    return total.sum();
  }

  public long bytesIn() {
    return bytesIn.sum();
  }

  public long bytesOut() {
    return bytesOut.sum();
  }

  public long fallbackConnections() {
    return fallback.sum();
  }

  public long refusedConnections() {
    return refused.sum();
  }
}
