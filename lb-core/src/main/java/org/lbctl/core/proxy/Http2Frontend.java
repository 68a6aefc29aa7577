package org.lbctl.core.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import java.util.function.BiFunction;
import org.lbctl.core.http.HttpLimits;
import org.lbctl.core.service.ServiceCounters;

/**
 * HTTP/2 from clients (RFC 9113) on a TLS-terminated HTTP VIP that negotiated {@code h2}: one frame
 * codec for the connection, with the limits that keep one client from costing the node more than
 * its share, and a child channel per stream that carries one exchange through its own {@link
 * HttpProxyHandler}, spoken to the real servers in HTTP/1.1 over the same pooled connections.
 */
final class Http2Frontend {
  /** Streams a client may have open at once; more are refused (REFUSED_STREAM). */
  static final int MAX_CONCURRENT_STREAMS = 100;

  /** The HPACK dynamic table the node keeps per connection (the RFC's default). */
  static final int HEADER_TABLE_BYTES = 4096;

  /** RST_STREAM frames a client may send per window before GOAWAY (rapid reset, CVE-2023-44487). */
  static final int MAX_RESETS = 200;

  static final int RESET_WINDOW_SECONDS = 30;

  /** Small CONTINUATION frames in a row before GOAWAY (CONTINUATION flood, CVE-2024-27316). */
  static final int MAX_SMALL_CONTINUATIONS = 16;

  /** Control frames queued for a client that does not read them (PING/SETTINGS acks, resets). */
  static final int MAX_QUEUED_CONTROL_FRAMES = 1000;

  private Http2Frontend() {}

  /** Puts the HTTP/2 handlers at the end of a client connection's pipeline. */
  static void install(
      ChannelPipeline p,
      VipListener listener,
      ProxySettings settings,
      BiFunction<String, String, SslContext> reencryption) {
    ServiceCounters counters = listener.runtime().counters();
    // Responses of many streams come back in one turn of the event loop, each from its own server
    // connection: written to the client together, they make one TLS record and one send, not one
    // each.
    p.addLast("h2-flush", new FlushConsolidationHandler(256, true))
        .addLast("h2", codec())
        .addLast(
            "h2-guard",
            new Http2Guard(
                listener.runtime().label(),
                counters::countRejected,
                System::nanoTime,
                listener.runtime().config().timeouts().client()))
        .addLast(
            "h2-streams",
            new Http2MultiplexHandler(
                new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel ch) {
                    // Each stream's body is read only as fast as its real server takes it: the
                    // flow-control window opens as the proxy reads.
                    ch.config().setAutoRead(false);
                    ch.pipeline()
                        .addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(true, true))
                        .addLast(
                            "h2-request",
                            new Http2StreamRequests(
                                listener.runtime().label(), counters::countRejected))
                        .addLast(
                            "proxy", new HttpProxyHandler(listener, settings, true, reencryption));
                  }
                }));
  }

  private static Http2FrameCodec codec() {
    int headerList = HttpLimits.DEFAULT.maxHeaderBytes();
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(
            Http2Settings.defaultSettings()
                .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                .headerTableSize(HEADER_TABLE_BYTES)
                .maxHeaderListSize(headerList))
        .validateHeaders(true)
        .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
        // A GOAWAY for a flood or an idle connection ends it at once, not after its streams.
        .gracefulShutdownTimeoutMillis(0)
        .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATIONS)
        .decoderEnforceMaxConsecutiveEmptyDataFrames(2)
        .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
        .build();
  }
}
