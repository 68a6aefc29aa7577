package org.lbctl.core.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Pipelined requests, answered in order: a request that arrives while the previous exchange is
 * still under way (its body all read, its response not yet all written) waits here, whole or in
 * part, and goes on to the handlers after this one only when they fire {@link
 * HttpRequestDefences#NEXT_REQUEST}. The handlers after this one therefore see one exchange at a
 * time, whatever the client sends ahead.
 *
 * <p>Bounded by the reads that brought them: while requests wait, a read asked for by the handlers
 * after this one reads nothing new from the client (the waiting ones come first), so what waits is
 * at most what one read of the socket decoded.
 *
 * <p>Sits right after the decoder, before {@link HttpRequestDefences}, so that the defences judge a
 * waiting request, and start its header clock, when its turn comes.
 */
public final class HttpPipelining extends ChannelDuplexHandler {
  /**
   * Requests that may wait at once: browsers do not pipeline and tools send a few; a read of tiny
   * requests could otherwise hold thousands per connection.
   */
  public static final int MAX_WAITING = 100;

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(HttpPipelining.class);
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private final java.util.function.Consumer<HttpRejection> counted;
  private int waitingRequests;

  /**
   * @param counted told when a client sends too many requests ahead, for the virtual service's
   *     counters
   */
  public HttpPipelining(java.util.function.Consumer<HttpRejection> counted) {
    this.counted = counted;
  }

  // An exchange is under way: from its request's head to NEXT_REQUEST.
  private boolean inExchange;
  // ... and its request has been read whole: what comes next belongs to the next one.
  private boolean requestRead;
  private boolean replayScheduled;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (inExchange && requestRead || !waiting.isEmpty()) {
      if (msg instanceof HttpRequest && ++waitingRequests > MAX_WAITING) {
        log.info(
            "client {} sent more than {} requests ahead of their answers; closing its connection",
            ctx.channel().remoteAddress(),
            MAX_WAITING);
        counted.accept(HttpRejection.TOO_MANY_PIPELINED);
        ReferenceCountUtil.release(msg);
        release();
        ctx.close();
        return;
      }
      waiting.add(msg);
      return;
    }
    pass(ctx, msg);
  }

  private void pass(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      inExchange = true;
      requestRead = false;
    }
    if (msg instanceof LastHttpContent && inExchange) {
      requestRead = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == HttpRequestDefences.NEXT_REQUEST) {
      inExchange = false;
      requestRead = false;
      if (!waiting.isEmpty() && !replayScheduled) {
        // After the handler that ended the exchange has finished with it, not inside it.
        replayScheduled = true;
        ctx.executor().execute(() -> replay(ctx));
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** Hands the waiting messages on until one exchange's request is read whole. */
  private void replay(ChannelHandlerContext ctx) {
    replayScheduled = false;
    boolean passed = false;
    while (!waiting.isEmpty() && !(inExchange && requestRead)) {
      Object next = waiting.poll();
      if (next instanceof HttpRequest) {
        waitingRequests--;
      }
      pass(ctx, next);
      passed = true;
    }
    if (passed) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!waiting.isEmpty()) {
      // The next request is here already: it goes on at NEXT_REQUEST, or now if the exchange is
      // still reading its request's parts from the queue.
      if (!(inExchange && requestRead) && !replayScheduled) {
        replayScheduled = true;
        ctx.executor().execute(() -> replay(ctx));
      }
      return;
    }
    ctx.read();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    waitingRequests = 0;
    Object m;
    while ((m = waiting.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }
}
