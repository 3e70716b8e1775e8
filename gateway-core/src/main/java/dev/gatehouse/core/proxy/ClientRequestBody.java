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

    ClientRequestBody(Request clientToProxy) {
        this.clientToProxy = clientToProxy;
    }

    @Override
    public long getLength() {
        return clientToProxy.getLength();
    }

    @Override
    public Content.Chunk read() {
        return clientToProxy.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
        clientToProxy.demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
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
