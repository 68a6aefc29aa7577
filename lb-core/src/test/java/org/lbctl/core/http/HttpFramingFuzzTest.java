package org.lbctl.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzz targets for the HTTP/1.1 framing in both directions and the request defences: whatever the
 * bytes, the proxy either refuses them or hands on messages that {@link StrictHttpParser} reads
 * back from the same bytes with the same heads, bodies and trailers, in the same order. A message
 * the strict reading refuses, or frames differently, is one a real server could read otherwise
 * (request smuggling, response splitting).
 *
 * <p>Run as unit tests they replay the seed corpus under {@code HttpFramingFuzzTestInputs} (each
 * file a case; the ones named after a finding are what fuzzing found and what the fix now refuses
 * or reads alike); with {@code JAZZER_FUZZ=1} Jazzer mutates it for the time given, which lb-core's
 * {@code fuzz} profile does for each target in every build ({@code -DskipFuzz} to leave it out).
 */
class HttpFramingFuzzTest {

  @FuzzTest(maxDuration = "6s")
  void requestFraming(byte[] input) {
    agree(Framers.requests(input), StrictHttpParser.requests(input), input);
  }

  @FuzzTest(maxDuration = "6s")
  void responseFraming(byte[] input) {
    agree(
        Framers.responses(input, HttpMethod.GET), StrictHttpParser.responses(input, "GET"), input);
  }

  @FuzzTest(maxDuration = "6s")
  void responseFramingToHead(byte[] input) {
    // The codec was told of Framers.ASKED requests: responses beyond them answer nothing.
    List<StrictHttpParser.Message> ours = Framers.responses(input, HttpMethod.HEAD);
    StrictHttpParser.Result strict = StrictHttpParser.responses(input, "HEAD");
    int n = Framers.ASKED;
    agree(
        ours.subList(0, Math.min(n, ours.size())),
        new StrictHttpParser.Result(
            strict.messages().subList(0, Math.min(n, strict.messages().size())), strict.error()),
        input);
  }

  static void agree(
      List<StrictHttpParser.Message> handedOn, StrictHttpParser.Result strict, byte[] input) {
    String shown = escaped(input);
    assertThat(handedOn.size())
        .as("messages handed on vs read strictly (%s) from %s", strict.error(), shown)
        .isLessThanOrEqualTo(strict.messages().size());
    for (int i = 0; i < handedOn.size(); i++) {
      StrictHttpParser.Message ours = handedOn.get(i);
      StrictHttpParser.Message ref = strict.messages().get(i);
      assertThat(ours.method() + " " + ours.target() + " " + ours.version())
          .as("message %d's start from %s", i, shown)
          .isEqualTo(ref.method() + " " + ref.target() + " " + ref.version());
      assertThat(byName(ours.headers()))
          .as("message %d's headers from %s", i, shown)
          .isEqualTo(byName(ref.headers()));
      assertThat(ours.body()).as("message %d's body from %s", i, shown).isEqualTo(ref.body());
      assertThat(ours.trailers())
          .as("message %d's trailers from %s", i, shown)
          .isEqualTo(ref.trailers());
    }
  }

  /**
   * Fields in name order, lines of one name in their order: the order of different names carries no
   * meaning (RFC 9110 §5.3), and Netty moves Transfer-Encoding last when it edits it.
   */
  private static List<String> byName(List<String> fields) {
    List<String> sorted = new java.util.ArrayList<>(fields);
    sorted.sort(java.util.Comparator.comparing(f -> f.substring(0, f.indexOf(':'))));
    return sorted;
  }

  static String escaped(byte[] input) {
    StringBuilder b = new StringBuilder("\"");
    for (byte x : input) {
      int c = x & 0xff;
      switch (c) {
        case '\r' -> b.append("\\r");
        case '\n' -> b.append("\\n");
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20 || c >= 0x7f) {
            b.append(String.format("\\x%02x", c));
          } else {
            b.append((char) c);
          }
        }
      }
      if (b.length() > 600) {
        b.append("...");
        break;
      }
    }
    return b.append('"').toString();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
