package org.lbctl.core.config;

/** How a client is kept on the real server it had. */
public enum PersistenceMode implements ConfigName {
  NONE("none"),
  SOURCE_IP("source-ip"),
  HTTP_COOKIE("http-cookie"),
  LAST_SUCCESSFUL("last-successful");

  private final String configName;

  PersistenceMode(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
