package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.cluster.node.Node;
import org.lbctl.core.auth.Role;
import org.lbctl.core.config.DirectorySettings;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.Slapd;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestBackend.Mode;
import org.lbctl.core.testing.TestClient;
import org.lbctl.core.testing.TestPki;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The web UI in headless Chromium against a running node: log in, the System Overview's colours
 * following health and admin state, Halt, clearing a stick table, and an edit refused at its field.
 */
class WebUiIT {
  private static final String PASSWORD = "correct horse battery";
  private static final Duration UI = Duration.ofSeconds(15);

  @TempDir Path dir;
  private TestBackend pacs1;
  private TestBackend pacs2;
  private Node node;
  private Browser browser;
  private Slapd slapd;
  private int vipPort;
  private String url;

  @BeforeEach
  void start(TestInfo test) throws Exception {
    pacs1 = TestBackend.start("pacs1", Mode.NAME_ECHO);
    pacs2 = TestBackend.start("pacs2", Mode.NAME_ECHO);
    vipPort = Ports.free();
    int https = Ports.free();
    Path config = dir.resolve("lbctl.yaml");
    Files.writeString(
        config,
        """
        virtualServices:
          - label: pacs
            address: 127.0.0.1
            ports: [%d]
            persistence: {mode: source-ip, timeout: 10m}
            healthCheck: {type: connect, interval: 200ms, timeout: 200ms, rise: 1, fall: 1}
            realServers:
              - {label: pacs1, address: 127.0.0.1, port: %d}
              - {label: pacs2, address: 127.0.0.1, port: %d}
          - label: feed
            address: 127.0.0.1
            ports: [%d]
            protocol: hl7-mllp
            realServers:
              - {label: engine1, address: 127.0.0.1, port: %d}
        """
            .formatted(vipPort, pacs1.port(), pacs2.port(), Ports.free(), pacs1.port()));
    // A directory for the test that asks for one; a node without it has local users only.
    Optional<DirectorySettings> directory = Optional.empty();
    if (test.getTags().contains("directory")) {
      TestPki pki = TestPki.create(dir.resolve("pki"));
      slapd =
          Slapd.start(
              dir.resolve("slapd"),
              pki,
              """
              dn: uid=bob,%1$s
              objectClass: account
              objectClass: simpleSecurityObject
              uid: bob
              userPassword: bob-directory-pw

              dn: cn=radiology-it,%1$s
              objectClass: groupOfNames
              cn: radiology-it
              member: uid=bob,%1$s

              """
                  .formatted(Slapd.SUFFIX));
      directory =
          Optional.of(
              new DirectorySettings(
                  "127.0.0.1",
                  slapd.ldapsPort(),
                  false,
                  pki.cert("ca"),
                  "uid={user}," + Slapd.SUFFIX,
                  Optional.empty(),
                  Slapd.SUFFIX,
                  Map.of("cn=radiology-it," + Slapd.SUFFIX, Role.OPERATOR),
                  Duration.ofSeconds(3)));
    }
    node = HttpsNode.start(config, https, directory);
    node.accounts().addUser("admin", PASSWORD);
    url = "https://127.0.0.1:" + https + "/";
    browser = Browser.start("WebUiIT-" + test.getTestMethod().orElseThrow().getName());
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (node != null) {
      node.close();
    }
    if (slapd != null) {
      slapd.close();
    }
    pacs1.close();
    pacs2.close();
  }

  private void logIn(String user, String password) {
    browser.find("#login-name").clear();
    browser.find("#login-name").sendKeys(user);
    browser.find("#login-password").clear();
    browser.find("#login-password").sendKeys(password);
    browser.find("#login-submit").click();
  }

  private String colour(String css) {
    return browser.attribute(css, "data-colour");
  }

