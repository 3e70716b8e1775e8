package dev.gatehouse.core.proxy;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * The client's request body as the body of the request to the server: chunks are handed through as
 * they arrive, with the client's demand driven by the server side, so nothing is buffered whole.
 */
final class ClientRequestBody implements org.eclipse.jetty.client.Request.Content {

    private final Request clientToProxy;
    /** A chunk already read from the client to learn whether there is a body; handed out first. Read and
     *  demand are called one after the other by the HTTP client, never at once. */
    private Content.Chunk first;
    /** Whether the HTTP client has asked for body content: from then on the request cannot be sent again. */
    private volatile boolean touched;

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
            return chunk;
        }
        return clientToProxy.read();
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

    /** Whether any of the body may have been taken from the client. */
    boolean touched() {
        return touched;
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
