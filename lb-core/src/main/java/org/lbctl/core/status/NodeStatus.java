package org.lbctl.core.status;

import java.util.List;

/**
 * What a node reports about itself.
 *
 * @param configVersion the version of the running replicated configuration (0: unnumbered)
 * @param configHash SHA-256 of the running replicated configuration in canonical form, so two nodes
 *     can be compared for drift
 * @param pair the pair, {@code null} unless this node is one of a pair
 * @param cluster the cluster, {@code null} unless this node is a member of one
 */
public record NodeStatus(
    String node,
    String version,
    String transport,
    String startedAt,
    String configSource,
    long configVersion,
    String configHash,
    String configLoadedAt,
    PairStatus pair,
    ClusterStatus cluster,
    StickSummary stickTable,
    List<ServiceStatus> virtualServices) {}
