package dev.gatehouse.api.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Response;

/**
 * A response's status and headers before a handler is given it, to be put back when what that handler wrote is
 * dropped and the request sent again ({@code retry}, {@code failover.errors}, {@code buffering.retryExpression}),
 * so that each attempt starts from the same response.
 */
public record ResponseHead(int status, HttpFields headers) {

    /** The status and (a copy of) the headers {@code response} has now. */
    public static ResponseHead of(Response response) {
        return new ResponseHead(response.getStatus(), HttpFields.build(response.getHeaders()).asImmutable());
    }

    /** Puts them back on {@code response}, which must not be committed; a status not yet set becomes 200. */
    public void restore(Response response) {
        HttpFields.Mutable current = response.getHeaders();
        current.clear();
        current.add(headers);
        response.setStatus(status >= 100 ? status : 200);
    }
}
