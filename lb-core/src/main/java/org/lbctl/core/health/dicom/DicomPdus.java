package org.lbctl.core.health.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.lbctl.core.dicom.AeTitle;

/**
 * The DICOM upper-layer PDUs a C-ECHO needs, encoded as PS3.8 section 9.3 lays them out (big
 * endian), with the C-ECHO-RQ command set in implicit VR little endian (PS3.7 section 9.3.5).
 */
public final class DicomPdus {
  public static final String VERIFICATION_SOP_CLASS = "1.2.840.10008.1.1";
  public static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
  public static final String IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";

  /** lbctl's implementation class UID: 2.25 + a fixed UUID as an integer (PS3.5 B.2). */
  public static final String IMPLEMENTATION_CLASS_UID =
      "2.25.144067485819404202066597925074826783860";

  public static final String IMPLEMENTATION_VERSION = "LBCTL";

  /** The largest PDU this side receives, told to the peer in the user information item. */
  public static final int MAX_PDU_RECEIVED = 16384;

  /** The one presentation context proposed: odd, as PS3.8 9.3.2.2 requires. */
  public static final int CONTEXT_ID = 1;

  static final int ASSOCIATE_RQ = 0x01;
  static final int ASSOCIATE_AC = 0x02;
  static final int ASSOCIATE_RJ = 0x03;
  static final int P_DATA_TF = 0x04;
  static final int RELEASE_RQ = 0x05;
  static final int RELEASE_RP = 0x06;
  static final int ABORT = 0x07;

  static final int C_ECHO_RQ = 0x0030;
  static final int C_ECHO_RSP = 0x8030;
  private static final int NO_DATA_SET = 0x0101;

  private DicomPdus() {}

  /** A-ASSOCIATE-RQ proposing Verification in implicit VR little endian. */
  public static byte[] associateRequest(String callingAeTitle, String calledAeTitle) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeShort(body, 0x0001); // protocol version
    writeShort(body, 0); // reserved
    body.writeBytes(AeTitle.wire(calledAeTitle));
    body.writeBytes(AeTitle.wire(callingAeTitle));
    body.writeBytes(new byte[32]); // reserved
    body.writeBytes(item(0x10, ascii(APPLICATION_CONTEXT)));

    ByteArrayOutputStream context = new ByteArrayOutputStream();
    context.write(CONTEXT_ID);
    context.writeBytes(new byte[3]); // reserved
    context.writeBytes(item(0x30, ascii(VERIFICATION_SOP_CLASS)));
    context.writeBytes(item(0x40, ascii(IMPLICIT_VR_LITTLE_ENDIAN)));
    body.writeBytes(item(0x20, context.toByteArray()));

    ByteArrayOutputStream user = new ByteArrayOutputStream();
    ByteArrayOutputStream max = new ByteArrayOutputStream();
    writeInt(max, MAX_PDU_RECEIVED);
    user.writeBytes(item(0x51, max.toByteArray()));
    user.writeBytes(item(0x52, ascii(IMPLEMENTATION_CLASS_UID)));
    user.writeBytes(item(0x55, ascii(IMPLEMENTATION_VERSION)));
    body.writeBytes(item(0x50, user.toByteArray()));
    return pdu(ASSOCIATE_RQ, body.toByteArray());
  }

  /** P-DATA-TF carrying one C-ECHO-RQ command, in one last fragment. */
  public static byte[] echoRequest(int messageId) {
    ByteArrayOutputStream elements = new ByteArrayOutputStream();
    element(elements, 0x0002, uid(VERIFICATION_SOP_CLASS)); // Affected SOP Class UID
    element(elements, 0x0100, us(C_ECHO_RQ)); // Command Field
    element(elements, 0x0110, us(messageId)); // Message ID
    element(elements, 0x0800, us(NO_DATA_SET)); // Command Data Set Type
    ByteArrayOutputStream command = new ByteArrayOutputStream();
    ByteArrayOutputStream groupLength = new ByteArrayOutputStream();
    writeIntLe(groupLength, elements.size());
    element(command, 0x0000, groupLength.toByteArray()); // Command Group Length
    command.writeBytes(elements.toByteArray());

    ByteArrayOutputStream pdv = new ByteArrayOutputStream();
    writeInt(pdv, command.size() + 2); // item length: context id + header + fragment
    pdv.write(CONTEXT_ID);
    pdv.write(0x03); // command, last fragment
    pdv.writeBytes(command.toByteArray());
    return pdu(P_DATA_TF, pdv.toByteArray());
  }

  public static byte[] releaseRequest() {
    return pdu(RELEASE_RQ, new byte[4]);
  }

  /** A-ABORT from the service user, no reason. */
  public static byte[] abort() {
    return pdu(ABORT, new byte[4]);
  }

  private static byte[] pdu(int type, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(type);
    out.write(0);
    writeInt(out, body.length);
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static byte[] item(int type, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(type);
    out.write(0);
    writeShort(out, value.length);
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static void element(ByteArrayOutputStream out, int element, byte[] value) {
    writeShortLe(out, 0x0000); // group
    writeShortLe(out, element);
    writeIntLe(out, value.length);
    out.writeBytes(value);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A UID value in a data element: padded with one NUL to an even length (PS3.5 9.1). */
  private static byte[] uid(String s) {
    byte[] a = ascii(s);
    if (a.length % 2 == 0) {
      return a;
    }
    byte[] padded = new byte[a.length + 1];
    System.arraycopy(a, 0, padded, 0, a.length);
    return padded;
  }

  private static byte[] us(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8)};
  }

  private static void writeShort(ByteArrayOutputStream out, int v) {
    out.write(v >> 8);
    out.write(v);
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  private static void writeShortLe(ByteArrayOutputStream out, int v) {
    out.write(v);
    out.write(v >> 8);
  }

  private static void writeIntLe(ByteArrayOutputStream out, int v) {
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
  }
}
