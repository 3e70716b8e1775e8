package dev.gatehouse.core.proxy;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * The client's request body as the body of the request to the server: chunks are handed through as
 * they arrive, with the client's demand driven by the server side, so nothing is buffered whole.
 *
 * <p>It also witnesses the client's side of the exchange: when reading the body fails (the client stalled past a
 * timeout, sent a malformed body, reset its stream or went away), the HTTP client fails the request to the server
 * with that same failure, and nothing in the failure itself says on which side it began. {@link #clientFailure()}
 * does: the exchange failed because of the client, whatever exception it carries.
 */
final class ClientRequestBody implements org.eclipse.jetty.client.Request.Content {

    private final Request clientToProxy;
    /** A chunk already read from the client to learn whether there is a body; handed out first. Read and
     *  demand are called one after the other by the HTTP client, never at once. */
    private Content.Chunk first;
    /** Whether the HTTP client has asked for body content: from then on the request cannot be sent again. */
    private volatile boolean touched;
    /** The failure read from the client's body, or null while it reads fine. */
    private volatile Throwable clientFailure;
    /** The failure the HTTP client ended the body with (from the server's side), so it is not taken for the client's. */
    private volatile Throwable failedWith;

    /**
     * @param first a chunk already read from {@code clientToProxy}, or null
     */
    ClientRequestBody(Request clientToProxy, Content.Chunk first) {
        this.clientToProxy = clientToProxy;
        this.first = first;
    }

    @Override
    public long getLength() {
        return clientToProxy.getLength();
    }

    @Override
    public Content.Chunk read() {
        touched = true;
        Content.Chunk chunk = first;
        if (chunk != null) {
            first = null;
        } else {
            chunk = clientToProxy.read();
        }
        if (Content.Chunk.isFailure(chunk) && clientFailure == null && chunk.getFailure() != failedWith) {
            // Even a transient failure (an idle timeout) ends the exchange: the HTTP client fails the request on any.
            clientFailure = chunk.getFailure();
        }
        return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
        touched = true;
        if (first != null) {
            demandCallback.run();
            return;
        }
        clientToProxy.demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
        failedWith = failure;
        if (!touched) {
            // Nothing was taken from the client: the body stays readable for a retry on another server. If there
            // is none, the client's request is completed (and its unread body discarded) by Jetty as usual.
            return;
        }
        Content.Chunk chunk = first;
        if (chunk != null) {
            first = null;
            chunk.release();
        }
        clientToProxy.fail(failure);
    }

    /**
     * Why reading the client's body failed (it stalled past a timeout, sent a malformed body, reset its stream or
     * went away), or null when it did not: a failure of the exchange is then the client's, not the server's.
     */
    Throwable clientFailure() {
        return clientFailure;
    }

    /** Whether any of the body may have been taken from the client. */
    boolean touched() {
        return touched;
    }

    /** Whether a chunk was read from the client ahead and not handed on yet (it would be lost by {@link #discard}). */
    boolean readAhead() {
        return first != null;
    }

    /** Releases a chunk read ahead and never handed on (the request is not sent again). */
    void discard() {
        Content.Chunk chunk = first;
        if (chunk != null && !touched) {
            first = null;
            chunk.release();
        }
    }

    @Override
    public String getContentType() {
        return clientToProxy.getHeaders().get(HttpHeader.CONTENT_TYPE);
    }

    @Override
    public boolean rewind() {
        return false;
    }
}
