package org.lbctl.cluster.members;

import java.util.Collection;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;

/**
 * Passes every suspicion of the failure detectors up as it is raised, before it is verified and the
 * view leaves the member out: a member whose socket closed is usually dead, and the caller asks its
 * host at once rather than after the view's round trip. A suspicion decides nothing by itself.
 */
public final class SuspectTap extends Protocol {
  private volatile Consumer<String> listener = member -> {};

  /** Tells {@code listener}, on a JGroups thread, the name of each member suspected from now on. */
  void listen(Consumer<String> listener) {
    this.listener = listener;
  }

  @Override
  public Object up(Event evt) {
    if (evt.getType() == Event.SUSPECT) {
      Object arg = evt.getArg();
      if (arg instanceof Collection<?> suspects) {
        for (Object s : suspects) {
          if (s instanceof Address a) {
            tell(a.toString());
          }
        }
      } else if (arg instanceof Address a) {
        tell(a.toString());
      }
    }
    return up_prot.up(evt);
  }

  private void tell(String member) {
    try {
      listener.accept(member);
    } catch (RuntimeException e) {
      log.debug("suspect listener failed on %s: %s", member, e);
    }
  }
}
