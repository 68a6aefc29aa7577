package org.lbctl.core.http;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of a request head as RFC 9112 writes them, checked byte by byte before its request goes
 * on: empty lines before it (§2.2), then {@code method SP request-target SP HTTP-version CRLF} with
 * single spaces, then field lines {@code name ":" OWS value OWS CRLF} and an empty line; CRLF line
 * ends only, no obs-fold, no whitespace before a colon, no control characters. Netty's decoder
 * reads these leniently in places (any whitespace or a bare CR between the words of the request
 * line, leading junk, folded lines); a request a strict server would read otherwise is refused here
 * instead of being re-encoded into one it never sent.
 */
public final class MessageHead {
  private MessageHead() {}

  /** What is wrong with the request head {@code head[0..len)}, or null when it is well-formed. */
  public static String requestProblem(byte[] head, int len) {
    int i = 0;
    while (i + 1 < len && head[i] == '\r' && head[i + 1] == '\n') {
      i += 2;
    }
    int method = i;
    while (i < len && tchar(head[i])) {
      i++;
    }
    if (i == method) {
      return "the request line does not start with a method";
    }
    if (i >= len || head[i] != ' ') {
      return "the method is not followed by a single space";
    }
    int target = ++i;
    while (i < len && head[i] > 0x20 && head[i] < 0x7f) {
      i++;
    }
    if (i == target) {
      return "the request target is empty or starts with whitespace";
    }
    if (i >= len || head[i] != ' ') {
      return "the request target holds a control character or is not followed by a single space";
    }
    String form = targetForm(head, method, target, i);
    if (form != null) {
      return form;
    }
    i++;
    if (i + 10 > len
        || head[i] != 'H'
        || head[i + 1] != 'T'
        || head[i + 2] != 'T'
        || head[i + 3] != 'P'
        || head[i + 4] != '/'
        || !digit(head[i + 5])
        || head[i + 6] != '.'
        || !digit(head[i + 7])
        || head[i + 8] != '\r'
        || head[i + 9] != '\n') {
      return "the request line does not end with HTTP/x.y and CRLF";
    }
    return fields(head, i + 10, len);
  }

  /**
   * RFC 9112 §3.2: a request target is a path ({@code /...}), {@code *}, an absolute URI ({@code
   * scheme://...}) or, for CONNECT only, {@code host:port}.
   */
  private static String targetForm(byte[] head, int method, int from, int to) {
    if (head[from] == '/' || (to - from == 1 && head[from] == '*')) {
      return null;
    }
    int i = from;
    if ((head[i] | 0x20) >= 'a' && (head[i] | 0x20) <= 'z') {
      while (i < to
          && (((head[i] | 0x20) >= 'a' && (head[i] | 0x20) <= 'z')
              || digit(head[i])
              || head[i] == '+'
              || head[i] == '-'
              || head[i] == '.')) {
        i++;
      }
      if (i + 2 < to && head[i] == ':' && head[i + 1] == '/' && head[i + 2] == '/') {
        return null;
      }
    }
    boolean connect =
        from - method == 8
            && new String(head, method, 7, StandardCharsets.US_ASCII).equals("CONNECT");
    return connect ? null : "the request target is not a path, '*' or an absolute URI";
  }

  /** What is wrong with the response head {@code head[0..len)}, or null when it is well-formed. */
  public static String responseProblem(byte[] head, int len) {
    if (len < 14
        || head[0] != 'H'
        || head[1] != 'T'
        || head[2] != 'T'
        || head[3] != 'P'
        || head[4] != '/'
        || head[5] != '1'
        || head[6] != '.'
        || (head[7] != '0' && head[7] != '1')
        || head[8] != ' '
        || head[9] < '1'
        || head[9] > '5'
        || !digit(head[10])
        || !digit(head[11])) {
      return "the status line does not start with HTTP/1.0 or 1.1 and a code from 100 to 599";
    }
    int i = 12;
    if (head[i] == ' ') {
      for (i++; i < len && head[i] != '\r' && head[i] != '\n'; i++) {
        byte c = head[i];
        if (c != '\t' && (c >= 0 && c < 0x20 || c == 0x7f)) {
          return "a control character in the reason phrase";
        }
      }
    }
    if (i + 1 >= len || head[i] != '\r' || head[i + 1] != '\n') {
      return "the status line does not end with CRLF";
    }
    return fields(head, i + 2, len);
  }

