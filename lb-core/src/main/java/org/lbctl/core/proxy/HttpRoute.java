package org.lbctl.core.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.util.Optional;
import java.util.Set;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.persistence.StickyCookie;
import org.lbctl.core.service.Choice;
import org.lbctl.core.service.VirtualServiceRuntime;

/**
 * Routing and persistence of one HTTP request: the real server its persistence cookie names while
 * that server may still take it (not tried and failed for this request), else the virtual service's
 * own choice; and the server whose cookie the response must set, when the client holds none or the
 * wrong one.
 *
 * @param insertCookieFor the label to set in the response's cookie, or null
 */
record HttpRoute(Choice choice, String insertCookieFor) {

  static HttpRoute of(
      VirtualServiceRuntime vip,
      int port,
      HttpRequest request,
      InetAddress client,
      Set<RealServerState> tried) {
    Optional<StickyCookie> cookie = vip.cookie();
    if (cookie.isPresent()) {
      Optional<Choice> stuck =
          cookie
              .get()
              .serverIn(request.headers().getAll(HttpHeaderNames.COOKIE), vip.serverLabels())
              .filter(n -> tried.stream().noneMatch(t -> t.label().equals(n)))
              .flatMap(n -> vip.cookieChoice(n, port));
      if (stuck.isPresent()) {
        return new HttpRoute(stuck.get(), null);
      }
    }
    Choice choice = vip.choose(client, port, tried);
    boolean insert = cookie.isPresent() && choice.kind() == Choice.Kind.SERVER;
    return new HttpRoute(choice, insert ? choice.backend().label() : null);
  }
}
