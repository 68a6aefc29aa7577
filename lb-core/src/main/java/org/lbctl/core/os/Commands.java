package org.lbctl.core.os;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a system command (ip, arping, nft) with a time limit and captures what it said. Callers run
 * it off the event loops: a command can take its whole time limit.
 */
public final class Commands {
  private static final int MAX_OUTPUT = 1024 * 1024;

  // Blocking work (reading a command's output, waiting for a ping) gets threads of its own:
  // the common ForkJoin pool has one worker on a 2-core machine, and nested blocking there
  // would leave one command waiting on another's reader.
  private static final ExecutorService BLOCKING =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "lb-command");
            t.setDaemon(true);
            return t;
          });

  private Commands() {}

  /** How a command ended: its exit code and its output (stdout and stderr together). */
  public record Result(List<String> argv, int exit, String output) {
    public boolean ok() {
      return exit == 0;
    }

    /** A line for the log: the command, its exit code and what it said. */
    public String describe() {
      return String.join(" ", argv) + " exited " + exit + ": " + output.strip();
    }
  }

  public static Result run(Duration timeout, List<String> argv) throws IOException {
    return run(timeout, argv, "");
  }

  /** Runs a command that reads {@code input} on its standard input (e.g. {@code ip -batch -}). */
  public static Result run(Duration timeout, List<String> argv, String input) throws IOException {
    return run(timeout, argv, input, MAX_OUTPUT);
  }

  /**
   * Runs a command whose whole output is needed and may be large (a listing of a kernel map);
   * output beyond {@code maxOutput} bytes fails the run rather than coming back cut.
   */
  public static Result runLarge(Duration timeout, List<String> argv, int maxOutput)
      throws IOException {
    Result r = run(timeout, argv, "", maxOutput + 1);
    if (r.output().length() > maxOutput) {
      throw new IOException(
          String.join(" ", argv) + " wrote more than " + maxOutput + " bytes; not read");
    }
    return r;
  }

  private static Result run(Duration timeout, List<String> argv, String input, int maxOutput)
      throws IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    // Read before writing: a command that answers every input line (ip -batch with errors) would
    // otherwise fill its output pipe and stop reading ours.
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(() -> readBounded(p.getInputStream(), maxOutput), BLOCKING);
    try (var stdin = p.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The command exited before reading: its exit code and output say why.
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        // A script's own children (a sleep, a hung echoscu) go with it, not on without it.
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new IOException(String.join(" ", argv) + " did not finish within " + timeout);
      }
      return new Result(List.copyOf(argv), p.exitValue(), output.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + String.join(" ", argv), e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("cannot read the output of " + String.join(" ", argv), e);
    }
  }

  /** Runs blocking work (commands, probes) on threads meant for it, never the common pool. */
  public static <T> CompletableFuture<T> async(java.util.function.Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, BLOCKING);
  }

  private static String readBounded(InputStream in, int maxOutput) {
    try (in) {
      byte[] bytes = in.readNBytes(maxOutput);
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(output unreadable: " + e.getMessage() + ")";
    }
  }
}
