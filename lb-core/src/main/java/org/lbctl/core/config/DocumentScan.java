package org.lbctl.core.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One pass over a document's tokens before it becomes a tree. It notes the line each path starts
 * on, so that a problem can name it, and refuses what the tree would take silently: YAML aliases,
 * and plain numbers that only YAML 1.1 reads as such ({@code 0443} as octal 291, {@code 1_000}): a
 * YAML 1.2 reader, or the engineer who wrote them, reads them otherwise. (Words such as {@code yes}
 * and {@code off}, booleans in YAML 1.1, are read as the text YAML 1.2 makes of them: see {@link
 * #factory}.)
 */
final class DocumentScan {
  private static final Pattern NUMBER =
      Pattern.compile(
          "[-+]?(0|[1-9][0-9]*)(\\.[0-9]*)?([eE][-+]?[0-9]+)?|[-+]?\\.[0-9]+([eE][-+]?[0-9]+)?"
              + "|0x[0-9a-fA-F]+|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

  private final Map<String, Integer> lines = new HashMap<>();
  private final Problems refused;

  private DocumentScan(Problems refused) {
    this.refused = refused;
  }

  private static final DocumentScan EMPTY = new DocumentScan(null);

  /**
   * A YAML reader that takes {@code yes}, {@code no}, {@code on} and {@code off} for the words they
   * are, as YAML 1.2 does: a field that wants a boolean refuses them, one that wants a word ({@code
   * fencing: off}) takes them.
   */
  static com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder factory() {
    return com.fasterxml.jackson.dataformat.yaml.YAMLFactory.builder()
        .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS);
  }

  /** A scan that knows no lines. */
  static DocumentScan empty() {
    return EMPTY;
  }

  /**
   * Scans {@code bytes}; YAML's own readings are refused into {@code problems}, which name the
   * lines from now on.
   *
   * @throws ConfigException for an alias, which the tree would read as the text of its name
   */
  static DocumentScan of(JsonFactory factory, byte[] bytes, Problems problems)
      throws IOException, ConfigException {
    DocumentScan scan = new DocumentScan(problems);
    try (JsonParser p = factory.createParser(bytes)) {
      JsonToken token;
      while ((token = p.nextToken()) != null) {
        JsonLocation at = p.currentTokenLocation();
        if (p instanceof YAMLParser y && y.isCurrentAlias()) {
          throw ConfigException.of(
              "line " + at.getLineNr() + ", column " + at.getColumnNr(),
              "YAML aliases (*" + p.getText() + ") are not supported; write the value out");
        }
        String path = path(p.getParsingContext());
        scan.lines.putIfAbsent(path, at.getLineNr());
        if (p instanceof YAMLParser && token.isScalarValue()) {
          scan.plainValue(token, p, path, at.getLineNr());
        }
      }
    }
    problems.lines(scan);
    return scan;
  }

  private void plainValue(JsonToken token, JsonParser p, String path, int line) throws IOException {
    String text = p.getText();
    if (token.isNumeric() && !NUMBER.matcher(text).matches()) {
      String plain = text.replace("_", "").replaceFirst("^([-+]?)0+(?=[0-9])", "$1");
      Number yaml11 = p.getNumberValue();
      refused.add(
          path,
          plain.equals(yaml11.toString())
              ? "'"
                  + text
                  + "' is the number "
                  + plain
                  + " only in YAML 1.1 (text in YAML 1.2): write "
                  + plain
                  + ", or quote it for text"
              : "'"
                  + text
                  + "' is "
                  + yaml11
                  + " in YAML 1.1 (octal) but "
                  + plain
                  + " in YAML 1.2: write the number meant without leading zeros, or quote it for"
                  + " text",
          line);
    }
  }

  /** The path in problems' form, {@code virtualServices[2].ports[0]}, of the current value. */
  private static String path(JsonStreamContext context) {
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray() && c.getCurrentIndex() >= 0) {
        parts.push("[" + c.getCurrentIndex() + "]");
      } else if (c.inObject() && c.getCurrentName() != null) {
        parts.push("." + c.getCurrentName());
      }
    }
    String path = String.join("", parts);
    return path.startsWith(".") ? path.substring(1) : path;
  }

  /** {@code problems} with the line of their path, or of its nearest enclosing value. */
  List<ConfigProblem> located(List<ConfigProblem> problems) {
    List<ConfigProblem> out = new ArrayList<>(problems.size());
    for (ConfigProblem p : problems) {
      out.add(p.line() > 0 ? p : new ConfigProblem(p.path(), p.message(), lineOf(p.path())));
    }
    return out;
  }

  private int lineOf(String path) {
    String at = path;
    while (!at.isEmpty()) {
      Integer line = lines.get(at);
      if (line != null) {
        return line;
      }
      int cut = Math.max(at.lastIndexOf('.'), at.lastIndexOf('['));
      at = cut < 0 ? "" : at.substring(0, cut);
    }
    return 0;
  }
}
