package org.lbctl.core.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real nginx as a foreground process with its own prefix directory: on a loopback port, or inside
 * a lab host. Each instance answers {@code /} with its name, so tests can tell backends apart, and
 * logs the client address of every request.
 */
public final class Nginx implements AutoCloseable {
  private final String name;
  private final int port;
  private final Path dir;
  private final Process process;

  private Nginx(String name, int port, Path dir, Process process) {
    this.name = name;
    this.port = port;
    this.dir = dir;
    this.process = process;
  }

  /** An nginx on 127.0.0.1 and a free port. */
  public static Nginx start(String name, Path parent) throws IOException {
    int port = Ports.free();
    return start(
        name,
        parent,
        List.of(),
        "127.0.0.1:" + port,
        port,
        () -> {
          try (Socket s = new Socket("127.0.0.1", port)) {
            return s.isConnected();
          }
        });
  }

  /**
   * An nginx run under {@code execPrefix} (e.g. a lab host's {@code ip netns exec NS}).
   *
   * @param listen nginx's listen directive, e.g. {@code 8080}
   * @param ready true once it answers, as seen by the test
   */
  public static Nginx start(
      String name,
      Path parent,
      List<String> execPrefix,
      String listen,
      int port,
      Callable<Boolean> ready)
      throws IOException {
    return launch(
        name,
        parent,
        execPrefix,
        "listen %s;\n    location / { return 200 \"%s\\n\"; }".formatted(listen, name),
        port,
        ready);
  }

  /**
   * An nginx on loopback whose server block is {@code server} (listen, TLS, locations), ready once
   * {@code port} accepts connections.
   */
  public static Nginx withServer(String name, Path parent, String server, int port)
      throws IOException {
    return launch(
        name,
        parent,
        List.of(),
        server,
        port,
        () -> {
          try (Socket s = new Socket("127.0.0.1", port)) {
            return s.isConnected();
          }
        });
  }

  /** An nginx under {@code execPrefix} (a lab host) whose server block is {@code server}. */
  public static Nginx withServer(
      String name,
      Path parent,
      List<String> execPrefix,
      String server,
      int port,
      Callable<Boolean> ready)
      throws IOException {
    return launch(name, parent, execPrefix, server, port, ready);
  }

  private static Nginx launch(
      String name,
      Path parent,
      List<String> execPrefix,
      String server,
      int port,
      Callable<Boolean> ready)
      throws IOException {
    Path dir = Files.createDirectories(parent.resolve("nginx-" + name));
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(
        conf,
        """
        daemon off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 1024; }
        http {
          log_format client '$remote_addr $request';
          access_log %1$s/access.log client;
          client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s;
          uwsgi_temp_path %1$s; scgi_temp_path %1$s;
          server {
            %2$s
          }
        }
        """
            .formatted(dir, server));
    List<String> cmd = new ArrayList<>(execPrefix);
    cmd.addAll(List.of("nginx", "-c", conf.toString(), "-p", dir.toString()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    Nginx nginx = new Nginx(name, port, dir, p);
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new IllegalStateException(
                      "nginx exited: " + Files.readString(dir.resolve("stdout.log")));
                }
                return ready.call();
              });
    } catch (RuntimeException e) {
      nginx.close();
      throw e;
    }
    return nginx;
  }

  public int port() {
    return port;
  }

  public String name() {
    return name;
  }

  public String accessLog() throws IOException {
    Path log = dir.resolve("access.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** The client address of the last request in the access log, or "" before any. */
  public String lastClient() throws IOException {
    String log = accessLog().strip();
    if (log.isEmpty()) {
      return "";
    }
    String[] lines = log.split("\n");
    return lines[lines.length - 1].split(" ")[0];
  }

  /** SIGTERM: nginx's master stops its workers (SIGKILL would orphan them). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
