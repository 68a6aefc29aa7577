package org.lbctl.core.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Rules that span objects: unique labels, listener clashes, what this build can serve. */
final class ConfigValidator {
  private final Problems problems;

  ConfigValidator(Problems problems) {
    this.problems = problems;
  }

  void validate(ReplicatedConfig config) {
    Map<String, Integer> vipLabels = new HashMap<>();
    List<VirtualService> vips = config.virtualServices();
    for (int i = 0; i < vips.size(); i++) {
      VirtualService vip = vips.get(i);
      String path = "virtualServices[" + i + "]";
      Integer first = vipLabels.putIfAbsent(folded(vip.label()), i);
      if (first != null && !vip.label().isEmpty()) {
        problems.add(
            path + ".label",
            clash(vip.label(), vips.get(first).label(), "virtualServices[" + first + "]"));
      }
      uniqueRealServerLabels(vip, path);
      uniqueRealServers(vip, path);
      portClashes(vips, i);
      notYetAvailable(vip, path);
      mailboxes(path + ".alertRecipients", vip.alertRecipients());
      if (!vip.alertRecipients().isEmpty() && config.alerts().isEmpty()) {
        problems.add(
            path + ".alertRecipients",
            "needs an alerts section (SMTP server and sender) to send anything");
      }
    }
    config.alerts().ifPresent(this::alerts);
    uniqueNames(
        "certificates", config.certificates().stream().map(NamedCertificate::name).toList());
    uniqueNames("caFamilies", config.caFamilies().stream().map(CaFamily::name).toList());
    new GroupRules(problems).check(config);
    for (int i = 0; i < vips.size(); i++) {
      termination(config, vips.get(i), "virtualServices[" + i + "].termination");
      reencrypt(config, vips.get(i), "virtualServices[" + i + "]");
    }
  }

