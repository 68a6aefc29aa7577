package org.lbctl.core.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lbctl.core.os.Commands;

/**
 * A real OpenLDAP server (Debian's {@code slapd}) on loopback for the length of a test: an MDB
 * database loaded from LDIF with {@code slapadd}, LDAPS and plain LDAP (for StartTLS) on free ports
 * of 127.0.0.1 and 127.0.0.2, the certificate {@code server} of a {@link TestPki}. Users may read
 * the directory once bound; anonymous users may only bind.
 */
public final class Slapd implements AutoCloseable {
  public static final String SUFFIX = "dc=hospital,dc=test";

  private final Process process;
  private final int ldaps;
  private final int ldap;

  private Slapd(Process process, int ldaps, int ldap) {
    this.process = process;
    this.ldaps = ldaps;
    this.ldap = ldap;
  }

  /** Starts slapd in {@code dir} with the entries of {@code ldif} below {@link #SUFFIX}. */
  public static Slapd start(Path dir, TestPki pki, String ldif) throws IOException {
    Path db = Files.createDirectories(dir.resolve("db"));
    Path conf = dir.resolve("slapd.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "include /etc/ldap/schema/core.schema",
            "include /etc/ldap/schema/cosine.schema",
            "include /etc/ldap/schema/inetorgperson.schema",
            "include /etc/ldap/schema/nis.schema",
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            "pidfile " + dir.resolve("slapd.pid"),
            "TLSCertificateFile " + pki.cert("server"),
            "TLSCertificateKeyFile " + pki.key("server"),
            "database mdb",
            "suffix \"" + SUFFIX + "\"",
            "rootdn \"cn=admin," + SUFFIX + "\"",
            "directory " + db,
            "access to attrs=userPassword by anonymous auth by self write by * none",
            "access to * by users read by * none",
            ""));
    Path data = dir.resolve("data.ldif");
    Files.writeString(
        data,
        "dn: "
            + SUFFIX
            + "\nobjectClass: dcObject\nobjectClass: organization\no: Hospital\ndc: hospital\n\n"
            + ldif);
    Commands.Result added =
        Commands.run(
            Duration.ofSeconds(30),
            List.of("slapadd", "-f", conf.toString(), "-l", data.toString()));
    if (!added.ok()) {
      throw new IOException(added.describe());
    }
    int ldaps = Ports.free();
    int ldap = Ports.free();
    String urls =
        "ldaps://127.0.0.1:%d/ ldap://127.0.0.1:%d/ ldaps://127.0.0.2:%d/ ldap://127.0.0.2:%d/"
            .formatted(ldaps, ldap, ldaps, ldap);
    Process p =
        new ProcessBuilder("slapd", "-f", conf.toString(), "-h", urls, "-d", "0")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("slapd.log").toFile())
            .start();
    Slapd slapd = new Slapd(p, ldaps, ldap);
    try {
      await()
          .atMost(Duration.ofSeconds(15))
          .ignoreExceptions()
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new IllegalStateException(
                      "slapd exited: " + Files.readString(dir.resolve("slapd.log")));
                }
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress("127.0.0.1", ldaps), 500);
                  return true;
                }
              });
    } catch (RuntimeException e) {
      slapd.close();
      throw e;
    }
    return slapd;
  }

  public int ldapsPort() {
    return ldaps;
  }

  public int ldapPort() {
    return ldap;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
