package org.lbctl.core.health;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.lbctl.core.config.Endpoints;

/**
 * {@code connect} and {@code all-ports}: a TCP connection to each port of the target, closed once
 * established. Every port must connect (iConnect's seven-port VIP is healthy only when all seven
 * are); the ports are tried side by side.
 */
public final class ConnectCheck implements Check {
  private final CheckTransport transport;

  public ConnectCheck(CheckTransport transport) {
    this.transport = transport;
  }

  @Override
  public CompletableFuture<CheckResult> run(CheckTarget target) {
    long start = System.nanoTime();
    List<CompletableFuture<CheckResult>> each = new ArrayList<>();
    for (int port : target.ports()) {
      each.add(connect(target, new InetSocketAddress(target.address(), port)));
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              for (CompletableFuture<CheckResult> r : each) {
                if (!r.join().up()) {
                  return r.join();
                }
              }
              long ms = (System.nanoTime() - start) / 1_000_000;
              return CheckResult.up(
                  (each.size() == 1
                          ? each.get(0).join().detail()
                          : "connected to all ports " + target.ports())
                      + " in "
                      + ms
                      + " ms");
            });
  }

  private CompletableFuture<CheckResult> connect(CheckTarget target, InetSocketAddress address) {
    CompletableFuture<CheckResult> result = new CompletableFuture<>();
    String where = Endpoints.format(address);
    transport
        .bootstrap(target.timeout())
        .handler(new ChannelInboundHandlerAdapter())
        .connect(address)
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                f.channel().close();
                result.complete(CheckResult.up("connected to " + where));
              } else {
                result.complete(
                    CheckResult.down("connect to " + where + ": " + Failures.describe(f.cause())));
              }
            });
    return result;
  }
}