  private static final byte[] CONTENT_LENGTH =
      "content-length:".getBytes(StandardCharsets.US_ASCII);

  private static String fields(byte[] head, int i, int len) {
    int lengths = 0;
    boolean coded = false;
    while (true) {
      if (i + 1 < len && head[i] == '\r' && head[i + 1] == '\n') {
        if (coded && lengths > 0) {
          // RFC 9112 §6.3: a sign of smuggling or splitting, even where no body follows.
          return "Transfer-Encoding with Content-Length";
        }
        return i + 2 == len ? null : "bytes after the end of the head";
      }
      int end = i;
      while (end < len && head[end] != '\r' && head[end] != '\n') {
        end++;
      }
      String problem = fieldLine(head, i, end);
      if (problem != null) {
        return problem;
      }
      // Decoders differ on several lengths (Netty takes the first in HTTP/1.0): refused here.
      if (named(head, i, end, CONTENT_LENGTH) && (++lengths > 1 || contains(head, i, end, ','))) {
        return "more than one Content-Length";
      }
      if (named(head, i, end, TRANSFER_ENCODING)) {
        coded = true;
        if (emptyElement(head, i + TRANSFER_ENCODING.length, end)) {
          // "chunked," is chunked to some readers and an error to others (llhttp).
          return "an empty element in Transfer-Encoding";
        }
      }
      if (end + 1 >= len || head[end] != '\r' || head[end + 1] != '\n') {
        return "a header line that does not end with CRLF";
      }
      i = end + 2;
    }
  }

  /**
   * What is wrong with the field line {@code b[from..to)} (without its CRLF), or null: a token, a
   * colon, then a value without control characters.
   */
  static String fieldLine(byte[] b, int from, int to) {
    int i = from;
    while (i < to && tchar(b[i])) {
      i++;
    }
    if (i == from) {
      return i < to && (b[i] == ' ' || b[i] == '\t')
          ? "a folded field line (obs-fold)"
          : "a field line without a field name";
    }
    if (i >= to || b[i] != ':') {
      return "a field name followed by something other than ':'";
    }
    for (i++; i < to; i++) {
      byte c = b[i];
      if (c != '\t' && (c >= 0 && c < 0x20 || c == 0x7f)) {
        return "a control character in a field value";
      }
    }
    return null;
  }

  private static final byte[] TRANSFER_ENCODING =
      "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);

  /** Whether the field line {@code b[from..to)} is a Content-Length or Transfer-Encoding. */
  static boolean framingField(byte[] b, int from, int to) {
    return named(b, from, to, CONTENT_LENGTH) || named(b, from, to, TRANSFER_ENCODING);
  }

  private static boolean named(byte[] b, int from, int to, byte[] nameAndColon) {
    if (to - from < nameAndColon.length) {
      return false;
    }
    for (int k = 0; k < nameAndColon.length; k++) {
      byte c = b[from + k];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != nameAndColon[k]) {
        return false;
      }
    }
    return true;
  }

  /** Whether the list {@code b[from..to)} has an element that is empty or only whitespace. */
  private static boolean emptyElement(byte[] b, int from, int to) {
    boolean seen = false;
    for (int k = from; k < to; k++) {
      if (b[k] == ',') {
        if (!seen) {
          return true;
        }
        seen = false;
      } else if (b[k] != ' ' && b[k] != '\t') {
        seen = true;
      }
    }
    return !seen;
  }

  private static boolean contains(byte[] b, int from, int to, char c) {
    for (int k = from; k < to; k++) {
      if (b[k] == c) {
        return true;
      }
    }
    return false;
  }

  private static boolean digit(byte c) {
    return c >= '0' && c <= '9';
  }

  static boolean tchar(byte c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || (c > 0 && "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
  }
}
