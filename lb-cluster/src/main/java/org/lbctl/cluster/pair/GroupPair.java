package org.lbctl.cluster.pair;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.cluster.groups.ClusterParts;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.members.ProcessProbe;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.status.ClusterStatus;
import org.lbctl.core.status.PairStatus;
import org.lbctl.persistence.ReplicatedStickTable;
import org.lbctl.persistence.StickStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pair: the two-member case of the cluster's group code. Its members are named by their roles,
 * and one implicit group, {@code all}, carries every floating address, preferring the primary (see
 * {@code ImplicitGroup}). This class adds what a pair promises on top: its roles and states in the
 * status, the operator's failover (a handover of the group), who may edit (the primary, or a
 * promoted secondary), and breaking the pair.
 */
public final class GroupPair {
  private static final Logger log = LoggerFactory.getLogger(GroupPair.class);

  private final PairSettings settings;
  private final ConfigInstaller installer;
  private final TermStore terms;
  private final PairEdits edits;
  private final PairReport report;
  // Notified on every change of state: a primary just paired waits for ACTIVE.
  private final Object stateChange = new Object();
  private final BiConsumer<String, String> onRoleChange;
  private volatile ClusterParts parts;
  private volatile PairState state = PairState.PASSIVE;
  private volatile Instant since = Instant.now();
  private volatile String reason = "the pair started";
  private volatile long activeTerm;
  private volatile boolean handingOver;

  private GroupPair(
      PairSettings settings,
      ConfigInstaller installer,
      Optional<Path> termFile,
      BiConsumer<String, String> onRoleChange) {
    this.settings = settings;
    this.installer = installer;
    this.terms = new TermStore(termFile);
    this.edits = new PairEdits(settings.role(), settings.peer().getAddress().getHostAddress());
    this.onRoleChange = onRoleChange;
    this.report = new PairReport(settings, installer, edits, peerName());
  }

  /**
   * Starts this node's part of the pair {@code settings} name.
   *
   * @param termFile where the activation term lives across restarts
   * @param onRoleChange told of every change of state, with why (alerts)
   * @param onBreak called, on a thread of its own, when the peer breaks the pair
   */
  public static GroupPair start(
      PairSettings settings,
      ConfigInstaller installer,
      DataPlane plane,
      Optional<Path> termFile,
      BiConsumer<String, String> onRoleChange,
      Runnable onBreak)
      throws IOException {
    GroupPair pair = new GroupPair(settings, installer, termFile, onRoleChange);
    pair.parts =
        ClusterParts.start(
            members(settings),
            installer::runningConfig,
            installer,
            plane,
            () -> {},
            new org.lbctl.cluster.groups.TwoNodeHooks(pair::changed, onBreak));
    return pair;
  }

  /** The pair as two members named by their roles, the primary first. */
  static ClusterSettings members(PairSettings p) {
    boolean primary = p.role() == PairRole.PRIMARY;
    ClusterSettings.Member first =
        new ClusterSettings.Member(PairRole.PRIMARY.configName(), primary ? p.bind() : p.peer());
    ClusterSettings.Member second =
        new ClusterSettings.Member(PairRole.SECONDARY.configName(), primary ? p.peer() : p.bind());
    return new ClusterSettings(
        p.role().configName(),
        List.of(first, second),
        p.secretFile(),
        p.device(),
        p.fencing(),
        p.pingTargets(),
        p.failback());
  }

  private String peerName() {
    return (settings.role() == PairRole.PRIMARY ? PairRole.SECONDARY : PairRole.PRIMARY)
        .configName();
  }

  /** A group taken or released here, on the group controller's thread. */
  private void changed(Set<String> held, String group, boolean taken, String why) {
    PairState next = held.isEmpty() ? PairState.PASSIVE : PairState.ACTIVE;
    if (next == state) {
      return;
    }
    String because;
    if (next == PairState.ACTIVE) {
      activeTerm = terms.next();
      ClusterParts p = parts;
      because = p == null || p.live().contains(peerName()) ? "the peer is passive" : lost(p);
      handingOver = false;
    } else {
      because = handingOver ? "failover requested by the operator" : why;
      activeTerm = 0;
    }
    synchronized (stateChange) {
      state = next;
      since = Instant.now();
      reason = because;
      stateChange.notifyAll();
    }
    String what =
        settings.role().configName() + " is now " + next.displayName().toUpperCase(Locale.ROOT);
    log.warn(
        "pair: {}{}: {}", what, next == PairState.ACTIVE ? " at term " + activeTerm : "", because);
    onRoleChange.accept(what, because);
  }