  private void uniqueNames(String path, List<String> names) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).isEmpty()) {
        continue;
      }
      Integer first = seen.putIfAbsent(folded(names.get(i)), i);
      if (first != null) {
        problems.add(
            path + "[" + i + "].name",
            clash(names.get(i), names.get(first), path + "[" + first + "]"));
      }
    }
  }

  /**
   * Labels and names are told apart ignoring case: a stick table, a metric or an engineer reading a
   * log would otherwise take two for one.
   */
  private static String folded(String label) {
    return label.toLowerCase(java.util.Locale.ROOT);
  }

  private static String clash(String label, String earlier, String where) {
    return label.equals(earlier)
        ? "'" + label + "' is already used by " + where
        : "'"
            + label
            + "' differs only in case from '"
            + earlier
            + "' of "
            + where
            + ": labels must differ in more than case";
  }

  /** One real server (address and port) listed twice would take two shares under two names. */
  private void uniqueRealServers(VirtualService vip, String path) {
    Map<String, Integer> seen = new HashMap<>();
    for (int j = 0; j < vip.realServers().size(); j++) {
      RealServer rs = vip.realServers().get(j);
      String endpoint =
          Endpoints.format(
              new java.net.InetSocketAddress(IpLiterals.parse(rs.address()), rs.port()));
      Integer first = seen.putIfAbsent(endpoint, j);
      if (first != null) {
        problems.add(
            path + ".realServers[" + j + "].address",
            endpoint
                + (rs.port() == 0 ? " (the client's port)" : "")
                + " is already realServers["
                + first
                + "] ('"
                + vip.realServers().get(first).label()
                + "') of this virtual service: one server under two labels");
      }
    }
  }

  private void termination(ReplicatedConfig config, VirtualService vip, String path) {
    if (vip.termination().isEmpty()) {
      return;
    }
    Termination t = vip.termination().get();
    if (vip.layer() == Layer.L4) {
      problems.add(path, "TLS termination needs the proxy: layer 7 (TCP or HTTP mode)");
    }
    if (vip.ports().contains(t.port())) {
      problems.add(path + ".port", t.port() + " is also one of the VIP's plain ports");
    }
    if (!t.certificate().isEmpty() && config.certificate(t.certificate()).isEmpty()) {
      problems.add(
          path + ".certificate",
          "'"
              + t.certificate()
              + "' is not in certificates "
              + names(config.certificates().stream().map(NamedCertificate::name).toList()));
    }
    t.sni()
        .forEach(
            (host, cert) -> {
              if (!host.matches(
                  "(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                problems.add(path + ".sni." + host, "'" + host + "' is not a host name");
              }
              if (config.certificate(cert).isEmpty()) {
                problems.add(
                    path + ".sni." + host,
                    "'"
                        + cert
                        + "' is not in certificates "
                        + names(
                            config.certificates().stream().map(NamedCertificate::name).toList()));
              }
            });
    if (!t.clientCa().isEmpty() && config.caFamily(t.clientCa()).isEmpty()) {
      problems.add(
          path + ".clientCa",
          "'"
              + t.clientCa()
              + "' is not in caFamilies "
              + names(config.caFamilies().stream().map(CaFamily::name).toList()));
    }
  }

  private void reencrypt(ReplicatedConfig config, VirtualService vip, String path) {
    for (int r = 0; r < vip.realServers().size(); r++) {
      RealServer rs = vip.realServers().get(r);
      if (rs.reencrypt().isEmpty()) {
        continue;
      }
      String p = path + ".realServers[" + r + "].reencrypt";
      Reencrypt re = rs.reencrypt().get();
      if (vip.layer() == Layer.L4) {
        problems.add(p, "re-encryption needs the proxy: layer 7");
      }
      if (vip.protocol() == Protocol.HL7_MLLP) {
        // Refused rather than ignored: a message must never go out in clear text when TLS was
        // asked for.
        problems.add(p, "is not available in HL7 message mode yet (protocol: tcp re-encrypts)");
      }
      if (!re.verifyCa().isEmpty() && config.caFamily(re.verifyCa()).isEmpty()) {
        problems.add(
            p + ".verifyCa",
            "'"
                + re.verifyCa()
                + "' is not in caFamilies "
                + names(config.caFamilies().stream().map(CaFamily::name).toList()));
      }
      if (!re.clientCertificate().isEmpty()
          && config.certificate(re.clientCertificate()).isEmpty()) {
        problems.add(
            p + ".clientCertificate",
            "'"
                + re.clientCertificate()
                + "' is not in certificates "
                + names(config.certificates().stream().map(NamedCertificate::name).toList()));
      }
    }
  }

  private static String names(List<String> names) {
    return names.isEmpty() ? "(none defined)" : names.toString();
  }

  private void alerts(Alerts a) {
    if (!a.from().isEmpty()) {
      mailboxes("alerts.from", List.of(a.from()));
    }
    mailboxes("alerts.to", a.to());
    if (a.username().isEmpty() != a.passwordFile().isEmpty()) {
      problems.add(
          a.username().isEmpty() ? "alerts.username" : "alerts.passwordFile",
          "SMTP authentication needs both username and passwordFile");
    }
    if (a.security() == SmtpSecurity.NONE && !a.caFile().isEmpty()) {
      problems.add("alerts.caFile", "is set but security 'none' does not use TLS");
    }
    if (a.security() == SmtpSecurity.NONE && !a.username().isEmpty()) {
      problems.add(
          "alerts.security", "'none' would send the SMTP password in clear: use starttls or tls");
    }
  }

  /** Addresses alerts go to: one {@code @}, something on each side, no spaces or brackets. */
  private void mailboxes(String path, List<String> addresses) {
    for (int i = 0; i < addresses.size(); i++) {
      String a = addresses.get(i);
      int at = a.indexOf('@');
      if (at < 1 || at != a.lastIndexOf('@') || at == a.length() - 1 || !a.matches("[^\\s<>,;]+")) {
        problems.add(
            path + (path.endsWith("from") ? "" : "[" + i + "]"),
            "'" + a + "' is not an email address");
      }
    }
  }

  private void uniqueRealServerLabels(VirtualService vip, String path) {
    Map<String, Integer> labels = new HashMap<>();
    for (int j = 0; j < vip.realServers().size(); j++) {
      String label = vip.realServers().get(j).label();
      Integer first = labels.putIfAbsent(folded(label), j);
      if (first != null && !label.isEmpty()) {
        problems.add(
            path + ".realServers[" + j + "].label",
            clash(
                label,
                vip.realServers().get(first).label(),
                "realServers[" + first + "] of this virtual service"));
      }
    }
  }

  /** Reports each port of VIP {@code i} that an earlier VIP already listens on. */
  private void portClashes(List<VirtualService> vips, int i) {
    VirtualService vip = vips.get(i);
    for (int k = 0; k < i; k++) {
      VirtualService other = vips.get(k);
      if (!addressesOverlap(vip.address(), other.address())) {
        continue;
      }
      for (int p = 0; p < vip.ports().size(); p++) {
        int port = vip.ports().get(p);
        if (other.ports().contains(port)) {
          problems.add(
              "virtualServices[" + i + "].ports[" + p + "]",
              port
                  + " on "
                  + vip.address()
                  + " clashes with virtualServices["
                  + k
                  + "] ("
                  + other.label()
                  + ") on "
                  + other.address());
        }
      }
    }
  }

  static boolean addressesOverlap(String a, String b) {
    return a.equals(b) || isWildcard(a) || isWildcard(b);
  }

  private static boolean isWildcard(String address) {
    return address.equals("0.0.0.0") || address.equals("::") || address.equals("0:0:0:0:0:0:0:0");
  }

  /**
   * What the kernel can do for a layer 4 VIP (nat, dr, snat): a weighted per-flow hash (per client
   * with source-IP persistence), no connection counts or limits, one address family.
   */
  private void kernelForwarding(VirtualService vip, String path) {
    String mode = vip.mode().configName();
    if (vip.scheduler() != SchedulerKind.WEIGHTED_ROUND_ROBIN
        && vip.scheduler() != SchedulerKind.SOURCE_HASH) {
      problems.add(
          path + ".scheduler",
          "'"
              + vip.scheduler().configName()
              + "' needs connection counts the kernel does not keep for layer 4 "
              + mode
              + ": use weighted-round-robin (a weighted per-flow hash) or source-hash");
    }
    PersistenceMode persistence = vip.persistence().mode();
    if (persistence != PersistenceMode.NONE && persistence != PersistenceMode.SOURCE_IP) {
      problems.add(
          path + ".persistence.mode",
          "'"
              + persistence.configName()
              + "' needs a layer 7 VIP (the proxy); layer 4 "
              + mode
              + " keeps clients by source-ip");
    }
    boolean v6 = !sameFamily(vip.address(), false);
    if (persistence == PersistenceMode.SOURCE_IP && vip.persistence().netmask() < (v6 ? 128 : 32)) {
      problems.add(
          path + ".persistence.netmask",
          "grouping clients by netmask is not available for layer 4 " + mode + " yet");
    }
    for (int r = 0; r < vip.realServers().size(); r++) {
      RealServer rs = vip.realServers().get(r);
      String at = path + ".realServers[" + r + "]";
      if (rs.maxConnections() > 0 || rs.minConnections() > 0) {
        problems.add(
            at + ".maxConnections",
            "connection limits need a layer 7 VIP (the proxy); the kernel does not count"
                + " layer 4 "
                + mode
                + " connections per server");
      }
      if (sameFamily(rs.address(), v6)) {
        continue;
      }
      problems.add(at + ".address", "must be IPv" + (v6 ? "6" : "4") + " like the VIP's address");
    }
    vip.fallback()
        .filter(f -> !sameFamily(f.address(), v6))
        .ifPresent(
            f ->
                problems.add(
                    path + ".fallback.address",
                    "must be IPv" + (v6 ? "6" : "4") + " like the VIP's address"));
  }

  /**
   * DR forwards the client's packet as it is: the real server (and the fallback) must listen on the
   * port the client chose.
   */
  /** AE titles as PS3.5 allows them, routes to servers the service has, no route twice. */
  private void dicom(VirtualService vip, DicomRouting d, String path) {
    if (vip.protocol() != Protocol.DICOM) {
      problems.add(path, "needs protocol: dicom");
      return;
    }
    java.util.Set<String> labels = new java.util.TreeSet<>();
    vip.realServers().forEach(r -> labels.add(r.label()));
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < d.routes().size(); i++) {
      AeRoute r = d.routes().get(i);
      String p = path + ".routes[" + i + "]";
      aeTitle(r.calledAeTitle(), p + ".calledAeTitle");
      r.callingAeTitle().ifPresent(c -> aeTitle(c, p + ".callingAeTitle"));
      servers(r.servers(), labels, p + ".servers");
      for (int k = 0; k < r.sources().size(); k++) {
        if (Network.parse(r.sources().get(k)).isEmpty()) {
          problems.add(
              p + ".sources[" + k + "]",
              "'"
                  + r.sources().get(k)
                  + "' (expected a network such as 10.20.0.0/16 or an address)");
        }
      }
      if (!seen.add(
          r.calledAeTitle()
              + "\\"
              + r.callingAeTitle().orElse("")
              + "\\"
              + new java.util.TreeSet<>(r.sources()))) {
        problems.add(
            p,
            "routes called AE title '"
                + r.calledAeTitle()
                + "'"
                + r.callingAeTitle().map(c -> " from calling '" + c + "'").orElse("")
                + " again; the first such route always wins");
      }
    }
    d.defaultServers().ifPresent(s -> servers(s, labels, path + ".defaultServers"));
    for (int i = 0; i < d.callingAeTitles().size(); i++) {
      aeTitle(d.callingAeTitles().get(i), path + ".callingAeTitles[" + i + "]");
    }
    new java.util.TreeMap<>(d.serverAeTitles())
        .forEach(
            (server, title) -> {
              if (!labels.contains(server)) {
                problems.add(
                    path + ".serverAeTitles." + server,
                    "'" + server + "' is not a real server of this virtual service " + labels);
              }
              aeTitle(title, path + ".serverAeTitles." + server);
            });
    if (d.persistByCallingAe() && vip.persistence().mode() != PersistenceMode.SOURCE_IP) {
      problems.add(
          path + ".persistByCallingAe",
          "needs persistence mode source-ip (it scopes the client's entry by Calling AE title)");
    }
    if (d.routes().isEmpty() && d.defaultServers().isEmpty()) {
      problems.add(
          path,
          "routes no association: give routes (calledAeTitle and servers), defaultServers, or"
              + " both");
    }
  }

  private void aeTitle(String title, String path) {
    org.lbctl.core.dicom.AeTitle.problem(title).ifPresent(p -> problems.add(path, p));
  }

  private void servers(List<String> servers, java.util.Set<String> labels, String path) {
    if (servers.isEmpty()) {
      problems.add(path, "is empty (expected one or more real-server labels)");
    }
    for (int i = 0; i < servers.size(); i++) {
      if (!labels.contains(servers.get(i))) {
        problems.add(
            path + "[" + i + "]",
            "'" + servers.get(i) + "' is not a real server of this virtual service " + labels);
      }
    }
  }

  private void noPortTranslation(VirtualService vip, String path) {
    for (int r = 0; r < vip.realServers().size(); r++) {
      int port = vip.realServers().get(r).port();
      if (port != 0 && !(vip.ports().size() == 1 && vip.ports().get(0) == port)) {
        problems.add(
            path + ".realServers[" + r + "].port",
            port
                + ": dr cannot translate ports; use 0 (the port the client connected to) or the"
                + " VIP's port");
      }
    }
    vip.fallback()
        .filter(f -> f.port() != 0 && !(vip.ports().size() == 1 && vip.ports().get(0) == f.port()))
        .ifPresent(
            f ->
                problems.add(
                    path + ".fallback.port",
                    f.port()
                        + ": dr cannot translate ports; use 0 (the port the client connected to)"
                        + " or the VIP's port"));
  }

  private static boolean sameFamily(String address, boolean v6) {
    try {
      return (IpLiterals.parse(address) instanceof java.net.Inet6Address) == v6;
    } catch (RuntimeException e) {
      // Reported where the address is read.
      return true;
    }
  }

  /** Features the model names but this build cannot serve yet are refused, never faked. */
  private void notYetAvailable(VirtualService vip, String path) {
    if (vip.layer() == Layer.L4) {
      kernelForwarding(vip, path);
    }
    if (vip.layer() == Layer.L4 && vip.mode() == ForwardingMode.DR) {
      noPortTranslation(vip, path);
    }
    if (vip.transparent() && !vip.isProxied()) {
      problems.add(
          path + ".transparent",
          "applies to layer 7 virtual services (layer 4 nat and dr keep the client's address"
              + " anyway)");
    }
    if (vip.forceHttps() && vip.protocol() != Protocol.HTTP) {
      problems.add(path + ".forceHttps", "needs protocol: http");
    }
    if (vip.trailers() != Trailers.FORWARD && vip.protocol() != Protocol.HTTP) {
      problems.add(path + ".trailers", "needs protocol: http (TCP mode does not read bodies)");
    }
    if (vip.maxRequestBody() > 0 && vip.protocol() != Protocol.HTTP) {
      problems.add(
          path + ".maxRequestBody", "needs protocol: http (TCP mode does not read bodies)");
    }
    vip.dicom().ifPresent(d -> dicom(vip, d, path + ".dicom"));
    if (!vip.hl7().equals(Hl7Settings.DEFAULT) && vip.protocol() != Protocol.HL7_MLLP) {
      problems.add(path + ".hl7", "needs protocol: hl7-mllp");
    }
    PersistenceMode persistence = vip.persistence().mode();
    if (persistence == PersistenceMode.HTTP_COOKIE) {
      if (vip.protocol() != Protocol.HTTP) {
        problems.add(
            path + ".persistence.mode",
            "'http-cookie' needs protocol: http (a tcp VIP cannot see cookies; source-ip or"
                + " last-successful work there)");
      }
      if (!org.lbctl.core.persistence.StickyCookie.isToken(vip.persistence().cookie())) {
        problems.add(
            path + ".persistence.cookie",
            "'" + vip.persistence().cookie() + "' cannot be a cookie name");
      }
    } else if (persistence != PersistenceMode.NONE && vip.persistence().timeout().isZero()) {
      problems.add(
          path + ".persistence.timeout",
          "is required for " + persistence.configName() + " (e.g. 60m, 300s, 720m)");
    }
    HealthCheck check = vip.healthCheck();
    if (!CheckType.AVAILABLE.contains(check.type())) {
      problems.add(
          path + ".healthCheck.type",
          "'"
              + check.type().configName()
              + "' is not available in this build yet (available: "
              + CheckType.AVAILABLE.stream().map(CheckType::configName).toList()
              + ")");
    }
    if (check.type() == CheckType.DICOM_ECHO) {
      org.lbctl.core.dicom.AeTitle.problem(check.callingAeTitle())
          .ifPresent(p -> problems.add(path + ".healthCheck.callingAeTitle", p));
      org.lbctl.core.dicom.AeTitle.problem(check.calledAeTitle())
          .ifPresent(p -> problems.add(path + ".healthCheck.calledAeTitle", p));
    }
    if (check.type() == CheckType.EXTERNAL
        && !check.script().matches("[A-Za-z0-9_][A-Za-z0-9._-]*")) {
      problems.add(
          path + ".healthCheck.script",
          check.script().isEmpty()
              ? "is required for an external check: the name of a program in the node's scripts"
                  + " directory"
              : "'"
                  + check.script()
                  + "' is not a script name (letters, digits, . _ -; no path: scripts live in"
                  + " the node's scripts directory)");
    }
    if (check.type() == CheckType.HTTP_GET || check.type() == CheckType.HTTPS_GET) {
      httpGet(path + ".healthCheck", check);
    }
    checkTls(path + ".healthCheck", check);
    if (check.type() == CheckType.HL7) {
      hl7Field(path + ".healthCheck.hl7ReceivingApplication", check.hl7ReceivingApplication());
      hl7Field(path + ".healthCheck.hl7ReceivingFacility", check.hl7ReceivingFacility());
      hl7Field(path + ".healthCheck.hl7MessageType", check.hl7MessageType());
      if (check.hl7MessageType().isBlank()) {
        problems.add(path + ".healthCheck.hl7MessageType", "must not be empty (e.g. NMD^N02)");
      }
    }
    if (check.type() != CheckType.NONE && check.timeout().compareTo(check.interval()) > 0) {
      problems.add(
          path + ".healthCheck.timeout",
          Durations.format(check.timeout())
              + " is longer than the interval "
              + Durations.format(check.interval())
              + ": a check would still run when the next is due");
    }
  }

  private void httpGet(String path, HealthCheck check) {
    HttpGet g = check.http();
    if (!g.path().startsWith("/") || g.path().chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
      problems.add(
          path + ".path", "'" + g.path() + "' is not a request path (starts with /, no spaces)");
    }
    if (g.host().chars().anyMatch(c -> c <= 0x20 || c == 0x7f || c == '/')) {
      problems.add(path + ".host", "'" + g.host() + "' is not a host name");
    }
  }

  /** Certificates that a check needs, or names without using them. */
  private void checkTls(String path, HealthCheck check) {
    CheckTls t = check.tls();
    if (t.enabled() && check.type() != CheckType.DICOM_ECHO) {
      problems.add(
          path + ".tls",
          "applies to dicom-echo only ("
              + (check.type() == CheckType.HTTP_GET ? "use https-get" : "https-get is TLS anyway")
              + ")");
    }
    if (!check.usesTls()) {
      if (t.namesFiles()) {
        problems.add(
            path + ".type",
            "certificates are set but '"
                + check.type().configName()
                + "' does not use TLS (https-get does, dicom-echo with tls: true)");
      }
      return;
    }
    if (t.verifyCertificate() && t.caFile().isEmpty()) {
      problems.add(
          path + ".caFile",
          "is required to verify the real servers' certificates (or set verifyCertificate: false)");
    }
    if (t.clientCertificateFile().isEmpty() != t.clientKeyFile().isEmpty()) {
      problems.add(
          path + (t.clientKeyFile().isEmpty() ? ".clientKeyFile" : ".clientCertificateFile"),
          "a client certificate needs both clientCertificateFile and clientKeyFile");
    }
  }

  /** An MSH field the check writes: no field separator, no repetition or escape, one line. */
  private void hl7Field(String path, String value) {
    for (char c : value.toCharArray()) {
      if (c == '|' || c == '~' || c == '\\' || c < 0x20) {
        problems.add(
            path, "'" + value + "' holds a character an MSH field cannot (| ~ \\ or a control)");
        return;
      }
    }
  }
}
