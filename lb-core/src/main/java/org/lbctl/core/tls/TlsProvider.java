package org.lbctl.core.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/**
 * Which TLS implementation the node uses: BoringSSL (netty-tcnative) when it loads on this
 * platform, else the JDK's. {@code -Dlbctl.tls.provider=jdk} (or {@code openssl}) forces one, for
 * measuring one against the other.
 */
public final class TlsProvider {
  private TlsProvider() {}

  public static SslProvider choose() {
    String forced = System.getProperty("lbctl.tls.provider", "").toLowerCase(Locale.ROOT);
    if (forced.equals("jdk")) {
      return SslProvider.JDK;
    }
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }
}
