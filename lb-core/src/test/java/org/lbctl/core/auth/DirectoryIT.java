package org.lbctl.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.config.DirectorySettings;
import org.lbctl.core.testing.Slapd;
import org.lbctl.core.testing.TestPki;

/** Directory logins against a real OpenLDAP server that the test starts on loopback. */
class DirectoryIT {
  private static final String PEOPLE = "ou=people," + Slapd.SUFFIX;
  private static final String GROUPS = "ou=groups," + Slapd.SUFFIX;

  @TempDir static Path dir;
  private static TestPki pki;
  private static Slapd slapd;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
    StringBuilder ldif = new StringBuilder();
    ldif.append(entry(PEOPLE, "objectClass: organizationalUnit", "ou: people"));
    ldif.append(entry(GROUPS, "objectClass: organizationalUnit", "ou: groups"));
    for (String user : new String[] {"alice", "bob", "carol", "dave", "erin", "ward"}) {
      ldif.append(
          entry(
              "uid=" + user + "," + PEOPLE,
              "objectClass: inetOrgPerson",
              "uid: " + user,
              "cn: " + user,
              "sn: " + user,
              "userPassword: " + user + "-directory-pw"));
    }
    ldif.append(
        entry(
            "cn=lb-admins," + GROUPS,
            "objectClass: groupOfNames",
            "cn: lb-admins",
            "member: uid=alice," + PEOPLE,
            "member: uid=ward," + PEOPLE));
    ldif.append(
        entry(
            "cn=lb-operators," + GROUPS,
            "objectClass: groupOfUniqueNames",
            "cn: lb-operators",
            "uniqueMember: uid=bob," + PEOPLE,
            "uniqueMember: uid=carol," + PEOPLE));
    ldif.append(
        entry(
            "cn=radiology," + GROUPS,
            "objectClass: groupOfNames",
            "cn: radiology",
            "member: uid=carol," + PEOPLE));
    ldif.append(
        entry(
            "cn=pacs-viewers," + GROUPS,
            "objectClass: posixGroup",
            "cn: pacs-viewers",
            "gidNumber: 5000",
            "memberUid: erin"));
    ldif.append(
        entry(
            "cn=cafeteria," + GROUPS,
            "objectClass: groupOfNames",
            "cn: cafeteria",
            "member: uid=dave," + PEOPLE));
    slapd = Slapd.start(dir.resolve("slapd"), pki, ldif.toString());
  }

  @AfterAll
  static void stop() {
    if (slapd != null) {
      slapd.close();
    }
  }

  private static String entry(String dn, String... lines) {
    return "dn: " + dn + "\n" + String.join("\n", lines) + "\n\n";
  }

  private static DirectorySettings settings(String host, int port, boolean startTls, Path ca) {
    return new DirectorySettings(
        host,
        port,
        startTls,
        ca,
        "uid={user}," + PEOPLE,
        Optional.empty(),
        GROUPS,
        Map.of(
            // Compared as DNs: case and spacing as the directory writes them do not matter.
            "CN=LB-Admins, ou=groups," + Slapd.SUFFIX, Role.ADMIN,
            "cn=lb-operators," + GROUPS, Role.OPERATOR,
            "cn=radiology," + GROUPS, Role.VIEWER,
            "cn=pacs-viewers," + GROUPS, Role.VIEWER),
        Duration.ofSeconds(3));
  }

  private static Directory ldaps() throws Exception {
    return new Directory(settings("127.0.0.1", slapd.ldapsPort(), false, pki.cert("ca")));
  }

  @Test
  void directoryUsersGetTheHighestRoleTheirGroupsGiveOverLdapsAndStartTls() throws Exception {
    Directory startTls =
        new Directory(settings("127.0.0.1", slapd.ldapPort(), true, pki.cert("ca")));
    for (Directory d : new Directory[] {ldaps(), startTls}) {
      assertThat(d.verify("alice", "alice-directory-pw"))
          .isEqualTo(new Directory.Member("uid=alice," + PEOPLE, Role.ADMIN));
      assertThat(d.verify("bob", "bob-directory-pw"))
          .isEqualTo(new Directory.Member("uid=bob," + PEOPLE, Role.OPERATOR));
      // In a viewer group and an operator group: the higher.
      assertThat(d.verify("carol", "carol-directory-pw"))
          .isEqualTo(new Directory.Member("uid=carol," + PEOPLE, Role.OPERATOR));
      assertThat(d.verify("erin", "erin-directory-pw"))
          .isEqualTo(new Directory.Member("uid=erin," + PEOPLE, Role.VIEWER));
      assertThat(d.verify("dave", "dave-directory-pw"))
          .isInstanceOf(Directory.Refused.class)
          .asString()
          .contains("none of the configured groups");
      assertThat(d.verify("alice", "bob-directory-pw"))
          .isEqualTo(new Directory.Refused("wrong name or password"));
      assertThat(d.verify("nobody", "x-directory-pw"))
          .isEqualTo(new Directory.Refused("wrong name or password"));
      // An empty password would be an anonymous bind, which the server accepts.
      assertThat(d.verify("alice", "")).isInstanceOf(Directory.Refused.class);
    }
  }

  @Test
  void aDirectoryWhoseCertificateIsUntrustedOrNamesAnotherHostIsNotAskedForPasswords()
      throws Exception {
    Directory untrusted =
        new Directory(settings("127.0.0.1", slapd.ldapsPort(), false, pki.cert("other-ca")));
    assertThat(untrusted.verify("alice", "alice-directory-pw"))
        .isInstanceOf(Directory.Unreachable.class);
    Directory untrustedStartTls =
        new Directory(settings("127.0.0.1", slapd.ldapPort(), true, pki.cert("other-ca")));
    assertThat(untrustedStartTls.verify("alice", "alice-directory-pw"))
        .isInstanceOf(Directory.Unreachable.class);
    // The server's certificate names 127.0.0.1 and localhost, not 127.0.0.2.
    Directory misnamed =
        new Directory(settings("127.0.0.2", slapd.ldapsPort(), false, pki.cert("ca")));
    assertThat(misnamed.verify("alice", "alice-directory-pw"))
        .isInstanceOf(Directory.Unreachable.class);
    Directory misnamedStartTls =
        new Directory(settings("127.0.0.2", slapd.ldapPort(), true, pki.cert("ca")));
    assertThat(misnamedStartTls.verify("alice", "alice-directory-pw"))
        .isInstanceOf(Directory.Unreachable.class);
  }

  private static String basic(String name, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void localUsersGoFirstAndStillLogInWhileTheDirectoryIsDown() throws Exception {
    UserStore users = UserStore.open(Optional.empty());
    users.add("ward", "the local break-glass pw", Role.ADMIN);
    Authenticator auth =
        new Authenticator(
            users, ApiTokens.open(Optional.empty()), Clock.systemUTC(), Optional.of(ldaps()));

    // A local user of the name: its own password, never the directory's.
    assertThat(auth.admit(basic("ward", "ward-directory-pw"), null, "10.0.0.1"))
        .isInstanceOf(Authenticator.Refused.class);
    assertThat(auth.admit(basic("ward", "the local break-glass pw"), null, "10.0.0.1"))
        .isEqualTo(
            new Authenticator.Admitted(
                new Caller("ward", "10.0.0.1", "password", true, Role.ADMIN)));
    assertThat(auth.admit(basic("bob", "bob-directory-pw"), null, "10.0.0.1"))
        .isEqualTo(
            new Authenticator.Admitted(
                new Caller("bob", "10.0.0.1", "directory", true, Role.OPERATOR)));
    assertThat(auth.admit(basic("dave", "dave-directory-pw"), null, "10.0.0.1"))
        .isInstanceOf(Authenticator.Refused.class);

    // A web session of a directory user acts with the role its groups gave at login.
    Authenticator.Verdict login = auth.login("alice", "alice-directory-pw", "10.0.0.2");
    assertThat(login).isInstanceOf(Authenticator.LoggedIn.class);
    String session = ((Authenticator.LoggedIn) login).sessionId();
    assertThat(auth.admit(null, session, "10.0.0.2"))
        .isEqualTo(
            new Authenticator.Admitted(
                new Caller("alice", "10.0.0.2", "session", true, Role.ADMIN)));
    // A local user made later under that name ends it: the name is the local user's now.
    users.add("alice", "a local password here", Role.VIEWER);
    assertThat(auth.admit(null, session, "10.0.0.2")).isInstanceOf(Authenticator.Refused.class);

    // The directory down (nothing listens there): its users are told so, local users log in.
    Authenticator down =
        new Authenticator(
            users,
            ApiTokens.open(Optional.empty()),
            Clock.systemUTC(),
            Optional.of(
                new Directory(
                    settings(
                        "127.0.0.1", org.lbctl.core.testing.Ports.free(), false, pki.cert("ca")))));
    Authenticator.Verdict refused = down.admit(basic("bob", "bob-directory-pw"), null, "10.0.0.3");
    assertThat(refused).isInstanceOf(Authenticator.Refused.class);
    assertThat(((Authenticator.Refused) refused).status()).isEqualTo(503);
    assertThat(((Authenticator.Refused) refused).message()).contains("log in as a local user");
    assertThat(down.admit(basic("ward", "the local break-glass pw"), null, "10.0.0.3"))
        .isInstanceOf(Authenticator.Admitted.class);
  }
}
