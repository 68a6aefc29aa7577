package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.cluster.node.Node;
import org.lbctl.core.config.ManagementHttps;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.os.Commands;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestPki;
import org.lbctl.core.tls.ManagementCertificate;

/**
 * The management API on HTTPS, called by curl: authentication (passwords, tokens, sessions), the
 * brute-force throttle, optimistic concurrency on configuration edits, and the audit log. Each test
 * that must not share the throttle's memory calls from its own loopback address.
 */
@Tag("timed") // what it asserts depends on time: it runs alone (lb-cli/pom.xml)
class ManagementHttpsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";

  @TempDir Path dir;
  private Path configFile;
  private Node node;
  private int port;

  /** One answer as curl saw it. */
  record Answer(int status, Map<String, String> headers, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  @BeforeEach
  void start() throws Exception {
    port = Ports.free();
    configFile = dir.resolve("lbctl.yaml");
    Files.writeString(
        configFile,
        """
        virtualServices:
          - label: pacs
            address: 127.0.0.1
            ports: [%d]
            realServers:
              - {label: pacs1, address: 127.0.0.1, port: %d, weight: 1}
        """
            .formatted(Ports.free(), Ports.free()));
    node = startNode();
  }

  private Node startNode() throws Exception {
    return HttpsNode.start(configFile, port);
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** curl from {@code source} (a loopback address) with extra arguments. */
  private Answer curl(String source, String method, String path, String... args) throws Exception {
    Path headers = Files.createTempFile(dir, "h", ".txt");
    Path body = Files.createTempFile(dir, "b", ".txt");
    List<String> argv =
        new ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "--cacert",
                dir.resolve(ManagementCertificate.CERT_FILE).toString(),
                "--interface",
                source,
                "-X",
                method,
                "-D",
                headers.toString(),
                "-o",
                body.toString(),
                "-w",
                "%{http_code}"));
    argv.addAll(List.of(args));
    // A script sends JSON; a test that means otherwise says so.
    if (argv.contains("-d")
        && argv.stream().noneMatch(a -> a.regionMatches(true, 0, "Content-Type:", 0, 13))) {
      argv.addAll(List.of("-H", "Content-Type: application/json"));
    }
    argv.add("https://127.0.0.1:" + port + path);
    Commands.Result r = Commands.run(Duration.ofSeconds(20), argv);
    assertThat(r.ok()).as(r.describe()).isTrue();
    Map<String, String> h = new TreeMap<>();
    for (String line : Files.readAllLines(headers)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        h.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
      }
    }
    return new Answer(Integer.parseInt(r.output().strip()), h, Files.readString(body));
  }

  @Test
  void nothingButTheWebUiIsServedWithoutCredentials() throws Exception {
    Answer noUsers = curl("127.0.0.2", "GET", "/v1/status");
    assertThat(noUsers.status()).isEqualTo(401);
    assertThat(noUsers.json().path("error").asText()).contains("lbctl user add");
    assertThat(noUsers.header("WWW-Authenticate")).startsWith("Basic realm=\"lbctl\"");

    node.accounts().addUser("admin", PASSWORD);
    assertThat(curl("127.0.0.2", "GET", "/v1/status").status()).isEqualTo(401);
    assertThat(curl("127.0.0.2", "GET", "/metrics").status()).isEqualTo(401);
    assertThat(curl("127.0.0.2", "GET", "/v1/config").status()).isEqualTo(401);
    Answer edit =
        curl(
            "127.0.0.2",
            "PUT",
            "/v1/virtual-services/pacs/real-servers/pacs1/admin-state",
            "-d",
            "{\"state\":\"halt\"}");
    assertThat(edit.status()).isEqualTo(401);
    assertThat(node.status().virtualServices().get(0).realServers().get(0).adminState())
        .isEqualTo("online");

    Answer ok = curl("127.0.0.2", "GET", "/v1/status", "-u", "admin:" + PASSWORD);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().path("virtualServices").get(0).path("label").asText()).isEqualTo("pacs");
    assertThat(ok.header("Strict-Transport-Security")).isNotNull();
    assertThat(curl("127.0.0.2", "GET", "/ui/").body()).contains("<!doctype html>");
  }

  @Test
  void theGeneratedCertificateIsKeptAndItsKeyReadableByTheNodeOnly() throws Exception {
    Path cert = dir.resolve(ManagementCertificate.CERT_FILE);
    Path key = dir.resolve(ManagementCertificate.KEY_FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    String fingerprint = ManagementCertificate.fingerprint(cert);
    String seen = presented(port, "-fingerprint -sha256");
    assertThat(seen).contains(fingerprint);

    node.close();
    node = startNode();
    assertThat(ManagementCertificate.fingerprint(cert)).isEqualTo(fingerprint);
  }

  @Test
  void passwordGuessersAreLockedOutBeforeTheirGuessIsChecked() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    for (int i = 1; i <= 5; i++) {
      Answer wrong = curl("127.0.0.3", "GET", "/v1/status", "-u", "admin:guess" + i);
      assertThat(wrong.status()).as("guess %d", i).isEqualTo(401);
    }
    Answer sixth = curl("127.0.0.3", "GET", "/v1/status", "-u", "admin:guess6");
    assertThat(sixth.status()).isEqualTo(429);
    assertThat(sixth.header("Retry-After")).isEqualTo("30");
    // Locked out: even the right password is not looked at now, from this address.
    assertThat(curl("127.0.0.3", "GET", "/v1/status", "-u", "admin:" + PASSWORD).status())
        .isEqualTo(429);
    // The guesser cannot lock admin out elsewhere: the name is never locked, only the source.
    assertThat(curl("127.0.0.4", "GET", "/v1/status", "-u", "admin:" + PASSWORD).status())
        .isEqualTo(200);
    // A valid token passes the locked source; a wrong one does not.
    String token = node.accounts().createToken("admin", "script", false);
    assertThat(
            curl("127.0.0.3", "GET", "/v1/status", "-H", "Authorization: Bearer " + token).status())
        .isEqualTo(200);
    assertThat(
            curl("127.0.0.3", "GET", "/v1/status", "-H", "Authorization: Bearer lbctl_x_y")
                .status())
        .isEqualTo(429);

    List<JsonNode> audit = audit();
    assertThat(audit).isEmpty(); // Basic failures are logged, not audited: nothing changed.
  }

  @Test
  void tokensServeScriptsAndAReadOnlyTokenChangesNothing() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    String full = node.accounts().createToken("admin", "backup script", false);
    String readOnly = node.accounts().createToken("admin", "prometheus", true);
    assertThat(Files.readString(dir.resolve("tokens.json"))).doesNotContain(full, readOnly);

    Answer metrics =
        curl("127.0.0.5", "GET", "/metrics", "-H", "Authorization: Bearer " + readOnly);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("lbctl_server_status{proxy=\"pacs\",server=\"pacs1\"");
    String path = "/v1/virtual-services/pacs/real-servers/pacs1/admin-state";
    Answer refused =
        curl(
            "127.0.0.5",
            "PUT",
            path,
            "-H",
            "Authorization: Bearer " + readOnly,
            "-d",
            "{\"state\":\"halt\"}");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(node.status().virtualServices().get(0).realServers().get(0).adminState())
        .isEqualTo("online");

    Answer halted =
        curl(
            "127.0.0.5",
            "PUT",
            path,
            "-H",
            "Authorization: Bearer " + full,
            "-d",
            "{\"state\":\"halt\"}");
    assertThat(halted.status()).isEqualTo(200);
    assertThat(node.status().virtualServices().get(0).realServers().get(0).adminState())
        .isEqualTo("halt");

    String id = full.substring(6, 14);
    node.accounts().revokeToken(id);
    assertThat(
            curl("127.0.0.5", "GET", "/v1/status", "-H", "Authorization: Bearer " + full).status())
        .isEqualTo(401);

    List<JsonNode> audit = audit();
    assertThat(audit).hasSize(2);
    assertThat(audit.get(0).path("status").asInt()).isEqualTo(403);
    assertThat(audit.get(1).path("user").asText()).startsWith("admin (token ");
    assertThat(audit.get(1).path("from").asText()).isEqualTo("127.0.0.5");
    assertThat(audit.get(1).path("action").asText()).isEqualTo("PUT " + path);
    assertThat(audit.get(1).path("detail").asText()).contains("halt");
  }

  @Test
  void anEditBasedOnAStaleVersionIsRefusedWith409AndChangesNothing() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    String[] auth = {"-u", "admin:" + PASSWORD, "-H", "Content-Type: application/json"};
    Answer read = curl("127.0.0.6", "GET", "/v1/config", auth);
    String etag = read.header("ETag");
    assertThat(etag).isEqualTo("\"" + node.status().configHash() + "\"");
    String heavier = read.body().replace("\"weight\" : 1", "\"weight\" : 7");
    assertThat(heavier).isNotEqualTo(read.body());

    Answer noVersion = curl("127.0.0.6", "PUT", "/v1/config", with(auth, "-d", heavier));
    assertThat(noVersion.status()).isEqualTo(428);

    Answer first =
        curl(
            "127.0.0.6", "PUT", "/v1/config", with(auth, "-H", "If-Match: " + etag, "-d", heavier));
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.header("ETag")).isNotEqualTo(etag);
    assertThat(node.runningConfig().virtualServices().get(0).realServers().get(0).weight())
        .isEqualTo(7);
    assertThat(Files.readString(configFile)).contains("weight: 7");
    byte[] file = Files.readAllBytes(configFile);

    // A second editor who read the same version: refused, nothing changed.
    String other = read.body().replace("\"weight\" : 1", "\"weight\" : 3");
    Answer stale =
        curl("127.0.0.6", "PUT", "/v1/config", with(auth, "-H", "If-Match: " + etag, "-d", other));
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.json().path("error").asText()).contains("read it again");
    assertThat(node.runningConfig().virtualServices().get(0).realServers().get(0).weight())
        .isEqualTo(7);
    assertThat(Files.readAllBytes(configFile)).isEqualTo(file);

    // A bad edit on the current version: 422 with the path of each problem, nothing changed.
    String bad = read.body().replace("\"weight\" : 1", "\"weight\" : -4");
    Answer invalid =
        curl(
            "127.0.0.6",
            "PUT",
            "/v1/config",
            with(auth, "-H", "If-Match: " + first.header("ETag"), "-d", bad));
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.json().path("problems").get(0).path("path").asText())
        .isEqualTo("virtualServices[0].realServers[0].weight");
    // Its lines would be those of the document as rewritten: none is given.
    assertThat(invalid.json().path("problems").get(0).has("line")).isFalse();
    assertThat(Files.readAllBytes(configFile)).isEqualTo(file);
    // YAML is read as sent: a port only YAML 1.1 reads as octal is refused at its line.
    Answer octal =
        curl(
            "127.0.0.6",
            "PUT",
            "/v1/config",
            "-u",
            "admin:" + PASSWORD,
            "-H",
            "Content-Type: application/yaml",
            "-H",
            "If-Match: " + first.header("ETag"),
            "-d",
            "virtualServices:\n  - label: pacs\n    address: 127.0.0.1\n    ports: [0443]\n");
    assertThat(octal.status()).as(octal.body()).isEqualTo(422);
    assertThat(octal.json().path("problems").get(0).path("line").asInt()).isEqualTo(4);
    assertThat(octal.json().path("problems").get(0).path("message").asText())
        .contains("'0443' is 291 in YAML 1.1 (octal) but 443 in YAML 1.2");
    assertThat(Files.readAllBytes(configFile)).isEqualTo(file);

    List<JsonNode> audit = audit();
    assertThat(audit)
        .extracting(e -> e.path("status").asInt())
        .containsExactly(428, 200, 409, 422, 422);
    assertThat(audit).allSatisfy(e -> assertThat(e.path("user").asText()).isEqualTo("admin"));
  }

  @Test
  void aBrowserSessionChangesThingsOnlyThroughTheWebUi() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    Answer wrong =
        curl(
            "127.0.0.7",
            "POST",
            "/v1/login",
            "-H",
            "X-Lbctl-UI: 1",
            "-d",
            "{\"name\":\"admin\",\"password\":\"nope\"}");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.header("WWW-Authenticate")).isNull();

    Answer login =
        curl(
            "127.0.0.7",
            "POST",
            "/v1/login",
            "-d",
            "{\"name\":\"admin\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(login.status()).isEqualTo(200);
    String cookie = login.header("Set-Cookie");
    assertThat(cookie).containsIgnoringCase("HttpOnly").contains("Secure", "SameSite=Strict");
    String session = cookie.substring(0, cookie.indexOf(';'));

    assertThat(curl("127.0.0.7", "GET", "/v1/status", "-b", session).status()).isEqualTo(200);
    String path = "/v1/virtual-services/pacs/real-servers/pacs1/admin-state";
    Answer forged = curl("127.0.0.7", "PUT", path, "-b", session, "-d", "{\"state\":\"drain\"}");
    assertThat(forged.status()).isEqualTo(403);
    Answer fromUi =
        curl(
            "127.0.0.7",
            "PUT",
            path,
            "-b",
            session,
            "-H",
            "X-Lbctl-UI: 1",
            "-d",
            "{\"state\":\"drain\"}");
    assertThat(fromUi.status()).isEqualTo(200);

    assertThat(curl("127.0.0.7", "POST", "/v1/logout", "-b", session).status()).isEqualTo(200);
    assertThat(curl("127.0.0.7", "GET", "/v1/status", "-b", session).status()).isEqualTo(401);

    List<JsonNode> audit = audit();
    assertThat(audit)
        .extracting(e -> e.path("action").asText() + " " + e.path("status").asInt())
        .containsExactly("login 401", "login 200", "PUT " + path + " 200");
    assertThat(Files.readString(dir.resolve("audit.log"))).doesNotContain(PASSWORD, "nope");
  }

  @Test
  void anUploadedCertificateServesAVipAndItsKeyNeverLeavesTheNode() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    TestPki pki = TestPki.create(dir.resolve("pki"));
    String[] auth = {"-u", "admin:" + PASSWORD, "-H", "Content-Type: application/json"};
    String etag = curl("127.0.0.8", "GET", "/v1/config", auth).header("ETag");
    String upload =
        JSON.createObjectNode()
            .put("certificate", Files.readString(pki.cert("server")))
            .put("key", Files.readString(pki.key("server")))
            .toString();
    Answer uploaded =
        curl(
            "127.0.0.8",
            "PUT",
            "/v1/certificates/portal",
            with(auth, "-H", "If-Match: " + etag, "--data-binary", upload));
    assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(200);

    // Reads show the certificate, never its key; the file keeps the key for the node.
    Answer read = curl("127.0.0.8", "GET", "/v1/config", auth);
    assertThat(read.body()).doesNotContain("BEGIN PRIVATE KEY").contains("(kept on the node)");
    assertThat(read.json().path("certificates").get(0).path("certificatePem").asText())
        .contains("BEGIN CERTIFICATE");

    // The masked configuration goes back with a VIP that terminates TLS with it.
    int tlsPort = Ports.free();
    com.fasterxml.jackson.databind.node.ObjectNode edited =
        (com.fasterxml.jackson.databind.node.ObjectNode) read.json();
    var vip =
        (com.fasterxml.jackson.databind.node.ObjectNode) edited.path("virtualServices").get(0);
    vip.put("protocol", "http");
    vip.putObject("termination").put("port", tlsPort).put("certificate", "portal");
    Answer saved =
        curl(
            "127.0.0.8",
            "PUT",
            "/v1/config",
            with(
                auth,
                "-H",
                "If-Match: " + read.header("ETag"),
                "--data-binary",
                edited.toString()));
    assertThat(saved.status()).as(saved.body()).isEqualTo(200);
    String presented = presented(tlsPort, "-subject");
    assertThat(presented).contains("server");

    // A key that is not the certificate's is refused at its path; nothing changes.
    String mismatched =
        JSON.createObjectNode()
            .put("certificate", Files.readString(pki.cert("server")))
            .put("key", Files.readString(pki.key("client")))
            .toString();
    Answer refused =
        curl(
            "127.0.0.8",
            "PUT",
            "/v1/certificates/portal",
            with(auth, "-H", "If-Match: " + saved.header("ETag"), "--data-binary", mismatched));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.json().path("problems").get(0).path("path").asText())
        .isEqualTo("certificates[0].keyPem");
    assertThat(node.status().configHash()).isEqualTo(unquote(saved.header("ETag")));
    assertThat(Files.readString(dir.resolve("audit.log"))).doesNotContain("PRIVATE KEY");
  }

  /** What the TLS listener on {@code port} presents, as openssl x509 prints it. */
  private static String presented(int port, String x509Options) throws Exception {
    return Commands.run(
            Duration.ofSeconds(10),
            List.of(
                "sh",
                "-c",
                "openssl s_client -connect 127.0.0.1:"
                    + port
                    + " </dev/null 2>/dev/null | openssl x509 -noout "
                    + x509Options))
        .output();
  }

  private static String unquote(String etag) {
    return etag.substring(1, etag.length() - 1);
  }

  private static String[] with(String[] base, String... more) {
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  private List<JsonNode> audit() throws Exception {
    Path log = dir.resolve("audit.log");
    List<JsonNode> out = new ArrayList<>();
    if (Files.exists(log)) {
      for (String line : Files.readAllLines(log)) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  /** A JDK HTTPS client that trusts the node's generated certificate. */
  private java.net.http.HttpClient client() throws Exception {
    java.security.cert.Certificate cert;
    try (var in = Files.newInputStream(dir.resolve(ManagementCertificate.CERT_FILE))) {
      cert = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("node", cert);
    var tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return java.net.http.HttpClient.newBuilder().sslContext(tls).build();
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    var heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getUsed();
  }

  @Test
  void aThousandLoginsWithHugeNamesCostNeitherDiskNorMemoryAndForgeNoLine() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    var http = client();
    String huge =
        "x\n2026-12-06T01:00:00Z INFO management: admin logged in\u001b[2J" + "A".repeat(1 << 20);
    // As large as the API takes a body.
    byte[] body =
        JSON.writeValueAsBytes(
            Map.of(
                "name", huge.substring(0, 1024 * 1024 - 200), "password", "irrelevant password"));
    var request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("https://127.0.0.1:" + port + "/v1/login"))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    long heapBefore = usedHeap();
    long statuses401 = 0;
    long statuses429 = 0;
    for (int i = 0; i < 1000; i++) {
      int status =
          http.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
      statuses401 += status == 401 ? 1 : 0;
      statuses429 += status == 429 ? 1 : 0;
    }
    long heapAfter = usedHeap();
    assertThat(statuses401).isEqualTo(5);
    assertThat(statuses429).isEqualTo(995);
    Path log = dir.resolve("audit.log");
    assertThat(Files.size(log)).isLessThan(1024 * 1024);
    assertThat(heapAfter - heapBefore).isLessThan(10L * 1024 * 1024);
    String audit = Files.readString(log);
    assertThat(audit).contains("<invalid name, ").doesNotContain("AAAAAAAA", "logged in");
    // The API's view of the audit is as small, and pages.
    Answer page = curl("127.0.0.9", "GET", "/v1/audit?limit=2", "-u", "admin:" + PASSWORD);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.json().path("entries")).hasSize(2);
    assertThat(page.json().path("next").asText()).startsWith("/v1/audit?limit=2&before=");
    assertThat(page.body().length()).isLessThan(4_000);
    assertThat(curl("127.0.0.9", "GET", "/v1/audit?limit=x", "-u", "admin:" + PASSWORD).status())
        .isEqualTo(400);
  }

  @Test
  void anotherSitesPageCannotChangeAnythingWithTheBrowsersCredentials() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    String path = "/v1/virtual-services/pacs/real-servers/pacs1/admin-state";
    String[] basic = {"-u", "admin:" + PASSWORD};
    // A form or a "simple" cross-site request: refused whatever credentials come with it.
    Answer form =
        curl(
            "127.0.0.10",
            "PUT",
            path,
            with(basic, "-H", "Content-Type: text/plain", "-d", "{\"state\":\"halt\"}"));
    assertThat(form.status()).isEqualTo(415);
    Answer origin =
        curl(
            "127.0.0.10",
            "PUT",
            path,
            with(basic, "-H", "Origin: https://evil.example", "-d", "{\"state\":\"halt\"}"));
    assertThat(origin.status()).isEqualTo(403);
    assertThat(origin.json().path("error").asText()).contains("another site");
    Answer fetchSite =
        curl(
            "127.0.0.10",
            "PUT",
            path,
            with(basic, "-H", "Sec-Fetch-Site: cross-site", "-d", "{\"state\":\"halt\"}"));
    assertThat(fetchSite.status()).isEqualTo(403);
    Answer user =
        curl(
            "127.0.0.10",
            "POST",
            "/v1/users",
            with(basic, "-H", "Content-Type: text/plain", "-d", "{\"name\":\"mallory\"}"));
    assertThat(user.status()).isEqualTo(415);
    assertThat(node.accounts().users()).extracting(u -> u.get("name")).containsExactly("admin");
    assertThat(node.status().virtualServices().get(0).realServers().get(0).adminState())
        .isEqualTo("online");
    // The same from this node's own page goes through.
    Answer same =
        curl(
            "127.0.0.10",
            "PUT",
            path,
            with(
                basic,
                "-H",
                "Origin: https://127.0.0.1:" + port,
                "-H",
                "Sec-Fetch-Site: same-origin",
                "-d",
                "{\"state\":\"halt\"}"));
    assertThat(same.status()).isEqualTo(200);
    // A browser is never asked for Basic credentials (it would keep them for every site's use);
    // a script is.
    Answer browser =
        curl("127.0.0.10", "GET", "/v1/status", "-A", "Mozilla/5.0 (X11; Linux x86_64)");
    assertThat(browser.status()).isEqualTo(401);
    assertThat(browser.header("WWW-Authenticate")).isNull();
    assertThat(curl("127.0.0.10", "GET", "/v1/status").header("WWW-Authenticate"))
        .startsWith("Basic");
  }

  @Test
  void statusChangesArriveAsServerSentEventsOnBothListeners() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    node.accounts().addUser("ward", PASSWORD, Optional.of(org.lbctl.core.auth.Role.VIEWER));
    Path remote = dir.resolve("events-https.txt");
    Path local = dir.resolve("events-socket.txt");
    List<Process> streams =
        List.of(
            new ProcessBuilder(
                    "curl",
                    "-sSN",
                    "--max-time",
                    "30",
                    "--cacert",
                    dir.resolve(ManagementCertificate.CERT_FILE).toString(),
                    "-u",
                    "ward:" + PASSWORD,
                    "https://127.0.0.1:" + port + "/v1/events")
                .redirectOutput(remote.toFile())
                .start(),
            new ProcessBuilder(
                    "curl",
                    "-sSN",
                    "--max-time",
                    "30",
                    "--unix-socket",
                    dir.resolve("lbctl.sock").toString(),
                    "http://lbctl/v1/events")
                .redirectOutput(local.toFile())
                .start());
    try {
      for (Path p : List.of(remote, local)) {
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> Files.readString(p).contains(": open"));
      }
      var drained =
          new UnixSocketClient(dir.resolve("lbctl.sock"))
              .call(
                  "PUT",
                  "/v1/virtual-services/pacs/real-servers/pacs1/admin-state",
                  "{\"state\":\"drain\"}");
      assertThat(drained.status()).isEqualTo(200);
      long start = System.nanoTime();
      for (Path p : List.of(remote, local)) {
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(1))
            .pollInterval(Duration.ofMillis(20))
            .until(
                () -> {
                  String s = Files.readString(p);
                  return s.contains("event: admin\n") && s.contains("\"to\":\"drain\"");
                });
      }
      System.out.printf(
          "events: the drain reached both streams in %d ms%n",
          (System.nanoTime() - start) / 1_000_000);
      assertThat(Files.readString(remote))
          .contains(
              "\"virtualService\":\"pacs\"", "\"realServer\":\"pacs1\"", "\"from\":\"online\"");
      assertThat(streams).allMatch(Process::isAlive);

      // The viewer disabled: its stream ends at the next change, the socket's goes on.
      node.accounts().setUserDisabled("ward", true);
      node.setAdminState("pacs", "pacs1", org.lbctl.core.balancer.AdminState.ONLINE);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> Files.readString(local).contains("\"to\":\"online\""));
      assertThat(streams.get(0).waitFor(5, java.util.concurrent.TimeUnit.SECONDS))
          .as("the disabled viewer's stream is closed")
          .isTrue();
      assertThat(Files.readString(remote))
          .contains("event: end\n")
          .doesNotContain("\"to\":\"online\"");
      assertThat(streams.get(1).isAlive()).isTrue();
    } finally {
      streams.forEach(Process::destroyForcibly);
    }
  }

  /** POST /v1/users as {@code auth}: {@code name} with the test's password and {@code more}. */
  private Answer addUser(String[] auth, String name, String more) throws Exception {
    return curl(
        "127.0.0.20",
        "POST",
        "/v1/users",
        with(
            auth,
            "-d",
            "{\"name\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"" + more + "}"));
  }

  @Test
  void eachRoleDoesWhatItMayAndIsToldWhatItMayNot() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    String[] admin = {"-u", "admin:" + PASSWORD};
    for (String[] u :
        List.of(new String[] {"ward", "viewer"}, new String[] {"night", "operator"})) {
      Answer added = addUser(admin, u[0], ",\"role\":\"" + u[1] + "\"");
      assertThat(added.status()).as(added.body()).isEqualTo(201);
      assertThat(added.json().path("role").asText()).isEqualTo(u[1]);
    }
    // Without a role, a later user reads only; a role the node does not know is refused.
    assertThat(addUser(admin, "later", "").json().path("role").asText()).isEqualTo("viewer");
    Answer unknown = addUser(admin, "boss", ",\"role\":\"root\"");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().path("error").asText())
        .contains("role: 'root' (expected one of: viewer, operator, admin)");
    assertThat(node.accounts().role("boss")).isEmpty();

    String[] ward = {"-u", "ward:" + PASSWORD};
    String[] night = {"-u", "night:" + PASSWORD};
    String drain = "/v1/virtual-services/pacs/real-servers/pacs1/admin-state";
    String[] drainBody = {"-d", "{\"state\":\"drain\"}"};
    // A viewer reads, and is told what it may not do.
    assertThat(curl("127.0.0.21", "GET", "/v1/status", ward).status()).isEqualTo(200);
    assertThat(curl("127.0.0.21", "GET", "/v1/whoami", ward).json().path("role").asText())
        .isEqualTo("viewer");
    Answer refused = curl("127.0.0.21", "PUT", drain, with(ward, drainBody));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().path("error").asText())
        .isEqualTo(
            "ward is viewer: drain, halt or bring back a real server needs the operator role");
    for (String path : List.of("/v1/audit", "/v1/users")) {
      assertThat(curl("127.0.0.21", "GET", path, ward).status()).as(path).isEqualTo(403);
    }
    assertThat(node.status().virtualServices().get(0).realServers().get(0).adminState())
        .isEqualTo("online");
    // An operator drains, clears, asks for a failover (this lone node has no peer: 409, not 403),
    // and edits nothing.
    assertThat(curl("127.0.0.22", "PUT", drain, with(night, drainBody)).status()).isEqualTo(200);
    assertThat(
            curl("127.0.0.22", "DELETE", "/v1/virtual-services/pacs/stick-table", night).status())
        .isEqualTo(200);
    assertThat(curl("127.0.0.22", "POST", "/v1/pair/failover", night).status()).isEqualTo(409);
    Answer edit =
        curl("127.0.0.22", "PUT", "/v1/config", with(night, "-H", "If-Match: \"x\"", "-d", "{}"));
    assertThat(edit.status()).isEqualTo(403);
    assertThat(edit.json().path("error").asText()).endsWith("needs the admin role");
    // The audit names each change's user and role.
    JsonNode drained =
        curl("127.0.0.20", "GET", "/v1/audit", admin)
            .json()
            .path("entries")
            .findParents("action")
            .stream()
            .filter(e -> e.path("action").asText().equals("PUT " + drain))
            .filter(e -> e.path("status").asInt() == 200)
            .findFirst()
            .orElseThrow();
    assertThat(drained.path("user").asText()).isEqualTo("night");
    assertThat(drained.path("role").asText()).isEqualTo("operator");

    // A token does at most what its maker may, and never more than its user now may.
    assertThat(
            curl(
                    "127.0.0.22",
                    "POST",
                    "/v1/tokens",
                    with(night, "-d", "{\"label\":\"x\",\"role\":\"admin\"}"))
                .status())
        .isEqualTo(403);
    String script =
        curl("127.0.0.22", "POST", "/v1/tokens", with(night, "-d", "{\"label\":\"drain script\"}"))
            .json()
            .path("token")
            .asText();
    String[] bearer = {"-H", "Authorization: Bearer " + script};
    assertThat(
            curl("127.0.0.23", "PUT", drain, with(bearer, "-d", "{\"state\":\"online\"}")).status())
        .isEqualTo(200);
    assertThat(
            curl(
                    "127.0.0.20",
                    "PUT",
                    "/v1/users/night/role",
                    with(admin, "-d", "{\"role\":\"viewer\"}"))
                .status())
        .isEqualTo(200);
    assertThat(curl("127.0.0.23", "PUT", drain, with(bearer, drainBody)).status()).isEqualTo(403);
    assertThat(curl("127.0.0.22", "PUT", drain, with(night, drainBody)).status()).isEqualTo(403);
    // Anyone sets its own password; only an admin another's.
    assertThat(
            curl(
                    "127.0.0.21",
                    "PUT",
                    "/v1/users/night/password",
                    with(ward, "-d", "{\"password\":\"a long new password\"}"))
                .status())
        .isEqualTo(403);
    assertThat(
            curl(
                    "127.0.0.21",
                    "PUT",
                    "/v1/users/ward/password",
                    with(ward, "-d", "{\"password\":\"a long new password\"}"))
                .status())
        .isEqualTo(200);
    assertThat(node.accounts().users())
        .extracting(u -> u.get("name") + "=" + u.get("role"))
        .containsExactly("admin=admin", "ward=viewer", "night=viewer", "later=viewer");
  }

  @Test
  void theApiDescribesEveryOperationWithTheRoleItNeeds() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    node.accounts().addUser("ward", PASSWORD, Optional.of(org.lbctl.core.auth.Role.VIEWER));
    JsonNode doc = curl("127.0.0.24", "GET", "/v1/openapi.json", "-u", "ward:" + PASSWORD).json();
    assertThat(doc.path("openapi").asText()).startsWith("3.");
    for (var r : org.lbctl.core.api.ApiRoutes.ALL) {
      JsonNode op = doc.path("paths").path(r.path()).path(r.method().toLowerCase(Locale.ROOT));
      assertThat(op.path("x-lbctl-role").asText())
          .as(r.method() + " " + r.path())
          .isEqualTo(r.role().word());
    }
    // What it says is what the node does: each operation a viewer may not call is refused with
    // 403 before anything else is looked at, and no operation is unknown to the node.
    String[] ward = {"-u", "ward:" + PASSWORD};
    String[] admin = {"-u", "admin:" + PASSWORD};
    for (var r : org.lbctl.core.api.ApiRoutes.ALL) {
      String path =
          r.path()
              .replace("{vip}", "pacs")
              .replace("{rip}", "pacs1")
              .replace("{name}", "nobody")
              .replace("{id}", "00000000");
      if (!r.role().equals(org.lbctl.core.auth.Role.VIEWER) && !r.own()) {
        assertThat(curl("127.0.0.24", r.method(), path, with(ward, "-d", "{}")).status())
            .as(r.method() + " " + path)
            .isEqualTo(403);
      }
      // The event stream stays open: statusChangesArriveAsServerSentEventsOnBothListeners.
      if (r.method().equals("GET") && !r.path().equals("/v1/events")) {
        assertThat(curl("127.0.0.25", "GET", path, admin).status())
            .as(r.method() + " " + path)
            .isNotIn(404, 405);
      }
    }
  }

  @Test
  void accountsCanBeDisabledRepasswordedAndRemovedAndATokenIsItsMakers() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    node.accounts().addUser("nurse", PASSWORD);
    String[] admin = {"-u", "admin:" + PASSWORD};
    String[] nurse = {"-u", "nurse:" + PASSWORD};
    // A token acts as its maker; one for another user is made on the node only.
    Answer forAdmin =
        curl(
            "127.0.0.11",
            "POST",
            "/v1/tokens",
            with(nurse, "-d", "{\"label\":\"x\",\"user\":\"admin\"}"));
    assertThat(forAdmin.status()).isEqualTo(403);
    Answer own =
        curl("127.0.0.11", "POST", "/v1/tokens", with(nurse, "-d", "{\"label\":\"mine\"}"));
    assertThat(own.status()).isEqualTo(201);
    String token = own.json().path("token").asText();
    String[] bearer = {"-H", "Authorization: Bearer " + token};
    // A token makes no tokens: a leaked one cannot outlive itself.
    assertThat(
            curl("127.0.0.11", "POST", "/v1/tokens", with(bearer, "-d", "{\"label\":\"more\"}"))
                .status())
        .isEqualTo(403);
    // A read-only token sees the status and the metrics, nothing about accounts or changes.
    String scraper = node.accounts().createToken("admin", "prometheus", true);
    String[] ro = {"-H", "Authorization: Bearer " + scraper};
    assertThat(curl("127.0.0.11", "GET", "/v1/status", ro).status()).isEqualTo(200);
    assertThat(curl("127.0.0.11", "GET", "/metrics", ro).status()).isEqualTo(200);
    for (String path : List.of("/v1/users", "/v1/tokens", "/v1/audit", "/v1/config")) {
      assertThat(curl("127.0.0.11", "GET", path, ro).status()).as(path).isEqualTo(403);
    }

    // Disabled: no password, no token; enabled again: both work.
    Answer disable =
        curl(
            "127.0.0.11",
            "PUT",
            "/v1/users/nurse/disabled",
            with(admin, "-d", "{\"disabled\":true}"));
    assertThat(disable.status()).isEqualTo(200);
    assertThat(curl("127.0.0.12", "GET", "/v1/status", nurse).status()).isEqualTo(401);
    assertThat(curl("127.0.0.12", "GET", "/v1/status", bearer).status()).isEqualTo(401);
    curl(
        "127.0.0.11", "PUT", "/v1/users/nurse/disabled", with(admin, "-d", "{\"disabled\":false}"));
    assertThat(curl("127.0.0.13", "GET", "/v1/status", bearer).status()).isEqualTo(200);

    // A new password: the old one no longer works.
    Answer passwd =
        curl(
            "127.0.0.11",
            "PUT",
            "/v1/users/nurse/password",
            with(admin, "-d", "{\"password\":\"another long password\"}"));
    assertThat(passwd.status()).isEqualTo(200);
    assertThat(curl("127.0.0.13", "GET", "/v1/status", nurse).status()).isEqualTo(401);
    assertThat(
            curl("127.0.0.13", "GET", "/v1/status", "-u", "nurse:another long password").status())
        .isEqualTo(200);
    Answer tooShort =
        curl(
            "127.0.0.11",
            "PUT",
            "/v1/users/nurse/password",
            with(admin, "-d", "{\"password\":\"short\"}"));
    assertThat(tooShort.status()).isEqualTo(400);

    // Removed, with its tokens.
    assertThat(curl("127.0.0.11", "DELETE", "/v1/users/nurse", admin).status()).isEqualTo(200);
    assertThat(curl("127.0.0.14", "GET", "/v1/status", bearer).status()).isEqualTo(401);
    assertThat(node.accounts().users()).extracting(u -> u.get("name")).containsExactly("admin");
    assertThat(node.accounts().tokens()).noneMatch(t -> t.user().equals("nurse"));
    assertThat(curl("127.0.0.11", "DELETE", "/v1/users/nurse", admin).status()).isEqualTo(404);
    assertThat(Files.readString(dir.resolve("audit.log"))).doesNotContain("another long password");
  }

  /** Whether the node closed {@code s} within {@code within} (read returns end of stream). */
  private static boolean closedByTheNode(java.net.Socket s, Duration within) throws Exception {
    s.setSoTimeout((int) within.toMillis());
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
  }

  @Test
  void oneClientCannotHoldTheListenerWithManyOrSlowConnections() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    List<java.net.Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        java.net.Socket s = new java.net.Socket();
        s.bind(new java.net.InetSocketAddress("127.0.0.16", 0));
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
        held.add(s);
      }
      // Past 32 from one address, each is closed at once; the first 32 stay.
      for (int i = 32; i < 40; i++) {
        assertThat(closedByTheNode(held.get(i), Duration.ofSeconds(2)))
            .as("connection %d", i)
            .isTrue();
      }
      assertThat(closedByTheNode(held.get(0), Duration.ofMillis(300))).isFalse();
      // Another client is not crowded out.
      assertThat(curl("127.0.0.18", "GET", "/v1/status", "-u", "admin:" + PASSWORD).status())
          .isEqualTo(200);

      // A request begun and never finished: closed once its 10 s are up.
      java.net.Socket slow = new java.net.Socket();
      slow.bind(new java.net.InetSocketAddress("127.0.0.17", 0));
      slow.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
      held.add(slow);
      long start = System.nanoTime();
      slow.getOutputStream().write(0x16);
      slow.getOutputStream().flush();
      assertThat(closedByTheNode(slow, Duration.ofSeconds(15))).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(Duration.ofSeconds(9), Duration.ofSeconds(13));
    } finally {
      for (java.net.Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void byDefaultTheListenerIsOnTheNodesOwnAddressAndTheCertificateNamesOnlyIt() throws Exception {
    Path own = Files.createDirectories(dir.resolve("own"));
    Path config = own.resolve("lbctl.yaml");
    Files.writeString(config, "virtualServices: []\n");
    int ownPort = Ports.free();
    Node second =
        Node.start(
            new NodeConfig(Optional.of(config), own.resolve("lbctl.sock"), 1)
                .withHttps(
                    Optional.of(
                        new ManagementHttps(
                            new java.net.InetSocketAddress(ownPort), Optional.empty(), true))),
            Optional.empty());
    try {
      java.net.InetAddress bound = second.httpsAddress().orElseThrow().getAddress();
      // Not every address of the host (VIPs, clinical networks): the one its default route uses.
      assertThat(bound.isAnyLocalAddress()).as(bound.toString()).isFalse();
      var san =
          Commands.run(
              Duration.ofSeconds(10),
              List.of(
                  "openssl",
                  "x509",
                  "-noout",
                  "-ext",
                  "subjectAltName",
                  "-in",
                  own.resolve(ManagementCertificate.CERT_FILE).toString()));
      assertThat(san.ok()).as(san.describe()).isTrue();
      List<String> ips =
          java.util.regex.Pattern.compile("IP Address:([0-9A-Fa-f.:]+)")
              .matcher(san.output())
              .results()
              .map(m -> m.group(1))
              .toList();
      assertThat(new java.util.HashSet<>(ips))
          .isEqualTo(java.util.Set.of("127.0.0.1", "0:0:0:0:0:0:0:1", bound.getHostAddress()));
    } finally {
      second.close();
    }
  }

  @Test
  void aClientThatSendsManyRequestsAndReadsNoneHoldsOneAnswer() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    var http = client();
    javax.net.ssl.SSLContext tls = http.sslContext();
    long heapBefore = usedHeap();
    try (java.net.Socket raw = new java.net.Socket()) {
      raw.bind(new java.net.InetSocketAddress("127.0.0.19", 0));
      raw.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
      try (javax.net.ssl.SSLSocket s =
          (javax.net.ssl.SSLSocket)
              tls.getSocketFactory().createSocket(raw, "127.0.0.1", port, true)) {
        s.startHandshake();
        byte[] one =
            "GET /ui/app.js HTTP/1.1\r\nHost: lbctl\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] many = new byte[one.length * 2000];
        for (int i = 0; i < 2000; i++) {
          System.arraycopy(one, 0, many, i * one.length, one.length);
        }
        try {
          s.getOutputStream().write(many);
          s.getOutputStream().flush();
        } catch (java.net.SocketException closed) {
          // The node answers the first and closes the connection on the rest.
        }
        // 2,000 answers of ~20 KB would be 40 MB held for this client, which reads none; the
        // node answers one at a time and refuses requests sent ahead of an answer.
        org.awaitility.Awaitility.await()
            .pollDelay(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(3))
            .until(() -> true);
        assertThat(usedHeap() - heapBefore).isLessThan(10L * 1024 * 1024);
        // Everyone else is still answered meanwhile.
        assertThat(curl("127.0.0.20", "GET", "/v1/status", "-u", "admin:" + PASSWORD).status())
            .isEqualTo(200);
      }
    }
  }

  /** {@code n} wrong passwords at once, each from its own address {@code prefix}1, 2, ... */
  private List<Process> guess(int n, String prefix) throws Exception {
    List<Process> guessers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      guessers.add(
          new ProcessBuilder(
                  "curl",
                  "-s",
                  "-o",
                  "/dev/null",
                  "--cacert",
                  dir.resolve(ManagementCertificate.CERT_FILE).toString(),
                  "--interface",
                  prefix + (i + 1),
                  "-u",
                  "admin:wrong guess " + i,
                  "https://127.0.0.1:" + port + "/v1/status")
              .redirectErrorStream(true)
              .start());
    }
    return guessers;
  }

  @Test
  void aPairingThatWaitsOnItsPeerHoldsUpNeitherTheStatusNorTheMetrics() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    String scraper = node.accounts().createToken("admin", "scraper", true);
    UnixSocketClient local = new UnixSocketClient(dir.resolve("lbctl.sock"));
    // A peer that takes the connection and never answers: the pairing waits on it (30 s).
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      silent.setSoTimeout(10_000);
      String order =
          JSON.writeValueAsString(
              Map.of(
                  "peer",
                  "127.0.0.1:" + silent.getLocalPort(),
                  "token",
                  org.lbctl.cluster.pairing.PairingToken.generate(new java.security.SecureRandom())
                      .text(),
                  "bind",
                  "127.0.0.1:" + Ports.free(),
                  "pingTargets",
                  List.of()));
      var pairing =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return local.call("POST", "/v1/pair", order);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      try (java.net.Socket held = silent.accept()) {
        assertThat(held.isConnected()).isTrue();
        long start = System.nanoTime();
        var status = local.call("GET", "/v1/status", null);
        long statusMs = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        Answer metrics =
            curl("127.0.0.9", "GET", "/metrics", "-H", "Authorization: Bearer " + scraper);
        long metricsMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(status.status()).isEqualTo(200);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(pairing).as("the pairing still waits on its peer").isNotDone();
        assertThat(statusMs).as("the socket's status while a pairing waits").isLessThan(1_000);
        assertThat(metricsMs).as("the metrics while a pairing waits").isLessThan(1_500);
      }
      // The peer hung up: the pairing is refused, and the node runs alone as before.
      var refused = pairing.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(refused.status()).isEqualTo(502);
      assertThat(refused.body().path("error").asText()).contains("nothing changed");
      JsonNode pair = local.call("GET", "/v1/status", null).body().path("pair");
      assertThat(pair.isMissingNode() || pair.isNull()).as("pair: %s", pair).isTrue();
    }
  }

  @Test
  void theNodesOwnAdministratorIsNotHeldUpByRemotePasswordChecks() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    // 24 wrong passwords at once from 24 addresses: each a full hash on the remote listener's
    // worker, several seconds of them in all.
    List<Process> guessers = guess(24, "127.0.1.");
    try {
      // Let them reach the node, then ask on the Unix socket.
      org.awaitility.Awaitility.await()
          .pollDelay(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(1))
          .until(() -> true);
      long start = System.nanoTime();
      var status = new UnixSocketClient(dir.resolve("lbctl.sock")).call("GET", "/v1/status", null);
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(status.body().path("node").asText()).isNotEmpty();
      assertThat(guessers).anyMatch(Process::isAlive);
      assertThat(tookMs).as("the socket's answer while the guesses are checked").isLessThan(1_500);
    } finally {
      for (Process p : guessers) {
        p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        p.destroyForcibly();
      }
    }
  }

  @Test
  void guessesFromManyAddressesHoldUpNeitherATokenNorAKnownAddress() throws Exception {
    node.accounts().addUser("admin", PASSWORD);
    String token = node.accounts().createToken("admin", "script", false);
    // 127.0.0.7 logged in rightly before: it is known.
    assertThat(curl("127.0.0.7", "GET", "/v1/status", "-u", "admin:" + PASSWORD).status())
        .isEqualTo(200);
    // 48 wrong passwords at once from 48 addresses: some 16 s of hashes, one at a time.
    List<Process> guessers = guess(48, "127.0.2.");
    try {
      org.awaitility.Awaitility.await()
          .pollDelay(Duration.ofMillis(1500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> true);
      long start = System.nanoTime();
      Answer byToken =
          curl("127.0.0.8", "GET", "/v1/status", "-H", "Authorization: Bearer " + token);
      long tokenMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(byToken.status()).isEqualTo(200);
      assertThat(tokenMs).as("a token's answer while guesses are checked").isLessThan(1_500);
      // A new password check from the known address waits for one guess, not for all of them.
      start = System.nanoTime();
      Answer known =
          curl(
              "127.0.0.7",
              "POST",
              "/v1/login",
              "-H",
              "Content-Type: application/json",
              "-d",
              "{\"name\":\"admin\",\"password\":\"" + PASSWORD + "\"}");
      long knownMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(known.status()).isEqualTo(200);
      assertThat(knownMs).as("a known address's login while guesses are checked").isLessThan(2_500);
      assertThat(guessers).as("the guesses still wait").anyMatch(Process::isAlive);
    } finally {
      for (Process p : guessers) {
        p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        p.destroyForcibly();
      }
    }
  }
}
