package org.lbctl.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.lbctl.core.testing.TestPki;

/**
 * What the GE CCW profile's tests share: the PKI (the node's dual-use certificate for the VIPs'
 * 10.99.0.219, the CCW servers' own), nginx as a CCW server, and the profile moved into the lab.
 */
final class GeCcwLab {
  private GeCcwLab() {}

  static TestPki pki(Path dir) throws Exception {
    return TestPki.create(dir.resolve("pki"))
        .issue("lb-dual", "ca", "subjectAltName=IP:10.99.0.219", "serverAuth,clientAuth")
        .issue("ccw1", "ca", "subjectAltName=IP:10.99.0.207", "serverAuth")
        .issue("ccw2", "ca", "subjectAltName=IP:10.99.0.208", "serverAuth");
  }

  /** A CCW server: TLS on 443 and 44300 wanting a client certificate, the health page. */
  static String server(TestPki pki, String host) {
    return """
        listen 443 ssl; listen 44300 ssl;
        ssl_certificate %s; ssl_certificate_key %s;
        ssl_client_certificate %s; ssl_verify_client on;
        location = /api/health/ { return 200 "allServicesOperative"; }
        location / { return 200 "%s client $ssl_client_s_dn\\n"; }
        """
        .formatted(pki.cert(host), pki.key(host), pki.cert("ca"), host);
  }

  /** deploy/profiles/ge-ccw.yaml in 10.99.0.0/24, with this PKI, VIP 5 checked every 300 ms. */
  static String profile(TestPki pki) throws Exception {
    return Files.readString(Path.of("..", "deploy", "profiles", "ge-ccw.yaml"))
        .replace("192.32.40.", "10.99.0.")
        .replace("192.32.43.", "10.99.0.")
        .replace("/etc/lbctl/certs/client-cert.pem", pki.cert("lb-dual").toString())
        .replace("/etc/lbctl/certs/client-cert.key", pki.key("lb-dual").toString())
        .replace("/etc/lbctl/certs/mtls-ca.pem", pki.cert("ca").toString())
        .replace(
            "      type: https-get\n",
            "      type: https-get\n      interval: 300ms\n      timeout: 250ms\n");
  }
}
