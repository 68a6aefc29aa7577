package org.lbctl.cluster.groups;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asks the hosts of members that left the view while heard whether their processes are gone. */
final class Departures implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Departures.class);

  private final CrashProbe probe;
  private final ExecutorService probes =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "lb-groups-probe");
            t.setDaemon(true);
            return t;
          });

  Departures(CrashProbe probe) {
    this.probe = probe;
  }

  /**
   * Asks off the caller's thread; {@code answer} gets the member and whether its process is gone.
   */
  void ask(String member, BiConsumer<String, Boolean> answer) {
    try {
      probes.execute(
          () -> {
            boolean gone;
            try {
              gone = probe.processGone(member);
            } catch (RuntimeException e) {
              gone = false;
            }
            answer.accept(member, gone);
          });
    } catch (RejectedExecutionException e) {
      log.debug("groups: closed; not probing {}", member);
    }
  }

  @Override
  public void close() {
    probes.shutdownNow();
  }
}
