package org.lbctl.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands each status change to every open event stream ({@code GET /v1/events}) as a server-sent
 * event. A subscriber must not block: one that cannot keep up is dropped by its own stream, never
 * waited for. At most {@link #MAX_SUBSCRIBERS} at once, so that streams cannot use up the node.
 */
public final class EventHub {
  public static final int MAX_SUBSCRIBERS = 64;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An open stream: takes an event's text and returns at once. */
  public interface Subscriber {
    void send(String text);
  }

  // Each subscription its own entry, even for equal subscribers.
  private record Subscription(Subscriber subscriber) {
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  private final Set<Subscription> subscribers = ConcurrentHashMap.newKeySet();
  private final AtomicLong ids = new AtomicLong();
  // Where every event also goes, beside the streams (remote syslog): type and JSON.
  private final java.util.List<java.util.function.Consumer<Event>> sinks =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Also hands every event to {@code sink}, which must not block. */
  public void addSink(java.util.function.Consumer<Event> sink) {
    sinks.add(sink);
  }

  /**
   * @return what ends the subscription; empty when {@link #MAX_SUBSCRIBERS} are open already
   */
  public synchronized Optional<Runnable> subscribe(Subscriber s) {
    if (subscribers.size() >= MAX_SUBSCRIBERS) {
      return Optional.empty();
    }
    Subscription one = new Subscription(s);
    subscribers.add(one);
    return Optional.of(() -> subscribers.remove(one));
  }

  public int subscribers() {
    return subscribers.size();
  }

  /** Sends {@code type} with {@code data} (and the time) to every subscriber. */
  public void publish(String type, Map<String, Object> data) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("time", Instant.now().toString());
    body.putAll(data);
    String json;
    try {
      json = JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an event", e);
    }
    // One line of JSON: an event's data may not hold a line break.
    String text = "id: " + ids.incrementAndGet() + "\nevent: " + type + "\ndata: " + json + "\n\n";
    // One that fails must not keep the event from the others.
    for (Subscription s : subscribers) {
      try {
        s.subscriber().send(text);
      } catch (RuntimeException e) {
        subscribers.remove(s);
      }
    }
    Event event = new Event(type, body, json);
    for (java.util.function.Consumer<Event> s : sinks) {
      try {
        s.accept(event);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(EventHub.class)
            .warn("events: a sink failed on a {} event: {}", type, e.toString());
      }
    }
  }
}
