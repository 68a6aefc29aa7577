package org.lbctl.cluster.node;

import java.lang.reflect.Proxy;
import org.lbctl.core.api.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads the configuration, as operators expect of a daemon. The JDK offers signals only
 * through {@code sun.misc.Signal} (module jdk.unsupported); it is reached reflectively so the build
 * keeps treating every compiler warning as an error.
 */
public final class ReloadSignal {
  private static final Logger log = LoggerFactory.getLogger(ReloadSignal.class);

  private ReloadSignal() {}

  /** Returns false (and logs why) when this JVM cannot handle signals. */
  public static boolean install(Node node) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              ReloadSignal.class.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, args) -> {
                return switch (method.getName()) {
                  case "handle" -> {
                    reload(node);
                    yield null;
                  }
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> "lbctl SIGHUP handler";
                };
              });
      Object hup = signalClass.getConstructor(String.class).newInstance("HUP");
      signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, hup, handler);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("SIGHUP reload is unavailable on this JVM ({}); use 'lbctl reload'", e.toString());
      return false;
    }
  }

  private static void reload(Node node) {
    try {
      var changes = node.reload();
      log.info(
          "SIGHUP: configuration reloaded: listeners added {}, removed {}, kept {}",
          changes.added(),
          changes.removed(),
          changes.kept().size());
    } catch (ApiException e) {
      log.warn("SIGHUP: {}", e.getMessage());
    }
  }
}
