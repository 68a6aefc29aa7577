package org.lbctl.cluster.members;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.crypto.SecretKey;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.lbctl.persistence.PairCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership in a cluster of named members: one JGroups channel on the pair port with
 * the pair's stack (UDP without multicast, every datagram sealed with the secret), discovering the
 * members by their configured addresses. It reports every view as the names the members gave
 * themselves: a node with the secret could claim any name, so whoever counts a view keeps only the
 * configured names, once each (GroupOwnership does). What a view means (quorum, which groups move)
 * is the placement's job, not this one's.
 */
public final class ClusterMembership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
  static final String CLUSTER = "lbctl-cluster";
  // VERIFY_SUSPECT2's wait before the view leaves a suspected member out (the pair waits 100 ms).
  static final long VERIFY_MILLIS = 30;

  /** A member as the configuration names it: its name and its address and port. */
  public record Member(String name, InetSocketAddress address) {}

  /** The members in one view, by name; {@code merge}: a partition healed. */
  public record View(List<String> members, boolean merge) {
    public View {
      members = List.copyOf(members);
    }
  }

  private final JChannel channel;
  private final String self;
  private volatile View view;
  // Every member's channel address as its latest view had it: a word still reaches it out of one.
  private final java.util.Map<String, Address> known =
      new java.util.concurrent.ConcurrentHashMap<>();

  private ClusterMembership(JChannel channel, String self) {
    this.channel = channel;
    this.self = self;
  }

  /**
   * Joins (or founds) the cluster as {@code self}; returns once this node is in a view.
   *
   * @param onView called on a JGroups thread for every view; it must not block
   * @param onMessage called on a JGroups thread with the sender's name and what it sent
   * @throws IllegalArgumentException when the member list is not one this node can join: itself not
   *     in it, a name or an address listed twice
   */
  public static ClusterMembership join(
      String self,
      List<Member> members,
      SecretKey key,
      Consumer<View> onView,
      BiConsumer<String, byte[]> onMessage)
      throws Exception {
    Member me = check(self, members);
    JChannel channel =
        new JChannel(
            SealedStack.protocols(
                me.address(), members.stream().map(Member::address).toList(), key, VERIFY_MILLIS));
    channel.setName(self);
    channel.setDiscardOwnMessages(true);
    ClusterMembership m = new ClusterMembership(channel, self);
    channel.setReceiver(
        new Receiver() {
          @Override
          public void viewAccepted(org.jgroups.View v) {
            m.accept(v, onView);
          }

          @Override
          public void receive(Message msg) {
            onMessage.accept(String.valueOf(msg.getSrc()), msg.getArray());
          }
        });
    try {
      channel.connect(CLUSTER);
    } catch (Exception e) {
      channel.close();
      throw new Exception("cannot join the cluster on " + me.address() + ": " + e, e);
    }
    return m;
  }

  static Member check(String self, List<Member> members) {
    Set<String> names = new HashSet<>();
    java.util.Map<InetSocketAddress, String> addresses = new java.util.HashMap<>();
    Member me = null;
    for (Member m : members) {
      if (!m.name().matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
        throw new IllegalArgumentException(
            "member name '" + m.name() + "' is not a name (letters, digits, _ . -)");
      }
      if (!names.add(m.name())) {
        throw new IllegalArgumentException("member '" + m.name() + "' is listed twice");
      }
      String other = addresses.putIfAbsent(m.address(), m.name());
      if (other != null) {
        throw new IllegalArgumentException(
            "address "
                + m.address()
                + " is listed for two members ('"
                + other
                + "' and '"
                + m.name()
                + "')");
      }
      if (m.name().equals(self)) {
        me = m;
      }
    }
    if (me == null) {
      throw new IllegalArgumentException(
          "this node ('"
              + self
              + "') is not among the members "
              + members.stream().map(Member::name).toList());
    }
    return me;
  }

  private void accept(org.jgroups.View v, Consumer<View> onView) {
    v.getMembers().forEach(a -> known.put(a.toString(), a));
    View next =
        new View(v.getMembers().stream().map(Address::toString).toList(), v instanceof MergeView);
    View previous = view;
    view = next;
    if (previous == null || !previous.members().equals(next.members())) {
      log.info(
          "cluster: {} sees {} of its members: {}{}",
          self,
          next.members().size(),
          next.members(),
          next.merge() ? " (a partition healed)" : "");
    }
    onView.accept(next);
  }

  /**
   * Tells {@code suspected}, on a JGroups thread, of each member the failure detectors suspect, as
   * soon as they do: before the suspicion is verified and before the view leaves it out.
   */
  public void onSuspect(Consumer<String> suspected) {
    SuspectTap tap = channel.getProtocolStack().findProtocol(SuspectTap.class);
    if (tap != null) {
      tap.listen(suspected);
    }
  }

  /**
   * The members changed: discovery asks {@code members} from now on, so a partition heals with a
   * member that joined after this node started.
   */
  public void discoverAt(List<Member> members) {
    org.jgroups.protocols.TCPPING ping =
        channel.getProtocolStack().findProtocol(org.jgroups.protocols.TCPPING.class);
    if (ping != null) {
      ping.setInitialHosts(members.stream().map(Member::address).toList());
    }
  }

  /** Sends to every other member of the view; reliable and in order. */
  public void send(byte[] payload) throws Exception {
    channel.send(new BytesMessage(null, payload));
  }

  /**
   * Sends to one member, also one the view has dropped: unicast, unreliable and out of band (the
   * pair's heartbeat path), so a member cut off from the view still hears that this one lives.
   * Nothing happens for a member this node has never seen in a view.
   */
  public void sendDirect(String member, byte[] payload) {
    Address to = known.get(member);
    if (to == null) {
      return;
    }
    try {
      channel.send(
          new BytesMessage(to, payload)
              .setFlag(Message.Flag.NO_RELIABILITY, Message.Flag.OOB, Message.Flag.DONT_BUNDLE));
    } catch (Exception e) {
      log.debug("cluster: cannot send to {}: {}", member, e.getMessage());
    }
  }

  /** {@link #send} for a caller that cannot throw: a failed send is an unchecked exception. */
  public java.util.function.Consumer<byte[]> broadcaster() {
    return bytes -> {
      try {
        send(bytes);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  /** The members of the latest view, this node included; empty before the first. */
  public List<String> members() {
    View v = view;
    return v == null ? List.of() : v.members();
  }

  /** The cipher's refusals on this channel: {forged or altered, replayed}. */
  public long[] refused() {
    PairCipher c = channel.getProtocolStack().findProtocol(PairCipher.class);
    return c == null ? new long[2] : new long[] {c.dropped(), c.replayed()};
  }

  @Override
  public void close() {
    channel.close();
  }
}