  @Test
  void theGraphsDrawTheLastHourOfEachVipFromTheNodeAloneAt1280By800() throws Exception {
    browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
    browser.open(url);
    await().atMost(UI).until(() -> browser.find("#login").isDisplayed());
    logIn("admin", PASSWORD);
    await().atMost(UI).until(() -> "green".equals(colour("tr[data-vip='pacs']")));
    TestClient.greeting(vipPort);
    JavascriptExecutor js = (JavascriptExecutor) browser.driver();
    browser.screenshot("overview-1280");
    assertThat((Long) js.executeScript("return document.documentElement.scrollWidth"))
        .as("the overview without horizontal scrolling at 1280 px")
        .isLessThanOrEqualTo((Long) js.executeScript("return window.innerWidth"));
    browser.open(url + "ui/#graphs");
    // Four charts per VIP (connections, bytes/s, connections per server, health), drawn by the
    // bundled uPlot.
    for (String vip : List.of("pacs", "feed")) {
      await()
          .atMost(UI)
          .until(
              () ->
                  browser
                          .driver()
                          .findElements(By.cssSelector("div[data-graph='" + vip + "'] canvas"))
                          .size()
                      == 4);
    }
    assertThat(browser.text("div[data-graph='pacs']")).contains("connections", "pacs1", "pacs2");
    assertThat((Long) js.executeScript("return document.documentElement.scrollWidth"))
        .as("no horizontal scrolling at 1280 px")
        .isLessThanOrEqualTo((Long) js.executeScript("return window.innerWidth"));
    // Every script and style came from the node itself.
    assertThat(
            (List<?>)
                js.executeScript(
                    "return performance.getEntriesByType('resource').map(e => e.name)"
                        + ".filter(n => !n.startsWith(location.origin))"))
        .isEmpty();
    browser.screenshot("graphs");
  }

  @Test
  @Tag("directory")
  void aDirectoryUserLogsInWithTheRoleItsGroupGives() throws Exception {
    browser.open(url);
    await().atMost(UI).until(() -> browser.find("#login").isDisplayed());
    logIn("bob", "wrong-directory-pw");
    await().atMost(UI).until(() -> browser.text("#login-error").contains("wrong"));
    logIn("bob", "bob-directory-pw");
    await().atMost(UI).until(() -> "green".equals(colour("tr[data-vip='pacs']")));
    // No local user of that name: the directory's group made bob an operator.
    assertThat(browser.text("#who")).isEqualTo("bob (operator)");
    assertThat(browser.find("a[data-tab='edit']").isDisplayed()).isFalse();
    // The session does what an operator may: a halt from the page.
    browser.click("tr[data-rip='pacs/pacs1'] button[data-action='halt']");
    browser.acceptConfirm();
    await().atMost(UI).until(() -> "blue".equals(colour("tr[data-rip='pacs/pacs1']")));
    assertThat(node.status().virtualServices().get(0).realServers())
        .filteredOn(r -> r.label().equals("pacs1"))
        .singleElement()
        .extracting(r -> r.adminState())
        .isEqualTo("halt");
  }

  @Test
  void aViewerSeesTheOverviewAndNoButtonThatWouldChangeAnything() throws Exception {
    node.accounts().addUser("ward", PASSWORD, Optional.of(Role.VIEWER));
    browser.open(url);
    await().atMost(UI).until(() -> browser.find("#login").isDisplayed());
    logIn("ward", PASSWORD);
    await().atMost(UI).until(() -> "green".equals(colour("tr[data-vip='pacs']")));
    assertThat(browser.text("#who")).isEqualTo("ward (viewer)");
    // The buttons are on the page, not offered: the API would refuse them anyway.
    assertThat(browser.driver().findElements(By.cssSelector("button[data-action='halt']")))
        .hasSize(3) // pacs1, pacs2, engine1
        .noneMatch(WebElement::isDisplayed);
    assertThat(browser.find("a[data-tab='edit']").isDisplayed()).isFalse();
    assertThat(browser.find("a[data-tab='audit']").isDisplayed()).isFalse();
    assertThat(browser.find("a[data-tab='sticks']").isDisplayed()).isTrue();
    browser.screenshot("viewer");
    // A viewer sent to the editor by its address lands on the overview.
    browser.open(url + "ui/#edit");
    await().atMost(UI).until(() -> browser.find("#overview").isDisplayed());
    assertThat(browser.find("#edit").isDisplayed()).isFalse();
  }

