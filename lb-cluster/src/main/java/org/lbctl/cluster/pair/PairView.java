package org.lbctl.cluster.pair;

import java.time.Instant;
import java.util.List;

/**
 * What this node knows of the pair after a membership change.
 *
 * @param members logical names, coordinator first
 * @param merge the view healed a partition: both halves may have acted alone meanwhile
 */
public record PairView(List<String> members, boolean peerPresent, boolean merge, Instant at) {
  public PairView {
    members = List.copyOf(members);
  }
}
