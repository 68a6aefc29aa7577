package org.lbctl.core.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StickyCookieTest {
  private static final List<String> SERVERS = List.of("CCW_App_Server_1", "CCW_App_Server_2");
  private final StickyCookie cookie = new StickyCookie("CCW_WEB_8443", StickyCookie.DEFAULT_NAME);

  @Test
  void anInsertedCookieNamesItsServerWithoutRevealingIt() {
    String set = cookie.setCookie("CCW_App_Server_2", true);
    assertThat(set).matches("LBCTL_SERVER=[0-9a-f]{16}; Path=/; HttpOnly; Secure");
    assertThat(set).doesNotContain("CCW");
    String value = set.substring(set.indexOf('=') + 1, set.indexOf(';'));
    assertThat(cookie.serverIn(List.of("theme=dark; LBCTL_SERVER=" + value), SERVERS))
        .contains("CCW_App_Server_2");
    assertThat(cookie.setCookie("CCW_App_Server_1", false)).doesNotContain("Secure");
  }

  @Test
  void theValueIsTheSameOnEveryNodeAndDiffersPerServiceAndServer() {
    StickyCookie sameOnThePeer = new StickyCookie("CCW_WEB_8443", StickyCookie.DEFAULT_NAME);
    assertThat(sameOnThePeer.valueFor("CCW_App_Server_1"))
        .isEqualTo(cookie.valueFor("CCW_App_Server_1"))
        .isNotEqualTo(cookie.valueFor("CCW_App_Server_2"))
        .isNotEqualTo(
            new StickyCookie("CCW_WEB_44301", "LBCTL_SERVER").valueFor("CCW_App_Server_1"));
  }

  @Test
  void aRequestWithoutAValidCookieNamesNoServer() {
    String v1 = cookie.valueFor("CCW_App_Server_1");
    assertThat(cookie.serverIn(List.of(), SERVERS)).isEmpty();
    assertThat(cookie.serverIn(List.of("session=abc"), SERVERS)).isEmpty();
    assertThat(cookie.serverIn(List.of("LBCTL_SERVER=0123456789abcdef"), SERVERS)).isEmpty();
    // A server removed from the service: its clients are balanced afresh.
    assertThat(cookie.serverIn(List.of("LBCTL_SERVER=" + v1), List.of("CCW_App_Server_2")))
        .isEmpty();
    // A cookie whose name only ends like ours, and one split over two headers.
    assertThat(cookie.serverIn(List.of("X_LBCTL_SERVER=" + v1), SERVERS)).isEmpty();
    assertThat(cookie.serverIn(List.of("a=1", " LBCTL_SERVER=\"" + v1 + "\" "), SERVERS))
        .contains("CCW_App_Server_1");
  }

  @Test
  void aNameThatCannotBeACookieNameIsRefused() {
    assertThatThrownBy(() -> new StickyCookie("web", "SERVER ID"))
        .hasMessageContaining("'SERVER ID' cannot be a cookie name");
    assertThatThrownBy(() -> new StickyCookie("web", "")).hasMessageContaining("cannot be");
    assertThat(StickyCookie.isToken("SERVERID")).isTrue();
  }
}
