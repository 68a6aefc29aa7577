package org.lbctl.cluster.groups;

import java.util.function.Consumer;
import org.lbctl.cluster.sync.AccountReplica;
import org.lbctl.core.l4.L4DataPlane;
import org.lbctl.core.persistence.SwitchableStickTable;
import org.lbctl.core.proxy.ProxyEngine;

/**
 * What a cluster (or a pair) drives on this node: the proxy's listeners, the kernel's layer 4 rules
 * and the stick table both route through; {@code announce} tells the stick table which real servers
 * this node's entries may name; {@code onConfigChange} hands over what to run at every change of
 * the running configuration; {@code accounts} are the management users and tokens the members
 * share.
 */
public record DataPlane(
    ProxyEngine engine,
    L4DataPlane kernel,
    SwitchableStickTable sticks,
    Runnable announce,
    Consumer<Runnable> onConfigChange,
    AccountReplica accounts) {}
