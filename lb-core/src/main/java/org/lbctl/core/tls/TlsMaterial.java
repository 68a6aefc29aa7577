package org.lbctl.core.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProtocols;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLException;
import org.lbctl.core.config.CaFamily;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.NamedCertificate;
import org.lbctl.core.config.Reencrypt;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.Termination;

/**
 * The certificates and CA families of a configuration, read from their files: checked when a
 * configuration is loaded (unreadable, expired, a key that does not belong to its certificate, a CA
 * file without a certificate: refused, naming the file), and turned into TLS contexts.
 */
public final class TlsMaterial {
  private TlsMaterial() {}

  /** Everything wrong with the configuration's TLS files on this node, by path. */
  public static List<ConfigProblem> problems(ReplicatedConfig config, Instant now) {
    List<ConfigProblem> problems = new ArrayList<>();
    for (int i = 0; i < config.certificates().size(); i++) {
      NamedCertificate c = config.certificates().get(i);
      String path = "certificates[" + i + "]";
      String filePath =
          path + (c.isPfx() ? ".pfxFile" : c.isInline() ? ".certificatePem" : ".certificateFile");
      try {
        Identity id = identity(c);
        X509Certificate leaf = id.chain().get(0);
        if (leaf.getNotAfter().toInstant().isBefore(now)) {
          problems.add(
              new ConfigProblem(
                  filePath, c.mainFile() + " expired on " + leaf.getNotAfter().toInstant()));
        } else if (leaf.getNotBefore().toInstant().isAfter(now)) {
          problems.add(
              new ConfigProblem(
                  filePath,
                  c.mainFile() + " is not valid before " + leaf.getNotBefore().toInstant()));
        }
        if (!belongsTo(id.key(), leaf)) {
          problems.add(
              new ConfigProblem(
                  c.isPfx() ? filePath : path + (c.isInline() ? ".keyPem" : ".keyFile"),
                  (c.isPfx()
                          ? c.pfxFile() + "'s key"
                          : c.isInline() ? "the uploaded key" : c.keyFile())
                      + " is not the private key of "
                      + c.mainFile()));
        }
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        problems.add(new ConfigProblem(path, "cannot use its files: " + e.getMessage()));
      }
    }
    for (int i = 0; i < config.caFamilies().size(); i++) {
      CaFamily f = config.caFamilies().get(i);
      for (int j = 0; j < f.files().size(); j++) {
        try {
          chain(Path.of(f.files().get(j)));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
          problems.add(
              new ConfigProblem(
                  "caFamilies[" + i + "].files[" + j + "]", "cannot use it: " + e.getMessage()));
        }
      }
    }
    return problems;
  }

  /**
   * What a termination presents: its certificate, or the one its SNI map names for the host a
   * client asks for (a whole domain with {@code *.}).
   */
  public static io.netty.util.Mapping<String, SslContext> termination(
      ReplicatedConfig config, Termination t) throws SSLException {
    return termination(config, t, false);
  }

  /**
   * As {@link #termination(ReplicatedConfig, Termination)}, offering HTTP/2 by ALPN when {@code
   * http2} (an HTTP-mode VIP whose termination allows it).
   */
  public static io.netty.util.Mapping<String, SslContext> termination(
      ReplicatedConfig config, Termination t, boolean http2) throws SSLException {
    io.netty.util.DomainWildcardMappingBuilder<SslContext> b =
        new io.netty.util.DomainWildcardMappingBuilder<>(server(config, t, t.certificate(), http2));
    for (var e : t.sni().entrySet()) {
      b.add(e.getKey(), server(config, t, e.getValue(), http2));
    }
    return b.build();
  }

  /** The server side of a termination: its certificate, TLS 1.2/1.3, mTLS when it names a CA. */
  public static SslContext server(ReplicatedConfig config, Termination t) throws SSLException {
    return server(config, t, t.certificate(), false);
  }

  /** The protocols an HTTP/2-capable termination offers, the client's preference deciding. */
  private static final io.netty.handler.ssl.ApplicationProtocolConfig ALPN_H2 =
      new io.netty.handler.ssl.ApplicationProtocolConfig(
          io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
          io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
          io.netty.handler.ssl.ApplicationProtocolNames.HTTP_2,
          io.netty.handler.ssl.ApplicationProtocolNames.HTTP_1_1);

  private static SslContext server(
      ReplicatedConfig config, Termination t, String certificate, boolean http2)
      throws SSLException {
    Identity id = loaded(named(config, certificate));
    SslContextBuilder b =
        SslContextBuilder.forServer(id.key(), id.chain())
            .sslProvider(TlsProvider.choose())
            .protocols(SslProtocols.TLS_v1_3, SslProtocols.TLS_v1_2);
    if (http2) {
      // RFC 9113 §9.2.2: TLS 1.2 with HTTP/2 must use AEAD suites, which is what the providers'
      // defaults for 1.2 hold first.
      b.applicationProtocolConfig(ALPN_H2);
    }
    if (!t.clientCa().isEmpty()) {
      b.trustManager(trusted(family(config, t.clientCa()))).clientAuth(ClientAuth.REQUIRE);
    }
    return b.build();
  }

  /**
   * The client side of re-encryption to a real server: TLS 1.2/1.3, the server's chain verified
   * against the CA family, the named client certificate presented.
   */
  public static SslContext client(ReplicatedConfig config, Reencrypt re) throws SSLException {
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(TlsProvider.choose())
            .protocols(SslProtocols.TLS_v1_3, SslProtocols.TLS_v1_2)
            .trustManager(trusted(family(config, re.verifyCa())));
    if (!re.clientCertificate().isEmpty()) {
      Identity id = loaded(named(config, re.clientCertificate()));
      b.keyManager(id.key(), id.chain());
    }
    return b.build();
  }

