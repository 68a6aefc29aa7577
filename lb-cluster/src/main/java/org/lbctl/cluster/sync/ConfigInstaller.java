package org.lbctl.cluster.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.ManagementApi;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigHash;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.health.CheckCommands;
import org.lbctl.core.health.HealthChecker;
import org.lbctl.core.l4.L4DataPlane;
import org.lbctl.core.os.AtomicFiles;
import org.lbctl.core.proxy.ListenerChanges;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.tls.TlsMaterial;
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

  private final Optional<Path> configFile;
  // Numbers configuration versions: a node alone, the primary, or a promoted secondary.
  private final boolean editsAtStart;
  private final ProxyEngine engine;
  private final HealthChecker health;
  private final CheckCommands checkCommands;
  private final L4DataPlane kernel;
  private final Alerter alerter;
  private final Routing routing;
  private final Supplier<GroupPair> pair;
  private final Supplier<ReplicatedStickTable> replicated;
  // A cluster's members move VIP groups; a node alone or of a pair moves all its addresses at once.
  private volatile boolean movesGroups;
  // A node file's cluster of two: its floating addresses may move as one implicit group.
  private final boolean clusterOfTwo;
  private volatile Runnable onChange = () -> {};
  // Why edits are refused here now, besides the pair's rule (a cluster member outside a quorum).
  private volatile Supplier<Optional<String>> editGate = Optional::empty;
  private volatile Optional<ConfigStore> store;
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
    this.configFile = local.configFile();
    this.editsAtStart = local.pair().map(p -> p.role() == PairRole.PRIMARY).orElse(true);
    this.engine = engine;
    this.health = health;
    this.checkCommands = checkCommands;
    this.kernel = kernel;
    this.alerter = alerter;
    this.routing = routing;
    this.pair = pair;
    this.replicated = replicated;
    this.movesGroups = local.cluster().isPresent();
    this.clusterOfTwo = local.cluster().map(c -> c.members().size() == 2).orElse(false);
    // Only a pair or a cluster needs to know across restarts which version it holds; a lone node
    // numbers its reloads in memory and writes nothing beside its file.
    this.store =
        local.pair().isPresent() || local.cluster().isPresent()
            ? local.configFile().map(ConfigStore::new)
            : Optional.empty();
  }

  /** Checks and runs the configuration the node starts on; {@link #started} then holds it. */
  public void runAtStart(ReplicatedConfig initial) throws ConfigException {
    runnable(initial);
    engine.apply(initial);
    follow(initial);
  }

  /** Holds the configuration the node started on, at the version recorded beside its file. */
  public void started(ReplicatedConfig initial, byte[] document) {
    running = initial;
    this.document = document;
    version = versionAtStart(ConfigHash.of(initial));
    loadedAt = Instant.now();
  }

  /**
   * The version this node starts on, recorded beside the file. A file changed while the node was
   * stopped is a new version on the node that numbers them; on a secondary it runs unnumbered until
   * the primary's version replaces it.
   */
  private ConfigVersion versionAtStart(String hash) {
    if (store.isEmpty()) {
      return SyncRules.atStart(true, Optional.empty(), hash);
    }
    Optional<ConfigVersion> recorded = store.get().readVersion();
    ConfigVersion v = SyncRules.atStart(editsAtStart, recorded, hash);
    if (recorded.isPresent() && !recorded.get().equals(v)) {
      if (v.number() == 0) {
        log.warn(
            "{} changed since this node recorded version {}; as the secondary it runs the file"
                + " unnumbered until the primary's version replaces it (the edit is then kept"
                + " beside the file). Edit the configuration on the primary",
            store.get().file(),
            recorded.get());
      } else {
        log.info(
            "{} changed while the node was stopped: now configuration {}", store.get().file(), v);
      }
    }
    if (v.number() > 0 && !recorded.equals(Optional.of(v))) {
      recordVersion(v);
    }
    return v;
  }

  /**
   * This node joined a cluster: its floating addresses move in VIP groups from now on, and its
   * versions are recorded in {@code store}.
   */
  public void becomeMember(ConfigStore store) {
    this.store = Optional.of(store);
    movesGroups = true;
  }

  /** This node left its cluster: it runs alone, without an edit gate or a change listener. */
  public void leaveCluster() {
    movesGroups = false;
    store = Optional.empty();
    editGate = Optional::empty;
    onChange = () -> {};
  }

  /** Where versions are recorded: beside the file while the node is in a pair, else nowhere. */
  public void useStore(Optional<ConfigStore> store) {
    this.store = store;
  }

  /** The checks and the alerts follow the configuration the engine now runs. */
  private void follow(ReplicatedConfig config) {
    health.sync(engine.services().values());
    kernel.configurationChanged();
    alerter.configure(config);
    routing.follow(config);
  }

  /**
   * Refuses a configuration this node cannot run as written: a check script it does not have, a
   * check's TLS file it cannot use, a certificate that is unreadable, expired or not its key's, VIP
   * groups it cannot move.
   */
  private void runnable(ReplicatedConfig config) throws ConfigException {
    List<ConfigProblem> missing = new ArrayList<>(HealthChecker.problems(config, checkCommands));
    missing.addAll(TlsMaterial.problems(config, Instant.now()));
    missing.addAll(routing.prepare(config));
    if (!movesGroups && !config.members().isEmpty()) {
      missing.add(
          new ConfigProblem(
              "members",
              "the members of a cluster; this node runs alone or as a pair (remove the members"
                  + " section, or join a cluster with `lbctl cluster join`)"));
    }
    if (movesGroups) {
      // Two members without groups move every floating address as one (ImplicitGroup).
      if (!(clusterOfTwo && config.members().isEmpty())) {
        missing.addAll(groupless(config));
      }
    } else if (!config.groups().isEmpty()) {
      // Read and checked already, but a node that cannot move them must not pretend it will.
      missing.add(
          new ConfigProblem(
              "groups",
              "VIP groups move between the nodes of a cluster; this node runs alone or as a pair,"
                  + " which moves all its floating addresses together (remove the groups"
                  + " section)"));
    }
    if (!missing.isEmpty()) {
      throw new ConfigException(missing);
    }
  }

  /**
   * In a cluster a floating address belongs to a group or to nobody: without groups, no member
   * would ever serve it. (With groups, GroupRules refuses a floating address in none.)
   */
  private static List<ConfigProblem> groupless(ReplicatedConfig config) {
    if (!config.groups().isEmpty()) {
      return List.of();
    }
    List<String> floating =
        config.virtualServices().stream()
            .filter(v -> FloatingIp.floats(v.address()))
            .map(v -> v.label())
            .toList();
    if (floating.isEmpty() && config.floatingIps().isEmpty()) {
      return List.of();
    }
    return List.of(
        new ConfigProblem(
            "groups",
            "this node is a member of a cluster, where floating addresses move in VIP groups;"
                + " put "
                + (floating.isEmpty() ? "the floating IPs" : String.join(", ", floating))
                + " in a group (groups: [{name: …, virtualServices: […]}])"));
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
    runnable(config);
    ListenerChanges changes = engine.apply(config);
    follow(config);
    byte[] previous = document;
    running = config;
    announceRealServers();
    document = received.clone();
    try {
      // On disk before it is told: whoever reads this version in the status finds it in the file.
      if (store.isPresent()) {
        store.get().install(toStoredForm(config, received), next, previous);
      }
    } finally {
      version = next;
      loadedAt = Instant.now();
      onChange.run();
    }
    return changes;
  }

  /** A node whose file is JSON keeps it JSON, whatever form the peer sent. */
  private byte[] toStoredForm(ReplicatedConfig config, byte[] received) {
    if (!ConfigLoader.isJson(store.orElseThrow().file())) {
      return received;
    }
    return ConfigWriter.toJson(config);
  }

  /** Loads the configuration file again: see {@code NodeControl.reload}. */
  public synchronized ListenerChanges reload() throws ApiException {
    if (configFile.isEmpty()) {
      throw new ApiException(
          409, "this node runs on an embedded configuration; there is no file to reload");
    }
    refuseEditsHere("reload");
    Path path = configFile.get();
    String file = path.toString();
    try {
      byte[] read = ConfigLoader.read(path);
      ReplicatedConfig next = ConfigLoader.parse(read, ConfigLoader.isJson(path));
      runnable(next);
      return run(read, next, file);
    } catch (ConfigException e) {
      log.warn(
          "reload of {} refused, the running configuration is unchanged:\n{}",
          file,
          e.getMessage());
      throw ManagementApi.refused(
          "configuration " + file + " refused; the running configuration is unchanged",
          e.problems());
    }
  }

  /** Runs an edited configuration and writes it: see {@code NodeControl.replaceConfig}. */
  public synchronized ListenerChanges replaceConfig(byte[] given, String basedOn)
      throws ApiException {
    refuseEditsHere("configuration edit");
    if (!basedOn.equals(version.hash())) {
      throw new ApiException(
          409,
          "the configuration changed since it was read (read "
              + basedOn.substring(0, Math.min(12, basedOn.length()))
              + ", running "
              + version
              + "): read it again and redo the edit");
    }
    ReplicatedConfig next;
    try {
      next = ConfigLoader.parse(given, ConfigLoader.looksLikeJson(given));
      runnable(next);
    } catch (ConfigException e) {
      throw ManagementApi.refused(
          "configuration refused; the running configuration is unchanged", e.problems());
    }
    if (configFile.isEmpty()) {
      try {
        ListenerChanges changes = run(given, next, "the management API (in memory)");
        log.warn("configuration {} runs in memory only: this node has no file", version);
        return changes;
      } catch (ConfigException e) {
        throw ManagementApi.refused(
            "configuration refused; the running configuration is unchanged", e.problems());
      }
    }
    Path path = configFile.get();
    byte[] stored = ConfigLoader.isJson(path) ? ConfigWriter.toJson(next) : toYaml(next);
    byte[] before = document;
    try {
      AtomicFiles.replace(path.resolveSibling(path.getFileName() + ".previous"), before, true);
      AtomicFiles.replace(path, stored, true);
    } catch (IOException e) {
      throw new ApiException(500, "cannot write " + path + ": " + e.getMessage());
    }
    try {
      return run(stored, next, path.toString());
    } catch (ConfigException e) {
      restore(path, before);
      throw ManagementApi.refused(
          "configuration refused; the running configuration is unchanged", e.problems());
    } catch (RuntimeException e) {
      restore(path, before);
      throw e;
    }
  }

  private static byte[] toYaml(ReplicatedConfig config) {
    return ConfigWriter.toYaml(config).getBytes(StandardCharsets.UTF_8);
  }

  private void restore(Path path, byte[] before) {
    try {
      AtomicFiles.replace(path, before, true);
    } catch (IOException e) {
      log.error(
          "cannot put the previous configuration back into {} ({}); the node runs it still, the"
              + " file holds the refused one",
          path,
          e.getMessage());
    }
  }

  private void refuseEditsHere(String what) throws ApiException {
    GroupPair p = pair.get();
    Optional<String> refusal = p == null ? editGate.get() : p.editRefusal();
    if (refusal.isPresent()) {
      log.warn("{} refused, the running configuration is unchanged: {}", what, refusal.get());
      throw new ApiException(409, refusal.get());
    }
  }

  /**
   * Runs a configuration the caller has parsed and found {@link #runnable} (that check reads every
   * key and may set routing up: once per change), numbers it when it differs, and tells the pair.
   */
  private ListenerChanges run(byte[] read, ReplicatedConfig next, String source)
      throws ConfigException {
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
    Optional<ConfigStore> store = this.store;
    if (store.isEmpty()) {
      return;
    }
    try {
      store.get().writeVersion(v);
    } catch (IOException e) {
      log.error(
          "running configuration {} but cannot record its version in {}: {}; a restart will"
              + " number it again",
          v,
          store.get().versionFile(),
          e.getMessage());
    }
  }
}
