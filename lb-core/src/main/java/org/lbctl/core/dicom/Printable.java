package org.lbctl.core.dicom;

/** Text a client sent, quoted for a log line: control and non-ASCII bytes as \xNN. */
final class Printable {
  private Printable() {}

  static String of(String raw) {
    StringBuilder out = new StringBuilder("'");
    for (char c : raw.toCharArray()) {
      if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
        out.append(c);
      } else {
        out.append(String.format("\\x%02x", (int) c & 0xff));
      }
    }
    return out.append('\'').toString();
  }
}
