package org.lbctl.core.http;

/**
 * A chunked body's bytes held to RFC 9112 §7.1 as they pass, beside Netty's decoder, which reads
 * some of it leniently (junk after a chunk size, folded trailer lines): chunk sizes of 1 to 16 hex
 * digits, chunk extensions from their grammar and at most 4 KiB, CRLF after each size line and each
 * chunk's data, trailer field lines as header lines are, CRLF line ends only.
 */
final class ChunkedBodyCheck {
  private static final int MAX_LINE = 4096;

  private enum State {
    SIZE,
    SIZE_LF,
    DATA,
    DATA_CR,
    DATA_LF,
    TRAILER,
    TRAILER_LF,
    DONE
  }

  private final int maxTrailerBytes;
  private State state = State.SIZE;
  private final byte[] line = new byte[MAX_LINE];
  private int lineLength;
  private long remaining;
  private int trailerBytes;
  private String problem;

  ChunkedBodyCheck(int maxTrailerBytes) {
    this.maxTrailerBytes = maxTrailerBytes;
  }

  /**
   * Reads {@code b}'s bytes {@code [from, to)} (data is skipped); what is wrong so far, or null.
   */
  String feed(io.netty.buffer.ByteBuf b, int from, int to) {
    for (int i = from; i < to && problem == null; i++) {
      byte c = b.getByte(i);
      switch (state) {
        case SIZE, TRAILER -> {
          if (c == '\r') {
            state = state == State.SIZE ? State.SIZE_LF : State.TRAILER_LF;
          } else if (c == '\n') {
            problem = "a bare LF in the chunked body";
          } else if (lineLength == MAX_LINE) {
            problem = "a chunk size or trailer line over " + MAX_LINE + " bytes";
          } else {
            line[lineLength++] = c;
          }
        }
        case SIZE_LF -> {
          if (c != '\n') {
            problem = "a bare CR in a chunk size line";
          } else {
            sizeLine();
          }
        }
        case DATA -> {
          long n = Math.min(remaining, to - i);
          remaining -= n;
          i += (int) n - 1;
          if (remaining == 0) {
            state = State.DATA_CR;
          }
        }
        case DATA_CR -> {
          if (c != '\r') {
            problem = "chunk data not followed by CRLF";
          }
          state = State.DATA_LF;
        }
        case DATA_LF -> {
          if (c != '\n') {
            problem = "chunk data not followed by CRLF";
          }
          state = State.SIZE;
        }
        case TRAILER_LF -> {
          if (c != '\n') {
            problem = "a bare CR in the trailer section";
          } else {
            trailerLine();
          }
        }
        case DONE -> problem = "bytes after the end of the chunked body";
      }
    }
    return problem;
  }

  boolean done() {
    return state == State.DONE;
  }

  private void sizeLine() {
    int i = 0;
    long size = 0;
    while (i < lineLength && hex(line[i])) {
      size = (size << 4) | Character.digit(line[i], 16);
      i++;
    }
    if (i == 0 || i > 16) {
      problem = "a chunk size that is not 1 to 16 hexadecimal digits";
      return;
    }
    if (size < 0) {
      problem = "a chunk size over 2^63";
      return;
    }
    problem = extensions(i);
    lineLength = 0;
    if (size == 0) {
      state = State.TRAILER;
    } else {
      remaining = size;
      state = State.DATA;
    }
  }

  private void trailerLine() {
    if (lineLength == 0) {
      state = State.DONE;
      return;
    }
    trailerBytes += lineLength + 2;
    if (trailerBytes > maxTrailerBytes) {
      problem = "trailers over " + maxTrailerBytes + " bytes";
      return;
    }
    problem = MessageHead.fieldLine(line, 0, lineLength);
    if (problem == null && MessageHead.framingField(line, 0, lineLength)) {
      // Framing has no place after the body (RFC 9110 §6.5.1); readers differ on it there.
      problem = "Content-Length or Transfer-Encoding in the trailers";
    }
    lineLength = 0;
    state = State.TRAILER;
  }

  /**
   * chunk-ext = *( ";" ext-name [ "=" ext-val ] ), a value a token or quoted. RFC 9112 allows
   * whitespace (BWS) around ";" and "=", which readers disagree on (llhttp refuses it in strict
   * mode): refused here.
   */
  private String extensions(int i) {
    while (i < lineLength) {
      if (line[i] != ';') {
        return "junk after a chunk size";
      }
      i++;
      int name = i;
      while (i < lineLength && MessageHead.tchar(line[i])) {
        i++;
      }
      if (i == name) {
        return "a chunk extension without a name";
      }
      int after = i;
      if (after < lineLength && line[after] == '=') {
        i = after + 1;
        if (i < lineLength && line[i] == '"') {
          i = quoted(i);
          if (i < 0) {
            return "a malformed quoted chunk extension value";
          }
        } else {
          int value = i;
          while (i < lineLength && MessageHead.tchar(line[i])) {
            i++;
          }
          if (i == value) {
            return "a chunk extension with an empty value";
          }
        }
      } else if (after < lineLength && line[after] != ';') {
        return "a chunk extension name followed by junk";
      } else {
        i = after;
      }
    }
    return null;
  }

  /** The index after the quoted string at {@code i}, or -1. */
  private int quoted(int i) {
    for (i++; i < lineLength; i++) {
      byte c = line[i];
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\') {
        i++;
        if (i >= lineLength) {
          return -1;
        }
        c = line[i];
      }
      if (c != '\t' && (c >= 0 && c < 0x20 || c == 0x7f)) {
        return -1;
      }
    }
    return -1;
  }

  private static boolean hex(byte c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
