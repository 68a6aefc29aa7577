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
 * {@code conn=I servers=rs1 exchanges=K failed=false max_gap_ms=G}. {@code ticks NAME PORT} and
 * {@code listen HOST PORT N SECONDS} are the same with the server speaking: it sends "NAME tick K"
 * every 100 ms, the clients only read (their report counts {@code exchanges} as ticks read).
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
    } else if (args[0].equals("ticks")) {
      ticks(args[1], Integer.parseInt(args[2]));
    } else if (args[0].equals("listen")) {
      listeners(
          args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    } else {
      clients(
          args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    }
  }

  private interface Conversation {
    void run(Socket s) throws IOException, InterruptedException;
  }

  /** Each connection accepted on {@code port} has {@code conversation} in a thread of its own. */
  private static void accept(int port, Conversation conversation) throws IOException {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(port));
      System.out.println("listening " + port);
      while (true) {
        Socket s = server.accept();
        start(
            () -> {
              try (s) {
                conversation.run(s);
              } catch (IOException | InterruptedException e) {
                // The client went.
              }
            });
      }
    }
  }

  private static void serve(String name, int port) throws IOException {
    accept(
        port,
        s -> {
          var in =
              new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
          var out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
          String line;
          while ((line = in.readLine()) != null) {
            out.println(name + " " + line);
          }
        });
  }

  private static void ticks(String name, int port) throws IOException {
    accept(
        port,
        s -> {
          var out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
          for (long k = 0; !out.checkError(); k++) {
            out.println(name + " tick " + k);
            Thread.sleep(100);
          }
        });
  }

  private static Thread start(Runnable r) {
    Thread t = new Thread(r);
    t.start();
    return t;
  }

  /** One connection's talk until {@code end}: one exchange (or tick read) per step. */
  private interface Talk {
    /**
     * @return the name of the server that answered, or null when the connection failed
     */
    String step(BufferedReader in, PrintWriter out, long exchange) throws IOException;
  }

  /** Requests, each answered: a line every 100 ms. */
  private static String exchange(BufferedReader in, PrintWriter out, long k) throws IOException {
    out.println(k);
    String answer = in.readLine();
    return answer == null || !answer.endsWith(" " + k) ? null : answer.split(" ")[0];
  }

  /** Only reading: the server speaks. */
  private static String tick(BufferedReader in, PrintWriter out, long k) throws IOException {
    String line = in.readLine();
    return line == null || !line.contains(" tick ") ? null : line.split(" ")[0];
  }

  private static void clients(String host, int port, int n, int seconds) throws Exception {
    connections(host, port, n, seconds, EchoPeer::exchange, 100);
  }

  private static void listeners(String host, int port, int n, int seconds) throws Exception {
    connections(host, port, n, seconds, EchoPeer::tick, 0);
  }

  /** N connections that talk for {@code seconds}, {@code pauseMs} between steps; their reports. */
  private static void connections(
      String host, int port, int n, int seconds, Talk talk, long pauseMs) throws Exception {
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
                    String server = talk.step(in, out, exchanges);
                    if (server == null) {
                      failed = true;
                      break;
                    }
                    servers.add(server);
                    exchanges++;
                    maxGap = Math.max(maxGap, (System.nanoTime() - t) / 1_000_000);
                    Thread.sleep(pauseMs);
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
