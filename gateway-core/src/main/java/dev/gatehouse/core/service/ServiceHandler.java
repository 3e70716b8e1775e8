package dev.gatehouse.core.service;

import dev.gatehouse.core.proxy.UpstreamServer;
import org.eclipse.jetty.server.Handler;

/**
 * A service of the runtime: a handler that also says whether it can take a request now, so that parents
 * (weighted, failover) skip it when it cannot.
 */
public abstract class ServiceHandler extends Handler.Abstract.NonBlocking {

    /** Whether at least one server behind this service is healthy. A volatile read or two; no locks. */
    public abstract boolean available();

    /** A server for a mirrored copy of a request, or null when there is none. */
    public abstract UpstreamServer pickForCopy();

    /** The service's qualified name. */
    public abstract String name();
}
