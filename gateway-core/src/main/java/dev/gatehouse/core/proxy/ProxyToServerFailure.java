package dev.gatehouse.core.proxy;

import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.http.FailureLog;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What both upstream clients ({@link JettyUpstreamClient}, {@link LeanUpstreamClient}) do when the exchange with a
 * server failed on the server's side (a failure of the client's side is answered as
 * {@link ErrorResponses#clientFailed} decides, before this): one place, so that both send an unreachable server's
 * request elsewhere, tell a retry middleware and passive health checks, and answer 502/504, alike.
 */
final class ProxyToServerFailure {

    private ProxyToServerFailure() {
    }

    /**
     * Sends the request to the server the service chooses instead when {@code server} was never reached and nothing
     * of the request body was taken from the client; else tells the outcome the exchange failed and answers the
     * client: 502/504 while nothing of the response reached it, else the response is broken off.
     *
     * @param unreachable whether the server was never reached: the failure is a connect failure
     *     ({@link JettyUpstreamClient#isUnreachable}) and nothing of the server's response came
     * @param body the client's request body as sent on, or null when the request has none
     * @param sendElsewhere sends the same request (its body, its span) to the server the service chose
     */
    static void answer(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server,
            UpstreamClient.Outcome outcome, Throwable failure, boolean unreachable, ClientRequestBody body,
            Consumer<UpstreamServer> sendElsewhere) {
        if (unreachable && outcome != null && (body == null || !body.touched())) {
            UpstreamServer next = outcome.unreachable(failure);
            if (next != null) {
                sendElsewhere.accept(next);
                return;
            }
        }
        if (unreachable && (body == null || (!body.touched() && !body.readAhead()))) {
            // Nothing reached the server nor was taken from the client: a retry middleware may send it again.
            ErrorResponses.notForwarded(clientToProxy, failure);
        }
        if (body != null) {
            body.discard();
        }
        if (outcome != null) {
            outcome.completed(failure);
        }
        if (proxyToClient.isCommitted()) {
            callback.failed(failure);
        } else {
            FailureLog.upstreamFailed(clientToProxy, server.url(), failure);
            ErrorResponses.upstreamFailed(clientToProxy, proxyToClient, callback, failure);
        }
    }
}
