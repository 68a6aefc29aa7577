package org.lbctl.core.config;

/**
 * Layer 7 protocol: a byte proxy ({@code tcp}), an HTTP proxy ({@code http}), or a byte proxy that
 * admits DICOM associations by their AE titles first ({@code dicom}).
 */
public enum Protocol implements ConfigName {
  TCP("tcp"),
  HTTP("http"),
  DICOM("dicom");

  private final String configName;

  Protocol(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
