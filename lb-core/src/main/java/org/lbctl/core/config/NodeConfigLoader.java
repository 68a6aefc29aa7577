package org.lbctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the node-local file: settings of this node that never replicate.
 *
 * <pre>
 * configFile: /etc/lbctl/lbctl.yaml        # the replicated configuration this node runs
 * managementSocket: /run/lbctl/lbctl.sock
 * ioThreads: 0                             # 0 = one per core
 * transport: auto                          # auto (epoll) | epoll | io_uring | nio
 * scriptsDirectory: /etc/lbctl/scripts     # external health check scripts
 * management:                              # the HTTPS listener (REST API, web UI, /metrics)
 *   listen: 10.0.0.5:9443                  # default: the node's own address; "none": socket only
 *   certificate: /etc/lbctl/mgmt.crt       # with key; both omitted: a self-signed one is
 *   key: /etc/lbctl/mgmt.key               #   generated once beside the configuration
 *   directory:                             # LDAP/AD logins; see DirectoryReader
 *     url: ldaps://dc1.hospital.example
 *     caFile: hospital-ca.pem
 *     userDn: "uid={user},ou=people,dc=hospital,dc=example"
 *     groupBase: "ou=groups,dc=hospital,dc=example"
 *     groups: {"cn=lb-admins,ou=groups,dc=hospital,dc=example": admin}
 * snmp:                                    # read-only SNMP agent; omit for none
 *   listen: 0.0.0.0:161
 *   communityFile: snmp.community          # v2c; omit to answer v3 only
 *   users:                                 # v3, authPriv: HMAC-SHA-256 and AES-128
 *     - {name: monitor, authPasswordFile: snmp-monitor.auth, privPasswordFile: snmp-monitor.priv}
 * auditSyslog:                             # the audit log to a syslog server too, over TLS
 *   address: 10.0.0.5:6514
 *   caFile: syslog-ca.pem                  # signs the server's certificate
 *   serverName: syslog.example.org         # the name its certificate holds (default: address)
 * pair:                                    # omit for a node that runs alone
 *   role: primary                          # primary | secondary
 *   bind: 10.99.0.11                       # this node, UDP port 6694 unless :port is given
 *   peer: 10.99.0.12
 *   secretFile: /etc/lbctl/pair.secret     # the same on both nodes
 *   pingTargets: [10.99.0.1]               # take over only if one of these answers
 *   failback: false                        # a recovered primary takes the active role back
 *   fencing: {lease: 1s, renew: 200ms}     # the kernel lease; "off" runs unfenced (warned)
 * cluster:                                 # nodes sharing VIP groups (not with pair)
 *   name: lb1                              # this node, one of the members
 *   members:                               # the same list on every member
 *     - {name: lb1, address: 10.99.0.11}   # UDP 6694 unless :port is given; sticks on TCP 7778
 *     - {name: lb2, address: 10.99.0.12}
 *     - {name: lb3, address: 10.99.0.13}
 *   secretFile: /etc/lbctl/cluster.secret  # the same on every member
 *   interface: eth0                        # carries the floating IPs
 *   fencing: {lease: 1s, renew: 200ms}
 *   pingTargets: [10.99.0.1]               # needed for two members: one of two acts alone only
 *                                          # while one of these answers (as a pair does)
 * </pre>
 *
 * Relative paths are taken from the node file's directory.
 */
public final class NodeConfigLoader {
  private static final Set<String> FIELDS =
      Set.of(
          "configFile",
          "managementSocket",
          "ioThreads",
          "transport",
          "pair",
          "cluster",
          "scriptsDirectory",
          "management",
          "snmp",
          "auditSyslog");
  private static final Set<String> SYSLOG_FIELDS = Set.of("address", "caFile", "serverName");
  private static final Set<String> MANAGEMENT_FIELDS =
      Set.of("listen", "certificate", "key", "directory");
  private static final Set<String> PAIR_FIELDS =
      Set.of(
          "role", "bind", "peer", "secretFile", "pingTargets", "failback", "interface", "fencing");
  private static final Set<String> FENCING_FIELDS = Set.of("lease", "renew");
  private static final Set<String> CLUSTER_FIELDS =
      Set.of("name", "members", "secretFile", "interface", "fencing", "pingTargets");
  private static final String MEMBER_NAME = MemberList.NAME;
  private static final int MAX_BYTES = 64 * 1024;

