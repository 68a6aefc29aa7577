package org.lbctl.core.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.PairSettings;

/** Reads what a caller sent: JSON bodies with known fields, query parameters; refuses the rest. */
final class Bodies {
  private Bodies() {}

  /** A whole-number query parameter in [min, max]; absent: the default. */
  static long number(ApiRequest req, String name, long absent, long min, long max)
      throws ApiException {
    Optional<String> v = req.parameter(name);
    if (v.isEmpty()) {
      return absent;
    }
    try {
      long n = Long.parseLong(v.get());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ApiException(
        400,
        name
            + ": '"
            + org.lbctl.core.audit.LogText.field(v.get())
            + "' is not a whole number from "
            + min
            + " to "
            + max);
  }

  static int number(ApiRequest req, String name, int absent, int min, int max) throws ApiException {
    return (int) number(req, name, (long) absent, (long) min, (long) max);
  }

  /** The optional {@code interface}: where the floating IPs live. */
  static Optional<String> device(JsonNode json) throws ApiException {
    JsonNode dev = json.get("interface");
    if (dev == null || dev.isNull()) {
      return Optional.empty();
    }
    if (!dev.isTextual() || !dev.textValue().matches("[A-Za-z0-9_.@-]{1,15}")) {
      throw new ApiException(400, "interface: " + dev + " is not an interface name");
    }
    return Optional.of(dev.textValue());
  }

  static boolean flag(JsonNode json, String field) throws ApiException {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new ApiException(400, field + ": " + v + " (expected true or false)");
    }
    return v.booleanValue();
  }

  /** A JSON object body with only the given fields. */
  static JsonNode object(byte[] body, Set<String> fields) throws ApiException {
    JsonNode json = parse(body);
    if (json == null || json.isMissingNode() || json.isNull()) {
      return ManagementApi.JSON.createObjectNode();
    }
    if (!json.isObject()) {
      throw new ApiException(400, "body must be a JSON object");
    }
    for (var names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw new ApiException(
            400,
            "unknown field '"
                + name
                + "' (expected: "
                + String.join(", ", new TreeSet<>(fields))
                + ")");
      }
    }
    return json;
  }

  /** A required name (of a group or a member): letters, digits, {@code _ . -}, at most 64. */
  static String name(JsonNode json, String field) throws ApiException {
    JsonNode v = json.get(field);
    if (v == null || !v.isTextual() || !v.textValue().matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new ApiException(
          400,
          field
              + ": "
              + (v == null ? "required" : org.lbctl.core.audit.LogText.field(v.toString()))
              + " (expected a name: letters, digits, _ . -)");
    }
    return v.textValue();
  }

  static Optional<InetSocketAddress> endpoint(JsonNode json, String field, boolean required)
      throws ApiException {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new ApiException(400, field + ": required (an IP address with an optional :port)");
      }
      return Optional.empty();
    }
    Optional<InetSocketAddress> parsed =
        v.isTextual()
            ? Endpoints.parse(v.textValue(), PairSettings.DEFAULT_PORT)
            : Optional.empty();
    if (parsed.isEmpty()) {
      throw new ApiException(
          400, field + ": " + v + " (expected an IP address with an optional :port)");
    }
    return parsed;
  }

  static JsonNode parse(byte[] body) throws ApiException {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      return ManagementApi.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "body is not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new ApiException(400, "cannot read body: " + e.getMessage());
    }
  }

  static void allow(String method, String allowed) throws ApiException {
    if (!method.equals(allowed)) {
      throw new ApiException(405, method + " is not allowed here (expected: " + allowed + ")");
    }
  }
}
