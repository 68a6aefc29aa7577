package org.lbctl.core.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real server's side of an HTTP exchange, last in the server connection's pipeline: sorts what
 * the server sends (interim 1xx, a switch of protocols, the response's head, its body, its end) and
 * hands it to the exchange that asked, reading the server only as fast as the client takes it. What
 * arrives when nothing was asked, or cannot be framed, ends the connection.
 */
final class ServerResponseRelay extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ServerResponseRelay.class);

  /** The exchange a response goes to. */
  interface Target {
    /** The client's end, where the response is written. */
    ChannelHandlerContext client();

    /** Whether {@code server} is the connection in use with a request outstanding. */
    boolean awaits(Channel server);

    /** An exchange is under way: the client's body, if any, flows while the server is writable. */
    boolean exchangeOpen();

    /**
     * The final response's head, before it goes to the client: the target rewrites its headers.
     *
     * @return false when the response must not go on (a switch of protocols nobody asked for)
     */
    boolean head(HttpResponse response);

    /** The response is whole: {@code last} is its end, still to be written. */
    void ended(Channel server, boolean serverKeepAlive, Object last, ServerResponseRelay relay);

    /** The response cannot be framed safely. */
    void malformed(Channel server, Throwable cause);

    /** The server sent something with nothing asked of it. */
    void unasked(Channel server);
  }

  private final Channel channel;
  private final Target target;
  private boolean serverKeepAlive;
  // An interim response (100 Continue...) came: its end is not the end of the exchange.
  private boolean interim;

  ServerResponseRelay(Channel channel, Target target) {
    this.channel = channel;
    this.target = target;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!target.awaits(channel) || !(msg instanceof HttpObject o)) {
      // Nothing was asked of this connection: what a server sends out of turn (a second response,
      // bytes while parked) would be read as the answer to the next request.
      ReferenceCountUtil.release(msg);
      target.unasked(channel);
      return;
    }
    if (o.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      target.malformed(channel, o.decoderResult().cause());
      return;
    }
    ChannelHandlerContext client = target.client();
    if (msg instanceof HttpResponse r
        && r.status().codeClass() == HttpStatusClass.INFORMATIONAL
        && r.status().code() != 101) {
      interim = true;
      client.writeAndFlush(msg);
      channel.read();
      return;
    }
    if (interim && msg instanceof LastHttpContent) {
      // The client's encoder wants the interim response's end as well.
      interim = false;
      client.writeAndFlush(msg);
      channel.read();
      return;
    }
    if (msg instanceof HttpResponse r) {
      serverKeepAlive = HttpUtil.isKeepAlive(r);
      if (!target.head(r)) {
        ReferenceCountUtil.release(msg);
        return;
      }
    }
    if (msg instanceof LastHttpContent) {
      target.ended(channel, serverKeepAlive, msg, this);
      return;
    }
    // Flushed once per read from the server (channelReadComplete), not once per part.
    client.write(msg);
    if (client.channel().isWritable()) {
      channel.read();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    target.client().flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && target.exchangeOpen()) {
      target.client().read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("real server {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
