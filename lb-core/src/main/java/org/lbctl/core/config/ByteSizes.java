package org.lbctl.core.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as an operator writes them: {@code 1048576}, {@code 512KiB}, {@code 100MiB}, {@code 2GiB}.
 */
final class ByteSizes {
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})\\s*(|B|KiB|MiB|GiB)");

  private ByteSizes() {}

  /** The bytes {@code text} names, or -1 when it is not a size. */
  static long parse(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      return -1;
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "KiB" -> 10;
          case "MiB" -> 20;
          case "GiB" -> 30;
          default -> 0;
        };
    return n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
  }

  /** The shortest exact way to write {@code bytes}. */
  static String format(long bytes) {
    for (String unit : new String[] {"GiB", "MiB", "KiB"}) {
      int shift =
          switch (unit) {
            case "GiB" -> 30;
            case "MiB" -> 20;
            default -> 10;
          };
      if (bytes != 0 && bytes % (1L << shift) == 0) {
        return (bytes >> shift) + unit;
      }
    }
    return Long.toString(bytes);
  }
}
