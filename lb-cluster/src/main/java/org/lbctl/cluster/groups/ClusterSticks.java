package org.lbctl.cluster.groups;

import java.io.IOException;
import java.net.InetSocketAddress;
import javax.crypto.SecretKey;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.l4.L4DataPlane;
import org.lbctl.core.persistence.InMemoryStickTable;
import org.lbctl.core.persistence.SwitchableStickTable;
import org.lbctl.persistence.ReplicatedStickTable;
import org.lbctl.persistence.StickStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stick table replicated with every member (TCP 7778 at each member's address), which the data
 * plane and the kernel's layer 4 rules route through: every member holds every entry, so the one
 * that takes a group over finds its clients' entries in its own memory.
 */
final class ClusterSticks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterSticks.class);

  private final ReplicatedStickTable table;
  private final SwitchableStickTable switchable;
  private final L4DataPlane kernel;

  private ClusterSticks(
      ReplicatedStickTable table, SwitchableStickTable switchable, L4DataPlane kernel) {
    this.table = table;
    this.switchable = switchable;
    this.kernel = kernel;
  }

  /** Joins the members' table and returns once this node holds all of it, routing through it. */
  static ClusterSticks start(
      String name,
      InetSocketAddress self,
      java.util.List<ClusterSettings.Member> members,
      SecretKey key,
      SwitchableStickTable switchable,
      L4DataPlane kernel,
      Runnable announce)
      throws IOException {
    long start = System.nanoTime();
    InetSocketAddress bind = stickAddress(self);
    ReplicatedStickTable table;
    try {
      table = ReplicatedStickTable.start(bind, others(members, bind), key, name);
    } catch (Exception e) {
      throw new IOException("cannot start the replicated stick table: " + e.getMessage(), e);
    }
    switchable.switchTo(table);
    kernel.replicateTo(table);
    announce.run();
    log.info(
        "stick table: {} entries after {} ms, replicated with the cluster over TCP {}",
        table.size(),
        (System.nanoTime() - start) / 1_000_000,
        StickStack.DEFAULT_PORT);
    return new ClusterSticks(table, switchable, kernel);
  }

  /** The members changed: the table looks for {@code members} when it merges again. */
  void discoverAt(java.util.List<ClusterSettings.Member> members, InetSocketAddress self) {
    table.discoverAt(others(members, stickAddress(self)));
  }

  private static java.util.List<InetSocketAddress> others(
      java.util.List<ClusterSettings.Member> members, InetSocketAddress bind) {
    return members.stream()
        .map(m -> stickAddress(m.address()))
        .filter(a -> !a.equals(bind))
        .toList();
  }

  private static InetSocketAddress stickAddress(InetSocketAddress member) {
    return new InetSocketAddress(member.getAddress(), StickStack.DEFAULT_PORT);
  }

  ReplicatedStickTable table() {
    return table;
  }

  /** Back to a table of this node alone, keeping the live entries. */
  @Override
  public void close() {
    if (switchable.current() == table) {
      kernel.replicateTo(null);
      switchable.switchTo(new InMemoryStickTable());
    }
    table.close();
  }
}
