package org.lbctl.core.config;

/** How an HTTP check compares the response body with the expected text. */
public enum BodyMatch implements ConfigName {
  CONTAINS("contains"),
  EQUALS("equals");

  private final String configName;

  BodyMatch(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
