package org.lbctl.core.l4;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.lbctl.core.os.Commands;

/**
 * The interface a DR VIP forwards on: the one the kernel routes its real servers through (DR needs
 * them on the same link). Looked up with {@code ip route get}; a route found is remembered for a
 * minute.
 */
final class Devices {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final long KEEP_NANOS = Duration.ofMinutes(1).toNanos();
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Known(Optional<String> device, long at) {}

  private final Map<String, Known> known = new ConcurrentHashMap<>();

  /** The interface towards {@code address}; empty when there is no route. */
  Optional<String> towards(String address) {
    long now = System.nanoTime();
    Known k = known.get(address);
    if (k != null && now - k.at() < KEEP_NANOS) {
      return k.device();
    }
    Optional<String> device = lookup(address);
    // No route yet (a passive node without the floating gateway) is asked again next time.
    device.ifPresent(d -> known.put(address, new Known(device, now)));
    return device;
  }

  /** Forgets what was looked up (the configuration changed). */
  void forget() {
    known.clear();
  }

  private static Optional<String> lookup(String address) {
    try {
      Commands.Result r = Commands.run(TIMEOUT, List.of("ip", "-j", "route", "get", address));
      if (!r.ok()) {
        return Optional.empty();
      }
      for (JsonNode route : JSON.readTree(r.output())) {
        String dev = route.path("dev").asText("");
        if (!dev.isEmpty() && !dev.equals("lo")) {
          return Optional.of(dev);
        }
      }
    } catch (IOException e) {
      // No route known: the caller says so.
    }
    return Optional.empty();
  }
}
