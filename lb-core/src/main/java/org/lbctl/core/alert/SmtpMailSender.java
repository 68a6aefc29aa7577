package org.lbctl.core.alert;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import org.lbctl.core.config.Alerts;
import org.lbctl.core.config.SmtpSecurity;

/**
 * Sends alert mail over SMTP with Jakarta Mail: STARTTLS required or TLS from the start, the
 * server's certificate checked against the JDK's trust store and its name, AUTH with the password
 * read from the node's password file at each send (so a changed password needs no reload).
 */
public final class SmtpMailSender implements MailSender {
  private static final String TIMEOUT_MS = "10000";

  /** The Jakarta Mail session properties for {@code a}. */
  static Properties properties(Alerts a) {
    Properties p = basics(a);
    if (a.security() != SmtpSecurity.NONE && !a.caFile().isEmpty()) {
      String proto = a.security() == SmtpSecurity.TLS ? "smtps" : "smtp";
      p.put("mail." + proto + ".ssl.socketFactory", trusting(Path.of(a.caFile())));
    }
    return p;
  }

  /** Sockets that trust only the certificates in {@code caFile}. */
  static javax.net.ssl.SSLSocketFactory trusting(Path caFile) {
    try (var in = Files.newInputStream(caFile)) {
      java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int n = 0;
      for (java.security.cert.Certificate c :
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca" + n++, c);
      }
      if (n == 0) {
        throw new IllegalStateException(caFile + " holds no PEM certificate");
      }
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx.getSocketFactory();
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot use the mail server CA file " + caFile + ": " + e, e);
    }
  }

  private static Properties basics(Alerts a) {
    Properties p = new Properties();
    String proto = a.security() == SmtpSecurity.TLS ? "smtps" : "smtp";
    p.put("mail.transport.protocol", proto);
    p.put("mail." + proto + ".host", a.smtpHost());
    p.put("mail." + proto + ".port", Integer.toString(a.smtpPort()));
    p.put("mail." + proto + ".connectiontimeout", TIMEOUT_MS);
    p.put("mail." + proto + ".timeout", TIMEOUT_MS);
    p.put("mail." + proto + ".writetimeout", TIMEOUT_MS);
    p.put("mail." + proto + ".auth", Boolean.toString(!a.username().isEmpty()));
    if (a.security() == SmtpSecurity.STARTTLS) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    if (a.security() != SmtpSecurity.NONE) {
      p.put("mail." + proto + ".ssl.checkserveridentity", "true");
      p.put("mail." + proto + ".ssl.protocols", "TLSv1.3 TLSv1.2");
    }
    return p;
  }

  @Override
  public void send(Alerts a, List<String> to, String subject, String body) throws Exception {
    Session session =
        a.username().isEmpty()
            ? Session.getInstance(properties(a))
            : Session.getInstance(
                properties(a),
                new Authenticator() {
                  @Override
                  protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(a.username(), password(a));
                  }
                });
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(a.from()));
    for (String r : to) {
      m.addRecipient(Message.RecipientType.TO, new InternetAddress(r));
    }
    m.setSubject(subject, StandardCharsets.UTF_8.name());
    m.setText(body, StandardCharsets.UTF_8.name());
    m.setSentDate(new Date());
    m.saveChanges();
    // By protocol name: Transport.send picks the transport by address type ("smtp"), which
    // would ignore smtps and talk plain SMTP to port 25 (caught by the TLS test).
    try (Transport t = session.getTransport(a.security() == SmtpSecurity.TLS ? "smtps" : "smtp")) {
      t.connect();
      t.sendMessage(m, m.getAllRecipients());
    }
  }

  private static String password(Alerts a) {
    try {
      return Files.readString(Path.of(a.passwordFile())).strip();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the SMTP password file " + a.passwordFile(), e);
    }
  }
}
