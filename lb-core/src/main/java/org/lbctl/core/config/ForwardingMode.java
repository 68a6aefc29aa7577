package org.lbctl.core.config;

/** Layer 4 forwarding method. SNAT is served by the byte proxy; NAT and DR by nftables. */
public enum ForwardingMode implements ConfigName {
  SNAT("snat"),
  NAT("nat"),
  DR("dr");

  private final String configName;

  ForwardingMode(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
