package org.lbctl.cluster.node;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.crypto.SecretKey;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.floating.NftFence;
import org.lbctl.cluster.pair.Liveness;
import org.lbctl.cluster.pair.PairController;
import org.lbctl.cluster.pair.PairSecret;
import org.lbctl.cluster.pair.PingTargets;
import org.lbctl.cluster.pair.TermStore;
import org.lbctl.cluster.pairing.LocalAddresses;
import org.lbctl.cluster.pairing.PairingAnswer;
import org.lbctl.cluster.pairing.PairingClient;
import org.lbctl.cluster.pairing.PairingException;
import org.lbctl.cluster.pairing.PairingListener;
import org.lbctl.cluster.pairing.PairingRequest;
import org.lbctl.cluster.pairing.PairingToken;
import org.lbctl.cluster.sync.ConfigReplica;
import org.lbctl.cluster.sync.ConfigStore;
import org.lbctl.cluster.sync.SyncRules;
import org.lbctl.core.alert.AlertEvent;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.alert.SmtpMailSender;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.ManagementApi;
import org.lbctl.core.api.ManagementServer;
import org.lbctl.core.api.NodeControl;
import org.lbctl.core.api.PairOrder;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.auth.ApiTokens;
import org.lbctl.core.auth.PasswordHash;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigHash;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.Durations;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.Fencing;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.IpLiterals;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.health.CheckCommands;
import org.lbctl.core.health.HealthChecker;
import org.lbctl.core.l4.Forwarding;
import org.lbctl.core.l4.L4DataPlane;
import org.lbctl.core.l4.L4Ruleset;
import org.lbctl.core.os.AtomicFiles;
import org.lbctl.core.os.SystemdWatchdog;
import org.lbctl.core.os.TransparentRouting;
import org.lbctl.core.persistence.InMemoryStickTable;
import org.lbctl.core.persistence.SwitchableStickTable;
import org.lbctl.core.proxy.ListenerChanges;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.StatusReport;
import org.lbctl.core.status.StickSummary;
import org.lbctl.core.status.StickTableStatus;
import org.lbctl.core.tls.TlsMaterial;
import org.lbctl.persistence.ReplicatedStickTable;
import org.lbctl.persistence.StickStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: the data plane on its configuration and the management API in front of it. The
 * pair (membership, roles, floating IPs, configuration sync) plugs in here.
 */