  /** What an operator wants to know of a named certificate; {@code problem} when unusable. */
  public record Summary(
      String name, String kind, String subject, String issuer, String notAfter, String problem) {}

  /**
   * A warning for each named certificate that expires within {@code within} of {@code now} (expired
   * ones are {@link #problems}).
   */
  public static List<String> expiringSoon(ReplicatedConfig config, Instant now, Duration within) {
    List<String> out = new ArrayList<>();
    for (NamedCertificate c : config.certificates()) {
      try {
        Instant end = identity(c).chain().get(0).getNotAfter().toInstant();
        if (!end.isBefore(now) && end.isBefore(now.plus(within))) {
          out.add(
              "certificate "
                  + c.name()
                  + " ("
                  + c.mainFile()
                  + ") expires on "
                  + end
                  + ", in "
                  + Duration.between(now, end).toDays()
                  + " days: renew it");
        }
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        // Unusable: a problem of its own (problems).
      }
    }
    return out;
  }

  /** A summary of each named certificate, for the API and the web UI. */
  public static List<Summary> summaries(ReplicatedConfig config) {
    List<Summary> out = new ArrayList<>();
    for (NamedCertificate c : config.certificates()) {
      String kind = c.isInline() ? "uploaded" : c.isPfx() ? "pfx file" : "pem files";
      try {
        X509Certificate leaf = identity(c).chain().get(0);
        out.add(
            new Summary(
                c.name(),
                kind,
                leaf.getSubjectX500Principal().getName(),
                leaf.getIssuerX500Principal().getName(),
                leaf.getNotAfter().toInstant().toString(),
                null));
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        out.add(new Summary(c.name(), kind, null, null, null, e.getMessage()));
      }
    }
    return out;
  }

  /** A private key and its certificate chain, leaf first. */
  record Identity(PrivateKey key, List<X509Certificate> chain) {}

  /** The key and chain of a named certificate, PEM or PFX. */
  static Identity identity(NamedCertificate c) throws IOException, GeneralSecurityException {
    if (c.isInline()) {
      return new Identity(
          privateKey(c.keyPem(), "the uploaded key of " + c.name()),
          chain(
              new java.io.ByteArrayInputStream(
                  c.certificatePem().getBytes(StandardCharsets.US_ASCII)),
              "the uploaded certificate " + c.name()));
    }
    if (!c.isPfx()) {
      return new Identity(privateKey(Path.of(c.keyFile())), chain(Path.of(c.certificateFile())));
    }
    char[] password = Files.readString(Path.of(c.passwordFile())).strip().toCharArray();
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(c.pfxFile()))) {
      store.load(in, password);
    }
    for (String alias : java.util.Collections.list(store.aliases())) {
      if (store.isKeyEntry(alias)) {
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate cert : store.getCertificateChain(alias)) {
          chain.add((X509Certificate) cert);
        }
        return new Identity((PrivateKey) store.getKey(alias, password), chain);
      }
    }
    throw new GeneralSecurityException(c.pfxFile() + " holds no private key");
  }

  private static Identity loaded(NamedCertificate c) throws SSLException {
    try {
      return identity(c);
    } catch (IOException | GeneralSecurityException e) {
      throw new SSLException(c.mainFile() + ": " + e.getMessage(), e);
    }
  }

  private static NamedCertificate named(ReplicatedConfig config, String name) throws SSLException {
    return config
        .certificate(name)
        .orElseThrow(() -> new SSLException("no certificate named " + name));
  }

  private static CaFamily family(ReplicatedConfig config, String name) throws SSLException {
    return config.caFamily(name).orElseThrow(() -> new SSLException("no CA family named " + name));
  }

  /** Every certificate of a CA family. */
  public static X509Certificate[] trusted(CaFamily family) throws SSLException {
    List<X509Certificate> all = new ArrayList<>();
    for (String f : family.files()) {
      try {
        all.addAll(chain(Path.of(f)));
      } catch (IOException | GeneralSecurityException e) {
        throw new SSLException("CA family " + family.name() + ": " + f + ": " + e.getMessage(), e);
      }
    }
    return all.toArray(X509Certificate[]::new);
  }

  /** Every certificate of a PEM file, in order; refused when there is none. */
  static List<X509Certificate> chain(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return chain(in, pem.toString());
    }
  }

  private static List<X509Certificate> chain(InputStream in, String what)
      throws GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
      out.add((X509Certificate) c);
    }
    if (out.isEmpty()) {
      throw new GeneralSecurityException(what + " holds no PEM certificate");
    }
    return out;
  }

  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    return privateKey(Files.readString(pem, StandardCharsets.US_ASCII), pem.toString());
  }

  private static PrivateKey privateKey(String text, String pem) throws GeneralSecurityException {
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < 0) {
      throw new GeneralSecurityException(pem + " holds no PKCS#8 PEM private key");
    }
    byte[] der =
        Base64.getMimeDecoder()
            .decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    GeneralSecurityException last = null;
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException(pem + ": not an EC, RSA or Ed25519 key", last);
  }

  /** Whether {@code key} signs what {@code cert}'s public key verifies. */
  private static boolean belongsTo(PrivateKey key, X509Certificate cert)
      throws GeneralSecurityException {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm();
        };
    byte[] challenge = "lbctl key check".getBytes(StandardCharsets.US_ASCII);
    Signature sign = Signature.getInstance(algorithm);
    sign.initSign(key);
    sign.update(challenge);
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance(algorithm);
    try {
      verify.initVerify(cert.getPublicKey());
    } catch (java.security.InvalidKeyException e) {
      return false; // another kind of key altogether
    }
    verify.update(challenge);
    return verify.verify(signature);
  }
}
