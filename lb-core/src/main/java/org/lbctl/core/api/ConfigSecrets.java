package org.lbctl.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lbctl.core.config.NamedCertificate;
import org.lbctl.core.config.ReplicatedConfig;

/**
 * Keeps uploaded private keys inside the node: the configuration the API shows has each {@code
 * keyPem} replaced by {@value #KEPT}, and a configuration sent back with that marker gets the
 * running key of the certificate of the same name again. So an editor can round-trip the
 * configuration without ever holding a key.
 */
final class ConfigSecrets {
  static final String KEPT = "(kept on the node)";

  private ConfigSecrets() {}

  /** The configuration tree with its private keys masked. */
  static ObjectNode masked(ObjectNode tree) {
    for (JsonNode c : tree.path("certificates")) {
      if (c instanceof ObjectNode o && o.hasNonNull("keyPem")) {
        o.put("keyPem", KEPT);
      }
    }
    return tree;
  }

  /**
   * Puts the running keys back where a document carries the marker.
   *
   * @throws ApiException 422 naming a marker with no uploaded certificate of that name running
   */
  static void restore(JsonNode tree, ReplicatedConfig running) throws ApiException {
    JsonNode certs = tree.path("certificates");
    for (int i = 0; i < certs.size(); i++) {
      if (!(certs.get(i) instanceof ObjectNode o) || !KEPT.equals(o.path("keyPem").asText())) {
        continue;
      }
      String name = o.path("name").asText();
      String key =
          running
              .certificate(name)
              .filter(NamedCertificate::isInline)
              .map(NamedCertificate::keyPem)
              .orElseThrow(
                  () ->
                      new ApiException(
                          422,
                          "certificates["
                              + name
                              + "].keyPem: '"
                              + KEPT
                              + "' but no uploaded certificate of that name runs here; upload"
                              + " its key"));
      o.put("keyPem", key);
    }
  }
}
