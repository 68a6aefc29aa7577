package org.lbctl.core.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.lbctl.core.audit.LogText;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.config.Hl7Order;
import org.lbctl.core.config.Hl7Settings;
import org.lbctl.core.health.hl7.Hl7Messages;
import org.lbctl.core.hl7.MessageHeader;
import org.lbctl.core.hl7.MllpException;
import org.lbctl.core.hl7.MllpFramer;
import org.lbctl.core.service.Choice;
import org.lbctl.core.service.SenderLanes;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HL7 message mode for one sender connection: each MLLP message goes to a real server the scheduler
 * picks for it, one message at a time, so the sender's order holds; the server's acknowledgment
 * goes back once its MSA-2 names the message's control ID. A message a server does not acknowledge
 * in time, or whose server connection ends first, goes to another server (at least once); the
 * sender gets one acknowledgment per message, and never one this proxy made up: when no server
 * acknowledges, the sender's connection is closed so that it sends the message again.
 */
final class Hl7MessageGate extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Hl7MessageGate.class);

  /** Messages read ahead of the one in flight; reading stops beyond. */
  static final int READ_AHEAD = 16;

  /**
   * What one read may hand over at once is not bounded by READ_AHEAD: a sender that has more than
   * this many messages, or twice the largest message's bytes, waiting for acknowledgments is closed
   * rather than held in memory.
   */
  static final int MAX_WAITING = 256;

  private static final long QUEUE_POLL_MILLIS = 5;

  private final VipListener listener;
  private final ProxySettings settings;
  private final ArrayDeque<Message> waiting = new ArrayDeque<>();

  /** By real server's state, or {@link #FALLBACK} for the fallback server. */
  private final Map<Object, ServerLink> links = new HashMap<>();

  private static final Object FALLBACK = new Object();
  private VirtualServiceRuntime vip;
  private Hl7Settings hl7;
  private ChannelHandlerContext ctx;
  private Message current;
  private boolean closed;
  private boolean inputShut;
  private long waitingBytes;

  /** One message from the sender, from arrival to its acknowledgment. */
  private static final class Message {
    final ByteBuf framed;
    final MessageHeader header;
    final long arrived = System.nanoTime();
    final Set<RealServerState> tried = new HashSet<>();
    ServerLink link;
    Backend backend;
    boolean triedFallback;
    String lane;
    ScheduledFuture<?> timer;
    long queueDeadline;
    ByteBuf lastNak;
    String lastNakCode;
    Backend lastNakFrom;
    int attempts;

    Message(ByteBuf framed, MessageHeader header) {
      this.framed = framed;
      this.header = header;
    }

    void release() {
      framed.release();
      if (lastNak != null) {
        lastNak.release();
        lastNak = null;
      }
    }
  }

  /** A connection of this sender's to one real server, reused for its later messages. */
  private final class ServerLink extends ChannelInboundHandlerAdapter {
    /** Null for the fallback server. */
    final Backend backend;

    Channel channel;
    ChannelFuture connect;

    ServerLink(Backend backend) {
      this.backend = backend;
    }

    Object key() {
      return backend == null ? FALLBACK : backend.state();
    }

    String label() {
      return backend == null ? "fallback" : backend.label();
    }

    @Override
    public void channelRead(ChannelHandlerContext sctx, Object msg) {
      answered(this, (ByteBuf) msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext sctx) {
      lost(this, "its connection closed");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext sctx, Object evt) {
      if (evt instanceof IdleStateEvent || evt instanceof ChannelInputShutdownEvent) {
        sctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext sctx, Throwable cause) {
      Throwable c =
          cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
      lost(this, "it sent what is not an MLLP answer: " + c.getMessage());
      sctx.close();
    }
  }

  Hl7MessageGate(VipListener listener, ProxySettings settings) {
    this.listener = listener;
    this.settings = settings;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    vip = listener.runtime();
    hl7 = vip.config().hl7();
    vip.counters().track(ctx.channel());
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf body = (ByteBuf) msg;
    if (closed) {
      body.release();
      return;
    }
    MessageHeader header;
    try {
      header = MessageHeader.parse(ByteBufUtil.getBytes(body, body.readerIndex(), firstLine(body)));
    } catch (MllpException e) {
      body.release();
      malformed(e.getMessage());
      return;
    }
    vip.counters().addBytesIn(body.readableBytes() + 3L);
    ByteBuf framed = MllpFramer.frame(body);
    waiting.add(new Message(framed, header));
    waitingBytes += framed.readableBytes();
    if (waiting.size() > MAX_WAITING || waitingBytes > 2 * hl7.maxMessage()) {
      malformed(
          "it sent "
              + waiting.size()
              + " messages ("
              + waitingBytes
              + " bytes) ahead of their acknowledgments");
      return;
    }
    if (current == null) {
      next();
    }
  }

  /** The length of the first segment, where MSH is. */
  private static int firstLine(ByteBuf body) {
    int end = body.forEachByte(b -> b != '\r' && b != '\n');
    return (end < 0 ? body.writerIndex() : end) - body.readerIndex();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!closed && waiting.size() < READ_AHEAD) {
      ctx.read();
    }
  }

  private void next() {
    // A connection lives for days: each message goes by the configuration in force when it
    // starts, so a reload's servers and settings reach it.
    vip = listener.runtime();
    hl7 = vip.config().hl7();
    current = waiting.poll();
    if (current != null) {
      waitingBytes -= current.framed.readableBytes();
    }
    if (current == null) {
      if (inputShut) {
        // The sender half-closed and every message of its is answered.
        ctx.close();
      }
      return;
    }
    if (!ctx.channel().config().isAutoRead() && waiting.size() < READ_AHEAD) {
      ctx.read();
    }
    if (hl7.orderBy() == Hl7Order.SENDING_APPLICATION) {
      Message m = current;
      String sender = m.header.sendingApplication() + "\u0000" + m.header.sendingFacility();
      SenderLanes lanes = vip.counters().senderLanes();
      Runnable turn =
          () -> {
            try {
              ctx.executor()
                  .execute(
                      () -> {
                        if (closed || current != m) {
                          // Gone while it waited: the lane goes on to the next.
                          lanes.leave(sender);
                        } else {
                          m.lane = sender;
                          dispatch();
                        }
                      });
            } catch (java.util.concurrent.RejectedExecutionException e) {
              // This connection's event loop has stopped (the node is closing): pass it on.
              lanes.leave(sender);
            }
          };
      if (!lanes.enter(sender, turn)) {
        return;
      }
      m.lane = sender;
    }
    dispatch();
  }

  /** The message no longer holds its sender's lane: the next message of that sender may go. */
  private void leaveLane(Message m) {
    if (m.lane != null) {
      String sender = m.lane;
      m.lane = null;
      vip.counters().senderLanes().leave(sender);
    }
  }

  /** Sends the current message to a server it has not been to yet. */
  private void dispatch() {
    Message m = current;
    InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
    Choice choice = vip.choose(client.getAddress(), listener.port(), m.tried);
    switch (choice.kind()) {
      case SERVER -> send(m, choice.backend(), choice.target());
      case FALLBACK -> {
        if (m.triedFallback) {
          giveUp(m, "the fallback server did not acknowledge it either");
        } else {
          vip.counters().countFallback();
          send(m, null, choice.target());
        }
      }
      case QUEUE -> queue(m);
      case REFUSE -> giveUp(m, "no real server left to try and the fallback server is disabled");
    }
  }

  /** Every server that could take it is at its maximum: wait for a slot, up to timeouts.queue. */
  private void queue(Message m) {
    long now = System.nanoTime();
    if (m.queueDeadline == 0) {
      m.queueDeadline = now + vip.config().timeouts().queue().toNanos();
    }
    if (now - m.queueDeadline >= 0) {
      Choice fallback = vip.fallback(listener.port());
      if (fallback.kind() == Choice.Kind.FALLBACK && !m.triedFallback) {
        vip.counters().countFallback();
        send(m, null, fallback.target());
      } else {
        giveUp(m, "every real server stayed at its maximum connections for the queue timeout");
      }
      return;
    }
    ctx.executor()
        .schedule(
            () -> {
              if (current == m && !closed) {
                dispatch();
              }
            },
            QUEUE_POLL_MILLIS,
            TimeUnit.MILLISECONDS);
  }

  private void send(Message m, Backend backend, InetSocketAddress target) {
    if (m.attempts++ > 0) {
      vip.counters().hl7().resent();
    }
    m.backend = backend;
    m.queueDeadline = 0;
    ServerLink link = links.get(backend == null ? FALLBACK : backend.state());
    if (link == null) {
      link = open(backend, target);
    }
    m.link = link;
    ServerLink l = link;
    m.timer =
        ctx.executor()
            .schedule(() -> timedOut(m, l), hl7.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ByteBuf copy = m.framed.retainedDuplicate();
    if (backend != null) {
      backend.state().addBytesIn(copy.readableBytes());
    }
    // Sent once connected (at once on a kept connection); a failed connect moves the message on.
    link.connect.addListener(
        done -> {
          if (done.isSuccess()) {
            l.channel.writeAndFlush(copy);
          } else {
            copy.release();
          }
        });
  }

  private ServerLink open(Backend backend, InetSocketAddress target) {
    ServerLink link = new ServerLink(backend);
    long idle = vip.config().timeouts().server().toMillis();
    ChannelFuture f =
        ServerConnections.connect(
            ServerConnections.bootstrap(settings, ctx.channel().eventLoop(), vip)
                .option(io.netty.channel.ChannelOption.AUTO_READ, true)
                .handler(
                    new io.netty.channel.ChannelInitializer<Channel>() {
                      @Override
                      protected void initChannel(Channel ch) {
                        ch.pipeline()
                            .addLast(
                                "idle",
                                new io.netty.handler.timeout.IdleStateHandler(
                                    0, 0, idle, TimeUnit.MILLISECONDS))
                            .addLast("mllp", new MllpFramer(hl7.maxMessage()))
                            .addLast("answers", link);
                      }
                    }),
            vip,
            target,
            ctx.channel());
    link.channel = f.channel();
    link.connect = f;
    links.put(link.key(), link);
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            if (backend != null) {
              backend.state().countFailedConnect();
            }
            lost(link, "could not be reached (" + reason(done.cause()) + ")");
          }
        });
    return link;
  }

  /** The server of {@code link} answered. */
  private void answered(ServerLink link, ByteBuf body) {
    Message m = current;
    String text = body.toString(StandardCharsets.ISO_8859_1);
    try {
      if (m == null || m.link != link) {
        settings
            .badResponseLog()
            .warn(
                log,
                "vip {}: real server {} answered when no message was waiting for it; closing"
                    + " that connection",
                vip.label(),
                link.label());
        link.channel.close();
        return;
      }
      Optional<Hl7Messages.Ack> ack = Hl7Messages.ack(text);
      if (ack.isEmpty() || !ack.get().controlId().equals(m.header.controlId())) {
        settings
            .badResponseLog()
            .warn(
                log,
                "vip {}: real server {} answered message {} with {}; closing that connection and"
                    + " sending the message elsewhere",
                vip.label(),
                link.label(),
                LogText.name(m.header.controlId()),
                ack.map(a -> "an acknowledgment of " + LogText.name(a.controlId()))
                    .orElse("no MSA segment"));
        link.channel.close();
        return;
      }
      String code = ack.get().code();
      boolean accepted = code.equals("AA") || code.equals("CA");
      if (!accepted && hl7.resendOnNak()) {
        if (m.lastNak != null) {
          m.lastNak.release();
        }
        m.lastNak = MllpFramer.frame(body.retain());
        m.lastNakCode = code;
        m.lastNakFrom = m.backend;
        retry(m, "answered " + code);
        return;
      }
      relay(m, MllpFramer.frame(body.retain()), code);
    } finally {
      body.release();
    }
  }

  /** Sends the acknowledgment to the sender and moves on to the next message. */
  private void relay(Message m, ByteBuf framedAck, String code) {
    settle(m);
    if (m.backend != null) {
      vip.connected(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress(), m.backend);
      m.backend.state().addBytesOut(framedAck.readableBytes());
      m.backend.state().countAck(code);
    }
    vip.counters().hl7().acknowledged(code, System.nanoTime() - m.arrived);
    vip.counters().addBytesOut(framedAck.readableBytes());
    // The server committed the message: the sender's next one may go, from any connection.
    leaveLane(m);
    ctx.writeAndFlush(framedAck);
    m.release();
    current = null;
    next();
  }

  /** Ends the current attempt: its timer and its server slot. */
  private void settle(Message m) {
    if (m.timer != null) {
      m.timer.cancel(false);
      m.timer = null;
    }
    if (m.backend != null && m.link != null) {
      m.backend.state().release();
    }
    m.link = null;
  }

  private void timedOut(Message m, ServerLink link) {
    if (current != m || m.link != link || closed) {
      return;
    }
    // Its late answer must not be taken for the next message's: the connection goes.
    links.remove(link.key(), link);
    retry(m, "did not acknowledge it within " + hl7.ackTimeout().toMillis() + " ms");
    link.channel.close();
  }

  private static String reason(Throwable cause) {
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m;
  }

  /** The server of {@code link} can no longer answer. */
  private void lost(ServerLink link, String why) {
    links.remove(link.key(), link);
    Message m = current;
    if (m != null && m.link == link && !closed) {
      retry(m, why);
    }
  }

  private void retry(Message m, String why) {
    Backend from = m.backend;
    settle(m);
    if (from == null) {
      m.triedFallback = true;
    } else {
      m.tried.add(from.state());
    }
    settings
        .connectLog()
        .warn(
            log,
            "vip {}: real server {} {} (message {} from {}); sending it to another server",
            vip.label(),
            from == null ? "fallback" : from.label(),
            why,
            LogText.name(m.header.controlId()),
            ctx.channel().remoteAddress());
    dispatch();
  }

  private void giveUp(Message m, String why) {
    settle(m);
    m.queueDeadline = 0;
    if (m.lastNak != null) {
      ByteBuf nak = m.lastNak;
      m.lastNak = null;
      m.backend = m.lastNakFrom;
      relay(m, nak, m.lastNakCode);
      return;
    }
    vip.counters().hl7().unanswered();
    settings
        .refuseLog()
        .warn(
            log,
            "vip {}: no real server acknowledged message {} from {} ({}); closing the sender's"
                + " connection so that it sends the message again",
            vip.label(),
            LogText.name(m.header.controlId()),
            ctx.channel().remoteAddress(),
            why);
    closed = true;
    ctx.close();
  }

  private void malformed(String why) {
    if (closed) {
      // The framer keeps failing on what follows the bad bytes: one count, one line.
      return;
    }
    closed = true;
    vip.counters().hl7().malformed();
    settings
        .refuseLog()
        .warn(
            log,
            "vip {}: closing HL7 sender {}: {}; nothing of that message was forwarded",
            vip.label(),
            ctx.channel().remoteAddress(),
            why);
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() instanceof MllpException e) {
      malformed(e.getMessage());
      return;
    }
    log.debug("vip {}: HL7 sender {}: {}", vip.label(), ctx.channel().remoteAddress(), cause);
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
    } else if (evt instanceof ChannelInputShutdownEvent) {
      // The sender is done: what it sent is answered first, then the connection ends.
      inputShut = true;
      if (current == null && waiting.isEmpty()) {
        ctx.close();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    Message m = current;
    current = null;
    if (m != null) {
      settle(m);
      m.release();
    }
    waiting.forEach(Message::release);
    waiting.clear();
    links.values().forEach(l -> l.channel.close());
    links.clear();
    if (m != null) {
      // Last: the next message of this sender, on another connection, may go now.
      leaveLane(m);
    }
  }
}
