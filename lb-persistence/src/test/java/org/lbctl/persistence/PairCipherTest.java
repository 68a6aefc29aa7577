package org.lbctl.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pair cipher between two nodes' stacks, with what an attacker on the LAN sends in between:
 * altered, replayed, reordered and foreign datagrams. The wire is a list; no network can flip a bit
 * on demand.
 */
class PairCipherTest {
  private static final SecretKeySpec KEY = new SecretKeySpec(new byte[16], "AES");
  private static final SecretKeySpec OTHER_KEY =
      new SecretKeySpec(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "AES");

  /** Collects what a protocol passes down (the wire) or up (the application). */
  private static final class Tap extends Protocol {
    final List<Message> seen = new ArrayList<>();

    @Override
    public Object down(Message msg) {
      seen.add(msg);
      return null;
    }

    @Override
    public Object up(Message msg) {
      seen.add(msg);
      return null;
    }
  }

  private final Tap wire = new Tap();
  private final Tap delivered = new Tap();
  private PairCipher sender;
  private PairCipher receiver;
  private final UUID a = UUID.randomUUID();

  private static PairCipher cipher(SecretKeySpec key, Tap below, Tap above) {
    PairCipher c = new PairCipher(key);
    c.setDownProtocol(below);
    c.setUpProtocol(above);
    return c;
  }

  @BeforeEach
  void stacks() {
    sender = cipher(KEY, wire, new Tap());
    sender.setAddress(a);
    receiver = cipher(KEY, new Tap(), delivered);
  }

  private Message send(String text) {
    sender.down(new BytesMessage(null, text.getBytes()));
    return wire.seen.get(wire.seen.size() - 1);
  }

  private static String text(Message m) {
    return new String(m.getArray(), m.getOffset(), m.getLength());
  }

  @Test
  void aSealedMessageArrivesWholeAndItsContentsAreNotOnTheWire() {
    Message sealed = send("heartbeat: active, term 7");
    assertThat(text(sealed)).doesNotContain("heartbeat");
    receiver.up(sealed);
    assertThat(delivered.seen).hasSize(1);
    assertThat(text(delivered.seen.get(0))).isEqualTo("heartbeat: active, term 7");
    assertThat(delivered.seen.get(0).getSrc()).isEqualTo(a);
    assertThat(receiver.dropped()).isZero();
  }

  @Test
  void aReplayedDatagramIsDroppedAndCounted() {
    Message sealed = send("heartbeat");
    receiver.up(sealed);
    receiver.up(sealed);
    assertThat(delivered.seen).hasSize(1);
    assertThat(receiver.replayed()).isEqualTo(1);
    assertThat(receiver.dropped()).isEqualTo(1);
  }

  @Test
  void anyFlippedBitIsDroppedAndCounted() {
    Message sealed = send("heartbeat");
    byte[] bytes = sealed.getArray().clone();
    int length = sealed.getLength();
    for (int i = 0; i < length; i++) {
      byte[] altered = bytes.clone();
      altered[sealed.getOffset() + i] ^= 0x10;
      receiver.up(new BytesMessage(null, altered, sealed.getOffset(), length));
    }
    assertThat(delivered.seen).isEmpty();
    assertThat(receiver.dropped()).isEqualTo(length);
    // The genuine one still passes afterwards: forgeries change no state.
    receiver.up(sealed);
    assertThat(delivered.seen).hasSize(1);
  }

  @Test
  void aDatagramSealedWithAnotherSecretOrNotSealedIsDropped() {
    Tap otherWire = new Tap();
    PairCipher stranger = cipher(OTHER_KEY, otherWire, new Tap());
    stranger.down(new BytesMessage(null, "I am the primary".getBytes()));
    receiver.up(otherWire.seen.get(0));
    receiver.up(new BytesMessage(null, "plain".getBytes()));
    assertThat(delivered.seen).isEmpty();
    assertThat(receiver.dropped()).isEqualTo(2);
  }

  @Test
  void reorderingWithinTheWindowIsAcceptedButOlderThanTheWindowIsNot() {
    List<Message> sealed = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      sealed.add(send("m" + i));
    }
    receiver.up(sealed.get(5));
    receiver.up(sealed.get(3)); // late, within the window
    receiver.up(sealed.get(99));
    receiver.up(sealed.get(20)); // 79 behind: outside the 64-message window
    receiver.up(sealed.get(50)); // 49 behind: inside
    assertThat(delivered.seen)
        .extracting(PairCipherTest::text)
        .containsExactly("m5", "m3", "m99", "m50");
    assertThat(receiver.replayed()).isEqualTo(1);
  }

  @Test
  void aRestartedSenderIsHeardUnderItsNewEpoch() {
    receiver.up(send("before"));
    PairCipher restarted = cipher(KEY, wire, new Tap());
    restarted.down(new BytesMessage(null, "after".getBytes()));
    receiver.up(wire.seen.get(wire.seen.size() - 1));
    assertThat(delivered.seen).extracting(PairCipherTest::text).containsExactly("before", "after");
  }
}
