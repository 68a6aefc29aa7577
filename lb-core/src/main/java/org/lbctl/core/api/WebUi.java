package org.lbctl.core.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The web UI's files, from the jar: one page, its script and its style sheet, and the graphing
 * library (uPlot, from its WebJar). Only these names are served, so no path reaches anything else.
 */
public final class WebUi {
  private static final String OURS = "/org/lbctl/core/webui/";
  // Keep in step with the uplot dependency's version in lb-core/pom.xml (WebUiIT draws with it).
  private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
  private static final Map<String, String> FILES =
      Map.of(
          "/ui/", OURS + "index.html",
          "/ui/index.html", OURS + "index.html",
          "/ui/app.js", OURS + "app.js",
          "/ui/app.css", OURS + "app.css",
          "/ui/uplot.js", UPLOT + "uPlot.iife.min.js",
          "/ui/uplot.css", UPLOT + "uPlot.min.css");
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
    try (InputStream in = WebUi.class.getResourceAsStream(name)) {
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
