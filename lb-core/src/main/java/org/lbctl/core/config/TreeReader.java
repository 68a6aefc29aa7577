package org.lbctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Typed, path-aware reads from a JSON/YAML tree. Every failed read is recorded as a problem and
 * answered with a default, so the caller can carry on and report all problems at once.
 */
final class TreeReader {
  private static final Set<String> YAML11_TRUE = Set.of("yes", "y", "on");
  private static final Set<String> YAML11_FALSE = Set.of("no", "n", "off");
  private final Problems problems;

  TreeReader(Problems problems) {
    this.problems = problems;
  }

  Problems problems() {
    return problems;
  }

  /** Reports fields of {@code node} that are not in {@code known}. */
  boolean object(JsonNode node, String path, Set<String> known) {
    if (node == null || !node.isObject()) {
      problems.add(path, "expected an object, got " + describe(node));
      return false;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        problems.add(
            join(path, name), "unknown field (expected one of: " + new TreeSet<>(known) + ")");
      }
    }
    return true;
  }

  String text(JsonNode parent, String path, String field, String fallback, boolean required) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        problems.add(join(path, field), "is required");
      }
      return fallback;
    }
    if (!node.isTextual()) {
      problems.add(join(path, field), "expected text, got " + describe(node));
      return fallback;
    }
    return node.textValue();
  }

  String address(JsonNode parent, String path, String field, boolean required) {
    String text = text(parent, path, field, null, required);
    if (text == null) {
      return "0.0.0.0";
    }
    if (!NetUtil.isValidIpV4Address(text) && !NetUtil.isValidIpV6Address(text)) {
      problems.add(
          join(path, field), "'" + text + "' is not an IP address (host names are not resolved)");
      return "0.0.0.0";
    }
    return text;
  }

  int integer(JsonNode parent, String path, String field, int fallback, int min, int max) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    return integerValue(node, join(path, field), fallback, min, max);
  }

  int integerValue(JsonNode node, String path, int fallback, int min, int max) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      problems.add(path, "expected a whole number, got " + describe(node));
      return fallback;
    }
    int value = node.intValue();
    if (value < min || value > max) {
      problems.add(path, value + " (expected: " + min + ".." + max + ")");
      return fallback;
    }
    return value;
  }

  Duration duration(
      JsonNode parent, String path, String field, Duration fallback, Duration min, Duration max) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isTextual()) {
      problems.add(
          join(path, field),
          "expected a duration with a unit such as 300s, 60m or 12h, got " + describe(node));
      return fallback;
    }
    Duration d;
    try {
      d = Durations.parse(node.textValue());
    } catch (IllegalArgumentException e) {
      problems.add(join(path, field), e.getMessage());
      return fallback;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problems.add(
          join(path, field),
          node.textValue()
              + " (expected: "
              + Durations.format(min)
              + ".."
              + Durations.format(max)
              + ")");
      return fallback;
    }
    return d;
  }

  <E extends Enum<E> & ConfigName> E choice(
      JsonNode parent, String path, String field, Class<E> type, E fallback) {
    String text = text(parent, path, field, null, false);
    if (text == null) {
      return fallback;
    }
    for (E e : type.getEnumConstants()) {
      if (e.configName().equals(text)) {
        return e;
      }
    }
    problems.add(
        join(path, field),
        "'"
            + text
            + "' (expected one of: "
            + Arrays.stream(type.getEnumConstants())
                .map(ConfigName::configName)
                .collect(Collectors.joining(", "))
            + ")");
    return fallback;
  }

  boolean bool(JsonNode parent, String path, String field, boolean fallback) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      String word = node.isTextual() ? node.textValue().toLowerCase(java.util.Locale.ROOT) : "";
      boolean yaml11 = YAML11_TRUE.contains(word) || YAML11_FALSE.contains(word);
      problems.add(
          join(path, field),
          "expected true or false, got "
              + describe(node)
              + (yaml11
                  ? " (a boolean only in YAML 1.1: write " + YAML11_TRUE.contains(word) + ")"
                  : ""));
      return fallback;
    }
    return node.booleanValue();
  }

  static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isTextual()) {
      return "text '" + node.textValue() + "'";
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "a list";
    }
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + node;
  }
}
