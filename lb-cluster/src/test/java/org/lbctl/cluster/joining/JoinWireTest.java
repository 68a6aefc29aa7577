package org.lbctl.cluster.joining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.pairing.PairingException;
import org.lbctl.core.config.ClusterSettings.Member;
import org.lbctl.core.config.ConfigVersion;

/** The join's request and answer as they travel, and what a malformed one gets. */
class JoinWireTest {
  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRequestAndAnAnswerReadBackAsWritten() throws Exception {
    JoinRequest r = new JoinRequest("r-1", "lb4", new InetSocketAddress("10.99.0.14", 6694));
    assertThat(JoinRequest.from(r.toBytes())).isEqualTo(r);
    List<Member> members =
        List.of(
            new Member("lb1", new InetSocketAddress("10.99.0.11", 6694)),
            new Member("lb2", new InetSocketAddress("10.99.0.12", 6694)),
            new Member("lb4", new InetSocketAddress("10.99.0.14", 6694)));
    JoinAnswer a =
        new JoinAnswer(
            true,
            "",
            "lb2",
            members,
            "0123456789abcdef0123456789abcdef",
            new ConfigVersion(7, "abc"),
            json("virtualServices: []\n"));
    JoinAnswer read = JoinAnswer.from(a.toBytes());
    assertThat(read.members()).isEqualTo(members);
    assertThat(read.version()).isEqualTo(new ConfigVersion(7, "abc"));
    assertThat(new String(read.document(), StandardCharsets.UTF_8))
        .isEqualTo("virtualServices: []\n");
    assertThat(read.toString()).doesNotContain("0123456789abcdef");
    assertThat(JoinAnswer.from(JoinAnswer.refused("no quorum", "lb2").toBytes()).reason())
        .isEqualTo("no quorum");
  }

  @Test
  void aMalformedRequestIsRefusedNamingWhatIsMissing() {
    assertThatThrownBy(() -> JoinRequest.from(json("not json")))
        .isInstanceOf(PairingException.class)
        .hasMessageStartingWith("the request is not JSON");
    assertThatThrownBy(() -> JoinRequest.from(json("[1]")))
        .hasMessage("the request is not a JSON object");
    assertThatThrownBy(
            () ->
                JoinRequest.from(
                    json("{\"requestId\":\"r\",\"name\":\"lb 4\",\"address\":\"10.99.0.14\"}")))
        .hasMessageContaining("a member name (letters, digits, _ . -)");
    assertThatThrownBy(
            () -> JoinRequest.from(json("{\"requestId\":\"r\",\"name\":\"lb4\",\"address\":1}")))
        .hasMessageContaining("an address");
  }

  @Test
  void anAcceptedAnswerWithoutItsSecretMembersOrVersionIsRefused() {
    assertThatThrownBy(
            () ->
                JoinAnswer.from(
                    json(
                        "{\"accepted\":true,\"members\":[],\"secret\":\"x\",\"version\":0,"
                            + "\"hash\":\"\"}")))
        .isInstanceOf(PairingException.class)
        .hasMessage(
            "the member's answer lacks the members, the secret or the configuration version");
    assertThatThrownBy(
            () ->
                JoinAnswer.from(
                    json("{\"accepted\":true,\"members\":[{\"name\":\"lb1\",\"address\":\"x\"}]}")))
        .hasMessage("the member's answer names a member without a name or address");
  }
}