public final class Node implements NodeControl, ConfigReplica, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  static final Duration PAIRING_OFFER_VALIDITY = Duration.ofMinutes(10);
  private static final Duration PAIRING_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration BREAK_WAIT = Duration.ofSeconds(5);

  private volatile NodeConfig local;
  private final ProxyEngine engine;
  private final HealthChecker health;
  private final L4DataPlane kernel;
  private final Alerter alerter;
  private volatile boolean transparentInstalled;
  private final CheckCommands checkCommands;
  private final Instant startedAt = Instant.now();
  private final String name;
  private volatile Optional<ConfigStore> store;
  private Management management;
  private volatile PairController pair;
  private PairingListener offer;
  // The engine routes through this; a node of a pair swaps the replicated table in.
  private SelfCheck selfCheck;
  private final SwitchableStickTable sticks = new SwitchableStickTable(new InMemoryStickTable());
  private volatile ReplicatedStickTable replicated;
  private volatile ReplicatedConfig running;
  private volatile ConfigVersion version;
  private volatile byte[] document;
  private volatile Instant loadedAt;

  private Node(NodeConfig local) {
    this.local = local;
    this.engine = new ProxyEngine(Transport.detect(), local.ioThreads(), sticks);
    this.checkCommands = new CheckCommands(List.of(), Optional.of(local.scriptsDirectory()));
    this.health = new HealthChecker(engine.transport(), engine::services, checkCommands);
    this.kernel = new L4DataPlane(() -> engine.services().values(), engine::serving);
    this.name = hostname();
    this.alerter = new Alerter(name, new SmtpMailSender());
    alertOnHealth();
    health.addListener(e -> kernel.refresh());
    // Only a pair needs to know across restarts which version it holds; a lone node numbers its
    // reloads in memory and writes nothing beside its file.
    this.store =
        local.pair().isPresent() ? local.configFile().map(ConfigStore::new) : Optional.empty();
  }

  /** Numbers configuration versions: a node alone, the primary, or a promoted secondary. */
  private boolean editsAtStart() {
    return local.pair().map(p -> p.role() == PairRole.PRIMARY).orElse(true);
  }

  /**
   * Starts a node on its configuration file, or on {@code embedded} when the node configuration
   * names no file.
   */
  public static Node start(NodeConfig given, Optional<ReplicatedConfig> embedded)
      throws ConfigException, IOException {
    NodeConfig local = PairFile.attach(given);
    byte[] document;
    ReplicatedConfig initial;
    if (local.configFile().isPresent()) {
      Path file = local.configFile().get();
      document = ConfigLoader.read(file);
      initial = ConfigLoader.parse(document, ConfigLoader.isJson(file));
    } else {
      initial = embedded.orElse(ReplicatedConfig.EMPTY);
      document = ConfigWriter.toYaml(initial).getBytes(StandardCharsets.UTF_8);
    }
    Optional<SecretKey> key =
        local.pair().isPresent()
            ? Optional.of(PairSecret.load(local.pair().get().secretFile()))
            : Optional.empty();
    Node node = new Node(local);
    try {
      if (local.pair().isPresent()) {
        // A node of a pair serves only once it is active.
        node.engine.setServing(false);
      }
      node.runnable(initial);
      node.engine.apply(initial);
      node.follow(initial);
      node.kernel.start();
      node.running = initial;
      node.document = document;
      node.version = node.versionAtStart(ConfigHash.of(initial));
      node.loadedAt = Instant.now();
      node.management = Management.start(local, node);
      node.startSelfCheck();
      if (local.pair().isPresent()) {
        node.startStickTable(local.pair().get(), key.orElseThrow());
        node.startPair(local.pair().get(), key.orElseThrow(), PairController.Start.FRESH);
      }
    } catch (ConfigException | IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    log.info(
        "node {} started on {} ({} virtual services, transport {}, configuration {})",
        node.name,
        node.configSource(),
        initial.virtualServices().size(),
        node.engine.transport().name().toLowerCase(java.util.Locale.ROOT),
        node.version);
    return node;
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
    ConfigVersion v = SyncRules.atStart(editsAtStart(), recorded, hash);
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
   * Joins the peer's stick table (TCP 7778 on the pair address) and routes through it. Returns once
   * this node holds the whole table: only then may it become active and serve the peer's persistent
   * clients.
   */
  private void startStickTable(PairSettings settings, SecretKey key) throws IOException {
    long start = System.nanoTime();
    try {
      replicated =
          ReplicatedStickTable.start(
              new InetSocketAddress(settings.bind().getAddress(), StickStack.DEFAULT_PORT),
              new InetSocketAddress(settings.peer().getAddress(), StickStack.DEFAULT_PORT),
              key,
              settings.role().configName());
    } catch (Exception e) {
      throw new IOException("cannot start the replicated stick table: " + e.getMessage(), e);
    }
    sticks.switchTo(replicated);
    kernel.replicateTo(replicated);
    announceRealServers();
    log.info(
        "stick table: {} entries after {} ms (replicated with {} over TCP {})",
        replicated.size(),
        (System.nanoTime() - start) / 1_000_000,
        settings.peer().getAddress().getHostAddress(),
        StickStack.DEFAULT_PORT);
  }

  /** Back to a table of this node alone, keeping the live entries. */
  private void stopStickTable() {
    ReplicatedStickTable r = replicated;
    if (r == null) {
      return;
    }
    replicated = null;
    kernel.replicateTo(null);
    if (sticks.current() == r) {
      sticks.switchTo(new InMemoryStickTable());
    }
    r.close();
  }

  /**
   * Proves the node alive every fencing period: feeds systemd's watchdog and, on an active node of
   * a pair, renews the fence's lease.
   */
  private void startSelfCheck() throws IOException {
    SystemdWatchdog watchdog = SystemdWatchdog.fromEnvironment();
    Duration period = local.pair().map(p -> p.fencing().renew()).orElse(Fencing.DEFAULT_RENEW);
    Duration detection = Duration.ofNanos(Liveness.DETECT_NANOS);
    if (local.pair().isPresent()
        && watchdog.interval().isPresent()
        && watchdog.interval().get().compareTo(detection) < 0) {
      throw new IOException(
          "WatchdogSec="
              + Durations.format(watchdog.interval().get())
              + " in the unit is shorter than the pair's detection time ("
              + Durations.format(detection)
              + "): systemd would restart a node the peer has not yet judged dead; set"
              + " WatchdogSec= to 5s or more");
    }
    watchdog
        .interval()
        .ifPresent(
            w -> log.info("feeding systemd's watchdog (WatchdogSec={})", Durations.format(w)));
    selfCheck = new SelfCheck(period, engine.eventLoops(), watchdog, () -> pair);
    selfCheck.start();
  }

  /** The fence of a pair node: installed (every address silent) before the pair starts. */
  private static Fence fence(PairSettings settings) throws IOException {
    if (!settings.fencing().enabled()) {
      return Fence.NONE;
    }
    NftFence fence = new NftFence(settings.device(), settings.fencing().lease(), List.of());
    fence.install();
    return fence;
  }

  private void startPair(PairSettings settings, SecretKey key, PairController.Start mode)
      throws IOException {
    pair =
        new PairController(
            settings,
            this::setServing,
            new FloatingIpOwner(settings.device(), List.of()),
            fence(settings),
            new TermStore(
                local
                    .configFile()
                    .map(f -> f.toAbsolutePath().resolveSibling(TermStore.FILE_NAME))),
            () -> running.allFloatingIps(),
            new PingTargets(settings.pingTargets(), List.of()),
            this);
    pair.onRoleChange(
        (what, why) ->
            alerter.post(new AlertEvent(Instant.now(), Optional.empty(), "pair: " + what, why)));
    try {
      pair.start(key, mode, this::onPeerBreak);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private String configSource() {
    return local.configFile().map(Object::toString).orElse("embedded configuration");
  }

  @Override
  public NodeStatus status() {
    return new NodeStatus(
        name,
        buildVersion(),
        engine.transport().name().toLowerCase(java.util.Locale.ROOT),
        startedAt.toString(),
        configSource(),
        version.number(),
        version.hash(),
        loadedAt.toString(),
        pairStatus(),
        stickSummary(),
        StatusReport.services(engine.services().values(), health::last, health::lastTook));
  }

  /** Mails every change of a real server's health and of a virtual service's availability. */
  private void alertOnHealth() {
    health.addListener(
        e ->
            alerter.post(
                new AlertEvent(
                    Instant.now(),
                    Optional.of(e.virtualService()),
                    e.virtualService() + ": real server " + e.server() + (e.up() ? " UP" : " DOWN"),
                    e.result().detail() + " (" + e.inARow() + " in a row)")));
    health.addAvailabilityListener(
        v ->
            alerter.post(
                new AlertEvent(
                    Instant.now(),
                    Optional.of(v.virtualService()),
                    v.virtualService()
                        + (v.available()
                            ? ": real servers available again"
                            : ": NO REAL SERVER AVAILABLE"),
                    v.consequence())));
  }

  /** The checks and the alerts follow the configuration the engine now runs. */
  private void follow(ReplicatedConfig config) {
    health.sync(engine.services().values());
    kernel.configurationChanged();
    alerter.configure(config);
    if (transparentInstalled && config.virtualServices().stream().noneMatch(v -> v.transparent())) {
      removeTransparentRouting();
    }
  }

  /** Listeners and the kernel's layer 4 rules open and close together. */
  private void setServing(boolean serve) throws ConfigException {
    engine.setServing(serve);
    kernel.syncNow();
  }

  /** Layer 4 NAT needs the kernel to forward: turned on before such a configuration runs. */
  private static List<ConfigProblem> kernelForwarding(ReplicatedConfig config) {
    List<VirtualService> vips = config.virtualServices();
    List<ConfigProblem> problems = new ArrayList<>();
    for (boolean v6 : new boolean[] {false, true}) {
      for (int i = 0; i < vips.size(); i++) {
        VirtualService v = vips.get(i);
        // DR forwards in the netdev hook, before routing: only NAT and SNAT need the kernel to
        // route (and IPv6 forwarding stops a host from taking router advertisements).
        if (L4Ruleset.carries(v)
            && v.mode() != org.lbctl.core.config.ForwardingMode.DR
            && (IpLiterals.parse(v.address()) instanceof Inet6Address) == v6) {
          String path = "virtualServices[" + i + "].mode";
          Forwarding.ensure(v6).ifPresent(why -> problems.add(new ConfigProblem(path, why)));
          break;
        }
      }
    }
    return problems;
  }

  /** Sets transparent routing up before a configuration with transparent VIPs runs. */
  private List<ConfigProblem> transparentRouting(ReplicatedConfig config) {
    List<VirtualService> vips = config.virtualServices();
    for (int i = 0; i < vips.size(); i++) {
      if (!vips.get(i).transparent()) {
        continue;
      }
      if (engine.transport() != Transport.EPOLL) {
        return List.of(
            new ConfigProblem(
                "virtualServices[" + i + "].transparent",
                "needs the epoll transport (IP_TRANSPARENT), this node runs "
                    + engine.transport().name().toLowerCase(java.util.Locale.ROOT)));
      }
      try {
        TransparentRouting.install();
        if (!transparentInstalled) {
          log.info(
              "transparent routing set up: nftables table inet lbctl_transparent marks packets of"
                  + " transparent sockets 0x{}, ip rule fwmark -> table {} (local)",
              Integer.toHexString(TransparentRouting.MARK),
              TransparentRouting.TABLE);
        }
        transparentInstalled = true;
        return List.of();
      } catch (IOException e) {
        return List.of(
            new ConfigProblem(
                "virtualServices[" + i + "].transparent",
                "cannot set up transparent routing (needs CAP_NET_ADMIN and nft): "
                    + e.getMessage()));
      }
    }
    return List.of();
  }

  private void removeTransparentRouting() {
    try {
      TransparentRouting.remove();
      transparentInstalled = false;
      log.info("transparent routing removed: no transparent virtual service left");
    } catch (IOException e) {
      log.warn("cannot remove transparent routing: {}", e.getMessage());
    }
  }

  /**
   * Refuses a configuration this node cannot run as written: a check script it does not have, a
   * check's TLS file it cannot use, a certificate that is unreadable, expired or not its key's.
   */
  private void runnable(ReplicatedConfig config) throws ConfigException {
    List<ConfigProblem> missing = new ArrayList<>(HealthChecker.problems(config, checkCommands));
    missing.addAll(TlsMaterial.problems(config, Instant.now()));
    missing.addAll(transparentRouting(config));
    missing.addAll(kernelForwarding(config));
    if (!missing.isEmpty()) {
      throw new ConfigException(missing);
    }
  }

  private StickSummary stickSummary() {
    ReplicatedStickTable r = replicated;
    return new StickSummary(sticks.size(), r == null ? null : r.replication());
  }

  /** Tells the peer's stick table which real servers this node's entries may name. */
  private void announceRealServers() {
    ReplicatedStickTable r = replicated;
    if (r != null) {
      r.announceServers(ConfigHash.realServers(running));
    }
  }

  private org.lbctl.core.status.PairStatus pairStatus() {
    PairController p = pair;
    return p == null ? null : p.status();
  }

  @Override
  public ReplicatedConfig runningConfig() {
    return running;
  }

  @Override
  public ConfigVersion version() {
    return version;
  }

  @Override
  public byte[] document() {
    return document.clone();
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
    version = next;
    loadedAt = Instant.now();
    if (store.isPresent()) {
      store.get().install(toStoredForm(config, received), next, previous);
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

  @Override
  public synchronized ListenerChanges reload() throws ApiException {
    if (local.configFile().isEmpty()) {
      throw new ApiException(
          409, "this node runs on an embedded configuration; there is no file to reload");
    }
    refuseEditsHere("reload");
    Path path = local.configFile().get();
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

  @Override
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
    if (local.configFile().isEmpty()) {
      try {
        ListenerChanges changes = run(given, next, "the management API (in memory)");
        log.warn("configuration {} runs in memory only: this node has no file", version);
        return changes;
      } catch (ConfigException e) {
        throw ManagementApi.refused(
            "configuration refused; the running configuration is unchanged", e.problems());
      }
    }
    Path path = local.configFile().get();
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
    PairController p = pair;
    Optional<String> refusal = p == null ? Optional.empty() : p.editRefusal();
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
    PairController p = pair;
    String hash = ConfigHash.of(next);
    ListenerChanges changes = engine.apply(next);
    follow(next);
    List<FloatingIp> before = running.allFloatingIps();
    running = next;
    announceRealServers();
    document = read;
    loadedAt = Instant.now();
    if (!hash.equals(version.hash())) {
      version = version.next(hash);
      recordVersion(version);
      log.info("configuration {} loaded from {}", version, source);
    }
    if (p != null) {
      p.floatingIpsChanged(before);
      p.configChanged();
    }
    return changes;
  }

  private VirtualServiceRuntime service(String vip) throws ApiException {
    return engine
        .service(vip)
        .orElseThrow(
            () ->
                new ApiException(
                    404,
                    "no virtual service '"
                        + vip
                        + "' (known: "
                        + String.join(", ", engine.services().keySet())
                        + ")"));
  }

  @Override
  public Optional<String> addUser(String name, String password) throws ApiException {
    Optional<String> generated =
        password == null ? Optional.of(PasswordHash.generate()) : Optional.empty();
    try {
      management.users().add(name, generated.orElse(password));
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the users file: " + e.getMessage());
    }
    if (!management.users().persistent()) {
      log.warn(
          "user '{}' added in memory only: this node runs on its embedded configuration and"
              + " forgets its users when it stops",
          name);
    }
    return generated;
  }

  @Override
  public List<String> users() {
    return management.users().names();
  }

  @Override
  public List<ApiTokens.Token> tokens() {
    return management.tokens().list();
  }

  @Override
  public String createToken(String user, String label, boolean readOnly) throws ApiException {
    if (!management.users().exists(user)) {
      throw new ApiException(400, "user: no management user '" + user + "'");
    }
    try {
      return management.tokens().create(user, label, readOnly);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the tokens file: " + e.getMessage());
    }
  }

  @Override
  public void revokeToken(String id) throws ApiException {
    try {
      if (!management.tokens().revoke(id)) {
        throw new ApiException(404, "no API token '" + id + "'");
      }
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the tokens file: " + e.getMessage());
    }
  }

  /** The HTTPS management address, when the node has that listener (the real port). */
  public Optional<InetSocketAddress> httpsAddress() {
    Management m = management;
    return m == null ? Optional.empty() : m.https().map(ManagementServer::address);
  }

  @Override
  public StickTableStatus stickTable(String vip) throws ApiException {
    VirtualServiceRuntime service = service(vip);
    var p = service.config().persistence();
    if (L4Ruleset.carries(service.config())) {
      // The kernel keeps layer 4 clients (this node's, while it is active).
      try {
        return new StickTableStatus(
            vip, p.mode().configName(), Durations.format(p.timeout()), kernel.stickyClients(vip));
      } catch (IOException e) {
        throw new ApiException(500, "cannot read the kernel's persistence map: " + e.getMessage());
      }
    }
    List<StickTableStatus.Entry> entries =
        engine.sticks().list(vip, System.currentTimeMillis()).entrySet().stream()
            .map(
                e ->
                    new StickTableStatus.Entry(
                        e.getKey(),
                        e.getValue().server(),
                        Instant.ofEpochMilli(e.getValue().expiresAtMillis()).toString()))
            .toList();
    return new StickTableStatus(vip, p.mode().configName(), Durations.format(p.timeout()), entries);
  }

  @Override
  public int clearStickTable(String vip) throws ApiException {
    if (L4Ruleset.carries(service(vip).config())) {
      try {
        // The replicated copy too, or a failover would bring the cleared clients back.
        engine.sticks().clear(vip);
        return kernel.clearStickyClients(vip);
      } catch (IOException e) {
        throw new ApiException(500, "cannot clear the kernel's persistence map: " + e.getMessage());
      }
    }
    return engine.sticks().clear(vip);
  }

  @Override
  public AdminState setAdminState(String vip, String rip, AdminState state) throws ApiException {
    VirtualServiceRuntime service = service(vip);
    Backend backend =
        service
            .backend(rip)
            .orElseThrow(
                () ->
                    new ApiException(
                        404,
                        "virtual service '"
                            + vip
                            + "' has no real server '"
                            + rip
                            + "' (known: "
                            + String.join(
                                ", ", service.backends().stream().map(Backend::label).toList())
                            + ")"));
    AdminState previous = backend.state().setAdminState(state);
    kernel.refresh();
    return previous;
  }

  /** A version that cannot be recorded still runs; the log says what a restart will do. */
  private void recordVersion(ConfigVersion v) {
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

  @Override
  public void promote(boolean force) throws ApiException {
    PairController p = pair;
    if (p == null) {
      throw new ApiException(409, "this node runs alone: it accepts edits already");
    }
    try {
      p.promote(force);
    } catch (IllegalStateException e) {
      throw new ApiException(409, e.getMessage());
    } catch (Exception e) {
      throw new ApiException(500, "promote failed: " + e.getMessage());
    }
  }

  @Override
  public NodeStatus failover() throws ApiException {
    PairController p = pair;
    if (p == null) {
      throw new ApiException(409, "this node runs alone: it is not in a pair");
    }
    try {
      p.failover();
    } catch (IllegalStateException e) {
      throw new ApiException(409, e.getMessage());
    } catch (Exception e) {
      throw new ApiException(500, "failover failed: " + e.getMessage());
    }
    return status();
  }

  // Pairing, answering an offer and breaking take this lock, never the node's monitor: they wait
  // for the pair's thread, which may itself be waiting for the node to install a version.
  private final Object pairing = new Object();

  @Override
  public PairingOffer acceptPairing(InetSocketAddress listen) throws ApiException {
    synchronized (pairing) {
      return offerPairing(listen);
    }
  }

  private PairingOffer offerPairing(InetSocketAddress listen) throws ApiException {
    requireAlone("offer pairing");
    if (LocalAddresses.interfaceOf(listen.getAddress()).isEmpty()) {
      throw new ApiException(
          409,
          listen.getAddress().getHostAddress()
              + " is not an address of this node: listen on the address the primary reaches this"
              + " node at");
    }
    if (offer != null) {
      offer.close();
    }
    PairingToken token = PairingToken.generate(RANDOM);
    try {
      offer =
          PairingListener.open(
              listen, token, PAIRING_OFFER_VALIDITY, request -> onPairingRequest(listen, request));
    } catch (IOException e) {
      throw new ApiException(409, e.getMessage());
    }
    return new PairingOffer(
        Endpoints.format(listen), token.display(), offer.expiresAt().toString());
  }

  private void requireAlone(String what) throws ApiException {
    PairController p = pair;
    if (p != null) {
      throw new ApiException(
          409,
          "cannot "
              + what
              + ": this node is already the "
              + local.pair().map(s -> s.role().configName()).orElse("")
              + " of a pair with "
              + local.pair().map(s -> s.peer().getAddress().getHostAddress()).orElse("?")
              + "; `lbctl pair --break` first");
    }
    if (local.configFile().isEmpty()) {
      throw new ApiException(
          409,
          "cannot "
              + what
              + ": this node runs on an embedded configuration; a node of a pair needs a"
              + " configuration file (--config or the node file's configFile) to keep its versions"
              + " in");
    }
  }

  /** The offer's answer to a primary that presented the right token; on the listener's thread. */
  private PairingAnswer onPairingRequest(InetSocketAddress listen, PairingRequest request) {
    synchronized (pairing) {
      return becomeSecondary(listen, request);
    }
  }

  private PairingAnswer becomeSecondary(InetSocketAddress listen, PairingRequest request) {
    List<String> own = running.virtualServices().stream().map(v -> v.label()).toList();
    try {
      requireAlone("become a secondary");
    } catch (ApiException e) {
      return PairingAnswer.refused(e.getMessage(), name, own);
    }
    if (!own.isEmpty() && !request.force()) {
      return PairingAnswer.refused(
          "it runs "
              + own.size()
              + " virtual service(s) of its own ("
              + String.join(", ", own)
              + "), which pairing replaces with the primary's configuration; pair with --force to"
              + " replace them (its file is kept beside as .before-pair-<time>)",
          name,
          own);
    }
    Path file = local.configFile().orElseThrow();
    Optional<String> device = LocalAddresses.interfaceOf(listen.getAddress());
    if (device.isEmpty()) {
      return PairingAnswer.refused(
          listen.getAddress().getHostAddress() + " is no longer an address of it", name, own);
    }
    PairSettings settings =
        new PairSettings(
            PairRole.SECONDARY,
            listen,
            request.primary(),
            file.toAbsolutePath().resolveSibling(PairFile.SECRET_NAME),
            request.pingTargets(),
            request.failback(),
            device.get());
    try {
      if (!own.isEmpty()) {
        Path kept =
            file.resolveSibling(file.getFileName() + ".before-pair-" + java.time.Instant.now());
        Files.copy(file, kept);
        log.warn("pairing: this node's own configuration is kept in {}", kept);
      }
      ConfigStore newStore = new ConfigStore(file);
      // Unnumbered: whatever this node ran alone, the primary's version replaces it.
      Files.deleteIfExists(newStore.versionFile());
      ConfigVersion alone = version;
      version = new ConfigVersion(0, alone.hash());
      try {
        joinPair(settings, request.secret(), PairController.Start.AWAIT_PEER, newStore);
      } catch (IOException | RuntimeException e) {
        version = alone;
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      log.error(
          "pairing: cannot become the secondary of {}: {}", request.primary(), e.getMessage());
      return PairingAnswer.refused("it cannot start the pair: " + e.getMessage(), name, own);
    }
    offer = null;
    log.warn(
        "pairing: this node is now the SECONDARY of {}; it takes the primary's configuration and"
            + " stays passive until it has heard from it",
        Endpoints.format(request.primary()));
    return PairingAnswer.accepted(name);
  }

  @Override
  public NodeStatus pair(PairOrder order) throws ApiException {
    synchronized (pairing) {
      return becomePrimary(order);
    }
  }

  private NodeStatus becomePrimary(PairOrder order) throws ApiException {
    requireAlone("pair");
    PairingToken token =
        PairingToken.parse(order.token())
            .orElseThrow(
                () ->
                    new ApiException(
                        400,
                        "token: not a pairing token (26 letters and digits in groups of five, as"
                            + " `lbctl pair --accept` printed it on the peer)"));
    InetSocketAddress bind;
    String device;
    try {
      bind =
          order.bind().isPresent()
              ? order.bind().get()
              : new InetSocketAddress(
                  LocalAddresses.routeTo(order.peer()), PairSettings.DEFAULT_PORT);
      device =
          order
              .device()
              .or(() -> LocalAddresses.interfaceOf(bind.getAddress()))
              .orElseThrow(
                  () ->
                      new IOException(
                          bind.getAddress().getHostAddress() + " is not an address of this node"));
      LocalAddresses.checkUdpFree(bind);
    } catch (IOException e) {
      throw new ApiException(409, "cannot pair: " + e.getMessage() + "; nothing changed");
    }
    String secret = HexFormat.of().formatHex(bytes(32));
    PairingRequest request =
        new PairingRequest(
            java.util.UUID.randomUUID().toString(),
            bind,
            secret,
            order.pingTargets(),
            order.failback(),
            order.force());
    PairingAnswer answer;
    try {
      answer = PairingClient.send(order.peer(), token, request, PAIRING_TIMEOUT);
    } catch (PairingException e) {
      throw new ApiException(502, "pairing failed, nothing changed: " + e.getMessage());
    }
    String peerName = Endpoints.format(order.peer());
    if (!answer.accepted()) {
      throw new ApiException(
          409,
          "the peer "
              + peerName
              + (answer.hostname().isEmpty() ? "" : " (" + answer.hostname() + ")")
              + " refused: "
              + answer.reason()
              + "; nothing changed");
    }
    Path file = local.configFile().orElseThrow();
    PairSettings settings =
        new PairSettings(
            PairRole.PRIMARY,
            bind,
            order.peer(),
            file.toAbsolutePath().resolveSibling(PairFile.SECRET_NAME),
            order.pingTargets(),
            order.failback(),
            device);
    try {
      joinPair(
          settings,
          secret,
          engine.serving() ? PairController.Start.KEEP_SERVING : PairController.Start.FRESH,
          new ConfigStore(file));
    } catch (IOException | RuntimeException e) {
      log.error("pairing: the peer {} accepted, but this node cannot start the pair", peerName, e);
      throw new ApiException(
          500,
          "the peer "
              + peerName
              + " accepted, but this node cannot start the pair: "
              + e.getMessage()
              + "; run `lbctl pair --break --force` on the peer, fix this and pair again");
    }
    recordVersion(version);
    log.warn(
        "pairing: this node is now the PRIMARY of a pair with {} ({}); floating IPs on {}",
        peerName,
        answer.hostname(),
        device);
    return status();
  }

  /**
   * Writes the pair's files and starts the pair; on failure removes them again, so the node stays
   * as it was: alone.
   */
  private void joinPair(
      PairSettings settings, String secret, PairController.Start mode, ConfigStore newStore)
      throws IOException {
    Path file = local.configFile().orElseThrow();
    NodeConfig before = local;
    try {
      PairFile.write(file, settings, secret);
      SecretKey key = PairSecret.load(settings.secretFile());
      local = local.withPair(Optional.of(settings));
      store = Optional.of(newStore);
      startStickTable(settings, key);
      startPair(settings, key, mode);
    } catch (IOException | RuntimeException e) {
      PairController p = pair;
      pair = null;
      if (p != null) {
        p.detach();
      }
      stopStickTable();
      local = before;
      store = Optional.empty();
      PairFile.delete(file);
      restoreServing();
      throw e;
    }
  }

  @Override
  public NodeStatus breakPair(boolean force) throws ApiException {
    synchronized (pairing) {
      return leaveOnRequest(force);
    }
  }

  private NodeStatus leaveOnRequest(boolean force) throws ApiException {
    PairController p = pair;
    if (p == null) {
      throw new ApiException(409, "this node is not in a pair");
    }
    Path file = local.configFile().orElseThrow();
    if (!Files.exists(PairFile.beside(file))) {
      throw new ApiException(
          409,
          "this pair was set up by hand in the node file: remove its pair section on both nodes"
              + " and restart them");
    }
    String peer = local.pair().map(s -> s.peer().getAddress().getHostAddress()).orElse("?");
    if (!p.peerPresent() && !force) {
      throw new ApiException(
          409,
          "the peer ("
              + peer
              + ") is not in the pair, so it cannot be told: it would keep its pair settings and"
              + " take the floating IPs when it starts. Break it there too (`lbctl pair --break"
              + " --force` on it) before it starts; --force breaks this side alone");
    }
    boolean left;
    try {
      left = p.breakPair(BREAK_WAIT);
    } catch (Exception e) {
      throw new ApiException(500, "cannot tell the peer: " + e.getMessage());
    }
    if (!left) {
      log.warn(
          "pair: the peer ({}) did not leave within {} s; check it with `lbctl status` there",
          peer,
          BREAK_WAIT.toSeconds());
    }
    leavePair("broken by the operator on this node");
    return status();
  }

  /** The peer broke the pair: leave it too. Runs on its own thread. */
  private void onPeerBreak() {
    synchronized (pairing) {
      if (pair != null) {
        leavePair("broken by the operator on the peer");
      }
    }
  }

  private void leavePair(String reason) {
    PairController p = pair;
    boolean active = p.state() == org.lbctl.cluster.pair.PairState.ACTIVE;
    List<FloatingIp> ips = running.allFloatingIps();
    p.detach();
    pair = null;
    stopStickTable();
    local = local.withPair(Optional.empty());
    store = Optional.empty();
    try {
      PairFile.delete(local.configFile().orElseThrow());
    } catch (IOException e) {
      log.error(
          "pair: cannot remove {}: {}; remove it before the node restarts, or it rejoins the pair",
          PairFile.beside(local.configFile().orElseThrow()),
          e.getMessage());
    }
    restoreServing();
    log.warn(
        "pair: left the pair ({}); this node runs alone now{}",
        reason,
        active
            ? " and keeps "
                + ips
                + " (a lone node does not manage addresses; the systemd unit's ExecStopPost removes them"
                + " when it stops)"
            : "");
  }

  /** A lone node serves its whole configuration. */
  private void restoreServing() {
    try {
      setServing(true);
    } catch (ConfigException e) {
      log.error("cannot open the listeners of this node: {}", e.getMessage());
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  public ProxyEngine engine() {
    return engine;
  }

  private static String buildVersion() {
    String v = Node.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  @Override
  public void close() {
    // Each part stops on its own: one that fails to close must not leave the kernel's rules,
    // routes and addresses of the parts after it behind.
    stopping(
        "the self-check",
        () -> {
          if (selfCheck != null) {
            selfCheck.close();
          }
        });
    stopping(
        "the pair",
        () -> {
          PairController p = pair;
          if (p != null) {
            p.close();
          }
        });
    stopping("the stick table", this::stopStickTable);
    stopping(
        "the pairing offer",
        () -> {
          synchronized (pairing) {
            if (offer != null) {
              offer.close();
            }
          }
        });
    stopping(
        "management",
        () -> {
          if (management != null) {
            management.close();
          }
        });
    stopping("health checks", health::close);
    stopping("layer 4 rules", kernel::close);
    stopping("alerts", alerter::close);
    stopping(
        "transparent routing",
        () -> {
          if (transparentInstalled) {
            removeTransparentRouting();
          }
        });
    stopping("the proxy", engine::close);
    log.info("node {} stopped", name);
  }

  private static void stopping(String part, Runnable close) {
    try {
      close.run();
    } catch (RuntimeException e) {
      log.error("stopping {} failed; stopping the rest", part, e);
    }
  }
}
