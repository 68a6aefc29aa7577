package org.lbctl.core.alert;

import java.util.List;
import org.lbctl.core.config.Alerts;

/** Delivers one plain-text mail; throws with the reason when the server does not take it. */
@FunctionalInterface
public interface MailSender {
  void send(Alerts settings, List<String> to, String subject, String body) throws Exception;
}
