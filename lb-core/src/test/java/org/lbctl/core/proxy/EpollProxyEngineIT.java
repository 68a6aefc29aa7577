package org.lbctl.core.proxy;

class EpollProxyEngineIT extends AbstractProxyEngineIT {
  @Override
  Transport transport() {
    return Transport.EPOLL;
  }
}