  private NodeConfigLoader() {}

  /** The fields each object of the node file may have, by path: what the reference describes. */
  static Map<String, Set<String>> sections() {
    return Map.ofEntries(
        Map.entry("", FIELDS),
        Map.entry("management", MANAGEMENT_FIELDS),
        Map.entry("management.directory", DirectoryReader.FIELDS),
        Map.entry("snmp", SnmpReader.FIELDS),
        Map.entry("snmp.users[]", SnmpReader.USER_FIELDS),
        Map.entry("snmp.traps[]", SnmpReader.TRAP_FIELDS),
        Map.entry("auditSyslog", SYSLOG_FIELDS),
        Map.entry("pair", PAIR_FIELDS),
        Map.entry("pair.fencing", FENCING_FIELDS),
        Map.entry("cluster", CLUSTER_FIELDS),
        Map.entry("cluster.members[]", MemberList.FIELDS),
        Map.entry("cluster.fencing", FENCING_FIELDS));
  }

  public static NodeConfig load(Path file) throws ConfigException {
    Problems problems = new Problems();
    JsonNode root = readYaml(file, problems);
    TreeReader in = new TreeReader(problems);
    if (root == null || !in.object(root, "", FIELDS)) {
      problems.throwIfAny();
      throw ConfigException.of("", file + ": empty (expected configFile, managementSocket)");
    }
    Path base = file.toAbsolutePath().getParent();
    String config = in.text(root, "", "configFile", null, true);
    String socket =
        in.text(root, "", "managementSocket", NodeConfig.DEFAULT_SOCKET.toString(), false);
    int ioThreads = in.integer(root, "", "ioThreads", 0, 0, 1024);
    String transportText = in.text(root, "", "transport", TransportChoice.AUTO.label(), false);
    Optional<TransportChoice> transport = TransportChoice.parse(transportText);
    if (transport.isEmpty()) {
      problems.add(
          "transport",
          "'" + transportText + "' (expected one of " + TransportChoice.labels() + ")");
    }
    Optional<PairSettings> pair = pair(in, root.get("pair"), base);
    Optional<ClusterSettings> cluster = cluster(in, root.get("cluster"), base);
    if (pair.isPresent() && cluster.isPresent()) {
      problems.add(
          "cluster",
          "a node is either one of a pair or a member of a cluster: remove the pair section or the"
              + " cluster section");
    }
    String scripts =
        in.text(root, "", "scriptsDirectory", NodeConfig.DEFAULT_SCRIPTS.toString(), false);
    Optional<ManagementHttps> https = management(in, root.get("management"), base);
    Optional<SnmpSettings> snmp = SnmpReader.read(in, root.get("snmp"), base);
    Optional<AuditSyslog> syslog = auditSyslog(in, root.get("auditSyslog"), base);
    problems.throwIfAny();
    return new NodeConfig(
        Optional.of(base.resolve(config)),
        base.resolve(socket),
        ioThreads,
        pair,
        base.resolve(scripts),
        https,
        snmp,
        syslog,
        transport.orElseThrow(),
        cluster);
  }

  /** The audit log's syslog server: none unless configured; TLS only, verified. */
  static Optional<AuditSyslog> auditSyslog(TreeReader in, JsonNode node, Path base) {
    if (node == null || node.isNull() || !in.object(node, "auditSyslog", SYSLOG_FIELDS)) {
      return Optional.empty();
    }
    String address = in.text(node, "auditSyslog", "address", null, true);
    String ca = in.text(node, "auditSyslog", "caFile", null, true);
    Optional<InetSocketAddress> a =
        address == null ? Optional.empty() : Endpoints.parse(address, AuditSyslog.DEFAULT_PORT);
    if (address != null && a.isEmpty()) {
      in.problems()
          .add(
              "auditSyslog.address",
              "'" + address + "' (expected an IP address with an optional :port, 6514 if none)");
    }
    if (a.isEmpty() || ca == null) {
      return Optional.empty();
    }
    String name =
        in.text(node, "auditSyslog", "serverName", a.get().getAddress().getHostAddress(), false);
    return Optional.of(new AuditSyslog(a.get(), base.resolve(ca), name));
  }

