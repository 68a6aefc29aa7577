package org.lbctl.core.config;

/** Where a virtual service forwards: kernel (layer 4) or the proxy (layer 7). */
public enum Layer {
  L4(4),
  L7(7);

  private final int number;

  Layer(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }
}
