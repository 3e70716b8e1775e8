package dev.gatehouse.api.http;

import org.eclipse.jetty.server.Request;

/**
 * Told by the gateway when it answers a request itself because it could not forward it: no server of the service
 * could be reached (connection refused or failed) or none was available, and nothing of the request was sent to a
 * server nor any byte of its body read from the client. Such a request can be sent again.
 *
 * <p>A middleware that sends requests again (such as {@code retry}) passes the rest of the chain a
 * {@link Request.Wrapper} that implements this interface; the gateway finds the innermost one with
 * {@link #of(Request)} and calls it before it writes its error response (which the middleware may then hold back
 * and drop):
 *
 * <pre>{@code
 * final class Attempt extends Request.Wrapper implements ForwardingListener {
 *     volatile Throwable notForwarded;
 *     Attempt(Request request) { super(request); }
 *     public void notForwarded(Throwable cause) { notForwarded = cause; }
 * }
 * }</pre>
 *
 * <p>A request that reached a server is never signalled, whatever its answer: a server's own 502 is an answer.
 */
public interface ForwardingListener {

    /**
     * The gateway could not forward the request and is answering it itself.
     *
     * @param cause why: the connection failure, or an {@link IllegalStateException} when no server was available
     */
    void notForwarded(Throwable cause);

    /** The innermost listener the request is wrapped in, or null when no middleware listens. */
    static ForwardingListener of(Request request) {
        return Request.as(request, ForwardingListener.class);
    }
}
