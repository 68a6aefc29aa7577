package org.lbctl.core.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.Alerts;
import org.lbctl.core.config.SmtpSecurity;

/** What Jakarta Mail is told for each kind of SMTP security. */
class SmtpMailSenderTest {
  private static Alerts alerts(SmtpSecurity security, int port, String user) {
    return new Alerts(
        "smtp.hospital.test",
        port,
        security,
        user,
        user.isEmpty() ? "" : "/etc/lbctl/smtp.password",
        "lbctl@hospital.test",
        List.of("netops@hospital.test"),
        Duration.ofMinutes(1),
        "");
  }

  @Test
  void starttlsIsRequiredNotMerelyTriedAndTheServerNameIsChecked() {
    var p = SmtpMailSender.properties(alerts(SmtpSecurity.STARTTLS, 587, "lbctl"));
    assertThat(p)
        .containsEntry("mail.smtp.host", "smtp.hospital.test")
        .containsEntry("mail.smtp.port", "587")
        .containsEntry("mail.smtp.starttls.enable", "true")
        .containsEntry("mail.smtp.starttls.required", "true")
        .containsEntry("mail.smtp.ssl.checkserveridentity", "true")
        .containsEntry("mail.smtp.auth", "true");
  }

  @Test
  void tlsFromTheStartUsesSmtpsAndPlainSmtpNeitherTlsNorAuth() {
    var tls = SmtpMailSender.properties(alerts(SmtpSecurity.TLS, 465, "lbctl"));
    assertThat(tls)
        .containsEntry("mail.transport.protocol", "smtps")
        .containsEntry("mail.smtps.port", "465")
        .containsEntry("mail.smtps.ssl.checkserveridentity", "true")
        .doesNotContainKey("mail.smtp.starttls.enable");
    var plain = SmtpMailSender.properties(alerts(SmtpSecurity.NONE, 25, ""));
    assertThat(plain)
        .containsEntry("mail.smtp.auth", "false")
        .doesNotContainKey("mail.smtp.starttls.enable")
        .doesNotContainKey("mail.smtp.ssl.checkserveridentity");
  }
}
