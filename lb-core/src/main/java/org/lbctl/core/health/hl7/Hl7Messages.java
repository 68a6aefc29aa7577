package org.lbctl.core.health.hl7;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The HL7 v2 the check sends and reads: one MSH-only message, and the MSA of the answer. MLLP
 * frames a message as 0x0B, the message, 0x1C 0x0D.
 */
public final class Hl7Messages {
  static final byte START = 0x0b;
  static final byte END = 0x1c;
  static final byte CR = 0x0d;
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

  private Hl7Messages() {}

  /**
   * The check's message: a header alone, from application LBCTL, with {@code controlId} in MSH-10
   * and processing ID P. NMD^N02 (network management data) by default: an engine routes it, a
   * receiving system records no patient data from it.
   */
  public static String request(
      String receivingApplication,
      String receivingFacility,
      String messageType,
      String controlId,
      ZonedDateTime now) {
    return "MSH|^~\\&|LBCTL|LOADBALANCER|"
        + receivingApplication
        + "|"
        + receivingFacility
        + "|"
        + TS.format(now)
        + "||"
        + messageType
        + "|"
        + controlId
        + "|P|2.5\r";
  }

  /** What the answer's MSA segment says. */
  public record Ack(String code, String controlId, String text) {}

  /**
   * The MSA of an answer: acknowledgment code (MSA-1), the control ID it answers (MSA-2) and the
   * engine's words: MSA-3, or else the ERR segment's user message (ERR-8) or error text (ERR-3,
   * original text or text). Empty when the answer has no MSA segment. Fields split on the answer's
   * own separators (MSH-1, MSH-2).
   */
  public static Optional<Ack> ack(String answer) {
    if (!answer.startsWith("MSH") || answer.length() < 5) {
      return Optional.empty();
    }
    String field = java.util.regex.Pattern.quote(answer.substring(3, 4));
    String component = java.util.regex.Pattern.quote(answer.substring(4, 5));
    String[] msa = null;
    String[] err = null;
    for (String segment : answer.split("[\r\n]+")) {
      if (segment.startsWith("MSA") && msa == null) {
        msa = segment.split(field, -1);
      } else if (segment.startsWith("ERR") && err == null) {
        err = segment.split(field, -1);
      }
    }
    if (msa == null) {
      return Optional.empty();
    }
    String text = at(msa, 3);
    if (text.isEmpty() && err != null) {
      text = at(err, 8);
      if (text.isEmpty()) {
        String[] code = at(err, 3).split(component, -1);
        text = !at(code, 8).isEmpty() ? at(code, 8) : at(code, 1);
      }
    }
    return Optional.of(new Ack(at(msa, 1), at(msa, 2), text));
  }

  private static String at(String[] fields, int i) {
    return i < fields.length ? fields[i] : "";
  }
}
