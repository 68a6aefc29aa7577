package org.lbctl.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A backup's passphrase: the first line of a file, or of standard input. */
final class Passphrase {
  private Passphrase() {}

  static char[] read(Path file) throws IOException {
    String line =
        file != null
            ? Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("")
            : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                .readLine();
    if (line == null || line.isEmpty()) {
      throw new CliFailure(
          (file != null ? file.toString() : "standard input") + " holds no passphrase");
    }
    return line.toCharArray();
  }
}
