package org.lbctl.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The proxy's HTTP/1.1 framing against a second strict parser written by others: llhttp, the parser
 * inside Node.js, in its strict mode (src/test/resources/llhttp/frame.js), over the fuzz corpus.
 * Every message the proxy hands on, llhttp reads from the same bytes with the same start line,
 * headers, body and trailers: a message llhttp refuses or frames otherwise is one a real server
 * built on it could read differently. The proxy may refuse more than llhttp does.
 */
class LlhttpDifferentialTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Case(String name, String kind, String method, byte[] data) {}

  @Test
  void everyMessageTheProxyHandsOnLlhttpReadsAlike() throws Exception {
    List<Case> cases = new ArrayList<>();
    cases.addAll(corpus("requestFraming", "request", "GET"));
    cases.addAll(corpus("responseFraming", "response", "GET"));
    cases.addAll(corpus("responseFramingToHead", "response", "HEAD"));
    // -Dllhttp.corpus=lb-core/.cifuzz-corpus/org.lbctl.core.http.HttpFramingFuzzTest adds what a
    // fuzzing run generated (thousands of cases; not kept in the repository).
    String extra = System.getProperty("llhttp.corpus");
    if (extra != null) {
      cases.addAll(corpus(Path.of(extra, "requestFraming"), "request", "GET"));
      cases.addAll(corpus(Path.of(extra, "responseFraming"), "response", "GET"));
      cases.addAll(corpus(Path.of(extra, "responseFramingToHead"), "response", "HEAD"));
    }
    assertThat(cases).hasSizeGreaterThan(50);
    JsonNode theirs = llhttp(cases);
    int handedOn = 0;
    int unknownMethods = 0;
    int refusedOnlyHere = 0;
    for (int c = 0; c < cases.size(); c++) {
      Case k = cases.get(c);
      List<StrictHttpParser.Message> ours =
          k.kind().equals("request")
              ? Framers.requests(k.data())
              : Framers.responses(k.data(), HttpMethod.valueOf(k.method()));
      if (k.method().equals("HEAD") && ours.size() > Framers.ASKED) {
        ours = ours.subList(0, Framers.ASKED);
      }
      JsonNode result = theirs.get(c);
      JsonNode messages = result.get("messages");
      String shown = k.name() + " " + HttpFramingFuzzTest.escaped(k.data());
      String error = result.get("error").asText("");
      if (error.startsWith("HPE_INVALID_METHOD") && ours.size() > messages.size()) {
        // llhttp knows a fixed list of methods; HTTP allows any token, and a server that knows
        // fewer refuses the request rather than framing it otherwise. Compared up to there.
        unknownMethods++;
        ours = ours.subList(0, messages.size());
      }
      assertThat(ours.size())
          .as("messages handed on vs read by llhttp (%s) in %s", result.get("error"), shown)
          .isLessThanOrEqualTo(messages.size());
      for (int i = 0; i < ours.size(); i++) {
        StrictHttpParser.Message m = ours.get(i);
        JsonNode l = messages.get(i);
        String start =
            k.kind().equals("request")
                ? m.method() + " " + m.target() + " " + m.version()
                : m.method() + "  " + m.version();
        assertThat(start)
            .as("message %d's start in %s", i, shown)
            .isEqualTo(l.get("start").asText());
        List<String> ourHeaders = m.headers();
        List<String> theirHeaders = strings(l.get("headers"));
        if (k.kind().equals("response") && bodiless(k.method(), Integer.parseInt(m.method()))) {
          // Netty drops a body's framing from a response that has none; llhttp keeps it.
          ourHeaders = withoutCoding(ourHeaders);
          theirHeaders = withoutCoding(theirHeaders);
        }
        assertThat(sorted(ourHeaders))
            .as("message %d's headers in %s", i, shown)
            .isEqualTo(sorted(theirHeaders));
        assertThat(m.body())
            .as("message %d's body in %s", i, shown)
            .isEqualTo(Base64.getDecoder().decode(l.get("body").asText()));
        // Netty drops a Trailer field from the trailers, where it means nothing; llhttp keeps it.
        assertThat(sorted(m.trailers()))
            .as("message %d's trailers in %s", i, shown)
            .isEqualTo(
                sorted(
                    strings(l.get("trailers")).stream()
                        .filter(t -> !t.startsWith("trailer: "))
                        .toList()));
      }
      handedOn += ours.size();
      refusedOnlyHere += messages.size() - ours.size();
    }
    System.out.printf(
        "llhttp differential: %d cases, %d messages handed on and read alike, %d read by llhttp"
            + " only, %d methods llhttp does not know%n",
        cases.size(), handedOn, refusedOnlyHere, unknownMethods);
  }

  private static List<Case> corpus(String target, String kind, String method)
      throws URISyntaxException, java.io.IOException {
    return corpus(
        Path.of(
            LlhttpDifferentialTest.class
                .getResource("HttpFramingFuzzTestInputs/" + target)
                .toURI()),
        kind,
        method);
  }

  private static List<Case> corpus(Path dir, String kind, String method)
      throws java.io.IOException {
    String target = dir.getFileName().toString();
    List<Case> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        out.add(new Case(target + "/" + f.getFileName(), kind, method, Files.readAllBytes(f)));
      }
    }
    return out;
  }

  private static JsonNode llhttp(List<Case> cases) throws Exception {
    ArrayNode in = JSON.createArrayNode();
    for (Case c : cases) {
      ObjectNode o = in.addObject();
      o.put("name", c.name());
      o.put("kind", c.kind());
      o.put("method", c.method());
      o.put("data", Base64.getEncoder().encodeToString(c.data()));
    }
    File script =
        Path.of(LlhttpDifferentialTest.class.getResource("/llhttp/frame.js").toURI()).toFile();
    Process p = new ProcessBuilder("node", script.getPath()).redirectErrorStream(false).start();
    p.getOutputStream().write(JSON.writeValueAsBytes(in));
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue())
        .as("node: %s", new String(p.getErrorStream().readAllBytes()))
        .isZero();
    JsonNode result = JSON.readTree(out);
    assertThat(result.size()).isEqualTo(cases.size());
    return result;
  }

  private static boolean bodiless(String method, int status) {
    return method.equals("HEAD") || status < 200 || status == 204 || status == 304;
  }

  private static List<String> withoutCoding(List<String> fields) {
    return fields.stream().filter(f -> !f.startsWith("transfer-encoding: ")).toList();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> sorted(List<String> fields) {
    List<String> s = new ArrayList<>(fields);
    s.sort(java.util.Comparator.comparing(f -> f.substring(0, f.indexOf(':'))));
    return s;
  }
}
