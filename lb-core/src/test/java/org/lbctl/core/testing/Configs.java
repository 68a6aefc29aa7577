package org.lbctl.core.testing;

import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ReplicatedConfig;

/** Configurations for tests, written as an operator would write them. */
public final class Configs {
  private Configs() {}

  public static ReplicatedConfig yaml(String text) {
    try {
      return ConfigLoader.parse(text);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
