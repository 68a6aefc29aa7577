package org.lbctl.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.ManualClock;

class AuthenticatorTest {
  private final ManualClock clock = new ManualClock();
  private UserStore users;
  private Authenticator auth;

  @BeforeEach
  void start() throws Exception {
    users = UserStore.open(Optional.empty());
    users.add("admin", "correct horse battery", Role.ADMIN);
    auth = new Authenticator(users, ApiTokens.open(Optional.empty()), clock);
  }

  private String session() {
    Authenticator.Verdict v = auth.login("admin", "correct horse battery", "10.0.0.5");
    assertThat(v).isInstanceOf(Authenticator.LoggedIn.class);
    return ((Authenticator.LoggedIn) v).sessionId();
  }

  private boolean admitted(String session) {
    return auth.admit(null, session, "10.0.0.5") instanceof Authenticator.Admitted;
  }

  @Test
  void aLongAnswerEndsWhenItsCallersCredentialsLapseAndAskingIsNoUse() throws Exception {
    ApiTokens tokens = ApiTokens.open(Optional.empty());
    auth = new Authenticator(users, tokens, clock);
    // Basic: the password the stream was opened with, changed.
    var byPassword = auth.stillAdmitted(basic("admin", "correct horse battery"), null);
    assertThat(byPassword.getAsBoolean()).isTrue();
    users.setPassword("admin", "a new and longer secret");
    assertThat(byPassword.getAsBoolean()).isFalse();
    // A token revoked.
    String token = tokens.create("admin", "grafana", true, Role.VIEWER, ApiTokens.DEFAULT_LIFETIME);
    var byToken = auth.stillAdmitted("Bearer " + token, null);
    assertThat(byToken.getAsBoolean()).isTrue();
    tokens.revoke(tokens.list().get(0).id());
    assertThat(byToken.getAsBoolean()).isFalse();
    // A session: asking does not keep it alive past its idle time.
    Authenticator.Verdict v = auth.login("admin", "a new and longer secret", "10.0.0.5");
    String id = ((Authenticator.LoggedIn) v).sessionId();
    var bySession = auth.stillAdmitted(null, id);
    for (int minute = 0; minute < 29; minute++) {
      clock.advance(java.time.Duration.ofMinutes(1));
      assertThat(bySession.getAsBoolean()).isTrue();
    }
    clock.advance(java.time.Duration.ofMinutes(2));
    assertThat(bySession.getAsBoolean()).as("idle 31 minutes").isFalse();
    // A name no local user has, with no directory: never.
    assertThat(auth.stillAdmitted(basic("ghost", "whatever it is"), null).getAsBoolean()).isFalse();
  }

  @Test
  void aNewPasswordEndsEverySessionStartedWithTheOldOne() throws Exception {
    String before = session();
    assertThat(admitted(before)).isTrue();
    users.setPassword("admin", "a new and longer secret");
    assertThat(admitted(before)).as("the session of the old password").isFalse();
    Authenticator.Verdict v = auth.login("admin", "a new and longer secret", "10.0.0.5");
    assertThat(admitted(((Authenticator.LoggedIn) v).sessionId())).isTrue();
  }

  @Test
  void disablingAUserEndsItsSessionsAndEnablingDoesNotBringThemBack() throws Exception {
    String before = session();
    String seenWhileDisabled = session();
    users.setDisabled("admin", true);
    assertThat(admitted(seenWhileDisabled)).isFalse();
    users.setDisabled("admin", false);
    assertThat(admitted(before)).as("ended, not paused").isFalse();
    assertThat(admitted(seenWhileDisabled)).isFalse();
    assertThat(admitted(session())).isTrue();
  }

  @Test
  void aCallerActsWithItsUsersRoleNowAndATokenWithNoMoreThanItWasGiven() throws Exception {
    ApiTokens tokens = ApiTokens.open(Optional.empty());
    auth = new Authenticator(users, tokens, clock);
    users.add("night", "a long password for nights", Role.OPERATOR);
    String asAdmin =
        tokens.create("night", "asks for more", false, Role.ADMIN, ApiTokens.DEFAULT_LIFETIME);
    String asViewer =
        tokens.create("night", "reads only", false, Role.VIEWER, ApiTokens.DEFAULT_LIFETIME);
    assertThat(roleOf(basic("night", "a long password for nights"))).isEqualTo(Role.OPERATOR);
    assertThat(roleOf("Bearer " + asAdmin)).isEqualTo(Role.OPERATOR);
    assertThat(roleOf("Bearer " + asViewer)).isEqualTo(Role.VIEWER);
    users.setRole("night", Role.VIEWER);
    assertThat(roleOf("Bearer " + asAdmin)).as("the user's role now").isEqualTo(Role.VIEWER);
  }

  private Role roleOf(String authorization) {
    Authenticator.Verdict v = auth.admit(authorization, null, "10.0.0.6");
    assertThat(v).isInstanceOf(Authenticator.Admitted.class);
    return ((Authenticator.Admitted) v).caller().role();
  }

  private static String basic(String user, String password) {
    return "Basic "
        + java.util.Base64.getEncoder()
            .encodeToString(
                (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void onlyBasicCredentialsNotVerifiedLatelyNeedAHash() {
    String right = basic("admin", "correct horse battery");
    assertThat(auth.needsHash(right)).isTrue();
    assertThat(auth.needsHash(basic("admin", "a wrong guess"))).isTrue();
    assertThat(auth.needsHash("Bearer lbctl_00000000_x")).isFalse();
    assertThat(auth.needsHash("Basic %%%")).as("malformed: refused without one").isFalse();
    assertThat(auth.needsHash(null)).isFalse();

    assertThat(auth.admit(right, null, "10.0.0.5")).isInstanceOf(Authenticator.Admitted.class);
    assertThat(auth.needsHash(right)).as("remembered").isFalse();
    assertThat(auth.needsHash(basic("admin", "a wrong guess"))).isTrue();
  }

  @Test
  void anAddressBecomesKnownOnlyByARightfulPasswordLogin() {
    assertThat(auth.knownSource("10.0.0.5")).isFalse();
    auth.admit(basic("admin", "a wrong guess"), null, "10.0.0.5");
    assertThat(auth.knownSource("10.0.0.5")).isFalse();
    session();
    assertThat(auth.knownSource("10.0.0.5")).isTrue();
    assertThat(auth.knownSource("10.0.0.6")).isFalse();
    clock.advance(java.time.Duration.ofDays(2));
    assertThat(auth.knownSource("10.0.0.5")).isFalse();
  }
}
