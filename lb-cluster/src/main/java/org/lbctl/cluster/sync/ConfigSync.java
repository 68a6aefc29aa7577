package org.lbctl.cluster.sync;

import java.io.IOException;
import java.util.Optional;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.proxy.ListenerChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the two nodes on one version of the replicated configuration. The node whose version is
 * current sends it whenever the peer reports an older one; the other validates it, runs it and
 * records it, and until then may not become active. Confined to the pair controller's thread, apart
 * from {@link #editRefusal()}, which any thread may read.
 */
public final class ConfigSync {
  private static final Logger log = LoggerFactory.getLogger(ConfigSync.class);

  /**
   * A version the peer still lacks after this long is sent again (the first may have been lost).
   */
  static final long RESEND_NANOS = 3_000_000_000L;

  /** How the controller reaches the peer. */
  public interface Sender {
    void send(byte[] message) throws Exception;
  }

  private final PairRole role;
  private final ConfigReplica replica;
  private final String peerAddress;
  private final Sender sender;

  private boolean peerPresent;
  private boolean promoted;
  private Optional<ConfigVersion> peerVersion = Optional.empty();
  private ConfigVersion lastSent;
  private long lastSentNanos;
  private ConfigVersion lastRefused;
  private volatile Optional<String> editRefusal;

  public ConfigSync(PairRole role, ConfigReplica replica, String peerAddress, Sender sender) {
    this.role = role;
    this.replica = replica;
    this.peerAddress = peerAddress;
    this.sender = sender;
    refresh();
  }

  public void peerPresent(boolean present) {
    if (!present) {
      peerVersion = Optional.empty();
      lastSent = null;
    }
    peerPresent = present;
    refresh();
  }

  /** The peer said which version it runs. */
  public void onPeerVersion(ConfigVersion version) {
    peerVersion = Optional.of(version);
    Standing s = SyncRules.compare(role, replica.version(), version);
    if (s == Standing.IN_SYNC && promoted) {
      promoted = false;
      log.warn(
          "pair: the primary runs configuration {} too; edits go to the primary again", version);
    }
    if (s == Standing.AHEAD) {
      sendIfDue();
    }
    refresh();
  }

  /** This node runs a new version (an edit was reloaded): the peer gets it now. */
  public void localChanged() {
    if (standing().orElse(Standing.IN_SYNC) == Standing.AHEAD) {
      sendIfDue();
    }
    refresh();
  }

  private void sendIfDue() {
    ConfigVersion mine = replica.version();
    if (mine.equals(lastSent) && System.nanoTime() - lastSentNanos < RESEND_NANOS) {
      return;
    }
    try {
      sender.send(new ConfigPush(mine, replica.document()).toBytes());
      lastSent = mine;
      lastSentNanos = System.nanoTime();
      log.info(
          "pair: sent configuration {} to the peer, which runs {}",
          mine,
          peerVersion.map(ConfigVersion::toString).orElse("an unknown version"));
    } catch (Exception e) {
      log.warn("pair: cannot send configuration {} to the peer: {}", mine, e.getMessage());
    }
  }

  /** A version from the peer: run it when it is newer than ours, otherwise ignore it. */
  public void onPush(ConfigPush push) {
    ConfigVersion mine = replica.version();
    if (SyncRules.compare(role, mine, push.version()) != Standing.BEHIND) {
      log.debug("pair: ignoring configuration {} from the peer; this node runs {}", push, mine);
      return;
    }
    if (mine.number() == push.version().number()) {
      log.error(
          "pair: configuration {} was edited on both nodes while they were apart; the primary's {}"
              + " wins and replaces this node's",
          mine,
          push.version());
    }
    try {
      ListenerChanges changes = replica.install(push.version(), push.document());
      if (mine.hash().equals(push.version().hash())) {
        log.info("pair: the peer numbered this node's configuration {}", push.version());
      } else {
        log.warn(
            "pair: now running configuration {} from the peer (was {}): listeners added {},"
                + " removed {}",
            push.version(),
            mine,
            changes.added(),
            changes.removed());
      }
      // The sender runs what it sent.
      peerVersion = Optional.of(push.version());
      lastRefused = null;
    } catch (ConfigException e) {
      if (!push.version().equals(lastRefused)) {
        log.error(
            "pair: configuration {} from the peer is refused here; this node stays on {} and"
                + " passive until the two agree (is the peer running another build?):\n{}",
            push.version(),
            mine,
            e.getMessage());
        lastRefused = push.version();
      }
    } catch (IOException e) {
      log.error(
          "pair: running configuration {} from the peer, but cannot record it on disk: {}; a"
              + " restart would start on the old file",
          push.version(),
          e.getMessage());
    }
    refresh();
  }

  /**
   * Lets a secondary accept edits while the primary is down. Ends by itself once the primary is
   * back and runs this node's version.
   *
   * @throws IllegalStateException when this node is the primary or the primary is in the pair
   */
  /**
   * @param peerGone the pair's heartbeats say the primary is gone, though the membership view may
   *     not show it yet
   */
  public void promote(boolean peerGone) {
    if (role == PairRole.PRIMARY) {
      throw new IllegalStateException("this node is the primary; it accepts edits already");
    }
    if (peerPresent && !peerGone) {
      throw new IllegalStateException(
          "the primary ("
              + peerAddress
              + ") is in the pair: edit the configuration there; promote only while it is down");
    }
    if (!promoted) {
      promoted = true;
      log.warn(
          "pair: secondary promoted by the operator: it accepts configuration edits until the"
              + " primary is back and has its version");
    }
    refresh();
  }

  public boolean promoted() {
    return promoted;
  }

  /** Against the peer's last reported version; empty when the peer is absent or silent. */
  public Optional<Standing> standing() {
    if (!peerPresent) {
      return Optional.empty();
    }
    return peerVersion.map(p -> SyncRules.compare(role, replica.version(), p));
  }

  /** This node must take the peer's version before it may become active. */
  public boolean behind() {
    return standing().orElse(Standing.IN_SYNC) == Standing.BEHIND;
  }

  public boolean peerBehind() {
    return standing().orElse(Standing.IN_SYNC) == Standing.AHEAD;
  }

  public Optional<ConfigVersion> peerVersion() {
    return peerPresent ? peerVersion : Optional.empty();
  }

  public Optional<String> editRefusal() {
    return editRefusal;
  }

  /** For the status: {@code in sync}, {@code sending v8 to the peer}, ... */
  public String describe() {
    if (!peerPresent) {
      return "no peer";
    }
    Optional<Standing> s = standing();
    if (s.isEmpty()) {
      return "waiting for the peer's version";
    }
    return switch (s.get()) {
      case IN_SYNC -> "in sync";
      case AHEAD -> "sending " + replica.version() + " to the peer";
      case BEHIND ->
          peerVersion.get().equals(lastRefused)
              ? "REFUSED the peer's " + lastRefused + " (see the log)"
              : "taking " + peerVersion.get() + " from the peer";
    };
  }

  private void refresh() {
    editRefusal =
        SyncRules.editRefusal(role, promoted, peerPresent, standing(), peerVersion(), peerAddress);
  }
}
