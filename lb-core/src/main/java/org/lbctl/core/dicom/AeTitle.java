package org.lbctl.core.dicom;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.lbctl.core.audit.LogText;

/** DICOM application entity titles (PS3.5 VR AE): at most 16 characters, padded with spaces. */
public final class AeTitle {
  public static final int LENGTH = 16;

  private AeTitle() {}

  /** Why {@code title} cannot be an AE title, or empty when it can. */
  public static Optional<String> problem(String title) {
    if (title == null || title.isBlank()) {
      return Optional.of("an AE title must not be empty");
    }
    String shown = "'" + LogText.name(title) + "'";
    if (title.length() > LENGTH) {
      return Optional.of(
          shown + " is " + title.length() + " characters; an AE title has at most 16");
    }
    for (char c : title.toCharArray()) {
      if (c < 0x20 || c > 0x7e || c == '\\') {
        return Optional.of(
            shown + " holds a character an AE title cannot (printable ASCII, no backslash)");
      }
    }
    if (title.charAt(0) == ' ' || title.charAt(title.length() - 1) == ' ') {
      return Optional.of(
          shown + " starts or ends with a space, which DICOM ignores: it would never match");
    }
    return Optional.empty();
  }

  /** The 16 bytes on the wire: the title, then spaces. */
  public static byte[] wire(String title) {
    byte[] out = new byte[LENGTH];
    Arrays.fill(out, (byte) ' ');
    byte[] t = title.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(t, 0, out, 0, t.length);
    return out;
  }
}
