package org.lbctl.core.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real rsyslogd in the foreground receiving syslog over TLS (imtcp with the gtls driver) on a
 * loopback port, writing what it receives, one message per line with its structured parts, to
 * {@code received.log}.
 */
public final class Rsyslog implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final Process process;

  private Rsyslog(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Listens on {@code port} with {@code cert}/{@code key}, a server certificate for 127.0.0.1. */
  public static Rsyslog start(Path dir, int port, Path ca, Path cert, Path key) throws IOException {
    Files.createDirectories(dir.resolve("work"));
    Path conf = dir.resolve("rsyslog.conf");
    Files.writeString(
        conf,
        """
        global(workDirectory="%1$s/work"
               DefaultNetstreamDriver="gtls"
               DefaultNetstreamDriverCAFile="%2$s"
               DefaultNetstreamDriverCertFile="%3$s"
               DefaultNetstreamDriverKeyFile="%4$s")
        module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1"
               StreamDriver.AuthMode="anon")
        input(type="imtcp" address="127.0.0.1" port="%5$d")
        template(name="line" type="string"
                 string="%%syslogfacility-text%%.%%syslogseverity-text%% %%hostname%% %%app-name%% %%msgid%% %%msg%%\\n")
        *.* action(type="omfile" file="%1$s/received.log" template="line")
        """
            .formatted(dir, ca, cert, key, port));
    Process p =
        new ProcessBuilder(
                "rsyslogd", "-n", "-f", conf.toString(), "-i", dir.resolve("pid").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("rsyslogd.out").toFile())
            .start();
    Rsyslog r = new Rsyslog(dir, port, p);
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new IllegalStateException(
                      "rsyslogd exited: " + Files.readString(dir.resolve("rsyslogd.out")));
                }
                try (Socket s = new Socket("127.0.0.1", port)) {
                  return s.isConnected();
                }
              });
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  public int port() {
    return port;
  }

  /** The lines received so far. */
  public List<String> received() throws IOException {
    Path f = dir.resolve("received.log");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
