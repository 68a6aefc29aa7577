package org.lbctl.cluster.groups;

import java.io.IOException;
import java.util.List;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.NftFence;
import org.lbctl.core.config.ClusterSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The fence a member runs behind: the kernel lease of its settings, or none (warned). */
final class Fences {
  private static final Logger log = LoggerFactory.getLogger(Fences.class);

  private Fences() {}

  /** Installed with every floating address silent; none when fencing is off. */
  static Fence of(ClusterSettings settings) throws IOException {
    if (!settings.fencing().enabled()) {
      log.warn(
          "cluster: running unfenced (cluster.fencing: off): a frozen member keeps answering for"
              + " its floating IPs until the others' announcements reach its neighbours");
      return Fence.NONE;
    }
    NftFence nft = new NftFence(settings.device(), settings.fencing().lease(), List.of());
    nft.install();
    return nft;
  }
}
