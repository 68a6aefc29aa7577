package org.lbctl.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.lbctl.core.testing.NamespaceLab;

/**
 * Long-lived TCP connections for failover tests, run as its own process inside a lab namespace.
 * {@code serve NAME PORT}: answers each line with "NAME line". {@code clients HOST PORT N SECONDS}:
 * opens N connections, prints "connected N" once all are up, then on each sends a line every 100 ms
 * and waits for its answer (10 s at most) until the time is up; at the end one line per connection:
 * {@code conn=I servers=rs1 exchanges=K failed=false max_gap_ms=G}.
 */
public final class EchoPeer {
  private EchoPeer() {}

  /** Starts {@code args} in {@code host}'s namespace, output to {@code log}. */
  static Process start(NamespaceLab lab, String host, Path log, String... args) throws IOException {
    return NamespaceJava.start(lab, host, log, EchoPeer.class, args);
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("serve")) {
      serve(args[1], Integer.parseInt(args[2]));
    } else {
      clients(
          args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    }
  }

  private static void serve(String name, int port) throws IOException {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(port));
      System.out.println("listening " + port);
      while (true) {
        Socket s = server.accept();
        start(
            () -> {
              try (s;
                  var in =
                      new BufferedReader(
                          new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                  var out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                  out.println(name + " " + line);
                }
              } catch (IOException e) {
                // The client went.
              }
            });
      }
    }
  }

  private static Thread start(Runnable r) {
    Thread t = new Thread(r);
    t.start();
    return t;
  }

  private static void clients(String host, int port, int n, int seconds) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    CountDownLatch connected = new CountDownLatch(n);
    String[] results = new String[n];
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int id = i;
      threads.add(
          start(
              () -> {
                java.util.Set<String> servers = new java.util.TreeSet<>();
                long exchanges = 0;
                long maxGap = 0;
                boolean failed = false;
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(host, port), 5000);
                  s.setSoTimeout(10_000);
                  var in =
                      new BufferedReader(
                          new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                  var out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                  connected.countDown();
                  while (System.nanoTime() < end) {
                    long t = System.nanoTime();
                    out.println(exchanges);
                    String answer = in.readLine();
                    if (answer == null || !answer.endsWith(" " + exchanges)) {
                      failed = true;
                      break;
                    }
                    servers.add(answer.substring(0, answer.indexOf(' ')));
                    exchanges++;
                    maxGap = Math.max(maxGap, (System.nanoTime() - t) / 1_000_000);
                    Thread.sleep(100);
                  }
                } catch (IOException | InterruptedException e) {
                  failed = true;
                  connected.countDown();
                }
                results[id] =
                    "conn=%d servers=%s exchanges=%d failed=%s max_gap_ms=%d"
                        .formatted(id, String.join(",", servers), exchanges, failed, maxGap);
              }));
    }
    connected.await();
    System.out.println("connected " + n);
    for (Thread t : threads) {
      t.join();
    }
    for (String r : results) {
      System.out.println(r);
    }
    System.out.println("done");
  }
}
