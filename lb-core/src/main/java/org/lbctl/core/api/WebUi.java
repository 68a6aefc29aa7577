package org.lbctl.core.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The web UI's files, from the jar: one page, its script and its style sheet. Only these names are
 * served, so no path reaches anything else.
 */
public final class WebUi {
  private static final Map<String, String> FILES =
      Map.of(
          "/ui/", "index.html",
          "/ui/index.html", "index.html",
          "/ui/app.js", "app.js",
          "/ui/app.css", "app.css");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8");

  public ApiResponse file(String path) {
    if (path.equals("/") || path.equals("/ui")) {
      return new ApiResponse(302, Map.of("location", "/ui/"), Map.of("Location", "/ui/"));
    }
    String name = FILES.get(path);
    if (name == null) {
      return new ApiResponse(404, Map.of("error", "no such page: " + path));
    }
    try (InputStream in = WebUi.class.getResourceAsStream("/org/lbctl/core/webui/" + name)) {
      if (in == null) {
        return new ApiResponse(500, Map.of("error", "the web UI is missing " + name));
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String ext = name.substring(name.lastIndexOf('.') + 1);
      return new ApiResponse(200, new TextBody(TYPES.get(ext), text));
    } catch (IOException e) {
      return new ApiResponse(500, Map.of("error", "cannot read " + name + ": " + e.getMessage()));
    }
  }
}
