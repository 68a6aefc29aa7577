package org.lbctl.persistence;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.ByteArray;
import org.jgroups.util.FastArray;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;

/**
 * Authenticates and encrypts every message of a pair channel, right above the transport: discovery,
 * failure detection, merge and membership included, so a host without the pair secret can neither
 * join nor inject or replay a heartbeat. The whole message (headers, flags, addresses, payload) is
 * sealed with AES-GCM.
 *
 * <p>Keys: each process draws a random 8-byte epoch at start and seals under a key derived from the
 * pair secret and that epoch (HMAC-SHA-256), with a counter as the nonce, so no nonce repeats under
 * one key. The receiver keeps, per epoch, the highest counter seen and a window of {@value #WINDOW}
 * counters below it: a replayed, reordered-beyond-the-window or altered datagram is dropped and
 * counted.
 *
 * <p>A unicast sealed for another member is dropped: the counters are the sender's, not the pair of
 * sender and receiver, so one member would otherwise take another's replayed message for new.
 *
 * <p>The window is wide because one counter serves every destination and every sending thread: a
 * receiver sees only its share of the counters, and threads that took their counters in one order
 * reach the wire in another. With three members and replication under load, a window of 64 took
 * thousands of genuine messages for replays, and the retransmissions that followed stalled puts for
 * 15 s (deploy/bench/sticks-cluster.sh).
 *
 * <p>Wire form: version (1 byte), epoch (8), counter (8), then ciphertext with its 16-byte tag; the
 * first 17 bytes are the additional authenticated data.
 */
