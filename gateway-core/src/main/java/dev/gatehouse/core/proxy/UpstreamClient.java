package dev.gatehouse.core.proxy;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Sends a client's request to a chosen server and streams the answer back. The one interface between the
 * services and the HTTP client, so that a leaner client can replace Jetty's where a profile says so.
 */
public interface UpstreamClient extends LifeCycle {

    /**
     * Forwards asynchronously and completes {@code callback} when the response to the client is done.
     * Failures before the server's response starts are answered by {@code ErrorResponses}.
     */
    void forward(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server,
            boolean passHostHeader);
}
