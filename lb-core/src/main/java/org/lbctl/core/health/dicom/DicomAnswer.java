package org.lbctl.core.health.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A PDU from the called application entity, decoded as far as a C-ECHO needs. */
public sealed interface DicomAnswer {

  /** A-ASSOCIATE-AC: the result of our one presentation context (0 = accepted). */
  record Accept(int contextResult, String transferSyntax) implements DicomAnswer {
    public String describeResult() {
      return switch (contextResult) {
        case 0 -> "accepted";
        case 1 -> "rejected by the user";
        case 2 -> "rejected, no reason given";
        case 3 -> "abstract syntax (Verification) not supported";
        case 4 -> "transfer syntax (implicit VR little endian) not supported";
        default -> "result " + contextResult;
      };
    }
  }

  /** A-ASSOCIATE-RJ (PS3.8 table 9-21). */
  record Reject(int result, int source, int reason) implements DicomAnswer {
    public String describe() {
      String kind = result == 1 ? "permanent" : result == 2 ? "transient" : "result " + result;
      String why =
          switch (source) {
            case 1 ->
                switch (reason) {
                  case 1 -> "no reason given";
                  case 2 -> "application context name not supported";
                  case 3 -> "calling AE title not recognized";
                  case 7 -> "called AE title not recognized";
                  default -> "reason " + reason;
                };
            case 2 ->
                switch (reason) {
                  case 1 -> "no reason given (ACSE)";
                  case 2 -> "protocol version not supported";
                  default -> "reason " + reason + " (ACSE)";
                };
            case 3 ->
                switch (reason) {
                  case 1 -> "temporary congestion";
                  case 2 -> "local limit exceeded";
                  default -> "reason " + reason + " (presentation)";
                };
            default -> "source " + source + " reason " + reason;
          };
      return "association rejected (" + kind + "): " + why;
    }
  }

  /** One presentation data value: a fragment of a command or data set. */
  record Pdv(int contextId, boolean command, boolean last, byte[] fragment) {}

  /** P-DATA-TF. */
  record Data(List<Pdv> values) implements DicomAnswer {}

  record ReleaseRequest() implements DicomAnswer {}

  record ReleaseReply() implements DicomAnswer {}

  /** A-ABORT (PS3.8 table 9-26). */
  record Abort(int source, int reason) implements DicomAnswer {
    public String describe() {
      if (source == 0) {
        return "association aborted by the server (service user)";
      }
      String why =
          switch (reason) {
            case 1 -> "unrecognized PDU";
            case 2 -> "unexpected PDU";
            case 4 -> "unrecognized PDU parameter";
            case 5 -> "unexpected PDU parameter";
            case 6 -> "invalid PDU parameter value";
            default -> "reason not specified";
          };
      return "association aborted by the server's DICOM provider: " + why;
    }
  }

  /** Decodes one PDU's body by its type. */
  static DicomAnswer decode(int type, byte[] body) throws DicomProtocolException {
    ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.BIG_ENDIAN);
    switch (type) {
      case DicomPdus.ASSOCIATE_AC:
        return accept(b);
      case DicomPdus.ASSOCIATE_RJ:
        need(b, 4, "A-ASSOCIATE-RJ");
        b.get();
        return new Reject(b.get() & 0xff, b.get() & 0xff, b.get() & 0xff);
      case DicomPdus.P_DATA_TF:
        return data(b);
      case DicomPdus.RELEASE_RQ:
        return new ReleaseRequest();
      case DicomPdus.RELEASE_RP:
        return new ReleaseReply();
      case DicomPdus.ABORT:
        need(b, 4, "A-ABORT");
        b.get();
        b.get();
        return new Abort(b.get() & 0xff, b.get() & 0xff);
      default:
        throw new DicomProtocolException("unexpected PDU type 0x" + Integer.toHexString(type));
    }
  }

  private static Accept accept(ByteBuffer b) throws DicomProtocolException {
    need(b, 68, "A-ASSOCIATE-AC");
    b.position(68);
    while (b.remaining() >= 4) {
      int itemType = b.get() & 0xff;
      b.get();
      int length = b.getShort() & 0xffff;
      need(b, length, "A-ASSOCIATE-AC item 0x" + Integer.toHexString(itemType));
      int end = b.position() + length;
      if (itemType == 0x21 && length >= 4) {
        int id = b.get() & 0xff;
        b.get();
        int result = b.get() & 0xff;
        b.get();
        String syntax = "";
        if (b.position() + 4 <= end && (b.get() & 0xff) == 0x40) {
          b.get();
          int l = b.getShort() & 0xffff;
          if (b.position() + l <= end) {
            byte[] s = new byte[l];
            b.get(s);
            syntax = new String(s, StandardCharsets.US_ASCII).replace("\0", "").strip();
          }
        }
        if (id == DicomPdus.CONTEXT_ID) {
          return new Accept(result, syntax);
        }
      }
      b.position(end);
    }
    throw new DicomProtocolException(
        "A-ASSOCIATE-AC without an answer for presentation context " + DicomPdus.CONTEXT_ID);
  }

  private static Data data(ByteBuffer b) throws DicomProtocolException {
    List<Pdv> values = new ArrayList<>();
    while (b.remaining() > 0) {
      need(b, 4, "P-DATA-TF");
      long length = b.getInt() & 0xffffffffL;
      if (length < 2 || length > b.remaining()) {
        throw new DicomProtocolException(
            "P-DATA-TF: a value of " + length + " bytes in " + b.remaining() + " remaining");
      }
      int id = b.get() & 0xff;
      int header = b.get() & 0xff;
      byte[] fragment = new byte[(int) length - 2];
      b.get(fragment);
      values.add(new Pdv(id, (header & 0x01) != 0, (header & 0x02) != 0, fragment));
    }
    return new Data(values);
  }

  private static void need(ByteBuffer b, int bytes, String what) throws DicomProtocolException {
    if (b.remaining() < bytes) {
      throw new DicomProtocolException(
          what + ": " + b.remaining() + " bytes where " + bytes + " are needed");
    }
  }
}
