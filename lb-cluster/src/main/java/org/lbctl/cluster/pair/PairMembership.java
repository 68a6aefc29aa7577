package org.lbctl.cluster.pair;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import javax.crypto.SecretKey;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.lbctl.core.config.PairSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership in the pair: one JGroups channel on the pair port, named after the node's
 * role. It reports every change of membership as a {@link PairView}; deciding what a change means
 * (who is active) is the role's job, not this one's.
 */
public final class PairMembership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PairMembership.class);
  static final String CLUSTER = "lbctl-pair";

  private final JChannel channel;
  private final String name;
  private volatile PairView view;
  // The peer's address in the last view that held it: heartbeats go there even after a view drops
  // it, so a stale suspicion (a short blip) is answered by the peer's own voice.
  private volatile Address peer;

  private PairMembership(JChannel channel, String name) {
    this.channel = channel;
    this.name = name;
  }

  /**
   * Joins (or founds) the pair. Returns once this node is in a view, alone or with its peer.
   *
   * @param onView called on a JGroups thread for every view; it must not block
   */
  public static PairMembership join(PairSettings pair, SecretKey key, Consumer<PairView> onView)
      throws Exception {
    return join(pair, key, onView, bytes -> {});
  }

  /**
   * Joins the pair and delivers what the peer sends.
   *
   * @param onMessage called on a JGroups thread with each message from the peer
   */
  public static PairMembership join(
      PairSettings pair, SecretKey key, Consumer<PairView> onView, Consumer<byte[]> onMessage)
      throws Exception {
    String name = pair.role().configName();
    JChannel channel = new JChannel(PairStack.protocols(pair, key));
    channel.setName(name);
    channel.setDiscardOwnMessages(true);
    PairMembership m = new PairMembership(channel, name);
    channel.setReceiver(
        new Receiver() {
          @Override
          public void viewAccepted(View v) {
            m.accept(v, onView);
          }

          @Override
          public void receive(Message msg) {
            onMessage.accept(msg.getArray());
          }
        });
    try {
      channel.connect(CLUSTER);
    } catch (Exception e) {
      channel.close();
      throw new Exception(
          "cannot join the pair on " + pair.bind() + " (peer " + pair.peer() + "): " + e, e);
    }
    return m;
  }

  private void accept(View v, Consumer<PairView> onView) {
    for (Address a : v.getMembers()) {
      if (!a.equals(channel.getAddress())) {
        peer = a;
      }
    }
    List<String> members = v.getMembers().stream().map(Address::toString).toList();
    boolean peerPresent = members.size() > 1;
    boolean merge = v instanceof MergeView;
    PairView previous = view;
    PairView next = new PairView(members, peerPresent, merge, Instant.now());
    view = next;
    if (previous == null) {
      log.info("pair: {} joined, members {}", name, members);
    } else if (previous.peerPresent() && !peerPresent) {
      log.warn("pair: lost the peer, {} is alone (view {})", name, members);
    } else if (!previous.peerPresent() && peerPresent) {
      log.info("pair: peer {} (view {})", merge ? "is back after a partition" : "joined", members);
    }
    onView.accept(next);
  }

  /** Sends to the peer (to every other member); reliable and in order. */
  public void send(byte[] payload) throws Exception {
    channel.send(new BytesMessage(null, payload));
  }

  /**
   * Sends a heartbeat to the peer: unicast, unreliable and out of band, so it bypasses the
   * retransmission and membership layers (a late heartbeat is worth nothing, a repeated one comes
   * 100 ms later) and reaches a peer that the view has dropped. Nothing happens before the peer was
   * first seen in a view.
   */
  public void sendHeartbeat(byte[] payload) throws Exception {
    Address to = peer;
    if (to == null) {
      return;
    }
    channel.send(
        new BytesMessage(to, payload)
            .setFlag(Message.Flag.NO_RELIABILITY, Message.Flag.OOB, Message.Flag.DONT_BUNDLE));
  }

  /** The pair cipher's refusals on this channel: {forged or altered, replayed}. */
  public long[] refused() {
    org.lbctl.persistence.PairCipher c =
        channel.getProtocolStack().findProtocol(org.lbctl.persistence.PairCipher.class);
    return c == null ? new long[2] : new long[] {c.dropped(), c.replayed()};
  }

  public PairView view() {
    return view;
  }

  public String name() {
    return name;
  }

  @Override
  public void close() {
    channel.close();
  }
}