public final class PairCipher extends Protocol {
  private static final byte VERSION = 1;
  private static final int PREFIX = 17;
  private static final int TAG_BITS = 128;
  private static final int WINDOW = 8192;
  private static final int MAX_EPOCHS = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] LABEL = "lbctl pair channel aead v1".getBytes();

  private final byte[] master;
  private final long epoch = RANDOM.nextLong();
  private final SecretKey sendKey;
  private final AtomicLong counter = new AtomicLong();
  private final ThreadLocal<Cipher> ciphers =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("this JVM has no AES-GCM", e);
            }
          });
  // Per epoch of a sender: its key and its replay window. Bounded: a restart adds an epoch.
  private final Map<Long, Window> windows =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Window> eldest) {
          return size() > MAX_EPOCHS;
        }
      };

  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private volatile long lastDropLog;

  /** What one sender epoch may still deliver. */
  private static final class Window {
    final SecretKey key;
    long highest = -1;
    // Bit (n % WINDOW) is set when counter n, within WINDOW below highest, was delivered.
    final long[] seen = new long[WINDOW / 64];

    Window(SecretKey key) {
      this.key = key;
    }

    /** Accepts {@code n} once; refuses what is too old or was seen. */
    synchronized boolean accept(long n) {
      if (n > highest) {
        // The counters skipped over are not delivered yet: clear their bits (all, past a window).
        long from = Math.max(highest + 1, n - WINDOW + 1);
        for (long k = from; k < n; k++) {
          clear(k);
        }
        if (n - highest >= WINDOW) {
          java.util.Arrays.fill(seen, 0);
        }
        highest = n;
        set(n);
        return true;
      }
      if (highest - n >= WINDOW || isSet(n)) {
        return false;
      }
      set(n);
      return true;
    }

    private boolean isSet(long n) {
      int bit = (int) (n % WINDOW);
      return (seen[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    private void set(long n) {
      int bit = (int) (n % WINDOW);
      seen[bit >>> 6] |= 1L << (bit & 63);
    }

    private void clear(long n) {
      int bit = (int) (n % WINDOW);
      seen[bit >>> 6] &= ~(1L << (bit & 63));
    }
  }

  public PairCipher(SecretKey pairKey) {
    this.master = pairKey.getEncoded();
    this.sendKey = derive(epoch);
  }

  private SecretKey derive(long senderEpoch) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(master, "HmacSHA256"));
      mac.update(LABEL);
      mac.update(ByteBuffer.allocate(8).putLong(senderEpoch).array());
      byte[] k = mac.doFinal();
      return new SecretKeySpec(k, 0, 16, "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot derive keys with HMAC-SHA-256", e);
    }
  }

  /** Datagrams refused: not sealed with the pair secret, altered, or from an unknown form. */
  public long dropped() {
    return dropped.get();
  }

  /** Datagrams refused as replays (seen before, or older than the window). */
  public long replayed() {
    return replayed.get();
  }

  @Override
  public Object down(Message msg) {
    if (msg.getSrc() == null) {
      msg.setSrc(local_addr);
    }
    try {
      ByteArray plain = Util.messageToBuffer(msg);
      long n = counter.incrementAndGet();
      byte[] out = new byte[PREFIX + plain.getLength() + TAG_BITS / 8];
      ByteBuffer.wrap(out).put(VERSION).putLong(epoch).putLong(n);
      Cipher c = ciphers.get();
      c.init(Cipher.ENCRYPT_MODE, sendKey, new GCMParameterSpec(TAG_BITS, nonce(n)));
      c.updateAAD(out, 0, PREFIX);
      c.doFinal(plain.getArray(), plain.getOffset(), plain.getLength(), out, PREFIX);
      Message sealed = new BytesMessage(msg.dest(), out).setFlag(msg.getFlags(), false);
      sealed.setFlag(msg.getFlags(true), true);
      return down_prot.down(sealed);
    } catch (Exception e) {
      throw new IllegalStateException("cannot seal a pair message: " + e, e);
    }
  }

  @Override
  public Object up(Message msg) {
    Message open = open(msg);
    return open == null ? null : up_prot.up(open);
  }

  @Override
  public void up(MessageBatch batch) {
    for (var it = (FastArray<Message>.FastIterator) batch.iterator(); it.hasNext(); ) {
      Message open = open(it.next());
      if (open == null) {
        it.remove();
      } else {
        it.replace(open);
      }
    }
    if (!batch.isEmpty()) {
      up_prot.up(batch);
    }
  }

  /** The sealed message's contents, or null (counted) when it is not genuine or not fresh. */
  private Message open(Message msg) {
    byte[] in = msg.getArray();
    int off = msg.getOffset();
    int len = msg.getLength();
    if (in == null || len < PREFIX + TAG_BITS / 8 || in[off] != VERSION) {
      return drop("not sealed with the pair's cipher", msg);
    }
    ByteBuffer head = ByteBuffer.wrap(in, off + 1, 16);
    long senderEpoch = head.getLong();
    long n = head.getLong();
    Window w;
    synchronized (windows) {
      w = windows.get(senderEpoch);
    }
    SecretKey key = w != null ? w.key : derive(senderEpoch);
    byte[] plain;
    try {
      Cipher c = ciphers.get();
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce(n)));
      c.updateAAD(in, off, PREFIX);
      plain = c.doFinal(in, off + PREFIX, len - PREFIX);
    } catch (GeneralSecurityException e) {
      return drop("fails authentication (another secret, or altered)", msg);
    }
    if (w == null) {
      // Only a genuine message may create a window: forged epochs cannot flush real ones.
      synchronized (windows) {
        w = windows.computeIfAbsent(senderEpoch, e -> new Window(key));
      }
    }
    if (!w.accept(n)) {
      replayed.incrementAndGet();
      return drop("a replay (counter " + n + " already seen or too old)", msg);
    }
    try {
      Message m = Util.messageFromBuffer(plain, 0, plain.length);
      if (m.getDest() != null
          && !(m.getDest() instanceof org.jgroups.PhysicalAddress)
          && local_addr != null
          && !m.getDest().equals(local_addr)) {
        // Sealed for another member and replayed here: with more than two members a counter
        // this receiver never saw is not proof enough of freshness. (Discovery, before members
        // know each other's names, goes to physical addresses: those are not checked.)
        return drop("addressed to another member (" + m.getDest() + ")", msg);
      }
      if (m.getDest() == null) {
        m.setDest(msg.getDest());
      }
      if (m.getSrc() == null) {
        m.setSrc(msg.getSrc());
      }
      return m;
    } catch (Exception e) {
      return drop("unreadable after opening: " + e.getMessage(), msg);
    }
  }

  private Message drop(String why, Message msg) {
    dropped.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastDropLog > 10_000_000_000L) {
      lastDropLog = now;
      log.warn(
          "pair channel: dropped a datagram from %s: %s (%d dropped so far, %d replays)",
          msg.getSrc(), why, dropped.get(), replayed.get());
    }
    return null;
  }

  private static byte[] nonce(long n) {
    return ByteBuffer.allocate(12).putInt(0).putLong(n).array();
  }
}
