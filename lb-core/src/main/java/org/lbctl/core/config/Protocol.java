package org.lbctl.core.config;

/** Layer 7 protocol: a byte proxy ({@code tcp}) or an HTTP/1.1 proxy ({@code http}). */
public enum Protocol implements ConfigName {
  TCP("tcp"),
  HTTP("http");

  private final String configName;

  Protocol(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
