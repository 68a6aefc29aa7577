package org.lbctl.core.audit;

/**
 * What a client sent, made safe to log: capped in length before it is stored, and every character
 * that could end a line, move the cursor or reorder text on a terminal (control characters, line
 * and paragraph separators, bidirectional overrides) escaped as {@code \n}, {@code \r}, {@code \t}
 * or {@code \}{@code uXXXX}, so a log line is always one line and says only what it says.
 */
public final class LogText {
  /** A name (user, label): longer ones are not names anyway. */
  public static final int NAME = 64;

  /** A path, an action, a header. */
  public static final int FIELD = 256;

  /** A request body or an error message. */
  public static final int DETAIL = 2048;

  private LogText() {}

  /** {@code text} escaped and cut to at most {@code max} characters of the original. */
  public static String safe(String text, int max) {
    if (text == null) {
      return "null";
    }
    int keep = Math.min(text.length(), max);
    // Never cut a surrogate pair in two.
    if (keep > 0 && keep < text.length() && Character.isHighSurrogate(text.charAt(keep - 1))) {
      keep--;
    }
    StringBuilder b = new StringBuilder(keep + 16);
    for (int i = 0; i < keep; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\\' -> b.append("\\\\");
        default -> {
          if (unsafe(c)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    if (keep < text.length()) {
      b.append("…(").append(text.length()).append(" characters)");
    }
    return b.toString();
  }

  /** A name as the log shows it. */
  public static String name(String text) {
    return safe(text, NAME);
  }

  /** A path, an action or a header as the log shows it. */
  public static String field(String text) {
    return safe(text, FIELD);
  }

  /** A body or a message as the log shows it. */
  public static String detail(String text) {
    return safe(text, DETAIL);
  }

  private static boolean unsafe(char c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069')
        || c == '\u200e'
        || c == '\u200f'
        || c == '\u061c';
  }
}