  @Test
  void anEngineerWatchesHealthHaltsAServerAndClearsTheStickTable() throws Exception {
    browser.open(url);
    await().atMost(UI).until(() -> browser.find("#login").isDisplayed());
    logIn("admin", "not the password");
    await().atMost(UI).until(() -> browser.text("#login-error").contains("wrong user name"));
    browser.screenshot("login-refused");
    logIn("admin", PASSWORD);
    await().atMost(UI).until(() -> "green".equals(colour("tr[data-vip='pacs']")));
    assertThat(colour("tr[data-rip='pacs/pacs1']")).isEqualTo("green");
    assertThat(browser.text("#who")).isEqualTo("admin (admin)");
    // The HL7 VIP says what became of its messages (none yet).
    assertThat(browser.text("tr[data-vip='feed'] td.protocol"))
        .isEqualTo("hl7-mllp: 0 AA, 0 AE/AR, 0 resent");
    // A client through the VIP: its persistence entry is what the stick table shows later.
    String first = TestClient.greeting(vipPort);
    browser.screenshot("overview-all-up");

    // A real server stops: it turns red, the VIP yellow, without anyone reloading the page.
    TestBackend stopped = first.startsWith("pacs1") ? pacs2 : pacs1;
    String stoppedRow = "tr[data-rip='pacs/" + stopped.name() + "']";
    stopped.close();
    await().atMost(UI).until(() -> "red".equals(colour(stoppedRow)));
    assertThat(colour("tr[data-vip='pacs']")).isEqualTo("yellow");
    browser.screenshot("server-down");

    // Halt the other one: blue, and the node has it halted.
    String holder = first.startsWith("pacs1") ? "pacs1" : "pacs2";
    browser.click("tr[data-rip='pacs/" + holder + "'] button[data-action='halt']");
    browser.acceptConfirm();
    await().atMost(UI).until(() -> "blue".equals(colour("tr[data-rip='pacs/" + holder + "']")));
    assertThat(node.status().virtualServices().get(0).realServers())
        .filteredOn(r -> r.label().equals(holder))
        .singleElement()
        .extracting(r -> r.adminState())
        .isEqualTo("halt");
    // One server halted, the other down: nobody takes clients, the VIP is red.
    await().atMost(UI).until(() -> "red".equals(colour("tr[data-vip='pacs']")));
    browser.screenshot("halted");

    // The stick table holds the client; Clear empties it on the node.
    browser.open(url + "ui/#sticks");
    await().atMost(UI).until(() -> browser.text("div[data-stick='pacs'] .count").equals("1"));
    assertThat(browser.text("div[data-stick='pacs'] tbody")).contains("127.0.0.1", holder);
    browser.screenshot("stick-table");
    browser.click("button[data-clear='pacs']");
    browser.acceptConfirm();
    await().atMost(UI).until(() -> browser.text("div[data-stick='pacs'] .count").equals("0"));
    assertThat(node.stickTable("pacs").entries()).isEmpty();
    browser.screenshot("stick-table-cleared");

    // Each change is in the audit log, under the user who made it.
    browser.open(url + "ui/#audit");
    await().atMost(UI).until(() -> browser.text("#audit-table tbody").contains("stick-table"));
    assertThat(browser.text("#audit-table tbody")).contains("admin", "admin-state", "login");
    browser.screenshot("audit");
  }

