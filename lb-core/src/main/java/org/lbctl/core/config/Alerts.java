package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * Email alerts: where they go and how often at most. A virtual service may name more recipients of
 * its own ({@link VirtualService#alertRecipients}).
 *
 * @param passwordFile a node-local file holding the SMTP password (never in the replicated file);
 *     empty without authentication
 * @param minInterval at most one mail per recipient list in this time; what happens meanwhile goes
 *     into the next mail, so a flapping server cannot flood a mailbox
 * @param caFile PEM certificates of the CA that signs the mail server's certificate (a hospital's
 *     own CA); empty: the JDK's trust store
 */
public record Alerts(
    String smtpHost,
    int smtpPort,
    SmtpSecurity security,
    String username,
    String passwordFile,
    String from,
    List<String> to,
    Duration minInterval,
    String caFile) {
  public Alerts {
    requireNonNull(smtpHost, "smtpHost");
    requireNonNull(security, "security");
    requireNonNull(username, "username");
    requireNonNull(passwordFile, "passwordFile");
    requireNonNull(from, "from");
    to = List.copyOf(to);
    requireNonNull(minInterval, "minInterval");
    requireNonNull(caFile, "caFile");
  }
}
