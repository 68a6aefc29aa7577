package org.lbctl.cluster.sync;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigHash;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.health.CheckCommands;
import org.lbctl.core.health.HealthChecker;
import org.lbctl.core.l4.L4DataPlane;
import org.lbctl.core.proxy.ListenerChanges;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.persistence.ReplicatedStickTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a configuration whoever sent it (the file at start or on reload, an edit through the API, a
 * version from the peer): checks that this node can run it, runs it and stores its version.
 */
public final class ConfigInstaller implements ConfigReplica {
  private static final Logger log = LoggerFactory.getLogger(ConfigInstaller.class);

  /** What the kernel routes for a configuration: set up before it runs, taken down after. */
  public interface Routing {
    /** Sets up what {@code config} needs; returns what keeps it from running on this node. */
    List<ConfigProblem> prepare(ReplicatedConfig config);

    /** {@code config} runs now: takes down what it no longer needs. */
    void follow(ReplicatedConfig config);
  }

  private final ProxyEngine engine;
  private final HealthChecker health;
  private final L4DataPlane kernel;
  private final Alerter alerter;
  private final Routing routing;
  private final Supplier<GroupPair> pair;
  private final Supplier<ReplicatedStickTable> replicated;
  // A cluster's members move VIP groups; a node alone or of a pair moves all its addresses at once.
  private volatile boolean movesGroups;
  private final RunnableCheck runnable;
  private final ConfigEdits edits;
  private volatile Runnable onChange = () -> {};
  // Why edits are refused here now, besides the pair's rule (a cluster member outside a quorum).
  private volatile Supplier<Optional<String>> editGate = Optional::empty;
  private final VersionRecords versions;
  private volatile ReplicatedConfig running;
  private volatile ConfigVersion version;
  private volatile byte[] document;
  private volatile Instant loadedAt;

  /**
   * @param pair the node's pair, {@code null} while it runs alone
   * @param replicated the pair's stick table, {@code null} while the node runs alone
   */
  public ConfigInstaller(
      NodeConfig local,
      ProxyEngine engine,
      HealthChecker health,
      CheckCommands checkCommands,
      L4DataPlane kernel,
      Alerter alerter,
      Routing routing,
      Supplier<GroupPair> pair,
      Supplier<ReplicatedStickTable> replicated) {
    this.engine = engine;
    this.health = health;
    this.kernel = kernel;
    this.alerter = alerter;
    this.routing = routing;
    this.pair = pair;
    this.replicated = replicated;
    this.movesGroups = local.cluster().isPresent();
    this.runnable =
        new RunnableCheck(
            checkCommands,
            routing,
            local.cluster().map(c -> c.members().size() == 2).orElse(false));
    this.edits = new ConfigEdits(local.configFile(), this);
    this.versions = new VersionRecords(local);
  }

  /** Checks and runs the configuration the node starts on; {@link #started} then holds it. */
  public void runAtStart(ReplicatedConfig initial) throws ConfigException {
    checkRunnable(initial);
    engine.apply(initial);
    follow(initial);
  }

  /** Holds the configuration the node started on, at the version recorded beside its file. */
  public void started(ReplicatedConfig initial, byte[] document) {
    running = initial;
    this.document = document;
    version = versions.atStart(ConfigHash.of(initial));
    loadedAt = Instant.now();
  }

  /**
   * This node joined a cluster: its floating addresses move in VIP groups from now on, and its
   * versions are recorded in {@code store}.
   */
  public void becomeMember(ConfigStore store) {
    versions.use(Optional.of(store));
    movesGroups = true;
  }

  /** This node left its cluster: it runs alone, without an edit gate or a change listener. */
  public void leaveCluster() {
    movesGroups = false;
    versions.use(Optional.empty());
    editGate = Optional::empty;
    onChange = () -> {};
  }

  /** Where versions are recorded: beside the file while the node is in a pair, else nowhere. */
  public void useStore(Optional<ConfigStore> store) {
    versions.use(store);
  }