  /**
   * The HTTPS listener: on the node's own address, port 9443, with a generated certificate unless
   * told otherwise.
   */
  static Optional<ManagementHttps> management(TreeReader in, JsonNode node, Path base) {
    if (node == null || node.isNull()) {
      return Optional.of(ManagementHttps.defaults());
    }
    if (!in.object(node, "management", MANAGEMENT_FIELDS)) {
      return Optional.empty();
    }
    String listen = in.text(node, "management", "listen", null, false);
    if ("none".equals(listen)) {
      return Optional.empty();
    }
    boolean own = listen == null;
    Optional<InetSocketAddress> address =
        own
            ? Optional.of(new InetSocketAddress(ManagementHttps.DEFAULT_PORT))
            : Endpoints.parse(listen, ManagementHttps.DEFAULT_PORT);
    if (address.isEmpty()) {
      in.problems()
          .add(
              "management.listen",
              "'" + listen + "' (expected an IP address with an optional :port, or none)");
    }
    String cert = in.text(node, "management", "certificate", null, false);
    String key = in.text(node, "management", "key", null, false);
    if ((cert == null) != (key == null)) {
      in.problems()
          .add(
              cert == null ? "management.certificate" : "management.key",
              "is required with management."
                  + (cert == null ? "key" : "certificate")
                  + " (give both, or neither for a generated certificate)");
      return Optional.empty();
    }
    Optional<ManagementHttps.CertificateFiles> files =
        cert == null
            ? Optional.empty()
            : Optional.of(
                new ManagementHttps.CertificateFiles(base.resolve(cert), base.resolve(key)));
    Optional<DirectorySettings> directory = DirectoryReader.read(in, node.get("directory"), base);
    return address.map(a -> new ManagementHttps(a, files, own, directory));
  }

