package org.lbctl.cluster.pairing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One frame on the pairing connection: a kind byte, a 4-byte length, the bytes. A sealed frame
 * carries a request or an answer; a plain refusal is for a caller whose token could not open the
 * request, to whom nothing sealed can be said.
 */
final class PairingWire {
  static final byte SEALED = 1;
  static final byte REFUSED = 2;

  /** A request is a few hundred bytes; anything near this is not one. */
  static final int MAX_BYTES = 64 * 1024;

  /** An answer may carry a configuration (at most 4 MiB, escaped in JSON). */
  static final int MAX_ANSWER_BYTES = 10 * 1024 * 1024;

  record Frame(byte kind, byte[] bytes) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private PairingWire() {}

  static void write(OutputStream out, byte kind, byte[] message) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeByte(kind);
    d.writeInt(message.length);
    d.write(message);
    d.flush();
  }

  static void refuse(OutputStream out, String reason) throws IOException {
    write(out, REFUSED, reason.getBytes(StandardCharsets.UTF_8));
  }

  static Frame read(InputStream in) throws IOException {
    return read(in, MAX_BYTES);
  }

  static Frame read(InputStream in, int max) throws IOException {
    DataInputStream d = new DataInputStream(in);
    byte kind;
    int length;
    try {
      kind = d.readByte();
      length = d.readInt();
    } catch (EOFException e) {
      throw new IOException("the connection closed before a message");
    }
    if (kind != SEALED && kind != REFUSED) {
      throw new IOException("not a pairing message (kind " + kind + ")");
    }
    if (length < 0 || length > max) {
      throw new IOException("a message of " + length + " bytes (at most " + max + ")");
    }
    byte[] message = new byte[length];
    d.readFully(message);
    return new Frame(kind, message);
  }
}
