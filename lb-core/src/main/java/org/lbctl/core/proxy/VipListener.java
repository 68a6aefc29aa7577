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
  // TLS termination on this port: new connections take the current context, so a replaced
  // certificate serves new clients while open connections keep theirs.
  private volatile io.netty.util.Mapping<String, io.netty.handler.ssl.SslContext> tls;

  VipListener(InetSocketAddress address, VirtualServiceRuntime runtime) {
    this(address, runtime, null);
  }

  VipListener(
      InetSocketAddress address,
      VirtualServiceRuntime runtime,
      io.netty.util.Mapping<String, io.netty.handler.ssl.SslContext> tls) {
    this.address = address;
    this.runtime = runtime;
    this.tls = tls;
  }

  /** The TLS contexts of a termination port by SNI host name; null on a plain port. */
  io.netty.util.Mapping<String, io.netty.handler.ssl.SslContext> tls() {
    return tls;
  }

  void setTls(io.netty.util.Mapping<String, io.netty.handler.ssl.SslContext> tls) {
    this.tls = tls;
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
