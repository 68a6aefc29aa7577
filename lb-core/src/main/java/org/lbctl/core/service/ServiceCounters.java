package org.lbctl.core.service;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.lbctl.core.dicom.AssociationOutcome;
import org.lbctl.core.http.HttpRejection;

/** Traffic of one virtual service, kept across configuration versions. */
public final class ServiceCounters {
  final AtomicInteger active = new AtomicInteger();
  final AtomicInteger queued = new AtomicInteger();
  final LongAdder total = new LongAdder();
  final LongAdder bytesIn = new LongAdder();
  final LongAdder bytesOut = new LongAdder();
  final LongAdder fallback = new LongAdder();
  final LongAdder refused = new LongAdder();
  private final LongAdder[] rejected = new LongAdder[HttpRejection.values().length];
  private final LongAdder[] associations = new LongAdder[AssociationOutcome.values().length];
  private final Hl7Counters hl7 = new Hl7Counters();
  private final LatencyHistogram associationLength = new LatencyHistogram();
  // Kept here, across configuration versions, so that a reload never lets a sender's next message
  // overtake one still in flight.
  private final SenderLanes senderLanes = new SenderLanes();

  /** HL7 message mode ordered by sending application: whose message is in flight. */
  public SenderLanes senderLanes() {
    return senderLanes;
  }

  /** DICOM mode: how long routed associations lasted, from admission to close. */
  public LatencyHistogram associationLength() {
    return associationLength;
  }

  /** HL7 message mode's counts. */
  public Hl7Counters hl7() {
    return hl7;
  }

  public ServiceCounters() {
    for (int i = 0; i < rejected.length; i++) {
      rejected[i] = new LongAdder();
    }
    for (int i = 0; i < associations.length; i++) {
      associations[i] = new LongAdder();
    }
  }

  /** A DICOM association offered to the service, and what became of it. */
  public void countAssociation(AssociationOutcome outcome) {
    associations[outcome.ordinal()].increment();
  }

  /** DICOM associations so far, by outcome (every outcome, in declaration order). */
  public java.util.Map<AssociationOutcome, Long> associations() {
    java.util.Map<AssociationOutcome, Long> m = new java.util.EnumMap<>(AssociationOutcome.class);
    for (AssociationOutcome o : AssociationOutcome.values()) {
      m.put(o, associations[o.ordinal()].sum());
    }
    return m;
  }

  /** An HTTP exchange refused or cut, and why. */
  public void countRejected(HttpRejection why) {
    rejected[why.ordinal()].increment();
  }

  /** HTTP exchanges refused or cut so far, by why (every reason, in declaration order). */
  public java.util.Map<HttpRejection, Long> rejected() {
    java.util.Map<HttpRejection, Long> m = new java.util.EnumMap<>(HttpRejection.class);
    for (HttpRejection r : HttpRejection.values()) {
      m.put(r, rejected[r.ordinal()].sum());
    }
    return m;
  }

  public void opened() {
    active.incrementAndGet();
    total.increment();
  }

  /** A client connection: counted open now, and closed when it closes. */
  public void track(io.netty.channel.Channel client) {
    opened();
    client.closeFuture().addListener(f -> closed());
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
