package org.lbctl.core.config;

/** Balance mode of a virtual service. */
public enum SchedulerKind implements ConfigName {
  WEIGHTED_LEAST_CONNECTION("weighted-least-connection"),
  WEIGHTED_ROUND_ROBIN("weighted-round-robin"),
  FIRST("first"),
  SOURCE_HASH("source-hash");

  private final String configName;

  SchedulerKind(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
