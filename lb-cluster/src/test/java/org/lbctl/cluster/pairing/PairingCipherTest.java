package org.lbctl.cluster.pairing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PairingCipherTest {
  private final SecureRandom random = new SecureRandom();
  private final PairingToken token = PairingToken.generate(random);
  private final byte[] plain =
      "{\"secret\":\"s3cr3t-s3cr3t-s3cr3t\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void aMessageSealedWithTheTokenOpensWithTheSameTokenAndHidesItsContent() throws Exception {
    byte[] sealed = new PairingCipher(token, random).seal("request", plain);

    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("s3cr3t");
    assertThat(new PairingCipher(token, random).open("request", sealed)).isEqualTo(plain);
  }

  @Test
  void anotherTokenCannotOpenIt() {
    byte[] sealed = new PairingCipher(token, random).seal("request", plain);
    PairingCipher other = new PairingCipher(PairingToken.generate(random), random);

    assertThatThrownBy(() -> other.open("request", sealed))
        .isInstanceOf(PairingException.class)
        .hasMessageContaining("wrong token");
  }

  @Test
  void aMessageForAnotherPurposeOrChangedOnTheWayIsRefused() {
    PairingCipher cipher = new PairingCipher(token, random);
    byte[] sealed = cipher.seal("answer 1", plain);

    assertThatThrownBy(() -> cipher.open("request", sealed)).isInstanceOf(PairingException.class);
    assertThatThrownBy(() -> cipher.open("answer 2", sealed)).isInstanceOf(PairingException.class);
    byte[] changed = sealed.clone();
    changed[changed.length / 2] ^= 1;
    assertThatThrownBy(() -> cipher.open("answer 1", changed)).isInstanceOf(PairingException.class);
    assertThatThrownBy(() -> cipher.open("answer 1", new byte[5]))
        .isInstanceOf(PairingException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void tokensAreReadAsTypedAndNeverPrinted() {
    String shown = token.display();
    assertThat(shown).matches("[a-z2-9]{5}(-[a-z2-9]{1,5}){5}");
    assertThat(PairingToken.parse(" " + shown.toUpperCase() + "\n")).contains(token);
    assertThat(PairingToken.parse(shown.replace("-", ""))).contains(token);
    assertThat(PairingToken.parse("abc")).isEmpty();
    // 0, 1, l and o are left out of the alphabet: easily misread.
    assertThat(PairingToken.parse("0".repeat(26))).isEmpty();
    assertThat(token.toString()).doesNotContain(token.text());
  }
}
