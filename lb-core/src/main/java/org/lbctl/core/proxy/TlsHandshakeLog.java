package org.lbctl.core.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs why a client's TLS handshake failed (no certificate, one from another CA, an old protocol),
 * at most once a second per virtual service, then steps aside.
 */
final class TlsHandshakeLog extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TlsHandshakeLog.class);
  private static final Throttle THROTTLE = new Throttle(1000);
  private final String vip;

  TlsHandshakeLog(String vip) {
    this.vip = vip;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent e) {
      if (!e.isSuccess()) {
        Throwable c = e.cause();
        while (c.getCause() != null && c.getCause() != c) {
          c = c.getCause();
        }
        THROTTLE.warn(
            log,
            "vip {}: TLS handshake with {} failed: {}",
            vip,
            ctx.channel().remoteAddress(),
            c.getMessage());
      }
      ctx.pipeline().remove(this);
    }
    ctx.fireUserEventTriggered(evt);
  }
}
