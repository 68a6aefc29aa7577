package org.lbctl.core.proxy;

class NioProxyEngineIT extends AbstractProxyEngineIT {
  @Override
  Transport transport() {
    return Transport.NIO;
  }
}
