package org.lbctl.cluster.sync;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigHash;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.proxy.ListenerChanges;

/**
 * A replica held in memory: validates what it installs with the real loader, as a node does, and
 * can be told to refuse (a peer running another build).
 */
public final class MemoryReplica implements ConfigReplica {
  private volatile ConfigVersion version;
  private volatile byte[] document;
  private volatile boolean refuse;
  private final AtomicInteger installs = new AtomicInteger();

  public MemoryReplica(long number, String yaml) {
    set(number, yaml);
  }

  /** A configuration with one virtual service named {@code label}. */
  public static String config(String label) {
    return "virtualServices:\n"
        + "  - label: "
        + label
        + "\n    address: 127.0.0.1\n    ports: [18080]\n    layer: 7\n    protocol: tcp\n"
        + "    realServers:\n      - {label: rs1, address: 127.0.0.1, port: 19001}\n";
  }

  /** An edit on this node: the given version with this content. */
  public void set(long number, String yaml) {
    try {
      ReplicatedConfig c = ConfigLoader.parse(yaml);
      document = yaml.getBytes(StandardCharsets.UTF_8);
      version = new ConfigVersion(number, ConfigHash.of(c));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public void refuseInstalls(boolean refuse) {
    this.refuse = refuse;
  }

  public int installs() {
    return installs.get();
  }

  @Override
  public ConfigVersion version() {
    return version;
  }

  @Override
  public byte[] document() {
    return document.clone();
  }

  @Override
  public ListenerChanges install(ConfigVersion next, byte[] received) throws ConfigException {
    if (refuse) {
      throw ConfigException.of("virtualServices[0].layer", "not supported by this build");
    }
    ConfigReplica.read(next, received);
    document = received.clone();
    version = next;
    installs.incrementAndGet();
    return new ListenerChanges(List.of(), List.of(), List.of());
  }
}
