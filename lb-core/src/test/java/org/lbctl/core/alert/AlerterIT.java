package org.lbctl.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Ports;

/** Alert mail through a real SMTP server (GreenMail): recipients, rate limit, digest. */
class AlerterIT {
  private final int port = Ports.free();
  private final GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
  private final Alerter alerter = new Alerter("lb1", new SmtpMailSender());

  @AfterEach
  void stop() {
    alerter.close();
    smtp.stop();
  }

  private void configure() {
    alerter.configure(
        Configs.yaml(
            """
            alerts:
              smtpHost: 127.0.0.1
              smtpPort: %d
              security: none
              from: lbctl@hospital.test
              to: [netops@hospital.test]
              minInterval: 1s
            virtualServices:
              - label: pacs
                address: 127.0.0.1
                ports: [104]
                alertRecipients: [pacs-team@hospital.test]
                realServers: [{label: pacs1, address: 127.0.0.1, port: 11112}]
            """
                .formatted(port)));
  }

  /** One entry per mail sent (GreenMail keeps a copy per recipient): subject -> recipients. */
  private Map<String, MimeMessage> mails() throws Exception {
    Map<String, MimeMessage> byId = new LinkedHashMap<>();
    for (MimeMessage m : smtp.getReceivedMessages()) {
      byId.putIfAbsent(m.getMessageID(), m);
    }
    return byId;
  }

  private static List<String> to(MimeMessage m) throws Exception {
    return Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Object::toString).toList();
  }

  @Test
  void aFlappingServerMakesOneMailAtOnceAndOneDigestAfterTheIntervalNotTwenty() throws Exception {
    smtp.start();
    configure();
    for (int i = 0; i < 20; i++) {
      alerter.post(
          new AlertEvent(
              Instant.now(),
              Optional.of("pacs"),
              "pacs: real server pacs1 " + (i % 2 == 0 ? "DOWN" : "UP"),
              "connect to 10.0.0.1:104: connection refused"));
    }
    alerter.post(
        new AlertEvent(
            Instant.now(), Optional.empty(), "pair: secondary is now ACTIVE", "the peer was lost"));

    // At once: the first pacs event to both lists, the pair event to the global one only.
    await().atMost(Duration.ofSeconds(5)).until(() -> mails().size() == 2);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofMillis(800))
        .until(() -> mails().size() == 2);
    // After the interval: everything else for pacs in one mail.
    await().atMost(Duration.ofSeconds(5)).until(() -> mails().size() == 3);

    List<MimeMessage> all = List.copyOf(mails().values());
    MimeMessage first =
        all.stream()
            .filter(m -> subject(m).contains("pacs1 DOWN") && !subject(m).contains("more"))
            .findFirst()
            .orElseThrow();
    assertThat(subject(first)).isEqualTo("[lbctl lb1] pacs: real server pacs1 DOWN");
    assertThat(to(first)).containsExactly("netops@hospital.test", "pacs-team@hospital.test");
    assertThat((String) first.getContent()).contains("connect to 10.0.0.1:104: connection refused");

    MimeMessage pair =
        all.stream().filter(m -> subject(m).contains("pair:")).findFirst().orElseThrow();
    assertThat(to(pair)).containsExactly("netops@hospital.test");

    MimeMessage digest =
        all.stream().filter(m -> subject(m).contains("more")).findFirst().orElseThrow();
    assertThat(subject(digest)).isEqualTo("[lbctl lb1] pacs: real server pacs1 UP (+18 more)");
    assertThat(((String) digest.getContent()).lines().filter(l -> l.contains("real server pacs1")))
        .hasSize(19);
    assertThat(alerter.sent()).isEqualTo(3);
  }

  @Test
  void aMailServerThatIsDownCostsNothingButALogLineAndTheEventsGoWithTheNextMail()
      throws Exception {
    configure();
    alerter.post(
        new AlertEvent(Instant.now(), Optional.empty(), "pair: primary is now PASSIVE", ""));
    await().atMost(Duration.ofSeconds(15)).until(() -> alerter.failed() == 1);
    smtp.start();
    alerter.post(
        new AlertEvent(Instant.now(), Optional.empty(), "pair: primary is now ACTIVE", ""));
    await().atMost(Duration.ofSeconds(10)).until(() -> mails().size() == 1);
    MimeMessage m = mails().values().iterator().next();
    assertThat(subject(m)).isEqualTo("[lbctl lb1] pair: primary is now PASSIVE (+1 more)");
  }

  private static String subject(MimeMessage m) {
    try {
      return m.getSubject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * TLS from the first byte (GreenMail's SMTPS with the test PKI's server certificate), verified
   * against the configured CA, with SMTP AUTH: delivered; with another CA: refused and counted.
   */
  @Test
  void mailGoesOverVerifiedTlsWithAuthAndNotToAServerItCannotTrust(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    org.lbctl.core.testing.TestPki pki = org.lbctl.core.testing.TestPki.create(dir.resolve("pki"));
    System.setProperty("greenmail.tls.keystore.file", pki.pkcs12("server", "secret").toString());
    System.setProperty("greenmail.tls.keystore.password", "secret");
    System.setProperty("greenmail.tls.key.password", "secret");
    int tlsPort = Ports.free();
    GreenMail smtps = new GreenMail(new ServerSetup(tlsPort, "127.0.0.1", "smtps"));
    try {
      smtps.start();
      smtps.setUser("lbctl@hospital.test", "lbctl", "s3cret");
      java.nio.file.Path password = dir.resolve("smtp.password");
      java.nio.file.Files.writeString(password, "s3cret\n");
      String config =
          """
          alerts:
            smtpHost: 127.0.0.1
            smtpPort: %d
            security: tls
            username: lbctl
            passwordFile: %s
            caFile: %s
            from: lbctl@hospital.test
            to: [netops@hospital.test]
            minInterval: 1s
          """;
      alerter.configure(Configs.yaml(config.formatted(tlsPort, password, pki.cert("ca"))));
      alerter.post(
          new AlertEvent(Instant.now(), Optional.empty(), "pair: primary is now ACTIVE", ""));
      await().atMost(Duration.ofSeconds(10)).until(() -> smtps.getReceivedMessages().length == 1);
      assertThat(smtps.getReceivedMessages()[0].getSubject())
          .isEqualTo("[lbctl lb1] pair: primary is now ACTIVE");

      Alerter distrustful = new Alerter("lb2", new SmtpMailSender());
      try {
        distrustful.configure(
            Configs.yaml(config.formatted(tlsPort, password, pki.cert("other-ca"))));
        distrustful.post(new AlertEvent(Instant.now(), Optional.empty(), "pair: x", ""));
        // GreenMail's connection thread fails loudly when our side refuses its certificate.
        await()
            .dontCatchUncaughtExceptions()
            .atMost(Duration.ofSeconds(15))
            .until(() -> distrustful.failed() == 1);
        assertThat(smtps.getReceivedMessages()).hasSize(1);
      } finally {
        distrustful.close();
      }
    } finally {
      smtps.stop();
      System.clearProperty("greenmail.tls.keystore.file");
      System.clearProperty("greenmail.tls.keystore.password");
      System.clearProperty("greenmail.tls.key.password");
    }
  }
}
