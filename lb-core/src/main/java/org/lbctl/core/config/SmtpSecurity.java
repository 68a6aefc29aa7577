package org.lbctl.core.config;

/** How alert mail reaches the SMTP server. */
public enum SmtpSecurity implements ConfigName {
  /** Plain SMTP: only on a trusted network. */
  NONE("none"),
  /** SMTP upgraded with STARTTLS, which must succeed (port 587 usually). */
  STARTTLS("starttls"),
  /** TLS from the first byte (port 465 usually). */
  TLS("tls");

  private final String configName;

  SmtpSecurity(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
