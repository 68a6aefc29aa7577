package org.lbctl.core.config;

/**
 * Layer 7 protocol: a byte proxy ({@code tcp}), an HTTP proxy ({@code http}), a byte proxy that
 * admits DICOM associations by their AE titles first ({@code dicom}), or HL7 over MLLP balanced per
 * message ({@code hl7-mllp}).
 */
public enum Protocol implements ConfigName {
  TCP("tcp"),
  HTTP("http"),
  DICOM("dicom"),
  HL7_MLLP("hl7-mllp");

  private final String configName;

  Protocol(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
