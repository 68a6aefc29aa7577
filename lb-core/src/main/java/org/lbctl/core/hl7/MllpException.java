package org.lbctl.core.hl7;

/** MLLP framing or an HL7 header that this proxy cannot forward as a message. */
public final class MllpException extends Exception {
  public MllpException(String message) {
    super(message, null, false, false);
  }
}
