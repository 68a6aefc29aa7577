package org.lbctl.core.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** HL7 message mode's traffic of one virtual service, kept across configuration versions. */
public final class Hl7Counters {
  /** The acknowledgment codes counted apart; anything else is {@code other}. */
  private static final String[] CODES = {"AA", "AE", "AR", "CA", "CE", "CR", "other"};

  private final LongAdder[] acks = new LongAdder[CODES.length];
  private final LongAdder resends = new LongAdder();
  private final LongAdder unanswered = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final LatencyHistogram ackLatency = new LatencyHistogram();

  Hl7Counters() {
    for (int i = 0; i < acks.length; i++) {
      acks[i] = new LongAdder();
    }
  }

  /** An acknowledgment relayed to its sender, {@code nanos} after the message arrived. */
  public void acknowledged(String code, long nanos) {
    int i = 0;
    while (i < CODES.length - 1 && !CODES[i].equals(code)) {
      i++;
    }
    acks[i].increment();
    ackLatency.record(nanos);
  }

  /** A message sent again, to another server, after a timeout, a lost server or a NAK. */
  public void resent() {
    resends.increment();
  }

  /** A message no server acknowledged: its sender's connection was closed for it to resend. */
  public void unanswered() {
    unanswered.increment();
  }

  /** A sender connection closed for bad framing or a message without a usable header. */
  public void malformed() {
    malformed.increment();
  }

  /**
   * Messages acknowledged by code, then {@code resent}, {@code unanswered}, {@code malformed} and
   * {@code ack_seconds_total} (the summed time from message to acknowledgment, in milliseconds here
   * for the status; the metrics give seconds).
   */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < CODES.length; i++) {
      m.put(CODES[i], acks[i].sum());
    }
    m.put("resent", resends.sum());
    m.put("unanswered", unanswered.sum());
    m.put("malformed", malformed.sum());
    m.putAll(ackLatency.snapshot("ack_ms"));
    return m;
  }

  public long acknowledged() {
    long n = 0;
    for (LongAdder a : acks) {
      n += a.sum();
    }
    return n;
  }
}
