package org.lbctl.core.hl7;

import java.nio.charset.StandardCharsets;

/**
 * The MSH fields a message is forwarded and acknowledged by: its control ID (MSH-10), which the
 * answer's MSA-2 must repeat, and the sending application and facility (MSH-3, MSH-4) for the log.
 */
public record MessageHeader(String controlId, String sendingApplication, String sendingFacility) {
  /** The longest control ID kept (HL7 v2.5 gives MSH-10 20 characters; some engines use more). */
  static final int MAX_CONTROL_ID = 199;

  /**
   * Reads the MSH segment at the start of {@code message}, with the message's own field separator
   * (MSH-1).
   *
   * @throws MllpException when it does not start with MSH or has no control ID
   */
  public static MessageHeader parse(byte[] message) throws MllpException {
    int end = 0;
    while (end < message.length && message[end] != '\r' && message[end] != '\n') {
      end++;
    }
    String msh = new String(message, 0, end, StandardCharsets.ISO_8859_1);
    if (!msh.startsWith("MSH") || msh.length() < 4) {
      throw new MllpException("a message that does not start with an MSH segment");
    }
    String[] fields = msh.split(java.util.regex.Pattern.quote(msh.substring(3, 4)), -1);
    // fields[0] is "MSH", fields[1] MSH-2 (encoding characters): MSH-n is fields[n - 1].
    String controlId = fields.length > 9 ? fields[9] : "";
    if (controlId.isEmpty()) {
      throw new MllpException("a message without a control ID (MSH-10)");
    }
    if (controlId.length() > MAX_CONTROL_ID) {
      throw new MllpException("a control ID (MSH-10) of " + controlId.length() + " characters");
    }
    return new MessageHeader(controlId, at(fields, 2), at(fields, 3));
  }

  private static String at(String[] fields, int i) {
    return i < fields.length ? fields[i] : "";
  }
}
