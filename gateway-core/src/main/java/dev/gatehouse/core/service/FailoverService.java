package dev.gatehouse.core.service;

import dev.gatehouse.api.http.BodyReader;
import dev.gatehouse.api.http.HeldResponse;
import dev.gatehouse.api.http.PeekedRequest;
import dev.gatehouse.api.http.ResponseHead;
import dev.gatehouse.api.http.StatusRanges;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.proxy.UpstreamServer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code http.services.<name>.failover}: the main service while it has an available server (by its health
 * checks, active or passive), else the fallback.
 *
 * <p>With {@code errors.status} (Traefik v3.7), a request the main service answers with one of those statuses goes
 * to the fallback too, and only the fallback's answer reaches the client. Its body is then read first (up to
 * {@code errors.maxRequestBodyBytes}; a larger one is answered 413, as in Traefik) so that it can be sent again.
 */
public final class FailoverService extends ServiceHandler {

    private final String name;
    private final ServiceHandler main;
    private final ServiceHandler fallback;
    private final StatusRanges errors;
    private final long maxRequestBodyBytes;

    public FailoverService(String name, ServiceHandler main, ServiceHandler fallback) {
        this(name, main, fallback, StatusRanges.parse("failover.errors.status", null), Long.MAX_VALUE);
    }

    /**
     * @param errors the statuses of the main service's answers that go to the fallback instead (empty: none)
     * @param maxRequestBodyBytes with {@code errors}, the largest body held to be sent again
     */
    public FailoverService(String name, ServiceHandler main, ServiceHandler fallback, StatusRanges errors,
            long maxRequestBodyBytes) {
        this.name = name;
        this.main = main;
        this.fallback = fallback;
        this.errors = errors;
        this.maxRequestBodyBytes = maxRequestBodyBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!main.available()) {
            return fallback.handle(request, response, callback);
        }
        if (errors.isEmpty()) {
            return main.handle(request, response, callback);
        }
        BodyReader.read(request, maxRequestBodyBytes, (body, whole) -> {
            try {
                if (body.length > maxRequestBodyBytes) {
                    ErrorResponses.requestBodyTooLarge(request, response, callback);
                    return;
                }
                new MainAttempt(request, body, response, callback).start();
            } catch (Throwable failure) {
                callback.failed(failure);
            }
        }, callback);
        return true;
    }

    @Override
    public boolean available() {
        return main.available() || fallback.available();
    }

    @Override
    public UpstreamServer pickForCopy() {
        return main.available() ? main.pickForCopy() : fallback.pickForCopy();
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * The main service's try: its answer is held back until its status is known (its first write, or its end
     * without one), then let through, or dropped (headers and body) and the request sent to the fallback.
     */
    private final class MainAttempt extends HeldResponse implements Callback {
        private final Request request;
        private final byte[] body;
        private final Response response;
        private final Callback callback;
        private final ResponseHead before;

        MainAttempt(Request request, byte[] body, Response response, Callback callback) {
            super(request, response, held -> !held.isCommitted() && errors.contains(held.getStatus()));
            this.request = request;
            this.body = body;
            this.response = response;
            this.callback = callback;
            this.before = ResponseHead.of(response);
        }

        void start() throws Exception {
            main.handle(new PeekedRequest(request, body, true), this, this);
        }

        @Override
        public void succeeded() {
            if (decide()) {
                sendToFallback();
            } else {
                callback.succeeded();
            }
        }

        @Override
        public void failed(Throwable failure) {
            if (decide()) {
                sendToFallback();
            } else {
                callback.failed(failure);
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return callback.getInvocationType();
        }

        private void sendToFallback() {
            before.restore(response);
            try {
                fallback.handle(new PeekedRequest(request, body, true), response, callback);
            } catch (Throwable failure) {
                callback.failed(failure);
            }
        }
    }
}
