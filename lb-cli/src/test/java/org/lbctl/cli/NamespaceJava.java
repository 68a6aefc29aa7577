package org.lbctl.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lbctl.core.testing.NamespaceLab;

/** Runs a class of these tests as its own JVM inside a lab namespace, output to a log file. */
final class NamespaceJava {
  private NamespaceJava() {}

  static Process start(NamespaceLab lab, String host, Path log, Class<?> main, String... args)
      throws IOException {
    List<String> argv = new ArrayList<>(lab.execPrefix(host));
    argv.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            main.getName()));
    argv.addAll(List.of(args));
    return new ProcessBuilder(argv)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }
}
