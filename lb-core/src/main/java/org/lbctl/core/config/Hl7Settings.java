package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * HL7 message mode of a virtual service: each MLLP message goes to a real server of its own, and
 * the sender gets that server's acknowledgment.
 *
 * @param maxMessage the largest message in bytes; a larger one closes the sender's connection
 * @param ackTimeout how long a server has to acknowledge a message before it is sent to another
 * @param resendOnNak whether an AE or AR answer is tried on another server too (the last answer is
 *     relayed when none accepts); by default it is relayed at once
 * @param orderBy whose messages go one at a time, in the order they came
 */
public record Hl7Settings(
    long maxMessage, Duration ackTimeout, boolean resendOnNak, Hl7Order orderBy) {
  public static final Hl7Settings DEFAULT =
      new Hl7Settings(1024 * 1024, Duration.ofSeconds(30), false, Hl7Order.CONNECTION);

  public Hl7Settings {
    requireNonNull(ackTimeout, "ackTimeout");
    requireNonNull(orderBy, "orderBy");
    if (maxMessage < 1) {
      throw new IllegalArgumentException("maxMessage < 1");
    }
  }
}
