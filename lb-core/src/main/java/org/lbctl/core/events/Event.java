package org.lbctl.core.events;

import java.util.Map;

/**
 * One status change as the hub hands it to its sinks: its type, its fields ({@code from}, {@code
 * to}, the subject's), and the JSON the event stream carries, made once for all of them.
 */
public record Event(String type, Map<String, Object> data, String json) {
  public Event {
    // A subject new since the last look has no "from": null values are kept.
    data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
  }

  /** A field as text; empty when the event has none. */
  public String field(String name) {
    Object v = data.get(name);
    return v == null ? "" : v.toString();
  }
}
