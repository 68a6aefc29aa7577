package org.lbctl.core.config;

/** Health check kinds named by the deployment guides. */
public enum CheckType implements ConfigName {
  NONE("none"),
  CONNECT("connect"),
  ALL_PORTS("all-ports"),
  HTTP_GET("http-get"),
  HTTPS_GET("https-get"),
  DICOM_ECHO("dicom-echo"),
  HL7("hl7"),
  PING("ping"),
  EXTERNAL("external");

  /** The kinds this build can run; the others are refused by the configuration check. */
  public static final java.util.Set<CheckType> AVAILABLE = java.util.EnumSet.allOf(CheckType.class);

  private final String configName;

  CheckType(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