  /**
   * A small YAML file of node settings as a tree; refused with the reason. {@code problems} name
   * their lines in it from now on and hold what only YAML 1.1 reads as a boolean or a number.
   */
  static JsonNode readYaml(Path file, Problems problems) throws ConfigException {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw ConfigException.of("", file + ": larger than " + MAX_BYTES + " bytes");
      }
      byte[] bytes = Files.readAllBytes(file);
      ObjectMapper yaml = new ObjectMapper(DocumentScan.factory().build());
      DocumentScan.of(yaml.getFactory(), bytes, problems);
      return yaml.readTree(bytes);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ConfigException.of("", file + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ConfigException.of("", "cannot read " + file + ": " + e);
    }
  }

  /** The pair section (of a node file, or a whole pair file written by {@code lbctl pair}). */
  static Optional<PairSettings> pair(TreeReader in, JsonNode node, Path base) {
    if (node == null || node.isNull() || !in.object(node, "pair", PAIR_FIELDS)) {
      return Optional.empty();
    }
    PairRole role = in.choice(node, "pair", "role", PairRole.class, null);
    if (role == null && node.get("role") == null) {
      in.problems().add("pair.role", "is required (primary or secondary)");
    }
    InetSocketAddress bind = endpoint(in, node, "bind");
    InetSocketAddress peer = endpoint(in, node, "peer");
    String secret = in.text(node, "pair", "secretFile", null, true);
    List<String> targets = pingTargets(in, node.get("pingTargets"), "pair.pingTargets");
    boolean failback = in.bool(node, "pair", "failback", false);
    String device = in.text(node, "pair", "interface", PairSettings.DEFAULT_DEVICE, false);
    if (!device.matches("[A-Za-z0-9_.@-]{1,15}")) {
      in.problems().add("pair.interface", "'" + device + "' is not an interface name");
    }
    Fencing fencing = fencing(in, node.get("fencing"), "pair.fencing");
    if (role == null || bind == null || peer == null || secret == null) {
      return Optional.empty();
    }
    if (bind.equals(peer)) {
      in.problems().add("pair.peer", "is this node's own address " + node.get("bind").asText());
    }
    return Optional.of(
        new PairSettings(
            role, bind, peer, base.resolve(secret), targets, failback, device, fencing));
  }

  /**
   * The cluster section: this node's name, the members (three or more, names and addresses each
   * once, this node among them), the secret, the interface and the fence.
   */
  static Optional<ClusterSettings> cluster(TreeReader in, JsonNode node, Path base) {
    if (node == null || node.isNull() || !in.object(node, "cluster", CLUSTER_FIELDS)) {
      return Optional.empty();
    }
    int before = in.problems().size();
    String name = in.text(node, "cluster", "name", null, true);
    if (name != null && !name.matches(MEMBER_NAME)) {
      in.problems()
          .add("cluster.name", "'" + name + "' is not a member name (letters, digits, _ . -)");
    }
    String secret = in.text(node, "cluster", "secretFile", null, true);
    String device = in.text(node, "cluster", "interface", PairSettings.DEFAULT_DEVICE, false);
    if (!device.matches("[A-Za-z0-9_.@-]{1,15}")) {
      in.problems().add("cluster.interface", "'" + device + "' is not an interface name");
    }
    Fencing fencing = fencing(in, node.get("fencing"), "cluster.fencing");
    List<String> targets = pingTargets(in, node.get("pingTargets"), "cluster.pingTargets");
    // Two members are a pair: the network, not a majority, breaks their tie.
    List<ClusterSettings.Member> members =
        MemberList.read(in, node.get("members"), "cluster.members", targets.isEmpty() ? 3 : 2);
    if (name != null
        && !members.isEmpty()
        && members.stream().noneMatch(m -> m.name().equals(name))) {
      in.problems().add("cluster.name", "'" + name + "' is not among cluster.members");
    }
    if (in.problems().size() > before || name == null || secret == null) {
      return Optional.empty();
    }
    return Optional.of(
        new ClusterSettings(name, members, base.resolve(secret), device, fencing, targets));
  }

  /** A list of IP addresses to ping, at {@code path}; empty when absent. */
  private static List<String> pingTargets(TreeReader in, JsonNode list, String path) {
    List<String> targets = new ArrayList<>();
    if (list == null || list.isNull()) {
      return targets;
    }
    if (!list.isArray()) {
      in.problems().add(path, "expected a list of IP addresses");
      return targets;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode t = list.get(i);
      if (!t.isTextual()
          || (!NetUtil.isValidIpV4Address(t.textValue())
              && !NetUtil.isValidIpV6Address(t.textValue()))) {
        in.problems().add(path + "[" + i + "]", "'" + t + "' is not an IP address");
      } else {
        targets.add(t.textValue());
      }
    }
    return targets;
  }

  /** {@code fencing: off}, or the lease and its renewal; the default when absent. */
  static Fencing fencing(TreeReader in, JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return Fencing.DEFAULT;
    }
    if (node.isTextual() && node.textValue().equals("off")
        || node.isBoolean() && !node.booleanValue()) {
      return Fencing.OFF;
    }
    if (!node.isObject()) {
      in.problems().add(path, "expected off or {lease: 1s, renew: 200ms}, got " + node);
      return Fencing.DEFAULT;
    }
    in.object(node, path, FENCING_FIELDS);
    Duration lease =
        in.duration(
            node,
            path,
            "lease",
            Fencing.DEFAULT_LEASE,
            Duration.ofMillis(300),
            Duration.ofSeconds(10));
    Duration renew =
        in.duration(
            node,
            path,
            "renew",
            Fencing.DEFAULT_RENEW,
            Duration.ofMillis(20),
            Duration.ofSeconds(5));
    if (renew.compareTo(lease) >= 0) {
      in.problems()
          .add(
              path + ".renew",
              Durations.format(renew)
                  + " is not shorter than the lease ("
                  + Durations.format(lease)
                  + "): the lease would lapse between two renewals");
      return Fencing.DEFAULT;
    }
    return new Fencing(true, lease, renew);
  }

  /** {@code 10.0.0.1}, {@code 10.0.0.1:6695} or {@code [2001:db8::1]:6694}. */
  static InetSocketAddress endpoint(TreeReader in, JsonNode node, String field) {
    String text = in.text(node, "pair", field, null, true);
    if (text == null) {
      return null;
    }
    Optional<InetSocketAddress> parsed = Endpoints.parse(text, PairSettings.DEFAULT_PORT);
    if (parsed.isEmpty()) {
      in.problems()
          .add("pair." + field, "'" + text + "' (expected an IP address with an optional :port)");
      return null;
    }
    return parsed.get();
  }
}
