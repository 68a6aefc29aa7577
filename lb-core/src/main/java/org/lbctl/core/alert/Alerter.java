package org.lbctl.core.alert;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.lbctl.core.config.Alerts;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VirtualService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns events into mail. Each list of recipients (the global one, plus a virtual service's own)
 * gets at most one mail per {@link Alerts#minInterval}: the first event goes out at once, what
 * follows within the interval goes out together at its end, so a flapping server cannot flood a
 * mailbox and no change is lost. A mail that fails is logged and its events tried again with the
 * next one. Works on a thread of its own: no caller waits for an SMTP server.
 */
public final class Alerter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Alerter.class);
  private static final int MAX_PENDING = 1000;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  /** What the current configuration says about mail. */
  private record Settings(Optional<Alerts> alerts, Map<String, List<String>> vipRecipients) {}

  /** The events waiting for one list of recipients, and when it may be written to again. */
  private static final class Outbox {
    final List<AlertEvent> pending = new ArrayList<>();
    Instant nextAllowed = Instant.MIN;
    boolean flushScheduled;
    int dropped;
  }

  private final String node;
  private final MailSender sender;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lb-alert");
            t.setDaemon(true);
            return t;
          });
  private volatile Settings settings = new Settings(Optional.empty(), Map.of());
  private final Map<List<String>, Outbox> outboxes = new HashMap<>(); // alert thread only
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  /**
   * @param node this node's name, in every subject
   */
  public Alerter(String node, MailSender sender) {
    this.node = node;
    this.sender = sender;
  }

  /** Follows the running configuration: the SMTP settings and each virtual service's list. */
  public void configure(ReplicatedConfig config) {
    Map<String, List<String>> byVip = new HashMap<>();
    for (VirtualService v : config.virtualServices()) {
      byVip.put(v.label(), v.alertRecipients());
    }
    settings = new Settings(config.alerts(), byVip);
  }

  /** Queues an event for mail; returns at once. */
  public void post(AlertEvent event) {
    thread.execute(() -> route(event));
  }

  /** Mails sent so far, and mails that failed. */
  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  private void route(AlertEvent e) {
    Settings s = settings;
    if (s.alerts().isEmpty()) {
      return;
    }
    TreeSet<String> to = new TreeSet<>(s.alerts().get().to());
    e.virtualService().ifPresent(v -> to.addAll(s.vipRecipients().getOrDefault(v, List.of())));
    if (to.isEmpty()) {
      return;
    }
    Outbox box = outboxes.computeIfAbsent(List.copyOf(to), k -> new Outbox());
    if (box.pending.size() >= MAX_PENDING) {
      box.dropped++;
    } else {
      box.pending.add(e);
    }
    Instant now = Instant.now();
    if (!now.isBefore(box.nextAllowed)) {
      flush(List.copyOf(to), box);
    } else if (!box.flushScheduled) {
      box.flushScheduled = true;
      thread.schedule(
          () -> {
            box.flushScheduled = false;
            flush(List.copyOf(to), box);
          },
          Duration.between(now, box.nextAllowed).toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private void flush(List<String> to, Outbox box) {
    Optional<Alerts> alerts = settings.alerts();
    if (box.pending.isEmpty() || alerts.isEmpty()) {
      return;
    }
    List<AlertEvent> events = List.copyOf(box.pending);
    int dropped = box.dropped;
    box.nextAllowed = Instant.now().plus(alerts.get().minInterval());
    String subject =
        "[lbctl "
            + node
            + "] "
            + events.get(0).summary()
            + (events.size() > 1 ? " (+" + (events.size() - 1) + " more)" : "");
    StringBuilder body = new StringBuilder("lbctl node " + node + "\n\n");
    for (AlertEvent e : events) {
      body.append(TIME.format(e.at())).append("  ").append(e.summary()).append('\n');
      if (!e.detail().isEmpty()) {
        body.append("    ").append(e.detail()).append('\n');
      }
    }
    if (dropped > 0) {
      body.append("\n").append(dropped).append(" more events were not kept (too many at once)\n");
    }
    try {
      sender.send(alerts.get(), to, subject, body.toString());
      sent.incrementAndGet();
      box.pending.clear();
      box.dropped = 0;
      log.info("alert mail sent to {}: {}", to, subject);
    } catch (Exception ex) {
      failed.incrementAndGet();
      log.warn(
          "alert mail to {} via {}:{} failed, {} events kept for the next try in {}: {}",
          to,
          alerts.get().smtpHost(),
          alerts.get().smtpPort(),
          events.size(),
          alerts.get().minInterval(),
          ex.toString());
      if (!box.flushScheduled) {
        box.flushScheduled = true;
        thread.schedule(
            () -> {
              box.flushScheduled = false;
              flush(to, box);
            },
            alerts.get().minInterval().toMillis(),
            TimeUnit.MILLISECONDS);
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
