package org.lbctl.core.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.lbctl.core.service.VirtualServiceRuntime;

/**
 * One bound address and port of a virtual service. A reload that keeps the port swaps the runtime
 * in place, so the listening socket and its connections stay.
 */
final class VipListener {
  private final InetSocketAddress address;
  private volatile VirtualServiceRuntime runtime;
  private volatile Channel channel;

  VipListener(InetSocketAddress address, VirtualServiceRuntime runtime) {
    this.address = address;
    this.runtime = runtime;
  }

  InetSocketAddress address() {
    return address;
  }

  VirtualServiceRuntime runtime() {
    return runtime;
  }

  void setRuntime(VirtualServiceRuntime runtime) {
    this.runtime = runtime;
  }

  Channel channel() {
    return channel;
  }

  void setChannel(Channel channel) {
    this.channel = channel;
  }

  int port() {
    return address.getPort();
  }
}
