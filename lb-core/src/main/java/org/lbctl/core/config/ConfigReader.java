package org.lbctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns a parsed tree into {@link ReplicatedConfig} records, checking each field on the way. */
final class ConfigReader {
  static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private static final Set<String> ROOT =
      Set.of(
          "virtualServices",
          "floatingIps",
          "alerts",
          "certificates",
          "caFamilies",
          "groups",
          "members");
  private static final Set<String> GROUP_FIELDS =
      Set.of("name", "virtualServices", "floatingIps", "preference", "failback");
  private static final Set<String> CERTIFICATE_FIELDS =
      Set.of(
          "name",
          "certificateFile",
          "keyFile",
          "pfxFile",
          "passwordFile",
          "certificatePem",
          "keyPem");
  private static final Set<String> CA_FIELDS = Set.of("name", "files");
  private static final Set<String> TERMINATION_FIELDS =
      Set.of("port", "certificate", "clientCa", "sni", "http2");
  private static final Set<String> REENCRYPT_FIELDS = Set.of("verifyCa", "clientCertificate");
  private static final Set<String> ALERT_FIELDS =
      Set.of(
          "smtpHost",
          "smtpPort",
          "security",
          "username",
          "passwordFile",
          "from",
          "to",
          "minInterval",
          "caFile");
  private static final Set<String> VIP_FIELDS =
      Set.of(
          "label",
          "address",
          "ports",
          "layer",
          "mode",
          "protocol",
          "scheduler",
          "persistence",
          "healthCheck",
          "fallback",
          "timeouts",
          "realServers",
          "alertRecipients",
          "forceHttps",
          "termination",
          "transparent",
          "maxRequestBody",
          "trailers",
          "dicom",
          "hl7");
  private static final Set<String> HL7_FIELDS =
      Set.of("maxMessage", "ackTimeout", "resendOnNak", "orderBy");
  private static final Set<String> DICOM_FIELDS =
      Set.of("routes", "defaultServers", "callingAeTitles", "serverAeTitles", "persistByCallingAe");
  private static final Set<String> AE_ROUTE_FIELDS =
      Set.of("calledAeTitle", "callingAeTitle", "servers", "sources");
  private static final Set<String> RS_FIELDS =
      Set.of("label", "address", "port", "weight", "minConnections", "maxConnections", "reencrypt");
  private static final Set<String> FALLBACK_FIELDS =
      Set.of("address", "port", "enabled", "masquerade");
  private static final Set<String> TIMEOUT_FIELDS =
      Set.of("connect", "client", "server", "queue", "httpRequest");
  private static final Set<String> PERSISTENCE_FIELDS =
      Set.of("mode", "timeout", "netmask", "cookie");
  private static final Set<String> CHECK_FIELDS =
      Set.of(
          "type",
          "interval",
          "timeout",
          "rise",
          "fall",
          "port",
          "callingAeTitle",
          "calledAeTitle",
          "hl7ReceivingApplication",
          "hl7ReceivingFacility",
          "hl7MessageType",
          "script",
          "path",
          "host",
          "expectStatus",
          "expectBody",
          "bodyMatch",
          "verifyCertificate",
          "caFile",
          "clientCertificateFile",
          "clientKeyFile",
          "tls");

  private static final Duration MAX_IDLE = Duration.ofHours(24);

