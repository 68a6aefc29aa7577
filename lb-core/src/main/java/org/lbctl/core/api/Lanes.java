package org.lbctl.core.api;

import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;

/**
 * Where a management request runs, so that slow work holds up only work of its kind. Reads (GET,
 * HEAD) run on their listener's own worker: a status or a scrape never waits behind a change.
 * Changes run on their listener's change worker, one at a time across both (the API's change lock),
 * where a pairing may wait half a minute on its peer. Requests that need a password hash wait in
 * the {@link PasswordLane}.
 *
 * @param passwords {@code null} where callers have no passwords (the Unix socket)
 */
public record Lanes(ExecutorService reads, ExecutorService changes, PasswordLane passwords) {

  /** A request that changes nothing: it never takes the API's change lock. */
  public static boolean isRead(String method) {
    return method.equals("GET") || method.equals("HEAD");
  }

  /**
   * @throws java.util.concurrent.RejectedExecutionException when the chosen lane is full or closed
   */
  void execute(Front front, Incoming in, Runnable task) {
    OptionalInt rank = passwords == null ? OptionalInt.empty() : front.passwordRank(in);
    if (rank.isPresent()) {
      passwords.execute(rank.getAsInt(), task);
    } else if (isRead(in.method())) {
      reads.execute(task);
    } else {
      changes.execute(task);
    }
  }
}
