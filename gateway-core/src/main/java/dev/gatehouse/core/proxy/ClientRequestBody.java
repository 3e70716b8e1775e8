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
        Content.Chunk chunk = first;
        if (chunk != null) {
            first = null;
            return chunk;
        }
        return clientToProxy.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
        if (first != null) {
            demandCallback.run();
            return;
        }
        clientToProxy.demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
        Content.Chunk chunk = first;
        if (chunk != null) {
            first = null;
            chunk.release();
        }
        clientToProxy.fail(failure);
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
