package org.lbctl.core.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A dcmtk DICOM server on loopback (Debian package dcmtk): {@code dcmqrscp} with one AE title,
 * which answers C-ECHO and rejects other called AE titles, or {@code storescp} with options.
 */
public final class Dcmtk implements AutoCloseable {
  private final Process process;
  private final int port;

  private Dcmtk(List<String> argv, int port, Path log) throws IOException {
    this.port = port;
    this.process =
        new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(argv + " ended: " + Files.readString(log));
              }
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
              }
            });
  }

  /** dcmqrscp answering as {@code aeTitle} only, with its database under {@code dir}. */
  public static Dcmtk qrscp(Path dir, String aeTitle) throws IOException {
    int port = Ports.free();
    Path db = Files.createDirectories(dir.resolve("db-" + port));
    Path cfg = dir.resolve("dcmqrscp-" + port + ".cfg");
    Files.writeString(
        cfg,
        """
        NetworkTCPPort  = %d
        MaxPDUSize      = 16384
        MaxAssociations = 64

        HostTable BEGIN
        HostTable END

        VendorTable BEGIN
        VendorTable END

        AETable BEGIN
        %s   %s   RW (9, 1024mb)   ANY
        AETable END
        """
            .formatted(port, aeTitle, db));
    return new Dcmtk(
        List.of("dcmqrscp", "-c", cfg.toString()), port, dir.resolve("dcmqrscp-" + port + ".log"));
  }

  /** storescp with {@code options} (e.g. {@code --refuse}). */
  public static Dcmtk storescp(Path dir, String... options) throws IOException {
    int port = Ports.free();
    List<String> argv = new ArrayList<>(List.of("storescp", "-od", dir.toString()));
    argv.addAll(List.of(options));
    argv.add(Integer.toString(port));
    return new Dcmtk(argv, port, dir.resolve("storescp-" + port + ".log"));
  }

  public int port() {
    return port;
  }

  /** What a dcmtk client printed and how it ended. */
  public record Run(int exit, String output) {}

  /** Runs a dcmtk client ({@code echoscu}, {@code storescu}) to its end, at most 30 s. */
  public static Run client(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(List.of(argv) + " did not end within 30 s");
    }
    return new Run(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** A Secondary Capture object made with dump2dcm under {@code dir}, tagged in its patient ID. */
  public static Path study(Path dir, String tag) throws IOException, InterruptedException {
    Path dump = dir.resolve(tag + ".dump");
    int n = Math.abs(tag.hashCode());
    Files.writeString(
        dump,
        """
        (0008,0016) UI =SecondaryCaptureImageStorage
        (0008,0018) UI [2.25.%1$d1]
        (0008,0060) CS [OT]
        (0010,0010) PN [%2$s^Patient]
        (0010,0020) LO [%2$s]
        (0020,000d) UI [2.25.%1$d2]
        (0020,000e) UI [2.25.%1$d3]
        """
            .formatted(n, tag));
    Path dcm = dir.resolve(tag + ".dcm");
    Run made = client("dump2dcm", dump.toString(), dcm.toString());
    if (made.exit() != 0) {
      throw new IOException("dump2dcm: " + made.output());
    }
    return dcm;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