  /**
   * Why this node took over from a lost peer, with how long after the peer's last word: what the
   * clients waited at most, give or take one heartbeat.
   */
  private String lost(ClusterParts p) {
    long heard = report.peer(p.status()).map(m -> m.heardAgoMillis()).orElse(-1L);
    return heard < 0
        ? "the peer was lost"
        : "the peer was lost (took over " + heard + " ms after its last word)";
  }

  /** Waits (at most {@code wait}) for this node to become active: a primary just paired. */
  public void awaitActive(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (stateChange) {
      long left;
      while (state != PairState.ACTIVE && (left = deadline - System.nanoTime()) > 0) {
        stateChange.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  public PairState state() {
    return state;
  }

  /** What keeps the fence's lease running. */
  public LeaseHolder lease() {
    return parts.lease();
  }

  public ReplicatedStickTable stickTable() {
    return parts.stickTable();
  }

  /** The two members as a cluster of two. */
  public ClusterStatus clusterStatus() {
    return parts.status();
  }

  /**
   * Whether the peer is in this node's view, so it hears what this node says (a break, a handover).
   * The status's {@code present} also wants a recent word from it.
   */
  public boolean peerInView() {
    return parts.inView().contains(peerName());
  }

  /** Why this node refuses a configuration edit now, and where to make it; empty = accepted. */
  public Optional<String> editRefusal() {
    Optional<ClusterStatus.Member> peer = report.peer(parts.status());
    ConfigVersion mine = installer.version();
    edits.settle(PairReport.present(peer), mine, PairReport.peerVersion(peer));
    return edits.refusal(PairReport.present(peer), mine, PairReport.peerVersion(peer));
  }

  /**
   * Lets this secondary accept edits while the primary is down.
   *
   * @throws IllegalStateException naming why not
   */
  public void promote(boolean force) {
    Optional<ClusterStatus.Member> peer = report.peer(parts.status());
    Optional<Long> silentFor = Optional.empty();
    if (!PairReport.present(peer) && peer.isPresent() && peer.get().heardAgoMillis() >= 0) {
      InetSocketAddress at =
          new InetSocketAddress(settings.peer().getAddress(), StickStack.DEFAULT_PORT);
      if (ProcessProbe.ask(at, 200) != ProcessProbe.Answer.GONE) {
        silentFor = Optional.of(peer.get().heardAgoMillis());
      }
    }
    edits.promote(PairReport.present(peer), silentFor, force);
  }

  /**
   * Hands the floating addresses to the peer (an operator's failover).
   *
   * @throws IllegalStateException naming why not
   */
  public void failover() throws Exception {
    if (state != PairState.ACTIVE) {
      throw new IllegalStateException(
          "this node is " + state.displayName() + "; run failover on the active node");
    }
    if (!peerInView()) {
      throw new IllegalStateException("the peer is not in the pair; nobody to hand over to");
    }
    handingOver = true;
    try {
      parts.handOver();
    } catch (Exception e) {
      handingOver = false;
      throw e;
    }
  }

  /**
   * Tells the peer the pair is over; returns once the peer has left (or after {@code wait}).
   *
   * @return whether the peer left within {@code wait}
   */
  public boolean breakPair(Duration wait) throws InterruptedException {
    boolean told = parts.inView().contains(peerName());
    parts.sendBreak(); // stops deciding here even when there is nobody to tell
    if (!told) {
      return true;
    }
    return parts.awaitOutOfView(peerName(), wait);
  }

  /** Leaves the pair holding whatever it holds: the node runs on alone as it is, unfenced. */
  public void detach() {
    parts.detach();
  }

  /** Leaves the pair; an active node gives its addresses up first so the peer can take them. */
  public void close() {
    parts.close();
  }

  /** The pair as the management API shows it. */
  public PairStatus status() {
    return report.of(parts.status(), state, since, reason, Math.max(terms.current(), activeTerm));
  }
}
