package org.lbctl.cluster.groups;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on a failure detector's suspicion before the view does: it asks the suspected member's host
 * and, when its process is gone, hands the controller a view without the member. That saves the
 * view's round trip through the coordinator (100-200 ms); a suspicion whose host still accepts
 * waits for the view, which may never come (a false suspicion).
 */
final class Suspicions {
  private static final Logger log = LoggerFactory.getLogger(Suspicions.class);

  private final String self;
  private final Departures departures;
  private final GroupWorker worker;
  private final Supplier<List<String>> live;
  private final BiConsumer<List<String>, String> view;

  /**
   * @param live the members in the view now, read on the worker
   * @param view applies a view on the worker, with the member whose process is known gone
   */
  Suspicions(
      String self,
      Departures departures,
      GroupWorker worker,
      Supplier<List<String>> live,
      BiConsumer<List<String>, String> view) {
    this.self = self;
    this.departures = departures;
    this.worker = worker;
    this.live = live;
    this.view = view;
  }

  /** {@code member} is suspected; from a JGroups thread. */
  void suspect(String member) {
    departures.ask(
        member,
        (m, gone) -> {
          if (gone) {
            worker.run(() -> countOut(m));
          }
        });
  }

  private void countOut(String member) {
    List<String> now = live.get();
    if (member.equals(self) || !now.contains(member)) {
      return;
    }
    log.info("groups: {} is suspected and its process is gone: out of the view", member);
    view.accept(now.stream().filter(n -> !n.equals(member)).toList(), member);
  }
}
