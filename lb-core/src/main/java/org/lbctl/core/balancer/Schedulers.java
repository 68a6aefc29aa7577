package org.lbctl.core.balancer;

import org.lbctl.core.config.SchedulerKind;

/** Creates the scheduler for a balance mode. */
public final class Schedulers {
  private Schedulers() {}

  public static Scheduler create(SchedulerKind kind) {
    return switch (kind) {
      case WEIGHTED_LEAST_CONNECTION -> new LeastConnectionScheduler();
      case WEIGHTED_ROUND_ROBIN -> new RoundRobinScheduler();
      case FIRST -> new FirstScheduler();
      case SOURCE_HASH -> new SourceHashScheduler();
    };
  }
}
