package dev.gatehouse.core.proxy;

import java.time.Duration;
import java.util.Map;
import java.util.function.IntConsumer;
import org.eclipse.jetty.http.HttpFields;
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
    default void forward(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server,
            boolean passHostHeader) {
        forward(clientToProxy, proxyToClient, callback, server, passHostHeader, null);
    }

    /**
     * As {@link #forward(Request, Response, Callback, UpstreamServer, boolean)}, telling {@code outcome} (when
     * not null) how the exchange with the server ended, and asking it where to send a request that never reached
     * the server.
     */
    void forward(Request clientToProxy, Response proxyToClient, Callback callback, UpstreamServer server,
            boolean passHostHeader, Outcome outcome);

    /**
     * Sends a health check request and gives its status, or -1 when it failed or timed out. Never blocks.
     *
     * @param host the {@code Host} header, or null for the server's own
     */
    void probe(String method, String url, String host, Map<String, String> headers, Duration timeout,
            boolean followRedirects, IntConsumer status);

    /**
     * Asks a gRPC server for its health, as the gRPC health checking protocol says ({@code grpc.health.v1.Health/Check}
     * with an empty service name, over HTTP/2 without TLS), and gives the serving status it answers (1 is
     * {@code SERVING}), or -1 when the call failed, timed out or ended with a gRPC error. Never blocks.
     */
    void probeGrpc(String host, int port, Duration timeout, IntConsumer servingStatus);

    /**
     * Sends a copy of a request whose answer nobody waits for (mirroring): fire and forget.
     *
     * @param headers the client's headers, copied
     * @param body the whole body, or null for none
     */
    void sendCopy(String method, String pathQuery, HttpFields headers, byte[] body, UpstreamServer server);

    /**
     * What happened to one forwarded request, for passive health checks, and where to send it when its server could
     * not be reached: the service owns that choice, the client only sends the request again.
     */
    interface Outcome {

        /**
         * The server could not be reached (connection refused or failed) and no byte of the request body was
         * read from the client.
         *
         * @return the server to send the request to instead (this outcome then follows that attempt), or null to
         *     answer the failure (and tell a {@code retry} middleware it was not forwarded)
         */
        UpstreamServer unreachable(Throwable failure);

        /**
         * The server's response began (its status line arrived): the time to first byte, which the
         * {@code leasttime} strategy weighs.
         */
        default void responseBegun(int status) {
        }

        /** The exchange ended; {@code failure} is null on success, else a failure that was answered or broke the response. */
        void completed(Throwable failure);

        /**
         * The exchange ended because of the client: its request body failed (stalled past a timeout, malformed,
         * reset or cut short) or it stopped taking the response. Says nothing about the server: never a failure of
         * it, never a reason to send the request elsewhere.
         */
        void clientFailed(Throwable failure);
    }
}
