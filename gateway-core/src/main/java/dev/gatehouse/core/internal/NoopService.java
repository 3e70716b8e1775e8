package dev.gatehouse.core.internal;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code noop@internal}: the service of routers whose middlewares always answer (a redirectScheme router), so
 * they need no real service. As Traefik's, it answers every request that reaches it with 418 and no body.
 */
public final class NoopService extends Handler.Abstract.NonBlocking {

    public static final String NAME = "noop@internal";

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(HttpStatus.IM_A_TEAPOT_418);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        response.write(true, null, callback);
        return true;
    }
}
