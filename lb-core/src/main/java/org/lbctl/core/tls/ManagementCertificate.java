package org.lbctl.core.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.lbctl.core.os.Commands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS management listener's certificate: the one configured, or a self-signed one (ECDSA
 * P-256, 5 years, this host's name and addresses as subject alternative names) generated once with
 * openssl and kept, so browsers and scripts can pin it. Its SHA-256 fingerprint is logged at every
 * start for comparing with what a browser shows.
 */
public final class ManagementCertificate {
  private static final Logger log = LoggerFactory.getLogger(ManagementCertificate.class);
  public static final String CERT_FILE = "management.crt";
  public static final String KEY_FILE = "management.key";

  private ManagementCertificate() {}

  /**
   * The files in {@code dir}, generated first when neither exists, naming {@code listen} (and the
   * host's name and loopback); a wildcard listen names every address of the host.
   */
  public static Path[] ensureGenerated(Path dir, InetAddress listen) throws IOException {
    Path cert = dir.resolve(CERT_FILE);
    Path key = dir.resolve(KEY_FILE);
    if (Files.exists(cert) != Files.exists(key)) {
      throw new IOException(
          "management certificate: "
              + (Files.exists(cert) ? key : cert)
              + " is missing while "
              + (Files.exists(cert) ? cert : key)
              + " exists; remove the other to have a new pair generated");
    }
    if (!Files.exists(cert)) {
      generate(cert, key, listen);
    } else if (!listen.isAnyLocalAddress() && !names(cert, listen)) {
      // Kept, not replaced: browsers and scripts pinned its fingerprint, and a new one would break
      // them without a word. The operator decides.
      log.warn(
          "management certificate {} was generated for another address and does not name {},"
              + " where management listens now: clients that check the name refuse it; remove {}"
              + " and {} to have one generated for {} (its fingerprint changes)",
          cert,
          listen.getHostAddress(),
          cert,
          key,
          listen.getHostAddress());
    }
    return new Path[] {cert, key};
  }

  /** Whether the certificate's subject alternative names include {@code address}. */
  static boolean names(Path cert, InetAddress address) {
    try {
      var sans = TlsMaterial.chain(cert).get(0).getSubjectAlternativeNames();
      if (sans == null) {
        return false;
      }
      for (List<?> san : sans) {
        // Type 7: an IP address, as text.
        if (Integer.valueOf(7).equals(san.get(0))
            && InetAddress.getByName(String.valueOf(san.get(1))).equals(address)) {
          return true;
        }
      }
      return false;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** A server context for the listener; refused naming the file when it cannot be read. */
  public static SslContext serverContext(Path cert, Path key) throws IOException {
    try {
      SslContext ctx =
          SslContextBuilder.forServer(cert.toFile(), key.toFile())
              .sslProvider(TlsProvider.choose())
              .protocols("TLSv1.3", "TLSv1.2")
              .build();
      log.info("management certificate {} SHA-256 fingerprint {}", cert, fingerprint(cert));
      return ctx;
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "management certificate " + cert + " with key " + key + ": " + e.getMessage(), e);
    }
  }

  /** The certificate's SHA-256 fingerprint as openssl and browsers print it (AB:CD:...). */
  public static String fingerprint(Path cert) throws IOException {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(TlsMaterial.chain(cert).get(0).getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new IOException(cert + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  private static void generate(Path cert, Path key, InetAddress listen) throws IOException {
    String host = hostname();
    Files.createDirectories(cert.toAbsolutePath().getParent());
    Files.deleteIfExists(key);
    Files.createFile(
        key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    List<String> argv =
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            cert.toString(),
            "-days",
            "1826",
            "-subj",
            "/O=lbctl/CN=" + host,
            "-addext",
            "subjectAltName=" + subjectAltNames(host, listen),
            "-addext",
            "extendedKeyUsage=serverAuth");
    Commands.Result r;
    try {
      r = Commands.run(Duration.ofSeconds(30), argv);
    } catch (IOException e) {
      Files.deleteIfExists(key);
      throw new IOException(
          "cannot generate the management certificate (is openssl installed?): " + e.getMessage(),
          e);
    }
    if (!r.ok()) {
      Files.deleteIfExists(key);
      Files.deleteIfExists(cert);
      throw new IOException("cannot generate the management certificate: " + r.describe());
    }
    log.warn(
        "generated a self-signed management certificate {} for {}; configure management.certificate"
            + " for one your browsers trust",
        cert,
        host);
  }

  private static String hostname() {
    try {
      String h = InetAddress.getLocalHost().getHostName();
      return h.matches("[A-Za-z0-9.-]{1,63}") ? h.toLowerCase(Locale.ROOT) : "lbctl";
    } catch (IOException e) {
      return "lbctl";
    }
  }

  /**
   * The host's name, localhost, and the address the listener is on; for a wildcard listener every
   * address of this host that is not link-local (a certificate need not tell the whole network
   * map).
   */
  static String subjectAltNames(String host, InetAddress listen) {
    Set<String> names = new LinkedHashSet<>();
    names.add("DNS:" + host);
    names.add("DNS:localhost");
    names.add("IP:127.0.0.1");
    names.add("IP:::1");
    if (!listen.isAnyLocalAddress()) {
      names.add("IP:" + io.netty.util.NetUtil.toAddressString(listen));
      return String.join(",", names);
    }
    try {
      List<NetworkInterface> all = new ArrayList<>();
      Collections.list(NetworkInterface.getNetworkInterfaces()).forEach(all::add);
      for (NetworkInterface i : all) {
        for (InetAddress a : Collections.list(i.getInetAddresses())) {
          if (!a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
            String text = a.getHostAddress();
            if (a instanceof Inet6Address) {
              int zone = text.indexOf('%');
              text = zone < 0 ? text : text.substring(0, zone);
            }
            names.add("IP:" + text);
          }
        }
      }
    } catch (SocketException e) {
      // the names above still make a usable certificate
    }
    return String.join(",", names);
  }
}
