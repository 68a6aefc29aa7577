package org.lbctl.core.api;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the remote requests that need a password hash (a third of a second of CPU each, by design),
 * one at a time and apart from all others: guesses from many addresses then slow only other
 * guesses, never a caller with a token or a session. Requests from addresses that logged in rightly
 * before go ahead of the rest; within a rank, first come first served. Bounded: past {@link
 * #CAPACITY} waiting, a request is refused at once (503).
 */
public final class PasswordLane implements AutoCloseable {
  public static final int CAPACITY = 64;

  /** Before strangers: an address this node has seen log in rightly. */
  public static final int KNOWN = 0;

  public static final int STRANGER = 1;

  private final AtomicLong order = new AtomicLong();
  private final PriorityBlockingQueue<Runnable> queue = new PriorityBlockingQueue<>();
  private final ThreadPoolExecutor thread =
      new ThreadPoolExecutor(
          1, 1, 0, TimeUnit.MILLISECONDS, queue, new DefaultThreadFactory("lb-mgmt-passwords"));

  private record Ranked(int rank, long order, Runnable task)
      implements Runnable, Comparable<Ranked> {
    @Override
    public void run() {
      task.run();
    }

    @Override
    public int compareTo(Ranked o) {
      return rank != o.rank ? Integer.compare(rank, o.rank) : Long.compare(order, o.order);
    }
  }

  /**
   * @throws RejectedExecutionException when {@link #CAPACITY} requests wait already, or the lane is
   *     closed
   */
  public void execute(int rank, Runnable task) {
    if (queue.size() >= CAPACITY) {
      throw new RejectedExecutionException("the password lane is full");
    }
    thread.execute(new Ranked(rank, order.getAndIncrement(), task));
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
