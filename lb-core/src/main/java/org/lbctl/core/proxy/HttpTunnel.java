package org.lbctl.core.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.lbctl.core.config.Timeouts;

/**
 * An HTTP exchange that switches protocols (RFC 9110 §7.8: {@code Upgrade}, answered {@code 101
 * Switching Protocols}), as a web viewer's WebSocket does: once the 101 has reached the client,
 * both connections carry the new protocol's bytes as they come, through {@link RelayHandler}s with
 * the virtual service's idle timeout, as TCP mode does. The server connection is the client's for
 * good then: it never goes back to the pool.
 */
final class HttpTunnel {
  // What the client connection drops once it carries bytes (the proxy handler is replaced).
  private static final List<String> CLIENT_HTTP =
      List.of("idle", "defences", "pipelining", "encoder");

  private HttpTunnel() {}

  /**
   * The protocol a request asks to switch to, or null: a bodiless HTTP/1.1 GET with {@code Upgrade}
   * named in its {@code Connection} header.
   */
  static String asked(HttpRequest r) {
    HttpHeaders h = r.headers();
    String protocol = h.get(HttpHeaderNames.UPGRADE);
    if (protocol == null
        || !r.method().equals(HttpMethod.GET)
        || !r.protocolVersion().equals(HttpVersion.HTTP_1_1)
        || h.contains(HttpHeaderNames.TRANSFER_ENCODING)
        || h.getInt(HttpHeaderNames.CONTENT_LENGTH, 0) != 0) {
      return null;
    }
    for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : value.split(",")) {
        if (token.strip().equalsIgnoreCase("upgrade")) {
          return protocol;
        }
      }
    }
    return null;
  }

  /** The hop-by-hop headers that carry the switch, put back after the others were dropped. */
  static void keepUpgrade(HttpHeaders h, String protocol) {
    h.set(HttpHeaderNames.UPGRADE, protocol);
    h.set(HttpHeaderNames.CONNECTION, "upgrade");
  }

  /**
   * Turns both connections into a relay. Called on the client's event loop right after the 101's
   * end was written to the client (its encoder has done its work); bytes the decoders hold go on.
   *
   * @param proxy the client's HTTP proxy handler, replaced
   * @param serverSide the server connection's response handler, replaced
   */
  static void open(
      Channel client,
      ChannelHandler proxy,
      Channel server,
      ChannelHandler serverSide,
      Timeouts timeouts,
      String description) {
    IdleTimer idle =
        new IdleTimer(
            client,
            server,
            Math.min(timeouts.client().toNanos(), timeouts.server().toNanos()),
            description);
    // Bytes are counted by each side's ByteCounter already.
    ChannelPipeline sp = server.pipeline();
    sp.replace(serverSide, "relay", new RelayHandler(client, n -> {}, idle, description));
    sp.remove(org.lbctl.core.http.ServerCodec.class);
    ChannelPipeline cp = client.pipeline();
    cp.replace(proxy, "relay", new RelayHandler(server, n -> {}, idle, description));
    for (String name : CLIENT_HTTP) {
      if (cp.get(name) != null) {
        cp.remove(name);
      }
    }
    cp.remove("decoder");
    idle.start();
    client.config().setAutoRead(true);
    server.config().setAutoRead(true);
  }
}
