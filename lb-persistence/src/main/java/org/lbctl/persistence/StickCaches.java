package org.lbctl.persistence;

import java.util.concurrent.TimeUnit;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;

/**
 * The Infinispan caches of the stick table, over the node's own sealed channel: replicated to every
 * member, a joining node fetching the whole table before it starts, and both sides of a split
 * writable (a present entry wins over an absent one when they merge).
 */
final class StickCaches {
  private StickCaches() {}

  /** A cache manager, not started, for the stick table and the real-server digests. */
  static DefaultCacheManager manager(JChannel channel, String nodeName) {
    // Through a holder: a GlobalConfiguration handed to DefaultCacheManager is read again and loses
    // the channel, and Infinispan then opens its default UDP multicast stack instead (found by
    // the test with another secret, which joined).
    ConfigurationBuilderHolder holder = new ConfigurationBuilderHolder();
    GlobalConfigurationBuilder global = holder.getGlobalConfigurationBuilder();
    global
        .transport()
        .transport(new JGroupsTransport(channel))
        .clusterName("lbctl-stick")
        .nodeName(nodeName);
    global.jmx().disable();
    global.cacheContainer().statistics(false);
    ConfigurationBuilder cfg = holder.newConfigurationBuilder(ReplicatedStickTable.CACHE);
    cfg.clustering()
        .cacheMode(CacheMode.REPL_SYNC)
        .stateTransfer()
        .awaitInitialTransfer(true)
        .fetchInMemoryState(true)
        .timeout(60_000)
        .partitionHandling()
        .whenSplit(PartitionHandling.ALLOW_READ_WRITES)
        .mergePolicy(MergePolicy.PREFERRED_NON_NULL);
    cfg.expiration().wakeUpInterval(10, TimeUnit.SECONDS);
    holder.newConfigurationBuilder(ReplicatedStickTable.SERVERS_CACHE).read(cfg.build());
    return new DefaultCacheManager(holder, false);
  }
}
