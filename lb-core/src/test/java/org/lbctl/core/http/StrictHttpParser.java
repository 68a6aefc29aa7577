package org.lbctl.core.http;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A strict HTTP/1.1 parser after RFC 9112, written for the tests as the reference the proxy's
 * framing is held to: CRLF line ends only, no obs-fold, no whitespace before a field's colon,
 * tokens and field values from their grammars, Content-Length as one run of digits,
 * Transfer-Encoding ending in chunked (and only in HTTP/1.1), both together refused, chunk sizes of
 * at most 16 hex digits, chunk extensions and trailers from their grammars. It reads messages one
 * after another until the input ends (a message cut short is not counted) or an error.
 */
public final class StrictHttpParser {
  /** A parsed message; for a response {@code method} is the status code. */
  public record Message(
      String method,
      String target,
      String version,
      List<String> headers,
      byte[] body,
      List<String> trailers) {}

  /** The messages read before the input ended or broke; {@code error} says where it broke. */
  public record Result(List<Message> messages, String error) {}

  private final byte[] in;
  private int at;

  private StrictHttpParser(byte[] in) {
    this.in = in;
  }

  /** Requests, one after another. */
  public static Result requests(byte[] input) {
    return new StrictHttpParser(input).all(true, null);
  }

  /**
   * Responses to requests of {@code method}, one after another; a response without a length ends
   * with the input.
   */
  public static Result responses(byte[] input, String method) {
    return new StrictHttpParser(input).all(false, method);
  }

  /** Thrown when the input ends inside a message. */
  private static final class Incomplete extends Exception {
    Incomplete() {
      super(null, null, false, false);
    }
  }

  private Result all(boolean requests, String method) {
    List<Message> out = new ArrayList<>();
    while (at < in.length) {
      int start = at;
      try {
        Message m = requests ? request() : response(method);
        out.add(m);
        if (!keepAlive(m)) {
          // The connection ends after this message: what follows is never read.
          return new Result(out, null);
        }
      } catch (Incomplete e) {
        at = start;
        return new Result(out, null);
      } catch (IllegalArgumentException e) {
        return new Result(out, e.getMessage() + " at byte " + at);
      }
    }
    return new Result(out, null);
  }

  /** HTTP/1.1 unless it says close; HTTP/1.0 only if it says keep-alive (RFC 9112 §9.3). */
  private static boolean keepAlive(Message m) {
    List<String> options = new ArrayList<>();
    for (String v : values(m.headers(), "connection")) {
      for (String o : v.split(",")) {
        options.add(o.strip().toLowerCase(Locale.ROOT));
      }
    }
    if (options.contains("close")) {
      return false;
    }
    return m.version().equals("HTTP/1.1") || options.contains("keep-alive");
  }

  private Message request() throws Incomplete {
    // RFC 9112 §2.2: empty lines before a request line are ignored.
    while (at + 1 < in.length && in[at] == '\r' && in[at + 1] == '\n') {
      at += 2;
    }
    String line = line();
    String[] parts = line.split(" ", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("request line is not method SP target SP version");
    }
    token(parts[0], "method");
    if (parts[1].isEmpty()) {
      throw new IllegalArgumentException("empty request target");
    }
    for (char c : parts[1].toCharArray()) {
      if (c <= 0x20 || c == 0x7f) {
        throw new IllegalArgumentException("request target holds a control or space");
      }
    }
    if (!(parts[1].startsWith("/")
        || parts[1].equals("*")
        || parts[1].matches("(?s)[A-Za-z][A-Za-z0-9+.-]*://.*")
        || parts[0].equals("CONNECT"))) {
      throw new IllegalArgumentException("request target is not a path, * or an absolute URI");
    }
    version(parts[2]);
    List<String> headers = fields();
    byte[] body = body(parts[2], headers, true, 0);
    return new Message(parts[0], parts[1], parts[2], headers, body, lastTrailers);
  }

