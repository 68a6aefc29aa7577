package org.lbctl.core.l4;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Which real server each of {@link #SLOTS} hash slots of a layer 4 VIP goes to: a Maglev lookup
 * table (Eisenbud et al., NSDI 2016), weighted. The kernel hashes each flow to a slot; this table
 * only says whose the slot is.
 *
 * <p>Two properties the pair relies on: the table depends on nothing but the servers' labels and
 * weights (sorted, so configuration order does not matter), so both nodes build the same one and a
 * flow lands on the same server after a failover without any state shared; and a server leaving or
 * joining moves little more than its own share of slots, so the other servers' flows stay put.
 */
public final class SlotTable {
  /** A prime: every server's preference order visits each slot once. */
  public static final int SLOTS = 257;

  /** A server that takes new flows, with its weight (1..100). */
  public record Member(String label, int weight) {
    public Member {
      if (weight <= 0) {
        throw new IllegalArgumentException(label + ": a slot member needs a positive weight");
      }
    }
  }

  private final List<String> owners;

  private SlotTable(List<String> owners) {
    this.owners = owners;
  }

  /** The table for {@code members}; empty when there are none (no server takes flows). */
  public static SlotTable of(List<Member> members) {
    if (members.isEmpty()) {
      return new SlotTable(List.of());
    }
    List<Member> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparing(Member::label));
    int n = sorted.size();
    int[] offset = new int[n];
    int[] skip = new int[n];
    int[] next = new int[n];
    long[] credit = new long[n];
    int maxWeight = 0;
    for (int i = 0; i < n; i++) {
      long h = hash(sorted.get(i).label());
      offset[i] = (int) Long.remainderUnsigned(h, SLOTS);
      skip[i] = (int) Long.remainderUnsigned(h >>> 32, SLOTS - 1) + 1;
      maxWeight = Math.max(maxWeight, sorted.get(i).weight());
    }
    int[] slot = new int[SLOTS];
    Arrays.fill(slot, -1);
    int filled = 0;
    // Each round a server earns its weight; a full server's worth of credit buys one slot, so
    // slots are shared in proportion to weight while every server keeps its preference order.
    while (filled < SLOTS) {
      for (int i = 0; i < n && filled < SLOTS; i++) {
        credit[i] += sorted.get(i).weight();
        while (credit[i] >= maxWeight && filled < SLOTS) {
          credit[i] -= maxWeight;
          int c;
          do {
            c = (int) ((offset[i] + (long) next[i] * skip[i]) % SLOTS);
            next[i]++;
          } while (slot[c] >= 0);
          slot[c] = i;
          filled++;
        }
      }
    }
    List<String> owners = new ArrayList<>(SLOTS);
    for (int s : slot) {
      owners.add(sorted.get(s).label());
    }
    return new SlotTable(List.copyOf(owners));
  }

  public boolean isEmpty() {
    return owners.isEmpty();
  }

  /** The server of slot {@code s} (0..SLOTS-1). */
  public String owner(int s) {
    return owners.get(s);
  }

  /** Every slot's server, in slot order; empty when no server takes flows. */
  public List<String> owners() {
    return owners;
  }

  /**
   * The seed both nodes give the kernel's flow hash for a VIP: from its label, so it is the same on
   * both and needs no configuration.
   */
  public static long seed(String vipLabel) {
    return hash("seed:" + vipLabel) & 0xffffffffL;
  }

  private static long hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(d).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
