package org.lbctl.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.floating.NftFence;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.Fencing;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.NodeConfigLoader;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.l4.L4Ruleset;
import org.lbctl.core.l4.NftTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "cleanup",
    description = {
      "Remove this node's floating IPs from its interface, then its layer 4 rules (the nftables",
      "tables lbctl_l4), its fence (lbctl_fence) and its pair guard (lbctl_pair_guard). A node",
      "that dies (kill -9, crash) leaves them",
      "all: its addresses stay configured, silent once the fence's lease has lapsed, and its",
      "kernel would go on forwarding what still reaches it; the systemd unit runs this as",
      "ExecStopPost."
    })
final class CleanupCommand implements Callable<Integer> {
  @Option(names = "--node", paramLabel = "FILE", required = true, description = "Node file.")
  Path nodeFile;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    NodeConfig node;
    List<FloatingIp> ips;
    try {
      node =
          org.lbctl.core.config.ClusterFile.attach(
              PairFile.attach(NodeConfigLoader.load(nodeFile)));
      ips = ConfigLoader.load(node.configFile().orElseThrow()).allFloatingIps();
    } catch (ConfigException e) {
      throw new CliFailure(nodeFile + ": " + e.getMessage());
    }
    String device =
        node.pair()
            .map(PairSettings::device)
            .or(() -> node.cluster().map(c -> c.device()))
            .orElse(PairSettings.DEFAULT_DEVICE);
    try (FloatingIpOwner owner = new FloatingIpOwner(device, List.of())) {
      owner.release(ips);
    }
    // The addresses first: a fence removed while they were still there would let them answer.
    NftTable.remove("inet", L4Ruleset.TABLE);
    NftTable.remove("netdev", L4Ruleset.TABLE);
    new NftFence(device, Fencing.DEFAULT_LEASE, List.of()).close();
    NftTable.remove("inet", org.lbctl.cluster.pair.PairGuard.TABLE);
    spec.commandLine().getOut().printf("removed %s from %s where present%n", ips, device);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