  private Message response(String method) throws Incomplete {
    String line = line();
    // The space after the code is required, but a server that leaves it out with no reason is
    // common and harmless: accepted.
    if (line.length() < 12
        || line.charAt(8) != ' '
        || (line.length() > 12 && line.charAt(12) != ' ')) {
      throw new IllegalArgumentException("status line is not version SP code SP reason");
    }
    String version = line.substring(0, 8);
    version(version);
    if (!version.startsWith("HTTP/1.")) {
      throw new IllegalArgumentException("a server that does not speak HTTP/1.x");
    }
    String code = line.substring(9, 12);
    if (!code.chars().allMatch(c -> c >= '0' && c <= '9')
        || code.charAt(0) < '1'
        || code.charAt(0) > '5') {
      throw new IllegalArgumentException("status code is not from 100 to 599");
    }
    for (char c : line.substring(12).toCharArray()) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new IllegalArgumentException("reason phrase holds a control");
      }
    }
    List<String> headers = fields();
    int status = Integer.parseInt(code);
    if (status == 101) {
      // The proxy relays a switch only to a request that asked for one (HttpUpgradeIT).
      throw new IllegalArgumentException("101 to a request that asked no upgrade");
    }
    boolean bodiless = status < 200 || "HEAD".equals(method) || status == 204 || status == 304;
    if (!values(headers, "transfer-encoding").isEmpty()
        && !values(headers, "content-length").isEmpty()) {
      throw new IllegalArgumentException("Transfer-Encoding with Content-Length");
    }
    if (bodiless) {
      // No body follows, whatever the framing headers say: Netty drops Transfer-Encoding here.
      // Netty removes the values that are exactly "chunked", and puts the others last.
      List<String> kept = new ArrayList<>(headers);
      List<String> te = new ArrayList<>();
      for (String h : headers) {
        if (h.startsWith("transfer-encoding: ")) {
          te.add(h);
        }
      }
      if (te.stream().anyMatch(h -> h.equalsIgnoreCase("transfer-encoding: chunked"))) {
        kept.removeAll(te);
        te.removeIf(h -> h.equalsIgnoreCase("transfer-encoding: chunked"));
        kept.addAll(te);
      }
      return new Message(code, "", version, kept, new byte[0], List.of());
    }
    byte[] body = body(version, headers, false, status);
    return new Message(code, "", version, headers, body, lastTrailers);
  }

  private List<String> lastTrailers = List.of();

  private byte[] body(String version, List<String> headers, boolean request, int status)
      throws Incomplete {
    lastTrailers = List.of();
    List<String> te = values(headers, "transfer-encoding");
    List<String> cl = values(headers, "content-length");
    if (!te.isEmpty()) {
      if (!cl.isEmpty()) {
        throw new IllegalArgumentException("Transfer-Encoding with Content-Length");
      }
      if (version.equals("HTTP/1.0")) {
        throw new IllegalArgumentException("Transfer-Encoding in HTTP/1.0");
      }
      List<String> codings = new ArrayList<>();
      for (String v : te) {
        for (String c : v.split(",", -1)) {
          // RFC 9110 §5.6.1 lets a list hold empty elements; readers differ on them here.
          if (c.isBlank()) {
            throw new IllegalArgumentException("an empty element in Transfer-Encoding");
          }
          codings.add(c.strip().toLowerCase(Locale.ROOT));
        }
      }
      if (codings.isEmpty()) {
        throw new IllegalArgumentException("an empty Transfer-Encoding");
      }
      if (codings.equals(List.of("chunked"))) {
        return chunked();
      }
      boolean chunkedLast = codings.get(codings.size() - 1).equals("chunked");
      if (!request && chunkedLast && codings.indexOf("chunked") == codings.size() - 1) {
        // Another coding under chunked: the client gets it as it came.
        return chunked();
      }
      if (request || codings.contains("chunked")) {
        throw new IllegalArgumentException("Transfer-Encoding other than chunked: " + codings);
      }
      // RFC 9112 §6.3: a response whose last coding is not chunked runs to the connection's end.
      byte[] rest = java.util.Arrays.copyOfRange(in, at, in.length);
      at = in.length;
      return rest;
    }
    if (!cl.isEmpty()) {
      if (cl.size() != 1
          || cl.get(0).isEmpty()
          || cl.get(0).length() > 18
          || !cl.get(0).chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("Content-Length is not one number: " + cl);
      }
      long n = Long.parseLong(cl.get(0));
      if (at + n > in.length) {
        throw new Incomplete();
      }
      byte[] b = java.util.Arrays.copyOfRange(in, at, (int) (at + n));
      at += (int) n;
      return b;
    }
    if (request) {
      return new byte[0];
    }
    // A response without a length runs to the end of the connection.
    byte[] b = java.util.Arrays.copyOfRange(in, at, in.length);
    at = in.length;
    return b;
  }

  private byte[] chunked() throws Incomplete {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String line = line();
      int i = 0;
      while (i < line.length() && hex(line.charAt(i))) {
        i++;
      }
      if (i == 0 || i > 16) {
        throw new IllegalArgumentException("chunk size is not 1 to 16 hex digits");
      }
      long size = Long.parseUnsignedLong(line.substring(0, i), 16);
      extensions(line.substring(i));
      if (size == 0) {
        // Framing fields have no place in trailers (RFC 9110 §6.5.1): an error; a Trailer field
        // is dropped, as Netty does.
        List<String> trailers = new ArrayList<>(fields());
        if (trailers.stream()
            .anyMatch(
                t -> t.startsWith("content-length: ") || t.startsWith("transfer-encoding: "))) {
          throw new IllegalArgumentException("framing fields in the trailers");
        }
        trailers.removeIf(t -> t.startsWith("trailer: "));
        lastTrailers = trailers;
        return body.toByteArray();
      }
      if (size < 0 || size > Integer.MAX_VALUE || at + size > in.length) {
        throw new Incomplete();
      }
      body.write(in, at, (int) size);
      at += (int) size;
      if (at + 2 > in.length) {
        throw new Incomplete();
      }
      if (in[at] != '\r' || in[at + 1] != '\n') {
        throw new IllegalArgumentException("chunk data not followed by CRLF");
      }
      at += 2;
    }
  }

  /**
   * chunk-ext = *( ";" ext-name [ "=" ext-val ] ), ext-val a token or quoted: without the BWS RFC
   * 9112 allows around ";" and "=", which llhttp's strict mode refuses.
   */
  private static void extensions(String s) {
    int i = 0;
    while (i < s.length()) {
      if (s.charAt(i) != ';') {
        throw new IllegalArgumentException("chunk extension does not start with ';'");
      }
      i++;
      int name = i;
      while (i < s.length() && tchar(s.charAt(i))) {
        i++;
      }
      if (i == name) {
        throw new IllegalArgumentException("chunk extension without a name");
      }
      int after = i;
      if (after < s.length() && s.charAt(after) == '=') {
        i = after + 1;
        if (i < s.length() && s.charAt(i) == '"') {
          i = quoted(s, i);
        } else {
          int value = i;
          while (i < s.length() && tchar(s.charAt(i))) {
            i++;
          }
          if (i == value) {
            throw new IllegalArgumentException("chunk extension with an empty value");
          }
        }
      } else if (after < s.length() && s.charAt(after) != ';') {
        throw new IllegalArgumentException("chunk extension name followed by junk");
      }
    }
  }

  private static int quoted(String s, int i) {
    i++;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\') {
        if (i + 1 >= s.length()) {
          break;
        }
        char e = s.charAt(i + 1);
        if (e != '\t' && (e < 0x20 || e == 0x7f)) {
          throw new IllegalArgumentException("control in a quoted pair");
        }
        i += 2;
        continue;
      }
      if (c != '\t' && (c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("control in a quoted string");
      }
      i++;
    }
    throw new IllegalArgumentException("unterminated quoted string");
  }

  /** Header or trailer fields up to the empty line, as "name: value" with the name lower-cased. */
  private List<String> fields() throws Incomplete {
    List<String> out = new ArrayList<>();
    while (true) {
      String line = line();
      if (line.isEmpty()) {
        return out;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("field line without a name and ':'");
      }
      String name = line.substring(0, colon);
      token(name, "field name");
      String value = ows(line.substring(colon + 1));
      checkValue(value);
      out.add(name.toLowerCase(Locale.ROOT) + ": " + value);
    }
  }

  /** Without the optional whitespace (SP and HTAB only) around it. */
  private static String ows(String raw) {
    int s = 0;
    while (s < raw.length() && (raw.charAt(s) == ' ' || raw.charAt(s) == '\t')) {
      s++;
    }
    int e = raw.length();
    while (e > s && (raw.charAt(e - 1) == ' ' || raw.charAt(e - 1) == '\t')) {
      e--;
    }
    return raw.substring(s, e);
  }

  private static void checkValue(String value) {
    for (char c : value.toCharArray()) {
      if (c != ' ' && c != '\t' && (c < 0x21 || c == 0x7f)) {
        throw new IllegalArgumentException("field value holds a control");
      }
    }
  }

  private static List<String> values(List<String> headers, String name) {
    List<String> out = new ArrayList<>();
    for (String h : headers) {
      if (h.startsWith(name + ": ")) {
        out.add(h.substring(name.length() + 2));
      }
    }
    return out;
  }

  /** A line up to CRLF, as ISO-8859-1; a bare CR or LF is an error. */
  private String line() throws Incomplete {
    int start = at;
    for (int i = at; i < in.length; i++) {
      if (in[i] == '\n') {
        throw new IllegalArgumentException("bare LF");
      }
      if (in[i] == '\r') {
        if (i + 1 >= in.length) {
          throw new Incomplete();
        }
        if (in[i + 1] != '\n') {
          throw new IllegalArgumentException("bare CR");
        }
        at = i + 2;
        return new String(in, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1);
      }
    }
    throw new Incomplete();
  }

  private static void version(String v) {
    if (!v.equals("HTTP/1.0") && !v.equals("HTTP/1.1")) {
      throw new IllegalArgumentException("not an HTTP version: " + v);
    }
  }

  private static void token(String s, String what) {
    if (s.isEmpty() || !s.chars().allMatch(c -> tchar((char) c))) {
      throw new IllegalArgumentException(what + " is not a token");
    }
  }

  static boolean tchar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
