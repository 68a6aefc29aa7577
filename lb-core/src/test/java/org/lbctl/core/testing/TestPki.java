package org.lbctl.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.lbctl.core.os.Commands;

/**
 * Certificates for TLS tests, made with openssl in a directory: a CA, two server certificates for
 * 127.0.0.1 and localhost (server, server2), a client certificate, and a second CA (other-ca) with
 * a client certificate of its own (stranger).
 */
public final class TestPki {
  private final Path dir;

  private TestPki(Path dir) {
    this.dir = dir;
  }

  public static TestPki create(Path dir) throws IOException {
    TestPki pki = new TestPki(Files.createDirectories(dir));
    pki.ca("ca");
    pki.ca("other-ca");
    pki.leaf("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost", "serverAuth");
    pki.leaf("client", "ca", "subjectAltName=DNS:lbctl-check", "clientAuth");
    pki.leaf("server2", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost", "serverAuth");
    pki.leaf("stranger", "other-ca", "subjectAltName=DNS:stranger", "clientAuth");
    return pki;
  }

  private void ca(String name) throws IOException {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key(name).toString(),
        "-out",
        cert(name).toString(),
        "-days",
        "2",
        "-subj",
        "/CN=lbctl test " + name);
  }

  /**
   * Another certificate signed by {@code ca} ("ca" or "other-ca").
   *
   * @param san e.g. {@code subjectAltName=IP:10.99.0.207}
   * @param usage extended key usage, e.g. {@code serverAuth,clientAuth}
   */
  public TestPki issue(String name, String ca, String san, String usage) throws IOException {
    leaf(name, ca, san, usage);
    return this;
  }

  private void leaf(String name, String ca, String san, String usage) throws IOException {
    Path csr = dir.resolve(name + ".csr");
    Path ext = dir.resolve(name + ".ext");
    Files.writeString(ext, san + "\nextendedKeyUsage=" + usage + "\n");
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key(name).toString(),
        "-out",
        csr.toString(),
        "-subj",
        "/CN=" + name);
    openssl(
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        cert(ca).toString(),
        "-CAkey",
        key(ca).toString(),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        ext.toString(),
        "-out",
        cert(name).toString());
  }

  private void openssl(String... args) throws IOException {
    List<String> argv = new java.util.ArrayList<>(List.of("openssl"));
    argv.addAll(List.of(args));
    Commands.Result r = Commands.run(Duration.ofSeconds(30), argv);
    if (!r.ok()) {
      throw new IOException(r.describe());
    }
  }

  /** A PKCS#12 keystore of {@code name}'s key and certificate, for servers that want one. */
  public Path pkcs12(String name, String password) throws IOException {
    Path p12 = dir.resolve(name + ".p12");
    openssl(
        "pkcs12",
        "-export",
        "-in",
        cert(name).toString(),
        "-inkey",
        key(name).toString(),
        "-out",
        p12.toString(),
        "-passout",
        "pass:" + password,
        "-name",
        name);
    return p12;
  }

  /** PEM certificate of {@code name}: ca, other-ca, server, client. */
  public Path cert(String name) {
    return dir.resolve(name + ".crt");
  }

  /** PEM private key (PKCS#8) of {@code name}. */
  public Path key(String name) {
    return dir.resolve(name + ".key");
  }
}
