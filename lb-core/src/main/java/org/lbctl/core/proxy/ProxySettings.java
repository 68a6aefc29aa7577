package org.lbctl.core.proxy;

import io.netty.channel.WriteBufferWaterMark;

/** Engine-wide settings and log throttles that every connection of a node shares. */
record ProxySettings(
    Transport transport,
    WriteBufferWaterMark waterMark,
    Throttle connectLog,
    Throttle fallbackLog,
    Throttle refuseLog,
    Throttle badResponseLog,
    Throttle associationLog) {

  static ProxySettings of(Transport transport) {
    // About 1 MiB of buffering per direction keeps bulk transfers at HAProxy's CPU per MiB.
    return new ProxySettings(
        transport,
        new WriteBufferWaterMark(512 * 1024, 1024 * 1024),
        new Throttle(1000),
        new Throttle(1000),
        new Throttle(1000),
        new Throttle(1000),
        new Throttle(1000));
  }
}
