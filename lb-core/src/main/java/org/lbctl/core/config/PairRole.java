package org.lbctl.core.config;

/** A node's role in the pair by configuration; active/passive is its state. */
public enum PairRole implements ConfigName {
  PRIMARY("primary"),
  SECONDARY("secondary");

  private final String configName;

  PairRole(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