  /**
   * The fields each object of the configuration may have, by path ({@code []} for a list's
   * elements): what the reference must describe, no more and no less.
   */
  static Map<String, Set<String>> sections() {
    return Map.ofEntries(
        Map.entry("", ROOT),
        Map.entry("virtualServices[]", VIP_FIELDS),
        Map.entry("virtualServices[].realServers[]", RS_FIELDS),
        Map.entry("virtualServices[].realServers[].reencrypt", REENCRYPT_FIELDS),
        Map.entry("virtualServices[].healthCheck", CHECK_FIELDS),
        Map.entry("virtualServices[].persistence", PERSISTENCE_FIELDS),
        Map.entry("virtualServices[].timeouts", TIMEOUT_FIELDS),
        Map.entry("virtualServices[].fallback", FALLBACK_FIELDS),
        Map.entry("virtualServices[].termination", TERMINATION_FIELDS),
        Map.entry("virtualServices[].hl7", HL7_FIELDS),
        Map.entry("virtualServices[].dicom", DICOM_FIELDS),
        Map.entry("virtualServices[].dicom.routes[]", AE_ROUTE_FIELDS),
        Map.entry("certificates[]", CERTIFICATE_FIELDS),
        Map.entry("caFamilies[]", CA_FIELDS),
        Map.entry("alerts", ALERT_FIELDS),
        Map.entry("groups[]", GROUP_FIELDS),
        Map.entry("members[]", MemberList.FIELDS));
  }

  private final TreeReader in;

  ConfigReader(Problems problems) {
    this.in = new TreeReader(problems);
  }

