package org.lbctl.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.lbctl.core.testing.NamespaceLab;

/** The packaged jar run as a node inside a lab namespace, its output appended to a log file. */
final class JarNode {
  static final Path JAR = Path.of("target", "lbctl.jar").toAbsolutePath();

  private JarNode() {}

  static Process start(NamespaceLab lab, String host, Path nodeFile, Path log) throws IOException {
    return new ProcessBuilder(
            "ip",
            "netns",
            "exec",
            lab.ns(host),
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            JAR.toString(),
            "run",
            "--node",
            nodeFile.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }
}
