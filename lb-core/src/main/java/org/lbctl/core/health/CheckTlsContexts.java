package org.lbctl.core.health;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProtocols;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.lbctl.core.config.CheckTls;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.HealthCheck;
import org.lbctl.core.config.ReplicatedConfig;

/** The TLS client side of the checks that speak TLS (https-get, dicom-echo with tls). */
public final class CheckTlsContexts {
  private CheckTlsContexts() {}

  /**
   * A client context from the check's files: TLS 1.2 and 1.3, the CA to verify with and the name
   * checked (or no verification when turned off), the client certificate if any.
   *
   * @throws SSLException naming what cannot be used
   */
  public static SslContext build(CheckTls tls) throws SSLException {
    SslContextBuilder b =
        SslContextBuilder.forClient().protocols(SslProtocols.TLS_v1_3, SslProtocols.TLS_v1_2);
    if (tls.verifyCertificate()) {
      b.trustManager(new File(tls.caFile()));
      b.endpointIdentificationAlgorithm("HTTPS");
    } else {
      b.trustManager(InsecureTrustManagerFactory.INSTANCE);
    }
    if (!tls.clientCertificateFile().isEmpty()) {
      b.keyManager(new File(tls.clientCertificateFile()), new File(tls.clientKeyFile()));
    }
    return b.build();
  }

  /** The TLS checks of {@code config} whose files this node cannot use. */
  public static List<ConfigProblem> problems(ReplicatedConfig config) {
    List<ConfigProblem> problems = new ArrayList<>();
    for (int i = 0; i < config.virtualServices().size(); i++) {
      HealthCheck hc = config.virtualServices().get(i).healthCheck();
      if (!hc.usesTls()) {
        continue;
      }
      try {
        build(hc.tls());
      } catch (SSLException | RuntimeException e) {
        CheckTls t = hc.tls();
        problems.add(
            new ConfigProblem(
                "virtualServices[" + i + "].healthCheck",
                "cannot use its TLS files ("
                    + String.join(" ", t.caFile(), t.clientCertificateFile(), t.clientKeyFile())
                        .strip()
                    + "): "
                    + reason(e)));
      }
    }
    return problems;
  }

  /** The innermost reason of a TLS failure, in words an engineer recognises. */
  public static String reason(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = String.valueOf(c.getMessage());
    if (m.contains("unable to find valid certification path")
        || m.contains("PKIX path building failed")) {
      return "the server's certificate is not signed by the configured CA";
    }
    if (m.contains("No subject alternative") || m.contains("doesn't match any of the subject")) {
      return "the server's certificate is not for this name (" + m + ")";
    }
    if (m.contains("expired") || m.contains("NotAfter")) {
      return "the server's certificate has expired";
    }
    if (t instanceof SSLHandshakeException && m.contains("bad_certificate")
        || m.contains("certificate_required")) {
      return "the server wants a client certificate it accepts (" + m + ")";
    }
    return m;
  }
}
