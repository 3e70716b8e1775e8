package dev.gatehouse.core.service;

import dev.gatehouse.core.proxy.UpstreamServer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A service behind its own middlewares ({@code http.services.<name>.middlewares}): requests go through the
 * middlewares first, while parents (weighted, failover) still ask the service itself whether it is available.
 */
public final class MiddlewareFrontedService extends ServiceHandler {

    private final ServiceHandler service;
    private final Handler front;

    /**
     * @param service the service the middlewares send to
     * @param front the first middleware, whose chain ends at {@code service}
     */
    public MiddlewareFrontedService(ServiceHandler service, Handler front) {
        this.service = service;
        this.front = front;
    }

    /** The service behind the middlewares (for its servers' health). */
    public ServiceHandler service() {
        return service;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return front.handle(request, response, callback);
    }

    @Override
    public InvocationType getInvocationType() {
        // middlewares may block (forwardAuth, buffering): the chain says
        return front.getInvocationType();
    }

    @Override
    public boolean available() {
        return service.available();
    }

    @Override
    public UpstreamServer pickForCopy() {
        return service.pickForCopy();
    }

    @Override
    public String name() {
        return service.name();
    }
}
