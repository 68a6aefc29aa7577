package org.lbctl.core.balancer;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

/** The first usable backend in configuration order takes everything (active/standby). */
final class FirstScheduler implements Scheduler {
  @Override
  public Backend select(List<Backend> backends, InetAddress client, Predicate<Backend> usable) {
    for (Backend b : backends) {
      if (usable.test(b)) {
        return b;
      }
    }
    return null;
  }
}