  /** Refuses what this node cannot run (see {@link RunnableCheck}). */
  void checkRunnable(ReplicatedConfig config) throws ConfigException {
    runnable.check(config, movesGroups);
  }

  /** The checks and the alerts follow the configuration the engine now runs. */
  private void follow(ReplicatedConfig config) {
    health.sync(engine.services().values());
    kernel.configurationChanged();
    alerter.configure(config);
    routing.follow(config);
  }

  /** Edits are refused while {@code gate} gives a reason (a cluster member outside a quorum). */
  public void editGate(Supplier<Optional<String>> gate) {
    this.editGate = gate;
  }

  /** Runs {@code action} after every change of the running configuration (a cluster's groups). */
  public void onChange(Runnable action) {
    this.onChange = action;
  }

  /** Tells the peer's stick table which real servers this node's entries may name. */
  public void announceRealServers() {
    ReplicatedStickTable r = replicated.get();
    if (r != null) {
      r.announceServers(ConfigHash.realServers(running));
    }
  }

  public ReplicatedConfig runningConfig() {
    return running;
  }

  @Override
  public ConfigVersion version() {
    return version;
  }

  /**
   * Sets the running configuration's version without running anything; pairing makes a secondary's
   * unnumbered.
   */
  public void setVersion(ConfigVersion v) {
    version = v;
  }

  @Override
  public byte[] document() {
    return document.clone();
  }

  public Instant loadedAt() {
    return loadedAt;
  }

  /**
   * Runs a version received from the peer and records it; called on the pair's thread, which moves
   * the floating IPs afterwards.
   */
  @Override
  public synchronized ListenerChanges install(ConfigVersion next, byte[] received)
      throws ConfigException, IOException {
    ReplicatedConfig config = ConfigReplica.read(next, received);
    checkRunnable(config);
    ListenerChanges changes = engine.apply(config);
    follow(config);
    byte[] previous = document;
    running = config;
    announceRealServers();
    document = received.clone();
    try {
      // On disk before it is told: whoever reads this version in the status finds it in the file.
      versions.install(config, received, next, previous);
    } finally {
      version = next;
      loadedAt = Instant.now();
      onChange.run();
    }
    return changes;
  }

  /** Loads the configuration file again: see {@code NodeControl.reload}. */
  public synchronized ListenerChanges reload() throws ApiException {
    return edits.reload();
  }

  /** Runs an edited configuration and writes it: see {@code NodeControl.replaceConfig}. */
  public synchronized ListenerChanges replaceConfig(byte[] given, String basedOn)
      throws ApiException {
    return edits.replace(given, basedOn);
  }

  void refuseEditsHere(String what) throws ApiException {
    GroupPair p = pair.get();
    Optional<String> refusal = p == null ? editGate.get() : p.editRefusal();
    if (refusal.isPresent()) {
      log.warn("{} refused, the running configuration is unchanged: {}", what, refusal.get());
      throw new ApiException(409, refusal.get());
    }
  }

  /**
   * Runs a configuration the caller has parsed and found {@link #checkRunnable} (that check reads
   * every key and may set routing up: once per change), numbers it when it differs, and tells the
   * pair.
   */
  ListenerChanges run(byte[] read, ReplicatedConfig next, String source) throws ConfigException {
    String hash = ConfigHash.of(next);
    ListenerChanges changes = engine.apply(next);
    follow(next);
    running = next;
    announceRealServers();
    document = read;
    loadedAt = Instant.now();
    if (!hash.equals(version.hash())) {
      version = version.next(hash);
      recordVersion(version);
      log.info("configuration {} loaded from {}", version, source);
    }
    onChange.run();
    return changes;
  }

  /** A version that cannot be recorded still runs; the log says what a restart will do. */
  public void recordVersion(ConfigVersion v) {
    versions.record(v);
  }
}
