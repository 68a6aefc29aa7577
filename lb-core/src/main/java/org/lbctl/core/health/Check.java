package org.lbctl.core.health;

import java.util.concurrent.CompletableFuture;

/**
 * One kind of health check. A check never blocks the caller: it completes its future on its own
 * threads, up or down, and gives up by itself at the target's timeout (the monitor enforces the
 * timeout as well, so a check that forgets cannot wedge a server's state).
 */
public interface Check {
  CompletableFuture<CheckResult> run(CheckTarget target);
}
