package org.lbctl.core.health.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The parts of a C-ECHO-RSP command set (implicit VR little endian) that decide a check.
 *
 * @param status 0x0000 is success
 */
public record EchoResponse(int commandField, int respondedTo, int status) {

  public static EchoResponse parse(byte[] command) throws DicomProtocolException {
    ByteBuffer b = ByteBuffer.wrap(command).order(ByteOrder.LITTLE_ENDIAN);
    int field = -1;
    int respondedTo = -1;
    int status = -1;
    while (b.remaining() > 0) {
      if (b.remaining() < 8) {
        throw new DicomProtocolException("command set: a truncated element header");
      }
      int group = b.getShort() & 0xffff;
      int element = b.getShort() & 0xffff;
      long length = b.getInt() & 0xffffffffL;
      if (length > b.remaining()) {
        throw new DicomProtocolException(
            String.format(
                "command set: element (%04x,%04x) of %d bytes in %d remaining",
                group, element, length, b.remaining()));
      }
      int start = b.position();
      if (group == 0 && length == 2) {
        int v = b.getShort() & 0xffff;
        switch (element) {
          case 0x0100 -> field = v;
          case 0x0120 -> respondedTo = v;
          case 0x0900 -> status = v;
          default -> {}
        }
      }
      b.position(start + (int) length);
    }
    if (field == -1 || status == -1) {
      throw new DicomProtocolException("command set without a command field or a status");
    }
    return new EchoResponse(field, respondedTo, status);
  }
}
