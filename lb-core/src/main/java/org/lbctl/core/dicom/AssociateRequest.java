package org.lbctl.core.dicom;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The parts of an A-ASSOCIATE-RQ (PS3.8 section 9.3.2) a load balancer routes by, read from the
 * whole PDU after its structure is checked: the fixed fields, then every item and sub-item must end
 * exactly where its parent does, and the application context, a presentation context and the user
 * information must be there.
 *
 * @param calledAeTitle without its padding spaces
 * @param callingAeTitle without its padding spaces
 */
public record AssociateRequest(String calledAeTitle, String callingAeTitle) {
  public static final int TYPE = 0x01;

  /** Header (type, reserved, length) of every PDU. */
  public static final int HEADER = 6;

  /** Protocol version, reserved, two AE titles and 32 reserved bytes before the items. */
  static final int FIXED = 68;

  /** Offsets in the whole PDU. */
  private static final int CALLED = HEADER + 4;

  private static final int CALLING = CALLED + AeTitle.LENGTH;
  private static final int ITEMS = HEADER + FIXED;

  private static final int APPLICATION_CONTEXT = 0x10;
  private static final int PRESENTATION_CONTEXT = 0x20;
  private static final int USER_INFORMATION = 0x50;

  /**
   * Reads a whole A-ASSOCIATE-RQ, header included.
   *
   * @throws PduException naming the first thing that breaks PS3.8
   */
  public static AssociateRequest parse(byte[] pdu) throws PduException {
    if (pdu.length < HEADER || (pdu[0] & 0xff) != TYPE) {
      throw new PduException("not an A-ASSOCIATE-RQ", PduException.UNEXPECTED_PDU);
    }
    long length = readInt(pdu, 2);
    if (length != pdu.length - HEADER) {
      throw new PduException(
          "PDU length " + length + " but " + (pdu.length - HEADER) + " bytes follow",
          PduException.INVALID_PARAMETER_VALUE);
    }
    if (length < FIXED) {
      throw new PduException(
          "A-ASSOCIATE-RQ of " + length + " bytes, shorter than its fixed fields (" + FIXED + ")",
          PduException.INVALID_PARAMETER_VALUE);
    }
    if ((readShort(pdu, HEADER) & 1) == 0) {
      throw new PduException(
          "protocol version 0x" + Integer.toHexString(readShort(pdu, HEADER)) + " lacks version 1",
          PduException.INVALID_PARAMETER_VALUE);
    }
    String called = title(pdu, CALLED, "Called");
    String calling = title(pdu, CALLING, "Calling");
    boolean context = false;
    boolean presentation = false;
    boolean user = false;
    int at = ITEMS;
    while (at < pdu.length) {
      int type = pdu[at] & 0xff;
      int end = itemEnd(pdu, at, pdu.length, "item 0x" + Integer.toHexString(type));
      switch (type) {
        case APPLICATION_CONTEXT -> context = true;
        case PRESENTATION_CONTEXT -> {
          presentation = true;
          subItems(pdu, at + 4 + 4, end, "presentation context");
        }
        case USER_INFORMATION -> {
          user = true;
          subItems(pdu, at + 4, end, "user information");
        }
        default -> {
          // PS3.8 9.3.1: items of unrecognised types are ignored and skipped.
        }
      }
      at = end;
    }
    if (!context || !presentation || !user) {
      throw new PduException(
          "A-ASSOCIATE-RQ without "
              + (!context
                  ? "an application context"
                  : !presentation ? "a presentation context" : "user information"),
          PduException.INVALID_PARAMETER_VALUE);
    }
    return new AssociateRequest(called, calling);
  }

  /** The AE title at {@code at}, checked and trimmed. */
  private static String title(byte[] pdu, int at, String which) throws PduException {
    String raw = new String(pdu, at, AeTitle.LENGTH, StandardCharsets.ISO_8859_1);
    // Only spaces pad a title (PS3.5 VR AE); any other byte at either end is part of it.
    int from = 0;
    int to = raw.length();
    while (from < to && raw.charAt(from) == ' ') {
      from++;
    }
    while (to > from && raw.charAt(to - 1) == ' ') {
      to--;
    }
    String title = raw.substring(from, to);
    Optional<String> problem = AeTitle.problem(title);
    if (problem.isPresent()) {
      throw new PduException(
          which + " AE title: " + problem.get(), PduException.INVALID_PARAMETER_VALUE);
    }
    return title;
  }

  /** Where the item at {@code at} ends, checked against where its parent ends. */
  private static int itemEnd(byte[] pdu, int at, int parentEnd, String what) throws PduException {
    if (at + 4 > parentEnd) {
      throw new PduException(
          what + " at byte " + at + " is cut short", PduException.INVALID_PARAMETER_VALUE);
    }
    int end = at + 4 + readShort(pdu, at + 2);
    if (end > parentEnd) {
      throw new PduException(
          what + " at byte " + at + " runs " + (end - parentEnd) + " bytes past its end",
          PduException.INVALID_PARAMETER_VALUE);
    }
    return end;
  }

  private static void subItems(byte[] pdu, int from, int end, String what) throws PduException {
    if (from > end) {
      throw new PduException(what + " item is cut short", PduException.INVALID_PARAMETER_VALUE);
    }
    int at = from;
    while (at < end) {
      at = itemEnd(pdu, at, end, what + " sub-item 0x" + Integer.toHexString(pdu[at] & 0xff));
    }
  }

  private static int readShort(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  static long readInt(byte[] b, int at) {
    return ((long) readShort(b, at) << 16) | readShort(b, at + 2);
  }
}
