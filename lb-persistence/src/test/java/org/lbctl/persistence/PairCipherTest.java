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
    for (int i = 0; i < 10_000; i++) {
      sealed.add(send("m" + i));
    }
    receiver.up(sealed.get(5));
    receiver.up(sealed.get(3)); // late, within the window
    receiver.up(sealed.get(9_999));
    receiver.up(sealed.get(1_000)); // 8,999 behind: outside the 8,192-counter window
    receiver.up(sealed.get(2_000)); // 7,999 behind: inside
    receiver.up(sealed.get(2_000)); // the same again
    assertThat(delivered.seen)
        .extracting(PairCipherTest::text)
        .containsExactly("m5", "m3", "m9999", "m2000");
    assertThat(receiver.replayed()).isEqualTo(2);
  }

  @Test
  void aUnicastSealedForAnotherMemberIsDroppedButOneForThisMemberArrives() {
    UUID me = UUID.randomUUID();
    UUID other = UUID.randomUUID();
    receiver.setAddress(me);
    sender.down(new BytesMessage(other, "for lb3".getBytes()));
    receiver.up(wire.seen.get(wire.seen.size() - 1));
    sender.down(new BytesMessage(me, "for lb2".getBytes()));
    receiver.up(wire.seen.get(wire.seen.size() - 1));
    assertThat(delivered.seen).extracting(PairCipherTest::text).containsExactly("for lb2");
    assertThat(receiver.dropped()).isEqualTo(1);
  }

  @Test
  void theWindowsEdgeIsExact() {
    List<Message> sealed = new ArrayList<>();
    for (int i = 0; i <= 8_193; i++) {
      sealed.add(send("m" + i));
    }
    receiver.up(sealed.get(8_193));
    receiver.up(sealed.get(2)); // 8,191 behind: the oldest the window holds
    receiver.up(sealed.get(1)); // 8,192 behind: out
    assertThat(delivered.seen).extracting(PairCipherTest::text).containsExactly("m8193", "m2");
    assertThat(receiver.replayed()).isEqualTo(1);
  }

  @Test
  void aSenderSharingItsCountersAmongMembersAndThreadsIsHeardWhole() {
    // This receiver gets every third counter (the others went to two other members), and the
    // sending threads reach the wire up to 1,500 counters out of the order they took them in.
    List<Message> mine = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      Message m = send("m" + i);
      if (i % 3 == 0) {
        mine.add(m);
      }
    }
    // Each message moves by at most 500 places (1,500 counters): sorted by place plus a jitter.
    java.util.Random random = new java.util.Random(21);
    List<Message> order = new ArrayList<>(mine);
    int[] key = new int[mine.size()];
    for (int i = 0; i < key.length; i++) {
      key[i] = i + random.nextInt(500);
    }
    List<Integer> places = new ArrayList<>();
    for (int i = 0; i < key.length; i++) {
      places.add(i);
    }
    places.sort(java.util.Comparator.comparingInt(i -> key[i]));
    mine = places.stream().map(order::get).toList();
    mine.forEach(receiver::up);
    assertThat(delivered.seen).hasSize(10_000);
    assertThat(receiver.replayed()).isZero();
    // And each of them only once.
    mine.forEach(receiver::up);
    assertThat(delivered.seen).hasSize(10_000);
    assertThat(receiver.replayed()).isEqualTo(10_000);
  }

  @Test
  void aCounterFarAheadClearsTheWholeWindow() {
    List<Message> sealed = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      sealed.add(send("m" + i));
    }
    receiver.up(sealed.get(10));
    receiver.up(sealed.get(19_999)); // far ahead: nothing below it was delivered
    receiver.up(sealed.get(19_999 - 8_191 + 1 + 10)); // inside the new window, not seen
    assertThat(delivered.seen).hasSize(3);
    assertThat(receiver.replayed()).isZero();
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
