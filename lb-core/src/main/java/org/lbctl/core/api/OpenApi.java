package org.lbctl.core.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The management API described in OpenAPI 3.0, made from {@link ApiRoutes}: every operation with
 * its summary, parameters, body fields and the role it needs ({@code x-lbctl-role}).
 */
final class OpenApi {
  private OpenApi() {}

  private static final Map<String, Object> DOCUMENT = build();

  static Map<String, Object> document() {
    return DOCUMENT;
  }

  private static Map<String, Object> build() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.0.3");
    doc.put(
        "info",
        Map.of(
            "title",
            "lbctl management API",
            "version",
            "1",
            "description",
            "Roles: viewer reads; operator also drains, halts and brings back real servers, clears"
                + " stick tables and fails over; admin also changes the configuration, the users"
                + " and the pair. The node's Unix socket is admin."));
    doc.put(
        "components",
        Map.of(
            "securitySchemes",
            Map.of(
                "basic", Map.of("type", "http", "scheme", "basic"),
                "bearer", Map.of("type", "http", "scheme", "bearer"),
                "session", Map.of("type", "apiKey", "in", "cookie", "name", "lbctl_session"))));
    doc.put("security", List.of(Map.of("basic", List.of()), Map.of("bearer", List.of())));
    Map<String, Object> paths = new LinkedHashMap<>();
    for (ApiRoutes.Route r : ApiRoutes.ALL) {
      @SuppressWarnings("unchecked")
      Map<String, Object> item =
          (Map<String, Object>) paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>());
      item.put(r.method().toLowerCase(Locale.ROOT), operation(r));
    }
    doc.put("paths", paths);
    return doc;
  }

  private static Map<String, Object> operation(ApiRoutes.Route r) {
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("summary", r.summary());
    op.put("x-lbctl-role", r.role().word());
    if (r.own()) {
      op.put("x-lbctl-own", "a user below " + r.role().word() + " may for its own user or token");
    }
    if (!r.parameters().isEmpty()) {
      op.put(
          "parameters",
          r.parameters().stream()
              .map(
                  p ->
                      Map.of(
                          "name",
                          p,
                          "in",
                          "path",
                          "required",
                          true,
                          "schema",
                          Map.of("type", "string")))
              .toList());
    }
    if (!r.fields().isEmpty()) {
      Map<String, Object> properties = new LinkedHashMap<>();
      r.fields().forEach(f -> properties.put(f, Map.of()));
      op.put(
          "requestBody",
          Map.of(
              "content",
              Map.of(
                  "application/json",
                  Map.of(
                      "schema",
                      Map.of(
                          "type",
                          "object",
                          "properties",
                          properties,
                          "additionalProperties",
                          false)))));
    }
    Map<String, Object> responses = new LinkedHashMap<>();
    responses.put("200", Map.of("description", "done; the answer as JSON"));
    responses.put("400", Map.of("description", "refused: the error names what was wrong"));
    responses.put("401", Map.of("description", "no valid credentials"));
    responses.put("403", Map.of("description", "the caller's role does not allow it"));
    op.put("responses", responses);
    return op;
  }
}