  ReplicatedConfig read(JsonNode root) {
    if (!in.object(root, "", ROOT)) {
      return ReplicatedConfig.EMPTY;
    }
    List<VirtualService> vips = new ArrayList<>();
    JsonNode list = root.get("virtualServices");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        in.problems().add("virtualServices", "expected a list, got " + TreeReader.describe(list));
      } else {
        for (int i = 0; i < list.size(); i++) {
          virtualService(list.get(i), "virtualServices[" + i + "]").ifPresent(vips::add);
        }
      }
    }
    return new ReplicatedConfig(
        vips,
        floatingIps(root.get("floatingIps")),
        alerts(root.get("alerts")),
        certificates(root.get("certificates")),
        caFamilies(root.get("caFamilies")),
        groups(root.get("groups")),
        root.hasNonNull("members")
            ? MemberList.read(in, root.get("members"), "members")
            : List.of());
  }

  private List<VipGroup> groups(JsonNode list) {
    List<VipGroup> out = new ArrayList<>();
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      String p = "groups[" + i + "]";
      JsonNode n = list.get(i);
      if (in.object(n, p, GROUP_FIELDS)) {
        String name = in.text(n, p, "name", "", true);
        if (n.hasNonNull("name") && name.isBlank()) {
          in.problems().add(TreeReader.join(p, "name"), "is empty");
        }
        out.add(
            new VipGroup(
                name,
                texts(n.get("virtualServices"), TreeReader.join(p, "virtualServices")),
                texts(n.get("floatingIps"), TreeReader.join(p, "floatingIps")),
                texts(n.get("preference"), TreeReader.join(p, "preference")),
                in.bool(n, p, "failback", false)));
      }
    }
    if (list != null && !list.isNull() && !list.isArray()) {
      in.problems().add("groups", "expected a list, got " + TreeReader.describe(list));
    }
    return out;
  }

  private List<NamedCertificate> certificates(JsonNode list) {
    List<NamedCertificate> out = new ArrayList<>();
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      String p = "certificates[" + i + "]";
      JsonNode n = list.get(i);
      if (in.object(n, p, CERTIFICATE_FIELDS)) {
        NamedCertificate c =
            new NamedCertificate(
                in.text(n, p, "name", "", true),
                in.text(n, p, "certificateFile", "", false),
                in.text(n, p, "keyFile", "", false),
                in.text(n, p, "pfxFile", "", false),
                in.text(n, p, "passwordFile", "", false),
                in.text(n, p, "certificatePem", "", false),
                in.text(n, p, "keyPem", "", false));
        boolean pem = !c.certificateFile().isEmpty() || !c.keyFile().isEmpty();
        boolean inline = c.isInline() || !c.keyPem().isEmpty();
        int kinds = (pem ? 1 : 0) + (c.isPfx() ? 1 : 0) + (inline ? 1 : 0);
        if (kinds != 1) {
          in.problems()
              .add(
                  p,
                  "give either certificateFile and keyFile (PEM), pfxFile and passwordFile"
                      + " (PKCS#12), or certificatePem and keyPem (uploaded)");
        } else if (inline && (c.certificatePem().isEmpty() || c.keyPem().isEmpty())) {
          in.problems().add(p, "an uploaded certificate needs both certificatePem and keyPem");
        } else if (pem && (c.certificateFile().isEmpty() || c.keyFile().isEmpty())) {
          in.problems().add(p, "a PEM certificate needs both certificateFile and keyFile");
        } else if (c.isPfx() && c.passwordFile().isEmpty()) {
          in.problems().add(TreeReader.join(p, "passwordFile"), "is required with pfxFile");
        }
        out.add(c);
      }
    }
    if (list != null && !list.isNull() && !list.isArray()) {
      in.problems().add("certificates", "expected a list, got " + TreeReader.describe(list));
    }
    return out;
  }

  private List<CaFamily> caFamilies(JsonNode list) {
    List<CaFamily> out = new ArrayList<>();
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      String p = "caFamilies[" + i + "]";
      JsonNode n = list.get(i);
      if (in.object(n, p, CA_FIELDS)) {
        out.add(
            new CaFamily(
                in.text(n, p, "name", "", true),
                texts(n.get("files"), TreeReader.join(p, "files"))));
      }
    }
    if (list != null && !list.isNull() && !list.isArray()) {
      in.problems().add("caFamilies", "expected a list, got " + TreeReader.describe(list));
    }
    return out;
  }

  private Optional<Reencrypt> reencrypt(JsonNode n, String path) {
    if (n == null || n.isNull() || !in.object(n, path, REENCRYPT_FIELDS)) {
      return Optional.empty();
    }
    return Optional.of(
        new Reencrypt(
            in.text(n, path, "verifyCa", "", true),
            in.text(n, path, "clientCertificate", "", false)));
  }

  private Optional<Termination> termination(JsonNode n, String path) {
    if (n == null || n.isNull() || !in.object(n, path, TERMINATION_FIELDS)) {
      return Optional.empty();
    }
    java.util.Map<String, String> sni = new java.util.TreeMap<>();
    JsonNode names = n.get("sni");
    if (names != null && !names.isNull()) {
      if (!names.isObject()) {
        in.problems()
            .add(
                TreeReader.join(path, "sni"),
                "expected host names to certificate names, e.g. {mychart.example.org: mychart}");
      } else {
        names
            .fields()
            .forEachRemaining(
                e -> {
                  if (e.getValue().isTextual()) {
                    sni.put(
                        e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue().textValue());
                  } else {
                    in.problems()
                        .add(
                            TreeReader.join(path, "sni") + "." + e.getKey(),
                            "expected a certificate name, got "
                                + TreeReader.describe(e.getValue()));
                  }
                });
      }
    }
    return Optional.of(
        new Termination(
            in.integer(n, path, "port", 443, 1, 65535),
            in.text(n, path, "certificate", "", true),
            in.text(n, path, "clientCa", "", false),
            sni,
            in.bool(n, path, "http2", true)));
  }

  private Optional<Alerts> alerts(JsonNode node) {
    if (node == null || node.isNull() || !in.object(node, "alerts", ALERT_FIELDS)) {
      return Optional.empty();
    }
    String p = "alerts";
    return Optional.of(
        new Alerts(
            in.text(node, p, "smtpHost", "", true),
            in.integer(node, p, "smtpPort", 587, 1, 65535),
            in.choice(node, p, "security", SmtpSecurity.class, SmtpSecurity.STARTTLS),
            in.text(node, p, "username", "", false),
            in.text(node, p, "passwordFile", "", false),
            in.text(node, p, "from", "", true),
            texts(node.get("to"), TreeReader.join(p, "to")),
            in.duration(
                node,
                p,
                "minInterval",
                Duration.ofMinutes(1),
                Duration.ofSeconds(1),
                Duration.ofHours(24)),
            in.text(node, p, "caFile", "", false)));
  }

  /** A list of strings (empty when absent). */
  private List<String> texts(JsonNode list, String path) {
    List<String> out = new ArrayList<>();
    if (list == null || list.isNull()) {
      return out;
    }
    if (!list.isArray()) {
      in.problems().add(path, "expected a list, got " + TreeReader.describe(list));
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).isTextual()) {
        out.add(list.get(i).textValue());
      } else {
        in.problems()
            .add(path + "[" + i + "]", "expected text, got " + TreeReader.describe(list.get(i)));
      }
    }
    return out;
  }

  private List<FloatingIp> floatingIps(JsonNode list) {
    List<FloatingIp> ips = new ArrayList<>();
    if (list == null || list.isNull()) {
      return ips;
    }
    if (!list.isArray()) {
      in.problems().add("floatingIps", "expected a list such as [10.99.1.1/24]");
      return ips;
    }
    for (int i = 0; i < list.size(); i++) {
      String path = "floatingIps[" + i + "]";
      JsonNode n = list.get(i);
      Optional<FloatingIp> ip = n.isTextual() ? FloatingIp.parse(n.textValue()) : Optional.empty();
      if (ip.isEmpty()) {
        in.problems()
            .add(
                path,
                TreeReader.describe(n) + " (expected an IP address with an optional /prefix)");
      } else if (ips.stream().anyMatch(f -> f.address().equals(ip.get().address()))) {
        in.problems().add(path, ip.get().address() + " is listed twice");
      } else {
        ips.add(ip.get());
      }
    }
    return ips;
  }

  private Optional<VirtualService> virtualService(JsonNode node, String path) {
    if (!in.object(node, path, VIP_FIELDS)) {
      return Optional.empty();
    }
    String label = label(node, path);
    String address = in.address(node, path, "address", true);
    List<Integer> ports = ports(node, path);
    Layer layer = layer(node, path);
    ForwardingMode mode = in.choice(node, path, "mode", ForwardingMode.class, null);
    if (layer == Layer.L4 && mode == null && node.get("mode") == null) {
      in.problems().add(TreeReader.join(path, "mode"), "is required for layer 4 (dr, nat or snat)");
    }
    if (layer == Layer.L7 && mode != null && mode != ForwardingMode.SNAT) {
      in.problems()
          .add(
              TreeReader.join(path, "mode"),
              "'" + mode.configName() + "' applies to layer 4 only; layer 7 is always a proxy");
    }
    Protocol protocol = in.choice(node, path, "protocol", Protocol.class, Protocol.TCP);
    if (layer == Layer.L4 && protocol != Protocol.TCP) {
      in.problems()
          .add(
              TreeReader.join(path, "protocol"),
              "layer 4 forwards TCP; http, dicom and hl7-mllp need layer 7");
    }
    // The kernel spreads layer 4 flows by a weighted hash: no connection counts to use.
    boolean kernel = layer == Layer.L4;
    SchedulerKind scheduler =
        in.choice(
            node,
            path,
            "scheduler",
            SchedulerKind.class,
            kernel ? SchedulerKind.WEIGHTED_ROUND_ROBIN : SchedulerKind.WEIGHTED_LEAST_CONNECTION);
    List<RealServer> realServers = realServers(node, path);
    return Optional.of(
        new VirtualService(
            label,
            address,
            ports,
            layer,
            mode == null ? ForwardingMode.SNAT : mode,
            protocol,
            scheduler,
            persistence(node.get("persistence"), TreeReader.join(path, "persistence")),
            healthCheck(node.get("healthCheck"), TreeReader.join(path, "healthCheck")),
            fallback(node.get("fallback"), TreeReader.join(path, "fallback")),
            timeouts(node.get("timeouts"), TreeReader.join(path, "timeouts")),
            realServers,
            texts(node.get("alertRecipients"), TreeReader.join(path, "alertRecipients")),
            in.bool(node, path, "forceHttps", false),
            termination(node.get("termination"), TreeReader.join(path, "termination")),
            in.bool(node, path, "transparent", false),
            size(node, path, "maxRequestBody"),
            in.choice(node, path, "trailers", Trailers.class, Trailers.FORWARD),
            dicom(node.get("dicom"), TreeReader.join(path, "dicom")),
            hl7(node.get("hl7"), TreeReader.join(path, "hl7"))));
  }

  private Hl7Settings hl7(JsonNode n, String path) {
    Hl7Settings d = Hl7Settings.DEFAULT;
    if (n == null || n.isNull() || !in.object(n, path, HL7_FIELDS)) {
      return d;
    }
    long max = n.has("maxMessage") ? size(n, path, "maxMessage") : d.maxMessage();
    if (max < 1024 || max > 64L * 1024 * 1024) {
      in.problems()
          .add(TreeReader.join(path, "maxMessage"), max + " bytes (expected 1KiB to 64MiB)");
      max = d.maxMessage();
    }
    return new Hl7Settings(
        max,
        in.duration(
            n, path, "ackTimeout", d.ackTimeout(), Duration.ofMillis(100), Duration.ofMinutes(10)),
        in.bool(n, path, "resendOnNak", d.resendOnNak()),
        in.choice(n, path, "orderBy", Hl7Order.class, d.orderBy()));
  }

  private Optional<DicomRouting> dicom(JsonNode n, String path) {
    if (n == null || n.isNull() || !in.object(n, path, DICOM_FIELDS)) {
      return Optional.empty();
    }
    List<AeRoute> routes = new ArrayList<>();
    JsonNode list = n.get("routes");
    String routesPath = TreeReader.join(path, "routes");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        in.problems().add(routesPath, "expected a list, got " + TreeReader.describe(list));
      } else {
        for (int i = 0; i < list.size(); i++) {
          String p = routesPath + "[" + i + "]";
          JsonNode r = list.get(i);
          if (!in.object(r, p, AE_ROUTE_FIELDS)) {
            continue;
          }
          String calling = in.text(r, p, "callingAeTitle", null, false);
          routes.add(
              new AeRoute(
                  in.text(r, p, "calledAeTitle", "", true),
                  Optional.ofNullable(calling),
                  texts(r.get("servers"), TreeReader.join(p, "servers")),
                  texts(r.get("sources"), TreeReader.join(p, "sources"))));
        }
      }
    }
    JsonNode defaults = n.get("defaultServers");
    return Optional.of(
        new DicomRouting(
            routes,
            defaults == null || defaults.isNull()
                ? Optional.empty()
                : Optional.of(texts(defaults, TreeReader.join(path, "defaultServers"))),
            texts(n.get("callingAeTitles"), TreeReader.join(path, "callingAeTitles")),
            textMap(n.get("serverAeTitles"), TreeReader.join(path, "serverAeTitles")),
            in.bool(n, path, "persistByCallingAe", false)));
  }

  /** A map of text to text ({@code {rs1: ARCHIVE_A}}); empty when absent. */
  private java.util.Map<String, String> textMap(JsonNode n, String path) {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      in.problems()
          .add(path, "expected a map, e.g. {rs1: ARCHIVE_A}, got " + TreeReader.describe(n));
      return out;
    }
    n.fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().textValue());
              } else {
                in.problems()
                    .add(
                        path + "." + e.getKey(),
                        "expected text, got " + TreeReader.describe(e.getValue()));
              }
            });
    return out;
  }

  /** A size in bytes ({@code 100MiB}, {@code 1048576}); 0 when absent. */
  private long size(JsonNode node, String path, String field) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    long bytes =
        n.isIntegralNumber() ? n.asLong() : n.isTextual() ? ByteSizes.parse(n.asText()) : -1;
    if (bytes < 0) {
      in.problems()
          .add(
              TreeReader.join(path, field),
              "expected a size such as 100MiB, 512KiB or a number of bytes, got "
                  + TreeReader.describe(n));
      return 0;
    }
    return bytes;
  }

  private String label(JsonNode node, String path) {
    String label = in.text(node, path, "label", "", true);
    if (!label.isEmpty() && !LABEL.matcher(label).matches()) {
      in.problems()
          .add(
              TreeReader.join(path, "label"),
              "'"
                  + label
                  + "' (expected 1-64 of A-Z a-z 0-9 _ . - starting with a letter or digit)");
    }
    return label;
  }

  private List<Integer> ports(JsonNode node, String path) {
    String p = TreeReader.join(path, "ports");
    JsonNode list = node.get("ports");
    List<Integer> ports = new ArrayList<>();
    if (list == null || list.isNull()) {
      in.problems().add(p, "is required (a list of one or more ports)");
      return ports;
    }
    if (!list.isArray() || list.isEmpty()) {
      in.problems()
          .add(p, "expected a list of one or more ports, got " + TreeReader.describe(list));
      return ports;
    }
    for (int i = 0; i < list.size(); i++) {
      int port = in.integerValue(list.get(i), p + "[" + i + "]", -1, 1, 65535);
      if (port < 0) {
        continue;
      }
      if (ports.contains(port)) {
        in.problems().add(p + "[" + i + "]", port + " is listed twice");
      } else {
        ports.add(port);
      }
    }
    return ports;
  }

  private Layer layer(JsonNode node, String path) {
    JsonNode l = node.get("layer");
    if (l == null || l.isNull()) {
      return Layer.L7;
    }
    if (l.isIntegralNumber() && l.intValue() == 4) {
      return Layer.L4;
    }
    if (l.isIntegralNumber() && l.intValue() == 7) {
      return Layer.L7;
    }
    in.problems()
        .add(TreeReader.join(path, "layer"), TreeReader.describe(l) + " (expected: 4 or 7)");
    return Layer.L7;
  }

  private List<RealServer> realServers(JsonNode node, String path) {
    String p = TreeReader.join(path, "realServers");
    JsonNode list = node.get("realServers");
    List<RealServer> servers = new ArrayList<>();
    if (list == null || list.isNull()) {
      return servers;
    }
    if (!list.isArray()) {
      in.problems().add(p, "expected a list, got " + TreeReader.describe(list));
      return servers;
    }
    for (int i = 0; i < list.size(); i++) {
      String rp = p + "[" + i + "]";
      JsonNode rs = list.get(i);
      if (!in.object(rs, rp, RS_FIELDS)) {
        continue;
      }
      String label = label(rs, rp);
      String address = in.address(rs, rp, "address", true);
      int port = in.integer(rs, rp, "port", 0, 0, 65535);
      int weight = in.integer(rs, rp, "weight", RealServer.DEFAULT_WEIGHT, 0, 100);
      int min = in.integer(rs, rp, "minConnections", 0, 0, 1_000_000);
      int max = in.integer(rs, rp, "maxConnections", 0, 0, 1_000_000);
      if (max > 0 && min > max) {
        in.problems()
            .add(
                TreeReader.join(rp, "minConnections"),
                min + " is above maxConnections " + max + " (expected: 0.." + max + ")");
      }
      servers.add(
          new RealServer(
              label,
              address,
              port,
              weight,
              min,
              max,
              reencrypt(rs.get("reencrypt"), TreeReader.join(rp, "reencrypt"))));
    }
    return servers;
  }

  private Optional<Fallback> fallback(JsonNode node, String path) {
    if (node == null || node.isNull() || !in.object(node, path, FALLBACK_FIELDS)) {
      return Optional.empty();
    }
    boolean enabled = in.bool(node, path, "enabled", true);
    String address = in.address(node, path, "address", enabled);
    int port = in.integer(node, path, "port", 0, 0, 65535);
    boolean masquerade = in.bool(node, path, "masquerade", false);
    return enabled ? Optional.of(new Fallback(address, port, masquerade)) : Optional.empty();
  }

  private Timeouts timeouts(JsonNode node, String path) {
    Timeouts d = Timeouts.DEFAULT;
    if (node == null || node.isNull() || !in.object(node, path, TIMEOUT_FIELDS)) {
      return d;
    }
    return new Timeouts(
        in.duration(
            node, path, "connect", d.connect(), Duration.ofMillis(1), Duration.ofMinutes(5)),
        in.duration(node, path, "client", d.client(), Duration.ofSeconds(1), MAX_IDLE),
        in.duration(node, path, "server", d.server(), Duration.ofSeconds(1), MAX_IDLE),
        in.duration(node, path, "queue", d.queue(), Duration.ZERO, Duration.ofMinutes(1)),
        in.duration(
            node,
            path,
            "httpRequest",
            d.httpRequest(),
            Duration.ofMillis(100),
            Duration.ofMinutes(5)));
  }

  private Persistence persistence(JsonNode node, String path) {
    if (node == null || node.isNull() || !in.object(node, path, PERSISTENCE_FIELDS)) {
      return Persistence.NONE;
    }
    return new Persistence(
        in.choice(node, path, "mode", PersistenceMode.class, PersistenceMode.NONE),
        in.duration(node, path, "timeout", Duration.ZERO, Duration.ZERO, Duration.ofDays(7)),
        // Not given: the whole address, IPv4 or IPv6 (a prefix is capped at the address length).
        in.integer(node, path, "netmask", 128, 0, 128),
        in.text(node, path, "cookie", Persistence.DEFAULT_COOKIE, false));
  }

  private HealthCheck healthCheck(JsonNode node, String path) {
    HealthCheck d = HealthCheck.NONE;
    if (node == null || node.isNull() || !in.object(node, path, CHECK_FIELDS)) {
      return d;
    }
    return new HealthCheck(
        in.choice(node, path, "type", CheckType.class, CheckType.NONE),
        in.duration(
            node, path, "interval", d.interval(), Duration.ofMillis(100), Duration.ofHours(1)),
        in.duration(
            node, path, "timeout", d.timeout(), Duration.ofMillis(10), Duration.ofMinutes(5)),
        in.integer(node, path, "rise", d.rise(), 1, 100),
        in.integer(node, path, "fall", d.fall(), 1, 100),
        in.integer(node, path, "port", d.port(), 0, 65535),
        in.text(node, path, "callingAeTitle", d.callingAeTitle(), false),
        in.text(node, path, "calledAeTitle", d.calledAeTitle(), false),
        in.text(node, path, "hl7ReceivingApplication", d.hl7ReceivingApplication(), false),
        in.text(node, path, "hl7ReceivingFacility", d.hl7ReceivingFacility(), false),
        in.text(node, path, "hl7MessageType", d.hl7MessageType(), false),
        in.text(node, path, "script", d.script(), false),
        httpGet(node, path),
        checkTls(node, path));
  }

  private HttpGet httpGet(JsonNode node, String path) {
    HttpGet d = HttpGet.DEFAULT;
    return new HttpGet(
        in.text(node, path, "path", d.path(), false),
        in.text(node, path, "host", d.host(), false),
        in.integer(node, path, "expectStatus", d.expectStatus(), 100, 599),
        in.text(node, path, "expectBody", d.expectBody(), false),
        in.choice(node, path, "bodyMatch", BodyMatch.class, d.bodyMatch()));
  }

  private CheckTls checkTls(JsonNode node, String path) {
    CheckTls d = CheckTls.DEFAULT;
    return new CheckTls(
        in.bool(node, path, "tls", d.enabled()),
        in.bool(node, path, "verifyCertificate", d.verifyCertificate()),
        in.text(node, path, "caFile", d.caFile(), false),
        in.text(node, path, "clientCertificateFile", d.clientCertificateFile(), false),
        in.text(node, path, "clientKeyFile", d.clientKeyFile(), false));
  }
}
