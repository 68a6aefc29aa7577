package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * How this node finds and trusts the other members of its cluster. Node-local: each node names
 * itself among the members; the member list is the same on every node.
 *
 * @param name this node's name among the members
 * @param members every member, this node included: its name and its cluster address (UDP 6694
 *     unless given); the stick table replicates on TCP 7778 at the same address
 * @param secretFile the cluster secret, the same on every member; authenticates and encrypts
 * @param device the interface that carries the floating IPs (YAML {@code interface})
 * @param fencing the kernel lease that silences this node when it cannot prove it is alive
 * @param pingTargets for two members: addresses of which one must answer before one of them acts
 *     without the other (a pair's rule); unused with three members or more
 * @param failback for two members without groups: whether their one implicit group goes back to the
 *     first member when it returns (a pair's {@code failback})
 */
public record ClusterSettings(
    String name,
    List<Member> members,
    Path secretFile,
    String device,
    Fencing fencing,
    List<String> pingTargets,
    boolean failback) {
  /** A member: its name and cluster address. */
  public record Member(String name, InetSocketAddress address) {
    public Member {
      requireNonNull(name, "name");
      requireNonNull(address, "address");
    }
  }

  public ClusterSettings {
    requireNonNull(name, "name");
    members = List.copyOf(members);
    requireNonNull(secretFile, "secretFile");
    requireNonNull(device, "device");
    requireNonNull(fencing, "fencing");
    pingTargets = List.copyOf(pingTargets);
  }

  /** Without failback of an implicit group. */
  public ClusterSettings(
      String name,
      List<Member> members,
      Path secretFile,
      String device,
      Fencing fencing,
      List<String> pingTargets) {
    this(name, members, secretFile, device, fencing, pingTargets, false);
  }

  /** Without ping targets: three members or more. */
  public ClusterSettings(
      String name, List<Member> members, Path secretFile, String device, Fencing fencing) {
    this(name, members, secretFile, device, fencing, List.of());
  }

  /** This node's own cluster address. */
  public InetSocketAddress bind() {
    return members.stream()
        .filter(m -> m.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("'" + name + "' is not a member"))
        .address();
  }

  public List<String> names() {
    return members.stream().map(Member::name).toList();
  }
}