  @Test
  void anEditIsRefusedAtItsFieldAndAGoodOneRuns() throws Exception {
    browser.open(url + "ui/#edit");
    await().atMost(UI).until(() -> browser.find("#login").isDisplayed());
    logIn("admin", PASSWORD);
    await()
        .atMost(UI)
        .until(() -> browser.driver().getCurrentUrl().endsWith("#edit") && editorReady());
    browser.find("#edit-pick option[value='pacs']").click();
    var weight = browser.find("#edit-rips tbody tr:nth-child(1) input[data-field='weight']");
    weight.clear();
    weight.sendKeys("-3");
    browser.find("#edit-save").click();
    String problem = "span.problem[data-path='virtualServices[0].realServers[0].weight']";
    await().atMost(UI).until(() -> !browser.text(problem).isEmpty());
    assertThat(
            browser.attribute(
                "#edit-rips tbody tr:nth-child(1) input[data-field='weight']", "class"))
        .contains("invalid");
    assertThat(browser.text("#edit-result")).startsWith("Not saved");
    assertThat(node.runningConfig().virtualServices().get(0).realServers().get(0).weight())
        .isEqualTo(100);
    browser.screenshot("edit-refused");

    weight = browser.find("#edit-rips tbody tr:nth-child(1) input[data-field='weight']");
    weight.clear();
    weight.sendKeys("5");
    browser.find("#edit-save").click();
    await().atMost(UI).until(() -> browser.text("#edit-result").startsWith("Saved"));
    assertThat(node.runningConfig().virtualServices().get(0).realServers().get(0).weight())
        .isEqualTo(5);
    assertThat(browser.text(problem)).isEmpty();
    browser.screenshot("edit-saved");

    // An HL7 message-mode VIP keeps its protocol through an edit of something else.
    browser.find("#edit-pick option[value='feed']").click();
    await()
        .atMost(UI)
        .until(
            () ->
                "hl7-mllp"
                    .equals(
                        browser
                            .driver()
                            .findElement(
                                org.openqa.selenium.By.cssSelector(
                                    "#edit-form select[data-field='protocol']"))
                            .getAttribute("value")));
    weight = browser.find("#edit-rips tbody tr:nth-child(1) input[data-field='weight']");
    weight.clear();
    weight.sendKeys("7");
    browser.find("#edit-save").click();
    await()
        .atMost(UI)
        .until(
            () -> node.runningConfig().virtualServices().get(1).realServers().get(0).weight() == 7);
    assertThat(node.runningConfig().virtualServices().get(1).protocol())
        .isEqualTo(org.lbctl.core.config.Protocol.HL7_MLLP);
  }

  @Test
  void aCertificateIsUploadedAndTheConfigurationRestoredFromAFile() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    browser.open(url + "ui/#config");
    await().atMost(UI).until(() -> browser.find("#login").isDisplayed());
    logIn("admin", PASSWORD);
    await().atMost(UI).until(() -> browser.text("#config-view").contains("virtualServices"));

    browser.find("#cert-name").sendKeys("portal");
    browser.find("#cert-file").sendKeys(pki.cert("server").toAbsolutePath().toString());
    browser.find("#cert-key").sendKeys(pki.key("server").toAbsolutePath().toString());
    browser.find("#cert-upload").click();
    await().atMost(UI).until(() -> browser.text("#cert-result").startsWith("Certificate portal"));
    assertThat(browser.text("tr[data-cert='portal']")).contains("uploaded", "server");
    assertThat(node.runningConfig().certificate("portal")).isPresent();
    assertThat(browser.text("#config-view")).doesNotContain("PRIVATE KEY");
    browser.screenshot("certificate-uploaded");

    // A backup with another weight, restored from the file.
    String backup =
        Files.readString(dir.resolve("lbctl.yaml"))
            .replaceFirst("(?s)(label: pacs1.*?weight: )100", "$1" + "42");
    assertThat(backup).contains("weight: 42");
    Path file = Files.writeString(dir.resolve("backup.yaml"), backup);
    browser.find("#restore").sendKeys(file.toAbsolutePath().toString());
    browser.acceptConfirm();
    await().atMost(UI).until(() -> browser.text("#config-result").startsWith("Restored"));
    assertThat(node.runningConfig().virtualServices().get(0).realServers().get(0).weight())
        .isEqualTo(42);
    assertThat(node.runningConfig().certificate("portal")).isPresent();
    browser.screenshot("restored");
  }

  private boolean editorReady() {
    return browser
            .driver()
            .findElements(org.openqa.selenium.By.cssSelector("#edit-pick option"))
            .size()
        > 1;
  }
}
