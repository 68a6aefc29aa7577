package org.lbctl.core.config;

/** A configuration enum whose values are spelled in lower-case words in the file. */
public interface ConfigName {
  String configName();
}
