package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI's high-availability view on a pair in the namespace lab, in headless Chromium on this
 * machine (reaching lb1's HTTPS listener through a {@link NamespacePortal}): both nodes, who is
 * active, the heartbeat, the configuration versions, and a controlled failover from the button.
 */
class WebUiPairIT {
  private static final Duration UI = Duration.ofSeconds(20);

  @TempDir Path dir;
  private PairLab lab;
  private NamespacePortal portal;
  private Browser browser;

  @BeforeEach
  void start() throws Exception {
    lab = PairLab.create(dir);
    lab.configurePair(
        """
        virtualServices:
          - label: portal
            address: %s
            ports: [80]
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 8080}
              - {label: rs2, address: 10.99.0.22, port: 8080}
        """
            .formatted(PairLab.VIP));
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (portal != null) {
      portal.close();
    }
    lab.close("pair-logs/webUiFailover");
  }

  @Test
  void theFailoverButtonHandsTheActiveRoleToThePeer() throws Exception {
    lab.startPair();
    CliRun added = lab.lbctl("lb1", "user", "add", "admin");
    assertThat(added.exit()).as(added.err()).isZero();
    Matcher m = Pattern.compile("shown this once\\): (\\S+)").matcher(added.out());
    assertThat(m.find()).as(added.out()).isTrue();
    String password = m.group(1);

    portal = NamespacePortal.open(lab.lab(), "client", dir, "10.99.0.11", 9443);
    browser = Browser.start("WebUiPairIT");
    browser.open("https://127.0.0.1:" + portal.port() + "/ui/#ha");
    await().atMost(UI).until(() -> browser.find("#login").isDisplayed());
    browser.find("#login-name").sendKeys("admin");
    browser.find("#login-password").sendKeys(password);
    browser.find("#login-submit").click();

    await().atMost(UI).until(() -> browser.text("#ha-panel").contains("passive"));
    String panel = browser.text("#ha-panel");
    assertThat(panel).contains("(this node) primary active", "10.99.0.12", "ms ago");
    assertThat(browser.text("#drift")).isEqualTo("Both nodes run the same configuration.");
    assertThat(browser.find("#failover").isDisplayed()).isTrue();
    browser.screenshot("pair-lb1-active");

    browser.click("#failover");
    browser.acceptConfirm();
    await().atMost(UI).until(() -> lab.pairState("lb2").equals("active"));
    await()
        .atMost(UI)
        .until(() -> browser.text("#ha-panel").contains("(this node) primary passive"));
    assertThat(lab.pairState("lb1")).isEqualTo("passive");
    assertThat(browser.find("#failover").isDisplayed()).isFalse();
    await().atMost(UI).until(() -> lab.holdsVip("lb2"));
    assertThat(lab.curl()).matches("rs[12]");
    browser.screenshot("pair-lb2-active");

    // A failover made elsewhere (the CLI on lb2 hands the role back): the open page shows it
    // within a second of the node, from the node's event stream rather than its next poll.
    String heard = browser.attribute("body", "data-events");
    var back =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> lab.lbctl("lb2", "failover"));
    await()
        .atMost(UI)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> lab.pairState("lb1").equals("active"));
    long changed = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> browser.text("#ha-panel").contains("(this node) primary active"));
    System.out.printf(
        "web UI: the failover back shown %d ms after lb1 said active%n",
        (System.nanoTime() - changed) / 1_000_000);
    // Heard from the node's event stream, not found by the next poll.
    assertThat(browser.attribute("body", "data-events")).isNotEqualTo(heard);
    // The panel says since when and why: the peer handed the role over.
    assertThat(browser.text("#ha-since"))
        .startsWith("This node is active since")
        .contains("the peer is passive");
    assertThat(back.get(30, java.util.concurrent.TimeUnit.SECONDS).exit()).isZero();
  }
}
