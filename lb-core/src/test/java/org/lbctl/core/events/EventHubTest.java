package org.lbctl.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventHubTest {
  @Test
  void eachSubscriberGetsEachEventAsOneServerSentEvent() {
    EventHub hub = new EventHub();
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    Runnable endA = hub.subscribe(a::add).orElseThrow();
    hub.subscribe(b::add).orElseThrow();
    hub.publish("admin", Map.of("realServer", "pacs1", "to", "drain\nevent: forged"));
    assertThat(a).hasSize(1).isEqualTo(b);
    String text = a.get(0);
    assertThat(text).startsWith("id: 1\nevent: admin\ndata: {").endsWith("}\n\n");
    // A value with a line break stays inside its JSON string: it cannot start an event.
    assertThat(text.lines()).hasSize(4).noneMatch(l -> l.equals("event: forged"));
    endA.run();
    hub.publish("health", Map.of());
    assertThat(a).hasSize(1);
    assertThat(b).hasSize(2);
    assertThat(b.get(1)).startsWith("id: 2\nevent: health\n");
  }

  @Test
  void atMostSixtyFourStreamsAreOpenAtOnce() {
    EventHub hub = new EventHub();
    List<Runnable> ends = new ArrayList<>();
    for (int i = 0; i < EventHub.MAX_SUBSCRIBERS; i++) {
      ends.add(hub.subscribe(t -> {}).orElseThrow());
    }
    Optional<Runnable> refused = hub.subscribe(t -> {});
    assertThat(refused).isEmpty();
    ends.get(0).run();
    assertThat(hub.subscribe(t -> {})).isPresent();
    assertThat(hub.subscribers()).isEqualTo(EventHub.MAX_SUBSCRIBERS);
  }
}
