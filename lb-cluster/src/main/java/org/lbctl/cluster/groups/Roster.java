package org.lbctl.cluster.groups;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.lbctl.cluster.members.ClusterMembership;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.ReplicatedConfig;

/**
 * The members a node counts and where each one is: the configuration's list once it has one
 * (members joined or left since), else the node file's.
 *
 * @param self this node's name
 */
public record Roster(String self, List<ClusterSettings.Member> members) {
  public Roster {
    members = List.copyOf(members);
  }

  public static Roster of(ClusterSettings settings, ReplicatedConfig config) {
    return new Roster(
        settings.name(), config.members().isEmpty() ? settings.members() : config.members());
  }

  public List<String> names() {
    return members.stream().map(ClusterSettings.Member::name).toList();
  }

  /** Whether this node is among the members (a list without it means it left). */
  public boolean listsSelf() {
    return address(self).isPresent();
  }

  /**
   * @throws IOException when this node is not among the members: it left the cluster or was
   *     removed, and must not start as a member
   */
  public void requireSelf() throws IOException {
    if (!listsSelf()) {
      throw new IOException(
          "this node ('"
              + self
              + "') is not among the members the configuration names "
              + names()
              + ": it left the cluster or was removed; remove its cluster section (or "
              + org.lbctl.core.config.ClusterFile.FILE_NAME
              + ") to run it alone, or join it again with `lbctl cluster join`");
    }
  }

  public Optional<InetSocketAddress> address(String member) {
    return members.stream()
        .filter(m -> m.name().equals(member))
        .map(ClusterSettings.Member::address)
        .findFirst();
  }

  /**
   * @throws IllegalStateException when this node is not listed
   */
  public InetSocketAddress selfAddress() {
    return address(self)
        .orElseThrow(() -> new IllegalStateException("'" + self + "' is not a member"));
  }

  /** The other members' hosts: the guard lets their datagrams in. */
  List<InetAddress> otherHosts() {
    return members.stream()
        .filter(m -> !m.name().equals(self))
        .map(m -> m.address().getAddress())
        .toList();
  }

  List<ClusterMembership.Member> forMembership() {
    return members.stream().map(m -> new ClusterMembership.Member(m.name(), m.address())).toList();
  }
}
